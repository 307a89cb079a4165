// lib/settings.js: chrome.storage inside the extension, the query string outside it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  SETTINGS_DEFAULTS,
  hasExtensionStorage,
  loadPending,
  loadSettings,
  markPendingDone,
  onNewPending,
  onSettingsChange,
  openOptions,
  requestHostAccess,
  saveSettings,
} from "../lib/settings.js";
import { fakeChrome } from "./fake-chrome.mjs";

function fakeLocalStorage() {
  const data = new Map();
  return { getItem: (k) => (data.has(k) ? data.get(k) : null), setItem: (k, v) => data.set(k, String(v)), data };
}

function webEnv(search = "", href = "http://127.0.0.1:5000/popup.html") {
  const opened = [];
  return {
    location: { search, href: href + search, origin: "http://127.0.0.1:5000" },
    localStorage: fakeLocalStorage(),
    open: (url, target) => opened.push([url, target]),
    opened,
  };
}

describe("hasExtensionStorage", () => {
  it("true only with chrome.storage.local", () => {
    assert.equal(hasExtensionStorage({ chrome: fakeChrome() }), true);
    assert.equal(hasExtensionStorage({ chrome: {} }), false);
    assert.equal(hasExtensionStorage({}), false);
  });
});

describe("loadSettings / saveSettings", () => {
  it("defaults when nothing is stored", async () => {
    assert.deepEqual(await loadSettings({ chrome: fakeChrome() }), SETTINGS_DEFAULTS);
    assert.deepEqual(await loadSettings(webEnv()), SETTINGS_DEFAULTS);
    assert.equal(SETTINGS_DEFAULTS.apiUrl, "http://127.0.0.1:8000");
  });
  it("round-trips through chrome.storage.local, known names only", async () => {
    const env = { chrome: fakeChrome() };
    await saveSettings({ apiUrl: "https://api.example.nl", apiKey: "k", initials: "AB", defaultChannel: "x", other: "nee" }, env);
    assert.deepEqual(Object.keys(env.chrome.storage.local.data).sort(), ["apiKey", "apiUrl", "defaultChannel", "initials"]);
    assert.deepEqual(await loadSettings(env), { apiUrl: "https://api.example.nl", apiKey: "k", initials: "AB", defaultChannel: "x" });
  });
  it("outside the extension: the query string wins over localStorage", async () => {
    const env = webEnv("?api=http%3A%2F%2F127.0.0.1%3A9001&key=abc&channel=x&initials=CD");
    await saveSettings({ apiUrl: "http://127.0.0.1:1234", initials: "ZZ" }, env);
    assert.deepEqual(await loadSettings(env), {
      apiUrl: "http://127.0.0.1:9001",
      apiKey: "abc",
      defaultChannel: "x",
      initials: "CD",
    });
    const plain = webEnv();
    plain.localStorage = env.localStorage;
    assert.equal((await loadSettings(plain)).apiUrl, "http://127.0.0.1:1234");
  });
  it("ignores broken localStorage content", async () => {
    const env = webEnv();
    env.localStorage.setItem("responder.settings", "{kapot");
    assert.deepEqual(await loadSettings(env), SETTINGS_DEFAULTS);
  });
});

describe("loadPending / markPendingDone / onNewPending", () => {
  it("the context-menu selection from storage.session, auto until answered", async () => {
    const env = { chrome: fakeChrome() };
    assert.equal(await loadPending(env), null);
    await env.chrome.storage.session.set({ pending: { text: "Hoi", pageUrl: "https://x.com", id: 5, done: false } });
    assert.deepEqual(await loadPending(env), { text: "Hoi", pageUrl: "https://x.com", channel: "", authorName: "", auto: true, id: 5 });
    await markPendingDone(env);
    assert.equal((await loadPending(env)).auto, false);
    await markPendingDone(env); // twice is fine
  });
  it("outside the extension: text, channel, author and auto from the query", async () => {
    const env = webEnv("?text=%3Cscript%3Ex%3C%2Fscript%3E&channel=x&author=Noor&auto=1&page=https%3A%2F%2Fx.com");
    assert.deepEqual(await loadPending(env), {
      text: "<script>x</script>",
      pageUrl: "https://x.com",
      channel: "x",
      authorName: "Noor",
      auto: true,
      id: null,
    });
    assert.equal(await loadPending(webEnv("?api=x")), null);
    await markPendingDone(env); // no-op outside the extension
  });
  it("a new selection reaches the open window; the 'done' mark does not", async () => {
    const env = { chrome: fakeChrome() };
    const seen = [];
    onNewPending((p) => seen.push(p), env);
    await env.chrome.storage.session.set({ pending: { text: "Nieuw", pageUrl: "", id: 1, done: false } });
    await markPendingDone(env);
    await env.chrome.storage.local.set({ pending: { text: "andere opslag" } });
    assert.deepEqual(seen, [{ text: "Nieuw", pageUrl: "", channel: "", authorName: "", auto: true, id: 1 }]);
    onNewPending(() => assert.fail("no chrome, no listener"), webEnv());
  });
});

describe("onSettingsChange", () => {
  it("fires for saved settings, not for the session or other keys", async () => {
    const env = { chrome: fakeChrome() };
    let calls = 0;
    onSettingsChange(() => (calls += 1), env);
    await saveSettings({ apiUrl: "http://127.0.0.1:9" }, env);
    await env.chrome.storage.session.set({ apiUrl: "x" });
    await env.chrome.storage.local.set({ iets: 1 });
    assert.equal(calls, 1);
    onSettingsChange(() => assert.fail("no chrome, no listener"), webEnv());
  });
});

describe("openOptions", () => {
  it("the extension's options page", () => {
    const env = { chrome: fakeChrome() };
    openOptions(env);
    assert.equal(env.chrome.calls.optionsOpened, 1);
  });
  it("options.html next to the page, with the same query, outside it", () => {
    const env = webEnv("?api=http%3A%2F%2F127.0.0.1%3A9");
    openOptions(env);
    assert.deepEqual(env.opened, [["http://127.0.0.1:5000/options.html?api=http%3A%2F%2F127.0.0.1%3A9", "_blank"]]);
  });
});

describe("requestHostAccess", () => {
  it("asks Chrome for the origins", async () => {
    const env = { chrome: fakeChrome() };
    assert.equal(await requestHostAccess(["https://api.example.nl/*"], env), true);
    assert.deepEqual(env.chrome.calls.permissionRequests, [{ origins: ["https://api.example.nl/*"] }]);
    env.chrome.permissions.grant = false;
    assert.equal(await requestHostAccess(["https://api.example.nl/*"], env), false);
  });
  it("nothing to ask, or no chrome: true", async () => {
    const env = { chrome: fakeChrome() };
    assert.equal(await requestHostAccess([], env), true);
    assert.equal(env.chrome.calls.permissionRequests.length, 0);
    assert.equal(await requestHostAccess(["https://a/*"], webEnv()), true);
  });
  it("a refusal by Chrome (an exception) is false", async () => {
    const env = { chrome: fakeChrome() };
    env.chrome.permissions.request = async () => {
      throw new Error("This function must be called during a user gesture");
    };
    assert.equal(await requestHostAccess(["https://a/*"], env), false);
  });
});
