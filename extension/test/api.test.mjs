// Every exported function of lib/api.js; run with `node --test extension/test/`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import * as api from "../lib/api.js";

const {
  DEFAULT_BASE_URL,
  InputProblem,
  MAX_TEXT_CHARS,
  buildCheckRequest,
  buildFeedbackRequest,
  buildSuggestRequest,
  callApi,
  channelOptions,
  copyLabel,
  correctionLabels,
  countChars,
  deadlineText,
  describeError,
  describeReady,
  failedGuardrails,
  formatPercent,
  formatTimeLeft,
  guessChannel,
  headName,
  isLoopbackUrl,
  labelName,
  missingEndpoint,
  noReplyNote,
  normaliseApiKey,
  normaliseBaseUrl,
  normaliseInitials,
  otherTeamPosts,
  outcomeText,
  overChannelLimit,
  parseRetryAfter,
  permissionOrigins,
  pickChannel,
  postedName,
  priorityClass,
  readQueryConfig,
  shortTeamName,
  suggestionMeta,
  summariseTriage,
  usedAction,
} = api;

const BASE = "http://127.0.0.1:8000";
const ORIGIN = "chrome-extension://abcdefghijklmnop";
const suggestExample = JSON.parse(readFileSync(new URL("./fixtures/suggest.json", import.meta.url), "utf8"));
const playbookExample = JSON.parse(readFileSync(new URL("./fixtures/playbook.json", import.meta.url), "utf8"));
const names = playbookExample.names; // GET /v1/playbook's Dutch names (responder.names)

function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function apiError(status, code, message, headers = {}, details = []) {
  return json(status, { error: { code, message, details } }, headers);
}

/** A fetch that records its calls and answers with `handler(url, init)`. */
function fakeFetch(handler) {
  const calls = [];
  const fetchImpl = async (url, init = {}) => {
    calls.push({ url, init });
    return handler(url, init);
  };
  fetchImpl.calls = calls;
  return fetchImpl;
}

function throwsProblem(fn, pattern, field) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof InputProblem, `expected InputProblem, got ${err}`);
    assert.match(err.message, pattern);
    if (field !== undefined) assert.equal(err.field, field);
    return true;
  });
}

