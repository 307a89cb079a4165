"""The ``responder`` group and the commands about one comment, the playbook, the server, keys
and feedback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from responder.cli.common import comment_text, load_assistant, model_option, parse_time, say
from responder.cli.label import label
from responder.cli.models import evaluate_cmd, model, train
from responder.config import CONFIG_NAME, Settings
from responder.errors import InputError, ModelNotFoundError, ResponderError


class ResponderGroup(click.Group):
    """Errors a user can act on become one Dutch line and the error's exit code, also when a
    command is invoked in process (tests, other Python code)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ResponderError as exc:
            say(f"fout: {exc}")
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            say("Afgebroken.")
            ctx.exit(130)


@click.group(cls=ResponderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="responder")
def cli() -> None:
    """responder: triage van Nederlandse reacties op sociale media."""


for command in (label, train, evaluate_cmd, model):
    cli.add_command(command)


@cli.command()
@click.argument("text")
@model_option
def triage(text: str, model: Path | None) -> None:
    """Beoordeel één reactie en druk de triage af als JSON ('-' leest van stdin)."""
    _, result = load_assistant(model).triage(comment_text(text))
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


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
    from responder.advice.plan import CommentContext

    context = CommentContext(channel, parse_time(when), private, initials)
    advice = load_assistant(model, playbook=playbook_path).advise(comment_text(text), context)
    out = (
        json.dumps(advice.to_dict(), ensure_ascii=False, indent=2) if as_json else advice.as_text()
    )
    click.echo(out)


@cli.group()
def playbook() -> None:
    """Het draaiboek (de webcareprocedure) controleren en aanpassen."""


@playbook.command()
@click.argument("path", type=click.Path(path_type=Path), required=False)
def check(path: Path | None) -> None:
    """Controleer een draaiboek: velden, verwijzingen, teksten en dekking van alle situaties."""
    from responder.advice.playbook_check import check_playbook

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
    from responder.advice.playbook import default_playbook_text

    if path.exists():
        raise InputError(f"{path} bestaat al; kies een andere naam of verwijder het bestand.")
    path.write_text(default_playbook_text(), encoding="utf-8")
    say(f"Geschreven: {path}. Pas het aan en controleer het met `responder playbook check {path}`.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Start de API en de webpagina (http://HOST:PORT/). Buiten loopback is een API-sleutel verplicht."""
    from responder.api.deps import is_loopback
    from responder.api.server import serve as run_server
    from responder.storage import Storage

    settings = Settings()
    path = settings.triage_model_path
    if not (path / CONFIG_NAME).is_file():
        raise ModelNotFoundError(
            f"Geen triagemodel in {path}. Bouw het met 'responder model build' of zet RESPONDER_MODEL_PATH."
        )
    if not is_loopback(host):
        keys = [k for k in Storage(settings.database_url).list_keys() if k.active]
        if not keys:
            say(
                "Let op: de server luistert buiten loopback en vraagt een API-sleutel, maar er is er "
                "nog geen. Maak er een met `responder keys create NAAM`."
            )
    shown = "localhost" if is_loopback(host) else host
    say(f"responder luistert op http://{shown}:{port}/ (API-documentatie: /docs). Stoppen: Ctrl+C.")
    run_server(host, port, workers)


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
    say(f"Sleutel {key.id} ({key.name}) aangemaakt. Bewaar hem nu: hij wordt niet opnieuw getoond.")


@keys.command(name="revoke")
@click.argument("key_id", type=int)
def keys_revoke(key_id: int) -> None:
    """Trek een sleutel in (id uit `responder keys list`)."""
    key = _storage().revoke_key(key_id)
    say(f"Sleutel {key.id} ({key.name}) is ingetrokken sinds {key.revoked_at}.")


@keys.command(name="list")
def keys_list() -> None:
    """Toon alle sleutels (zonder geheim)."""
    rows = _storage().list_keys()
    if not rows:
        say("Nog geen sleutels. Maak er een met `responder keys create NAAM`.")
    for k in rows:
        status = "actief" if k.active else f"ingetrokken {k.revoked_at}"
        click.echo(f"{k.id}\t{k.prefix}…\t{k.name}\t{k.created_at}\t{status}")


@cli.group()
def feedback() -> None:
    """Feedback van het team op de suggesties (gebruikt, aangepast, afgewezen)."""


@feedback.command(name="reset")
@click.option("--template", default=None, help="Alleen dit sjabloon, bijv. 'bezorgklacht#1/text'.")
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
def feedback_reset(template: str | None, yes: bool) -> None:
    """Tel de feedback tot nu toe niet meer mee voor de volgorde van de suggesties.

    De feedback blijft in de database bewaard (voor het auditlog en hertrainen); alleen de
    invloed op de volgorde verdwijnt. Een draaiende server merkt het binnen 30 seconden.
    """
    which = f"sjabloon {template}" if template else "alle sjablonen"
    if not yes:
        click.confirm(f"Feedback van {which} niet meer meetellen voor de volgorde?", abort=True)
    count = _storage().exclude_feedback(template)
    say(f"{count} feedbackregels van {which} tellen niet meer mee voor de volgorde.")


def main() -> None:
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        say("Afgebroken.")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()


def _load_playbook(path: Path | None) -> Any:
    from responder.advice.playbook import load_playbook

    return load_playbook(path or Settings().playbook_path)
