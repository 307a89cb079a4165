"""The web page end to end: a real browser (Debian chromium via Playwright) against a real
uvicorn server on loopback, with the fake keyword classifier behind the API."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]  # chromium against a live uvicorn

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "web tests need Debian chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="web tests need Python playwright")
expect = sync_api.expect

from responder.storage import Storage  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
Start = Callable[..., str]

ANGRY = (
    "Mijn pakket is nog steeds niet geleverd en niemand reageert. "
    "Als dit zo doorgaat stap ik naar mijn advocaat! Kunt u dit vandaag nog oplossen?"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pw = sync_api.sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    except Exception:
        pw.stop()
        raise
    yield browser
    browser.close()
    pw.stop()


@dataclass
class Session:
    """One browser context and page, with every request the page made."""

    context: Any
    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, url: str) -> Any:
        self.page.goto(url + "/")
        # The page has asked the server whether it is ready.
        expect(self.page.locator("#server-status")).not_to_have_text("Verbinden met de server…")
        return self.page

    def only_loopback(self, url: str) -> None:
        assert self.requests, "no requests recorded"
        outside = [
            r for r in self.requests if not (r.startswith(url + "/") or r.startswith("data:"))
        ]
        assert not outside, f"requests outside {url}: {outside}"


@pytest.fixture
def session(browser: Any) -> Iterator[Session]:
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    s = Session(context, page)
    page.on("request", lambda request: s.requests.append(request.url))
    page.on("pageerror", lambda error: s.errors.append(str(error)))
    yield s
    context.close()
    assert not s.errors, f"uncaught errors in the page: {s.errors}"


def suggest(page: Any, text: str, **fields: str) -> None:
    page.get_by_label("Reactie van de klant").fill(text)
    if "author" in fields:
        page.get_by_label("Naam van de schrijver (optioneel)").fill(fields["author"])
    if "initials" in fields:
        page.get_by_label("Uw initialen (optioneel)").fill(fields["initials"])
    if "channel" in fields:
        page.get_by_label("Kanaal").select_option(fields["channel"])
    page.get_by_role("button", name="Voorstellen").click()


def cards(page: Any) -> Any:
    return page.locator("article.suggestion")


def wait_for_suggestions(page: Any) -> Any:
    expect(cards(page).first).to_be_visible()
    return cards(page)


def test_suggest_shows_triage_plan_and_suggestions(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    expect(page).to_have_title("responder – webcare-assistent")

    # The channel list comes from the playbook, default preselected, with each limit.
    channel = page.get_by_label("Kanaal")
    expect(channel).to_have_value("facebook")
    expect(channel.locator("option[value=x]")).to_have_text("X (max. 280 tekens)")
    assert channel.locator("option").count() >= 5
    expect(page.get_by_label("API-sleutel")).to_be_hidden()  # loopback without keys

    # Record the busy state: button disabled with "Bezig…", aria-busy on the form.
    page.evaluate(
        """() => {
          window.__busy = [];
          const button = document.getElementById('submit');
          const form = document.getElementById('suggest-form');
          new MutationObserver(() => window.__busy.push(
            [button.disabled, button.textContent, form.getAttribute('aria-busy')]
          )).observe(button, {attributes: true, childList: true, characterData: true, subtree: true});
        }"""
    )
    suggest(page, ANGRY, author="Noor", initials="AB", channel="x")
    found = wait_for_suggestions(page)
    assert [True, "Bezig…", "true"] in page.evaluate("window.__busy")
    expect(page.get_by_role("button", name="Voorstellen")).to_be_enabled()

    # Triage: labels with percentages, the flag highlighted, language and register.
    triage = page.locator("section.triage")
    expect(triage).to_contain_text("negatief 80%")
    expect(triage).to_contain_text("klacht 60%")
    expect(triage.locator(".chip.flag")).to_contain_text("juridische dreiging 90%")
    expect(triage.locator(".chip.flag .chip-why")).to_contain_text("door “advocaat”")  # evidence
    expect(triage).to_contain_text("Nederlands")
    expect(triage).to_contain_text("u-vorm")
    expect(triage.locator(".warning")).to_contain_text("twijfelt over onderwerp")

    # Plan: priority badge, title, deadline in Dutch, who handles and posts, steps with why.
    plan = page.locator("section.plan")
    expect(plan.locator(".badge")).to_have_text("P1")
    expect(plan.locator(".badge")).to_have_class("badge prio-p1")
    expect(plan.get_by_role("heading", name="Dreiging met juridische stappen")).to_be_visible()
    expect(plan).to_contain_text("Uiterlijk reageren")
    expect(plan.locator(".deadline-rel")).to_contain_text("nog ")  # P1: within the hour
    # the deadline in the API's own words (plan.deadline_text), not worded by the page
    expect(plan.locator(".deadline")).to_have_text(
        re.compile(r"^(vandaag|morgen) \d{1,2}\.\d{2} uur$")
    )
    expect(plan).to_contain_text("antwoord in de u-vorm")
    expect(plan).to_contain_text("Juridische zaken")
    expect(plan).to_contain_text("Webcareteam")
    expect(plan).to_contain_text("Openbaar, daarna DM")
    # what the customer already said, so the agent never asks for it again
    expect(plan.locator(".said-list")).to_contain_text("mijn pakket")
    assert plan.locator("#plan-steps > li").count() >= 3
    expect(plan.locator(".step-why").first).to_contain_text("Waarom:")

    # Suggestions: at least three cards, each complete.
    assert found.count() >= 3
    first = found.first
    text = first.locator(".reply-text").inner_text()
    assert "Noor" not in text and text.rstrip().endswith("^AB")  # a first name only with je
    expect(first.locator(".suggestion-tools .count")).to_have_text(f"{len(text)} / 280 tekens")
    expect(first.get_by_role("button", name="Kopiëren")).to_be_visible()
    expect(first).to_contain_text("Waarom deze reactie")
    guardrails = first.locator("details.guardrails")
    expect(guardrails.locator("summary")).to_contain_text("Alle controles in orde")
    assert guardrails.get_attribute("open") is None  # collapsed when all pass
    for name in ("Gebruikt", "Aangepast", "Afgewezen"):
        expect(first.get_by_role("button", name=name)).to_be_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-suggest.png"), full_page=True)
    session.only_loopback(url)  # no CDN, no fonts, nothing outside the server


def _rewrite_json(session: Session, path: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Let the page's request to ``path`` through to the server, then change its JSON answer."""

    def handle(route: Any) -> None:
        response = route.fetch()
        data = response.json()
        change(data)
        route.fulfill(response=response, json=data)

    session.page.route(f"**/{path}", handle)