describe("normaliseBaseUrl", () => {
  it("keeps a clean address", () => {
    assert.equal(normaliseBaseUrl("http://127.0.0.1:8000"), "http://127.0.0.1:8000");
  });
  it("trims and strips trailing slashes", () => {
    assert.equal(normaliseBaseUrl("  http://127.0.0.1:8000///  "), "http://127.0.0.1:8000");
    assert.equal(normaliseBaseUrl("https://api.example.nl/responder/"), "https://api.example.nl/responder");
  });
  it("adds http:// for localhost and loopback addresses", () => {
    assert.equal(normaliseBaseUrl("localhost:8000"), "http://localhost:8000");
    assert.equal(normaliseBaseUrl("127.0.0.1:9000/"), "http://127.0.0.1:9000");
    assert.equal(normaliseBaseUrl("[::1]:8000"), "http://[::1]:8000");
  });
  it("adds https:// for other hosts", () => {
    assert.equal(normaliseBaseUrl("webcare.example.nl"), "https://webcare.example.nl");
    assert.equal(normaliseBaseUrl("webcare.example.nl:8443/api"), "https://webcare.example.nl:8443/api");
  });
  it("drops query and fragment, lowercases the host", () => {
    assert.equal(normaliseBaseUrl("HTTPS://API.Example.NL/x/?a=1#b"), "https://api.example.nl/x");
  });
  it("rejects empty input in Dutch", () => {
    throwsProblem(() => normaliseBaseUrl("   "), /Vul het adres/, "api");
    throwsProblem(() => normaliseBaseUrl(undefined), /Vul het adres/, "api");
  });
  it("rejects other schemes", () => {
    throwsProblem(() => normaliseBaseUrl("ftp://example.nl"), /http:\/\/ of https:\/\//);
    throwsProblem(() => normaliseBaseUrl("javascript:alert(1)"), /http:\/\/ of https:\/\//);
    throwsProblem(() => normaliseBaseUrl("file:///etc/passwd"), /http:\/\/ of https:\/\//);
  });
  it("rejects malformed addresses and credentials", () => {
    throwsProblem(() => normaliseBaseUrl("http://exa mple.nl"), /geen geldig adres/);
    throwsProblem(() => normaliseBaseUrl("https://user:pw@example.nl"), /gebruikersnaam of wachtwoord/);
  });
});

describe("isLoopbackUrl", () => {
  it("knows this computer", () => {
    assert.equal(isLoopbackUrl("http://127.0.0.1:8000"), true);
    assert.equal(isLoopbackUrl("http://127.4.5.6"), true);
    assert.equal(isLoopbackUrl("http://localhost:8000"), true);
    assert.equal(isLoopbackUrl("http://[::1]:8000"), true);
  });
  it("and what is not", () => {
    assert.equal(isLoopbackUrl("https://webcare.example.nl"), false);
    assert.equal(isLoopbackUrl("http://10.0.0.5:8000"), false);
    assert.equal(isLoopbackUrl("geen adres"), false);
  });
});

describe("permissionOrigins", () => {
  it("needs nothing for the manifest's loopback hosts", () => {
    assert.deepEqual(permissionOrigins("http://127.0.0.1:8000"), []);
    assert.deepEqual(permissionOrigins("http://localhost:9000/api"), []);
  });
  it("asks for the host on any port otherwise", () => {
    assert.deepEqual(permissionOrigins("https://webcare.example.nl:8443/api"), ["https://webcare.example.nl/*"]);
    assert.deepEqual(permissionOrigins("http://10.0.0.5:8000"), ["http://10.0.0.5/*"]);
    assert.deepEqual(permissionOrigins("https://localhost:8000"), ["https://localhost/*"]);
  });
});

describe("normaliseApiKey", () => {
  it("trims and drops a pasted Bearer", () => {
    assert.equal(normaliseApiKey("  rsp_abc123  "), "rsp_abc123");
    assert.equal(normaliseApiKey("Bearer rsp_abc123"), "rsp_abc123");
  });
  it("keeps empty empty", () => {
    assert.equal(normaliseApiKey(""), "");
    assert.equal(normaliseApiKey(undefined), "");
  });
  it("rejects spaces and characters a header cannot carry", () => {
    throwsProblem(() => normaliseApiKey("rsp abc"), /API-sleutel bevat/, "key");
    throwsProblem(() => normaliseApiKey("rsp_é"), /API-sleutel bevat/, "key");
  });
});

describe("normaliseInitials", () => {
  it("trims and allows up to five characters", () => {
    assert.equal(normaliseInitials(" AB "), "AB");
    assert.equal(normaliseInitials("ABCDE"), "ABCDE");
    assert.equal(normaliseInitials(undefined), "");
  });
  it("rejects longer in Dutch", () => {
    throwsProblem(() => normaliseInitials("ABCDEF"), /maximaal 5 tekens \(nu 6\)/, "initials");
  });
});

describe("countChars", () => {
  it("counts code points like the server", () => {
    assert.equal(countChars("abc"), 3);
    assert.equal(countChars("👍🏽"), 2);
    assert.equal(countChars(""), 0);
    assert.equal(countChars(null), 0);
  });
});

describe("buildSuggestRequest", () => {
  it("trims the text and leaves out empty fields", () => {
    assert.deepEqual(buildSuggestRequest({ text: "  Waar blijft mijn pakket?  ", channel: "", initials: " " }), {
      text: "Waar blijft mijn pakket?",
    });
  });
  it("passes channel, initials, author, time and private", () => {
    const body = buildSuggestRequest({
      text: "Hoi",
      channel: "x",
      initials: "AB",
      authorName: " Noor ",
      postedAt: "2026-11-25T15:00:00Z",
      private: true,
    });
    assert.deepEqual(body, {
      text: "Hoi",
      channel: "x",
      initials: "AB",
      author_name: "Noor",
      posted_at: "2026-11-25T15:00:00.000Z",
      private: true,
    });
  });
  it("refuses an empty comment in Dutch", () => {
    throwsProblem(() => buildSuggestRequest({ text: "   " }), /nog geen reactie/, "text");
    throwsProblem(() => buildSuggestRequest({}), /nog geen reactie/, "text");
  });
  it("allows exactly the limit and refuses one more", () => {
    assert.equal(buildSuggestRequest({ text: "a".repeat(MAX_TEXT_CHARS) }).text.length, MAX_TEXT_CHARS);
    throwsProblem(() => buildSuggestRequest({ text: "a".repeat(MAX_TEXT_CHARS + 1) }), /te lang: 5001 tekens, maximaal 5000/, "text");
  });
  it("checks initials, author name and time", () => {
    throwsProblem(() => buildSuggestRequest({ text: "x", initials: "ABCDEF" }), /Initialen/);
    throwsProblem(() => buildSuggestRequest({ text: "x", authorName: "n".repeat(101) }), /naam van de schrijver/);
    throwsProblem(() => buildSuggestRequest({ text: "x", postedAt: "gisteren" }), /geen geldige datum/);
  });
  it("keeps HTML as plain text", () => {
    assert.equal(buildSuggestRequest({ text: "<script>alert(1)</script>" }).text, "<script>alert(1)</script>");
  });
});

describe("buildFeedbackRequest", () => {
  const requestId = "af86e5c0d4234122b481207de77c7a73";
  it("builds used, edited and rejected", () => {
    assert.deepEqual(buildFeedbackRequest({ requestId, action: "used", rank: 1 }), { request_id: requestId, action: "used", rank: 1 });
    assert.deepEqual(buildFeedbackRequest({ requestId, action: "edited", rank: 2, finalText: " Nieuw " }), {
      request_id: requestId,
      action: "edited",
      rank: 2,
      final_text: "Nieuw",
    });
    assert.deepEqual(buildFeedbackRequest({ requestId, action: "rejected" }), { request_id: requestId, action: "rejected" });
  });
  it("refuses what the API refuses", () => {
    throwsProblem(() => buildFeedbackRequest({ action: "used", rank: 1 }), /vraag eerst suggesties op/);
    throwsProblem(() => buildFeedbackRequest({ requestId, action: "liked", rank: 1 }), /Onbekende feedback/);
    throwsProblem(() => buildFeedbackRequest({ requestId, action: "used" }), /welke suggestie/);
    throwsProblem(() => buildFeedbackRequest({ requestId, action: "used", rank: 0 }), /bestaat niet/);
    throwsProblem(() => buildFeedbackRequest({ requestId, action: "edited", rank: 1, finalText: " " }), /geplaatste tekst/);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds", () => {
    assert.equal(parseRetryAfter("12"), 12);
    assert.equal(parseRetryAfter(" 0 "), 1);
  });
  it("reads an HTTP date", () => {
    const now = new Date("2026-11-25T12:00:00Z");
    assert.equal(parseRetryAfter("Wed, 25 Nov 2026 12:00:30 GMT", now), 30);
    assert.equal(parseRetryAfter("Wed, 25 Nov 2026 11:00:00 GMT", now), 1);
  });
  it("gives null for nothing or nonsense", () => {
    assert.equal(parseRetryAfter(null), null);
    assert.equal(parseRetryAfter(undefined), null);
    assert.equal(parseRetryAfter(""), null);
    assert.equal(parseRetryAfter("straks"), null);
  });
});

describe("callApi", () => {
  it("POSTs JSON with the key and returns the data", async () => {
    const fetchImpl = fakeFetch(() => json(200, suggestExample));
    const result = await callApi(fetchImpl, BASE, "rsp_key", "/v1/suggest", { text: "Hoi" }, { origin: ORIGIN });
    assert.equal(result.ok, true);
    assert.equal(result.status, 200);
    assert.equal(result.data.suggestions.length, 3);
    const { url, init } = fetchImpl.calls[0];
    assert.equal(url, `${BASE}/v1/suggest`);
    assert.equal(init.method, "POST");
    assert.equal(init.headers.Authorization, "Bearer rsp_key");
    assert.equal(init.headers["Content-Type"], "application/json");
    assert.equal(init.credentials, "omit");
    assert.deepEqual(JSON.parse(init.body), { text: "Hoi" });
  });
  it("GETs without body and without a key when there is none", async () => {
    const fetchImpl = fakeFetch(() => json(200, playbookExample));
    const result = await callApi(fetchImpl, BASE, "", "/v1/playbook", null);
    assert.equal(result.ok, true);
    const { init } = fetchImpl.calls[0];
    assert.equal(init.method, "GET");
    assert.equal(init.body, undefined);
    assert.equal("Authorization" in init.headers, false);
    assert.equal("Content-Type" in init.headers, false);
  });
  it("network failure (TypeError) → unreachable with the address", async () => {
    const fetchImpl = fakeFetch(() => {
      throw new TypeError("Failed to fetch");
    });
    const result = await callApi(fetchImpl, BASE, "", "/v1/suggest", { text: "x" }, { origin: ORIGIN });
    assert.equal(result.ok, false);
    assert.equal(result.kind, "unreachable");
    assert.equal(result.code, "network");
    assert.equal(
      result.message,
      "De responder-server is niet bereikbaar op http://127.0.0.1:8000. Staat hij aan? Klopt het adres in de opties?",
    );
    assert.equal(fetchImpl.calls.length, 2, "probes once with no-cors");
    assert.equal(fetchImpl.calls[1].init.mode, "no-cors");
  });
  it("a server that answers but fails CORS → blocked, naming the origin", async () => {
    const fetchImpl = fakeFetch((url, init) => {
      if (init.mode === "no-cors") return new Response(null, { status: 200 });
      throw new TypeError("Failed to fetch");
    });
    const result = await callApi(fetchImpl, BASE, "", "/v1/playbook", null, { origin: ORIGIN });
    assert.equal(result.kind, "blocked");
    assert.match(result.message, /bereikbaar, maar staat verzoeken vanaf chrome-extension:\/\/abcdefghijklmnop niet toe/);
    assert.match(result.message, /RESPONDER_CORS_ORIGINS/);
  });
  it("probe: false skips the probe", async () => {
    const fetchImpl = fakeFetch(() => {
      throw new TypeError("Failed to fetch");
    });
    const result = await callApi(fetchImpl, BASE, "", "/readyz", null, { probe: false });
    assert.equal(result.kind, "unreachable");
    assert.equal(fetchImpl.calls.length, 1);
  });
  it("no answer in time → unreachable/timeout, not a hang", async () => {
    const fetchImpl = fakeFetch(
      (url, init) =>
        new Promise((_, reject) => {
          init.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        }),
    );
    const result = await callApi(fetchImpl, BASE, "", "/v1/suggest", { text: "x" }, { timeoutMs: 20 });
    assert.equal(result.kind, "unreachable");
    assert.equal(result.code, "timeout");
    assert.match(result.message, /gaf binnen 0 seconden geen antwoord|gaf binnen \d+ seconden geen antwoord/);
  });
  it("401 missing_api_key → auth, pointing to the options", async () => {
    const fetchImpl = fakeFetch(() =>
      apiError(401, "missing_api_key", "Deze server vraagt een API-sleutel: stuur 'Authorization: Bearer <sleutel>'.", {
        "WWW-Authenticate": "Bearer",
      }),
    );
    const result = await callApi(fetchImpl, BASE, "", "/v1/suggest", { text: "x" });
    assert.equal(result.kind, "auth");
    assert.equal(result.code, "missing_api_key");
    assert.match(result.message, /vraagt een API-sleutel\. Vul hem in bij de opties/);
    assert.equal(describeError(result).action, "options");
  });
  it("401 invalid_api_key → auth, key wrong", async () => {
    const fetchImpl = fakeFetch(() => apiError(401, "invalid_api_key", "De API-sleutel is onbekend of ingetrokken."));
    const result = await callApi(fetchImpl, BASE, "fout", "/v1/suggest", { text: "x" });
    assert.equal(result.kind, "auth");
    assert.equal(result.code, "invalid_api_key");
    assert.match(result.message, /kent de API-sleutel niet, of hij is ingetrokken\. Open de opties en controleer de sleutel/);
    // on the options page itself the key field is right there: no "in de opties"
    const onOptions = describeError(result, { place: "options" });
    assert.match(onOptions.message, /Plak de sleutel hierboven opnieuw/);
    assert.doesNotMatch(onOptions.message, /opties/);
    assert.equal(onOptions.action, null);
  });
  it("429 with Retry-After → rate with the seconds", async () => {
    const fetchImpl = fakeFetch(() =>
      apiError(429, "rate_limited", "Te veel verzoeken: maximaal 1 per minuut. Probeer het over 42 seconden opnieuw.", {
        "Retry-After": "17",
      }),
    );
    const result = await callApi(fetchImpl, BASE, "", "/v1/suggest", { text: "x" });
    assert.equal(result.kind, "rate");
    assert.equal(result.retryAfter, 17);
    assert.match(result.message, /Wacht 17 seconden/);
  });
  it("429 whose Retry-After CORS hides → the seconds from the message", async () => {
    const fetchImpl = fakeFetch(() =>
      apiError(429, "rate_limited", "Te veel verzoeken: maximaal 1 per minuut. Probeer het over 42 seconden opnieuw."),
    );
    const result = await callApi(fetchImpl, BASE, "", "/v1/suggest", { text: "x" });
    assert.equal(result.retryAfter, 42);
    assert.match(result.message, /Wacht 42 seconden/);
  });
  it("429 without any number → wait about a minute", async () => {
    const fetchImpl = fakeFetch(() => new Response("Too Many Requests", { status: 429 }));
    const result = await callApi(fetchImpl, BASE, "", "/v1/suggest", { text: "x" });
    assert.equal(result.kind, "rate");
    assert.equal(result.retryAfter, null);
    assert.match(result.message, /ongeveer een minuut/);
  });
  it("422 → invalid with the API's own message and details", async () => {
    const fetchImpl = fakeFetch(() =>
      apiError(422, "validation_error", "Het verzoek klopt niet met het schema (zie details).", {}, [
        { field: "initials", message: "String should have at most 5 characters" },
      ]),
    );
    const result = await callApi(fetchImpl, BASE, "", "/v1/suggest", { text: "x" });
    assert.equal(result.kind, "invalid");
    assert.equal(result.status, 422);
    assert.equal(result.apiMessage, "Het verzoek klopt niet met het schema (zie details).");
    assert.equal(
      result.message,
      "Het verzoek klopt niet met het schema (zie details). (initials: String should have at most 5 characters)",
    );
  });
  it("422 invalid_input → exactly the API's Dutch message", async () => {
    const fetchImpl = fakeFetch(() => apiError(422, "invalid_input", "De tekst is leeg: geef de reactie op die beoordeeld moet worden."));
    const result = await callApi(fetchImpl, BASE, "", "/v1/suggest", { text: "\u200b" });
    assert.equal(result.message, "De tekst is leeg: geef de reactie op die beoordeeld moet worden.");
  });
  it("500 → server with the API's message", async () => {
    const fetchImpl = fakeFetch(() => apiError(500, "internal_error", "Er ging onverwacht iets mis; zie het serverlog."));
    const result = await callApi(fetchImpl, BASE, "", "/v1/suggest", { text: "x" });
    assert.equal(result.kind, "server");
    assert.equal(result.code, "internal_error");
    assert.equal(result.message, "Er ging onverwacht iets mis; zie het serverlog. (HTTP 500)");
  });
  it("503 /readyz body (not an error shape) → server, body kept", async () => {
    const body = { status: "loading", model: null, playbook_version: null, auth_required: false };
    const result = await callApi(fakeFetch(() => json(503, body)), BASE, "", "/readyz", null);
    assert.equal(result.kind, "server");
    assert.deepEqual(result.body, body);
    assert.match(result.message, /onverwachte fout \(HTTP 503\)/);
  });
  it("a 200 that is not JSON → not_json", async () => {
    const fetchImpl = fakeFetch(() => new Response("<html>hallo</html>", { status: 200, headers: { "content-type": "text/html" } }));
    const result = await callApi(fetchImpl, BASE, "", "/v1/playbook", null);
    assert.equal(result.ok, false);
    assert.equal(result.kind, "server");
    assert.equal(result.code, "not_json");
    assert.match(result.message, /geen JSON \(HTTP 200\)\. Is dit wel een responder-server\?/);
  });
  it("an empty 200 → not_json", async () => {
    const result = await callApi(fakeFetch(() => new Response("", { status: 200 })), BASE, "", "/readyz", null);
    assert.equal(result.code, "not_json");
  });
  it("a 404 HTML page → not_json", async () => {
    const fetchImpl = fakeFetch(() => new Response("<h1>Not Found</h1>", { status: 404 }));
    const result = await callApi(fetchImpl, BASE, "", "/v1/playbook", null);
    assert.equal(result.code, "not_json");
    assert.match(result.message, /Controleer het adres in de opties/);
  });
  it("a 502 proxy page → server error without explanation", async () => {
    const fetchImpl = fakeFetch(() => new Response("Bad Gateway", { status: 502 }));
    const result = await callApi(fetchImpl, BASE, "", "/v1/suggest", { text: "x" });
    assert.equal(result.kind, "server");
    assert.equal(result.code, "http_error");
    assert.match(result.message, /gaf een fout \(HTTP 502\) zonder uitleg/);
  });
  it("a body that breaks while reading → unreachable", async () => {
    const fetchImpl = fakeFetch(() => ({
      ok: true,
      status: 200,
      headers: new Headers(),
      text: () => Promise.reject(new TypeError("network error")),
    }));
    const result = await callApi(fetchImpl, BASE, "", "/v1/playbook", null);
    assert.equal(result.kind, "unreachable");
  });
  it("a 404 JSON error (unknown request) → invalid with the message", async () => {
    const fetchImpl = fakeFetch(() => apiError(404, "unknown_request", "Geen suggesties gevonden met request_id x."));
    const result = await callApi(fetchImpl, BASE, "", "/v1/feedback", { request_id: "x", action: "rejected" });
    assert.equal(result.kind, "invalid");
    assert.equal(result.message, "Geen suggesties gevonden met request_id x.");
  });
});

describe("describeError", () => {
  it("input problems: their own message, options for settings fields", () => {
    const info = describeError(new InputProblem("Vul het adres in.", "api"));
    assert.deepEqual(info, { title: "Controleer de invoer", message: "Vul het adres in.", action: "options" });
    assert.equal(describeError(new InputProblem("Te lang.", "text")).action, null);
  });
  it("each kind has a Dutch title and an action", () => {
    const cases = [
      [{ kind: "unreachable", code: "network" }, "Server niet bereikbaar", "options"],
      [{ kind: "unreachable", code: "timeout", timeoutMs: 30000 }, "Geen antwoord", "retry"],
      [{ kind: "blocked" }, "Verbinding geweigerd", "options"],
      [{ kind: "auth", code: "missing_api_key" }, "API-sleutel nodig", "options"],
      [{ kind: "auth", code: "invalid_api_key" }, "API-sleutel onjuist", "options"],
      [{ kind: "rate", retryAfter: 1 }, "Even wachten", "wait"],
      [{ kind: "invalid", status: 413 }, "Verzoek niet aangenomen", null],
      [{ kind: "server", status: 500 }, "Fout op de server", "retry"],
      [{ kind: "server", code: "not_json", status: 200 }, "Onverwacht antwoord", "options"],
    ];
    for (const [problem, title, action] of cases) {
      const info = describeError(problem, { baseUrl: BASE, origin: ORIGIN });
      assert.equal(info.title, title);
      assert.equal(info.action, action);
      assert.ok(info.message.length > 20, info.message);
    }
  });
  it("uses singular for one second and names the address", () => {
    assert.match(describeError({ kind: "rate", retryAfter: 1 }).message, /Wacht 1 seconde en/);
    assert.match(describeError({ kind: "unreachable" }, { baseUrl: "http://x:1" }).message, /op http:\/\/x:1\./);
  });
  it("an invalid request without a message says the status", () => {
    assert.equal(describeError({ kind: "invalid", status: 413 }).message, "De server weigerde het verzoek (HTTP 413).");
  });
});

describe("deadlineText", () => {
  it("is the API's own wording", () => {
    assert.equal(deadlineText(suggestExample.plan), "vandaag 17.29 uur");
    assert.equal(deadlineText({ deadline: "2026-11-26T08:00:00+01:00", deadline_text: "morgen 8.00 uur" }), "morgen 8.00 uur");
  });
  it("the raw time from a server without the text, nothing without a plan", () => {
    assert.equal(deadlineText({ deadline: "2026-11-25T17:29:39+01:00" }), "2026-11-25T17:29:39+01:00");
    assert.equal(deadlineText({ deadline: "2026-11-25T17:29:39+01:00", deadline_text: "" }), "2026-11-25T17:29:39+01:00");
    assert.equal(deadlineText(undefined), "");
    assert.equal(deadlineText({}), "");
  });
});

describe("formatTimeLeft", () => {
  const now = new Date("2026-11-25T10:00:00+01:00");
  it("minutes, hours, days ahead", () => {
    assert.equal(formatTimeLeft("2026-11-25T10:45:00+01:00", now), "nog 45 minuten");
    assert.equal(formatTimeLeft("2026-11-25T10:01:00+01:00", now), "nog 1 minuut");
    assert.equal(formatTimeLeft("2026-11-25T12:05:00+01:00", now), "nog 2 uur en 5 minuten");
    assert.equal(formatTimeLeft("2026-11-25T13:00:00+01:00", now), "nog 3 uur");
    assert.equal(formatTimeLeft("2026-11-29T10:00:00+01:00", now), "nog 4 dagen");
  });
  it("past the deadline", () => {
    assert.equal(formatTimeLeft("2026-11-25T09:48:00+01:00", now), "12 minuten over tijd");
  });
  it("nothing for nonsense", () => {
    assert.equal(formatTimeLeft("ooit", now), "");
  });
});

describe("priorityClass", () => {
  it("maps P1–P4", () => {
    assert.equal(priorityClass("P1"), "prio-p1");
    assert.equal(priorityClass("p4"), "prio-p4");
  });
  it("and anything else", () => {
    assert.equal(priorityClass("P9"), "prio-onbekend");
    assert.equal(priorityClass(undefined), "prio-onbekend");
    assert.equal(priorityClass('P1" onclick="x'), "prio-onbekend");
  });
});

describe("labelName", () => {
  it("names labels in Dutch from the playbook's table", () => {
    assert.equal(labelName(names, "sentiment", "negative"), "negatief");
    assert.equal(labelName(names, "intent", "complaint"), "klacht");
    assert.equal(labelName(names, "topic", "delivery"), "bezorging");
    assert.equal(labelName(names, "topic", "billing"), names.labels.topic.billing);
    assert.equal(labelName(names, "flags", "legal_threat"), "juridische dreiging");
    assert.equal(labelName(names, "register", "u"), "u-vorm");
  });
  it("keeps unknown labels, and every label without a table", () => {
    assert.equal(labelName(names, "topic", "ruimtevaart"), "ruimtevaart");
    assert.equal(labelName(names, "nope", "x"), "x");
    assert.equal(labelName(null, "topic", "delivery"), "delivery");
    assert.equal(labelName(undefined, "flags", "legal_threat"), "legal_threat");
    assert.equal(labelName({ labels: { topic: { delivery: 7 } } }, "topic", "delivery"), "delivery");
  });
});

describe("headName", () => {
  it("names the triage heads", () => {
    assert.equal(headName(names, "intent"), "soort reactie");
    assert.equal(headName(names, "topic"), "onderwerp");
    assert.equal(headName(names, "register"), "aanspreekvorm");
  });
  it("raw without a name", () => {
    assert.equal(headName(names, "nieuw"), "nieuw");
    assert.equal(headName(null, "topic"), "topic");
  });
});

describe("formatPercent", () => {
  it("rounds", () => {
    assert.equal(formatPercent(0.8), "80%");
    assert.equal(formatPercent(0.999), ">99%"); // never certainty that is not there
    assert.equal(formatPercent(0.995), ">99%");
    assert.equal(formatPercent(1), "100%");
    assert.equal(formatPercent(0.004), "<1%");
    assert.equal(formatPercent(0), "0%");
    assert.equal(formatPercent(0.054), "5%");
    assert.equal(formatPercent(undefined), "");
  });
});

describe("otherTeamPosts", () => {
  it("follows plan.posted_by.own_team; an older server without it: webcare posts", () => {
    assert.equal(otherTeamPosts({ posted_by: { team: "woordvoering", own_team: false } }), true);
    assert.equal(otherTeamPosts({ posted_by: { team: "webcare", own_team: true } }), false);
    assert.equal(otherTeamPosts({}), false);
    assert.equal(otherTeamPosts(undefined), false);
  });
});

describe("shortTeamName", () => {
  it("drops the part in brackets", () => {
    assert.equal(shortTeamName("Woordvoering (afdeling Communicatie)"), "Woordvoering");
    assert.equal(shortTeamName("Juridische zaken"), "Juridische zaken");
    assert.equal(shortTeamName(undefined), "");
  });
});

describe("copyLabel", () => {
  it("says for whom when another team posts", () => {
    const media = { posted_by: { team: "woordvoering", name: "Woordvoering (afdeling Communicatie)", own_team: false } };
    assert.equal(copyLabel(media), "Kopieer voor Woordvoering");
    assert.equal(copyLabel({ posted_by: { team: "webcare", name: "Webcareteam", own_team: true } }), "Kopiëren");
    assert.equal(copyLabel({}), "Kopiëren");
  });
});

describe("noReplyNote", () => {
  it("never tells the agent not to answer a comment left to them, never a raw action", () => {
    const manual = noReplyNote({ respond: false, action: "manual", action_name: "zelf beoordelen" });
    assert.match(manual, /schrijf zo nodig zelf een antwoord/);
    assert.doesNotMatch(manual, /niet inhoudelijk|manual/);
    assert.equal(noReplyNote({ respond: false, action: "hide", action_name: "verbergen, niet reageren" }), "Volgens het draaiboek: verbergen, niet reageren.");
    assert.equal(
      noReplyNote({ respond: false, action: "report" }, { actions: { report: "rapporteren (tabel)" } }),
      "Volgens het draaiboek: rapporteren (tabel).",
    );
    assert.doesNotMatch(noReplyNote({ respond: false, action: "report" }), /report/);
    assert.equal(noReplyNote({ respond: true, action: "respond" }), null);
  });
});

describe("buildCheckRequest", () => {
  it("sends the comment's context as it was asked", () => {
    assert.deepEqual(buildCheckRequest({ comment: " Waar? ", reply: "Hallo ^AB", channel: "x", private: true, postedAt: "2026-11-30T10:00:00Z", labels: { flags: [] } }), {
      comment: "Waar?",
      reply: "Hallo ^AB",
      channel: "x",
      private: true,
      posted_at: "2026-11-30T10:00:00Z",
      labels: { flags: [] },
    });
    assert.deepEqual(buildCheckRequest({ comment: "Waar?", reply: "Hallo" }), { comment: "Waar?", reply: "Hallo" });
  });
});

describe("correctionLabels", () => {
  it("only the heads set, flags as a sorted set (empty clears them)", () => {
    assert.deepEqual(correctionLabels({ sentiment: "negative", intent: "", topic: "delivery", flags: ["media_threat", "abuse", "abuse"] }), {
      sentiment: "negative",
      topic: "delivery",
      flags: ["abuse", "media_threat"],
    });
    assert.deepEqual(correctionLabels({}), { flags: [] });
  });
});

describe("outcomeText", () => {
  it("says what was recorded, in the API's words", () => {
    const names = { feedback: { used: "gebruikt (API)", edited: "aangepast (API)" } };
    assert.equal(outcomeText({ action: "edited", rank: 1, copied: true }, names), "Gekopieerd en vastgelegd als aangepast (API) (voorstel 1).");
    assert.equal(outcomeText({ action: "used", rank: 2, copied: true, handedTo: "Woordvoering" }, names), "Gekopieerd en vastgelegd als gebruikt (API) (voorstel 2). Geef het door aan Woordvoering.");
    assert.equal(outcomeText({ action: "rejected", rank: 1 }, null), "Vastgelegd als rejected (voorstel 1).");
  });
});

describe("missingEndpoint", () => {
  it("404 or 405 from an older server, not an unknown request", () => {
    assert.equal(missingEndpoint({ ok: false, status: 404, code: "not_found" }), true);
    assert.equal(missingEndpoint({ ok: false, status: 405 }), true);
    assert.equal(missingEndpoint({ ok: false, status: 404, code: "unknown_request" }), false);
    assert.equal(missingEndpoint({ ok: true, status: 200 }), false);
  });
});

describe("summariseTriage", () => {
  it("summarises the example in Dutch", () => {
    const s = summariseTriage(suggestExample.triage, names);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.value, r.probability, r.unsure]),
      [
        ["sentiment", "negatief", "80%", false],
        ["soort reactie", "klacht", "60%", false],
        ["onderwerp", "bezorging", "30%", true],
        ["aanspreekvorm", "u-vorm", "", false],
      ],
    );
    assert.deepEqual(s.flags, [{ name: "juridische dreiging", probability: "90%" }]);
    assert.deepEqual(s.unsure, ["onderwerp"]);
    assert.deepEqual(s.notes, []);
  });
  it("uses the name the API gave each label", () => {
    const triage = structuredClone(suggestExample.triage);
    triage.topic.name = "pakketbezorging";
    triage.flags[0].name = "dreigt met advocaat";
    const s = summariseTriage(triage, names);
    assert.equal(s.rows[2].value, "pakketbezorging");
    assert.equal(s.flags[0].name, "dreigt met advocaat");
  });
  it("without the playbook's table: the labels' own names, the heads raw", () => {
    const s = summariseTriage(suggestExample.triage);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.value]),
      [
        ["sentiment", "negatief"],
        ["intent", "klacht"],
        ["topic", "bezorging"],
        ["register", "u-vorm"],
      ],
    );
    assert.deepEqual(s.unsure, ["topic"]);
  });
  it("the raw label when a name is missing everywhere", () => {
    const s = summariseTriage({ topic: { label: "ruimtevaart", probability: 0.5 }, flags: [{ label: "nieuw", probability: 0.7 }] }, names);
    assert.equal(s.rows[0].value, "ruimtevaart");
    assert.equal(s.flags[0].name, "nieuw");
  });
  it("mentions a comment that is not Dutch", () => {
    const s = summariseTriage({ language: { label: "en", is_dutch: false }, notes: ["Niet Nederlands."] }, names);
    assert.deepEqual(s.rows, [{ name: "taal", value: "niet Nederlands (en)", probability: "", unsure: false }]);
    assert.deepEqual(s.notes, ["Niet Nederlands."]);
  });
  it("copes with nothing", () => {
    assert.deepEqual(summariseTriage(undefined), { rows: [], flags: [], unsure: [], notes: [] });
  });
});

