"""The Chromium extension (extension/): its node unit tests, the popup and options pages in a real
Chromium against a live API, and the unpacked extension itself (service worker, context-menu
flow, host permissions instead of CORS).

Needs Debian's chromium (/usr/bin/chromium) and node; skipped with the reason when either is
missing. Playwright's own browsers are not used (no ``playwright install``).
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from live_server import free_port

try:
    from playwright import sync_api as playwright_sync
except ImportError:  # pragma: no cover - the dev extras install it
    playwright_sync = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "extension"
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
NODE = shutil.which("node") or next((p for p in ("/usr/bin/node",) if Path(p).is_file()), None)

needs_node = pytest.mark.skipif(
    NODE is None, reason="node is not installed (extension/test/ runs on node's own test runner)"
)


def expect(locator: Any) -> Any:
    return playwright_sync.expect(locator)


COMMENT = "Mijn pakket is nog steeds niet geleverd, ik stap naar de advocaat!"
TIMEOUT_MS = 15_000

FakeApi = Callable[..., str]


# --- 1. the JavaScript unit tests ---------------------------------------------------------------


@needs_node
def test_node_unit_tests_pass() -> None:
    assert NODE is not None
    proc = subprocess.run(
        [NODE, "--test", "extension/test/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    counts = dict(re.findall(r"^# (pass|fail) (\d+)$", output, flags=re.M))
    assert int(counts["fail"]) == 0
    assert int(counts["pass"]) >= 100, output[-2000:]


def test_js_fixtures_match_the_api_schema() -> None:
    """The examples the JS tests use have the shape the API really returns."""
    from responder.api.schemas import ErrorPublic, PlaybookPublic, SuggestPublic

    fixtures = EXTENSION / "test" / "fixtures"
    SuggestPublic.model_validate(json.loads((fixtures / "suggest.json").read_text("utf-8")))
    PlaybookPublic.model_validate(json.loads((fixtures / "playbook.json").read_text("utf-8")))
    ErrorPublic.model_validate(json.loads((fixtures / "error.json").read_text("utf-8")))


def test_js_fixtures_carry_the_names_the_api_sends() -> None:
    """The JS tests see the same Dutch names the API sends: the playbook's `names` table is
    responder.names', every label has its `name`, the plan its deadline_text."""
    from datetime import datetime

    from responder.names import display_names, format_moment, label_name

    fixtures = EXTENSION / "test" / "fixtures"
    playbook = json.loads((fixtures / "playbook.json").read_text("utf-8"))
    assert playbook["names"] == json.loads(json.dumps(display_names()))
    advice = json.loads((fixtures / "suggest.json").read_text("utf-8"))
    triage, plan = advice["triage"], advice["plan"]
    for head in ("sentiment", "intent", "topic", "register"):
        assert triage[head]["name"] == label_name(head, triage[head]["label"])
    assert triage["flags"]
    for flag in triage["flags"]:
        assert flag["name"] == label_name("flags", flag["label"])
    received = datetime.fromisoformat(plan["received_at"])
    assert plan["deadline_text"] == format_moment(
        datetime.fromisoformat(plan["deadline"]), received
    )
    assert plan["register_name"] == label_name("register", plan["register"])


CLIENT_FILES = [
    ROOT / "responder" / "api" / "static" / "app.js",
    EXTENSION / "lib" / "api.js",
    EXTENSION / "lib" / "settings.js",
    EXTENSION / "popup.js",
    EXTENSION / "options.js",
    EXTENSION / "background.js",
]


