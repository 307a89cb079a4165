// The options page: server address, API key, default channel, initials; "Verbinding testen".

import {
  InputProblem,
  callApi,
  channelOptions,
  describeError,
  describeReady,
  normaliseApiKey,
  normaliseBaseUrl,
  normaliseInitials,
  permissionOrigins,
} from "./lib/api.js";
import { hasExtensionStorage, loadSettings, requestHostAccess, saveSettings } from "./lib/settings.js";

const $ = (id) => document.getElementById(id);

/** Show the outcome: tone "ok" | "error" | "info", a title and lines of text (textContent only). */
function show(tone, title, lines = []) {
  const box = $("result");
  box.className = `message ${tone}`;
  const list = document.createElement("ul");
  for (const line of lines) {
    const li = document.createElement("li");
    li.textContent = line;
    list.append(li);
  }
  const strong = document.createElement("strong");
  strong.textContent = title;
  box.replaceChildren(strong);
  if (lines.length) box.append(list);
  box.hidden = false;
}

/** The form's values, checked; throws an InputProblem. */
function readForm() {
  return {
    apiUrl: normaliseBaseUrl($("api").value),
    apiKey: normaliseApiKey($("key").value),
    initials: normaliseInitials($("initials").value),
    defaultChannel: $("channel").value,
  };
}

function fillChannels(playbook, selected) {
  const select = $("channel");
  const options = channelOptions(playbook);
  if (!options.length) return;
  const first = document.createElement("option");
  first.value = "";
  first.textContent = `Standaard van het draaiboek (${playbook.default_channel})`;
  const nodes = [first];
  for (const o of options) {
    const opt = document.createElement("option");
    opt.value = o.value;
    opt.textContent = o.label;
    nodes.push(opt);
  }
  select.replaceChildren(...nodes);
  select.value = options.some((o) => o.value === selected) ? selected : "";
}

function accessWarning(values, granted) {
  if (granted) return [];
  const origin = hasExtensionStorage() ? `chrome-extension://${globalThis.chrome?.runtime?.id ?? "<id>"}` : location.origin;
  return [
    `Zonder toegang tot ${new URL(values.apiUrl).host} bereikt de extensie de server alleen als die ` +
      `${origin} in RESPONDER_CORS_ORIGINS heeft staan.`,
  ];
}

async function onSave(event) {
  event.preventDefault();
  let values;
  try {
    values = readForm();
  } catch (err) {
    if (err instanceof InputProblem) return show("error", "Niet opgeslagen", [err.message]);
    throw err;
  }
  // Straight from the click, before anything else is awaited: Chrome asks the user.
  const granted = await requestHostAccess(permissionOrigins(values.apiUrl));
  await saveSettings(values);
  $("api").value = values.apiUrl;
  $("key").value = values.apiKey;
  $("initials").value = values.initials;
  show(granted ? "ok" : "info", "Opgeslagen.", accessWarning(values, granted));
}

async function onTest() {
  let values;
  try {
    values = readForm();
  } catch (err) {
    if (err instanceof InputProblem) return show("error", "Controleer de invoer", [err.message]);
    throw err;
  }
  const granted = await requestHostAccess(permissionOrigins(values.apiUrl));
  const button = $("test");
  button.disabled = true;
  show("info", "Bezig met testen…");
  try {
    await testConnection(values, granted);
  } finally {
    button.disabled = false;
  }
}

async function testConnection(values, granted) {
  const base = values.apiUrl;
  const ready = await callApi(fetch, base, values.apiKey, "/readyz", null, { timeoutMs: 8000 });
  if (!ready.ok) {
    if (ready.status === 503 && ready.body && typeof ready.body.status === "string") {
      return show("info", "Bereikbaar, nog niet klaar", [describeReady(ready.body, base)]);
    }
    const info = describeError(ready, { baseUrl: base, origin: location.origin, place: "options" });
    return show("error", info.title, [info.message, ...accessWarning(values, granted)]);
  }
  const lines = [describeReady(ready.data, base)];
  const needsKey = Boolean(ready.data.auth_required);
  if (needsKey && !values.apiKey) {
    lines.push("Sleutel nodig: deze server vraagt een API-sleutel. Vul hem hierboven in en sla op.");
    return show("error", "Bereikbaar, maar sleutel nodig", lines);
  }
  const playbook = await callApi(fetch, base, values.apiKey, "/v1/playbook", null, { timeoutMs: 8000 });
  if (!playbook.ok) {
    const info = describeError(playbook, { baseUrl: base, origin: location.origin, place: "options" });
    lines.push(info.message);
    return show("error", playbook.kind === "auth" ? "Bereikbaar, maar sleutel onjuist" : info.title, lines);
  }
  fillChannels(playbook.data, $("channel").value);
  lines.push(needsKey ? "Sleutel: geldig." : "Sleutel: niet nodig op deze server.");
  lines.push(`Draaiboek: ${playbook.data.name} (${playbook.data.channels?.length ?? 0} kanalen).`);
  return show("ok", "Verbinding werkt", lines);
}

async function start() {
  const settings = await loadSettings();
  $("api").value = settings.apiUrl;
  $("key").value = settings.apiKey;
  $("initials").value = settings.initials;
  if (settings.defaultChannel) {
    const opt = document.createElement("option");
    opt.value = settings.defaultChannel;
    opt.textContent = settings.defaultChannel;
    $("channel").append(opt);
    $("channel").value = settings.defaultChannel;
  }
  $("settings").addEventListener("submit", onSave);
  $("test").addEventListener("click", onTest);
  $("show-key").addEventListener("click", () => {
    const field = $("key");
    const visible = field.type === "text";
    field.type = visible ? "password" : "text";
    $("show-key").textContent = visible ? "Toon" : "Verberg";
    $("show-key").setAttribute("aria-pressed", String(!visible));
  });
  // Fill the channel list quietly when the saved server answers; errors wait for "Verbinding testen".
  try {
    const base = normaliseBaseUrl(settings.apiUrl);
    const key = normaliseApiKey(settings.apiKey);
    const playbook = await callApi(fetch, base, key, "/v1/playbook", null, { timeoutMs: 5000, probe: false });
    if (playbook.ok) fillChannels(playbook.data, settings.defaultChannel);
  } catch {
    // an invalid saved address: shown when the user tests or saves
  }
}

start();