def test_names_come_from_the_api(fake_api: Start, session: Session) -> None:
    """Every Dutch name on the page is the one the API sends (the label's `name`, the plan's
    deadline_text, the playbook's `names`); a missing name shows the raw label."""

    def playbook(data: dict[str, Any]) -> None:
        data["names"]["heads"]["topic"] = "onderwerp (API)"
        data["names"]["visibility_tags"]["public_then_private"] = "tag (API)"
        data["names"]["posted"]["public"] = "plaatsen (API)"
        data["names"]["feedback"]["used"] = "gebruikt (API)"
        del data["names"]["heads"]["intent"]
        data["names"]["labels"]["sentiment"]["negative"] = "negatief (tabel)"
        del data["names"]["labels"]["flags"]["legal_threat"]

    def advice(data: dict[str, Any]) -> None:
        triage, plan = data["triage"], data["plan"]
        triage["topic"] = {"label": "billing", "probability": 0.7, "name": "factuur en betaling"}
        triage["low_confidence"] = []
        del triage["sentiment"]["name"]  # then the playbook's table names it
        triage["intent"]["name"] = "klacht (API)"
        del triage["flags"][0]["name"]  # and neither names this one
        plan["deadline_text"] = "maandag 2 december 8.00 uur"
        plan["register_name"] = "aanspreekvorm (API)"
        for s in data["suggestions"]:
            s["posted"] = "public"

    url = fake_api()
    _rewrite_json(session, "v1/playbook", playbook)
    _rewrite_json(session, "v1/suggest", advice)
    page = session.open(url)
    expect(page.get_by_label("Kanaal")).to_have_value("facebook")  # the playbook is in
    suggest(page, ANGRY, channel="x")
    found = wait_for_suggestions(page)

    triage = page.locator("section.triage")
    expect(triage).to_contain_text("onderwerp (API): factuur en betaling 70%")
    expect(triage).to_contain_text("intent: klacht (API)")  # no head name: the raw head
    expect(triage).to_contain_text("sentiment: negatief (tabel) 80%")
    expect(triage.locator(".chip.flag")).to_contain_text("legal_threat 90%")  # the raw label
    plan = page.locator("section.plan")
    expect(plan.locator(".deadline")).to_have_text("maandag 2 december 8.00 uur")
    expect(plan).to_contain_text("tag (API)")
    expect(plan).to_contain_text("antwoord in de aanspreekvorm (API)")
    expect(found.first.locator(".suggestion-head .tag")).to_have_text("plaatsen (API)")
    found.first.get_by_role("button", name="Gebruikt").click()
    expect(found.first.get_by_text("Bedankt, vastgelegd (gebruikt (API)).")).to_be_visible()


