// The popup / responder window: the comment, the channel, "Voorstellen", then triage, plan and
// suggestion cards. All text goes in with textContent / createElement: comments and replies
// may contain HTML and are never parsed as such.

import {
  MAX_TEXT_CHARS,
  InputProblem,
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
  failedGuardrails,
  formatTimeLeft,
  guessChannel,
  headName,
  labelName,
  missingEndpoint,
  noReplyNote,
  normaliseApiKey,
  normaliseBaseUrl,
  otherTeamPosts,
  outcomeText,
  overChannelLimit,
  pickChannel,
  postedName,
  priorityClass,
  shortTeamName,
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
  queueAvailable: true,
  // what is open now: the comment as asked, the answer, the reply being edited, the outcome
  asked: null,
  advice: null,
  originalRequestId: null,
  labels: null,
  queueItem: null,
  editor: null,
  outcome: null,
};

const CHECK_DELAY_MS = 400;

/** Replace an element's children (null, undefined and false are left out). */
function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

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
      postedAt: $("posted-at").value ? new Date($("posted-at").value) : null,
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
    const result = await askSuggest(body);
    if (!result.ok) {
      showProblem(result);
      return;
    }
    state.requestId = result.data.request_id;
    state.originalRequestId = result.data.request_id;
    state.asked = body;
    state.labels = null;
    state.queueItem = result.data.queue_item ?? null;
    state.editor = null;
    state.outcome = null;
    // the names of heads and of where a reply goes come with the playbook: fetch it once more
    if (!state.playbook) await loadPlaybook({ quiet: true });
    render(result.data, { focus: true });
    await markPendingDone();
  } finally {
    setBusy(false);
    if (state.again) {
      state.again = false;
      suggest();
    }
  }
}

/** POST /v1/suggest, also putting the comment in the team's queue; an older server without a
 *  queue gets the request again without it. */
async function askSuggest(body) {
  if (!state.queueAvailable) return callApi(fetch, state.baseUrl, state.key, "/v1/suggest", body);
  const result = await callApi(fetch, state.baseUrl, state.key, "/v1/suggest", { ...body, queue: true });
  if (!result.ok && result.status === 422 && JSON.stringify(result.details).includes("queue")) {
    state.queueAvailable = false;
    return callApi(fetch, state.baseUrl, state.key, "/v1/suggest", body);
  }
  return result;
}

// --- the answer: reply first ---------------------------------------------------------------

function render(advice, { focus = false } = {}) {
  state.advice = advice;
  const suggestions = advice.suggestions ?? [];
  renderCase(advice.plan, advice.triage, advice.corrected ?? []);
  renderReply(advice, suggestions);
  renderSuggestions(suggestions);
  renderTriage(advice.triage, advice.corrected ?? []);
  renderPlan(advice.plan, advice.notes ?? []);
  $("stale").hidden = true;
  $("results").hidden = false;
  // the case (priority, deadline, warning chips) and the reply with its copy button in view
  $("case").scrollIntoView?.({ block: "start" });
  if (focus) $("reply")?.focus({ preventScroll: true });
}

function renderCase(plan, triage, corrected) {
  const section = $("case");
  const now = new Date();
  const flags = triage?.flags ?? [];
  const left = formatTimeLeft(plan.deadline, now);
  const overdue = left.endsWith("over tijd");
  section.className = `panel case ${priorityClass(plan.priority)}-case`;
  fill(section, 
    el(
      "div",
      { class: "plan-head" },
      el("span", { class: `prio ${priorityClass(plan.priority)}`, text: plan.priority }),
      el("h2", { id: "case-title", text: plan.title }),
    ),
    el(
      "p",
      { class: "case-line" },
      plan.priority_name ? `${plan.priority_name} · ` : "",
      "reageer vóór ",
      el("span", { class: "deadline", text: deadlineText(plan) }),
      el("span", {
        class: `time-left${overdue ? " overdue" : plan.priority === "P1" ? " urgent" : plan.priority === "P2" ? " soon" : ""}`,
        text: ` (${left})`,
      }),
    ),
    flags.length
      ? el("ul", { class: "chips case-flags" }, flags.map((f) => el("li", { class: "chip flag", text: `⚑ ${labelOf("flags", f)}` })))
      : null,
    corrected.length
      ? el("p", { class: "corrected-note", text: `Indeling door u gecorrigeerd (${corrected.map((h) => headName(names(), h)).join(", ")}).` })
      : null,
  );
  if (otherTeamPosts(plan)) {
    const posted = plan.posted_by;
    section.append(
      el(
        "div",
        { class: "escalation", role: "note" },
        el("strong", { text: `Niet zelf plaatsen: ${posted.name} plaatst de reactie.` }),
        posted.contact ? el("p", {}, "Bereikbaar via: ", el("strong", { text: posted.contact })) : null,
        el("p", { class: "muted small", text: "Kopieer het voorstel en geef het aan hen door." }),
      ),
    );
  } else if (plan.escalation_text && (plan.escalate_to ?? []).some((t) => !t.own_team)) {
    section.append(el("p", { class: "involve", text: plan.escalation_text }));
  }
}

