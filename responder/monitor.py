"""Monitoring the team's webcare (policy part 6): volume by sentiment per hour and per day,
topics per day, flags, the share handled within the playbook's deadline per priority, the median
time to answer, and where agents correct the model most. Figures as JSON and as an HTML fragment
with inline SVG (the charts of the labelling report); nothing is fetched from elsewhere."""

from __future__ import annotations

import html
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from responder.advice.playbook import Playbook
from responder.batch.report import bar_chart, dutch_moment, time_chart
from responder.labels import FLAGS, SENTIMENTS, TOPICS
from responder.names import FLAG_NAMES, HEAD_NAMES, MONTHS, TOPIC_NAMES, label_name
from responder.storage import QUEUE_STATUSES, Storage

MAX_DAYS = 90
HOURLY_DAYS = 7
"""Volume per hour is given for windows up to this many days (at most 168 hours)."""
PAGE_HOURS = 48
"""The page charts the last this many hours (the JSON has every hour of the window)."""


def _minutes(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 60, 1)


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def figures(
    storage: Storage, key_id: int | None, playbook: Playbook, days: int = 7
) -> dict[str, Any]:
    """The monitoring figures of one team over the last ``days`` days, from its queue (when the
    comments were posted) and its label corrections. Times are in the playbook's zone."""
    zone: ZoneInfo = playbook.organisation.zone
    now = storage.clock().astimezone(zone)
    start = (now - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    rows = storage.queue_items(key_id, QUEUE_STATUSES, limit=1_000_000, since=start)
    items = []
    for row in rows:
        posted = datetime.fromisoformat(row["posted_at"]).astimezone(zone)
        if posted > now:
            continue
        items.append((row, posted))
    per_hour: dict[datetime, Counter[str]] = {}
    per_day: dict[str, Counter[str]] = {}
    topics_per_day: dict[str, Counter[str]] = {}
    flags: Counter[str] = Counter()
    for row, posted in items:
        sentiment = row["sentiment"] or ""
        per_hour.setdefault(_hour(posted), Counter())[sentiment] += 1
        day = posted.date().isoformat()
        per_day.setdefault(day, Counter())[sentiment] += 1
        topics_per_day.setdefault(day, Counter())[row["topic"] or ""] += 1
        flags.update(_flags(row))
    hours = []
    if days <= HOURLY_DAYS:
        at = _hour(start).astimezone(UTC)  # step in UTC: a day with a clock change has 23 or 25
        while at <= now:
            local = at.astimezone(zone)
            hours.append(
                {"hour": local.isoformat(), **_by_sentiment(per_hour.get(local, Counter()))}
            )
            at += timedelta(hours=1)
    day_list: list[dict[str, Any]] = []
    at_day = start.date()
    while at_day <= now.date():
        key = at_day.isoformat()
        day_list.append({"day": key, **_by_sentiment(per_day.get(key, Counter()))})
        at_day += timedelta(days=1)
    topic_days: list[dict[str, Any]] = []
    for d in day_list:
        counts = topics_per_day.get(str(d["day"]), Counter())
        topic_days.append({"day": d["day"], **{t: counts[t] for t in TOPICS}})
    return {
        "days": days,
        "from": start.isoformat(),
        "to": now.replace(microsecond=0).isoformat(),
        "total": len(items),
        "status": dict(Counter(row["status"] for row, _ in items)),
        "volume_per_hour": hours,
        "volume_per_day": day_list,
        "topics_per_day": topic_days,
        "flags": {f: flags[f] for f in FLAGS},
        "deadlines": _deadlines(items, playbook, now),
        "median_minutes_to_answer": _median([m for m in _answer_minutes(items)]),
        "corrections": _corrections(storage, key_id, start, len(items)),
    }


def _flags(row: dict[str, Any]) -> list[str]:
    import json

    value = row["flags"]
    return list(value) if isinstance(value, list) else json.loads(value or "[]")


def _by_sentiment(counts: Counter[str]) -> dict[str, int]:
    return {**{s: counts[s] for s in SENTIMENTS}, "unlabelled": counts[""]}


def _handled(row: dict[str, Any]) -> datetime | None:
    return datetime.fromisoformat(row["handled_at"]) if row["handled_at"] else None


def _answer_minutes(items: list[tuple[dict[str, Any], datetime]]) -> list[float]:
    out = []
    for row, posted in items:
        handled = _handled(row)
        if handled is not None:
            out.append(max(0.0, _minutes(posted, handled)))
    return out


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _deadlines(
    items: list[tuple[dict[str, Any], datetime]], playbook: Playbook, now: datetime
) -> dict[str, dict[str, Any]]:
    """Per priority: comments, those due (handled, or open past the deadline), those handled
    (answered or escalated) by the deadline, their share of the due ones, and the median
    minutes from posting to handling."""
    out = {}
    for priority, spec in playbook.priorities.items():
        mine = [(r, p) for r, p in items if r["priority"] == priority]
        due = in_time = 0
        for row, _ in mine:
            deadline = datetime.fromisoformat(row["deadline"])
            handled = _handled(row)
            if handled is not None or deadline < now:
                due += 1
            if handled is not None and handled <= deadline:
                in_time += 1
        out[priority] = {
            "name": spec.name,
            "deadline_minutes": spec.deadline_minutes,
            "comments": len(mine),
            "due": due,
            "in_time": in_time,
            "share_in_time": round(in_time / due, 4) if due else None,
            "open_overdue": sum(
                1
                for r, _ in mine
                if r["status"] == "open" and datetime.fromisoformat(r["deadline"]) < now
            ),
            "median_minutes_to_answer": _median(_answer_minutes(mine)),
        }
    return out


def _corrections(
    storage: Storage, key_id: int | None, start: datetime, comments: int
) -> dict[str, Any]:
    """How often agents corrected each head, and which label changes come up most. A flag the
    model raised as a possible one (no telling word) that the agent confirms is its own change,
    "mogelijk X" to X: the model saw it, the telling words held it back."""
    rows = storage.corrections(key_id, every_key=False, since=start)
    per_head: Counter[str] = Counter()
    changes: Counter[tuple[str, str | None, str | None]] = Counter()
    for row in rows:
        model = row["model"]
        for head in row["corrected"]:
            per_head[head] += 1
            if head == "flags":
                before, after = set(model.get("flags") or []), set(row["flags"])
                possible = set(model.get("possible_flags") or [])
                changes.update(("flags", f, None) for f in sorted(before - after))
                for f in sorted(after - before):
                    changes[("flags", f"{POSSIBLE}{f}" if f in possible else None, f)] += 1
            else:
                changes[(head, model.get(head), row[head])] += 1
    return {
        "total": len(rows),
        "per_head": {
            h: {
                "count": per_head[h],
                "share_of_comments": round(per_head[h] / comments, 4) if comments else None,
            }
            for h in ("sentiment", "intent", "topic", "flags")
        },
        "changes": [
            {"head": h, "from": a, "to": b, "count": n}
            for (h, a, b), n in sorted(changes.items(), key=lambda kv: (-kv[1], str(kv[0])))
        ],
    }


# --- the page ---------------------------------------------------------------------------------


def _day_name(day: str) -> str:
    d = datetime.fromisoformat(day)
    return f"{d.day} {MONTHS[d.month - 1][:3]}"


def _series(rows: list[dict[str, Any]], key: str, name: Any) -> list[tuple[str, Counter[str]]]:
    out = []
    for row in rows:
        counts = Counter({s: row[s] for s in SENTIMENTS})
        counts[""] = row["unlabelled"]
        out.append((name(row[key]), counts))
    return out


def _minutes_text(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 120:
        return f"{value:.0f} min"
    return f"{value / 60:.1f} uur".replace(".", ",")


def render(data: dict[str, Any]) -> str:
    """The figures as an HTML fragment (Dutch, inline SVG, every value escaped)."""
    esc = html.escape
    total = data["total"]
    period = "De laatste dag" if data["days"] == 1 else f"De laatste {data['days']} dagen"
    cards = [
        ("Reacties", str(total)),
        ("Open", str(data["status"].get("open", 0))),
        ("Beantwoord", str(data["status"].get("answered", 0))),
        ("Geëscaleerd", str(data["status"].get("escalated", 0))),
        ("Mediane reactietijd", _minutes_text(data["median_minutes_to_answer"])),
        ("Correcties", str(data["corrections"]["total"])),
    ]
    parts = [
        f'<p class="sub">{period}, tot {esc(dutch_moment(datetime.fromisoformat(data["to"])))}.'
        " Alleen reacties uit de wachtrij van dit team.</p>",
        '<div class="cards">'
        + "".join(
            f'<div class="card"><span class="n">{esc(v)}</span><span>{esc(k)}</span></div>'
            for k, v in cards
        )
        + "</div>",
    ]
    if not total:
        parts.append("<p>Nog geen reacties in deze periode.</p>")
    recent = data["volume_per_hour"][-PAGE_HOURS:]
    if recent and total:
        buckets = _series(recent, "hour", lambda h: f"{h[8:10]}-{h[5:7]} {h[11:13]}u")
        parts.append(
            f"<h2>Per uur</h2><p>De laatste {len(recent)} uur.</p>" + time_chart(buckets, "uur")
        )
    if total:
        buckets = _series(data["volume_per_day"], "day", _day_name)
        parts.append("<h2>Per dag</h2>" + time_chart(buckets, "dag"))
        topic_totals: Counter[str] = Counter()
        for row in data["topics_per_day"]:
            topic_totals.update({t: row[t] for t in TOPICS})
        parts.append(
            '<h2>Onderwerpen</h2><div class="grid2"><figure><figcaption>Totaal</figcaption>'
            + bar_chart(
                "Onderwerpen",
                [(TOPIC_NAMES.get(t, t), t, topic_totals[t]) for t in TOPICS],
                total,
            )
            + "</figure><figure><figcaption>Vlaggen</figcaption>"
            + bar_chart(
                "Vlaggen", [(FLAG_NAMES.get(f, f), f, data["flags"][f]) for f in FLAGS], total
            )
            + "</figure></div>"
            + _topics_table(data["topics_per_day"])
        )
    parts.append(_deadline_table(data["deadlines"]))
    parts.append(_corrections_part(data["corrections"]))
    return "".join(parts)


def _topics_table(rows: list[dict[str, Any]]) -> str:
    shown = [r for r in rows if any(r[t] for t in TOPICS)]
    if not shown:
        return ""
    head = "".join(f"<th>{html.escape(TOPIC_NAMES.get(t, t))}</th>" for t in TOPICS)
    body = "".join(
        f"<tr><td>{html.escape(_day_name(r['day']))}</td>"
        + "".join(f"<td>{r[t] or ''}</td>" for t in TOPICS)
        + "</tr>"
        for r in shown
    )
    return (
        "<h3>Onderwerpen per dag</h3><table><thead><tr><th>Dag</th>"
        f"{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _deadline_table(deadlines: dict[str, dict[str, Any]]) -> str:
    rows = []
    for priority, d in deadlines.items():
        share = "–" if d["share_in_time"] is None else f"{d['share_in_time']:.0%}"
        rows.append(
            f"<tr><td>{html.escape(priority)} {html.escape(d['name'])}</td><td>{d['comments']}</td>"
            f"<td>{d['due']}</td><td>{d['in_time']}</td><td>{share}</td>"
            f"<td>{d['open_overdue']}</td>"
            f"<td>{_minutes_text(d['median_minutes_to_answer'])}</td></tr>"
        )
    return (
        "<h2>Binnen de termijn</h2><p>Afgehandeld (beantwoord of geëscaleerd) binnen de termijn "
        "van het draaiboek, van de reacties waarvan de termijn verstreken is of die zijn "
        "afgehandeld.</p><table><thead><tr><th>Prioriteit</th><th>Reacties</th><th>Te doen</th>"
        "<th>Op tijd</th><th>Aandeel</th><th>Open en te laat</th><th>Mediane reactietijd</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


POSSIBLE = "mogelijk:"
"""Marks a flag the model raised as a possible one in a change's ``from``."""


def _corrections_part(corrections: dict[str, Any]) -> str:
    total = corrections["total"]
    if not total:
        return "<h2>Correcties</h2><p>Nog geen labels gecorrigeerd in deze periode.</p>"
    heads = [(HEAD_NAMES.get(h, h), h, c["count"]) for h, c in corrections["per_head"].items()]
    rows = []
    for change in corrections["changes"][:20]:
        head = change["head"]

        def name(label: str | None, head: str = head) -> str:
            if label is None:
                return "–"
            if label.startswith(POSSIBLE):
                flag = label.removeprefix(POSSIBLE)
                return f"mogelijk {label_name(head, flag)} (niet geëscaleerd)"
            return label_name(head, label)

        rows.append(
            f"<tr><td>{html.escape(HEAD_NAMES.get(head, head))}</td>"
            f"<td>{html.escape(name(change['from']))}</td>"
            f"<td>{html.escape(name(change['to']))}</td><td>{change['count']}</td></tr>"
        )
    return (
        "<h2>Correcties</h2><p>Waar medewerkers het model het vaakst verbeteren.</p>"
        '<div class="grid2"><figure><figcaption>Per kop</figcaption>'
        + bar_chart("Correcties per kop", heads, total)
        + "</figure></div><table><thead><tr><th>Kop</th><th>Model</th><th>Medewerker</th>"
        "<th>Aantal</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
