// The popup / responder window: the comment, the channel, "Voorstellen", then triage, plan and
// suggestion cards. All text goes in with textContent / createElement: comments and replies
// may contain HTML and are never parsed as such.

import {
  MAX_TEXT_CHARS,
  InputProblem,
  buildFeedbackRequest,
  buildSuggestRequest,
  callApi,
  channelOptions,
  countChars,
  deadlineText,
  describeError,
  failedGuardrails,
  feedbackThanks,
  formatTimeLeft,
  guessChannel,
  normaliseApiKey,
  normaliseBaseUrl,
  overChannelLimit,
  pickChannel,
  postedName,
  priorityClass,
  suggestionMeta,
  summariseTriage,
  usedAction,
} from "./lib/api.js";
import {
  hasExtensionStorage,
  loadPending,
  loadSettings,
  markPendingDone,
  onNewPending,
  onSettingsChange,
  openOptions,
} from "./lib/settings.js";

const $ = (id) => document.getElementById(id);

const state = {
  baseUrl: null,
  key: "",
  initials: "",
  savedChannel: "",
  channels: [],
  playbook: null,
  requestId: null,
  pageUrl: "",
  requestedChannel: "",
  busy: false,
  waitTimer: null,
  configProblem: null,
  again: false,
};

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// --- messages -------------------------------------------------------------------------------

function clearMessage() {
  const box = $("message");
  box.hidden = true;
  box.className = "message";
  box.replaceChildren();
}

function showProblem(problem) {
  const info = describeError(problem, { baseUrl: state.baseUrl ?? "", origin: location.origin });
  const box = $("message");
  box.className = `message error kind-${problem.kind ?? "input"}`;
  box.replaceChildren(el("strong", { text: info.title }), el("p", { text: info.message }));
  if (info.action === "options") {
    box.append(
      el("button", { type: "button", class: "secondary", text: "Opties openen", onclick: () => openOptions() }),
    );
  }
  box.hidden = false;
  if (problem.kind === "rate") startWait(problem.retryAfter ?? 60);
}

function startWait(seconds) {
  const button = $("suggest");
  clearInterval(state.waitTimer);
  let left = Math.max(1, Math.round(seconds));
  const tick = () => {
    if (left <= 0) {
      clearInterval(state.waitTimer);
      state.waitTimer = null;
      button.disabled = state.busy;
      button.textContent = "Voorstellen";
      return;
    }
    button.disabled = true;
    button.textContent = `Opnieuw over ${left} s`;
    left -= 1;
  };
  tick();
  state.waitTimer = setInterval(tick, 1000);
}

// --- the form -------------------------------------------------------------------------------

function updateCount() {
  const n = countChars($("comment").value.trim());
  const count = $("count");
  count.textContent = `${n} / ${MAX_TEXT_CHARS} tekens`;
  count.classList.toggle("over", n > MAX_TEXT_CHARS);
}

function fillChannels() {
  const select = $("channel");
  const options = channelOptions(state.playbook);
  const ids = options.map((o) => o.value);
  const chosen = pickChannel({
    requested: state.requestedChannel,
    guessed: guessChannel(state.pageUrl, ids),
    saved: state.savedChannel,
    playbookDefault: state.playbook?.default_channel,
    available: ids,
  });
  if (!options.length) return;
  select.replaceChildren(...options.map((o) => el("option", { value: o.value, text: o.label })));
  select.value = chosen;
}

function setBusy(busy) {
  state.busy = busy;
  $("busy").hidden = !busy;
  $("ask").setAttribute("aria-busy", String(busy));
  if (!state.waitTimer) $("suggest").disabled = busy;
}

/** The playbook's Dutch names (labels, heads, posted, …); empty until the playbook is loaded. */
function names() {
  return state.playbook?.names ?? null;
}

async function loadPlaybook({ quiet = false } = {}) {
  if (!state.baseUrl) return;
  const result = await callApi(fetch, state.baseUrl, state.key, "/v1/playbook", null, { timeoutMs: 10_000 });
  if (!result.ok) {
    if (!quiet) showProblem(result);
    return;
  }
  state.playbook = result.data;
  state.channels = result.data.channels ?? [];
  fillChannels();
}

async function suggest() {
  if (state.waitTimer) return;
  if (state.busy) {
    state.again = true; // a new selection arrived meanwhile: ask again when this one is done
    return;
  }
  clearMessage();
  if (state.configProblem) {
    showProblem(state.configProblem);
    return;
  }
  let body;
  try {
    body = buildSuggestRequest({
      text: $("comment").value,
      channel: $("channel").value,
      initials: state.initials,
      authorName: $("author").value,
      private: $("private").checked,
    });
  } catch (err) {
    if (err instanceof InputProblem) {
      showProblem(err);
      return;
    }
    throw err;
  }
  setBusy(true);
  $("results").hidden = true;
  try {
    const result = await callApi(fetch, state.baseUrl, state.key, "/v1/suggest", body);
    if (!result.ok) {
      showProblem(result);
      return;
    }
    state.requestId = result.data.request_id;
    // the names of heads and of where a reply goes come with the playbook: fetch it once more
    // if it did not load at the start
    if (!state.playbook) await loadPlaybook({ quiet: true });
    render(result.data);
    await markPendingDone();
  } finally {
    setBusy(false);
    if (state.again) {
      state.again = false;
      suggest();
    }
  }
}

