/* responder – de werkplek van de webcaremedewerker.
 *
 * Eén bestand, geen framework, geen build-stap. Alle tekst van de gebruiker en van de API komt
 * op de pagina via textContent / createElement (nooit innerHTML), zodat een reactie met HTML of
 * een script gewoon als tekst verschijnt.
 *
 * Volgorde op de pagina: eerst het antwoord (bewerkbaar, live opnieuw gecontroleerd, kopiëren =
 * uitkomst vastleggen), dan de andere voorstellen, de beoordeling (te corrigeren) en de aanpak.
 */
"use strict";

(function () {
  const STORE_KEY = "responder.apiKey";
  const STORE_INITIALS = "responder.initials";
  const STORE_CHANNEL = "responder.channel";
  const STORE_DRAFT = "responder.draft"; // sessionStorage: wat er openstaat, overleeft herladen
  const STORE_TEXTS = "responder.queueTexts"; // sessionStorage: tekst per wachtrij-item
  const REQUEST_TIMEOUT_MS = 60000;
  const CHECK_DELAY_MS = 400;
  const QUEUE_REFRESH_MS = 60000;
  const NARROW = window.matchMedia("(max-width: 899px)");

  // Alle Nederlandse namen komen van de API (één bron: responder/names.py): elk label in de
  // beoordeling heeft zijn eigen `name`, het plan heeft deadline_text, visibility_name,
  // action_name en register_name, en GET v1/playbook heeft de tabellen (`names`) voor de rest.
  // Ontbreekt een naam, dan tonen we het label zelf.

  const $ = (id) => document.getElementById(id);
  const form = $("suggest-form");
  const comment = $("comment");
  const commentCount = $("comment-count");
  const channelSelect = $("channel");
  const postedAt = $("posted-at");
  const author = $("author");
  const initials = $("initials");
  const privateBox = $("private");
  const submitButton = $("submit");
  const clearButton = $("clear");
  const keyField = $("key-field");
  const keyInput = $("api-key");
  const formError = $("form-error");
  const serverStatus = $("server-status");
  const resultsSection = $("resultaat");
  const results = $("results");
  const liveStatus = $("live-status");
  const queueList = $("queue-list");
  const queueMessage = $("queue-message");
  const queueCount = $("queue-count");
  const queueStatus = $("queue-status");
  const queuePriority = $("queue-priority");

  let channels = []; // [{id, name, max_chars}] uit het draaiboek
  let names = {}; // de Nederlandse namen uit het draaiboek (labels, heads, posted, …)
  let teams = []; // [{id, name, reach}]
  let publicVoice = ""; // het team dat normaal namens de organisatie reageert (wij)
  let defaultChannel = "";
  let playbookLoaded = false;
  let authRequired = false;
  let busy = false;
  let queueAvailable = true;

  /** Wat er nu openstaat: de reactie, het antwoord van de server, het bewerkte antwoord. */
  let current = null;

  /* ---------- kleine hulpjes ---------------------------------------------------------------- */

  /** Maak een element. Strings als kinderen worden tekstknopen: nooit HTML. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [name, value] of Object.entries(props)) {
        if (value === null || value === undefined || value === false) continue;
        if (name === "class") node.className = value;
        else if (name === "text") node.textContent = String(value);
        else if (name.startsWith("on") && typeof value === "function") {
          node.addEventListener(name.slice(2), value);
        } else node.setAttribute(name, value === true ? "" : String(value));
      }
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  /** Vervang de kinderen van een element (null en false tellen niet mee). */
  function fill(node, ...children) {
    node.replaceChildren();
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
  }

  function storage(kind) {
    try {
      return kind === "session" ? window.sessionStorage : window.localStorage;
    } catch (_) {
      return null;
    }
  }

  function storeGet(name, kind) {
    try {
      const store = storage(kind);
      return (store && store.getItem(name)) || "";
    } catch (_) {
      return "";
    }
  }

  function storeSet(name, value, kind) {
    try {
      const store = storage(kind);
      if (!store) return;
      if (value) store.setItem(name, value);
      else store.removeItem(name);
    } catch (_) {
      /* opslag uitgeschakeld of vol: dan onthouden we het niet */
    }
  }

  function storeJson(name, kind) {
    try {
      const value = JSON.parse(storeGet(name, kind) || "null");
      return value && typeof value === "object" ? value : null;
    } catch (_) {
      return null;
    }
  }

  /** Een kans als percentage; nooit "100%" voor iets dat niet zeker is, nooit "0%" voor iets dat kan. */
  function percent(p) {
    if (typeof p !== "number" || !isFinite(p)) return "";
    if (p >= 1) return "100%";
    if (p <= 0) return "0%";
    const rounded = Math.round(p * 100);
    if (rounded >= 100) return ">99%";
    if (rounded <= 0) return "<1%";
    return rounded + "%";
  }

  function charCount(text) {
    return Array.from(text || "").length; // tekens (code points), zoals de server telt
  }

  function tekens(n) {
    return n === 1 ? "1 teken" : n + " tekens";
  }

  /** De naam uit een tabel van het draaiboek (names[table][key]); anders de sleutel zelf. */
  function nameOf(table, key) {
    const map = names && typeof names[table] === "object" ? names[table] : null;
    const name = map && key ? map[key] : undefined;
    return typeof name === "string" && name ? name : key || "";
  }

  /** De naam van een label van een kop (names.labels[head][label]); anders het label zelf. */
  function labelName(head, label) {
    const labels = names && names.labels && typeof names.labels === "object" ? names.labels[head] : null;
    const name = labels && typeof labels === "object" && label ? labels[label] : undefined;
    return typeof name === "string" && name ? name : label || "";
  }

  /** De naam die de API een label gaf ({label, probability, name}); anders die uit de tabel. */
  function scoredName(head, scored) {
    if (!scored) return "";
    if (typeof scored.name === "string" && scored.name) return scored.name;
    return labelName(head, scored.label);
  }

  function capitalise(text) {
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
  }

  function languageName(code) {
    if (!code) return "onbekend";
    if (code === "nl") return "Nederlands";
    try {
      const display = new Intl.DisplayNames(["nl"], { type: "language" });
      return display.of(code) || code;
    } catch (_) {
      return code;
    }
  }

  function channelById(id) {
    return channels.find((c) => c.id === id) || null;
  }

  /** De korte naam van een team voor op een knop: "Woordvoering (afdeling Communicatie)" → "Woordvoering". */
  function shortTeam(t) {
    const name = (t && (t.name || t.id)) || "";
    return name.replace(/\s*\(.*\)\s*$/, "") || name;
  }

  /** Plaatst een ander team dan het webcareteam de reactie? */
  function otherTeamPosts(plan) {
    if (plan && plan.posted_by && typeof plan.posted_by.own_team === "boolean") return !plan.posted_by.own_team;
    const speaks = plan && plan.speaks;
    if (!speaks || !speaks.id) return false;
    const own = publicVoice || (teams[0] && teams[0].id) || "";
    return Boolean(own) && speaks.id !== own;
  }

  /** Hoe lang nog (of hoe lang al te laat): {text, overdue, minutes}. */
  function timeLeft(iso) {
    const when = new Date(iso).getTime();
    if (isNaN(when)) return { text: "", overdue: false, minutes: Infinity };
    const minutes = Math.round((when - Date.now()) / 60000);
    const span = (m) => {
      const h = Math.floor(m / 60);
      const rest = m % 60;
      if (h === 0) return rest + " min";
      if (h >= 48) return Math.round(h / 24) + " dagen";
      return rest ? h + " u " + rest + " min" : h + " u";
    };
    if (minutes > 0) return { text: "nog " + span(minutes), overdue: false, minutes };
    if (minutes === 0) return { text: "nu", overdue: false, minutes };
    return { text: "termijn verlopen, " + span(-minutes) + " te laat", overdue: true, minutes };
  }

  /** Elke termijn op de pagina: tekst en kleur naar prioriteit en resterende tijd. */
  function updateDeadlines() {
    for (const node of document.querySelectorAll("[data-deadline]")) {
      const left = timeLeft(node.getAttribute("data-deadline"));
      const priority = node.getAttribute("data-priority") || "";
      node.textContent = left.text ? "(" + left.text + ")" : "";
      node.classList.toggle("overdue", left.overdue);
      // urgent: P1 altijd, anders het laatste kwartier
      node.classList.toggle("urgent", !left.overdue && (priority === "P1" || left.minutes <= 15));
      node.classList.toggle("soon", !left.overdue && priority === "P2");
    }
  }

  function localInputValue(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return (
      date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes())
    );
  }

  /** De waarde van het veld "Geplaatst op" als ISO-tijd met de eigen tijdzone; leeg = nu. */
  function postedAtIso() {
    const value = postedAt.value;
    const date = value ? new Date(value) : new Date();
    if (isNaN(date.getTime())) return null;
    const offset = -date.getTimezoneOffset();
    const sign = offset >= 0 ? "+" : "-";
    const abs = Math.abs(offset);
    const pad = (n) => String(n).padStart(2, "0");
    return localInputValue(date) + ":00" + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }

  let postedTouched = false; // zolang de medewerker het veld niet aanraakt, loopt het mee met de klok

  function resetPostedAt() {
    postedTouched = false;
    postedAt.value = localInputValue(new Date());
  }

  function tickPostedAt() {
    if (!postedTouched && document.activeElement !== postedAt) postedAt.value = localInputValue(new Date());
  }

  /* ---------- API ------------------------------------------------------------------------- */

  class ApiFailure extends Error {
    constructor(code, message, details, status) {
      super(message);
      this.code = code;
      this.details = details || [];
      this.status = status || 0;
    }
  }

  async function api(path, method, body, signal) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const key = keyInput.value.trim();
    if (key) headers.Authorization = "Bearer " + key;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    if (signal) signal.addEventListener("abort", () => controller.abort());
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "same-origin",
        signal: controller.signal,
      });
    } catch (err) {
      if (signal && signal.aborted) throw new ApiFailure("aborted", "Afgebroken.");
      if (err && err.name === "AbortError") {
        throw new ApiFailure(
          "timeout",
          "De server antwoordt niet binnen " + REQUEST_TIMEOUT_MS / 1000 + " seconden. Probeer het opnieuw.",
        );
      }
      throw new ApiFailure("network", "De server is niet bereikbaar.");
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const error = data && typeof data === "object" ? data.error : null;
      const message =
        error && typeof error.message === "string" && error.message
          ? error.message
          : "De server gaf een fout (HTTP " + response.status + ").";
      const details = error && Array.isArray(error.details) ? error.details : [];
      throw new ApiFailure(
        (error && error.code) || "http_" + response.status,
        message,
        details,
        response.status,
      );
    }
    if (data === null || typeof data !== "object") {
      throw new ApiFailure("bad_response", "Onverwacht antwoord van de server.", [], response.status);
    }
    return data;
  }

  function isAuthError(err) {
    return err instanceof ApiFailure && (err.code === "missing_api_key" || err.code === "invalid_api_key");
  }

  /** Kent deze server het eindpunt niet (een oudere versie)? */
  function isMissingEndpoint(err) {
    return err instanceof ApiFailure && (err.status === 404 || err.status === 405) && err.code !== "unknown_request";
  }

  /* ---------- meldingen ---------------------------------------------------------------------- */

  /** De melding bij het formulier. `focusTarget`: waar de focus heen gaat; `quiet`: de focus
   *  blijft waar hij is (een fout bij werk op de achtergrond mag de medewerker niet wegtrekken). */
  function showError(err, focusTarget, quiet) {
    const message = err instanceof Error ? err.message : String(err);
    const details = err instanceof ApiFailure ? err.details : [];
    formError.replaceChildren(el("p", { class: "alert-title", text: message }));
    if (details.length) {
      formError.append(
        el(
          "ul",
          { class: "alert-details" },
          details.map((d) =>
            el("li", null, d && d.field ? d.field + ": " : "", d && d.message ? d.message : ""),
          ),
        ),
      );
    }
    formError.hidden = false;
    if (isAuthError(err)) {
      showKeyField();
      keyInput.setAttribute("aria-invalid", "true");
      if (!quiet) keyInput.focus();
    } else if (focusTarget && !quiet) {
      focusTarget.focus();
    }
  }

  function clearError() {
    formError.hidden = true;
    formError.replaceChildren();
    comment.removeAttribute("aria-invalid");
    keyInput.removeAttribute("aria-invalid");
  }

  function setServerStatus(text, kind) {
    serverStatus.textContent = text;
    serverStatus.className = "server-status" + (kind ? " " + kind : "");
  }

  function announce(text) {
    liveStatus.textContent = "";
    // een nieuwe tekst in een volgende tick wordt ook voorgelezen als hij gelijk is aan de vorige
    setTimeout(() => {
      liveStatus.textContent = text;
    }, 50);
  }

  function showKeyField() {
    keyField.hidden = false;
  }

  /* ---------- opstarten: status en draaiboek ------------------------------------------------ */

  async function checkReady() {
    let ready;
    try {
      const response = await fetch("readyz", { cache: "no-store", headers: { Accept: "application/json" } });
      ready = await response.json();
    } catch (_) {
      setServerStatus("De server is niet bereikbaar. Nieuwe poging over 5 seconden…", "bad");
      setTimeout(checkReady, 5000);
      return;
    }
    authRequired = Boolean(ready && ready.auth_required);
    if (authRequired) showKeyField();
    if (!ready || ready.status !== "ready") {
      setServerStatus(
        ready && ready.status === "error"
          ? "Het model kon niet worden geladen; vraag de beheerder het serverlog te bekijken."
          : "Het model wordt geladen…",
        ready && ready.status === "error" ? "bad" : "busy",
      );
      setTimeout(checkReady, 3000);
      return;
    }
    setServerStatus(
      "Klaar · draaiboek " + (ready.playbook_version || "?") + (authRequired ? " · met API-sleutel" : ""),
      "ok",
    );
    if (!authRequired || keyInput.value.trim()) {
      await loadPlaybook(true);
      await loadQueue();
      restoreDraft();
    }
  }

  async function loadPlaybook(quietAboutMissingKey) {
    let playbook;
    try {
      playbook = await api("v1/playbook", "GET");
    } catch (err) {
      if (isAuthError(err)) {
        showKeyField();
        if (!(quietAboutMissingKey && err.code === "missing_api_key")) showError(err, null, true);
      } else {
        setServerStatus("Het draaiboek kon niet worden geladen: " + err.message, "bad");
      }
      return;
    }
    channels = Array.isArray(playbook.channels) ? playbook.channels : [];
    names = playbook.names && typeof playbook.names === "object" ? playbook.names : {};
    teams = Array.isArray(playbook.teams) ? playbook.teams : [];
    publicVoice = typeof playbook.public_voice === "string" ? playbook.public_voice : "";
    defaultChannel = playbook.default_channel || "";
    const remembered = storeGet(STORE_CHANNEL);
    const chosen = channelSelect.value || remembered;
    const wanted = channelById(chosen) ? chosen : defaultChannel;
    channelSelect.replaceChildren(
      ...channels.map((c) =>
        el(
          "option",
          { value: c.id },
          c.name + " (max. " + c.max_chars + " tekens)" + (c.id === defaultChannel ? " – standaard" : ""),
        ),
      ),
    );
    if (channelById(wanted)) channelSelect.value = wanted;
    playbookLoaded = true;
  }

  /* ---------- versturen -------------------------------------------------------------------- */

  function setBusy(on) {
    busy = on;
    submitButton.disabled = on;
    submitButton.textContent = on ? "Bezig…" : "Voorstellen";
    form.setAttribute("aria-busy", on ? "true" : "false");
    resultsSection.setAttribute("aria-busy", on ? "true" : "false");
    if (on) {
      results.replaceChildren(
        el("div", { class: "busy-state" }, el("span", { class: "spinner", "aria-hidden": "true" }), "Bezig…"),
      );
      announce("Bezig…");
    }
  }

  /** Wat het formulier meestuurt (zonder de tekst). */
  function contextFields() {
    const fields = { private: privateBox.checked };
    if (channelSelect.value) fields.channel = channelSelect.value;
    const posted = postedAtIso();
    if (posted) fields.posted_at = posted;
    if (author.value.trim()) fields.author_name = author.value.trim();
    if (initials.value.trim()) fields.initials = initials.value.trim();
    return fields;
  }

  async function submit() {
    if (busy) return;
    clearError();
    const text = comment.value;
    if (!text.trim()) {
      comment.setAttribute("aria-invalid", "true");
      showError(new Error("Plak eerst de reactie van de klant in het tekstvak."), comment);
      return;
    }
    if (authRequired && !keyInput.value.trim()) {
      keyInput.setAttribute("aria-invalid", "true");
      showError(new Error("Vul eerst de API-sleutel in."), keyInput);
      return;
    }
    if (postedAt.value && !postedAtIso()) {
      showError(new Error("Het moment van plaatsen is geen geldige datum en tijd."), postedAt);
      return;
    }
    const fields = contextFields();
    const reopened = current && current.text === text && current.queueItem ? current.queueItem : null;
    const body = Object.assign({ text }, fields);
    if (queueAvailable && !reopened) body.queue = true;

    setBusy(true);
    let data = null;
    try {
      data = await suggestCall(body);
    } catch (err) {
      setBusy(false);
      results.replaceChildren(renderEmpty("Geen resultaat: zie de melding bij het formulier."));
      showError(err);
      announce("Fout: " + err.message);
      return;
    }
    // de namen van koppen en plaatsing staan in het draaiboek: eerst ophalen als dat nog niet kon
    if (!playbookLoaded) await loadPlaybook(false);
    setBusy(false);
    const queueItem = data.queue_item && typeof data.queue_item === "object" ? data.queue_item : reopened;
    if (queueItem && typeof queueItem.id === "number") rememberQueueText(queueItem.id, text, fields);
    current = {
      text,
      fields,
      data,
      originalRequestId: data.request_id,
      queueItem,
      labels: null,
      outcome: null,
    };
    show(current, true);
    if (data.queue_item) loadQueue();
  }

  /** POST v1/suggest; een server zonder wachtrij krijgt het verzoek nog eens zonder `queue`. */
  async function suggestCall(body) {
    try {
      return await api("v1/suggest", "POST", body);
    } catch (err) {
      if ("queue" in body && err instanceof ApiFailure && err.status === 422 && /queue/.test(JSON.stringify(err.details))) {
        queueAvailable = false;
        const plain = Object.assign({}, body);
        delete plain.queue;
        return api("v1/suggest", "POST", plain);
      }
      throw err;
    }
  }

  /** Toon het antwoord van de server; `fresh`: net gevraagd (dan naar het resultaat scrollen). */
  function show(state, fresh) {
    try {
      renderResult(state);
    } catch (err) {
      results.replaceChildren(renderEmpty("Het antwoord van de server kon niet worden getoond."));
      showError(new Error("Het antwoord van de server kon niet worden getoond (" + err.message + ")."));
      return;
    }
    saveDraft();
    const data = state.data;
    const n = Array.isArray(data.suggestions) ? data.suggestions.length : 0;
    const prio = data.plan && data.plan.priority ? data.plan.priority + ". " : "";
    announce(n ? "Klaar. " + prio + "Het beste antwoord staat klaar om aan te passen en te kopiëren." : "Klaar. " + prio + "Geen antwoord voorgesteld; zie de aanpak.");
    if (fresh && NARROW.matches) {
      const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      resultsSection.scrollIntoView({ block: "start", behavior: reduced ? "auto" : "smooth" });
    }
  }

  /* ---------- resultaat tekenen ------------------------------------------------------------- */

  function renderEmpty(text) {
    return el("div", { class: "empty-state" }, el("p", { text }));
  }

  function renderResult(state) {
    const data = state.data;
    const triage = data.triage || {};
    const plan = data.plan || {};
    const suggestions = Array.isArray(data.suggestions) ? data.suggestions : [];
    const notes = Array.isArray(data.notes) ? data.notes : [];
    const noReply = plan.respond === false || suggestions.length === 0;
    const triageNotes = new Set(Array.isArray(triage.notes) ? triage.notes : []);

    const parts = [renderCase(plan, triage, state)];
    if (noReply) {
      parts.push(renderNoReply(plan, notes));
      if (plan.action === "manual") parts.push(renderReply(state, null, suggestions));
    } else {
      parts.push(renderReply(state, suggestions[0], suggestions));
      const otherNotes = notes.filter((n) => !triageNotes.has(n));
      if (suggestions.length > 1 || otherNotes.length) parts.push(renderAlternatives(state, suggestions, otherNotes));
    }
    parts.push(renderTriage(triage, state, noReply));
    parts.push(renderPlan(plan, noReply));
    results.replaceChildren(el("div", { class: "result" }, parts));
    updateDeadlines();
    if (state.editor) state.editor.resize();
  }

  /** De kop van het resultaat: prioriteit, termijn, wie plaatst, de signalen. */
  function renderCase(plan, triage, state) {
    const priority = /^P[1-4]$/.test(plan.priority || "") ? plan.priority : "";
    const flags = Array.isArray(triage.flags) ? triage.flags : [];
    const escalated = otherTeamPosts(plan);
    const speaks = plan.speaks || null;
    const corrected = Array.isArray(state.data.corrected) ? state.data.corrected : [];
    return el(
      "section",
      { class: "card case prio-border-" + (priority || "x").toLowerCase(), "aria-labelledby": "case-title" },
      el(
        "div",
        { class: "case-head" },
        el("span", { class: "badge prio-" + (priority || "x").toLowerCase(), text: plan.priority || "?" }),
        el(
          "div",
          { class: "case-title-block" },
          el("h2", { id: "case-title", text: plan.title || plan.situation || "Aanpak" }),
          el(
            "p",
            { class: "case-line" },
            el("span", { class: "prio-name", text: plan.priority_name || "" }),
            plan.priority_name ? " · " : "",
            "reageren vóór ",
            el("strong", { class: "deadline", text: plan.deadline_text || plan.deadline || "" }),
            " ",
            el("span", { class: "deadline-rel", "data-deadline": plan.deadline || "", "data-priority": priority }),
          ),
        ),
      ),
      flags.length
        ? el(
            "ul",
            { class: "chips case-flags", "aria-label": "Signalen" },
            flags.map((f) => el("li", { class: "chip flag" }, el("span", { "aria-hidden": "true", text: "⚠ " }), scoredName("flags", f))),
          )
        : null,
      corrected.length
        ? el("p", { class: "corrected-note", text: "Indeling door u gecorrigeerd (" + corrected.map((h) => nameOf("heads", h)).join(", ") + ")." })
        : null,
      escalated && speaks ? renderEscalation(plan, speaks) : renderInvolve(plan),
    );
  }

  /** Wie de reactie plaatst als dat niet het webcareteam is, en hoe u dat team bereikt. */
  function renderEscalation(plan, speaks) {
    const posted = plan.posted_by || null;
    const contact = (posted && posted.contact) || speaks.reach || "";
    const others = (Array.isArray(plan.escalate_to) ? plan.escalate_to : []).filter(
      (t) => t && t.team !== (posted ? posted.team : speaks.id) && !t.own_team,
    );
    return el(
      "div",
      { class: "escalation", role: "note" },
      el("p", null, el("strong", { text: "Niet zelf plaatsen: " + ((posted && posted.name) || speaks.name || speaks.id) + " plaatst de reactie." })),
      contact ? el("p", null, "Bereikbaar via: ", el("strong", { text: contact })) : null,
      others.length
        ? el("p", null, "Schakel ook in: ", others.map((t, i) => [i ? "; " : "", el("strong", { text: t.name }), t.contact ? " (" + t.contact + ")" : ""]))
        : null,
      el("p", { class: "muted", text: "Kopieer het voorstel hieronder en geef het aan hen door." }),
    );
  }

  /** Het webcareteam plaatst zelf, maar moet een ander team inschakelen: zeg wie en hoe. */
  function renderInvolve(plan) {
    const involve = (Array.isArray(plan.escalate_to) ? plan.escalate_to : []).filter((t) => t && !t.own_team);
    if (!involve.length) return null;
    return el(
      "div",
      { class: "involve", role: "note" },
      plan.escalation_text
        ? el("p", { class: "involve-lead", text: plan.escalation_text })
        : el(
            "ul",
            null,
            involve.map((t) => el("li", null, el("strong", { text: t.name }), t.role ? " – " + t.role : "", t.contact ? el("span", { class: "muted", text: " (" + t.contact + ")" }) : null)),
          ),
    );
  }

  function renderNoReply(plan, notes) {
    const unique = Array.from(new Set(notes));
    const steps = Array.isArray(plan.steps) ? plan.steps : [];
    const manual = plan.action === "manual";
    return el(
      "section",
      { class: "card no-reply", "aria-labelledby": "no-reply-title" },
      el(
        "h2",
        { id: "no-reply-title" },
        manual ? "Zelf beoordelen en zelf antwoorden" : plan.respond === false ? "Niet reageren met een standaardantwoord" : "Geen antwoord voorgesteld",
      ),
      el(
        "p",
        { class: "lead" },
        manual
          ? "Er is geen voorgesteld antwoord. Doe het volgende:"
          : plan.respond === false
            ? "Volgens het draaiboek: " + (plan.action_name || nameOf("actions", plan.action)) + ". Doe het volgende:"
            : "Er is geen antwoord dat door de controles komt. Doe het volgende:",
      ),
      renderSteps(steps, "no-reply-steps"),
      unique.length
        ? el("div", { class: "notes" }, el("h3", { text: "Opmerkingen" }), el("ul", null, unique.map((n) => el("li", { text: n }))))
        : null,
    );
  }

  /* ---------- het antwoord: bewerken, opnieuw controleren, kopiëren ---------------------------- */

  /** De bewerkbare tekst van het antwoord, met live controle en de knop die kopieert én vastlegt. */
  function renderReply(state, suggestion, suggestions) {
    const plan = state.data.plan || {};
    const escalated = otherTeamPosts(plan);
    const speaks = plan.speaks || null;
    const channel = channelById((suggestion && suggestion.channel) || plan.channel);
    const limit = channel ? channel.max_chars : null;

    if (!state.editor || state.editor.requestId !== state.data.request_id) {
      const keep = state.editor && state.editor.dirty ? state.editor : null;
      state.editor = {
        requestId: state.data.request_id,
        rank: suggestion ? suggestion.rank || 1 : null,
        original: suggestion ? suggestion.text || "" : "",
        text: keep ? keep.text : suggestion ? suggestion.text || "" : "",
        dirty: Boolean(keep),
        check: suggestion && !keep ? { passed: true, failures: [], fromSuggestion: suggestion } : null,
        resize: () => {},
      };
      if (keep) scheduleCheck(state, 0);
    }
    const editor = state.editor;
    const shown = suggestions.find((s) => s.rank === editor.rank) || suggestion;

    const box = el("textarea", {
      id: "reply",
      class: "reply-edit",
      rows: "5",
      spellcheck: "true",
      "aria-describedby": "reply-count reply-check",
    });
    box.value = editor.text;
    const count = el("span", { class: "count", id: "reply-count" });
    const checkBox = el("div", { class: "check-result", id: "reply-check", "aria-live": "polite" });
    const copyLabel = escalated && speaks ? "Kopieer voor " + shortTeam(speaks) : "Kopiëren";
    const copyButton = el("button", { type: "button", class: "button primary copy", id: "copy-reply" }, copyLabel);
    const rejectButton = suggestion
      ? el("button", { type: "button", class: "button", id: "reject-reply" }, "Geen van deze")
      : null;
    const outcome = el("p", { class: "outcome", id: "outcome", role: "status" });
    const editedMark = el("span", { class: "muted", text: editor.dirty ? " · door u aangepast" : "" });

    function refreshCount() {
      const n = charCount(box.value);
      count.textContent = limit !== null ? n + " / " + limit + " tekens" : tekens(n);
      count.classList.toggle("over", limit !== null && n > limit);
    }
    function resize() {
      box.style.height = "auto";
      if (box.scrollHeight) box.style.height = box.scrollHeight + 2 + "px";
    }
    editor.resize = resize;
    editor.showCheck = () => renderCheck(checkBox, editor);
    editor.showOutcome = () => renderOutcome(outcome, state);

    box.addEventListener("input", () => {
      editor.text = box.value;
      editor.dirty = box.value !== editor.original;
      editedMark.textContent = editor.dirty ? " · door u aangepast" : "";
      refreshCount();
      resize();
      scheduleCheck(state, CHECK_DELAY_MS);
      saveDraft();
    });
    copyButton.addEventListener("click", () => copyAndRecord(state, box, copyButton));
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        copyAndRecord(state, box, copyButton);
      }
    });
    if (rejectButton) rejectButton.addEventListener("click", () => recordReject(state, rejectButton));

    refreshCount();
    renderCheck(checkBox, editor);
    renderOutcome(outcome, state);

    const label = suggestion
      ? [el("span", { class: "reply-source", text: "Voorstel " + (editor.rank || 1) + (shown ? ": " + (shown.strategy_name || shown.strategy || "") : "") }), editedMark]
      : [el("span", { class: "reply-source", text: "Uw eigen antwoord" })];
    const posted = shown ? nameOf("posted", shown.posted) : "";
    return el(
      "section",
      { class: "card reply", "aria-labelledby": "reply-title" },
      el(
        "div",
        { class: "reply-head" },
        el("h2", { id: "reply-title", text: "Antwoord" }),
        posted && !escalated ? el("span", { class: "tag", text: posted }) : null,
        escalated && speaks ? el("span", { class: "tag escalated-tag", text: "plaatst: " + shortTeam(speaks) }) : null,
      ),
      el("label", { for: "reply", class: "reply-label" }, label, el("span", { class: "visually-hidden", text: " (bewerkbaar)" })),
      box,
      el("div", { class: "reply-tools" }, el("span", { class: "count-wrap" }, count, el("span", { class: "keys-hint muted" }, " · ", el("kbd", { text: "Ctrl" }), "+", el("kbd", { text: "Enter" }), " kopieert")), copyButton, rejectButton),
      checkBox,
      outcome,
      shown && (shown.explanation || shown.why)
        ? el("details", { class: "why-block" }, el("summary", { text: "Waarom dit antwoord" }), el("p", { text: shown.explanation || shown.why }),
            Array.isArray(shown.ranking) && shown.ranking.length ? el("ul", { class: "ranking" }, shown.ranking.map((r) => el("li", { text: r }))) : null)
        : null,
    );
  }

  function renderCheck(node, editor) {
    const check = editor.check;
    node.className = "check-result";
    // niet elke toetsaanslag voorlezen: pas de uitkomst van de controle
    if (check && check.pending) node.setAttribute("aria-busy", "true");
    else node.removeAttribute("aria-busy");
    if (!check) {
      fill(node, );
      return;
    }
    if (check.pending) {
      node.classList.add("pending");
      fill(node, el("span", { text: "Bezig met controleren…" }));
      return;
    }
    if (check.unavailable) {
      node.classList.add("unavailable");
      fill(node, el("span", { text: check.unavailable }));
      return;
    }
    if (check.fromSuggestion) {
      const guardrails = Array.isArray(check.fromSuggestion.guardrails) ? check.fromSuggestion.guardrails : [];
      const failed = guardrails.filter((g) => !g.passed);
      node.classList.add(failed.length ? "fail" : "ok");
      fill(node,
        el("span", { class: "tick", "aria-hidden": "true", text: failed.length ? "✗ " : "✓ " }),
        failed.length
          ? failed.length + " van " + guardrails.length + " controles niet in orde"
          : "Alle controles in orde (" + guardrails.length + ")",
        failed.length ? el("ul", { class: "failures" }, failed.map((g) => el("li", { text: g.message || g.name }))) : null,
      );
      return;
    }
    const failures = Array.isArray(check.failures) ? check.failures : [];
    node.classList.add(check.passed && !failures.length ? "ok" : "fail");
    fill(node,
      el("span", { class: "tick", "aria-hidden": "true", text: failures.length ? "✗ " : "✓ " }),
      failures.length
        ? (failures.length === 1 ? "1 probleem" : failures.length + " problemen") + " in uw tekst:"
        : "Uw tekst is opnieuw gecontroleerd: alles in orde.",
      failures.length ? el("ul", { class: "failures" }, failures.map((f) => el("li", { text: f.message || f.check }))) : null,
    );
  }

  let checkTimer = null;
  let checkAbort = null;

  /** Controleer de bewerkte tekst op de server (POST v1/check), even na de laatste toetsaanslag. */
  function scheduleCheck(state, delay) {
    const editor = state.editor;
    clearTimeout(checkTimer);
    if (checkAbort) checkAbort.abort();
    if (!editor.text.trim()) {
      editor.check = { passed: false, failures: [{ check: "empty", message: "Het antwoord is leeg." }] };
      if (editor.showCheck) editor.showCheck();
      return;
    }
    if (!editor.dirty && editor.rank) {
      const s = (state.data.suggestions || []).find((x) => x.rank === editor.rank);
      editor.check = s ? { passed: true, failures: [], fromSuggestion: s } : null;
      if (editor.showCheck) editor.showCheck();
      return;
    }
    editor.check = { pending: true };
    if (editor.showCheck) editor.showCheck();
    checkTimer = setTimeout(() => runCheck(state), delay);
  }

  async function runCheck(state) {
    const editor = state.editor;
    const text = editor.text;
    const controller = new AbortController();
    checkAbort = controller;
    const body = Object.assign(
      { comment: state.text, reply: text },
      pick(state.fields, ["channel", "private", "posted_at"]),
    );
    if (state.labels) body.labels = state.labels;
    let result;
    try {
      result = await api("v1/check", "POST", body, controller.signal);
    } catch (err) {
      if (controller.signal.aborted || state.editor !== editor || editor.text !== text) return;
      editor.check = {
        unavailable: isMissingEndpoint(err)
          ? "Deze server controleert aangepaste teksten nog niet: lees de tekst zelf goed na."
          : "Controleren lukte niet: " + err.message,
      };
      editor.showCheck();
      return;
    }
    if (state.editor !== editor || editor.text !== text) return;
    editor.check = {
      passed: Boolean(result.passed),
      failures: Array.isArray(result.failures) ? result.failures : [],
    };
    editor.showCheck();
  }

  function pick(obj, keys) {
    const out = {};
    for (const k of keys) if (obj && obj[k] !== undefined) out[k] = obj[k];
    return out;
  }

  function renderOutcome(node, state) {
    const o = state.outcome;
    node.className = "outcome";
    if (!o) {
      fill(node, );
      return;
    }
    if (o.error) {
      node.classList.add("error");
      fill(node, el("span", { text: o.error }));
      return;
    }
    node.classList.add("ok");
    // een eigen antwoord (geen voorstel) heeft geen feedback, alleen de status in de wachtrij
    const line =
      o.action === "written"
        ? "Gekopieerd."
        : (o.copied ? "Gekopieerd en vastgelegd als " : "Vastgelegd als ") + nameOf("feedback", o.action) + (o.rank ? " (voorstel " + o.rank + ")" : "") + ".";
    fill(node,
      el("span", { text: line }),
      o.queued ? el("span", { class: "muted", text: " In de wachtrij: " + o.queued + "." }) : null,
    );
  }

  /** Eén klik: de tekst op het klembord en de uitkomst (gebruikt of aangepast) vastgelegd. */
  async function copyAndRecord(state, box, button) {
    const editor = state.editor;
    const text = box.value;
    if (!text.trim()) {
      box.focus();
      return;
    }
    const ok = await copyText(text, button);
    if (!ok) {
      box.focus();
      box.select();
      state.outcome = { error: "Kopiëren lukte niet: de tekst is geselecteerd, druk op Ctrl+C." };
      editor.showOutcome();
      return;
    }
    const action = editor.rank && text === editor.original ? "used" : editor.rank ? "edited" : "written";
    const label = button.textContent;
    button.textContent = "Gekopieerd";
    button.classList.add("done");
    setTimeout(() => {
      button.textContent = label;
      button.classList.remove("done");
    }, 2500);
    const before = state.outcome;
    if (before && !before.error && before.text === text && before.action === action) {
      announce("Opnieuw gekopieerd.");
      return; // al vastgelegd
    }
    await recordOutcome(state, action, text, true);
  }

  async function recordReject(state, button) {
    button.disabled = true;
    await recordOutcome(state, "rejected", null, false);
    button.disabled = false;
  }

  /** Leg één uitkomst per reactie vast: feedback op het voorstel, en de status in de wachtrij. */
  async function recordOutcome(state, action, text, copied) {
    const editor = state.editor;
    const escalated = otherTeamPosts(state.data.plan || {});
    let queued = "";
    try {
      if (action !== "written") {
        const body = { request_id: state.data.request_id, action };
        if (editor.rank) body.rank = editor.rank;
        if (action === "edited") body.final_text = text;
        await api("v1/feedback", "POST", body);
      }
      if (state.queueItem && typeof state.queueItem.id === "number" && queueAvailable) {
        const status = action === "rejected" ? "open" : escalated ? "escalated" : "answered";
        const patch = { status };
        if (action !== "written") patch.outcome = action;
        if (text && action !== "used") patch.final_text = text;
        if (action !== "rejected") {
          try {
            const item = await api("v1/queue/" + state.queueItem.id, "PATCH", patch);
            state.queueItem = item;
            queued = status === "escalated" ? "doorgezet naar " + shortTeam(state.data.plan.speaks) : "beantwoord";
          } catch (err) {
            if (isMissingEndpoint(err)) queueAvailable = false;
            else throw err;
          }
          loadQueue();
        }
      }
    } catch (err) {
      state.outcome = { error: "Niet vastgelegd: " + err.message };
      if (isAuthError(err)) showError(err);
      editor.showOutcome();
      return;
    }
    state.outcome = { action, text, rank: action === "written" ? null : editor.rank, copied, queued };
    editor.showOutcome();
    saveDraft();
    // deze reactie is af: de volgende is "nu" geplaatst, tenzij de medewerker iets anders invult
    if (action !== "rejected") resetPostedAt();
  }

  /* ---------- de andere voorstellen ------------------------------------------------------------ */

  function renderAlternatives(state, suggestions, notes) {
    const others = suggestions.filter((s) => s.rank !== state.editor.rank);
    return el(
      "section",
      { class: "alternatives", "aria-labelledby": "alternatives-title" },
      el("h2", { id: "alternatives-title", text: "Andere voorstellen (" + others.length + ")" }),
      notes.length ? el("ul", { class: "notes-list" }, notes.map((n) => el("li", { text: n }))) : null,
      others.map((s) => renderAlternative(state, s)),
    );
  }

  function renderAlternative(state, s) {
    const rank = typeof s.rank === "number" ? s.rank : 0;
    const id = "s" + rank;
    const text = typeof s.text === "string" ? s.text : "";
    const guardrails = Array.isArray(s.guardrails) ? s.guardrails : [];
    const failed = guardrails.filter((g) => !g.passed);
    const useButton = el("button", { type: "button", class: "button use", "aria-describedby": id + "-title" }, "Dit antwoord gebruiken");
    useButton.addEventListener("click", () => {
      const editor = state.editor;
      editor.rank = rank;
      editor.original = text;
      editor.text = text;
      editor.dirty = false;
      editor.check = { passed: true, failures: [], fromSuggestion: s };
      renderResult(state);
      saveDraft();
      const box = $("reply");
      if (box) box.focus();
      announce("Voorstel " + rank + " staat nu in het antwoordveld.");
    });
    return el(
      "article",
      { class: "card suggestion", "aria-labelledby": id + "-title" },
      el(
        "header",
        { class: "suggestion-head" },
        el("span", { class: "rank", "aria-hidden": "true", text: String(rank) }),
        el("h3", { id: id + "-title" }, el("span", { class: "visually-hidden", text: "Voorstel " + rank + ": " }), s.strategy_name || s.strategy || ""),
      ),
      el("p", { class: "reply-text", text }),
      el(
        "div",
        { class: "suggestion-tools" },
        el("span", { class: "count" + (failed.length ? " over" : "") }, tekens(charCount(text)), failed.length ? " · " + failed.length + " controles niet in orde" : ""),
        useButton,
      ),
    );
  }

  /* ---------- de beoordeling, met correctie ----------------------------------------------------- */

  function scoreChip(head, scored, low, corrected) {
    if (!scored) return el("li", { class: "chip" }, nameOf("heads", head) + ": –");
    const doubt = low.includes(head) && !corrected.includes(head);
    const fixed = corrected.includes(head);
    return el(
      "li",
      { class: "chip" + (doubt ? " doubt" : "") + (fixed ? " fixed" : "") },
      el("span", { class: "chip-key", text: nameOf("heads", head) + ":" }),
      " ",
      el("strong", { text: scoredName(head, scored) }),
      " ",
      fixed ? el("span", { class: "chip-pct", text: "(door u)" }) : el("span", { class: "chip-pct", text: percent(scored.probability) }),
      doubt ? el("span", { class: "chip-doubt", text: " (twijfel)" }) : null,
    );
  }

  function renderTriage(triage, state, noReply) {
    const low = Array.isArray(triage.low_confidence) ? triage.low_confidence : [];
    const flags = Array.isArray(triage.flags) ? triage.flags : [];
    const possible = Array.isArray(triage.possible_flags) ? triage.possible_flags : [];
    const language = triage.language || {};
    const register = triage.register || {};
    const notes = !noReply && Array.isArray(triage.notes) ? triage.notes : [];
    const corrected = Array.isArray(state.data.corrected) ? state.data.corrected : [];
    const classified = Boolean(triage.sentiment || triage.intent || triage.topic);

    const correctButton = classified
      ? el("button", { type: "button", class: "button small", id: "correct-toggle", "aria-expanded": "false", "aria-controls": "correct-form" }, "Indeling corrigeren")
      : null;
    const correctForm = classified ? renderCorrection(triage, state) : null;
    if (correctButton) {
      correctButton.addEventListener("click", () => {
        const open = correctForm.hidden;
        correctForm.hidden = !open;
        correctButton.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) {
          const first = correctForm.querySelector("select");
          if (first) first.focus();
        }
      });
    }

    return el(
      "section",
      { class: "card triage", "aria-labelledby": "triage-title" },
      el("div", { class: "triage-head" }, el("h2", { id: "triage-title", text: "Beoordeling" }), correctButton),
      el(
        "details",
        { class: "quoted" },
        el("summary", { text: "Beoordeelde reactie" }),
        el("p", { class: "quoted-text", text: state.text }),
      ),
      el(
        "ul",
        { class: "chips", "aria-label": "Indeling" },
        classified
          ? [
              scoreChip("sentiment", triage.sentiment, low, corrected),
              scoreChip("intent", triage.intent, low, corrected),
              scoreChip("topic", triage.topic, low, corrected),
            ]
          : el("li", { class: "chip doubt", text: "Niet ingedeeld: beoordeel de reactie zelf" }),
      ),
      classified
        ? el(
            "ul",
            { class: "chips", "aria-label": "Signalen" },
            flags.length
              ? flags.map((f) =>
                  el(
                    "li",
                    { class: "chip flag" },
                    el("span", { "aria-hidden": "true", text: "⚠ " }),
                    el("strong", { text: scoredName("flags", f) }),
                    " ",
                    corrected.includes("flags")
                      ? el("span", { class: "chip-pct", text: "(door u)" })
                      : el("span", { class: "chip-pct", text: percent(f.probability) }),
                    Array.isArray(f.evidence) && f.evidence.length
                      ? el("span", {
                          class: "chip-why",
                          title: "De woorden in de reactie die dit signaal gaven",
                          text: " door " + f.evidence.map((w) => "“" + w + "”").join(", "),
                        })
                      : null,
                  ),
                )
              : possible.length
                ? null
                : el("li", { class: "chip quiet", text: "Geen signalen (zoals juridische of mediadreiging)" }),
            possible.map((f) =>
              el(
                "li",
                {
                  class: "chip doubt possible-flag",
                  title: "Het model ziet dit signaal, maar de reactie noemt niets wat erop wijst. Niet geëscaleerd; zet het via ‘Indeling corrigeren’ aan als het klopt.",
                },
                el("span", { "aria-hidden": "true", text: "? " }),
                "Mogelijk ",
                el("strong", { text: scoredName("flags", f) }),
                " ",
                el("span", { class: "chip-pct", text: percent(f.probability) + ", niet geëscaleerd" }),
              ),
            ),
          )
        : null,
      el(
        "p",
        { class: "meta-line" },
        el("span", null, "Taal: ", el("strong", { text: languageName(language.label) }), " ", percent(language.probability)),
        el(
          "span",
          null,
          "Aanspreekvorm klant: ",
          el("strong", { text: scoredName("register", register) || "–" }),
          register.label && register.label !== "unknown" ? " " + percent(register.probability) : "",
        ),
      ),
      low.length && classified
        ? el(
            "p",
            { class: "warning" },
            el("strong", { text: "Het model twijfelt over " + low.map((h) => nameOf("heads", h)).join(", ") + "." }),
            " Controleer de indeling en corrigeer haar zo nodig.",
          )
        : null,
      notes.length ? el("ul", { class: "notes-list" }, notes.map((n) => el("li", { text: n }))) : null,
      correctForm,
    );
  }

  /** Het formulier om sentiment, soort, onderwerp en signalen te corrigeren. */
  function renderCorrection(triage, state) {
    const heads = ["sentiment", "intent", "topic"];
    const labels = names && names.labels && typeof names.labels === "object" ? names.labels : {};
    const selects = {};
    const fields = heads.map((head) => {
      const options = labels[head] && typeof labels[head] === "object" ? Object.keys(labels[head]) : [];
      const chosen = triage[head] ? triage[head].label : "";
      if (chosen && !options.includes(chosen)) options.unshift(chosen);
      const select = el("select", { id: "correct-" + head }, options.map((o) => el("option", { value: o, selected: o === chosen }, labelName(head, o))));
      selects[head] = select;
      return el("div", { class: "field" }, el("label", { for: "correct-" + head, text: capitalise(nameOf("heads", head)) }), select);
    });
    const raised = new Set((Array.isArray(triage.flags) ? triage.flags : []).map((f) => f.label));
    const possible = new Set((Array.isArray(triage.possible_flags) ? triage.possible_flags : []).map((f) => f.label));
    const flagNames = labels.flags && typeof labels.flags === "object" ? Object.keys(labels.flags) : Array.from(raised);
    const boxes = flagNames.map((flag) => {
      const box = el("input", { type: "checkbox", id: "correct-flag-" + flag, value: flag, checked: raised.has(flag) });
      const text = labelName("flags", flag) + (possible.has(flag) ? " (mogelijk)" : "");
      return el("div", { class: "check" }, box, el("label", { for: "correct-flag-" + flag, text }));
    });
    const apply = el("button", { type: "submit", class: "button primary", id: "correct-apply" }, "Toepassen en opnieuw voorstellen");
    const message = el("p", { class: "correct-message", role: "status" });
    const wrap = el(
      "form",
      { class: "correct-form", id: "correct-form", hidden: true, novalidate: true, "aria-label": "Indeling corrigeren" },
      el("div", { class: "correct-grid" }, fields),
      el("fieldset", { class: "correct-flags" }, el("legend", { text: capitalise(nameOf("heads", "flags")) }), boxes),
      el("p", { class: "hint", text: "De aanpak en de voorstellen worden opnieuw bepaald, en uw correctie wordt bewaard om het model te verbeteren." }),
      el("div", { class: "actions" }, apply),
      message,
    );
    wrap.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = {};
      for (const head of heads) chosen[head] = selects[head].value;
      const checked = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
      const untouched = checked.length === raised.size && checked.every((f) => raised.has(f));
      // Flags left as they were say nothing about the possible ones: they stay possible.
      if (!(untouched && possible.size)) chosen.flags = checked;
      apply.disabled = true;
      message.textContent = "Bezig…";
      await applyCorrection(state, chosen, message);
      apply.disabled = false;
    });
    return wrap;
  }

  async function applyCorrection(state, labels, message) {
    const body = Object.assign({ text: state.text, labels }, state.fields);
    let data;
    try {
      data = await api("v1/suggest", "POST", body);
    } catch (err) {
      message.textContent = isMissingEndpoint(err) || (err.status === 422 && /labels/.test(JSON.stringify(err.details)))
        ? "Deze server kan de indeling nog niet corrigeren."
        : "Niet gelukt: " + err.message;
      return;
    }
    let stored = "";
    try {
      await api("v1/corrections", "POST", { request_id: state.originalRequestId, labels });
      stored = "Uw correctie is bewaard.";
    } catch (err) {
      stored = isMissingEndpoint(err) ? "Deze server bewaart correcties nog niet." : "Correctie niet bewaard: " + err.message;
    }
    const editor = state.editor;
    state.data = data;
    state.labels = labels;
    state.outcome = null;
    // een door de medewerker aangepaste tekst blijft staan (en wordt opnieuw gecontroleerd)
    if (editor && !editor.dirty) state.editor = null;
    else if (editor) editor.requestId = null;
    show(state, false);
    // terug naar boven: de nieuwe aanpak en het nieuwe antwoord staan daar
    resultsSection.scrollIntoView({ block: "start" });
    const box = $("reply");
    if (box) box.focus({ preventScroll: true });
    announce("Indeling aangepast. De aanpak en de voorstellen zijn opnieuw bepaald. " + stored);
    const note = document.querySelector(".case .corrected-note");
    if (note) note.textContent = note.textContent + " " + stored;
  }

  /* ---------- de aanpak ------------------------------------------------------------------------ */

  function team(t) {
    if (!t) return "–";
    return [el("strong", { text: t.name || t.id || "" }), t.reach ? el("span", { class: "muted", text: " – " + t.reach }) : null];
  }

  function renderSteps(steps, id) {
    return el(
      "ol",
      { class: "steps", id },
      steps.map((s) =>
        el(
          "li",
          null,
          el("p", { class: "step-do", text: s.do }),
          s.why ? el("p", { class: "step-why" }, el("span", { class: "why-label", text: "Waarom: " }), s.why) : null,
        ),
      ),
    );
  }

  function renderPlan(plan, noReply) {
    const priority = /^P[1-4]$/.test(plan.priority || "") ? plan.priority : "";
    const notify = Array.isArray(plan.notify) ? plan.notify : [];
    const reasons = Array.isArray(plan.reasons) ? plan.reasons : [];
    const also = Array.isArray(plan.also) ? plan.also : [];
    const steps = Array.isArray(plan.steps) ? plan.steps : [];
    const said = Array.isArray(plan.facts) ? plan.facts : [];
    const mustSay = Array.isArray(plan.must_say) ? plan.must_say : [];
    const channel = channelById(plan.channel);
    const urgent = priority === "P1" || priority === "P2";

    const rows = [
      ["Uiterlijk reageren", [
        el("strong", { text: plan.deadline_text || plan.deadline || "" }),
        plan.open_now === false ? el("span", { class: "muted", text: " · buiten openingstijden ontvangen" }) : null,
      ]],
      ["Behandelt", team(plan.route)],
      ["Plaatst de reactie", team(plan.speaks)],
    ];
    if (notify.length) {
      rows.push(["Ook informeren", notify.map((t, i) => [i ? el("br") : null, team(t)])]);
    }
    rows.push(
      ["Waar", el("span", { class: "tag vis-" + (plan.visibility || "x"), text: capitalise(plan.visibility_name || nameOf("visibility_tags", plan.visibility)) })],
      ["Actie", el("strong", { text: plan.action_name || plan.action || "" })],
      ["Toon", plan.tone || ""],
      ["Kanaal", [(channel ? channel.name : plan.channel || "") + " · antwoord in de " + (plan.register_name || plan.register || "")]],
    );

    return el(
      "details",
      { class: "card plan", open: urgent || noReply ? true : null },
      el(
        "summary",
        { class: "plan-summary" },
        el("h2", { id: "plan-title" }, "Aanpak en stappen"),
      ),
      el("dl", { class: "facts" }, rows.map(([k, v]) => [el("dt", { text: k }), el("dd", null, v)])),
      said.length
        ? el("div", { class: "said" }, el("h3", { text: "Wat de klant al zei" }), el("ul", { class: "said-list" }, said.map((f) => el("li", { text: f }))))
        : null,
      plan.answer ? el("div", { class: "answer" }, el("h3", { text: "Het draaiboek antwoordt" }), el("p", { class: "answer-text", text: plan.answer })) : null,
      mustSay.length
        ? el("div", { class: "must-say" }, el("h3", { text: "Moet in elk antwoord staan" }), el("ul", null, mustSay.map((m) => el("li", { text: m }))))
        : null,
      noReply ? null : [el("h3", { text: "Stappen" }), renderSteps(steps, "plan-steps")],
      also.length ? [el("h3", { text: "Ook van toepassing" }), el("ul", null, also.map((a) => el("li", { text: a })))] : null,
      reasons.length
        ? el("details", { class: "reasons" }, el("summary", { text: "Waarom deze aanpak" }), el("ul", null, reasons.map((r) => el("li", { text: r }))))
        : null,
    );
  }

  /* ---------- de wachtrij ---------------------------------------------------------------------- */

  function rememberQueueText(id, text, fields) {
    const texts = storeJson(STORE_TEXTS, "session") || {};
    texts[id] = { text, fields };
    const ids = Object.keys(texts);
    for (const old of ids.slice(0, Math.max(0, ids.length - 200))) delete texts[old];
    storeSet(STORE_TEXTS, JSON.stringify(texts), "session");
  }

  function queueText(item) {
    if (typeof item.text === "string" && item.text) return { text: item.text, fields: null };
    const texts = storeJson(STORE_TEXTS, "session") || {};
    return texts[item.id] || null;
  }

  let queueTimer = null;

  /** Elke minuut de wachtrij opnieuw, behalve terwijl de medewerker erin werkt (focus blijft staan). */
  function refreshQueue() {
    if (document.querySelector("#wachtrij").contains(document.activeElement)) {
      clearTimeout(queueTimer);
      queueTimer = setTimeout(refreshQueue, QUEUE_REFRESH_MS);
      return;
    }
    loadQueue();
  }

  async function loadQueue() {
    clearTimeout(queueTimer);
    queueTimer = setTimeout(refreshQueue, QUEUE_REFRESH_MS);
    if (!queueAvailable) return;
    const params = new URLSearchParams({ status: queueStatus.value || "open", limit: "100" });
    if (queuePriority.value) params.set("priority", queuePriority.value);
    let data;
    try {
      data = await api("v1/queue?" + params.toString(), "GET");
    } catch (err) {
      if (isMissingEndpoint(err)) {
        queueAvailable = false;
        queueMessage.textContent = "Deze server heeft nog geen wachtrij.";
        queueList.replaceChildren();
      } else if (!isAuthError(err)) {
        queueMessage.textContent = "De wachtrij kon niet worden geladen: " + err.message;
      }
      return;
    }
    const items = Array.isArray(data.items) ? data.items : [];
    renderQueue(items);
  }

  function renderQueue(items) {
    queueCount.textContent = items.length === 1 ? "1 reactie" : items.length + " reacties";
    queueMessage.textContent = items.length ? "" : queueStatus.value === "open" ? "Geen open reacties. Goed bezig!" : "Niets gevonden met dit filter.";
    queueList.replaceChildren(...items.map(renderQueueItem));
    updateDeadlines();
  }

  function renderQueueItem(item) {
    const priority = /^P[1-4]$/.test(item.priority || "") ? item.priority : "";
    const summary = item.summary || {};
    const flags = Array.isArray(summary.flags) ? summary.flags : [];
    const stored = queueText(item);
    const preview = (stored && stored.text) || item.preview || "";
    const open = item.status === "open";
    const channel = channelById(item.channel);
    const openButton = stored
      ? el("button", { type: "button", class: "button small" }, "Openen")
      : null;
    if (openButton) openButton.addEventListener("click", () => reopen(item, stored));
    const statusButtons = open
      ? [
          el("button", { type: "button", class: "button small", "data-status": "answered" }, "Beantwoord"),
          el("button", { type: "button", class: "button small", "data-status": "escalated" }, "Doorgezet"),
        ]
      : [el("button", { type: "button", class: "button small", "data-status": "open" }, "Weer openzetten")];
    for (const b of statusButtons) b.addEventListener("click", () => setQueueStatus(item, b.getAttribute("data-status"), b));
    const when = item.posted_at ? new Date(item.posted_at) : null;
    return el(
      "li",
      { class: "queue-item prio-" + (priority || "x").toLowerCase() + (item.overdue ? " overdue" : ""), "data-id": String(item.id) },
      el(
        "div",
        { class: "queue-line" },
        el("span", { class: "badge small prio-" + (priority || "x").toLowerCase(), text: priority || "?" }),
        el("span", { class: "queue-deadline" + (item.overdue ? " overdue" : ""), "data-deadline": item.deadline || "", "data-priority": priority }),
        item.status !== "open" ? el("span", { class: "tag", text: queueStatusName(item.status) }) : null,
      ),
      item.title ? el("p", { class: "queue-title", text: item.title }) : null,
      preview ? el("p", { class: "queue-preview", text: preview }) : null,
      el(
        "p",
        { class: "queue-meta muted" },
        [
          channel ? channel.name : item.channel || "",
          summary.topic ? labelName("topic", summary.topic) : "",
          flags.map((f) => labelName("flags", f)).join(", "),
          when && !isNaN(when.getTime()) ? "geplaatst " + when.toLocaleString("nl-NL", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }) : "",
        ].filter(Boolean).join(" · "),
      ),
      el("div", { class: "queue-actions" }, openButton, statusButtons),
    );
  }

  function queueStatusName(status) {
    return { open: "open", answered: "beantwoord", escalated: "doorgezet" }[status] || status;
  }

  async function setQueueStatus(item, status, button) {
    button.disabled = true;
    try {
      await api("v1/queue/" + item.id, "PATCH", { status });
    } catch (err) {
      button.disabled = false;
      queueMessage.textContent = "Niet gelukt: " + err.message;
      return;
    }
    const index = Array.from(queueList.children).findIndex((li) => li.getAttribute("data-id") === String(item.id));
    announce("Reactie " + queueStatusName(status) + ".");
    await loadQueue();
    // de focus niet kwijt: naar het item dat nu op die plaats staat, anders naar het filter
    const next = queueList.children[Math.min(index, queueList.children.length - 1)];
    const target = next ? next.querySelector("button") : queueStatus;
    if (target) target.focus();
  }

  function reopen(item, stored) {
    comment.value = stored.text;
    const f = stored.fields || {};
    if (f.channel && channelById(f.channel)) channelSelect.value = f.channel;
    else if (item.channel && channelById(item.channel)) channelSelect.value = item.channel;
    privateBox.checked = Boolean(f.private);
    author.value = f.author_name || "";
    if (item.posted_at) {
      const d = new Date(item.posted_at);
      if (!isNaN(d.getTime())) postedAt.value = localInputValue(d);
    }
    updateCount();
    current = { text: stored.text, queueItem: item, data: null };
    submit();
  }

  /* ---------- concept bewaren (sessionStorage: overleeft herladen, niet het sluiten van de tab) -- */

  function saveDraft() {
    if (!current || !current.data) {
      storeSet(STORE_DRAFT, "", "session");
      return;
    }
    const editor = current.editor || {};
    const draft = {
      text: current.text,
      fields: current.fields,
      data: current.data,
      originalRequestId: current.originalRequestId,
      queueItem: current.queueItem,
      labels: current.labels,
      outcome: current.outcome,
      editor: { requestId: editor.requestId, rank: editor.rank, original: editor.original, text: editor.text, dirty: editor.dirty },
    };
    storeSet(STORE_DRAFT, JSON.stringify(draft), "session");
  }

  function restoreDraft() {
    const draft = storeJson(STORE_DRAFT, "session");
    if (!draft || !draft.data || current) return;
    const f = draft.fields || {};
    comment.value = draft.text || "";
    if (f.channel && channelById(f.channel)) channelSelect.value = f.channel;
    privateBox.checked = Boolean(f.private);
    author.value = f.author_name || "";
    if (f.posted_at) {
      const d = new Date(f.posted_at);
      if (!isNaN(d.getTime())) postedAt.value = localInputValue(d);
    }
    updateCount();
    current = {
      text: draft.text,
      fields: f,
      data: draft.data,
      originalRequestId: draft.originalRequestId,
      queueItem: draft.queueItem,
      labels: draft.labels,
      outcome: draft.outcome,
      editor: draft.editor ? Object.assign({ check: null, resize: () => {} }, draft.editor) : null,
    };
    show(current, false);
    if (current.editor && current.editor.dirty) scheduleCheck(current, 0);
    else if (current.editor) scheduleCheck(current, 0);
  }

  /* ---------- klembord ------------------------------------------------------------------- */

  async function copyText(text, returnFocus) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (_) {
        /* val terug op execCommand */
      }
    }
    const scratch = el("textarea", { class: "offscreen", readonly: true, "aria-hidden": "true", tabindex: "-1" });
    scratch.value = text;
    document.body.append(scratch);
    scratch.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (_) {
      ok = false;
    }
    scratch.remove();
    if (returnFocus) returnFocus.focus();
    return ok;
  }

  /* ---------- koppelingen ------------------------------------------------------------------ */

  function updateCount() {
    commentCount.textContent = tekens(charCount(comment.value));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });

  comment.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  });
  comment.addEventListener("input", () => {
    updateCount();
    if (comment.value.trim()) comment.removeAttribute("aria-invalid");
  });

  keyInput.addEventListener("input", () => {
    storeSet(STORE_KEY, keyInput.value.trim());
    keyInput.removeAttribute("aria-invalid");
  });
  keyInput.addEventListener("change", () => {
    if (!playbookLoaded && keyInput.value.trim()) loadPlaybook(false).then(loadQueue);
  });
  initials.addEventListener("change", () => storeSet(STORE_INITIALS, initials.value.trim()));
  channelSelect.addEventListener("change", () => storeSet(STORE_CHANNEL, channelSelect.value));
  queueStatus.addEventListener("change", loadQueue);
  queuePriority.addEventListener("change", loadQueue);

  clearButton.addEventListener("click", () => {
    comment.value = "";
    author.value = "";
    privateBox.checked = false;
    resetPostedAt();
    current = null;
    saveDraft();
    updateCount();
    clearError();
    results.replaceChildren(renderEmpty("Plak de reactie van de klant en kies Voorstellen."));
    comment.focus();
  });

  keyInput.value = storeGet(STORE_KEY);
  if (keyInput.value) showKeyField();
  initials.value = storeGet(STORE_INITIALS);
  resetPostedAt();
  updateCount();
  postedAt.addEventListener("input", () => {
    postedTouched = true;
  });
  setInterval(() => {
    updateDeadlines();
    tickPostedAt();
  }, 30000);
  checkReady();
})();