def test_clients_have_no_dutch_name_tables() -> None:
    """The Dutch names live once, in responder/names.py, and reach the web page and the
    extension through the API. No client may quote one of them as a string of its own."""
    from responder import names

    tables: list[dict[str, str]] = [
        *names.LABEL_NAMES.values(),
        names.HEAD_NAMES,
        names.VISIBILITY_NAMES,
        names.VISIBILITY_TAGS,
        names.ACTION_NAMES,
        names.POSTED_NAMES,
        names.FEEDBACK_NAMES,
        names.SOURCE_NAMES,
    ]
    words = {name for table in tables for key, name in table.items() if name != key}
    words |= {*names.MONTHS, *names.WEEKDAY_NAMES}
    words.discard("onbekend")  # also the page's word for a language it cannot name
    assert {"factuur en betaling", "juridische dreiging", "soort reactie"} <= words
    found = {}
    for path in CLIENT_FILES:
        source = path.read_text("utf-8")
        quoted = [w for w in sorted(words) if re.search(rf"[\"'`]{re.escape(w)}[\"'`]", source)]
        literal = [w for w in ("factuur en betaling", "juridische dreiging") if w in source]
        if quoted or literal:
            found[str(path.relative_to(ROOT))] = sorted({*quoted, *literal})
    assert not found, f"Dutch names copied into a client (use what the API sends): {found}"


