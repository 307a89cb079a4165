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
    chrome.calls.created.length = 0;
    chrome.calls.updated.length = 0;
  });

  it("registers its listeners at the top level", () => {
    assert.equal(chrome.runtime.onInstalled.listeners.length, 1);
    assert.equal(chrome.contextMenus.onClicked.listeners.length, 1);
    assert.equal(chrome.windows.onRemoved.listeners.length, 1);
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