function labelOf(head, scored) {
  return scored?.name || labelName(names(), head, scored?.label);
}

/** The best suggestion, editable; live re-check; copy records the outcome in one click. */
function renderReply(advice, suggestions) {
  const section = $("reply-panel");
  const plan = advice.plan;
  const manual = plan.respond === false && plan.action === "manual";
  if (!suggestions.length && !manual) {
    section.hidden = true;
    section.replaceChildren();
    return;
  }
  section.hidden = false;
  const best = suggestions[0] ?? null;
  if (!state.editor || state.editor.requestId !== advice.request_id) {
    const keep = state.editor?.dirty ? state.editor : null;
    state.editor = {
      requestId: advice.request_id,
      rank: best?.rank ?? null,
      original: best?.text ?? "",
      text: keep ? keep.text : best?.text ?? "",
      dirty: Boolean(keep),
      check: best && !keep ? { fromSuggestion: best } : null,
    };
  }
  const editor = state.editor;
  const shown = suggestions.find((s) => s.rank === editor.rank) ?? best;
  const box = el("textarea", {
    id: "reply",
    class: "suggestion-text reply-edit",
    rows: 4,
    spellcheck: "true",
    "aria-describedby": "reply-meta reply-check",
  });
  box.value = editor.text;
  const meta = el("p", { class: "meta muted small", id: "reply-meta" });
  const check = el("div", { class: "check-result small", id: "reply-check", "aria-live": "polite" });
  const outcome = el("p", { class: "outcome small", id: "outcome", role: "status" });
  const edited = el("span", { class: "muted small", text: editor.dirty ? " · door u aangepast" : "" });
  const copy = el("button", { type: "button", class: "copy primary", id: "copy-reply", text: copyLabel(plan), title: "Ctrl+Enter in het antwoord" });
  const reject = shown ? el("button", { type: "button", class: "rejected secondary", id: "reject-reply", text: "Geen van deze" }) : null;

  const refresh = () => {
    const source = shown ?? { channel: plan.channel, register: plan.register, posted: null };
    meta.textContent = `${shown ? postedLabel(plan, shown) + " · " : ""}${suggestionMeta(source, state.channels, box.value, names())}`;
    box.classList.toggle("over", overChannelLimit(box.value, source.channel, state.channels));
    fit(box);
  };
  editor.showCheck = () => renderCheck(check, editor);
  editor.showOutcome = () => renderOutcome(outcome);
  box.addEventListener("input", () => {
    editor.text = box.value;
    editor.dirty = box.value !== editor.original;
    edited.textContent = editor.dirty ? " · door u aangepast" : "";
    refresh();
    scheduleCheck();
  });
  copy.addEventListener("click", () => copyAndRecord(box, copy));
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      copyAndRecord(box, copy);
    }
  });
  reject?.addEventListener("click", async () => {
    reject.disabled = true;
    await recordOutcome("rejected", null, false);
    reject.disabled = false;
  });

  section.replaceChildren(
    el("h2", { id: "reply-title", text: "Antwoord" }),
    el(
      "label",
      { for: "reply", class: "reply-label" },
      shown ? `Voorstel ${editor.rank}: ${shown.strategy_name || shown.strategy}` : "Uw eigen antwoord",
      edited,
    ),
    box,
    meta,
    el("div", { class: "card-actions" }, copy, reject),
    check,
    outcome,
  );
  refresh();
  renderCheck(check, editor);
  renderOutcome(outcome);
  if (editor.dirty) scheduleCheck(0);
}