# --- fixtures -----------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    """The extension/ folder served over http on loopback, as a plain web page."""
    handler = functools.partial(_QuietHandler, directory=str(EXTENSION))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    """Every browser test goes through here: skipped, with the reason, without a browser."""
    if not CHROMIUM.is_file():
        pytest.skip(
            "Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        )
    if playwright_sync is None:
        pytest.skip("Python playwright is not installed (pip install -e '.[dev]')")
    with playwright_sync.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(browser: Any, static_url: str) -> Iterator[Any]:
    context = browser.new_context(locale="nl-NL")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=static_url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def popup(static_url: str, **params: str) -> str:
    return f"{static_url}/popup.html?{urlencode(params)}"


def suggest_and_wait(page: Any) -> Any:
    """Ask, wait for the reply; the cards of the other suggestions."""
    page.click("#suggest")
    expect(page.locator("#reply")).to_be_visible()
    cards = page.locator("#suggestions .card")
    expect(cards.first).to_be_visible()
    return cards


# --- 2. the popup as a web page against a live API ----------------------------------------------


@pytest.mark.browser
@pytest.mark.server
def test_popup_shows_triage_plan_and_suggestions(
    page: Any, static_url: str, fake_api: FakeApi
) -> None:
    api = fake_api(cors_origins=static_url)
    page.goto(popup(static_url, api=api, text=COMMENT, channel="x", initials="AB"))

    expect(page.locator("#comment")).to_have_value(COMMENT)
    # the channels come from GET /v1/playbook; the requested one is selected
    expect(page.locator("#channel option[value='instagram']")).to_have_count(1)
    expect(page.locator("#channel")).to_have_value("x")
    expect(page.locator("#server")).to_contain_text(api)

    cards = suggest_and_wait(page)
    # reply first: the best suggestion, editable, signed, copy = the outcome
    reply = page.locator("#reply")
    text = reply.input_value()
    assert len(text.strip()) > 20 and text.rstrip().endswith("^AB"), text
    expect(page.locator("#copy-reply")).to_have_text("Kopiëren")
    expect(page.locator("#reject-reply")).to_have_text("Geen van deze")
    expect(page.locator("#reply-meta")).to_contain_text("van 280 tekens")
    expect(page.locator("#reply-check")).to_contain_text("Alle controles in orde")
    # the other suggestions, one click from the editor
    assert cards.count() >= 2
    for i in range(cards.count()):
        card = cards.nth(i)
        assert card.locator(".suggestion-preview").inner_text().rstrip().endswith("^AB")
        expect(card.locator("button.use")).to_have_text("Dit antwoord gebruiken")
        expect(card.locator(".meta")).to_contain_text("van 280 tekens")

    # the case on top: priority, deadline in Dutch, in red for a P1, the warning chips
    case = page.locator("#case")
    expect(case.locator(".prio")).to_have_text("P1")
    expect(case.locator(".prio")).to_have_class(re.compile(r"\bprio-p1\b"))
    expect(case.locator(".deadline")).to_have_text(
        re.compile(r"^(vandaag|morgen) \d{1,2}\.\d{2} uur$")
    )
    expect(case.locator(".time-left")).to_have_class(re.compile(r"\burgent\b"))
    expect(case.locator(".chip.flag")).to_contain_text("juridische dreiging")
    expect(case.locator(".involve")).to_contain_text("Juridische zaken")
    # triage: Dutch labels, the legal-threat flag
    triage = page.locator("#triage")
    expect(triage).to_contain_text("Beoordeling")
    expect(triage).to_contain_text("negatief")
    expect(triage.locator(".chip.flag")).to_contain_text("juridische dreiging")
    # plan: open for a P1; route, public/DM, steps with why
    plan = page.locator("#plan")
    assert plan.locator("details.plan-details").get_attribute("open") is not None
    expect(plan).to_contain_text("Juridische zaken")
    expect(plan).to_contain_text("Openbaar of DM")
    steps = plan.locator(".steps li")
    assert steps.count() >= 2
    expect(steps.first.locator(".why")).to_contain_text("Waarom:")


def _serve_fixtures(page: Any, advice: dict[str, Any], playbook: dict[str, Any]) -> str:
    """An API address whose /v1/playbook and /v1/suggest answer with these (allowing CORS)."""
    answers = {"/v1/playbook": json.dumps(playbook), "/v1/suggest": json.dumps(advice)}

    def answer(route: Any) -> None:
        path = "/" + route.request.url.split("/", 3)[3]
        route.fulfill(
            status=200,
            body=answers[path],
            headers={"content-type": "application/json", "access-control-allow-origin": "*"},
        )

    api = f"http://127.0.0.1:{free_port()}"
    page.route(f"{api}/v1/**", answer)
    return api


@pytest.mark.browser
def test_popup_names_come_from_the_api(page: Any, static_url: str) -> None:
    """The popup shows the names the API sends (labels' `name`, plan.deadline_text, the
    playbook's `names`); where one is missing, the raw label."""
    fixtures = EXTENSION / "test" / "fixtures"
    advice = json.loads((fixtures / "suggest.json").read_text("utf-8"))
    playbook = json.loads((fixtures / "playbook.json").read_text("utf-8"))
    advice["triage"]["topic"] = {
        "label": "billing",
        "probability": 0.7,
        "name": "factuur en betaling",
    }
    advice["triage"]["low_confidence"] = ["intent"]
    del advice["triage"]["sentiment"]["name"]  # then the playbook's table names it
    del advice["triage"]["flags"][0]["name"]  # and neither names this one
    del playbook["names"]["labels"]["flags"]["legal_threat"]
    advice["plan"]["deadline_text"] = "maandag 2 december 8.00 uur"
    playbook["names"]["heads"]["topic"] = "onderwerp (API)"
    playbook["names"]["heads"]["intent"] = "soort (API)"
    playbook["names"]["posted"]["public"] = "plaatsen (API)"
    playbook["names"]["sources"]["playbook"] = "bron (API)"
    playbook["names"]["labels"]["register"]["u"] = "u (API)"
    api = _serve_fixtures(page, advice, playbook)
    page.goto(popup(static_url, api=api, text=COMMENT, channel="x"))
    expect(page.locator("#channel")).to_have_value("x")
    suggest_and_wait(page)

    triage = page.locator("#triage")
    expect(triage).to_contain_text("onderwerp (API): factuur en betaling 70%")
    expect(triage).to_contain_text("sentiment: negatief 80%")
    expect(triage.locator(".chip.flag")).to_have_text("⚑ legal_threat 90%")  # the raw label
    expect(triage).to_contain_text("Het model twijfelt over: soort (API).")
    expect(page.locator("#case .deadline")).to_have_text("maandag 2 december 8.00 uur")
    meta = page.locator("#reply-meta")
    expect(meta).to_have_text(
        re.compile(
            r"^plaatsen \(API\) · X · u \(API\) · \d+ van 280 tekens · uit het bron \(API\)$"
        )
    )

    # an older server without a deadline_text: the raw time, never the page's own wording
    del advice["plan"]["deadline_text"]
    api = _serve_fixtures(page, advice, playbook)
    page.goto(popup(static_url, api=api, text=COMMENT, channel="x"))
    suggest_and_wait(page)
    expect(page.locator("#case .deadline")).to_have_text(advice["plan"]["deadline"])


@pytest.mark.browser
@pytest.mark.server
def test_copy_and_feedback(page: Any, static_url: str, fake_api: FakeApi) -> None:
    api = fake_api(cors_origins=static_url)
    page.goto(popup(static_url, api=api, text=COMMENT))
    suggest_and_wait(page)

    # copy = the outcome, in one click: used as is
    reply = page.locator("#reply")
    expected = reply.input_value()
    copy = page.locator("#copy-reply")
    copy.click()
    expect(copy).to_have_text("Gekopieerd")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    outcome = page.locator("#outcome")
    expect(outcome).to_have_text("Gekopieerd en vastgelegd als gebruikt (voorstel 1).")

    # edit: the live re-check shows the failure inline; fixed, copied, it becomes "aangepast"
    reply.fill(expected + " Stuur je IBAN NL91ABNA0417164300 even.")
    check = page.locator("#reply-check")
    expect(check).to_contain_text("IBAN")
    expect(check).to_have_class(re.compile(r"\bfail\b"))
    fixed = expected.replace(" ^", " Fijne dag verder. ^")
    reply.fill(fixed)
    expect(check).to_contain_text("Uw tekst is opnieuw gecontroleerd: alles in orde.")
    copy.click()
    expect(outcome).to_have_text("Gekopieerd en vastgelegd als aangepast (voorstel 1).")
    assert page.evaluate("navigator.clipboard.readText()") == fixed

    # or none of them: rejected (one outcome per comment: it replaces the last)
    page.locator("#reject-reply").click()
    expect(outcome).to_have_text("Vastgelegd als afgewezen (voorstel 1).")

    # editing the comment afterwards marks the suggestions as stale
    expect(page.locator("#stale")).to_be_hidden()
    page.fill("#comment", "Een andere reactie")
    expect(page.locator("#stale")).to_be_visible()


@pytest.mark.browser
@pytest.mark.server
def test_popup_label_correction_changes_the_plan(
    page: Any, static_url: str, fake_api: FakeApi, tmp_path: Path
) -> None:
    from responder.storage import Storage

    api = fake_api(cors_origins=static_url)
    page.goto(popup(static_url, api=api, text=COMMENT))
    suggest_and_wait(page)
    expect(page.locator("#case h2")).to_have_text("Dreiging met juridische stappen")
    toggle = page.locator("#correct-toggle")
    expect(toggle).to_have_text("Indeling corrigeren")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    form = page.locator("#correct-form")
    form.get_by_label("juridische dreiging").uncheck()
    form.get_by_label("mediadreiging").check()
    form.get_by_role("button", name="Toepassen en opnieuw voorstellen").click()

    case = page.locator("#case")
    expect(case.locator("h2")).to_contain_text("media")
    expect(case.locator(".escalation")).to_contain_text(
        "Niet zelf plaatsen: Woordvoering (afdeling Communicatie) plaatst de reactie."
    )
    expect(case.locator(".escalation")).to_contain_text("dienstdoende woordvoerder")
    expect(case.locator(".corrected-note")).to_contain_text("Uw correctie is bewaard.")
    expect(page.locator("#copy-reply")).to_have_text("Kopieer voor Woordvoering")
    expect(page.locator("#reply-meta")).to_contain_text("plaatst: Woordvoering")
    expect(page.locator("#results")).not_to_contain_text("openbaar plaatsen")
    expect(page.locator("#triage .chip.flag")).to_have_text("⚑ mediadreiging (door u)")
    page.set_viewport_size({"width": 480, "height": 820})  # the responder window's size
    page.locator("#case").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "extension-correction-media.png"))
    stored = Storage(f"sqlite:///{tmp_path / 'api-0.db'}").corrections()
    assert [(c["flags"], c["corrected"]) for c in stored] == [(["media_threat"], ["flags"])]

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=static_url)
    page.locator("#copy-reply").click()
    expect(page.locator("#outcome")).to_contain_text("Geef het door aan Woordvoering.")
    items = Storage(f"sqlite:///{tmp_path / 'api-0.db'}").queue_items(None, ("escalated",))
    assert len(items) == 1