describe("postedName", () => {
  it("public or DM, from the playbook's table", () => {
    assert.equal(postedName(names, "public"), names.posted.public);
    assert.equal(postedName(names, "private"), names.posted.private);
    assert.match(postedName(names, "private"), /DM/);
  });
  it("raw without a name", () => {
    assert.equal(postedName(null, "public"), "public");
    assert.equal(postedName(names, "ergens"), "ergens");
  });
});

describe("channelOptions", () => {
  it("lists the playbook's channels, default first, with their limit", () => {
    const options = channelOptions(playbookExample);
    assert.equal(options[0].value, "facebook");
    assert.equal(options.length, playbookExample.channels.length);
    assert.deepEqual(
      options.find((o) => o.value === "x"),
      { value: "x", label: "X (max. 280 tekens)" },
    );
    const moved = channelOptions({ ...playbookExample, default_channel: "x" });
    assert.equal(moved[0].value, "x");
    assert.equal(moved.length, playbookExample.channels.length);
  });
  it("nothing without a playbook", () => {
    assert.deepEqual(channelOptions(null), []);
  });
});

describe("guessChannel", () => {
  const ids = ["facebook", "instagram", "x", "linkedin", "tiktok", "reviews"];
  it("from the page address", () => {
    assert.equal(guessChannel("https://x.com/voorbeeld/status/1", ids), "x");
    assert.equal(guessChannel("https://mobile.twitter.com/a", ids), "x");
    assert.equal(guessChannel("https://www.facebook.com/voorbeeld", ids), "facebook");
    assert.equal(guessChannel("https://www.instagram.com/p/1", ids), "instagram");
    assert.equal(guessChannel("https://nl.linkedin.com/feed", ids), "linkedin");
    assert.equal(guessChannel("https://www.tiktok.com/@a", ids), "tiktok");
    assert.equal(guessChannel("https://nl.trustpilot.com/review/x", ids), "reviews");
  });
  it("not for unknown pages or channels the playbook lacks", () => {
    assert.equal(guessChannel("https://example.nl", ids), null);
    assert.equal(guessChannel("https://notx.com", ids), null);
    assert.equal(guessChannel("https://x.com", ["facebook"]), null);
    assert.equal(guessChannel("", ids), null);
  });
});

