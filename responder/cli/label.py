"""``responder label``: label an exported file of comments; every row and column is kept."""

from __future__ import annotations

import time
from contextlib import closing
from pathlib import Path

import click

from responder.cli.common import Progress, load_assistant, model_option, say
from responder.config import Settings
from responder.errors import InputError


@click.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Uitvoerbestand; het formaat volgt de extensie (.csv, .xlsx, .jsonl, .parquet).",
)
@click.option(
    "--text-column",
    default=None,
    help="Kolom met de tekst van de reactie (standaard: herkend aan de naam, bijv. tekst, bericht).",
)
@click.option(
    "--prefix", default="", help="Voorvoegsel voor de toegevoegde kolommen, bij een naamconflict."
)
@click.option(
    "--batch-size",
    default=32,
    show_default=True,
    type=click.IntRange(1, 4096),
    help="Reacties per modelstap (32 is op 2 kernen het snelst gemeten).",
)
@click.option(
    "--chunk-size",
    default=5000,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Rijen per tussenbestand in de werkmap; een hervatte run doet klare delen niet over.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Modelprocessen met elk één thread (standaard 1; elk extra proces kost ~1 GB geheugen).",
)
@click.option("--resume", is_flag=True, help="Ga verder met een onderbroken run.")
@click.option("--restart", is_flag=True, help="Gooi een onderbroken run weg en begin opnieuw.")
@click.option(
    "--report",
    type=click.Path(path_type=Path),
    default=None,
    help="Schrijf ook een HTML-rapport (aantallen, verdeling, verloop, eerst bekijken).",
)
@click.option(
    "--date-column",
    default=None,
    help="Kolom met de datum voor het rapport (standaard: herkend aan de naam, bijv. datum).",
)
@model_option
def label(
    source: Path,
    output: Path,
    text_column: str | None,
    prefix: str,
    batch_size: int,
    chunk_size: int,
    workers: int | None,
    resume: bool,
    restart: bool,
    report: Path | None,
    date_column: str | None,
    model: Path | None,
) -> None:
    """Label een bestand met reacties; elke rij en kolom blijft behouden."""
    from responder.advice.playbook import load_playbook
    from responder.batch.labelling import LabelJob, LabelOptions, model_identity
    from responder.batch.report import report_spec

    if not source.is_file():
        raise InputError(f"Bestand niet gevonden: {source}")
    settings = Settings()
    model_path = model or settings.batch_model_path
    spec = None
    if report is not None:
        playbook = load_playbook(settings.playbook_path)
        spec = report_spec(report, date_column, model_path, playbook)
    options = LabelOptions(
        text_column,
        prefix,
        batch_size,
        chunk_size,
        resume,
        restart,
        spec,
        model=model_identity(model_path),
        max_text_chars=settings.max_text_chars,
    )
    job = LabelJob.prepare(source, output, options, say)
    n_workers = workers or settings.label_workers
    with closing(load_assistant(model_path, batch=True, workers=n_workers)) as assistant:
        bar = Progress(job.pending, "Labelen", unit="rij")

        def advance(n: int) -> None:
            rate = (bar.done + n) / max(time.monotonic() - bar.started, 1e-6)
            bar.update(n, postfix=f"{rate:.0f} rijen/s")

        try:
            summary = job.run(assistant.triage_service, advance)
        except KeyboardInterrupt:
            say("Onderbroken; ga later verder met hetzelfde commando plus --resume.")
            raise
        finally:
            bar.close()
    noted = f" (waarvan {summary.noted} met een opmerking)" if summary.noted else ""
    say(
        f"{summary.rows} rijen geschreven naar {output}: {summary.labelled} gelabeld{noted}, "
        f"{summary.not_dutch} niet-Nederlands, {summary.errors} met een fout (kolom 'error')."
    )
    if report is not None:
        say(f"Rapport: {report}")