// --- the answer -----------------------------------------------------------------------------

function render(advice) {
  renderTriage(advice.triage);
  renderPlan(advice.plan, advice.notes ?? []);
  renderSuggestions(advice.suggestions ?? []);
  $("stale").hidden = true;
  $("results").hidden = false;
  $("plan").scrollIntoView?.({ block: "start", behavior: "smooth" });
}

function renderTriage(triage) {
  const summary = summariseTriage(triage, names());
  const section = $("triage");
  const chips = el("ul", { class: "chips" });
  for (const row of summary.rows) {
    chips.append(
      el(
        "li",
        { class: row.unsure ? "chip unsure" : "chip", title: row.unsure ? "Het model twijfelt hierover" : undefined },
        el("span", { class: "chip-name", text: `${row.name}: ` }),
        row.value,
        row.probability ? el("span", { class: "muted", text: ` ${row.probability}` }) : null,
        row.unsure ? el("span", { class: "muted", text: " (onzeker)" }) : null,
      ),
    );
  }
  for (const flag of summary.flags) {
    chips.append(el("li", { class: "chip flag" }, `⚑ ${flag.name}`, el("span", { class: "muted", text: ` ${flag.probability}` })));
  }
  section.replaceChildren(el("h2", { id: "triage-title", text: "Beoordeling" }), chips);
  if (summary.unsure.length) {
    section.append(
      el("p", { class: "note", text: `Het model twijfelt over: ${summary.unsure.join(", ")}. Controleer dit zelf.` }),
    );
  }
  for (const note of summary.notes) section.append(el("p", { class: "note", text: note }));
}

function fact(label, ...value) {
  return [el("dt", { text: label }), el("dd", {}, ...value)];
}

function renderPlan(plan, notes) {
  const section = $("plan");
  const now = new Date();
  const head = el(
    "div",
    { class: "plan-head" },
    el("span", { class: `prio ${priorityClass(plan.priority)}`, text: plan.priority }),
    el("h2", { id: "plan-title", text: plan.title }),
  );
  const facts = el("dl", { class: "facts" });
  facts.append(...fact("Prioriteit", plan.priority_name));
  facts.append(
    ...fact(
      "Reageer uiterlijk",
      el("span", { class: "deadline", text: deadlineText(plan) }),
      el("span", { class: "muted", text: ` (${formatTimeLeft(plan.deadline, now)})` }),
    ),
  );
  if (plan.open_now === false) facts.append(...fact("Let op", "buiten openingstijden"));
  facts.append(...fact("Behandeling", plan.route?.name ?? "", plan.route?.reach ? el("span", { class: "muted", text: ` – ${plan.route.reach}` }) : null));
  if (plan.speaks && plan.speaks.id !== plan.route?.id) facts.append(...fact("Reageert", plan.speaks.name));
  if (plan.notify?.length) facts.append(...fact("Informeer ook", plan.notify.map((t) => t.name).join(", ")));
  facts.append(...fact("Openbaar of DM", plan.visibility_name || plan.visibility));
  facts.append(...fact("Actie", plan.action_name || plan.action));
  if (plan.tone) facts.append(...fact("Toon", plan.tone));

  section.replaceChildren(head);
  if (plan.respond === false) {
    section.append(el("p", { class: "note strong", text: `Volgens het draaiboek: ${plan.action_name || plan.action}, niet inhoudelijk reageren.` }));
  }
  section.append(facts);
  if (plan.steps?.length) {
    section.append(el("h3", { text: "Stappen" }));
    section.append(
      el(
        "ol",
        { class: "steps" },
        plan.steps.map((step) => el("li", {}, el("span", { class: "do", text: step.do }), el("span", { class: "why", text: `Waarom: ${step.why}` }))),
      ),
    );
  }
  const extra = [...(plan.also ?? []), ...notes];
  for (const line of extra) section.append(el("p", { class: "note", text: line }));
  if (plan.reasons?.length) {
    section.append(
      el("details", {}, el("summary", { text: "Waarom deze aanpak?" }), el("ul", {}, plan.reasons.map((r) => el("li", { text: r })))),
    );
  }
}

function renderSuggestions(suggestions) {
  const section = $("suggestions");
  section.replaceChildren(el("h2", { id: "suggestions-title", text: "Suggesties" }));
  if (!suggestions.length) {
    section.append(el("p", { class: "note", text: "Geen suggesties voor deze reactie." }));
    return;
  }
  section.append(el("p", { class: "muted small", text: "Pas een tekst gerust aan voordat u hem kopieert; lees hem altijd na." }));
  for (const s of suggestions) section.append(card(s));
}