function renderCheck(node, editor) {
  const check = editor.check;
  node.className = "check-result small";
  if (check?.pending) node.setAttribute("aria-busy", "true");
  else node.removeAttribute("aria-busy");
  if (!check) {
    node.replaceChildren();
    return;
  }
  if (check.pending || check.unavailable) {
    node.classList.add("muted");
    node.replaceChildren(check.pending ? "Bezig met controleren…" : check.unavailable);
    return;
  }
  const items = check.fromSuggestion ? failedGuardrails(check.fromSuggestion) : check.failures ?? [];
  const total = check.fromSuggestion ? (check.fromSuggestion.guardrails ?? []).length : null;
  node.classList.add(items.length ? "fail" : "ok");
  const head = items.length
    ? `✗ ${items.length === 1 ? "1 probleem" : `${items.length} problemen`}${check.fromSuggestion ? "" : " in uw tekst"}:`
    : check.fromSuggestion
      ? `✓ Alle controles in orde (${total})`
      : "✓ Uw tekst is opnieuw gecontroleerd: alles in orde.";
  node.replaceChildren(el("span", { text: head }));
  if (items.length) node.append(el("ul", { class: "warnings" }, items.map((f) => el("li", { text: f.message || f.check || f.name }))));
}

let checkTimer = null;
let checkSeq = 0;

/** Re-check the edited reply on the server (POST /v1/check) a moment after the last key. */
function scheduleCheck(delay = CHECK_DELAY_MS) {
  const editor = state.editor;
  clearTimeout(checkTimer);
  checkSeq += 1;
  if (!editor.text.trim()) {
    editor.check = { failures: [{ check: "empty", message: "Het antwoord is leeg." }] };
    editor.showCheck?.();
    return;
  }
  if (!editor.dirty && editor.rank) {
    const s = (state.advice?.suggestions ?? []).find((x) => x.rank === editor.rank);
    editor.check = s ? { fromSuggestion: s } : null;
    editor.showCheck?.();
    return;
  }
  editor.check = { pending: true };
  editor.showCheck?.();
  const seq = checkSeq;
  checkTimer = setTimeout(() => runCheck(editor, seq), delay);
}

async function runCheck(editor, seq) {
  const body = buildCheckRequest({
    comment: state.asked.text,
    reply: editor.text,
    channel: state.asked.channel,
    private: state.asked.private,
    postedAt: state.asked.posted_at,
    labels: state.labels,
  });
  const result = await callApi(fetch, state.baseUrl, state.key, "/v1/check", body, { timeoutMs: 10_000 });
  if (seq !== checkSeq || state.editor !== editor) return; // a newer edit is being checked
  if (!result.ok) {
    editor.check = {
      unavailable: missingEndpoint(result)
        ? "Deze server controleert aangepaste teksten nog niet: lees de tekst zelf goed na."
        : `Controleren lukte niet: ${result.message}`,
    };
  } else {
    editor.check = { failures: result.data.failures ?? [] };
  }
  editor.showCheck();
}

function renderOutcome(node) {
  const o = state.outcome;
  node.className = "outcome small";
  if (!o) {
    node.replaceChildren();
    return;
  }
  node.classList.add(o.error ? "error-text" : "ok");
  // an own reply (no suggestion) has no feedback, only its status in the queue
  node.textContent = o.error ?? (o.action === "written" ? `Gekopieerd.${o.handedTo ? ` Geef het door aan ${o.handedTo}.` : ""}` : outcomeText(o, names()));
}

/** One click: the text on the clipboard and the outcome (used or edited) recorded. */
async function copyAndRecord(box, button) {
  const editor = state.editor;
  const text = box.value;
  if (!text.trim()) {
    box.focus();
    return;
  }
  const ok = await copyText(box);
  if (!ok) {
    state.outcome = { error: "Kopiëren lukte niet: selecteer de tekst en kopieer met Ctrl+C." };
    editor.showOutcome();
    return;
  }
  const label = button.textContent;
  button.textContent = "Gekopieerd";
  button.classList.add("done");
  setTimeout(() => {
    button.textContent = label;
    button.classList.remove("done");
  }, 2500);
  const action = editor.rank ? usedAction(editor.original, text) : "written";
  const before = state.outcome;
  if (before && !before.error && before.text === text && before.action === action) return; // recorded
  await recordOutcome(action, text, true);
}

/** One outcome per comment: feedback on the suggestion, and the status in the team's queue. */
async function recordOutcome(action, text, copied) {
  const editor = state.editor;
  const plan = state.advice.plan;
  const handedTo = otherTeamPosts(plan) && action !== "rejected" ? shortTeamName(plan.posted_by.name) : null;
  if (action !== "written") {
    let body;
    try {
      body = buildFeedbackRequest({ requestId: state.requestId, action, rank: editor.rank, finalText: text });
    } catch (err) {
      state.outcome = { error: err.message };
      editor.showOutcome();
      return;
    }
    const result = await callApi(fetch, state.baseUrl, state.key, "/v1/feedback", body, { timeoutMs: 10_000 });
    if (!result.ok) {
      state.outcome = { error: `Niet vastgelegd: ${result.message}` };
      editor.showOutcome();
      return;
    }
  }
  if (state.queueItem && action !== "rejected") {
    const patch = { status: handedTo ? "escalated" : "answered" };
    if (action !== "written") patch.outcome = action;
    if (text && action !== "used") patch.final_text = text;
    const result = await callApi(fetch, state.baseUrl, state.key, `/v1/queue/${state.queueItem.id}`, patch, {
      method: "PATCH",
      timeoutMs: 10_000,
    });
    if (result.ok) state.queueItem = result.data;
  }
  state.outcome = { action, text, rank: action === "written" ? null : editor.rank, copied, handedTo };
  editor.showOutcome();
}

