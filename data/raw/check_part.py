"""Check one hand-written part file against the label scheme (used while writing data)."""
import collections, json, sys

SENT = {"negative", "neutral", "positive"}
INTENT = {"complaint", "question", "praise", "suggestion", "other"}
TOPIC = {"delivery", "product", "service", "billing", "outage", "account_privacy", "policy", "general"}
FLAGS = {"legal_threat", "media_threat", "churn_threat", "safety", "abuse", "privacy_incident", "discrimination"}
STYLES = {"long", "short", "mixed", "sarcasm", "subtle", "announcement", "flemish", "slang", "typos", "contrast", "hard_negative", "offtopic", "formal"}
PLATFORMS = {"facebook", "instagram", "x", "linkedin", "tiktok", "review", "other"}

path = sys.argv[1]
counts = {k: collections.Counter() for k in ("sentiment", "intent", "topic", "flags", "platform")}
ids, texts, errors = set(), set(), 0
for n, line in enumerate(open(path, encoding="utf-8"), 1):
    if not line.strip():
        continue
    try:
        r = json.loads(line)
        required = {"id", "text", "sentiment", "intent", "topic", "flags", "platform"}
        assert required <= set(r) <= required | {"pair", "style"}, f"keys {sorted(r)}"
        assert isinstance(r.get("pair", ""), str), "pair must be a string id"
        assert set(r.get("style", [])) <= STYLES, f"unknown style {r.get('style')}"
        assert r["id"] not in ids, "duplicate id"
        assert r["text"].strip(), "empty text"
        assert r["text"] not in texts, "duplicate text"
        assert r["sentiment"] in SENT and r["intent"] in INTENT and r["topic"] in TOPIC, "bad label"
        assert isinstance(r["flags"], list) and set(r["flags"]) <= FLAGS, "bad flags"
        assert r["platform"] in PLATFORMS, "bad platform"
    except Exception as exc:  # noqa: BLE001
        errors += 1
        print(f"line {n}: {exc}: {line[:80]!r}")
        continue
    ids.add(r["id"]); texts.add(r["text"])
    for k in ("sentiment", "intent", "topic", "platform"):
        counts[k][r[k]] += 1
    counts["flags"].update(r["flags"] or ["(none)"])
print(f"{len(ids)} valid rows, {errors} errors")
for k, c in counts.items():
    print(k, dict(c.most_common()))