@pytest.mark.browser
@pytest.mark.server
def test_popup_foreign_comment_is_left_to_the_agent(
    page: Any, static_url: str, fake_api: FakeApi
) -> None:
    api = fake_api(cors_origins=static_url)
    text = "La entrega llega tarde y nadie contesta mis correos, es un servicio terrible."
    page.goto(popup(static_url, api=api, text=text))
    expect(page.locator("#channel option[value='x']")).to_have_count(1)
    page.click("#suggest")
    expect(page.locator("#reply")).to_have_value("")  # the agent writes it
    expect(page.locator("label[for=reply]")).to_have_text("Uw eigen antwoord")
    plan = page.locator("#plan")
    expect(plan.locator(".note.strong")).to_contain_text("schrijf zo nodig zelf een antwoord")
    body = page.locator("#results").inner_text()
    assert "niet inhoudelijk" not in body and "manual" not in body


@pytest.mark.browser
def test_html_in_comment_and_answer_stays_text(page: Any, static_url: str) -> None:
    """Comments (and so replies, names, notes) may hold HTML; the page never parses it."""
    evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    fixtures = EXTENSION / "test" / "fixtures"
    advice = json.loads((fixtures / "suggest.json").read_text("utf-8"))
    advice["suggestions"][0]["text"] = f"Hallo {evil}! ^AB"
    advice["suggestions"][0]["strategy_name"] = evil
    advice["plan"]["title"] = evil
    advice["plan"]["steps"][0]["do"] = evil
    advice["plan"]["route"]["name"] = evil
    advice["plan"]["priority"] = '"><img src=x onerror="window.__pwned=3">'
    advice["triage"]["notes"] = [evil]
    advice["notes"] = [evil]
    advice["triage"]["topic"]["name"] = evil
    playbook = json.loads((fixtures / "playbook.json").read_text("utf-8"))
    playbook["names"]["heads"]["topic"] = evil
    playbook["names"]["posted"]["public"] = evil
    api = _serve_fixtures(page, advice, playbook)
    page.goto(popup(static_url, api=api, text=evil))
    expect(page.locator("#comment")).to_have_value(evil)
    suggest_and_wait(page)
    expect(page.locator("#reply")).to_have_value(f"Hallo {evil}! ^AB")
    expect(page.locator("label[for=reply]")).to_contain_text(evil)
    expect(page.locator("#case h2")).to_have_text(evil)
    expect(page.locator("#triage")).to_contain_text(evil)
    assert page.locator("#results img, #results script").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None