function card(s) {
  const meta = el("p", { class: "meta muted small" });
  const text = el("textarea", { class: "suggestion-text", rows: 4, "aria-label": `Suggestie ${s.rank}`, spellcheck: "true" });
  text.value = s.text;
  const status = el("span", { class: "feedback-status small", role: "status" });
  const refresh = () => {
    meta.textContent = `${postedName(names(), s.posted)} · ${suggestionMeta(s, state.channels, text.value, names())}`;
    text.classList.toggle("over", overChannelLimit(text.value, s.channel, state.channels));
    fit(text);
  };
  text.addEventListener("input", refresh);

  const copy = el("button", { type: "button", class: "copy primary", text: "Kopiëren" });
  const used = el("button", { type: "button", class: "used secondary", text: "Gebruikt" });
  const rejected = el("button", { type: "button", class: "rejected secondary", text: "Afgewezen" });
  copy.addEventListener("click", async () => {
    const ok = await copyText(text);
    copy.textContent = ok ? "Gekopieerd" : "Kopiëren lukte niet";
    copy.classList.toggle("done", ok);
    if (!ok) status.textContent = "Selecteer de tekst en kopieer met Ctrl+C.";
    setTimeout(() => {
      copy.textContent = "Kopiëren";
      copy.classList.remove("done");
    }, 2500);
  });
  const send = async (action) => {
    used.disabled = rejected.disabled = true;
    status.textContent = "Bezig…";
    let body;
    try {
      body = buildFeedbackRequest({ requestId: state.requestId, action, rank: s.rank, finalText: text.value });
    } catch (err) {
      status.textContent = err.message;
      used.disabled = rejected.disabled = false;
      return;
    }
    const result = await callApi(fetch, state.baseUrl, state.key, "/v1/feedback", body, { timeoutMs: 10_000 });
    if (result.ok) {
      status.textContent = feedbackThanks(action);
      status.className = "feedback-status small ok";
    } else {
      status.textContent = `Niet vastgelegd: ${result.message}`;
      status.className = "feedback-status small error-text";
      used.disabled = rejected.disabled = false;
    }
  };
  used.addEventListener("click", () => send(usedAction(s.text, text.value)));
  rejected.addEventListener("click", () => send("rejected"));

  const warnings = failedGuardrails(s);
  const node = el(
    "article",
    { class: "card", "data-rank": String(s.rank) },
    el("header", {}, el("span", { class: "rank", text: String(s.rank) }), el("h3", { text: s.strategy_name || s.strategy })),
    text,
    meta,
    s.why ? el("p", { class: "why small", text: s.why }) : null,
    warnings.length ? el("ul", { class: "warnings small" }, warnings.map((g) => el("li", { text: g.message }))) : null,
    s.explanation ? el("details", { class: "small" }, el("summary", { text: "Toelichting" }), el("p", { text: s.explanation })) : null,
    el("div", { class: "card-actions" }, copy, used, rejected, status),
  );
  refresh();
  return node;
}

function fit(textarea) {
  textarea.style.height = "auto";
  if (textarea.scrollHeight) textarea.style.height = `${textarea.scrollHeight + 2}px`;
}

async function copyText(textarea) {
  const value = textarea.value;
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch {
    // not focused, or no clipboard permission: the old way
  }
  try {
    textarea.focus();
    textarea.select();
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

// --- start ----------------------------------------------------------------------------------

function usePending(pending) {
  if (!pending) return;
  $("comment").value = pending.text;
  state.pageUrl = pending.pageUrl || "";
  if (pending.channel) state.requestedChannel = pending.channel;
  if (pending.authorName) $("author").value = pending.authorName;
  updateCount();
  fillChannels();
}

async function applySettings() {
  const settings = await loadSettings();
  state.initials = settings.initials;
  state.savedChannel = settings.defaultChannel;
  state.configProblem = null;
  state.baseUrl = null;
  try {
    state.baseUrl = normaliseBaseUrl(settings.apiUrl);
    state.key = normaliseApiKey(settings.apiKey);
  } catch (err) {
    state.configProblem = err;
  }
  $("server").textContent = state.baseUrl
    ? `Server: ${state.baseUrl}${hasExtensionStorage() ? "" : " (via de paginaparameters)"}`
    : "Geen geldig serveradres ingesteld.";
}

async function start() {
  $("ask").addEventListener("submit", (event) => {
    event.preventDefault();
    suggest();
  });
  $("comment").addEventListener("input", () => {
    updateCount();
    if (!$("results").hidden) $("stale").hidden = false;
  });
  $("comment").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      suggest();
    }
  });
  $("open-options").addEventListener("click", () => openOptions());
  if (new URLSearchParams(location.search).has("venster")) document.body.classList.add("window");

  await applySettings();
  const pending = await loadPending();
  usePending(pending);
  onNewPending(async (next) => {
    usePending(next);
    $("results").hidden = true;
    await suggest();
  });
  // The options page saved: use the new address and key straight away.
  onSettingsChange(async () => {
    await applySettings();
    clearMessage();
    if (state.configProblem) showProblem(state.configProblem);
    else await loadPlaybook();
  });

  if (state.configProblem) {
    showProblem(state.configProblem);
    return;
  }
  await loadPlaybook();
  if (pending?.auto && pending.text.trim() && $("message").hidden) await suggest();
  else $("comment").focus();
}

start();
