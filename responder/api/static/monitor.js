/* Monitoring page: fetches the figures as an HTML fragment (inline SVG, rendered and escaped by
   the server) with the API key the work page remembers, and refreshes every minute. */
(function () {
  "use strict";
  const STORE_KEY = "responder.apiKey";
  const days = document.getElementById("days");
  const keyField = document.getElementById("key-field");
  const keyInput = document.getElementById("key");
  const status = document.getElementById("status");
  const figures = document.getElementById("figures");
  const json = document.getElementById("json");

  function storedKey() {
    try {
      return window.localStorage.getItem(STORE_KEY) || "";
    } catch (_) {
      return "";
    }
  }

  function remember(value) {
    try {
      if (value) window.localStorage.setItem(STORE_KEY, value);
    } catch (_) {
      /* opslag uitgeschakeld */
    }
  }

  async function load() {
    const key = keyInput.value.trim() || storedKey();
    const headers = { Accept: "text/html" };
    if (key) headers.Authorization = "Bearer " + key;
    json.href = "/v1/monitor?days=" + encodeURIComponent(days.value);
    status.textContent = "Laden…";
    let response;
    try {
      response = await fetch("/v1/monitor/view?days=" + encodeURIComponent(days.value), {
        headers: headers,
        credentials: "omit",
      });
    } catch (_) {
      status.textContent = "De server is niet bereikbaar. Probeer het zo opnieuw.";
      return;
    }
    if (response.status === 401) {
      keyField.hidden = false;
      status.textContent = "Deze server vraagt een API-sleutel. Vul hem in en kies Vernieuwen.";
      return;
    }
    if (!response.ok) {
      let message = "De cijfers konden niet worden geladen (" + response.status + ").";
      try {
        const body = await response.json();
        if (body && body.error && body.error.message) message = body.error.message;
      } catch (_) {
        /* geen JSON */
      }
      status.textContent = message;
      return;
    }
    if (keyInput.value.trim()) remember(keyInput.value.trim());
    // The server escapes every value in this fragment; it holds no scripts.
    figures.innerHTML = await response.text();
    status.textContent = "Bijgewerkt om " + new Date().toLocaleTimeString("nl-NL") + ".";
  }

  document.getElementById("controls").addEventListener("submit", function (event) {
    event.preventDefault();
    load();
  });
  days.addEventListener("change", load);
  load();
  window.setInterval(load, 60000);
})();