@pytest.mark.browser
def test_unreachable_server(page: Any, static_url: str) -> None:
    api = f"http://127.0.0.1:{free_port()}"
    page.goto(popup(static_url, api=api, text=COMMENT))
    message = page.locator("#message")
    expected = (
        f"De responder-server is niet bereikbaar op {api}. Staat hij aan? "
        "Klopt het adres in de opties?"
    )
    expect(message).to_contain_text(expected)
    expect(message.locator("button")).to_have_text("Opties openen")
    page.click("#suggest")
    expect(message).to_contain_text(expected)
    expect(page.locator("#suggest")).to_be_enabled()
    assert page.locator("#suggestions .card").count() == 0


@pytest.mark.browser
@pytest.mark.server
def test_without_cors_allow_list_a_clear_error(
    page: Any, static_url: str, fake_api: FakeApi
) -> None:
    api = fake_api()  # no cors_origins: the browser blocks the page's requests
    page.goto(popup(static_url, api=api, text=COMMENT))
    message = page.locator("#message")
    expect(message).to_contain_text("Verbinding geweigerd")
    expect(message).to_contain_text(f"staat verzoeken vanaf {static_url} niet toe")
    expect(message).to_contain_text("RESPONDER_CORS_ORIGINS")
    page.click("#suggest")
    expect(page.locator("#suggest")).to_be_enabled()
    expect(page.locator("#busy")).to_be_hidden()
    expect(message).to_contain_text("RESPONDER_CORS_ORIGINS")


