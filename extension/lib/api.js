// The extension's logic as pure functions: no chrome.*, no DOM. popup.js and options.js use
// these; test/api.test.mjs tests every one of them with node's built-in test runner.

export const DEFAULT_BASE_URL = "http://127.0.0.1:8000";
export const MAX_TEXT_CHARS = 5000; // the API's default RESPONDER_MAX_TEXT_CHARS
export const MAX_INITIALS = 5;
export const MAX_AUTHOR_NAME = 100;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const FEEDBACK_ACTIONS = ["used", "edited", "rejected"];

/** A problem with what the user typed; `message` is Dutch and shown as is. */
export class InputProblem extends Error {
  constructor(message, field = null) {
    super(message);
    this.name = "InputProblem";
    this.field = field;
  }
}

// --- addresses and keys -------------------------------------------------------------------

function isLoopbackHost(hostname) {
  const host = hostname.toLowerCase();
  return (
    host === "localhost" ||
    host === "[::1]" ||
    host === "::1" ||
    /^127(\.\d{1,3}){3}$/.test(host)
  );
}

/**
 * The API's base URL in one form: scheme, host, port and path, without a trailing slash.
 * "localhost:8000" gets http://, another host without a scheme gets https://.
 * Throws an InputProblem (Dutch) for an empty, malformed or non-http(s) address.
 */
