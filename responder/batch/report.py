"""The HTML report of a labelling run: one self-contained Dutch page, charts as inline SVG.

Built from running aggregates (counters, per-hour counts, a heap of the most urgent P1 comments)
fed one row at a time, so that the report costs the same memory for a hundred rows as for a
million.
"""

from __future__ import annotations

import heapq
import html
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from responder.advice.playbook import Playbook, Signals
from responder.config import CONFIG_NAME
from responder.errors import InputError
from responder.labels import FLAGS, INTENTS, SENTIMENTS, TOPICS
from responder.names import FLAG_NAMES, INTENT_NAMES, MONTHS, SENTIMENT_NAMES, TOPIC_NAMES
from responder.triage.normalise import without_surrogates

P1_FLAGS = ("safety", "discrimination", "privacy_incident", "legal_threat", "media_threat")
"""Flags whose comments the standard playbook handles first (P1)."""
TOP_N = 50
DATE_COLUMN_NAMES = (
    "date",
    "datum",
    "created_at",
    "created",
    "timestamp",
    "tijdstip",
    "tijd",
    "time",
    "datetime",
    "published",
    "published_at",
    "publicatiedatum",
    "gepubliceerd",
    "posted_at",
    "geplaatst",
    "created_time",
    "aangemaakt",
)
"""Column names recognised as the comment's date, case-insensitive, the first that fits wins."""
ZONE = ZoneInfo("Europe/Amsterdam")

SERIES = (
    ("negative", "negatief", "#c0392b"),
    ("neutral", "neutraal", "#95a5a6"),
    ("positive", "positief", "#27ae60"),
    ("", "zonder label", "#d5d8dc"),
)
_MONTH_WORDS = {
    **{m: i for i, m in enumerate(MONTHS, 1)},
    **{m[:3]: i for i, m in enumerate(MONTHS, 1)},
    "mrt": 3,
    "sept": 9,
    "okt": 10,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "oct": 10,
    "october": 10,
    "january": 1,
    "february": 2,
    "august": 8,
}
_DMY = re.compile(
    r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T,]+(?:om\s+)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
)
_D_MONTH_Y = re.compile(
    r"(?:[a-z]+\.?,?\s+)?(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})(?:,?\s+(?:om\s+)?(\d{1,2})[:.](\d{2}))?"
)


@dataclass(frozen=True)
class ReportSpec:
    """What the user asked for (``--report``, ``--date-column``) and what the page names."""

    path: Path
    date_column: str | None = None
    model: str = "onbekend"
    playbook: str = "onbekend"
    p1_flags: tuple[str, ...] = P1_FLAGS


class Totals(Protocol):
    rows: int
    labelled: int
    not_dutch: int
    errors: int


def p1_flags_of(playbook: Any) -> tuple[str, ...]:
    """The flags that on their own make the playbook's most urgent situation a P1."""

    found = []
    for flag in FLAGS:
        matches = playbook.matching(Signals("nl", flags=frozenset({flag})))
        if matches and matches[0].priority == "P1":
            found.append(flag)
    return tuple(found)


def find_date_column(
    columns: Sequence[str], explicit: str | None, notify: Callable[[str], None]
) -> str | None:
    """``--date-column`` when given (it must exist), else a column with a common date name."""
    if explicit is not None:
        if explicit not in columns:
            raise InputError(
                f"Datumkolom '{explicit}' bestaat niet. Gevonden kolommen: "
                f"{', '.join(columns) or '(geen)'}."
            )
        return explicit
    by_name = {c.strip().lower(): c for c in reversed(columns)}
    for name in DATE_COLUMN_NAMES:
        if name in by_name:
            notify(f"Datumkolom voor het rapport: '{by_name[name]}'.")
            return by_name[name]
    notify("Geen datumkolom gevonden; het rapport toont geen verloop in de tijd.")
    return None


