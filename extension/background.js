// Service worker: the context-menu item on selected text. A click stores the selection in
// chrome.storage.session and shows the responder window (popup.html), reusing an open one.

export const MENU_ID = "responder-suggest";
export const MENU_TITLE = "Webcare-antwoord voorstellen";
const WINDOW_KEY = "responderWindowId";
const WINDOW_SIZE = { width: 480, height: 820 };

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
  const win = await chrome.windows.create({
    url: chrome.runtime.getURL("popup.html?venster=1"),
    type: "popup",
    focused: true,
    ...WINDOW_SIZE,
  });
  await chrome.storage.session.set({ [WINDOW_KEY]: win.id });
  return win.id;
}

async function onWindowRemoved(windowId) {
  const { [WINDOW_KEY]: id } = await chrome.storage.session.get(WINDOW_KEY);
  if (id === windowId) await chrome.storage.session.remove(WINDOW_KEY);
}

// Listeners at the top level, so they are there whenever the worker wakes up.
chrome.runtime.onInstalled.addListener(() => setUpMenu());
chrome.contextMenus.onClicked.addListener((info, tab) => onMenuClick(info, tab));
chrome.windows.onRemoved.addListener((windowId) => onWindowRemoved(windowId));

// For the service worker's DevTools console (and the browser test): responder.onMenuClick({...}).
globalThis.responder = { setUpMenu, onMenuClick, showWindow, MENU_ID, MENU_TITLE };
