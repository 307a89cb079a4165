"""The HTML report: self-contained, Dutch, right numbers, charts as SVG, comment text escaped."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from responder.advice.playbook import load_playbook
from responder.batch.labelling import LabelSummary, label_file
from responder.batch.report import (
    P1_FLAGS,
    ReportBuilder,
    ReportSpec,
    bucket_counts,
    find_date_column,
    p1_flags_of,
    parse_moment,
)
from responder.config import Settings
from responder.errors import InputError
from responder.triage.service import TriageService

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
EVIL = "<script>alert('x')</script> ik bel mijn advocaat"


class Page(HTMLParser):
    """What the tests look at: tags, attributes, section ids and text per section."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.attrs: list[tuple[str, str, str]] = []
        self.sections: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.table_rows: list[list[str]] = []
        """The rows of the P1 table ("eerst-bekijken")."""
        self.rows_by_section: dict[str, list[list[str]]] = {}
        self._section: str | None = None
        self._count: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        values = {k: v or "" for k, v in attrs}
        self.attrs += [(tag, k, v) for k, v in values.items()]
        if tag == "section":
            self._section = values["id"]
            self.sections[self._section] = ""
        if "data-count" in values:
            self._count = values["data-count"]
        if tag == "tr" and self._section in ("eerst-bekijken", "mogelijk"):
            self._row = []
        if tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        if tag == "tr" and self._row:
            self.rows_by_section.setdefault(self._section or "", []).append(self._row)
            if self._section == "eerst-bekijken":
                self.table_rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._section:
            self.sections[self._section] += data
        if self._count is not None:
            self.counts[self._count] = int(data)
            self._count = None
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def service(fake_classifier) -> TriageService:  # type: ignore[no-untyped-def]
    return TriageService(fake_classifier, Settings(max_text_chars=200))


def labelled_report(service: TriageService, tmp_path: Path) -> Path:
    src = tmp_path / "export.csv"
    lines = ["Datum;Kanaal;Bericht"]
    texts = [
        "Top service!",
        "Niet geleverd, slecht",
        "Where is my parcel? Nobody answers at all.",
        "",
    ]
    for i in range(40):
        lines.append(f'{1 + i % 3:02d}-11-2026 1{i % 10}:05;x;"{texts[i % 4]}"')
    lines.append(f'02-11-2026 09:00;facebook;"{EVIL}"')
    lines.append('onbekend;x;"Niet geleverd, advocaat"')
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = tmp_path / "rapport.html"
    spec = ReportSpec(report, model="tiny (test)", playbook="Standaard (versie 1)")
    label_file(service, src, tmp_path / "out.csv", report=spec)
    return report


def test_report_sections_numbers_and_escaping(service: TriageService, tmp_path: Path) -> None:
    text = labelled_report(service, tmp_path).read_text(encoding="utf-8")
    page = Page(text)
    assert list(page.sections) == [
        "aantallen",
        "verdeling",
        "verloop",
        "eerst-bekijken",
        "mogelijk",
        "over",
    ]
    assert page.counts == {
        "Rijen": 42,
        "Gelabeld": 22,  # 10 top, 10 slecht, the two with an advocaat
        "Niet Nederlands": 10,
        "Fouten": 10,
        "Met P1-vlag": 2,
        "Mogelijke P1-vlag": 0,
    }
    assert page.tags["svg"] == 5  # four distributions and the timeline
    assert page.tags["script"] == 0 and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    links = [v for tag, k, v in page.attrs if k in ("src", "href")]
    assert not [v for v in links if "http" in v or v.startswith("//")]
    assert "http" not in text
    # The table: the two P1 comments, the same probability, so in file order.
    assert [row[0] for row in page.table_rows] == ["41", "42"]
    assert page.table_rows[0][1] == "02-11-2026 09:00"
    assert page.table_rows[0][2] == "juridische dreiging (90%)"
    assert page.table_rows[0][4] == EVIL
    assert page.table_rows[1][1] == ""  # "onbekend" is no date
    timeline = page.sections["verloop"]
    assert (
        "Datumkolom Datum, per uur." in timeline and "1 rij(en) zonder herkenbare datum" in timeline
    )
    about = page.sections["over"]
    assert "tiny (test)" in about and "Standaard (versie 1)" in about and "Bericht" in about
    assert '<html lang="nl">' in text