def parse_moment(value: Any) -> datetime | None:
    """A comment's time from what exports contain: datetimes, ISO text, Dutch day-month-year
    (``25-11-2026 14:05``, ``25 nov 2026``), Unix seconds or milliseconds. Naive, Dutch time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    elif isinstance(value, str):
        found = _parse_text(value.strip())
        if found is None:
            return None
        moment = found
    else:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZONE).replace(tzinfo=None)
    return moment


def _from_epoch(seconds: float) -> datetime | None:
    if 1e12 <= seconds < 1e14:
        seconds /= 1000
    if not 1e8 <= seconds < 1e11 or math.isnan(seconds):
        return None
    return datetime.fromtimestamp(seconds, ZONE).replace(tzinfo=None)


def _parse_text(text: str) -> datetime | None:
    if not text:
        return None
    if text.isdigit():
        return _from_epoch(float(text))
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        if m := _DMY.fullmatch(text):
            d, mo, y, h, mi, s = m.groups()
            return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        if (m := _D_MONTH_Y.fullmatch(text.lower())) and m.group(2) in _MONTH_WORDS:
            d, word, y, h, mi = m.groups()
            return datetime(int(y), _MONTH_WORDS[word], int(d), int(h or 0), int(mi or 0))
    except ValueError:  # 31-02-2026 and the like
        return None
    return None


# --- aggregates -----------------------------------------------------------------------------------


@dataclass(order=True)
class _Urgent:
    probability: float
    order: int
    """Minus the row number: among equal probabilities the earlier row ranks higher."""
    number: int = field(compare=False)
    flags: list[tuple[str, float]] = field(compare=False)
    sentiment: str | None = field(compare=False)
    moment: str = field(compare=False)
    text: str = field(compare=False)


class ReportBuilder:
    """Running aggregates of labelled rows, and the page made from them."""

    def __init__(self, spec: ReportSpec, text_column: str, date_column: str | None) -> None:
        self.spec, self.text_column, self.date_column = spec, text_column, date_column
        self.sentiments: Counter[str] = Counter()
        self.intents: Counter[str] = Counter()
        self.topics: Counter[str] = Counter()
        self.flags: Counter[str] = Counter()
        self.hours: dict[datetime, Counter[str]] = {}
        self.undated = 0
        self.p1_rows = 0
        self.urgent: list[_Urgent] = []
        self.possible_rows = 0
        self.possible: list[_Urgent] = []
        """Rows whose only P1 flags are possible ones (raised without a telling word)."""

    def add(self, number: int, values: dict[str, Any], added: dict[str, Any]) -> None:
        """Count one labelled row (``added`` by the unprefixed column names)."""
        sentiment = added.get("sentiment")
        for counter, key in (
            (self.sentiments, sentiment),
            (self.intents, added.get("intent")),
            (self.topics, added.get("topic")),
        ):
            if key is not None:
                counter[key] += 1
        flags = list(zip(added.get("flags") or [], added.get("flags_scores") or [], strict=False))
        self.flags.update(f for f, _ in flags)
        moment = None
        if self.date_column is not None:
            moment = parse_moment(values.get(self.date_column))
            if moment is None:
                self.undated += 1
            else:
                hour = moment.replace(minute=0, second=0, microsecond=0)
                self.hours.setdefault(hour, Counter())[sentiment or ""] += 1
        urgent = [(f, float(p)) for f, p in flags if f in self.spec.p1_flags]
        possible = [
            (f, float(p))
            for f, p in zip(
                added.get("flags_possible") or [],
                added.get("flags_possible_scores") or [],
                strict=False,
            )
            if f in self.spec.p1_flags
        ]
        if not urgent and not possible:
            return
        text = values.get(self.text_column)
        entry = _Urgent(
            max(p for _, p in urgent or possible),
            -number,
            number,
            urgent or possible,
            sentiment,
            f"{moment:%d-%m-%Y %H:%M}" if moment else "",
            text if isinstance(text, str) else "",
        )
        if urgent:
            self.p1_rows += 1
            _keep_top(self.urgent, entry)
        else:
            self.possible_rows += 1
            _keep_top(self.possible, entry)

    def render(self, totals: Totals, source_name: str, created: datetime) -> str:
        counts = [
            ("Rijen", totals.rows),
            ("Gelabeld", totals.labelled),
            ("Niet Nederlands", totals.not_dutch),
            ("Fouten", totals.errors),
            ("Met P1-vlag", self.p1_rows),
            ("Mogelijke P1-vlag", self.possible_rows),
        ]
        cards = "".join(
            f'<div class="card"><span class="n" data-count="{html.escape(label)}">{n}</span>'
            f"<span>{html.escape(label)}</span></div>"
            for label, n in counts
        )
        charts = [
            ("Sentiment", self.sentiments, SENTIMENTS, SENTIMENT_NAMES),
            ("Onderwerp", self.topics, TOPICS, TOPIC_NAMES),
            ("Soort reactie", self.intents, INTENTS, INTENT_NAMES),
            ("Vlaggen", self.flags, FLAGS, FLAG_NAMES),
        ]
        distribution = "".join(
            f"<figure><figcaption>{title}</figcaption>"
            f"{bar_chart(title, [(names.get(k, k), k, counter[k]) for k in order], totals.rows)}"
            "</figure>"
            for title, counter, order, names in charts
        )
        meta = [
            ("Bestand", source_name),
            ("Tekstkolom", self.text_column),
            ("Datumkolom", self.date_column or "geen gevonden"),
            ("Model", self.spec.model),
            ("Draaiboek", self.spec.playbook),
            ("Gemaakt op", dutch_moment(created)),
        ]
        about = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in meta)
        return PAGE.format(
            title=html.escape(f"Labelrapport {source_name}"),
            css=CSS,
            source=html.escape(source_name),
            created=html.escape(dutch_moment(created)),
            cards=cards,
            distribution=distribution,
            timeline=self._timeline(),
            urgent=self._urgent_table(),
            possible=self._possible_table(),
            about=about,
            p1_names=html.escape(", ".join(FLAG_NAMES.get(f, f) for f in self.spec.p1_flags)),
        )

    def _timeline(self) -> str:
        if self.date_column is None:
            return (
                "<p>Geen datumkolom gevonden (gezocht naar onder meer datum, date, created_at, "
                "timestamp en tijd). Kies er een met <code>--date-column</code>.</p>"
            )
        column = html.escape(self.date_column)
        if not self.hours:
            return f"<p>Geen enkele datum in kolom <code>{column}</code> herkend.</p>"
        buckets, unit = bucket_counts(self.hours)
        note = f"<p>Datumkolom <code>{column}</code>, per {unit}."
        if self.undated:
            note += f" {self.undated} rij(en) zonder herkenbare datum tellen niet mee."
        return note + "</p>" + time_chart(buckets, unit)

    def _urgent_table(self) -> str:
        if not self.urgent:
            return "<p>Geen reacties met een P1-vlag.</p>"
        return _table(self.urgent, self.p1_rows)

    def _possible_table(self) -> str:
        if not self.possible:
            return "<p>Geen reacties met alleen een mogelijke P1-vlag.</p>"
        return _table(self.possible, self.possible_rows)


def _keep_top(heap: list[_Urgent], entry: _Urgent) -> None:
    """Keep the :data:`TOP_N` most likely entries."""
    if len(heap) < TOP_N:
        heapq.heappush(heap, entry)
    else:
        heapq.heappushpop(heap, entry)


def _table(entries: list[_Urgent], total: int) -> str:
    """The entries with the highest probability first, and how many there were in all."""
    rows = []
    for u in sorted(entries, reverse=True):
        flags = ", ".join(f"{FLAG_NAMES.get(f, f)} ({p:.0%})" for f, p in u.flags)
        sentiment = SENTIMENT_NAMES.get(u.sentiment or "", u.sentiment or "–")
        rows.append(
            f"<tr><td>{u.number}</td><td>{html.escape(u.moment)}</td>"
            f"<td>{html.escape(flags)}</td><td>{html.escape(sentiment)}</td>"
            f'<td class="text">{html.escape(u.text)}</td></tr>'
        )
    shown = (
        f"De {len(rows)} met de hoogste kans, van {total} in totaal."
        if total > len(rows)
        else f"Alle {len(rows)} staan hieronder."
    )
    return (
        f"<p>{shown} Rij = rijnummer in het bestand, zonder de kopregel.</p>"
        "<table><thead><tr><th>Rij</th><th>Datum</th><th>Vlag (kans)</th>"
        "<th>Sentiment</th><th>Reactie</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def write_report(path: Path, page: str) -> None:
    from responder.batch.formats import atomic_path

    try:
        with atomic_path(path) as tmp:
            # A file or model name from undecodable bytes holds lone surrogates: not UTF-8.
            tmp.write_text(without_surrogates(page), encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"Kan het rapport niet schrijven naar {path}: {exc.strerror or exc}."
        ) from exc


# --- time buckets ---------------------------------------------------------------------------------


def bucket_counts(
    hours: dict[datetime, Counter[str]],
) -> tuple[list[tuple[str, Counter[str]]], str]:
    """Per-hour counts regrouped by hour, day, week or month, whichever fits the span; empty
    buckets included so that the time axis is even."""
    first, last = min(hours), max(hours)
    span = last - first
    unit = (
        "uur"
        if span <= timedelta(days=3)
        else "dag"
        if span <= timedelta(days=120)
        else "week"
        if span <= timedelta(days=3 * 366)
        else "maand"
    )
    grouped: dict[datetime, Counter[str]] = {}
    for hour, counts in hours.items():
        grouped.setdefault(_bucket_start(hour, unit), Counter()).update(counts)
    out = []
    at, end = _bucket_start(first, unit), _bucket_start(last, unit)
    while at <= end:
        out.append((_bucket_label(at, unit), grouped.get(at, Counter())))
        at = _bucket_next(at, unit)
    return out, unit


def _bucket_start(moment: datetime, unit: str) -> datetime:
    if unit == "uur":
        return moment
    if unit == "dag":
        return moment.replace(hour=0)
    if unit == "week":
        return moment.replace(hour=0) - timedelta(days=moment.weekday())
    return moment.replace(day=1, hour=0)


def _bucket_next(start: datetime, unit: str) -> datetime:
    steps = {"uur": timedelta(hours=1), "dag": timedelta(days=1), "week": timedelta(weeks=1)}
    if unit in steps:
        return start + steps[unit]
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def _bucket_label(start: datetime, unit: str) -> str:
    if unit == "uur":
        return f"{start:%d-%m %H}u"
    if unit == "dag":
        return f"{start.day} {MONTHS[start.month - 1][:3]}"
    if unit == "week":
        week = start.isocalendar()
        return f"wk {week.week} {week.year}"
    return f"{MONTHS[start.month - 1][:3]} {start.year}"


def dutch_moment(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


# --- SVG ------------------------------------------------------------------------------------------


def bar_chart(title: str, items: list[tuple[str, str, int]], total: int) -> str:
    """Horizontal bars: (Dutch name, label, count), with count and share of ``total``."""
    row, label_w, bar_w, value_w = 24, 185, 185, 80
    top = max((n for _, _, n in items), default=0) or 1
    width, height = label_w + bar_w + value_w, row * len(items) + 8
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{html.escape(title)}" class="bars"><title>{html.escape(title)}</title>'
    ]
    for i, (name, code, n) in enumerate(items):
        y = 4 + i * row
        bar = round(bar_w * n / top, 1)
        share = f" ({n / total:.0%})" if total else ""
        parts.append(
            f"<g><title>{html.escape(code)}: {n}</title>"
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{html.escape(name)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar}" height="{row - 8}" rx="3"/>'
            f'<text x="{label_w + bar + 6}" y="{y + 16}" class="v">{n}{share}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return value


def time_chart(buckets: list[tuple[str, Counter[str]]], unit: str) -> str:
    """Stacked columns per bucket: the volume, split by sentiment."""
    width, height, left, right, top, bottom = 760, 270, 48, 40, 12, 54
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max(sum(c.values()) for _, c in buckets))
    slot = plot_w / len(buckets)
    bar = max(1.0, slot * 0.8)
    every = max(1, math.ceil(len(buckets) / 8))
    title = f"Aantal reacties per {unit}, naar sentiment"
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{title}" class="timeline">'
        f"<title>{title}</title>"
    ]
    for frac in (0, 0.5, 1):
        if (peak * frac) % 1:
            continue  # counts are whole: no gridline at 1.5 comments
        y = top + plot_h * (1 - frac)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{peak * frac:g}</text>'
        )
    for i, (name, counts) in enumerate(buckets):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        total = sum(counts.values())
        tip = ", ".join(f"{dutch} {counts[key]}" for key, dutch, _ in SERIES if counts[key])
        parts.append(
            f"<g><title>{html.escape(name)}: {total} ({html.escape(tip or 'geen')})</title>"
        )
        for key, _, colour in SERIES:
            h = plot_h * counts[key] / peak
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"/>'
                )
        parts.append("</g>")
        if i % every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 16}" class="x">{html.escape(name)}</text>'
            )
    legend_y, x = height - 10, left
    for _, dutch, colour in SERIES:
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{legend_y}">{dutch}</text>'
        )
        x += 120
    parts.append("</svg>")
    return "".join(parts)


CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;
margin:0;background:#f5f7fa}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}h2{margin-top:32px;border-bottom:2px solid #d9e2ec}
.sub{color:#52606d;margin:0}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border-radius:8px;padding:12px 16px;min-width:140px;
box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card .n{display:block;font-size:1.8em;font-weight:600}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px;
align-items:start}
figure{background:#fff;border-radius:8px;margin:0;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
figcaption{font-weight:600;margin-bottom:6px}
svg{height:auto;font-size:12px}svg text{fill:#1f2933}
svg.bars{max-width:100%}svg.timeline{width:100%}
svg.bars rect{fill:#2f6fb2}svg .v{fill:#52606d}
svg .grid{stroke:#d9e2ec}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #d9e2ec;padding:6px 8px;text-align:left;vertical-align:top}
td.text{white-space:pre-wrap;word-break:break-word}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{font-weight:600}
"""

