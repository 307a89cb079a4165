"""Monitoring figures computed from known queue rows and corrections, and their HTML (inline
SVG, nothing fetched from elsewhere)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from responder.advice.playbook import load_playbook
from responder.monitor import figures, render
from responder.storage import Storage, stamp

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 16.00 in Amsterdam


def row(
    posted: datetime,
    priority: str,
    minutes: int,
    sentiment: str = "negative",
    topic: str = "delivery",
    flags: list[str] | None = None,
    key: int | None = None,
) -> dict[str, Any]:
    deadline = posted + timedelta(minutes=minutes)
    return {
        "key_id": key,
        "request_id": f"r{posted:%H%M}{priority}",
        "priority": priority,
        "situation": "s",
        "title": "t",
        "deadline": deadline.isoformat(),
        "deadline_utc": stamp(deadline),
        "posted_at": posted.isoformat(),
        "posted_utc": stamp(posted),
        "channel": "x",
        "sentiment": sentiment,
        "intent": "complaint",
        "topic": topic,
        "flags": flags or [],
        "text": None,
    }


def test_figures_from_known_rows(tmp_path: Path) -> None:
    clock = [NOW - timedelta(hours=5)]
    db = Storage(f"sqlite:///{tmp_path / 'm.db'}", lambda: clock[0])
    pb = load_playbook()
    t0 = NOW - timedelta(hours=5)
    a = db.add_to_queue(row(t0, "P1", 60, flags=["legal_threat"]))
    b = db.add_to_queue(row(t0 + timedelta(minutes=10), "P1", 60, flags=["media_threat"]))
    c = db.add_to_queue(row(t0 + timedelta(hours=1), "P3", 240, "positive", "service"))
    db.add_to_queue(row(t0 + timedelta(hours=2), "P3", 240, "neutral", "billing"))
    db.add_to_queue(row(NOW - timedelta(days=9), "P3", 240))  # outside the window
    db.add_to_queue(row(t0, "P1", 60, key=5))  # another team
    clock[0] = t0 + timedelta(minutes=20)
    db.update_queue_item(a, None, "escalated")  # 20 minutes: in time
    clock[0] = t0 + timedelta(minutes=100)
    db.update_queue_item(b, None, "answered")  # 90 minutes after posting: too late
    clock[0] = t0 + timedelta(minutes=120)
    db.update_queue_item(c, None, "answered")  # 60 minutes: in time
    db.record_correction(
        "r1",
        None,
        {
            "sentiment": "negative",
            "intent": "complaint",
            "topic": "billing",
            "flags": ["legal_threat"],
        },
        ["topic", "flags"],
        {"sentiment": "negative", "intent": "complaint", "topic": "delivery", "flags": []},
        None,
    )
    db.record_correction(
        "r2",
        None,
        {"sentiment": "negative", "intent": "complaint", "topic": "billing", "flags": []},
        ["topic"],
        {"sentiment": "negative", "intent": "complaint", "topic": "delivery", "flags": []},
        None,
    )
    db.record_correction(  # an agent confirms a possible flag: the model saw it
        "r3",
        None,
        {"sentiment": "negative", "intent": "complaint", "topic": "product", "flags": ["safety"]},
        ["flags"],
        {
            "sentiment": "negative",
            "intent": "complaint",
            "topic": "product",
            "flags": [],
            "possible_flags": ["safety"],
        },
        None,
    )
    clock[0] = NOW
    data = figures(db, None, pb, days=7)
    assert data["total"] == 4
    assert data["status"] == {"escalated": 1, "answered": 2, "open": 1}
    assert data["flags"]["legal_threat"] == 1 and data["flags"]["media_threat"] == 1
    days = {d["day"]: d for d in data["volume_per_day"]}
    assert days["2026-11-25"] == {
        "day": "2026-11-25",
        "negative": 2,
        "neutral": 1,
        "positive": 1,
        "unlabelled": 0,
    }
    assert len(data["volume_per_day"]) == 8  # seven days back and today
    hours = {h["hour"]: h for h in data["volume_per_hour"]}
    assert hours["2026-11-25T11:00:00+01:00"]["negative"] == 2  # 10.00 UTC = 11.00 here
    assert sum(h["negative"] + h["neutral"] + h["positive"] for h in hours.values()) == 4
    topics = {d["day"]: d for d in data["topics_per_day"]}["2026-11-25"]
    assert (topics["delivery"], topics["service"], topics["billing"]) == (2, 1, 1)
    p1, p3 = data["deadlines"]["P1"], data["deadlines"]["P3"]
    assert (p1["comments"], p1["due"], p1["in_time"], p1["share_in_time"]) == (2, 2, 1, 0.5)
    # P3: one answered in time, one open and not yet due (its deadline is 16.00 UTC).
    assert (p3["comments"], p3["due"], p3["in_time"], p3["share_in_time"]) == (2, 1, 1, 1.0)
    assert p3["open_overdue"] == 0
    assert data["median_minutes_to_answer"] == 60.0  # 20, 60, 90
    assert p1["median_minutes_to_answer"] == 55.0
    corrections = data["corrections"]
    assert corrections["total"] == 3
    assert corrections["per_head"]["topic"] == {"count": 2, "share_of_comments": 0.5}
    assert corrections["changes"] == [
        {"head": "topic", "from": "delivery", "to": "billing", "count": 2},
        {"head": "flags", "from": "mogelijk:safety", "to": "safety", "count": 1},
        {"head": "flags", "from": None, "to": "legal_threat", "count": 1},
    ]
    assert "mogelijk veiligheid (niet geëscaleerd)" in render(data)
    assert figures(db, 5, pb, days=7)["total"] == 1
    assert figures(db, None, pb, days=30)["volume_per_hour"] == []  # hours only up to 7 days


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    db = Storage(f"sqlite:///{tmp_path / 'm.db'}", lambda: NOW)
    empty = render(figures(db, None, load_playbook(), days=1))
    assert "Nog geen reacties" in empty
    db.add_to_queue(row(NOW - timedelta(hours=1), "P2", 120, topic="<script>"))
    page = render(figures(db, None, load_playbook(), days=1))
    assert "<svg" in page and "<script" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "http://" not in page and "https://" not in page
    static = Path(__file__).parents[1] / "responder" / "api" / "static"
    for name in ("monitor.html", "monitor.js", "monitor.css"):
        text = (static / name).read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), name