def test_the_most_likely_p1_comments_come_first_at_most_fifty(tmp_path: Path) -> None:
    builder = ReportBuilder(ReportSpec(tmp_path / "r.html"), "text", None)
    for number in range(1, 81):
        p = (number % 20) / 20 + 0.01
        flags = ["abuse", "safety"] if number % 2 else ["churn_threat"]
        added = {"sentiment": "negative", "flags": flags, "flags_scores": [0.99, p]}
        builder.add(number, {"text": f"reactie {number}"}, added)
    summary = LabelSummary(rows=80, labelled=80)
    page = Page(builder.render(summary, "x.csv", datetime(2026, 11, 25, 14, 5)))
    assert page.counts["Met P1-vlag"] == 40
    assert len(page.table_rows) == 40
    probabilities = [float(r[2].split("(")[1].rstrip("%)")) for r in page.table_rows]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(r[2].startswith("veiligheid") for r in page.table_rows)  # abuse is no P1 flag

    for number in range(81, 161):
        builder.add(number, {"text": "x"}, {"flags": ["safety"], "flags_scores": [0.5]})
    page = Page(builder.render(summary, "x.csv", datetime(2026, 11, 25)))
    assert len(page.table_rows) == 50
    assert "De 50 met de hoogste kans, van 120 in totaal." in page.sections["eerst-bekijken"]


def test_possible_p1_flags_have_their_own_table_and_count(tmp_path: Path) -> None:
    builder = ReportBuilder(ReportSpec(tmp_path / "r.html"), "text", None)
    rows = [
        # only a possible P1 flag: its own table
        {"flags": [], "flags_possible": ["safety"], "flags_possible_scores": [0.9]},
        # a P1 flag and a possible one: the P1 table only
        {
            "flags": ["legal_threat"],
            "flags_scores": [0.8],
            "flags_possible": ["safety"],
            "flags_possible_scores": [0.95],
        },
        # a possible flag that is no P1 flag in the playbook: neither
        {"flags": [], "flags_possible": ["abuse"], "flags_possible_scores": [0.7]},
        {"flags": [], "flags_possible": ["privacy_incident"], "flags_possible_scores": [0.66]},
    ]
    for number, added in enumerate(rows, 1):
        builder.add(number, {"text": f"reactie {number}"}, {"sentiment": "negative", **added})
    page = Page(builder.render(LabelSummary(rows=4, labelled=4), "x.csv", datetime(2026, 11, 25)))
    assert page.counts["Met P1-vlag"] == 1
    assert page.counts["Mogelijke P1-vlag"] == 2
    assert [r[0] for r in page.table_rows] == ["2"]
    assert page.table_rows[0][2] == "juridische dreiging (80%)"
    possible = page.rows_by_section["mogelijk"]
    assert [r[0] for r in possible] == ["1", "4"]  # the highest probability first
    assert possible[0][2] == "veiligheid (90%)"


