// background.js against a fake chrome: the menu item, storing the selection, the window.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { fakeChrome } from "./fake-chrome.mjs";

const chrome = fakeChrome();
globalThis.chrome = chrome;
const background = await import("../background.js");

describe("background.js", () => {
  beforeEach(async () => {
    for (const k of Object.keys(chrome.storage.session.data)) delete chrome.storage.session.data[k];
    for (const k of Object.keys(chrome.storage.local.data)) delete chrome.storage.local.data[k];
    chrome.windows.lastFocused = { id: 99, left: 0, top: 0, width: 1366, height: 900, type: "normal" };
    chrome.calls.created.length = 0;
    chrome.calls.updated.length = 0;
  });

  it("registers its listeners at the top level", () => {
    assert.equal(chrome.runtime.onInstalled.listeners.length, 1);
    assert.equal(chrome.contextMenus.onClicked.listeners.length, 1);
    assert.equal(chrome.windows.onRemoved.listeners.length, 1);
    assert.equal(chrome.windows.onBoundsChanged.listeners.length, 1);
    assert.equal(chrome.action.onClicked.listeners.length, 1);
    assert.equal(chrome.commands.onCommand.listeners.length, 1);
    assert.equal(globalThis.responder.MENU_TITLE, "Webcare-antwoord voorstellen");
  });

  it("creates one menu item on selected text at install, also after an update", async () => {
    await chrome.runtime.onInstalled.fire({ reason: "install" });
    await chrome.runtime.onInstalled.fire({ reason: "update" });
    assert.deepEqual(chrome.calls.menus, [
      { id: "responder-suggest", title: "Webcare-antwoord voorstellen", contexts: ["selection"] },
    ]);
    assert.equal(chrome.calls.removedAll, 2);
  });

  it("a click stores the selection and opens the responder window", async () => {
    await chrome.contextMenus.onClicked.fire(
      { menuItemId: "responder-suggest", selectionText: "  Waar blijft mijn pakket? <b>nu</b> ", pageUrl: "https://x.com/a/status/1" },
      { id: 7, url: "https://x.com/a/status/1" },
    );
    const { pending, responderWindowId } = await chrome.storage.session.get(["pending", "responderWindowId"]);
    assert.equal(pending.text, "Waar blijft mijn pakket? <b>nu</b>");
    assert.equal(pending.pageUrl, "https://x.com/a/status/1");
    assert.equal(pending.done, false);
    assert.equal(typeof pending.id, "number");
    assert.equal(chrome.calls.created.length, 1);
    const opened = chrome.calls.created[0];
    assert.equal(opened.type, "popup");
    assert.equal(opened.url, "chrome-extension://abcdefghijklmnop/popup.html?venster=1");
    assert.equal(typeof responderWindowId, "number");
  });

  it("a second click focuses the open window instead of opening another", async () => {
    await background.onMenuClick({ menuItemId: "responder-suggest", selectionText: "eerste" });
    await background.onMenuClick({ menuItemId: "responder-suggest", selectionText: "tweede" });
    assert.equal(chrome.calls.created.length, 1);
    assert.equal(chrome.calls.updated.length, 1);
    assert.equal(chrome.calls.updated[0].focused, true);
    const { pending } = await chrome.storage.session.get("pending");
    assert.equal(pending.text, "tweede");
  });

  it("opens a new window when the old one was closed", async () => {
    await background.onMenuClick({ menuItemId: "responder-suggest", selectionText: "een" });
    const { responderWindowId: first } = await chrome.storage.session.get("responderWindowId");
    chrome.windows.close(first);
    await background.onMenuClick({ menuItemId: "responder-suggest", selectionText: "twee" });
    assert.equal(chrome.calls.created.length, 2);
  });

  it("forgets the window when it is closed", async () => {
    await background.onMenuClick({ menuItemId: "responder-suggest", selectionText: "een" });
    const { responderWindowId } = await chrome.storage.session.get("responderWindowId");
    await chrome.windows.onRemoved.fire(responderWindowId);
    assert.deepEqual(await chrome.storage.session.get("responderWindowId"), {});
    await chrome.windows.onRemoved.fire(999); // another window: nothing happens
  });

  it("opens the window at the browser's right edge, not over the comments", async () => {
    await background.onMenuClick({ menuItemId: "responder-suggest", selectionText: "een" });
    const opened = chrome.calls.created[0];
    assert.equal(opened.width, 480);
    assert.equal(opened.left, 1366 - 480 - 16);
    assert.equal(opened.top, 72);
    assert.equal(opened.height, 820);
  });

  it("remembers where the agent put the window and opens it there next time", async () => {
    await background.onMenuClick({ menuItemId: "responder-suggest", selectionText: "een" });
    const { responderWindowId: id } = await chrome.storage.session.get("responderWindowId");
    await chrome.windows.onBoundsChanged.fire({ id, left: 40, top: 50, width: 520, height: 700 });
    await chrome.windows.onBoundsChanged.fire({ id: 12345, left: 0, top: 0, width: 10, height: 10 }); // another window
    const { responderWindowBounds } = await chrome.storage.local.get("responderWindowBounds");
    assert.deepEqual(responderWindowBounds, { left: 40, top: 50, width: 520, height: 700 });
    chrome.windows.close(id);
    await chrome.windows.onRemoved.fire(id);
    await background.onMenuClick({ menuItemId: "responder-suggest", selectionText: "twee" });
    const again = chrome.calls.created.at(-1);
    assert.deepEqual([again.left, again.top, again.width, again.height], [40, 50, 520, 700]);
  });

  it("the toolbar button and the shortcut bring the open window to the front", async () => {
    await background.onMenuClick({ menuItemId: "responder-suggest", selectionText: "een" });
    await chrome.action.onClicked.fire({ id: 1 });
    await chrome.commands.onCommand.fire("show-window");
    await chrome.commands.onCommand.fire("iets-anders");
    assert.equal(chrome.calls.created.length, 1);
    assert.equal(chrome.calls.updated.length, 2);
    assert.ok(chrome.calls.updated.every((u) => u.focused === true));
  });

  it("places the window sensibly without a browser window to go by", () => {
    assert.deepEqual(background.windowBounds(null, null), { width: 480, height: 820 });
    assert.deepEqual(background.windowBounds(null, { left: 100, top: 20, width: 600, height: 500 }), {
      left: 204, // 100 + 600 - 480 - 16: against the right edge
      top: 92,
      width: 480,
      height: 420,
    });
    // a saved size too small to use is made usable
    assert.deepEqual(background.windowBounds({ left: 1, top: 2, width: 10, height: 10 }, null), {
      left: 1,
      top: 2,
      width: 360,
      height: 400,
    });
  });

  it("ignores other menu items", async () => {
    await background.onMenuClick({ menuItemId: "iets-anders", selectionText: "x" });
    assert.deepEqual(await chrome.storage.session.get("pending"), {});
    assert.equal(chrome.calls.created.length, 0);
  });

  it("copes with an empty selection and no page address", async () => {
    await background.onMenuClick({ menuItemId: "responder-suggest" }, undefined);
    const { pending } = await chrome.storage.session.get("pending");
    assert.equal(pending.text, "");
    assert.equal(pending.pageUrl, "");
  });
});

describe("background.js, bounds Chrome refuses", () => {
  it("opens the window anyway, at the default size", async () => {
    for (const k of Object.keys(chrome.storage.session.data)) delete chrome.storage.session.data[k];
    await chrome.storage.local.set({ responderWindowBounds: { left: 9000, top: 9000, width: 500, height: 600 } });
    const create = chrome.windows.create;
    chrome.windows.create = async (opts) => {
      if (opts.left !== undefined) throw new Error("Invalid value for bounds.");
      return create(opts);
    };
    try {
      const before = chrome.calls.created.length;
      await background.onMenuClick({ menuItemId: "responder-suggest", selectionText: "een" });
      const opened = chrome.calls.created.slice(before);
      assert.equal(opened.length, 1);
      assert.equal(opened[0].left, undefined);
      assert.equal(opened[0].width, 480);
    } finally {
      chrome.windows.create = create;
      await chrome.storage.local.remove("responderWindowBounds");
    }
  });
});