describe("pickChannel", () => {
  const available = ["facebook", "x"];
  it("requested, then guessed, then saved, then the playbook's default", () => {
    assert.equal(pickChannel({ requested: "x", guessed: "facebook", available }), "x");
    assert.equal(pickChannel({ requested: "nope", guessed: "x", saved: "facebook", available }), "x");
    assert.equal(pickChannel({ saved: "x", playbookDefault: "facebook", available }), "x");
    assert.equal(pickChannel({ saved: "gone", playbookDefault: "facebook", available }), "facebook");
    assert.equal(pickChannel({ available }), "facebook");
    assert.equal(pickChannel({}), "");
  });
});

describe("failedGuardrails", () => {
  it("only the failed ones", () => {
    const s = {
      guardrails: [
        { name: "length", passed: false, message: "300 van maximaal 280 tekens." },
        { name: "dutch", passed: true, message: "Nederlands." },
      ],
    };
    assert.deepEqual(failedGuardrails(s).map((g) => g.name), ["length"]);
    assert.deepEqual(failedGuardrails(suggestExample.suggestions[0]), []);
    assert.deepEqual(failedGuardrails(undefined), []);
  });
});

describe("suggestionMeta", () => {
  it("channel, register, length against the limit, source", () => {
    const s = suggestExample.suggestions[0];
    const channels = playbookExample.channels;
    assert.equal(suggestionMeta(s, channels, s.text, names), "X · u-vorm · 144 van 280 tekens · uit het draaiboek");
    assert.equal(suggestionMeta(s, channels, "kort", names), "X · u-vorm · 4 van 280 tekens · uit het draaiboek");
    assert.equal(suggestionMeta({ ...s, source: "" }, [], undefined, names), "x · u-vorm · 144 tekens");
  });
  it("raw register and source without the playbook's names", () => {
    const s = suggestExample.suggestions[0];
    assert.equal(suggestionMeta(s, playbookExample.channels), "X · u · 144 van 280 tekens · uit het playbook");
  });
});

