/* responder – webpagina voor webcaremedewerkers.
 *
 * Eén bestand, geen framework, geen build-stap. Alle tekst van de gebruiker en van de API komt
 * op de pagina via textContent / createElement (nooit innerHTML), zodat een reactie met HTML of
 * een script gewoon als tekst verschijnt.
 */
"use strict";

(function () {
  const STORE_KEY = "responder.apiKey";
  const STORE_INITIALS = "responder.initials";
  const STORE_CHANNEL = "responder.channel";
  const REQUEST_TIMEOUT_MS = 60000;

  // Alle Nederlandse namen komen van de API (één bron: responder/names.py): elk label in de
  // beoordeling heeft zijn eigen `name`, het plan heeft deadline_text, visibility_name,
  // action_name en register_name, en GET v1/playbook heeft de tabellen (`names`) voor de rest.
  // Ontbreekt een naam, dan tonen we het label zelf.

  const $ = (id) => document.getElementById(id);
  const form = $("suggest-form");
  const comment = $("comment");
  const commentCount = $("comment-count");
  const channelSelect = $("channel");
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

  let channels = []; // [{id, name, max_chars}] uit het draaiboek
  let names = {}; // de Nederlandse namen uit het draaiboek (labels, heads, posted, …)
  let defaultChannel = "";
  let playbookLoaded = false;
  let authRequired = false;
  let busy = false;

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

  function storeGet(name) {
    try {
      return window.localStorage.getItem(name) || "";
    } catch (_) {
      return "";
    }
  }

  function storeSet(name, value) {
    try {
      if (value) window.localStorage.setItem(name, value);
      else window.localStorage.removeItem(name);
    } catch (_) {
      /* opslag uitgeschakeld: dan onthouden we het niet */
    }
  }

  function percent(p) {
    if (typeof p !== "number" || !isFinite(p)) return "";
    return Math.round(p * 100) + "%";
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

  /** De naam die de API een label gaf ({label, probability, name}); anders die uit de tabel
   *  van het draaiboek (names.labels[head]); anders het label zelf. */
  function scoredName(head, scored) {
    if (!scored) return "";
    if (typeof scored.name === "string" && scored.name) return scored.name;
    const labels = names && names.labels && typeof names.labels === "object" ? names.labels[head] : null;
    const name = labels && typeof labels === "object" && scored.label ? labels[scored.label] : undefined;
    return typeof name === "string" && name ? name : scored.label || "";
  }

  function languageName(code) {
    if (!code) return "onbekend";
    if (code === "nl") return "Nederlands";
    try {
      const names = new Intl.DisplayNames(["nl"], { type: "language" });
      return names.of(code) || code;
    } catch (_) {
      return code;
    }
  }

  function channelById(id) {
    return channels.find((c) => c.id === id) || null;
  }

  function relativeDeadline(iso) {
    const when = new Date(iso).getTime();
    if (isNaN(when)) return "";
    const minutes = Math.round((when - Date.now()) / 60000);
    const span = (m) => {
      const h = Math.floor(m / 60);
      const rest = m % 60;
      if (h === 0) return rest + " min";
      if (h >= 48) return Math.round(h / 24) + " dagen";
      return rest ? h + " u " + rest + " min" : h + " u";
    };
    if (minutes > 0) return "(nog " + span(minutes) + ")";
    if (minutes === 0) return "(nu)";
    return "(termijn verstreken, " + span(-minutes) + " geleden)";
  }

  function updateDeadlines() {
    for (const node of document.querySelectorAll("[data-deadline]")) {
      const rel = relativeDeadline(node.getAttribute("data-deadline"));
      node.textContent = rel;
      node.classList.toggle("overdue", rel.startsWith("(termijn verstreken"));
    }
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

  async function api(path, method, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const key = keyInput.value.trim();
    if (key) headers.Authorization = "Bearer " + key;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
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

  /* ---------- meldingen ---------------------------------------------------------------------- */

  function showError(err, focusTarget) {
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
      keyInput.focus();
    } else if (focusTarget) {
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
    if (!authRequired || keyInput.value.trim()) await loadPlaybook(true);
  }

  async function loadPlaybook(quietAboutMissingKey) {
    let playbook;
    try {
      playbook = await api("v1/playbook", "GET");
    } catch (err) {
      if (isAuthError(err)) {
        showKeyField();
        if (!(quietAboutMissingKey && err.code === "missing_api_key")) showError(err);
      } else {
        setServerStatus("Het draaiboek kon niet worden geladen: " + err.message, "bad");
      }
      return;
    }
    channels = Array.isArray(playbook.channels) ? playbook.channels : [];
    names = playbook.names && typeof playbook.names === "object" ? playbook.names : {};
    defaultChannel = playbook.default_channel || "";
    const remembered = storeGet(STORE_CHANNEL);
    const current = channelSelect.value || remembered;
    const wanted = channelById(current) ? current : defaultChannel;
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
    const body = { text, private: privateBox.checked };
    if (channelSelect.value) body.channel = channelSelect.value;
    if (author.value.trim()) body.author_name = author.value.trim();
    if (initials.value.trim()) body.initials = initials.value.trim();

    setBusy(true);
    let data = null;
    try {
      data = await api("v1/suggest", "POST", body);
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
    try {
      renderResult(data, text);
    } catch (err) {
      results.replaceChildren(renderEmpty("Het antwoord van de server kon niet worden getoond."));
      showError(new Error("Het antwoord van de server kon niet worden getoond (" + err.message + ")."));
      return;
    }
    const n = Array.isArray(data.suggestions) ? data.suggestions.length : 0;
    announce(n ? "Klaar: " + n + " voorstellen." : "Klaar: geen antwoord voorgesteld; zie de aanpak.");
  }

  /* ---------- resultaat tekenen ------------------------------------------------------------- */

  function renderEmpty(text) {
    return el("div", { class: "empty-state" }, el("p", { text }));
  }

  function renderResult(data, text) {
    const triage = data.triage || {};
    const plan = data.plan || {};
    const suggestions = Array.isArray(data.suggestions) ? data.suggestions : [];
    const notes = Array.isArray(data.notes) ? data.notes : [];
    const noReply = plan.respond === false || suggestions.length === 0;

    const parts = [];
    if (noReply) parts.push(renderNoReply(plan, suggestions, notes));
    parts.push(renderTriage(triage, text, noReply));
    parts.push(renderPlan(plan, noReply));
    if (!noReply) {
      const triageNotes = new Set(Array.isArray(triage.notes) ? triage.notes : []);
      const otherNotes = notes.filter((n) => !triageNotes.has(n));
      parts.push(renderSuggestions(data.request_id, suggestions, otherNotes));
    }
    results.replaceChildren(el("div", { class: "result" }, parts));
    updateDeadlines();
  }

  function renderNoReply(plan, suggestions, notes) {
    const unique = Array.from(new Set(notes));
    const steps = Array.isArray(plan.steps) ? plan.steps : [];
    return el(
      "section",
      { class: "card no-reply", "aria-labelledby": "no-reply-title" },
      el("h2", { id: "no-reply-title" }, plan.respond === false ? "Niet reageren met een standaardantwoord" : "Geen antwoord voorgesteld"),
      el(
        "p",
        { class: "lead" },
        plan.respond === false
          ? "Volgens het draaiboek: " + (plan.action_name || nameOf("actions", plan.action || "manual")) + ". Doe het volgende:"
          : "Er is geen antwoord dat door de controles komt. Doe het volgende:",
      ),
      renderSteps(steps, "no-reply-steps"),
      unique.length
        ? el("div", { class: "notes" }, el("h3", { text: "Opmerkingen" }), el("ul", null, unique.map((n) => el("li", { text: n }))))
        : null,
    );
  }

  function scoreChip(head, scored, low) {
    if (!scored) return el("li", { class: "chip" }, nameOf("heads", head) + ": –");
    const doubt = low.includes(head);
    return el(
      "li",
      { class: "chip" + (doubt ? " doubt" : "") },
      el("span", { class: "chip-key", text: nameOf("heads", head) + ":" }),
      " ",
      el("strong", { text: scoredName(head, scored) }),
      " ",
      el("span", { class: "chip-pct", text: percent(scored.probability) }),
      doubt ? el("span", { class: "chip-doubt", text: " (twijfel)" }) : null,
    );
  }

  function renderTriage(triage, text, noReply) {
    const low = Array.isArray(triage.low_confidence) ? triage.low_confidence : [];
    const flags = Array.isArray(triage.flags) ? triage.flags : [];
    const language = triage.language || {};
    const register = triage.register || {};
    const notes = !noReply && Array.isArray(triage.notes) ? triage.notes : [];

    return el(
      "section",
      { class: "card triage", "aria-labelledby": "triage-title" },
      el("h2", { id: "triage-title", text: "Beoordeling" }),
      el(
        "details",
        { class: "quoted" },
        el("summary", { text: "Beoordeelde reactie" }),
        el("p", { class: "quoted-text", text }),
      ),
      el(
        "ul",
        { class: "chips", "aria-label": "Indeling" },
        triage.sentiment || triage.intent || triage.topic
          ? [
              scoreChip("sentiment", triage.sentiment, low),
              scoreChip("intent", triage.intent, low),
              scoreChip("topic", triage.topic, low),
            ]
          : el("li", { class: "chip doubt", text: "Niet ingedeeld: beoordeel de reactie zelf" }),
      ),
      el(
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
                el("span", { class: "chip-pct", text: percent(f.probability) }),
                Array.isArray(f.evidence) && f.evidence.length
                  ? el("span", {
                      class: "chip-why",
                      title: "De woorden in de reactie die dit signaal gaven",
                      text: " door " + f.evidence.map((w) => "“" + w + "”").join(", "),
                    })
                  : null,
              ),
            )
          : el("li", { class: "chip quiet", text: "Geen signalen (zoals juridische of mediadreiging)" }),
      ),
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
      low.length
        ? el(
            "p",
            { class: "warning" },
            el("strong", { text: "Het model twijfelt over " + low.map((h) => nameOf("heads", h)).join(", ") + "." }),
            " Controleer de indeling zelf voordat u een antwoord kiest.",
          )
        : null,
      notes.length ? el("ul", { class: "notes-list" }, notes.map((n) => el("li", { text: n }))) : null,
    );
  }

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

    const rows = [
      ["Uiterlijk reageren", [
        el("strong", { class: "deadline", text: plan.deadline_text || plan.deadline || "" }),
        " ",
        el("span", { class: "deadline-rel", "data-deadline": plan.deadline || "" }),
        plan.open_now === false ? el("span", { class: "muted", text: " · buiten openingstijden ontvangen" }) : null,
      ]],
      ["Behandelt", team(plan.route)],
      ["Plaatst de reactie", team(plan.speaks)],
    ];
    if (notify.length) {
      rows.push(["Ook informeren", notify.map((t, i) => [i ? el("br") : null, team(t)])]);
    }
    rows.push(
      ["Waar", [el("span", { class: "tag vis-" + (plan.visibility || "x"), text: nameOf("visibility_tags", plan.visibility) }), " ", plan.visibility_name || ""]],
      ["Actie", el("strong", { text: plan.action_name || plan.action || "" })],
      ["Toon", plan.tone || ""],
      ["Kanaal", [(channel ? channel.name : plan.channel || "") + " · antwoord in de " + (plan.register_name || plan.register || "")]],
    );

    return el(
      "section",
      { class: "card plan", "aria-labelledby": "plan-title" },
      el(
        "div",
        { class: "plan-head" },
        el("span", { class: "badge prio-" + (priority || "x").toLowerCase(), text: plan.priority || "?" }),
        el("div", null,
          el("h2", { id: "plan-title", text: plan.title || plan.situation || "Aanpak" }),
          el("p", { class: "prio-name", text: plan.priority_name || "" }),
        ),
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

  function renderSuggestions(requestId, suggestions, notes) {
    return el(
      "section",
      { class: "suggestions", "aria-labelledby": "suggestions-title" },
      el("h2", { id: "suggestions-title", text: "Voorstellen (" + suggestions.length + ")" }),
      notes.length ? el("ul", { class: "notes-list" }, notes.map((n) => el("li", { text: n }))) : null,
      suggestions.map((s, i) => renderSuggestion(requestId, s, i)),
    );
  }

  function renderSuggestion(requestId, s, index) {
    const rank = typeof s.rank === "number" ? s.rank : index + 1;
    const id = "s" + rank;
    const text = typeof s.text === "string" ? s.text : "";
    const channel = channelById(s.channel);
    const count = charCount(text);
    const limit = channel ? channel.max_chars : null;
    const over = limit !== null && count > limit;
    const guardrails = Array.isArray(s.guardrails) ? s.guardrails : [];
    const failed = guardrails.filter((g) => !g.passed);
    const ranking = Array.isArray(s.ranking) ? s.ranking : [];

    const copyButton = el("button", { type: "button", class: "button copy", "aria-describedby": id + "-title" }, "Kopiëren");
    const copyStatus = el("span", { class: "copy-status", role: "status" });
    const textBlock = el("div", {
      class: "reply-text",
      id: id + "-text",
      tabindex: "0",
      "aria-label": "Tekst van voorstel " + rank,
      text,
    });

    copyButton.addEventListener("click", async () => {
      const ok = await copyText(text, copyButton);
      if (ok) {
        copyButton.textContent = "Gekopieerd";
        copyButton.classList.add("done");
        copyStatus.textContent = "Voorstel " + rank + " staat op het klembord.";
        setTimeout(() => {
          copyButton.textContent = "Kopiëren";
          copyButton.classList.remove("done");
          copyStatus.textContent = "";
        }, 2500);
      } else {
        selectText(textBlock);
        copyStatus.textContent = "Kopiëren lukte niet: de tekst is geselecteerd, druk op Ctrl+C.";
      }
    });

    const card = el(
      "article",
      { class: "card suggestion", "aria-labelledby": id + "-title" },
      el(
        "header",
        { class: "suggestion-head" },
        el("span", { class: "rank", "aria-hidden": "true", text: String(rank) }),
        el("h3", { id: id + "-title" }, el("span", { class: "visually-hidden", text: "Voorstel " + rank + ": " }), s.strategy_name || s.strategy || ""),
        el("span", { class: "tag", text: nameOf("posted", s.posted) }),
      ),
      textBlock,
      el(
        "div",
        { class: "suggestion-tools" },
        el(
          "span",
          { class: "count" + (over ? " over" : "") },
          limit !== null ? count + " / " + limit + " tekens" : tekens(count),
          over ? " – te lang voor dit kanaal" : "",
        ),
        copyButton,
        copyStatus,
      ),
      el(
        "div",
        { class: "why-block" },
        el("h4", { text: "Waarom deze reactie" }),
        el("p", { text: s.explanation || s.why || "" }),
        ranking.length ? el("ul", { class: "ranking" }, ranking.map((r) => el("li", { text: r }))) : null,
      ),
      renderGuardrails(guardrails, failed),
      renderFeedback(requestId, rank, text, id, limit),
    );
    return card;
  }

  function renderGuardrails(guardrails, failed) {
    const ok = failed.length === 0;
    return el(
      "details",
      { class: "guardrails" + (ok ? " ok" : " fail"), open: !ok },
      el(
        "summary",
        null,
        el("span", { class: "tick", "aria-hidden": "true", text: ok ? "✓ " : "✗ " }),
        ok
          ? "Alle controles in orde (" + guardrails.length + ")"
          : failed.length + " van " + guardrails.length + " controles niet in orde",
      ),
      el(
        "ul",
        null,
        guardrails.map((g) =>
          el(
            "li",
            { class: g.passed ? "pass" : "failed" },
            el("span", { class: "tick", "aria-hidden": "true", text: g.passed ? "✓ " : "✗ " }),
            el("span", { class: "visually-hidden", text: g.passed ? "In orde: " : "Niet in orde: " }),
            g.message || g.name || "",
          ),
        ),
      ),
    );
  }

  function renderFeedback(requestId, rank, text, id, limit) {
    const message = el("p", { class: "feedback-message", role: "status" });
    const errorBox = el("p", { class: "feedback-error", role: "alert" });
    const used = el("button", { type: "button", class: "button" }, "Gebruikt");
    const edited = el("button", { type: "button", class: "button", "aria-expanded": "false", "aria-controls": id + "-edit" }, "Aangepast");
    const rejected = el("button", { type: "button", class: "button" }, "Afgewezen");
    const buttons = [used, edited, rejected];

    const editArea = el("textarea", { id: id + "-edit-text", rows: "5" });
    editArea.value = text;
    const editCount = el("span", { class: "count", id: id + "-edit-count" });
    const updateEditCount = () => {
      const n = charCount(editArea.value);
      editCount.textContent = limit !== null ? n + " / " + limit + " tekens" : tekens(n);
      editCount.classList.toggle("over", limit !== null && n > limit);
    };
    updateEditCount();
    editArea.setAttribute("aria-describedby", id + "-edit-count");
    editArea.addEventListener("input", updateEditCount);
    const save = el("button", { type: "button", class: "button primary" }, "Opslaan");
    const cancel = el("button", { type: "button", class: "button" }, "Annuleren");
    const editor = el(
      "div",
      { class: "editor", id: id + "-edit", hidden: true },
      el("label", { for: id + "-edit-text", text: "Tekst zoals u hem plaatst" }),
      editArea,
      el("div", { class: "editor-tools" }, editCount, save, cancel),
    );

    let sending = false;
    async function send(action, finalText, trigger) {
      if (sending) return;
      sending = true;
      errorBox.textContent = "";
      const all = buttons.concat([save, cancel]);
      for (const b of all) b.disabled = true;
      trigger.setAttribute("aria-busy", "true");
      const body = { request_id: requestId, action, rank };
      if (finalText !== undefined) body.final_text = finalText;
      try {
        await api("v1/feedback", "POST", body);
      } catch (err) {
        sending = false;
        for (const b of all) b.disabled = false;
        trigger.removeAttribute("aria-busy");
        errorBox.textContent = err.message;
        if (isAuthError(err)) showError(err);
        return;
      }
      trigger.removeAttribute("aria-busy");
      editor.hidden = true;
      edited.setAttribute("aria-expanded", "false");
      message.textContent = "Bedankt, vastgelegd (" + nameOf("feedback", action) + ").";
      group.classList.add("recorded");
      message.setAttribute("tabindex", "-1");
      message.focus();
    }

    used.addEventListener("click", () => send("used", undefined, used));
    rejected.addEventListener("click", () => send("rejected", undefined, rejected));
    edited.addEventListener("click", () => {
      const open = editor.hidden;
      editor.hidden = !open;
      edited.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        editArea.focus();
      }
    });
    cancel.addEventListener("click", () => {
      editor.hidden = true;
      edited.setAttribute("aria-expanded", "false");
      edited.focus();
    });
    save.addEventListener("click", () => {
      if (!editArea.value.trim()) {
        errorBox.textContent = "De aangepaste tekst is leeg.";
        editArea.focus();
        return;
      }
      send("edited", editArea.value, save);
    });

    const group = el(
      "div",
      { class: "feedback" },
      el("div", { class: "feedback-buttons", role: "group", "aria-label": "Wat deed u met voorstel " + rank + "?" }, el("span", { class: "feedback-label", "aria-hidden": "true", text: "Wat deed u ermee?" }), buttons),
      editor,
      message,
      errorBox,
    );
    return group;
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

  function selectText(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    node.focus();
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
    if (!playbookLoaded && keyInput.value.trim()) loadPlaybook(false);
  });
  initials.addEventListener("change", () => storeSet(STORE_INITIALS, initials.value.trim()));
  channelSelect.addEventListener("change", () => storeSet(STORE_CHANNEL, channelSelect.value));

  clearButton.addEventListener("click", () => {
    comment.value = "";
    author.value = "";
    privateBox.checked = false;
    updateCount();
    clearError();
    results.replaceChildren(renderEmpty("Plak de reactie van de klant en kies Voorstellen."));
    comment.focus();
  });

  keyInput.value = storeGet(STORE_KEY);
  if (keyInput.value) showKeyField();
  initials.value = storeGet(STORE_INITIALS);
  updateCount();
  setInterval(updateDeadlines, 30000);
  checkReady();
})();
