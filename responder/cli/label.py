"""``responder label``: label an exported file of comments; every row and column is kept."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import click

from responder.cli.common import Progress, load_assistant, model_option, say
from responder.config import Settings
from responder.errors import InputError

if TYPE_CHECKING:
    from responder.batch.labelling import LabelOptions, LabelSummary


@click.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Uitvoerbestand; het formaat volgt de extensie (.csv, .xlsx, .jsonl, .parquet). "
    "Met --engine ray ook een map: één Parquet-deel per invoerbestand.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: deze machine; ray: Ray Data (ook een map of patroon als invoer, ook een cluster).",
)
@click.option(
    "--ray-address",
    envvar="RAY_ADDRESS",
    default=None,
    help="Met --engine ray: adres van een bestaand Ray-cluster (HOST:POORT; ook RAY_ADDRESS). "
    "Zonder: Ray start op deze machine.",
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
    help="Modelprocessen met elk één thread (standaard 1; elk extra proces kost ~1 GB geheugen). "
    "Met --engine ray: het aantal actors (standaard één per kern van het cluster).",
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
    engine: str,
    ray_address: str | None,
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

    if engine == "ray":
        from responder.batch.ray_engine import check_address, import_ray

        import_ray()
        check_address(ray_address)
    elif not source.is_file():
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
        flag_cues=settings.flag_cues,
    )
    if engine == "ray":
        _label_on_ray(source, output, options, ray_address, workers, model_path)
        if report is not None:
            say(f"Rapport: {report}")
        return
    job = LabelJob.prepare(source, output, options, say)
    n_workers = workers or settings.label_workers
    with closing(load_assistant(model_path, batch=True, workers=n_workers)) as assistant:
        bar, advance = _progress(job.pending, "Labelen")
        try:
            summary = job.run(assistant.triage_service, advance)
        except KeyboardInterrupt:
            say("Onderbroken; ga later verder met hetzelfde commando plus --resume.")
            raise
        finally:
            bar.close()
    _say_summary(summary, output)
    if report is not None:
        say(f"Rapport: {report}")


def _progress(total: int | None, desc: str) -> tuple[Progress, Callable[[int], None]]:
    """A progress bar over rows, and the function that moves it, with the rows per second."""
    bar = Progress(total, desc, unit="rij")

    def advance(n: int) -> None:
        rate = (bar.done + n) / max(time.monotonic() - bar.started, 1e-6)
        bar.update(n, postfix=f"{rate:.0f} rijen/s")

    return bar, advance


def _say_summary(summary: LabelSummary, output: Path) -> None:
    noted = f" (waarvan {summary.noted} met een opmerking)" if summary.noted else ""
    say(
        f"{summary.rows} rijen geschreven naar {output}: {summary.labelled} gelabeld{noted}, "
        f"{summary.not_dutch} niet-Nederlands, {summary.errors} met een fout (kolom 'error')."
    )


def _label_on_ray(
    source: Path,
    output: Path,
    options: LabelOptions,
    address: str | None,
    workers: int | None,
    model: Path,
) -> None:
    """The same labelling on Ray Data: every check before any work, then a progress bar fed
    by the windows Ray hands back."""
    from responder.batch.ray_engine import RayLabelRun, RayOptions

    run = RayLabelRun.prepare(source, output, options, say)
    where = f"cluster {address}" if address else "Ray op deze machine"
    say(f"{len(run.files)} bestand(en), {run.pending_rows} rijen te labelen met {where}.")
    bar, advance = _progress(run.pending_rows, "Labelen (Ray)")
    try:
        summary = run.run(RayOptions(address, workers, model=model), advance)
    except KeyboardInterrupt:
        say("Onderbroken; ga later verder met hetzelfde commando plus --resume.")
        raise
    finally:
        bar.close()
    _say_summary(summary, output)