@pytest.mark.browser
@pytest.mark.server
def test_missing_wrong_and_right_api_key(
    page: Any, static_url: str, fake_api: FakeApi, tmp_path: Path
) -> None:
    from responder.storage import Storage

    api = fake_api(cors_origins=static_url, require_api_key=True)
    message = page.locator("#message")

    page.goto(popup(static_url, api=api, text=COMMENT))
    expect(message).to_contain_text("API-sleutel nodig")
    expect(message).to_contain_text("Vul hem in bij de opties")

    page.goto(popup(static_url, api=api, key="rsp_fout", text=COMMENT))
    expect(message).to_contain_text("API-sleutel onjuist")

    # conftest's fake_api keeps its database at tmp_path/api-<n>.db
    _, secret = Storage(f"sqlite:///{tmp_path / 'api-0.db'}").create_key("extensie-test")
    page.goto(popup(static_url, api=api, key=secret, text=COMMENT))
    expect(page.locator("#channel option[value='x']")).to_have_count(1)
    assert suggest_and_wait(page).count() >= 2
    expect(message).to_be_hidden()


@pytest.mark.browser
@pytest.mark.server
def test_rate_limit_says_how_long_to_wait(page: Any, static_url: str, fake_api: FakeApi) -> None:
    api = fake_api(cors_origins=static_url, rate_limit_per_minute=1)
    page.goto(popup(static_url, api=api, text=COMMENT))
    expect(page.locator("#channel option[value='x']")).to_have_count(1)  # the one request
    page.click("#suggest")
    message = page.locator("#message")
    expect(message).to_contain_text("Even wachten")
    expect(message).to_contain_text(re.compile(r"Wacht \d+ seconden en probeer het dan opnieuw"))
    expect(page.locator("#suggest")).to_be_disabled()
    expect(page.locator("#suggest")).to_have_text(re.compile(r"Opnieuw over \d+ s"))


@pytest.mark.browser
@pytest.mark.server
def test_api_validation_message_is_shown(page: Any, static_url: str, fake_api: FakeApi) -> None:
    api = fake_api(cors_origins=static_url)
    # only a zero-width space: not empty for the page, empty for the API (422 invalid_input)
    page.goto(popup(static_url, api=api, text="\u200b\u200b"))
    expect(page.locator("#channel option[value='x']")).to_have_count(1)
    page.click("#suggest")
    message = page.locator("#message")
    expect(message).to_contain_text("Verzoek niet aangenomen")
    expect(message).to_contain_text("De tekst is leeg")


@pytest.mark.browser
@pytest.mark.server
def test_input_checked_before_calling(page: Any, static_url: str, fake_api: FakeApi) -> None:
    api = fake_api(cors_origins=static_url)
    page.goto(popup(static_url, api=api))
    page.click("#suggest")
    expect(page.locator("#message")).to_contain_text("Er is nog geen reactie")
    page.fill("#comment", "a" * 5001)
    expect(page.locator("#count")).to_have_text("5001 / 5000 tekens")
    page.click("#suggest")
    expect(page.locator("#message")).to_contain_text("te lang: 5001 tekens, maximaal 5000")


@pytest.mark.browser
def test_bad_address_in_settings(page: Any, static_url: str) -> None:
    page.goto(popup(static_url, api="ftp://example.nl", text=COMMENT))
    message = page.locator("#message")
    expect(message).to_contain_text("Gebruik een adres dat met http:// of https:// begint")
    expect(message.locator("button")).to_have_text("Opties openen")