describe("overChannelLimit", () => {
  it("compares with the channel's max", () => {
    assert.equal(overChannelLimit("a".repeat(280), "x", playbookExample.channels), false);
    assert.equal(overChannelLimit("a".repeat(281), "x", playbookExample.channels), true);
    assert.equal(overChannelLimit("a".repeat(9999), "onbekend", playbookExample.channels), false);
  });
});

describe("usedAction", () => {
  it("edited only when the text changed", () => {
    assert.equal(usedAction("Hallo!", "Hallo!"), "used");
    assert.equal(usedAction("Hallo!", " Hallo! \n"), "used");
    assert.equal(usedAction("Hallo!", "Hallo Noor!"), "edited");
  });
});

describe("readQueryConfig", () => {
  it("reads what is there", () => {
    const q = readQueryConfig("?api=http%3A%2F%2F127.0.0.1%3A9&key=k&text=%3Cb%3Ehoi%3C%2Fb%3E&channel=x&initials=AB&author=Noor&page=https%3A%2F%2Fx.com&auto=1");
    assert.deepEqual(q, {
      apiUrl: "http://127.0.0.1:9",
      apiKey: "k",
      text: "<b>hoi</b>",
      channel: "x",
      initials: "AB",
      authorName: "Noor",
      pageUrl: "https://x.com",
      auto: true,
    });
  });
  it("nothing when empty; auto=0 is off", () => {
    assert.deepEqual(readQueryConfig(""), {});
    assert.deepEqual(readQueryConfig(undefined), {});
    assert.deepEqual(readQueryConfig("auto=0"), { auto: false });
  });
});

