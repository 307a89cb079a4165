"""Shared by the web page tests: Debian chromium through Playwright, one context and page per
test with every request and uncaught error recorded, and the small steps every test takes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"

if not CHROMIUM.exists():
    pytest.skip(
        "web tests need Debian chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="web tests need Python playwright")
expect = sync_api.expect

ANGRY = (
    "Mijn pakket is nog steeds niet geleverd en niemand reageert. "
    "Als dit zo doorgaat stap ik naar mijn advocaat! Kunt u dit vandaag nog oplossen?"
)


def launch_browser() -> Iterator[Any]:
    """Debian chromium for a module's tests (each test module wraps this in its fixture)."""
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


def new_session(browser: Any, width: int = 1366, height: int = 768, **options: Any) -> Session:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        **options,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    s = Session(context, page)
    page.on("request", lambda request: s.requests.append(request.url))
    page.on("pageerror", lambda error: s.errors.append(str(error)))
    return s


def session_in(browser: Any) -> Iterator[Session]:
    """A 1366×768 session for one test; no uncaught page error may be left at the end."""
    s = new_session(browser)
    yield s
    s.context.close()
    assert not s.errors, f"uncaught errors in the page: {s.errors}"


def suggest(page: Any, text: str, **fields: str) -> None:
    """Fill in the form and ask for suggestions (the optional fields only when given)."""
    if "channel" in fields:
        page.get_by_label("Kanaal").select_option(fields["channel"])
    if "author" in fields or "initials" in fields:
        more = page.locator("details#more")
        if more.get_attribute("open") is None:
            more.locator("summary").click()
    if "author" in fields:
        page.get_by_label("Naam van de schrijver (optioneel)").fill(fields["author"])
    if "initials" in fields:
        page.get_by_label("Uw initialen (optioneel)").fill(fields["initials"])
    page.get_by_label("Reactie van de klant").fill(text)
    page.get_by_role("button", name="Voorstellen").click()


def wait_for_reply(page: Any) -> Any:
    """The editable reply, once the result is there."""
    reply = page.locator("#reply")
    expect(reply).to_be_visible()
    return reply


def screenshot(page: Any, name: str, full_page: bool = False) -> Path:
    """A PNG of this state under artifacts/ (the viewport unless ``full_page``)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def in_viewport(page: Any, locator: Any) -> bool:
    """Whether the element lies wholly inside the visible part of the page."""
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]