# --- the options page as a web page -------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.server
def test_options_connection_test(page: Any, static_url: str, fake_api: FakeApi) -> None:
    api = fake_api(cors_origins=static_url)
    page.goto(f"{static_url}/options.html?{urlencode({'api': api})}")
    expect(page.locator("#api")).to_have_value(api)
    page.click("#test")
    result = page.locator("#result")
    expect(result).to_contain_text("Verbinding werkt")
    expect(result).to_contain_text(f"Bereikbaar op {api}: model (meegegeven), draaiboek ")
    expect(result).to_contain_text("Sleutel: niet nodig op deze server.")
    expect(page.locator("#channel option[value='x']")).to_have_count(1)

    page.fill("#api", f"127.0.0.1:{free_port()}")
    page.click("#test")
    expect(result).to_contain_text("niet bereikbaar op http://127.0.0.1:")

    page.fill("#api", "ftp://x")
    page.click("#save")
    expect(result).to_contain_text("Niet opgeslagen")


@pytest.mark.browser
@pytest.mark.server
def test_options_key_needed_and_wrong(
    page: Any, static_url: str, fake_api: FakeApi, tmp_path: Path
) -> None:
    from responder.storage import Storage

    api = fake_api(cors_origins=static_url, require_api_key=True)
    page.goto(f"{static_url}/options.html?{urlencode({'api': api})}")
    result = page.locator("#result")
    page.click("#test")
    expect(result).to_contain_text("Bereikbaar, maar sleutel nodig")
    page.fill("#key", "rsp_fout")
    page.click("#test")
    expect(result).to_contain_text("Bereikbaar, maar sleutel onjuist")
    # on the options page the key field is right there: clear Dutch, no "in de opties"
    expect(result).to_contain_text("Plak de sleutel hierboven opnieuw")
    expect(result).not_to_contain_text("in de opties")
    _, secret = Storage(f"sqlite:///{tmp_path / 'api-0.db'}").create_key("opties-test")
    page.fill("#key", f"Bearer {secret}")
    page.click("#test")
    expect(result).to_contain_text("Sleutel: geldig.")
    page.click("#save")
    expect(result).to_contain_text("Opgeslagen.")
    expect(page.locator("#key")).to_have_value(secret)


# --- 3. the real unpacked extension -------------------------------------------------------------


@pytest.fixture(scope="module")
def extension(playwright: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium (new headless) with the unpacked extension loaded; yields (context, worker)."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            "--headless=new",
            "--no-sandbox",
            f"--disable-extensions-except={EXTENSION}",
            f"--load-extension={EXTENSION}",
        ],
    )
    try:
        workers = context.service_workers
        try:
            worker = (
                workers[0] if workers else context.wait_for_event("serviceworker", timeout=20_000)
            )
        except playwright_sync.TimeoutError:
            pytest.skip(
                "this chromium did not start the extension's service worker in headless mode "
                "(--load-extension ignored?)"
            )
        yield context, worker
    finally:
        context.close()


@pytest.mark.browser
def test_extension_service_worker_starts(extension: Any) -> None:
    _, worker = extension
    assert re.fullmatch(r"chrome-extension://[a-p]{32}/background\.js", worker.url), worker.url
    manifest = worker.evaluate("chrome.runtime.getManifest()")
    assert manifest["name"] == "responder – webcare-assistent"
    assert manifest["manifest_version"] == 3
    assert worker.evaluate("responder.MENU_TITLE") == "Webcare-antwoord voorstellen"
    granted = worker.evaluate("chrome.permissions.getAll()")
    assert set(granted["permissions"]) >= {"contextMenus", "storage", "clipboardWrite"}
    assert "http://127.0.0.1/*" in granted["origins"]