describe("describeReady", () => {
  it("ready: model and playbook version", () => {
    assert.equal(
      describeReady({ status: "ready", model: "models/triage", playbook_version: "2026.11.2", auth_required: false }, BASE),
      "Bereikbaar op http://127.0.0.1:8000: model models/triage, draaiboek 2026.11.2.",
    );
  });
  it("loading and error", () => {
    assert.match(describeReady({ status: "loading" }, BASE), /wordt nog geladen/);
    assert.match(describeReady({ status: "error" }, BASE), /kon niet laden/);
    assert.equal(describeReady(null, BASE), "Bereikbaar op http://127.0.0.1:8000.");
  });
});

describe("constants", () => {
  it("match the API's defaults", () => {
    assert.equal(DEFAULT_BASE_URL, "http://127.0.0.1:8000");
    assert.equal(MAX_TEXT_CHARS, 5000);
  });
});

describe("coverage of lib/api.js", () => {
  it("every exported function has a describe block here", () => {
    const source = readFileSync(new URL(import.meta.url), "utf8");
    const functions = Object.entries(api)
      .filter(([, value]) => typeof value === "function" && !/^class\s/.test(Function.prototype.toString.call(value)))
      .map(([name]) => name);
    assert.ok(functions.length > 20);
    const missing = functions.filter((name) => !source.includes(`describe("${name}"`));
    assert.deepEqual(missing, []);
  });
});

describe("no Dutch name tables in the clients", () => {
  // The names live once, in responder/names.py; the API sends them (label `name`s,
  // plan.deadline_text, GET /v1/playbook's `names`). A copy here would drift from it.
  const files = ["../lib/api.js", "../popup.js", "../options.js", "../background.js", "../../responder/api/static/app.js"];
  const forbidden = [
    "factuur en betaling",
    "juridische dreiging",
    "grensoverschrijdend gedrag",
    "overstapdreiging",
    "account en privacy",
    "soort reactie",
    "u-vorm",
    "privébericht",
    "draaiboek\"",
    "gisteren",
    "november",
    "woensdag",
  ];
  for (const file of files) {
    it(`${file.replace(/^(\.\.\/)+/, "")} has none`, () => {
      const source = readFileSync(new URL(file, import.meta.url), "utf8");
      const found = forbidden.filter((word) => source.includes(word));
      assert.deepEqual(found, []);
    });
  }
});
