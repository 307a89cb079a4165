"""notebooks/evaluation.ipynb runs top to bottom against the tiny model (so it cannot rot), reports
the figures of the library, and is committed without outputs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from responder.model.building import evaluate
from responder.model.modeling import load_model
from responder.model.real_text import abuse_f1, false_alarms, read_jsonl, sentiment_f1

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "evaluation.ipynb"
LIMIT = 40
DUMP = "SUMMARY-JSON:"


@pytest.fixture(scope="module")
def executed(tiny_model: Path, tiny_data: Path) -> tuple[Any, list[dict[str, Any]]]:
    """The notebook after a run from notebooks/ (real sets at their default, relative path),
    and its closing summary rows, printed by one cell appended for the test."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(f"import json\nprint({DUMP!r} + json.dumps(SUMMARY))")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_EVAL_")}
    env |= {
        "RESPONDER_EVAL_MODEL": str(tiny_model),
        "RESPONDER_EVAL_DATA": str(tiny_data),
        "RESPONDER_EVAL_LIMIT": str(LIMIT),
    }
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute(env=env)  # raises CellExecutionError on the first failing cell
    printed = "".join(
        o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream"
    )
    summary = json.loads(printed.split(DUMP, 1)[1])
    return nb, summary


def _output_text(nb: Any) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            for mime in ("text/plain", "text/markdown", "text/html"):
                parts.append(output.get("data", {}).get(mime, ""))
    return "\n".join(parts)


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert "RESPONDER_EVAL_LIMIT" in code[0].source  # parameters come first


def test_notebook_runs_and_reports_every_section(
    executed: tuple[Any, list[dict[str, Any]]],
) -> None:
    nb, summary = executed
    text = _output_text(nb)
    for expected in (
        "share with a P1 flag",
        "textblob-nl",
        "majority",
        "evidence",
        "sentiment-xed",
    ):
        assert expected in text
    headings = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in (
        "## 1. Test split",
        "## 4. False alarms",
        "## 5. Error analysis",
        "## 6. Summary",
    ):
        assert heading in headings
    figures = {(row["set"], row["figure"]) for row in summary}
    assert ("test split", "sentiment macro-F1") in figures
    assert ("sentiment-xed", "sentiment macro-F1") in figures
    assert ("abuse-xed", "abuse macro-F1") in figures
    assert ("abuse-xed, second annotator", "abuse macro-F1") in figures
    assert ("ordinary", "share with a P1 flag") in figures
    for row in summary:
        assert 0 < row["n"] <= LIMIT
        for system in ("model", "majority", "textblob-nl"):
            value = row[system]
            assert value is None or 0.0 <= value <= 1.0, row


def test_notebook_figures_equal_the_library(
    executed: tuple[Any, list[dict[str, Any]]], tiny_model: Path, tiny_data: Path
) -> None:
    _, summary = executed
    got = {(row["set"], row["figure"]): row for row in summary}
    model = load_model(tiny_model)
    # The tiny test split has fewer than LIMIT rows: the notebook saw all of it.
    full = evaluate(model, tiny_data, "test")
    for head in ("sentiment", "intent", "topic", "flags"):
        row = got[("test split", f"{head} macro-F1")]
        assert row["model"] == pytest.approx(full["model"][head]["macro_f1"])
        assert row["majority"] == pytest.approx(full["baselines"]["majority"][head]["macro_f1"])
    assert got[("test split", "sentiment macro-F1")]["textblob-nl"] == pytest.approx(
        full["baselines"]["textblob_nl"]["sentiment"]["macro_f1"]
    )
    real = ROOT / "data" / "real"
    rows = read_jsonl(real / "sentiment-xed.jsonl")[:LIMIT]
    scores = model.predict([r["text"] for r in rows])
    expected = sentiment_f1([r["sentiment"] for r in rows], scores)
    assert got[("sentiment-xed", "sentiment macro-F1")]["model"] == pytest.approx(expected)
    rows = read_jsonl(real / "abuse-xed.jsonl")[:LIMIT]
    scores = model.predict([r["text"] for r in rows])
    expected = abuse_f1([r["abuse"] for r in rows], scores)
    assert got[("abuse-xed", "abuse macro-F1")]["model"] == pytest.approx(expected)
    expected = abuse_f1([r["abuse_second"] for r in rows], scores)
    assert got[("abuse-xed, second annotator", "abuse macro-F1")]["model"] == pytest.approx(
        expected
    )
    rows = [r for r in read_jsonl(real / "ordinary.jsonl") if r["split"] == "eval"][:LIMIT]
    expected = false_alarms(model.predict([r["text"] for r in rows]))["any_p1"]
    assert got[("ordinary", "share with a P1 flag")]["model"] == pytest.approx(expected)