@pytest.mark.browser
@pytest.mark.server
def test_extension_context_menu_flow_without_cors(extension: Any, fake_api: FakeApi) -> None:
    """Menu click → selection stored → responder window → suggestions, from a server with no CORS
    allow-list: the extension's host permission for 127.0.0.1 is what lets it through."""
    context, worker = extension
    api = fake_api()
    worker.evaluate(
        "s => chrome.storage.local.set(s)",
        {"apiUrl": api, "apiKey": "", "initials": "CD", "defaultChannel": ""},
    )
    with context.expect_page(timeout=TIMEOUT_MS) as new_page:
        worker.evaluate(
            """info => responder.onMenuClick(info, undefined)""",
            {
                "menuItemId": "responder-suggest",
                "selectionText": COMMENT,
                "pageUrl": "https://x.com/klant/status/1",
            },
        )
    window = new_page.value
    window.set_default_timeout(TIMEOUT_MS)
    assert re.search(r"/popup\.html\?venster=1$", window.url), window.url
    expect(window.locator("#comment")).to_have_value(COMMENT)
    cards = window.locator("#suggestions .card")
    expect(cards.first).to_be_visible()  # it asks by itself for a fresh selection
    assert cards.count() >= 2
    expect(window.locator("#channel")).to_have_value("x")  # guessed from x.com
    assert window.locator("#reply").input_value().rstrip().endswith("^CD")
    # a P1 in the window: the warning chips and the first copy button are in view
    for selector in ("#case .chip.flag", "#copy-reply"):
        box = window.evaluate(
            "s => { const r = document.querySelector(s).getBoundingClientRect();"
            " return [r.top, r.bottom, innerHeight]; }",
            selector,
        )
        assert box[0] >= 0 and box[1] <= box[2], (selector, box)
    # text at its size, not Chromium's 75 % for extension pages (10.5 px)
    sizes = window.evaluate(
        "() => ['body', 'label', '#reply', '#copy-reply', '.chip'].map("
        "s => getComputedStyle(document.querySelector(s)).fontSize)"
    )
    assert sizes[0] == "14px" and all(float(x[:-2]) >= 13 for x in sizes), sizes
    assert window.locator("html").get_attribute("translate") == "no"
    ARTIFACTS.mkdir(exist_ok=True)
    window.screenshot(path=str(ARTIFACTS / "extension-window-p1.png"))
    pending = worker.evaluate("chrome.storage.session.get('pending')")["pending"]
    assert pending["done"] is True

    # a second selection goes to the same window
    other = "Top service, bedankt!"
    pages_before = len(context.pages)
    worker.evaluate(
        "info => responder.onMenuClick(info, undefined)",
        {"menuItemId": "responder-suggest", "selectionText": other, "pageUrl": ""},
    )
    expect(window.locator("#comment")).to_have_value(other)
    expect(cards.first).to_be_visible()
    assert len(context.pages) == pages_before

    # new settings from the options page apply to the open window at once
    closed = f"http://127.0.0.1:{free_port()}"
    worker.evaluate("url => chrome.storage.local.set({apiUrl: url})", closed)
    expect(window.locator("#server")).to_have_text(f"Server: {closed}")
    expect(window.locator("#message")).to_contain_text(f"niet bereikbaar op {closed}")
    window.close()


@pytest.mark.browser
@pytest.mark.server
def test_extension_options_page(extension: Any, fake_api: FakeApi) -> None:
    context, worker = extension
    api = fake_api()
    ext_id = worker.url.split("/")[2]
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(f"chrome-extension://{ext_id}/options.html")
        # Chromium's body { font-size: 75% } on extension pages must not shrink the text
        sizes = page.evaluate(
            "() => ['body', 'label', '.hint', 'button'].map("
            "s => getComputedStyle(document.querySelector(s)).fontSize)"
        )
        assert sizes[0] == "14px" and all(float(x[:-2]) >= 12 for x in sizes), sizes
        assert page.locator("html").get_attribute("translate") == "no"
        page.fill("#api", api.replace("http://", ""))
        page.fill("#initials", "EF")
        page.click("#save")
        expect(page.locator("#result")).to_contain_text("Opgeslagen.")
        expect(page.locator("#api")).to_have_value(api)
        stored = worker.evaluate("chrome.storage.local.get(null)")
        assert stored["apiUrl"] == api
        assert stored["initials"] == "EF"
        page.click("#test")
        expect(page.locator("#result")).to_contain_text("Verbinding werkt")
    finally:
        page.close()
