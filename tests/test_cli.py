"""The responder command as a user runs it: JSON out, one clear line and an exit code on errors.

Commands run in process (Click's CliRunner) with the environment a user would set; a few run as
real subprocesses of the installed ``responder`` script (``server`` marker), to check the
entry point itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from responder.cli import cli
from responder.labels import FLAGS

RESPONDER = str(Path(sys.executable).parent / "responder")


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True)
def _database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit log of each test in its own database."""
    monkeypatch.setenv("RESPONDER_DATABASE_URL", f"sqlite:///{tmp_path / 'audit.db'}")


def run(*args: str, model: Path | None = None, stdin: str | bytes | None = None) -> Ran:
    env = {"RESPONDER_MODEL_PATH": str(model) if model else "/nonexistent/model"}
    result = CliRunner().invoke(cli, list(args), input=stdin, env=env, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def run_installed(
    *args: str | bytes, model: Path | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed ``responder`` script in a fresh process, as a shell runs it (an argument
    in bytes reaches it undecoded, like ``$'\\xff'`` in bash)."""
    env = {**os.environ, "RESPONDER_MODEL_PATH": str(model) if model else "/nonexistent/model"}
    result = subprocess.run(
        [RESPONDER, *args], capture_output=True, input=stdin, env=env, timeout=300
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )


def assert_clean_failure(
    result: Ran | subprocess.CompletedProcess[str], code: int, needle: str
) -> None:
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr, result.stderr
    assert needle in result.stderr, result.stderr


def test_triage_prints_json_with_probabilities(tiny_model: Path) -> None:
    result = run(
        "triage",
        "Al drie weken wacht ik op mijn pakket, ik stap naar de Geschillencommissie",
        model=tiny_model,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    for head in ("sentiment", "intent", "topic"):
        assert 0.0 <= out[head]["probability"] <= 1.0
    assert set(out["flag_probabilities"]) == set(FLAGS)
    assert out["language"]["label"] == "nl" and out["register"]["label"] == "unknown"


def test_triage_reads_stdin(tiny_model: Path) -> None:
    result = run("triage", "-", model=tiny_model, stdin="Kunt u mij helpen met mijn factuur?")
    assert result.returncode == 0 and json.loads(result.stdout)["register"]["label"] == "u"


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["triage", "pakket \udcff"], None),  # an undecodable argument, as Python passes it on
        (["triage", "-"], b"pakket \xff"),
        (["suggest", "-", "--time", "2026-11-25T10:00"], b"waar blijft mijn pakket \xff\xfe"),
    ],
    ids=["argument", "stdin", "suggest"],
)
def test_text_that_is_not_utf8_gets_replacement_characters(
    tiny_model: Path, args: list[str], stdin: bytes | None
) -> None:
    result = run(*args, model=tiny_model, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "geen geldige UTF-8; onleesbare tekens zijn vervangen door \ufffd" in result.stderr
    if args[0] == "triage":
        assert json.loads(result.stdout)["language"]["label"]


def test_empty_text(tiny_model: Path) -> None:
    assert_clean_failure(run("triage", "   ", model=tiny_model), 2, "De tekst is leeg")


def test_missing_model() -> None:
    assert_clean_failure(run("triage", "hallo"), 3, "responder model build")


def test_corrupt_model(tiny_model: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "heads.safetensors").write_bytes(b"\x00" * 10)
    assert_clean_failure(run("triage", "hallo", model=broken), 3, "beschadigd")


def test_label_round_trip_and_errors(tiny_model: Path, tmp_path: Path) -> None:
    src = tmp_path / "comments.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": "Top service, bedankt!"})
        + "\n"
        + json.dumps({"id": "b", "text": ""})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "labelled.csv"
    result = run("label", str(src), "-o", str(out), "--text-column", "text", model=tiny_model)
    assert result.returncode == 0, result.stderr
    assert "2 rijen geschreven" in result.stderr and "1 met een fout" in result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,text,sentiment,sentiment_score") and len(lines) == 3

    assert_clean_failure(
        run("label", str(tmp_path / "nope.csv"), "-o", str(out), model=tiny_model),
        2,
        "niet gevonden",
    )
    assert_clean_failure(
        run("label", str(src), "-o", str(out), "--text-column", "bericht", model=tiny_model),
        2,
        "Gevonden kolommen: id, text",
    )


@pytest.mark.slow
def test_train_and_eval_report_baselines(tiny_base: Path, tiny_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "m"
    result = run(
        "train",
        "--data",
        str(tiny_data),
        "--output",
        str(out),
        "--base-model",
        str(tiny_base),
        "--epochs",
        "1",
        "--batch-size",
        "8",
    )
    assert result.returncode == 0, result.stderr
    assert "| sentiment (macro-F1) |" in result.stdout and "textblob_nl" in result.stdout
    result = run(
        "eval",
        "--model",
        str(out),
        "--data",
        str(tiny_data),
        "--split",
        "dev",
        "--output",
        str(tmp_path / "r"),
    )
    assert result.returncode == 0, result.stderr
    assert "## flags" in result.stdout and "truth \\ predicted" in result.stdout
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())["split"] == "dev"


def test_train_with_bad_data_or_base(tiny_base: Path, tmp_path: Path) -> None:
    assert_clean_failure(
        run("train", "--data", str(tmp_path), "--base-model", str(tiny_base)), 2, "Geen train.jsonl"
    )
    assert_clean_failure(
        run("train", "--base-model", "someone/not-cached-model"), 3, "lokale Hugging Face-cache"
    )


@pytest.mark.parametrize("args", [["triage"], ["label", "x.csv"], ["nonsense"]])
def test_usage_errors_are_not_tracebacks(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_suggest_prints_plan_and_suggestions(tiny_model: Path) -> None:
    text = "Kun je even kijken waar mijn pakket blijft? Ik wacht al een week."
    result = run(
        "suggest",
        text,
        "--channel",
        "x",
        "--time",
        "2026-11-25T10:00",
        "--initials",
        "AB",
        model=tiny_model,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Situatie:" in out and "Reageren vóór:" in out and "Stappen:" in out
    assert "waarom:" in out and "Suggesties (x):" in out
    assert out.count("^AB") >= 3


def test_suggest_json_and_errors(tiny_model: Path, tmp_path: Path) -> None:
    text = "Kunt u mij helpen met de factuur?"
    result = run("suggest", text, "--json", "--initials", "AB", model=tiny_model)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["plan"]["register"] == "u" and out["plan"]["priority"] in ("P1", "P2", "P3", "P4")
    assert all(s["register"] == "u" and s["guardrails"] for s in out["suggestions"])
    assert_clean_failure(
        run("suggest", text, "--channel", "myspace", model=tiny_model), 2, "Onbekend kanaal"
    )
    assert_clean_failure(
        run("suggest", text, "--time", "gisteren", model=tiny_model), 2, "Tijdstip"
    )
    for moment in ("9999-12-31T23:00", "0001-01-01T00:00", "2100-01-01T00:00+14:00"):
        far = run("suggest", text, "--time", moment, model=tiny_model)
        assert_clean_failure(far, 2, "ligt buiten 2000–2099")
        assert far.stderr.count("\n") == 1, far.stderr
    # checked before the model is loaded: no model needed to hear about the typo
    early = run("suggest", text, "--time", "9999-12-31T23:00", model=tmp_path / "geen-model")
    assert_clean_failure(early, 2, "ligt buiten 2000–2099")
    broken = tmp_path / "kapot.yaml"
    broken.write_text("version: [\n", encoding="utf-8")
    assert_clean_failure(
        run("suggest", text, "--playbook", str(broken), model=tiny_model), 2, "kapot.yaml:"
    )


def test_playbook_check_init_and_errors(tmp_path: Path) -> None:
    ok = run("playbook", "check")
    assert ok.returncode == 0 and "In orde." in ok.stdout, ok.stdout + ok.stderr
    own = tmp_path / "eigen.yaml"
    assert run("playbook", "init", str(own)).returncode == 0 and own.is_file()
    assert_clean_failure(run("playbook", "init", str(own)), 2, "bestaat al")
    text = own.read_text("utf-8")
    start = text.index("  - id: compliment")
    end = text.index("  - id: suggestie")
    own.write_text(text[:start] + text[end:], encoding="utf-8")
    gaps = run("playbook", "check", str(own))
    assert gaps.returncode == 1 and "intent=praise" in gaps.stdout
    own.write_text(text.replace("intents: [praise]", "intents: [lof]"), encoding="utf-8")
    bad = run("playbook", "check", str(own))
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "intents: [praise]" in s)
    assert_clean_failure(bad, 2, f"{own}:{line}: situations.")


@pytest.mark.server
def test_the_installed_script_reports_errors_in_one_line(tiny_model: Path) -> None:
    ok = run_installed("triage", "Top service, bedankt!", model=tiny_model)
    assert ok.returncode == 0 and json.loads(ok.stdout)["language"]["label"] == "nl", ok.stderr
    assert_clean_failure(run_installed("triage", "hallo"), 3, "responder model build")
    assert_clean_failure(run_installed("triage", "   ", model=tiny_model), 2, "De tekst is leeg")
    usage = run_installed("nonsense")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


@pytest.mark.server
def test_the_installed_script_takes_bytes_that_are_not_utf8(tiny_model: Path) -> None:
    """The tester's reproducers, through a real process: ``triage $'pakket \\xff'``, the same
    bytes on stdin, and a posting time in the year 9999."""
    for args, stdin in ([b"pakket \xff"], None), (["-"], b"pakket \xff"):
        ok = run_installed("triage", *args, model=tiny_model, stdin=stdin)
        assert ok.returncode == 0 and "Traceback" not in ok.stderr, ok.stderr
        assert "\ufffd" in ok.stderr and json.loads(ok.stdout)["language"]["label"]
    far = run_installed("suggest", "hallo", "--time", "9999-12-31T23:00", model=tiny_model)
    assert_clean_failure(far, 2, "ligt buiten 2000–2099")


def test_triage_and_suggest_are_audited_like_the_api(tiny_model: Path, tmp_path: Path) -> None:
    import sqlite3

    assert run("triage", "Waar blijft mijn pakket?", model=tiny_model).returncode == 0
    assert run("suggest", "Waar blijft mijn pakket?", "--json", model=tiny_model).returncode == 0
    with sqlite3.connect(tmp_path / "audit.db") as db:
        rows = db.execute("SELECT endpoint, comment FROM audit ORDER BY id").fetchall()
    assert rows == [("triage", None), ("suggest", None)]  # no comment text by default


def test_eval_on_real_text_beside_the_lexicon(
    tiny_model: Path, tiny_data: Path, tmp_path: Path
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    rows = {
        "ordinary.jsonl": [
            {
                "text": "De gemeenteraad vergadert donderdag over de nieuwe begroting.",
                "split": "eval",
                "genre": "news",
            },
            {"text": "Heb je de tafel al gedekt?", "split": "eval", "genre": "everyday"},
            {"text": "Deze zin is voor training.", "split": "train", "genre": "everyday"},
        ],
        "sentiment-test.jsonl": [
            {"text": "Wat een geweldige film, echt genoten!", "sentiment": "positive"},
            {"text": "Slecht, saai en veel te lang.", "sentiment": "negative"},
        ],
        "abuse-test.jsonl": [
            {"text": "Stelletje idioten daar", "abuse": True},
            {"text": "Fijne dag allemaal", "abuse": False},
        ],
    }
    for name, items in rows.items():
        (real / name).write_text("".join(json.dumps(r) + "\n" for r in items), encoding="utf-8")
    result = run("eval", "--model", str(tiny_model), "--data", str(tiny_data), "--real", str(real))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "| sentiment-test (n=2) | sentiment macro-F1 |" in out
    assert "| abuse-test (n=2) | abuse macro-F1 |" in out
    assert "| ordinary (n=2) | share with a P1 flag |" in out  # the eval half only
    assert "| ordinary/news (n=1) |" in out
    missing = run(
        "eval",
        "--model",
        str(tiny_model),
        "--data",
        str(tiny_data),
        "--real",
        str(tmp_path / "nope"),
    )
    assert_clean_failure(missing, 2, "Geen map met echte teksten")
