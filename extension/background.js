// Service worker: the context-menu item on selected text, and the responder window. A click
// stores the selection in chrome.storage.session and shows the window (popup.html), reusing an
// open one. The window opens where the agent last left it (else at the right edge of the
// browser, not over the comments), and the toolbar button or Alt+Shift+R brings it back to the
// front when it has fallen behind the browser.

export const MENU_ID = "responder-suggest";
export const MENU_TITLE = "Webcare-antwoord voorstellen";
export const COMMAND_SHOW = "show-window";
const WINDOW_KEY = "responderWindowId";
const BOUNDS_KEY = "responderWindowBounds";
export const WINDOW_SIZE = { width: 480, height: 820 };
const EDGE = 16; // px from the browser window's right edge

/** (Re)create the context-menu item; runs on install and update. */
export async function setUpMenu() {
  await chrome.contextMenus.removeAll();
  chrome.contextMenus.create({ id: MENU_ID, title: MENU_TITLE, contexts: ["selection"] });
}

/** Store the selected comment and show it in the responder window. */
export async function onMenuClick(info, tab) {
  if (info?.menuItemId !== MENU_ID) return;
  const pending = {
    text: (info.selectionText ?? "").trim(),
    pageUrl: info.pageUrl ?? tab?.url ?? "",
    id: Date.now(),
    done: false,
  };
  await chrome.storage.session.set({ pending });
  await showWindow();
}

/**
 * Where a new responder window goes: the bounds the agent last gave it, if any; else beside
 * the browser window `anchor` (its right edge, a little below the toolbar), so that it does not
 * cover the comments on the left. Pure: tested without chrome.*.
 */
export function windowBounds(saved, anchor) {
  const ok = (n) => Number.isInteger(n);
  if (saved && ok(saved.left) && ok(saved.top) && ok(saved.width) && ok(saved.height)) {
    return {
      left: saved.left,
      top: saved.top,
      width: Math.max(360, saved.width),
      height: Math.max(400, saved.height),
    };
  }
  const { width } = WINDOW_SIZE;
  if (anchor && ok(anchor.left) && ok(anchor.top) && ok(anchor.width) && ok(anchor.height)) {
    const height = Math.max(400, Math.min(WINDOW_SIZE.height, anchor.height - 80));
    return {
      left: Math.max(anchor.left, anchor.left + anchor.width - width - EDGE),
      top: anchor.top + 72,
      width,
      height,
    };
  }
  return { ...WINDOW_SIZE };
}

/** Focus the open responder window (it picks up the new selection itself) or open one. */
export async function showWindow() {
  const { [WINDOW_KEY]: id } = await chrome.storage.session.get(WINDOW_KEY);
  if (typeof id === "number") {
    try {
      await chrome.windows.update(id, { focused: true, drawAttention: true });
      return id;
    } catch {
      // closed meanwhile: open a new one
    }
  }
  const { [BOUNDS_KEY]: saved } = await chrome.storage.local.get(BOUNDS_KEY);
  let anchor = null;
  try {
    anchor = await chrome.windows.getLastFocused({ windowTypes: ["normal"] });
  } catch {
    // no browser window (or not allowed): the default size, where Chrome puts it
  }
  const options = { url: chrome.runtime.getURL("popup.html?venster=1"), type: "popup", focused: true };
  let win;
  try {
    win = await chrome.windows.create({ ...options, ...windowBounds(saved, anchor) });
  } catch {
    // bounds off the screen (another monitor set-up since): where Chrome puts it, default size
    win = await chrome.windows.create({ ...options, ...WINDOW_SIZE });
  }
  await chrome.storage.session.set({ [WINDOW_KEY]: win.id });
  return win.id;
}

async function onWindowRemoved(windowId) {
  const { [WINDOW_KEY]: id } = await chrome.storage.session.get(WINDOW_KEY);
  if (id === windowId) await chrome.storage.session.remove(WINDOW_KEY);
}

/** Remember where the agent put the responder window (moved or resized). */
export async function onBoundsChanged(win) {
  const { [WINDOW_KEY]: id } = await chrome.storage.session.get(WINDOW_KEY);
  if (!win || win.id !== id) return;
  const { left, top, width, height } = win;
  await chrome.storage.local.set({ [BOUNDS_KEY]: { left, top, width, height } });
}

// Listeners at the top level, so they are there whenever the worker wakes up.
chrome.runtime.onInstalled.addListener(() => setUpMenu());
chrome.contextMenus.onClicked.addListener((info, tab) => onMenuClick(info, tab));
chrome.windows.onRemoved.addListener((windowId) => onWindowRemoved(windowId));
chrome.windows.onBoundsChanged?.addListener((win) => onBoundsChanged(win));
// The toolbar button and the keyboard shortcut: the window to the front (or open it).
chrome.action?.onClicked?.addListener(() => showWindow());
chrome.commands?.onCommand?.addListener((command) => {
  if (command === COMMAND_SHOW) showWindow();
});

// For the service worker's DevTools console (and the browser test): responder.onMenuClick({...}).
globalThis.responder = { setUpMenu, onMenuClick, showWindow, windowBounds, MENU_ID, MENU_TITLE };