def test_copy_button_puts_the_text_on_the_clipboard(fake_api: Start, session: Session) -> None:
    url = fake_api()
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = session.open(url)
    suggest(page, ANGRY)
    second = wait_for_suggestions(page).nth(1)
    button = second.locator("button.copy")
    expect(button).to_have_text("Kopiëren")
    button.click()
    expect(button).to_have_text("Gekopieerd")
    assert (
        page.evaluate("navigator.clipboard.readText()")
        == second.locator(".reply-text").inner_text()
    )
    expect(button).to_have_text("Kopiëren", timeout=5_000)  # and back again


def test_ctrl_enter_submits(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    box = page.get_by_label("Reactie van de klant")
    box.fill("Waar blijft mijn pakket? Het is nog steeds niet bezorgd.")
    box.press("Control+Enter")
    assert wait_for_suggestions(page).count() >= 3


def test_feedback_used_and_edited_are_recorded(
    fake_api: Start, session: Session, tmp_path: Path
) -> None:
    url = fake_api(audit_text=True)  # the edited reply is kept only with text storage on
    page = session.open(url)
    suggest(page, ANGRY, author="Noor")
    found = wait_for_suggestions(page)

    first = found.nth(0)
    first.get_by_role("button", name="Gebruikt").click()
    expect(first.get_by_text("Bedankt, vastgelegd")).to_be_visible()
    expect(first.get_by_role("button", name="Gebruikt")).to_be_disabled()

    second = found.nth(1)
    original = second.locator(".reply-text").inner_text()
    second.get_by_role("button", name="Aangepast").click()
    editor = second.get_by_label("Tekst zoals u hem plaatst")
    expect(editor).to_be_focused()
    expect(editor).to_have_value(original)
    edited = "Goedenavond Noor, " + original
    editor.fill(edited)
    second.get_by_role("button", name="Opslaan").click()
    expect(second.get_by_text("Bedankt, vastgelegd")).to_be_visible()
    expect(editor).to_be_hidden()

    third = found.nth(2)
    third.get_by_role("button", name="Afgewezen").click()
    expect(third.get_by_text("Bedankt, vastgelegd")).to_be_visible()

    rows = Storage(f"sqlite:///{tmp_path / 'api-0.db'}").feedback()
    assert [(r["action"], r["rank"]) for r in rows] == [("used", 1), ("edited", 2), ("rejected", 3)]
    assert rows[1]["final_text"] == edited
    assert len({r["request_id"] for r in rows}) == 1


def test_html_in_the_comment_is_shown_as_text(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    page.add_init_script("window.__xss = undefined;")
    payload = (
        "Jullie zijn niet te vertrouwen <script>window.__xss = 1</script>"
        '<img src="https://example.invalid/x.png" onerror="window.__xss = 2">'
    )
    suggest(page, payload, author='<b onmouseover="window.__xss=3">Noor</b>')
    wait_for_suggestions(page)
    quoted = page.locator(".quoted-text")
    expect(quoted).to_have_text(payload)  # literal, tags and all
    page.locator(".quoted summary").click()
    expect(
        page.get_by_text('<img src="https://example.invalid/x.png"', exact=False)
    ).to_be_visible()
    results = page.locator("#results")
    assert results.locator("script, img, b").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    session.only_loopback(url)  # the <img> was never loaded


def test_empty_comment_is_caught_before_sending(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    page.get_by_label("Reactie van de klant").fill("   ")
    page.get_by_role("button", name="Voorstellen").click()
    alert = page.get_by_role("alert").filter(has_text="Plak eerst de reactie")
    expect(alert).to_be_visible()
    expect(page.get_by_label("Reactie van de klant")).to_have_attribute("aria-invalid", "true")
    assert not [r for r in session.requests if "/v1/suggest" in r]


def test_api_error_shows_the_dutch_message(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    suggest(page, "Waar blijft mijn pakket? " * 250)  # 6000 characters, over the 5000 limit
    alert = page.locator("#form-error")
    expect(alert).to_be_visible()
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("De tekst is te lang")
    expect(alert).to_contain_text("maximaal 5000")
    expect(page.get_by_role("button", name="Voorstellen")).to_be_enabled()
    assert cards(page).count() == 0


def test_stopped_server_shows_it_is_unreachable(session: Session) -> None:
    from conftest import FakeClassifier
    from live_server import live_server

    from responder.advice.playbook import load_playbook
    from responder.api import create_app
    from responder.assistant import Assistant
    from responder.config import Settings
    from responder.triage.service import TriageService

    settings = Settings(database_url="sqlite://:memory:")
    assistant = Assistant(TriageService(FakeClassifier(), settings), load_playbook())
    with live_server(create_app(settings, assistant)) as url:
        page = session.open(url)
        expect(page.get_by_label("Kanaal")).to_have_value("facebook")
    # The server has stopped; the page is still open.
    suggest(page, ANGRY)
    expect(
        page.get_by_role("alert").filter(has_text="De server is niet bereikbaar.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Voorstellen")).to_be_enabled()


def test_api_key_flow(fake_api: Start, session: Session, tmp_path: Path) -> None:
    url = fake_api(require_api_key=True)
    _, secret = Storage(f"sqlite:///{tmp_path / 'api-0.db'}").create_key("webpagina")
    page = session.open(url)
    key = page.get_by_label("API-sleutel")
    expect(key).to_be_visible()

    key.fill("rsp_dezesleutelbestaatniet")
    suggest(page, ANGRY)
    alert = page.locator("#form-error")
    expect(alert).to_contain_text("De API-sleutel is onbekend of ingetrokken")
    expect(key).to_have_attribute("aria-invalid", "true")
    expect(key).to_be_focused()

    key.fill(secret)
    page.get_by_role("button", name="Voorstellen").click()
    assert wait_for_suggestions(page).count() >= 3
    expect(alert).to_be_hidden()
    # The playbook's channels load once there is a key that works.
    expect(page.get_by_label("Kanaal").locator("option[value=x]")).to_have_text(
        "X (max. 280 tekens)"
    )
    assert page.evaluate("localStorage.getItem('responder.apiKey')") == secret

    # The key is remembered: after a reload it is filled in and used.
    page.reload()
    expect(page.get_by_label("API-sleutel")).to_have_value(secret)
    expect(page.get_by_label("Kanaal")).to_have_value("facebook")
    playbook_calls = [r for r in session.requests if r.endswith("/v1/playbook")]
    assert len(playbook_calls) >= 2


def test_no_reply_shows_the_steps_and_notes(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    suggest(page, "La entrega llega tarde y nadie contesta mis correos, es un servicio terrible.")
    panel = page.locator("section.no-reply")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("zelf beoordelen")
    expect(panel.locator("ol.steps > li").first).to_contain_text("Beoordeel de reactie zelf")
    expect(panel.locator(".notes")).to_contain_text("De taal lijkt geen Nederlands")
    expect(page.locator("section.plan .badge")).to_have_text("P3")
    assert cards(page).count() == 0


def test_keyboard_order_and_buttons(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    page.get_by_label("Reactie van de klant").focus()
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    assert order == ["channel", "author", "initials", "private", "submit", "clear"]
    suggest(page, ANGRY)
    wait_for_suggestions(page)
    # Everything clickable is a real <button> with a visible name.
    clickable = page.locator("#results [role=button], #results a, #results [onclick]")
    assert clickable.count() == 0
    names = page.locator("#results button").all_inner_texts()
    assert names and all(n.strip() for n in names)