PAGE = """<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<main>
<h1>Labelrapport</h1>
<p class="sub">{source} · gemaakt op {created}</p>
<section id="aantallen">
<h2>Aantallen</h2>
<div class="cards">{cards}</div>
</section>
<section id="verdeling">
<h2>Verdeling</h2>
<div class="grid2">{distribution}</div>
</section>
<section id="verloop">
<h2>Verloop in de tijd</h2>
{timeline}
</section>
<section id="eerst-bekijken">
<h2>Eerst bekijken</h2>
<p>Reacties met een P1-vlag ({p1_names}), de hoogste kans eerst, hoogstens 50.</p>
{urgent}
</section>
<section id="mogelijk">
<h2>Mogelijk urgent, niet geëscaleerd</h2>
<p>Reacties waarin het model een P1-vlag ziet zonder een woord dat die vlag onderbouwt (de kans
op een vals alarm is dan groot; zie <code>responder/triage/cues.py</code>). Ze krijgen geen P1,
maar kijk ze even na: een terechte melding zet u met één klik op P1 in de werkplek.</p>
{possible}
</section>
<section id="over">
<h2>Over dit rapport</h2>
<dl>{about}</dl>
<p>Labels zijn voorspellingen van het model: bekijk twijfelgevallen zelf.</p>
</section>
</main>
</body>
</html>
"""


def report_spec(
    path: Path, date_column: str | None, model_path: Path, playbook: Playbook
) -> ReportSpec:
    """What the report names: the model (folder, base, training date) and the playbook."""
    model_name = str(model_path)
    config = model_path / CONFIG_NAME
    try:
        base = json.loads(config.read_text(encoding="utf-8")).get("base_model", "?")
        saved = datetime.fromtimestamp(config.stat().st_mtime)
        model_name += f" (basis {base}, opgeslagen {saved:%d-%m-%Y %H:%M})"
    except (OSError, ValueError, AttributeError):
        pass  # loading the model reports what is wrong with it
    return ReportSpec(path, date_column, model_name, playbook.label, p1_flags_of(playbook))
