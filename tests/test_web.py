"""The web page end to end: a real browser (Debian chromium via Playwright) against a real
uvicorn server on loopback, with the fake keyword classifier behind the API. The agent's
workbench flows (edit, re-check, copy = outcome, corrections, queue) are in
test_workbench_web.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web_session import (
    ANGRY,
    Session,
    expect,
    launch_browser,
    screenshot,
    session_in,
    suggest,
    wait_for_reply,
)

from responder.storage import Storage

pytestmark = [pytest.mark.browser, pytest.mark.server]  # chromium against a live uvicorn

Start = Callable[..., str]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_browser()


@pytest.fixture
def session(browser: Any) -> Iterator[Session]:
    yield from session_in(browser)


def test_suggest_shows_reply_triage_and_plan(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    expect(page).to_have_title("responder – webcare-assistent")
    assert page.locator("html").get_attribute("translate") == "no"

    # The channel list comes from the playbook, default preselected, with each limit.
    channel = page.get_by_label("Kanaal")
    expect(channel).to_have_value("facebook")
    expect(channel.locator("option[value=x]")).to_have_text("X (max. 280 tekens)")
    assert channel.locator("option").count() >= 5
    expect(page.get_by_label("API-sleutel")).to_be_hidden()  # loopback without keys
    # posted-at defaults to now (to the minute)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d", page.get_by_label("Geplaatst op").input_value()
    )

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
    reply = wait_for_reply(page)
    assert [True, "Bezig…", "true"] in page.evaluate("window.__busy")
    expect(page.get_by_role("button", name="Voorstellen")).to_be_enabled()

    # The case first: priority, title, deadline in the API's words, urgency in red for P1.
    case = page.locator("section.case")
    expect(case.locator(".badge")).to_have_text("P1")
    expect(case.locator(".badge")).to_have_class("badge prio-p1")
    expect(case.get_by_role("heading", name="Dreiging met juridische stappen")).to_be_visible()
    expect(case.locator(".deadline")).to_have_text(
        re.compile(r"^(vandaag|morgen) \d{1,2}\.\d{2} uur$")
    )
    expect(case.locator(".deadline-rel")).to_contain_text("nog ")
    expect(case.locator(".deadline-rel")).to_have_class(re.compile(r"\burgent\b"))
    expect(case.locator(".chip.flag")).to_contain_text("juridische dreiging")
    # webcare posts here, but must involve Legal: who and how to reach them
    expect(case.locator(".involve")).to_contain_text("Juridische zaken")
    expect(case.locator(".involve")).to_contain_text("escalatieformulier")

    # The reply: editable, signed, the count against the channel's limit, all checks passed.
    text = reply.input_value()
    assert "Noor" not in text and text.rstrip().endswith("^AB")  # a first name only with je
    expect(page.locator("#reply-count")).to_have_text(f"{len(text)} / 280 tekens")
    expect(page.locator("#copy-reply")).to_have_text("Kopiëren")
    expect(page.locator("#reply-check")).to_contain_text("Alle controles in orde")
    expect(page.locator("section.reply .tag")).to_have_text("openbaar plaatsen")
    # the other suggestions below it, each one click from the editor
    others = page.locator("article.suggestion")
    assert others.count() >= 2
    expect(others.first.get_by_role("button", name="Dit antwoord gebruiken")).to_be_visible()

    # Triage: labels with percentages, the flag with its evidence, language and register.
    triage = page.locator("section.triage")
    expect(triage).to_contain_text("negatief 80%")
    expect(triage).to_contain_text("klacht 60%")
    expect(triage.locator(".chip.flag")).to_contain_text("juridische dreiging 90%")
    expect(triage.locator(".chip.flag .chip-why")).to_contain_text("door “advocaat”")
    expect(triage).to_contain_text("Nederlands")
    expect(triage).to_contain_text("u-vorm")
    expect(triage.locator(".warning")).to_contain_text("twijfelt over onderwerp")

    # Plan: open for a P1, who handles and posts, steps with why; no doubled "openbaar".
    plan = page.locator("details.plan")
    assert plan.get_attribute("open") is not None
    expect(plan).to_contain_text("antwoord in de u-vorm")
    expect(plan).to_contain_text("Juridische zaken")
    expect(plan).to_contain_text("Webcareteam")
    expect(plan).to_contain_text("Kort openbaar reageren, daarna privé verder")
    assert "openbaar openbaar" not in plan.inner_text().lower()
    expect(plan.locator(".said-list")).to_contain_text("mijn pakket")
    assert plan.locator("#plan-steps > li").count() >= 3
    expect(plan.locator(".step-why").first).to_contain_text("Waarom:")

    screenshot(page, "web-suggest.png")
    session.only_loopback(url)  # no CDN, no fonts, nothing outside the server


def test_plan_is_folded_for_p3(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    suggest(page, "Waar blijft mijn pakket? Het is nog steeds niet bezorgd.")
    wait_for_reply(page)
    expect(page.locator("section.case .badge")).to_have_text("P3")
    plan = page.locator("details.plan")
    assert plan.get_attribute("open") is None
    expect(plan.locator("#plan-steps")).to_be_hidden()
    plan.locator("summary.plan-summary").click()
    expect(plan.locator("#plan-steps")).to_be_visible()
    expect(page.locator("section.case .deadline-rel")).not_to_have_class(re.compile(r"urgent"))


def test_a_possible_flag_is_shown_but_not_escalated(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    suggest(page, "Mijn nieuwe stofzuiger doet het niet meer, wat nu?")  # safety, no telling word
    wait_for_reply(page)
    expect(page.locator("section.case .badge")).not_to_have_text("P1")
    triage = page.locator("section.triage")
    expect(triage.locator(".chip.flag")).to_have_count(0)
    chip = triage.locator(".chip.possible-flag")
    expect(chip).to_contain_text("Mogelijk veiligheid 90%, niet geëscaleerd")
    expect(triage).not_to_contain_text("Geen signalen")
    expect(page.get_by_text("Signaal ‘veiligheid’ niet geëscaleerd")).to_be_visible()

    page.get_by_role("button", name="Indeling corrigeren").click()
    page.get_by_role("checkbox", name="veiligheid", exact=False).check()
    page.get_by_role("button", name="Toepassen en opnieuw voorstellen").click()
    expect(page.locator("section.case .badge")).to_have_text("P1")
    expect(triage.locator(".chip.flag")).to_contain_text("veiligheid")
    expect(triage.locator(".chip.possible-flag")).to_have_count(0)


def test_correcting_only_the_topic_leaves_a_possible_flag_possible(
    fake_api: Start, session: Session
) -> None:
    url = fake_api()
    page = session.open(url)
    suggest(page, "Mijn nieuwe stofzuiger doet het niet meer, wat nu?")
    wait_for_reply(page)
    page.get_by_role("button", name="Indeling corrigeren").click()
    expect(page.get_by_role("checkbox", name="veiligheid (mogelijk)")).not_to_be_checked()
    page.locator("#correct-topic").select_option("product")
    page.get_by_role("button", name="Toepassen en opnieuw voorstellen").click()
    triage = page.locator("section.triage")
    expect(triage.locator(".chip.possible-flag")).to_contain_text("Mogelijk veiligheid")
    expect(page.locator("section.case .badge")).not_to_have_text("P1")


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
        plan["visibility_name"] = "zichtbaarheid (API)"
        for s in data["suggestions"]:
            s["posted"] = "public"

    url = fake_api()
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    _rewrite_json(session, "v1/playbook", playbook)
    _rewrite_json(session, "v1/suggest", advice)
    page = session.open(url)
    expect(page.get_by_label("Kanaal")).to_have_value("facebook")  # the playbook is in
    suggest(page, ANGRY, channel="x")
    wait_for_reply(page)

    triage = page.locator("section.triage")
    expect(triage).to_contain_text("onderwerp (API): factuur en betaling 70%")
    expect(triage).to_contain_text("intent: klacht (API)")  # no head name: the raw head
    expect(triage).to_contain_text("sentiment: negatief (tabel) 80%")
    expect(triage.locator(".chip.flag")).to_contain_text("legal_threat 90%")  # the raw label
    expect(page.locator("section.case .deadline")).to_have_text("maandag 2 december 8.00 uur")
    plan = page.locator("details.plan")
    expect(plan).to_contain_text("Zichtbaarheid (API)")
    expect(plan).to_contain_text("antwoord in de aanspreekvorm (API)")
    expect(page.locator("section.reply .tag")).to_have_text("plaatsen (API)")
    page.locator("#copy-reply").click()
    expect(page.locator("#outcome")).to_have_text(
        "Gekopieerd en vastgelegd als gebruikt (API) (voorstel 1). In de wachtrij: beantwoord."
    )


def test_probabilities_are_never_rounded_to_certainty(fake_api: Start, session: Session) -> None:
    def advice(data: dict[str, Any]) -> None:
        data["triage"]["sentiment"]["probability"] = 0.995
        data["triage"]["intent"]["probability"] = 0.004

    url = fake_api()
    _rewrite_json(session, "v1/suggest", advice)
    page = session.open(url)
    suggest(page, ANGRY)
    wait_for_reply(page)
    triage = page.locator("section.triage")
    expect(triage).to_contain_text("negatief >99%")
    expect(triage).to_contain_text("klacht <1%")
    assert "100%" not in triage.locator(".chips").first.inner_text()


def test_copy_button_puts_the_edited_text_on_the_clipboard(
    fake_api: Start, session: Session
) -> None:
    url = fake_api()
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = session.open(url)
    suggest(page, ANGRY)
    reply = wait_for_reply(page)
    reply.fill(reply.input_value() + " Fijne avond!")
    button = page.locator("#copy-reply")
    button.click()
    expect(button).to_have_text("Gekopieerd")
    assert page.evaluate("navigator.clipboard.readText()") == reply.input_value()
    expect(button).to_have_text("Kopiëren", timeout=5_000)  # and back again


def test_ctrl_enter_submits(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    box = page.get_by_label("Reactie van de klant")
    box.fill("Waar blijft mijn pakket? Het is nog steeds niet bezorgd.")
    box.press("Control+Enter")
    wait_for_reply(page)
    assert page.locator("article.suggestion").count() >= 2


def test_html_in_the_comment_is_shown_as_text(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    page.add_init_script("window.__xss = undefined;")
    payload = (
        "Jullie zijn niet te vertrouwen <script>window.__xss = 1</script>"
        '<img src="https://example.invalid/x.png" onerror="window.__xss = 2">'
    )
    suggest(page, payload, author='<b onmouseover="window.__xss=3">Noor</b>')
    wait_for_reply(page)
    quoted = page.locator(".quoted-text")
    expect(quoted).to_have_text(payload)  # literal, tags and all
    page.locator(".quoted summary").click()
    results = page.locator("#results")
    expect(
        results.get_by_text('<img src="https://example.invalid/x.png"', exact=False)
    ).to_be_visible()
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
    expect(alert).not_to_contain_text("RESPONDER_")  # no server setting for the agent to change
    expect(page.get_by_role("button", name="Voorstellen")).to_be_enabled()
    assert page.locator("#reply").count() == 0


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
    wait_for_reply(page)
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


def test_foreign_comment_is_left_to_the_agent(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    suggest(page, "La entrega llega tarde y nadie contesta mis correos, es un servicio terrible.")
    panel = page.locator("section.no-reply")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Zelf beoordelen en zelf antwoorden")
    expect(panel.locator("ol.steps > li").first).to_contain_text("Beoordeel de reactie zelf")
    expect(panel.locator(".notes")).to_contain_text("De taal lijkt geen Nederlands")
    expect(page.locator("section.case .badge")).to_have_text("P3")
    assert page.locator("article.suggestion").count() == 0
    # no label chips for an unclassified comment, no "no signals", no raw action name
    body = page.locator("#results").inner_text()
    assert "Geen signalen" not in body and "(manual)" not in body and "manual" not in body
    assert "niet inhoudelijk reageren" not in body
    # the agent writes the reply themselves, in the same editor (checked, copied)
    reply = page.locator("#reply")
    expect(reply).to_have_value("")
    expect(page.locator("label[for=reply]")).to_contain_text("Uw eigen antwoord")
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    reply.fill("Vervelend! Stuur ons een privébericht, dan kijken we ernaar. ^AB")
    expect(page.locator("#reply-check")).to_contain_text("alles in orde")
    page.locator("#copy-reply").click()
    expect(page.locator("#outcome")).to_have_text("Gekopieerd. In de wachtrij: beantwoord.")


def test_keyboard_order(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    page.get_by_label("Kanaal").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "posted-at"
    page.get_by_label("Binnengekomen als privébericht").focus()
    order = []
    for _ in range(4):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    assert order == ["SUMMARY", "comment", "submit", "clear"]
    suggest(page, ANGRY)
    wait_for_reply(page)
    # Everything clickable is a real <button> with a visible name.
    clickable = page.locator("#results [role=button], #results a, #results [onclick]")
    assert clickable.count() == 0
    names = page.locator("#results button").all_inner_texts()
    assert names and all(n.strip() for n in names)
