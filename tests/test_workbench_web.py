"""The agent's workbench in a real browser (Debian chromium via Playwright) against a live
server over the fake classifier: reply first and above the fold, edit with a live re-check,
copy = the outcome, correcting the triage, the queue across a reload, keyboard only, dark mode.
Each state is saved as a PNG under artifacts/ (workbench-*.png)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from web_session import (
    ANGRY,
    Session,
    expect,
    in_viewport,
    launch_browser,
    new_session,
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


PLAIN = "Waar blijft mijn pakket? Het is nog steeds niet bezorgd."
IBAN = " Stuur ons je IBAN NL91ABNA0417164300 even."


def _storage(tmp_path: Path) -> Storage:
    return Storage(f"sqlite:///{tmp_path / 'api-0.db'}")


def test_agent_flow_paste_edit_recheck_fix_copy(
    fake_api: Start, session: Session, tmp_path: Path
) -> None:
    url = fake_api(audit_text=True)  # the reply as posted is kept only with text storage on
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = session.open(url)
    suggest(page, ANGRY, initials="AB")
    reply = wait_for_reply(page)

    # Reply first: the editable reply and its copy button above the fold at 1366×768.
    copy = page.locator("#copy-reply")
    assert in_viewport(page, reply) and in_viewport(page, copy), copy.bounding_box()
    original = reply.input_value()
    assert original.endswith("^AB")
    screenshot(page, "workbench-1-reply-1366x768.png")

    # Edit: the live re-check (POST /v1/check) shows what is wrong, inline and announced.
    check = page.locator("#reply-check")
    expect(check).to_have_attribute("aria-live", "polite")
    reply.fill(original + IBAN)
    expect(check).to_have_class(re.compile(r"\bfail\b"))
    expect(check).to_contain_text("IBAN")
    expect(check).to_contain_text("je-vorm")
    assert any("/v1/check" in r for r in session.requests)
    screenshot(page, "workbench-2-recheck-failure.png")

    # Fix it: the check passes again.
    fixed = original.replace(" ^AB", " Fijne dag verder. ^AB")
    reply.fill(fixed)
    expect(check).to_contain_text("Uw tekst is opnieuw gecontroleerd: alles in orde.")
    expect(page.locator("label[for=reply]")).to_contain_text("door u aangepast")

    # Copy = the outcome, in one click: edited, with the text as posted, the queue item answered.
    copy.click()
    outcome = page.locator("#outcome")
    expect(outcome).to_have_text(
        "Gekopieerd en vastgelegd als aangepast (voorstel 1). In de wachtrij: beantwoord."
    )
    assert page.evaluate("navigator.clipboard.readText()") == fixed
    screenshot(page, "workbench-3-copied.png")

    storage = _storage(tmp_path)
    rows = storage.feedback()
    assert [(r["action"], r["rank"], r["final_text"]) for r in rows] == [("edited", 1, fixed)]
    items = storage.queue_items(None, ("answered",))
    assert len(items) == 1 and items[0]["outcome"] == "edited"

    # Copying the same text again records nothing new: one outcome per comment.
    copy.click()
    expect(copy).to_have_text("Gekopieerd")
    assert len(_storage(tmp_path).feedback()) == 1
    # Another suggestion, used as it is, replaces the outcome (still one row).
    page.locator("article.suggestion").first.get_by_role(
        "button", name="Dit antwoord gebruiken"
    ).click()
    expect(reply).to_be_focused()
    expect(page.locator("label[for=reply]")).to_contain_text("Voorstel 2")
    page.locator("#copy-reply").click()
    expect(outcome).to_contain_text("vastgelegd als gebruikt (voorstel 2)")
    rows = _storage(tmp_path).feedback()
    assert [(r["action"], r["rank"]) for r in rows] == [("used", 2)]


def test_reply_first_on_a_phone(fake_api: Start, browser: Any) -> None:
    url = fake_api()
    phone = new_session(browser, 390, 844, has_touch=True, is_mobile=True)
    try:
        page = phone.open(url)
        expect(page.locator(".keys-hint")).to_be_hidden()  # no Ctrl+Enter on a phone
        suggest(page, ANGRY)
        reply = wait_for_reply(page)
        copy = page.locator("#copy-reply")
        # the page scrolls to the result: the reply and its copy button are on screen
        expect(page.locator("section.case")).to_be_in_viewport()
        page.wait_for_function("() => window.scrollY > 200")
        page.wait_for_timeout(600)  # the smooth scroll settles
        assert in_viewport(page, reply) and in_viewport(page, copy), copy.bounding_box()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width} px)"
        screenshot(page, "workbench-4-phone-390.png")
    finally:
        phone.context.close()
    assert not phone.errors, phone.errors


def test_correcting_a_flag_changes_the_plan(
    fake_api: Start, session: Session, tmp_path: Path
) -> None:
    url = fake_api()
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = session.open(url)
    suggest(page, ANGRY)
    wait_for_reply(page)
    case = page.locator("section.case")
    expect(case.get_by_role("heading", name="Dreiging met juridische stappen")).to_be_visible()

    toggle = page.get_by_role("button", name="Indeling corrigeren")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    form = page.locator("#correct-form")
    expect(form.get_by_label("Sentiment")).to_have_value("negative")
    form.get_by_label("juridische dreiging").uncheck()
    form.get_by_label("mediadreiging").check()
    screenshot(page, "workbench-5-correction-form.png", full_page=True)
    form.get_by_role("button", name="Toepassen en opnieuw voorstellen").click()

    # A media threat: Woordvoering posts; the page says who and how to reach them.
    expect(case.get_by_role("heading", name=re.compile("media"))).to_be_visible()
    escalation = case.locator(".escalation")
    expect(escalation).to_contain_text(
        "Niet zelf plaatsen: Woordvoering (afdeling Communicatie) plaatst de reactie."
    )
    expect(escalation).to_contain_text("dienstdoende woordvoerder")
    expect(page.locator("#copy-reply")).to_have_text("Kopieer voor Woordvoering")
    expect(page.locator("section.reply")).not_to_contain_text("openbaar plaatsen")
    triage = page.locator("section.triage")
    expect(triage.locator(".chip.flag")).to_have_text(re.compile(r"mediadreiging\s+\(door u\)"))
    expect(case.locator(".corrected-note")).to_contain_text("Uw correctie is bewaard.")
    screenshot(page, "workbench-6-corrected-media.png")

    stored = _storage(tmp_path).corrections()
    assert len(stored) == 1
    assert stored[0]["flags"] == ["media_threat"] and stored[0]["corrected"] == ["flags"]

    # Copying for Woordvoering hands the comment over: escalated in the queue.
    page.locator("#copy-reply").click()
    expect(page.locator("#outcome")).to_contain_text("doorgezet naar Woordvoering")
    assert [i["status"] for i in _storage(tmp_path).queue_items(None, ("escalated",))] == [
        "escalated"
    ]


def test_queue_survives_a_reload_and_orders_by_deadline(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    suggest(page, PLAIN)  # P3
    wait_for_reply(page)
    suggest(page, ANGRY)  # P1, within the hour
    expect(page.locator("section.case .badge")).to_have_text("P1")
    long_ago = (datetime.now() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Geplaatst op").fill(long_ago)
    suggest(page, "Is de storing in de app al opgelost? Ik kan niet inloggen.")  # overdue
    expect(page.locator("section.case .deadline-rel")).to_have_class(re.compile(r"\boverdue\b"))

    items = page.locator("#queue-list > li")
    expect(items).to_have_count(3)

    def badges() -> list[str]:
        return [b.strip() for b in page.locator("#queue-list > li .badge").all_inner_texts()]

    def check_order() -> None:
        expect(items.first).to_have_class(re.compile(r"\boverdue\b"))  # overdue first, in bold
        expect(items.first.locator(".queue-deadline")).to_contain_text("te laat")
        assert badges()[1:] == ["P1", "P3"]
        expect(items.nth(1)).to_have_class(re.compile(r"\bprio-p1\b"))
        expect(items.nth(1).locator(".queue-deadline")).to_have_class(re.compile(r"\burgent\b"))

    check_order()
    assert page.evaluate(
        "getComputedStyle(document.querySelector('#queue-list > li .queue-title')).fontWeight"
    ) in ("700", "800", "900")
    screenshot(page, "workbench-7-queue.png")

    page.reload()
    expect(items).to_have_count(3)
    check_order()
    # what was open is open again: the last comment and its reply
    expect(page.get_by_label("Reactie van de klant")).to_have_value(re.compile("storing"))
    wait_for_reply(page)

    # Filter, and change a status (PATCH): it leaves the open queue.
    page.get_by_label("Prioriteit").select_option("P1")
    expect(items).to_have_count(1)
    items.first.get_by_role("button", name="Beantwoord").click()
    expect(items).to_have_count(0)
    page.get_by_label("Prioriteit").select_option("")
    page.get_by_label("Status").select_option("answered")
    expect(items).to_have_count(1)
    expect(items.first.locator(".tag")).to_have_text("beantwoord")


def test_keyboard_only_flow(fake_api: Start, session: Session, tmp_path: Path) -> None:
    url = fake_api()
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = session.open(url)
    box = page.get_by_label("Reactie van de klant")
    box.focus()
    page.keyboard.insert_text(ANGRY)
    page.keyboard.press("Control+Enter")
    wait_for_reply(page)
    expect(box).to_be_focused()
    tabs = 0
    while page.evaluate("document.activeElement.id") != "reply" and tabs < 10:
        page.keyboard.press("Tab")
        tabs += 1
    assert tabs <= 3, f"{tabs} Tabs from the comment box to the reply"
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(" Fijne dag verder.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "copy-reply"
    expect(page.locator("#reply-check")).to_contain_text("alles in orde")
    page.keyboard.press("Enter")
    expect(page.locator("#outcome")).to_contain_text("vastgelegd als aangepast")
    assert [r["action"] for r in _storage(tmp_path).feedback()] == ["edited"]
    # Ctrl+Enter in the reply copies too; the outcome is replaced, not added
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "reply"
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(" Tot ziens.")
    expect(page.locator("#reply-check")).to_contain_text("alles in orde")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#copy-reply")).to_have_text("Gekopieerd")
    assert page.evaluate("navigator.clipboard.readText()").endswith("Tot ziens.")
    expect(page.locator("#outcome")).to_contain_text("vastgelegd als aangepast")
    assert [r["action"] for r in _storage(tmp_path).feedback()] == ["edited"]


def test_dark_mode(fake_api: Start, browser: Any) -> None:
    url = fake_api()
    dark = new_session(browser, color_scheme="dark")
    try:
        page = dark.open(url)
        suggest(page, ANGRY)
        wait_for_reply(page)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        panel = page.evaluate(
            "getComputedStyle(document.querySelector('section.reply')).backgroundColor"
        )
        text = page.evaluate("getComputedStyle(document.querySelector('#reply')).color")

        def light(rgb: str) -> float:
            r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
            return (r + g + b) / 3

        assert light(background) < 40 and light(panel) < 60, (background, panel)
        assert light(text) > 180, text
        screenshot(page, "workbench-8-dark.png")
    finally:
        dark.context.close()
    assert not dark.errors, dark.errors


def test_private_message_mode(fake_api: Start, session: Session) -> None:
    url = fake_api()
    page = session.open(url)
    page.get_by_label("Binnengekomen als privébericht").check()
    suggest(page, PLAIN)
    wait_for_reply(page)
    expect(page.locator("section.reply .tag")).to_have_text("als privébericht (DM)")
    expect(page.locator("details.plan")).to_contain_text("Alleen privé reageren")
