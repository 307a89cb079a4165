// A small in-memory stand-in for the chrome.* APIs the extension uses (not a test file itself).

export function fakeEvent() {
  const listeners = [];
  return {
    listeners,
    addListener: (fn) => listeners.push(fn),
    fire: (...args) => Promise.all(listeners.map((fn) => fn(...args))),
  };
}

function fakeArea(name, onChanged) {
  const data = {};
  return {
    data,
    async get(keys) {
      const names = keys === null || keys === undefined ? Object.keys(data) : Array.isArray(keys) ? keys : [keys];
      const out = {};
      for (const k of names) if (k in data) out[k] = structuredClone(data[k]);
      return out;
    },
    async set(values) {
      const changes = {};
      for (const [k, v] of Object.entries(values)) {
        changes[k] = { oldValue: data[k], newValue: structuredClone(v) };
        data[k] = structuredClone(v);
      }
      await onChanged.fire(changes, name);
    },
    async remove(keys) {
      for (const k of Array.isArray(keys) ? keys : [keys]) delete data[k];
    },
  };
}

export function fakeChrome() {
  const onChanged = fakeEvent();
  const calls = { menus: [], created: [], updated: [], removedAll: 0, permissionRequests: [], optionsOpened: 0 };
  const windows = new Map();
  let nextWindow = 1;
  const chrome = {
    calls,
    runtime: {
      id: "abcdefghijklmnop",
      onInstalled: fakeEvent(),
      getURL: (path) => `chrome-extension://abcdefghijklmnop/${path}`,
      openOptionsPage: () => {
        calls.optionsOpened += 1;
      },
    },
    contextMenus: {
      onClicked: fakeEvent(),
      removeAll: async () => {
        calls.removedAll += 1;
        calls.menus.length = 0;
      },
      create: (item) => {
        calls.menus.push(item);
      },
    },
    action: { onClicked: fakeEvent() },
    commands: { onCommand: fakeEvent() },
    windows: {
      onRemoved: fakeEvent(),
      onBoundsChanged: fakeEvent(),
      lastFocused: { id: 99, left: 0, top: 0, width: 1366, height: 900, type: "normal" },
      getLastFocused: async () => {
        if (!chrome.windows.lastFocused) throw new Error("No last-focused window");
        return { ...chrome.windows.lastFocused };
      },
      create: async (opts) => {
        const win = { id: nextWindow++, ...opts };
        windows.set(win.id, win);
        calls.created.push(opts);
        return win;
      },
      update: async (id, opts) => {
        if (!windows.has(id)) throw new Error(`No window with id: ${id}.`);
        calls.updated.push({ id, ...opts });
        return windows.get(id);
      },
      close: (id) => windows.delete(id),
    },
    storage: {
      onChanged,
      local: null,
      session: null,
    },
    permissions: {
      grant: true,
      request: async (req) => {
        calls.permissionRequests.push(req);
        return chrome.permissions.grant;
      },
    },
  };
  chrome.storage.local = fakeArea("local", onChanged);
  chrome.storage.session = fakeArea("session", onChanged);
  return chrome;
}