/** Where a reply goes (the playbook's name for it), or who posts it when that is another team. */
function postedLabel(plan, suggestion) {
  return otherTeamPosts(plan) ? `plaatst: ${shortTeamName(plan.posted_by.name)}` : postedName(names(), suggestion.posted);
}

/** The other suggestions, each one click from the editor. */
function renderSuggestions(suggestions) {
  const section = $("suggestions");
  const others = suggestions.filter((s) => s.rank !== state.editor?.rank);
  section.hidden = !others.length;
  section.replaceChildren(el("h2", { id: "suggestions-title", text: `Andere voorstellen (${others.length})` }));
  for (const s of others) section.append(card(s));
}

function card(s) {
  const use = el("button", { type: "button", class: "use secondary", text: "Dit antwoord gebruiken" });
  use.addEventListener("click", () => {
    const editor = state.editor;
    Object.assign(editor, { rank: s.rank, original: s.text, text: s.text, dirty: false, check: { fromSuggestion: s } });
    render(state.advice);
    $("reply").focus();
  });
  const warnings = failedGuardrails(s);
  return el(
    "article",
    { class: "card", "data-rank": String(s.rank) },
    el("header", {}, el("span", { class: "rank", text: String(s.rank) }), el("h3", { text: s.strategy_name || s.strategy })),
    el("p", { class: "suggestion-preview", text: s.text }),
    el("p", { class: "meta muted small", text: `${postedLabel(state.advice.plan, s)} · ${suggestionMeta(s, state.channels, s.text, names())}` }),
    warnings.length ? el("ul", { class: "warnings small" }, warnings.map((g) => el("li", { text: g.message }))) : null,
    el("div", { class: "card-actions" }, use),
  );
}

// --- the triage, with the agent's correction ---------------------------------------------------

function renderTriage(triage, corrected) {
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
    const mine = corrected.includes("flags");
    chips.append(el("li", { class: "chip flag" }, `⚑ ${flag.name}`, el("span", { class: "muted", text: mine ? " (door u)" : ` ${flag.probability}` })));
  }
  const classified = Boolean(triage?.sentiment || triage?.intent || triage?.topic);
  const toggle = classified
    ? el("button", { type: "button", class: "secondary small", id: "correct-toggle", "aria-expanded": "false", "aria-controls": "correct-form", text: "Indeling corrigeren" })
    : null;
  section.replaceChildren(el("div", { class: "triage-head" }, el("h2", { id: "triage-title", text: "Beoordeling" }), toggle), chips);
  if (summary.unsure.length) {
    section.append(
      el("p", { class: "note", text: `Het model twijfelt over: ${summary.unsure.join(", ")}. Controleer dit zelf.` }),
    );
  }
  for (const note of summary.notes) section.append(el("p", { class: "note", text: note }));
  if (classified) {
    const form = correctionForm(triage);
    section.append(form);
    toggle.addEventListener("click", () => {
      const open = form.hidden;
      form.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) form.querySelector("select")?.focus();
    });
  }
}