export function normaliseBaseUrl(url) {
  const raw = typeof url === "string" ? url.trim() : "";
  if (!raw) {
    throw new InputProblem(
      `Vul het adres van de responder-server in, bijvoorbeeld ${DEFAULT_BASE_URL}.`,
      "api",
    );
  }
  let text = raw;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (/^[a-z][a-z0-9+.-]*:(?!\d)/i.test(text)) {
      // "ftp:x", "javascript:alert(1)": a scheme, but not one we speak
      throw new InputProblem(
        `Gebruik een adres dat met http:// of https:// begint (niet '${raw}').`,
        "api",
      );
    }
    const host = text.startsWith("[") ? text.slice(0, text.indexOf("]") + 1) : text.split(/[/:?#]/)[0];
    text = (isLoopbackHost(host) ? "http://" : "https://") + text;
  }
  let parsed;
  try {
    parsed = new URL(text);
  } catch {
    throw new InputProblem(`'${raw}' is geen geldig adres. Voorbeeld: ${DEFAULT_BASE_URL}.`, "api");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new InputProblem(
      `Gebruik een adres dat met http:// of https:// begint (niet ${parsed.protocol}//).`,
      "api",
    );
  }
  if (!parsed.hostname) {
    throw new InputProblem(`'${raw}' is geen geldig adres. Voorbeeld: ${DEFAULT_BASE_URL}.`, "api");
  }
  if (parsed.username || parsed.password) {
    throw new InputProblem(
      "Zet geen gebruikersnaam of wachtwoord in het adres; de extensie gebruikt de API-sleutel.",
      "api",
    );
  }
  const path = parsed.pathname.replace(/\/+$/, "");
  return `${parsed.protocol}//${parsed.host}${path}`;
}

/** True when the address points at this computer (localhost, 127.x.x.x, [::1]). */
export function isLoopbackUrl(url) {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * The host permissions the extension must ask for to reach this API without CORS: none for
 * http://127.0.0.1 and http://localhost (in the manifest), otherwise one pattern for the host
 * (all ports), e.g. ["https://webcare.example.nl/*"].
 */
export function permissionOrigins(baseUrl) {
  const u = new URL(baseUrl);
  if (u.protocol === "http:" && (u.hostname === "127.0.0.1" || u.hostname === "localhost")) {
    return [];
  }
  return [`${u.protocol}//${u.hostname}/*`];
}

/**
 * The API key as it goes into the Authorization header: trimmed, without a pasted "Bearer ".
 * Empty stays empty (the server may not need one). Throws for spaces or non-ASCII characters,
 * which the browser would refuse to send at all.
 */
export function normaliseApiKey(key) {
  let text = typeof key === "string" ? key.trim() : "";
  text = text.replace(/^bearer\s+/i, "");
  if (text && !/^[\x21-\x7e]+$/.test(text)) {
    throw new InputProblem(
      "De API-sleutel bevat spaties of tekens die niet in een sleutel horen. Plak hem opnieuw, " +
        "precies zoals `responder keys create` hem liet zien.",
      "key",
    );
  }
  return text;
}

/** Initials as the API takes them (at most 5 characters); empty stays empty. */
export function normaliseInitials(initials) {
  const text = typeof initials === "string" ? initials.trim() : "";
  const n = countChars(text);
  if (n > MAX_INITIALS) {
    throw new InputProblem(
      `Initialen zijn maximaal ${MAX_INITIALS} tekens (nu ${n}), bijvoorbeeld AB.`,
      "initials",
    );
  }
  return text;
}

/** Characters as the server counts them (code points, not UTF-16 units). */
export function countChars(text) {
  return [...(text ?? "")].length;
}

// --- request bodies -----------------------------------------------------------------------

/** The body of POST /v1/suggest; throws an InputProblem (Dutch) for what the API would refuse. */
export function buildSuggestRequest({
  text,
  channel,
  initials,
  authorName,
  postedAt,
  private: isPrivate,
} = {}) {
  const clean = typeof text === "string" ? text.trim() : "";
  if (!clean) {
    throw new InputProblem(
      "Er is nog geen reactie. Selecteer een reactie op de pagina of plak hem in het tekstvak.",
      "text",
    );
  }
  const n = countChars(clean);
  if (n > MAX_TEXT_CHARS) {
    throw new InputProblem(
      `De reactie is te lang: ${n} tekens, maximaal ${MAX_TEXT_CHARS}. ` +
        "Kort hem in tot het deel waarop u wilt reageren.",
      "text",
    );
  }
  const body = { text: clean };
  const ch = typeof channel === "string" ? channel.trim() : "";
  if (ch) body.channel = ch;
  const ini = normaliseInitials(initials);
  if (ini) body.initials = ini;
  const author = typeof authorName === "string" ? authorName.trim() : "";
  if (author) {
    if (countChars(author) > MAX_AUTHOR_NAME) {
      throw new InputProblem(
        `De naam van de schrijver is te lang (maximaal ${MAX_AUTHOR_NAME} tekens).`,
        "author",
      );
    }
    body.author_name = author;
  }
  if (postedAt) {
    const when = postedAt instanceof Date ? postedAt : new Date(postedAt);
    if (Number.isNaN(when.getTime())) {
      throw new InputProblem("Het tijdstip van de reactie is geen geldige datum.", "posted_at");
    }
    body.posted_at = when.toISOString();
  }
  if (isPrivate) body.private = true;
  return body;
}

/** The body of POST /v1/feedback; checks what the API checks, with the same Dutch wording. */
export function buildFeedbackRequest({ requestId, action, rank, finalText } = {}) {
  if (typeof requestId !== "string" || requestId.length < 8) {
    throw new InputProblem("Er is geen verzoek om feedback op te geven; vraag eerst suggesties op.");
  }
  if (!FEEDBACK_ACTIONS.includes(action)) {
    throw new InputProblem(`Onbekende feedback '${action}'; kies used, edited of rejected.`);
  }
  const body = { request_id: requestId, action };
  if (rank !== undefined && rank !== null) {
    if (!Number.isInteger(rank) || rank < 1 || rank > 20) {
      throw new InputProblem(`Suggestie ${rank} bestaat niet.`);
    }
    body.rank = rank;
  } else if (action !== "rejected") {
    throw new InputProblem("Geef aan welke suggestie is gebruikt.");
  }
  if (action === "edited") {
    const text = typeof finalText === "string" ? finalText.trim() : "";
    if (!text) throw new InputProblem("Geef bij een aangepaste suggestie de geplaatste tekst mee.");
    body.final_text = text;
  }
  return body;
}

// --- calling the API ----------------------------------------------------------------------

/**
 * Seconds to wait from a Retry-After header (seconds or an HTTP date), at least 1;
 * null when absent or unreadable.
 */
export function parseRetryAfter(value, now = new Date()) {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Math.max(1, Number.parseInt(text, 10));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(1, Math.ceil((at - now.getTime()) / 1000));
}

/** Seconds named in the API's Dutch 429 message ("… over 12 seconden opnieuw."), or null. */
function secondsFromMessage(message) {
  const m = /(\d+)\s+seconde/.exec(message ?? "");
  return m ? Number.parseInt(m[1], 10) : null;
}

function kindForStatus(status) {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate";
  if (status >= 500) return "server";
  return "invalid";
}

function failure(fields, baseUrl, origin) {
  const result = {
    ok: false,
    kind: fields.kind,
    code: fields.code ?? null,
    status: fields.status ?? null,
    apiMessage: fields.apiMessage ?? null,
    details: fields.details ?? [],
    retryAfter: fields.retryAfter ?? null,
    body: fields.body ?? null,
    timeoutMs: fields.timeoutMs ?? null,
    message: "",
  };
  result.message = describeError(result, { baseUrl, origin }).message;
  return result;
}

/**
 * Call the responder API. Never throws: resolves to {ok: true, status, data} or to
 * {ok: false, kind, code, status, message, apiMessage, details, retryAfter, body} where kind is
 * "unreachable" (no answer, or no answer in time: code "timeout"), "blocked" (the server
 * answers but the browser refuses: CORS), "auth" (401/403), "rate" (429), "invalid" (other 4xx)
 * or "server" (5xx, or an answer that is not JSON: code "not_json"). `message` is Dutch.
 *
 * fetchImpl is fetch (or a fake in tests); body null/undefined means GET, otherwise a JSON POST.
 */
export async function callApi(fetchImpl, baseUrl, key, path, body, options = {}) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const origin = options.origin ?? globalThis.location?.origin ?? null;
  const hasBody = body !== undefined && body !== null;
  const headers = { Accept: "application/json" };
  if (hasBody) headers["Content-Type"] = "application/json";
  if (key) headers.Authorization = `Bearer ${key}`;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    let response;
    try {
      response = await fetchImpl(baseUrl + path, {
        method: options.method ?? (hasBody ? "POST" : "GET"),
        headers,
        body: hasBody ? JSON.stringify(body) : undefined,
        signal: controller.signal,
        cache: "no-store",
        credentials: "omit",
      });
    } catch {
      if (timedOut) return failure({ kind: "unreachable", code: "timeout", timeoutMs }, baseUrl, origin);
      // fetch only says "Failed to fetch": find out whether the server is there at all.
      const blocked = options.probe !== false && (await answersOpaque(fetchImpl, baseUrl));
      return failure(
        blocked ? { kind: "blocked", code: "cors" } : { kind: "unreachable", code: "network" },
        baseUrl,
        origin,
      );
    }
    let raw;
    try {
      raw = await response.text();
    } catch {
      const code = timedOut ? "timeout" : "network";
      return failure({ kind: "unreachable", code, status: response.status, timeoutMs }, baseUrl, origin);
    }
    let data;
    try {
      data = raw ? JSON.parse(raw) : null;
    } catch {
      data = undefined;
    }
    if (response.ok) {
      if (data === undefined || data === null) {
        return failure({ kind: "server", code: "not_json", status: response.status }, baseUrl, origin);
      }
      return { ok: true, status: response.status, data };
    }
    if (data === undefined) {
      // Not the API's JSON: a proxy, another server, or a crash page.
      const status = response.status;
      if (status === 429) {
        const retryAfter = parseRetryAfter(response.headers?.get?.("Retry-After"));
        return failure({ kind: "rate", code: "not_json", status, retryAfter }, baseUrl, origin);
      }
      const code = status >= 500 ? "http_error" : "not_json";
      return failure({ kind: "server", code, status }, baseUrl, origin);
    }
    const error = data && typeof data === "object" && data.error && typeof data.error === "object" ? data.error : null;
    const apiMessage = error && typeof error.message === "string" ? error.message : null;
    const kind = kindForStatus(response.status);
    let retryAfter = null;
    if (kind === "rate") {
      // Retry-After is only readable cross-origin when the server exposes it; the message has it too.
      retryAfter = parseRetryAfter(response.headers?.get?.("Retry-After")) ?? secondsFromMessage(apiMessage);
    }
    return failure(
      {
        kind,
        code: error && typeof error.code === "string" ? error.code : null,
        status: response.status,
        apiMessage,
        details: error && Array.isArray(error.details) ? error.details : [],
        retryAfter,
        body: data,
      },
      baseUrl,
      origin,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the server answers a no-cors request: then a failed fetch was CORS, not the network. */
async function answersOpaque(fetchImpl, baseUrl) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    await fetchImpl(`${baseUrl}/healthz`, {
      mode: "no-cors",
      cache: "no-store",
      credentials: "omit",
      signal: controller.signal,
    });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What to tell the user about a failed call (or an InputProblem): {title, message, action}
 * where action is "options" (open the options), "wait" (retry after `retryAfter` seconds),
 * "retry" or null. All text Dutch.
 */
export function describeError(problem, { baseUrl = "", origin = null, place = "popup" } = {}) {
  if (problem instanceof InputProblem) {
    return {
      title: "Controleer de invoer",
      message: problem.message,
      action: ["api", "key", "initials"].includes(problem.field) ? "options" : null,
    };
  }
  const where = baseUrl || "het ingestelde adres";
  const here = place === "options" ? "hierboven" : "in de opties";
  const api = problem.apiMessage;
  switch (problem.kind) {
    case "unreachable":
      if (problem.code === "timeout") {
        const s = Math.round((problem.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000);
        return {
          title: "Geen antwoord",
          message:
            `De responder-server op ${where} gaf binnen ${s} seconden geen antwoord. ` +
            "Probeer het zo opnieuw; gebeurt dit vaker, kijk dan in het serverlog.",
          action: "retry",
        };
      }
      return {
        title: "Server niet bereikbaar",
        message: `De responder-server is niet bereikbaar op ${where}. Staat hij aan? Klopt het adres ${here}?`,
        action: "options",
      };
    case "blocked": {
      const from = origin || "deze pagina";
      return {
        title: "Verbinding geweigerd",
        message:
          `De responder-server op ${where} is bereikbaar, maar staat verzoeken vanaf ${from} niet toe. ` +
          `Zet ${from} in RESPONDER_CORS_ORIGINS op de server, of geef de extensie ${place === "options" ? "toegang tot dit adres door het hierboven op te slaan" : "in de opties toegang tot dit adres"}.`,
        action: "options",
      };
    }
    case "auth":
      // On the options page the key field is right there: say so, not "in the options".
      if (problem.code === "missing_api_key") {
        return {
          title: "API-sleutel nodig",
          message:
            place === "options"
              ? "Deze server vraagt een API-sleutel. Vul hem hierboven in en sla op; " +
                "een beheerder maakt er een met `responder keys create NAAM`."
              : "Deze server vraagt een API-sleutel. Vul hem in bij de opties van de extensie; " +
                "een beheerder maakt er een met `responder keys create NAAM`.",
          action: place === "options" ? null : "options",
        };
      }
      return {
        title: "API-sleutel onjuist",
        message:
          place === "options"
            ? "De server kent deze API-sleutel niet, of hij is ingetrokken. Plak de sleutel " +
              "hierboven opnieuw, precies zoals u hem kreeg, of vraag de beheerder om een nieuwe."
            : "De server kent de API-sleutel niet, of hij is ingetrokken. Open de opties en " +
              "controleer de sleutel, of vraag de beheerder om een nieuwe.",
        action: place === "options" ? null : "options",
      };
    case "rate":
      return {
        title: "Even wachten",
        message: problem.retryAfter
          ? `Te veel verzoeken achter elkaar. Wacht ${problem.retryAfter} ${problem.retryAfter === 1 ? "seconde" : "seconden"} en probeer het dan opnieuw.`
          : "Te veel verzoeken achter elkaar. Wacht ongeveer een minuut en probeer het dan opnieuw.",
        action: "wait",
      };
    case "invalid": {
      const details = (problem.details ?? [])
        .filter((d) => d && d.message)
        .map((d) => (d.field ? `${d.field}: ${d.message}` : d.message));
      const text = api ?? `De server weigerde het verzoek (HTTP ${problem.status}).`;
      return {
        title: "Verzoek niet aangenomen",
        message: details.length ? `${text} (${details.join("; ")})` : text,
        action: null,
      };
    }
    default:
      if (problem.code === "not_json") {
        return {
          title: "Onverwacht antwoord",
          message:
            `Het antwoord van ${where} is geen JSON (HTTP ${problem.status}). ` +
            `Is dit wel een responder-server? Controleer het adres ${here}.`,
          action: "options",
        };
      }
      if (problem.code === "http_error") {
        return {
          title: "Fout op de server",
          message:
            `De server op ${where} gaf een fout (HTTP ${problem.status}) zonder uitleg. ` +
            "Probeer het zo opnieuw; gebeurt dit vaker, kijk dan in het serverlog.",
          action: "retry",
        };
      }
      return {
        title: "Fout op de server",
        message: api
          ? `${api} (HTTP ${problem.status})`
          : `De server gaf een onverwachte fout (HTTP ${problem.status}). Probeer het zo opnieuw.`,
        action: "retry",
      };
  }
}

// --- showing the answer -------------------------------------------------------------------

/**
 * The deadline as the API words it (plan.deadline_text, e.g. "vandaag 14.00 uur", relative to
 * when the comment came in); the raw ISO time when an older server sends no text.
 */
export function deadlineText(plan) {
  if (typeof plan?.deadline_text === "string" && plan.deadline_text) return plan.deadline_text;
  return typeof plan?.deadline === "string" ? plan.deadline : "";
}

/** How long until the deadline: "nog 45 minuten", "nog 2 uur en 5 minuten", "12 minuten over tijd". */
export function formatTimeLeft(iso, now = new Date()) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  const ms = at - now.getTime();
  const minutes = Math.round(Math.abs(ms) / 60_000);
  let span;
  if (minutes < 60) span = `${minutes} ${minutes === 1 ? "minuut" : "minuten"}`;
  else if (minutes < 48 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    span = m ? `${h} uur en ${m} ${m === 1 ? "minuut" : "minuten"}` : `${h} uur`;
  } else {
    const days = Math.round(minutes / (24 * 60));
    span = `${days} dagen`;
  }
  return ms >= 0 ? `nog ${span}` : `${span} over tijd`;
}

/** The CSS class for a priority: "prio-p1" … "prio-p4", "prio-onbekend" otherwise. */
export function priorityClass(priority) {
  const m = /^P([1-4])$/i.exec(typeof priority === "string" ? priority.trim() : "");
  return m ? `prio-p${m[1]}` : "prio-onbekend";
}

// Every Dutch name comes from the API: each label of a triage has its own `name`, and
// GET /v1/playbook has the tables (`names`: labels per head, heads, posted, sources, …) for the
// rest. A name that is missing is shown as the raw label.

function lookup(table, key) {
  const name = table && typeof table === "object" ? table[key] : undefined;
  return typeof name === "string" && name ? name : key;
}

/**
 * The Dutch name of a label from the playbook's `names` table (names.labels.topic.delivery for
 * labelName(names, "topic", "delivery")); unknown ones (or no table) as is.
 */
export function labelName(names, head, label) {
  return lookup(names?.labels?.[head], label);
}

/** The Dutch name of a triage head (headName(names, "intent")) from the playbook's table. */
export function headName(names, head) {
  return lookup(names?.heads, head);
}

/** The name the API gave a scored label (`{label, probability, name}`), else the table's. */
function scoredName(names, head, scored) {
  if (typeof scored?.name === "string" && scored.name) return scored.name;
  return labelName(names, head, scored?.label);
}

/** "80%" for 0.8; never "100%" for what is not certain (0.995 is ">99%"), nor "0%" for what may be. */
export function formatPercent(probability) {
  if (typeof probability !== "number" || Number.isNaN(probability)) return "";
  if (probability >= 1) return "100%";
  if (probability <= 0) return "0%";
  const rounded = Math.round(probability * 100);
  if (rounded >= 100) return ">99%";
  if (rounded <= 0) return "<1%";
  return `${rounded}%`;
}

/**
 * The triage as rows to show: {rows: [{name, value, probability, unsure}], flags: [{name,
 * probability}], unsure: [head name, …], notes: […]} with the API's Dutch names (`names` is
 * GET /v1/playbook's table, for the heads).
 */
export function summariseTriage(triage, names) {
  const t = triage ?? {};
  const low = new Set(t.low_confidence ?? []);
  const rows = [];
  for (const head of ["sentiment", "intent", "topic"]) {
    const scored = t[head];
    if (!scored) continue;
    rows.push({
      name: headName(names, head),
      value: scoredName(names, head, scored),
      probability: formatPercent(scored.probability),
      unsure: low.has(head),
    });
  }
  if (t.register) {
    rows.push({
      name: headName(names, "register"),
      value: scoredName(names, "register", t.register),
      probability: "",
      unsure: low.has("register"),
    });
  }
  if (t.language && t.language.is_dutch === false) {
    rows.push({
      name: headName(names, "language"),
      value: `niet Nederlands (${t.language.label})`,
      probability: "",
      unsure: false,
    });
  }
  const flags = (t.flags ?? []).map((f) => ({
    name: scoredName(names, "flags", f),
    probability: formatPercent(f.probability),
  }));
  return {
    rows,
    flags,
    unsure: [...low].map((h) => headName(names, h)),
    notes: t.notes ?? [],
  };
}

/** Where a reply goes ("public", "private"), in Dutch from the playbook's table; else as is. */
export function postedName(names, posted) {
  return lookup(names?.posted, posted);
}

/** The channels of GET /v1/playbook as select options: [{value, label}], the default first. */
export function channelOptions(playbook) {
  const channels = Array.isArray(playbook?.channels) ? playbook.channels : [];
  const options = channels.map((c) => ({
    value: c.id,
    label: c.max_chars ? `${c.name} (max. ${c.max_chars} tekens)` : c.name,
  }));
  const first = options.findIndex((o) => o.value === playbook?.default_channel);
  if (first > 0) options.unshift(...options.splice(first, 1));
  return options;
}

const CHANNEL_HOSTS = [
  [/(^|\.)(x|twitter)\.com$/, "x"],
  [/(^|\.)(facebook|fb|messenger)\.com$/, "facebook"],
  [/(^|\.)instagram\.com$/, "instagram"],
  [/(^|\.)linkedin\.com$/, "linkedin"],
  [/(^|\.)tiktok\.com$/, "tiktok"],
  [/(^|\.)(trustpilot\.com|kiyoh\.com|klantenvertellen\.nl|tripadvisor\.[a-z.]+|google\.[a-z.]+)$/, "reviews"],
];

/** The channel a page belongs to, from its address (x.com → "x"), if the playbook has it. */
export function guessChannel(pageUrl, channelIds) {
  let host;
  try {
    host = new URL(pageUrl).hostname.toLowerCase();
  } catch {
    return null;
  }
  for (const [pattern, channel] of CHANNEL_HOSTS) {
    if (pattern.test(host)) return channelIds.includes(channel) ? channel : null;
  }
  return null;
}

/** The first of requested, guessed, saved, playbook default that the playbook offers; else "". */
export function pickChannel({ requested, guessed, saved, playbookDefault, available = [] } = {}) {
  for (const c of [requested, guessed, saved, playbookDefault]) {
    if (c && available.includes(c)) return c;
  }
  return available[0] ?? "";
}

/** Guardrails a suggestion did not pass (shown as warnings on its card). */
export function failedGuardrails(suggestion) {
  return (suggestion?.guardrails ?? []).filter((g) => g && g.passed === false);
}

/**
 * "X · <register> · 144 van 280 tekens · uit het <source>" for a suggestion card; the register
 * and the source are named from `names` (GET /v1/playbook's table), raw without it.
 */
export function suggestionMeta(suggestion, channels = [], text = suggestion?.text ?? "", names = null) {
  const channel = channels.find((c) => c.id === suggestion.channel);
  const parts = [];
  parts.push(channel ? channel.name : suggestion.channel);
  parts.push(labelName(names, "register", suggestion.register));
  const n = countChars(text);
  parts.push(channel?.max_chars ? `${n} van ${channel.max_chars} tekens` : `${n} tekens`);
  if (suggestion.source) parts.push(`uit het ${lookup(names?.sources, suggestion.source)}`);
  return parts.filter(Boolean).join(" · ");
}

/** Whether a (possibly edited) reply is too long for its channel. */
export function overChannelLimit(text, channelId, channels = []) {
  const channel = channels.find((c) => c.id === channelId);
  return Boolean(channel?.max_chars) && countChars(text) > channel.max_chars;
}

/** The feedback action for a used suggestion: "edited" when the text was changed, else "used". */
export function usedAction(original, current) {
  return (current ?? "").trim() === (original ?? "").trim() ? "used" : "edited";
}

/**
 * Settings from a query string (for the page opened outside the extension, e.g. in tests):
 * api, key, text, channel, initials, author, auto. Only what is present.
 */
export function readQueryConfig(search) {
  const params = new URLSearchParams(search ?? "");
  const out = {};
  for (const [param, name] of [
    ["api", "apiUrl"],
    ["key", "apiKey"],
    ["text", "text"],
    ["channel", "channel"],
    ["initials", "initials"],
    ["author", "authorName"],
    ["page", "pageUrl"],
  ]) {
    if (params.has(param)) out[name] = params.get(param);
  }
  if (params.has("auto")) out.auto = !["0", "false", "nee"].includes(params.get("auto"));
  return out;
}

/** The summary line of GET /readyz for the options page. */
export function describeReady(ready, baseUrl) {
  if (!ready || typeof ready !== "object") return `Bereikbaar op ${baseUrl}.`;
  if (ready.status === "ready") {
    const model = ready.model ? `model ${ready.model}` : "model onbekend";
    const version = ready.playbook_version ? `draaiboek ${ready.playbook_version}` : "draaiboek onbekend";
    return `Bereikbaar op ${baseUrl}: ${model}, ${version}.`;
  }
  if (ready.status === "loading") {
    return `Bereikbaar op ${baseUrl}, maar het model wordt nog geladen. Probeer het over een minuut opnieuw.`;
  }
  return `Bereikbaar op ${baseUrl}, maar het model kon niet laden. Kijk in het serverlog.`;
}

// --- the agent's workbench: reply first, re-check, copy = outcome, corrections ----------------

/** Whether another team than the one that normally posts (webcare) posts this reply. */
export function otherTeamPosts(plan) {
  return typeof plan?.posted_by?.own_team === "boolean" ? !plan.posted_by.own_team : false;
}

/** A team's name for a button: "Woordvoering (afdeling Communicatie)" → "Woordvoering". */
export function shortTeamName(name) {
  const text = typeof name === "string" ? name.trim() : "";
  return text.replace(/\s*\(.*\)\s*$/, "") || text;
}

/** The copy button's text: "Kopieer voor Woordvoering" when another team posts, else "Kopiëren". */
export function copyLabel(plan) {
  return otherTeamPosts(plan) ? `Kopieer voor ${shortTeamName(plan.posted_by.name)}` : "Kopiëren";
}

/**
 * The line above the steps when there is no suggested reply, or null. A comment left to the
 * agent (another language: action "manual") is answered by the agent, so it never says "do not
 * reply"; hide or report says what the playbook says. Never a raw action id.
 */
export function noReplyNote(plan, names = null) {
  if (!plan || plan.respond !== false) return null;
  if (plan.action === "manual") {
    return "Geen voorgesteld antwoord: beoordeel de reactie zelf en schrijf zo nodig zelf een antwoord (zie de stappen).";
  }
  const name = plan.action_name || names?.actions?.[plan.action];
  return name ? `Volgens het draaiboek: ${name}.` : "Volgens het draaiboek: niet met een standaardantwoord reageren.";
}

/** The body of POST /v1/check for an edited reply (the comment's context as it was asked). */
export function buildCheckRequest({ comment, reply, channel, private: isPrivate, postedAt, labels } = {}) {
  const body = { comment: typeof comment === "string" ? comment.trim() : "", reply: reply ?? "" };
  if (channel) body.channel = channel;
  if (isPrivate) body.private = true;
  if (postedAt) body.posted_at = postedAt;
  if (labels) body.labels = labels;
  return body;
}

/**
 * The labels the agent set, as POST /v1/suggest and /v1/corrections take them:
 * {sentiment, intent, topic, flags: [...]}, only the heads that have a value.
 */
export function correctionLabels({ sentiment, intent, topic, flags } = {}) {
  const labels = {};
  if (sentiment) labels.sentiment = sentiment;
  if (intent) labels.intent = intent;
  if (topic) labels.topic = topic;
  labels.flags = [...new Set(flags ?? [])].sort();
  return labels;
}

/** The Dutch line after a recorded outcome ("Gekopieerd en vastgelegd als aangepast (voorstel 1)."). */
export function outcomeText({ action, rank, copied, handedTo } = {}, names = null) {
  const what = lookup(names?.feedback, action);
  const start = copied ? "Gekopieerd en vastgelegd als " : "Vastgelegd als ";
  const tail = handedTo ? ` Geef het door aan ${handedTo}.` : "";
  return `${start}${what}${rank ? ` (voorstel ${rank})` : ""}.${tail}`;
}

/** Whether an API answer means the server does not know this endpoint (an older version). */
export function missingEndpoint(result) {
  return !result?.ok && (result?.status === 404 || result?.status === 405) && result?.code !== "unknown_request";
}