def test_no_date_column(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "Top"}\n', encoding="utf-8")
    said: list[str] = []
    label_file(
        service,
        src,
        tmp_path / "o.jsonl",
        report=ReportSpec(tmp_path / "r.html"),
        notify=said.append,
    )
    page = Page((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert "Geen datumkolom gevonden" in page.sections["verloop"]
    assert page.tags["svg"] == 4
    assert any("Geen datumkolom" in s for s in said)
    assert "Geen reacties met een P1-vlag." in page.sections["eerst-bekijken"]


def test_date_column_names_and_explicit_choice() -> None:
    said: list[str] = []
    assert find_date_column(["id", "Created_At", "tijd"], None, said.append) == "Created_At"
    assert said == ["Datumkolom voor het rapport: 'Created_At'."]
    assert find_date_column(["a", "b"], "b", said.append) == "b"
    with pytest.raises(InputError, match=r"Datumkolom 'c' bestaat niet\. Gevonden kolommen: a, b"):
        find_date_column(["a", "b"], "c", said.append)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-25T14:05:00", datetime(2026, 11, 25, 14, 5)),
        ("2026-11-25 14:05", datetime(2026, 11, 25, 14, 5)),
        ("2026-11-25T13:05:00Z", datetime(2026, 11, 25, 14, 5)),  # UTC → Dutch time
        ("2026-07-01T12:00:00+00:00", datetime(2026, 7, 1, 14, 0)),  # summer time
        ("25-11-2026 14:05", datetime(2026, 11, 25, 14, 5)),
        ("25-11-2026", datetime(2026, 11, 25)),
        ("5/3/2026 9.30", datetime(2026, 3, 5, 9, 30)),
        ("25.11.2026 14:05:09", datetime(2026, 11, 25, 14, 5, 9)),
        ("25 nov 2026", datetime(2026, 11, 25)),
        ("wo 25 november 2026 om 14:05", datetime(2026, 11, 25, 14, 5)),
        ("1 mrt. 2026", datetime(2026, 3, 1)),
        (datetime(2026, 11, 25, 14, 5), datetime(2026, 11, 25, 14, 5)),
        (date(2026, 11, 25), datetime(2026, 11, 25)),
        (1795611900, datetime(2026, 11, 25, 14, 5)),
        (1795611900000, datetime(2026, 11, 25, 14, 5)),
        ("1795611900", datetime(2026, 11, 25, 14, 5)),
        ("31-02-2026", None),
        ("gisteren", None),
        ("", None),
        (None, None),
        (True, None),
        (42, None),
    ],
)
def test_parse_moment(value: object, expected: datetime | None) -> None:
    assert parse_moment(value) == expected


def test_buckets_follow_the_span() -> None:
    one_day = {datetime(2026, 11, 25, h): Counter(negative=1) for h in (9, 12)}
    buckets, unit = bucket_counts(one_day)
    assert unit == "uur" and len(buckets) == 4 and buckets[0][0] == "25-11 09u"
    month = {datetime(2026, 11, 1): Counter(positive=2), datetime(2026, 11, 30, 8): Counter(x=1)}
    buckets, unit = bucket_counts(month)
    assert unit == "dag" and len(buckets) == 30 and buckets[-1] == ("30 nov", Counter(x=1))
    year = {datetime(2026, 1, 5): Counter(a=1), datetime(2026, 12, 30): Counter(a=1)}
    assert bucket_counts(year)[1] == "week"
    decade = {datetime(2020, 12, 5): Counter(a=1), datetime(2026, 1, 30): Counter(a=1)}
    buckets, unit = bucket_counts(decade)
    assert unit == "maand" and buckets[0][0] == "dec 2020" and buckets[1][0] == "jan 2021"


def test_p1_flags_come_from_the_playbook() -> None:
    assert set(p1_flags_of(load_playbook())) == set(P1_FLAGS)


def test_report_renders_in_a_browser(service: TriageService, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("the browser check needs Debian chromium at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Python playwright")
    report = labelled_report(service, tmp_path)
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
        page.goto(report.as_uri())
        assert page.title() == "Labelrapport export.csv"
        boxes = [svg.bounding_box() for svg in page.locator("svg").all()]
        assert len(boxes) == 5 and all(b and b["width"] > 200 and b["height"] > 50 for b in boxes)
        assert page.locator("#eerst-bekijken td.text").first.inner_text() == EVIL
        (ROOT / "artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "artifacts" / "report.png"), full_page=True)
        browser.close()
    assert requests == [report.as_uri()]  # nothing fetched from anywhere else
    assert errors == []


def test_the_time_chart_has_no_half_comments_on_its_axis() -> None:
    from collections import Counter

    from responder.batch.report import time_chart

    few = time_chart([("ma", Counter(negative=2, positive=1)), ("di", Counter(negative=1))], "dag")
    assert ">1.5<" not in few and ">3<" in few and ">0<" in few
    more = time_chart([("ma", Counter(negative=40)), ("di", Counter(positive=10))], "dag")
    labels = re.findall(r'text-anchor="end">([^<]+)<', more)
    assert len(labels) == 3 and all(float(v).is_integer() for v in labels)