function correctionForm(triage) {
  const tables = names()?.labels ?? {};
  const heads = ["sentiment", "intent", "topic"];
  const selects = {};
  const fields = heads.map((head) => {
    const options = Object.keys(tables[head] ?? {});
    const chosen = triage[head]?.label ?? "";
    if (chosen && !options.includes(chosen)) options.unshift(chosen);
    const select = el("select", { id: `correct-${head}` }, options.map((o) => el("option", { value: o, selected: o === chosen, text: labelName(names(), head, o) })));
    selects[head] = select;
    return el("div", { class: "row" }, el("label", { for: `correct-${head}`, text: headName(names(), head) }), select);
  });
  const raised = new Set((triage.flags ?? []).map((f) => f.label));
  const flagIds = Object.keys(tables.flags ?? {}).length ? Object.keys(tables.flags) : [...raised];
  const boxes = flagIds.map((flag) =>
    el("input", { type: "checkbox", id: `correct-flag-${flag}`, value: flag, checked: raised.has(flag) }),
  );
  const apply = el("button", { type: "submit", class: "primary", text: "Toepassen en opnieuw voorstellen" });
  const status = el("p", { class: "small", role: "status" });
  const form = el(
    "form",
    { id: "correct-form", class: "correct-form", hidden: true, novalidate: true, "aria-label": "Indeling corrigeren" },
    fields,
    el(
      "fieldset",
      { class: "correct-flags" },
      el("legend", { text: headName(names(), "flags") }),
      boxes.map((box) => el("label", { class: "check" }, box, ` ${labelName(names(), "flags", box.value)}`)),
    ),
    el("p", { class: "muted small", text: "Aanpak en voorstellen worden opnieuw bepaald; uw correctie wordt bewaard om het model te verbeteren." }),
    el("div", { class: "card-actions" }, apply),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    apply.disabled = true;
    status.textContent = "Bezig…";
    const labels = correctionLabels({
      sentiment: selects.sentiment.value,
      intent: selects.intent.value,
      topic: selects.topic.value,
      flags: boxes.filter((b) => b.checked).map((b) => b.value),
    });
    await applyCorrection(labels, status);
    apply.disabled = false;
  });
  return form;
}

async function applyCorrection(labels, status) {
  const body = { ...state.asked, labels };
  const result = await callApi(fetch, state.baseUrl, state.key, "/v1/suggest", body);
  if (!result.ok) {
    status.textContent = missingEndpoint(result) || (result.status === 422 && JSON.stringify(result.details).includes("labels"))
      ? "Deze server kan de indeling nog niet corrigeren."
      : `Niet gelukt: ${result.message}`;
    return;
  }
  const stored = await callApi(fetch, state.baseUrl, state.key, "/v1/corrections", {
    request_id: state.originalRequestId,
    labels,
  });
  const note = stored.ok
    ? "Uw correctie is bewaard."
    : missingEndpoint(stored)
      ? "Deze server bewaart correcties nog niet."
      : `Correctie niet bewaard: ${stored.message}`;
  state.labels = labels;
  state.requestId = result.data.request_id;
  state.outcome = null;
  if (state.editor && !state.editor.dirty) state.editor = null;
  else if (state.editor) state.editor.requestId = null;
  render(result.data, { focus: true });
  const line = document.querySelector("#case .corrected-note");
  if (line) line.textContent = `${line.textContent} ${note}`;
}

// --- the plan: folded for P3/P4 -------------------------------------------------------------

function fact(label, ...value) {
  return [el("dt", { text: label }), el("dd", {}, ...value)];
}

function renderPlan(plan, notes) {
  const section = $("plan");
  const urgent = plan.priority === "P1" || plan.priority === "P2" || plan.respond === false;
  const facts = el("dl", { class: "facts" });
  if (plan.open_now === false) facts.append(...fact("Let op", "buiten openingstijden ontvangen"));
  facts.append(...fact("Behandeling", plan.route?.name ?? "", plan.route?.reach ? el("span", { class: "muted", text: ` – ${plan.route.reach}` }) : null));
  if (plan.speaks && plan.speaks.id !== plan.route?.id) facts.append(...fact("Reageert", plan.speaks.name));
  if (plan.notify?.length) facts.append(...fact("Informeer ook", plan.notify.map((t) => t.name).join(", ")));
  facts.append(...fact("Openbaar of DM", plan.visibility_name || plan.visibility));
  facts.append(...fact("Actie", plan.action_name || names()?.actions?.[plan.action] || ""));
  if (plan.tone) facts.append(...fact("Toon", plan.tone));

  const body = [];
  const note = noReplyNote(plan, names());
  if (note) body.push(el("p", { class: "note strong", text: note }));
  body.push(facts);
  if (plan.steps?.length) {
    body.push(el("h3", { text: "Stappen" }));
    body.push(
      el(
        "ol",
        { class: "steps" },
        plan.steps.map((step) => el("li", {}, el("span", { class: "do", text: step.do }), el("span", { class: "why", text: `Waarom: ${step.why}` }))),
      ),
    );
  }
  for (const line of [...(plan.also ?? []), ...notes]) body.push(el("p", { class: "note", text: line }));
  if (plan.reasons?.length) {
    body.push(el("details", {}, el("summary", { text: "Waarom deze aanpak?" }), el("ul", {}, plan.reasons.map((r) => el("li", { text: r })))));
  }
  section.replaceChildren(
    el("details", { class: "plan-details", open: urgent }, el("summary", {}, el("h2", { id: "plan-title", text: "Aanpak en stappen" })), body),
  );
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
