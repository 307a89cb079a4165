// Where the settings and the selected comment come from. In the extension: chrome.storage
// (settings in storage.local, the last selection in storage.session). Opened as a plain web page
// (tests, a quick look without installing): the query string, with localStorage for what the
// options page saves. `env` is globalThis by default; tests pass a fake one.

import { DEFAULT_BASE_URL, readQueryConfig } from "./api.js";

export const SETTINGS_DEFAULTS = Object.freeze({
  apiUrl: DEFAULT_BASE_URL,
  apiKey: "",
  defaultChannel: "",
  initials: "",
});
const SETTING_NAMES = Object.keys(SETTINGS_DEFAULTS);
const LOCAL_KEY = "responder.settings";

/** True inside the extension (chrome.storage is there). */
export function hasExtensionStorage(env = globalThis) {
  return Boolean(env.chrome?.storage?.local);
}

function readLocal(env) {
  try {
    const raw = env.localStorage?.getItem(LOCAL_KEY);
    return raw ? JSON.parse(raw) : {};
  } catch {
    return {};
  }
}

/** {apiUrl, apiKey, defaultChannel, initials}; outside the extension the query string wins. */
export async function loadSettings(env = globalThis) {
  if (hasExtensionStorage(env)) {
    const stored = await env.chrome.storage.local.get(SETTING_NAMES);
    return { ...SETTINGS_DEFAULTS, ...pick(stored) };
  }
  const query = readQueryConfig(env.location?.search ?? "");
  const fromQuery = {};
  if (query.apiUrl !== undefined) fromQuery.apiUrl = query.apiUrl;
  if (query.apiKey !== undefined) fromQuery.apiKey = query.apiKey;
  if (query.initials !== undefined) fromQuery.initials = query.initials;
  if (query.channel !== undefined) fromQuery.defaultChannel = query.channel;
  return { ...SETTINGS_DEFAULTS, ...pick(readLocal(env)), ...fromQuery };
}

/** Save settings (only the known names). */
export async function saveSettings(values, env = globalThis) {
  const clean = pick(values);
  if (hasExtensionStorage(env)) {
    await env.chrome.storage.local.set(clean);
    return;
  }
  env.localStorage?.setItem(LOCAL_KEY, JSON.stringify({ ...readLocal(env), ...clean }));
}

function pick(values) {
  const out = {};
  for (const name of SETTING_NAMES) {
    if (typeof values?.[name] === "string") out[name] = values[name];
  }
  return out;
}

/**
 * The comment to answer: {text, pageUrl, channel, authorName, auto, id}. In the extension the
 * last context-menu selection (auto: not yet answered); outside it the query string.
 */
export async function loadPending(env = globalThis) {
  if (env.chrome?.storage?.session) {
    const { pending } = await env.chrome.storage.session.get("pending");
    if (!pending || typeof pending.text !== "string") return null;
    return {
      text: pending.text,
      pageUrl: pending.pageUrl ?? "",
      channel: "",
      authorName: "",
      auto: !pending.done,
      id: pending.id ?? null,
    };
  }
  if (hasExtensionStorage(env)) return null;
  const q = readQueryConfig(env.location?.search ?? "");
  if (q.text === undefined) return null;
  return {
    text: q.text,
    pageUrl: q.pageUrl ?? "",
    channel: q.channel ?? "",
    authorName: q.authorName ?? "",
    auto: Boolean(q.auto),
    id: null,
  };
}

/** Mark the context-menu selection as answered, so reopening the popup does not ask again. */
export async function markPendingDone(env = globalThis) {
  const session = env.chrome?.storage?.session;
  if (!session) return;
  const { pending } = await session.get("pending");
  if (pending && !pending.done) await session.set({ pending: { ...pending, done: true } });
}

/** Call `listener(pending)` when a new selection arrives (extension only). */
export function onNewPending(listener, env = globalThis) {
  const changed = env.chrome?.storage?.onChanged;
  if (!changed) return;
  changed.addListener((changes, area) => {
    if (area !== "session" || !changes.pending) return;
    const next = changes.pending.newValue;
    if (next && typeof next.text === "string" && !next.done) {
      listener({ text: next.text, pageUrl: next.pageUrl ?? "", channel: "", authorName: "", auto: true, id: next.id ?? null });
    }
  });
}

/** Call `listener()` when the saved settings change (the options page saved; extension only). */
export function onSettingsChange(listener, env = globalThis) {
  const changed = env.chrome?.storage?.onChanged;
  if (!changed) return;
  changed.addListener((changes, area) => {
    if (area === "local" && SETTING_NAMES.some((name) => name in changes)) listener();
  });
}

/** Open the options page: the extension's, or options.html next to this page. */
export function openOptions(env = globalThis) {
  if (env.chrome?.runtime?.openOptionsPage) {
    env.chrome.runtime.openOptionsPage();
    return;
  }
  const url = new URL("options.html", env.location.href);
  url.search = env.location.search;
  env.open?.(url.href, "_blank");
}

/**
 * Ask for access to a non-local API host (must run straight from a click). Resolves to true
 * when granted or not needed, false when refused; outside the extension always true.
 */
export async function requestHostAccess(origins, env = globalThis) {
  if (!origins.length || !env.chrome?.permissions?.request) return true;
  try {
    return await env.chrome.permissions.request({ origins });
  } catch {
    return false;
  }
}
