"""Batch labelling keeps every row and field, in order, and loses nothing on bad input."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from responder.batch.labelling import ADDED_COLUMNS, label_file
from responder.config import Settings
from responder.errors import InputError
from responder.triage.service import TriageService

TESTS = Path(__file__).parent


@pytest.fixture
def service(fake_classifier) -> TriageService:  # type: ignore[no-untyped-def]
    return TriageService(fake_classifier, Settings(max_text_chars=200))


ROWS = [
    {"id": 1, "text": "Top service!", "meta": {"likes": 3}},
    {"id": 2, "text": "", "meta": None},
    {"id": 3, "text": "Pakket niet geleverd, ik bel mijn advocaat", "meta": [1, 2]},
    {"id": 4, "text": "Where is my parcel? Nobody answers my emails at all.", "meta": "x"},
    {"id": 5, "text": "x" * 300, "meta": 0},
    {"id": 6, "meta": "no text field"},
]


def test_jsonl_keeps_every_row_and_field_in_order(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    summary = label_file(service, src, out, batch_size=2)
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in got] == [1, 2, 3, 4, 5, 6]
    for before, after in zip(ROWS, got, strict=True):
        assert {k: after[k] for k in before} == before
        assert list(after)[: len(before)] == list(before)
        assert set(ADDED_COLUMNS) <= set(after)
    assert got[0]["sentiment"] == "positive" and got[0]["error"] is None
    assert got[1]["sentiment"] is None and "leeg" in got[1]["error"]
    assert got[2]["flags"] == ["legal_threat"] and got[2]["flags_scores"] == [0.9]
    assert got[3]["language"] == "en" and got[3]["error"] == "niet_nederlands"
    assert "te lang" in got[4]["error"]
    assert "ontbreekt" in got[5]["error"]
    assert (summary.rows, summary.labelled, summary.not_dutch, summary.errors) == (6, 2, 1, 3)


def test_csv_keeps_columns_and_joins_flags(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(
        'bericht,datum\n"Regel een\nregel twee: niet geleverd, advocaat!",2026-11-01\nTop,2026-11-02\n,2026-11-03\n',
        encoding="utf-8",
    )
    label_file(service, src, out, text_column="bericht")
    with out.open(encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [r["datum"] for r in got] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert got[0]["bericht"].startswith("Regel een\nregel twee")
    assert got[0]["flags"] == "legal_threat"
    assert got[2]["error"] and not got[2]["sentiment"]
    assert list(got[0])[:2] == ["bericht", "datum"]


def test_a_possible_flag_has_its_own_column(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(
        "text\nMijn stofzuiger is stuk en mijn advocaat weet ervan\nDe stofzuiger vonkt\n",
        encoding="utf-8",
    )
    label_file(service, src, out)
    with out.open(encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [r["flags"] for r in got] == ["legal_threat", "safety"]
    assert [r["flags_possible"] for r in got] == ["safety", ""]  # shown, not escalated
    assert got[1]["flags_possible_scores"] == ""
    score = float(got[0]["flags_possible_scores"])
    assert 0.0 < score < 1.0
    assert got[0]["flags_possible_evidence"].startswith("safety: ")


def test_unknown_text_column_lists_columns(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("message,author\nhoi,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="Gevonden kolommen: message, author"):
        label_file(service, src, tmp_path / "out.csv", text_column="text")
    assert not (tmp_path / "out.csv").exists()


def test_text_column_is_recognised_by_name(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("Datum,Bericht\n2026-11-25,Top service\n", encoding="utf-8")
    said: list[str] = []
    label_file(service, src, out, notify=said.append)
    assert said == ["Tekstkolom: 'Bericht'."]
    with out.open(encoding="utf-8", newline="") as fh:
        assert next(csv.DictReader(fh))["sentiment"] == "positive"


def test_several_fitting_columns_pick_by_order_and_say_so(
    service: TriageService, tmp_path: Path
) -> None:
    src = tmp_path / "in.csv"
    src.write_text("Comment,MESSAGE,tekst\nniet geleverd,top,top\n", encoding="utf-8")
    said: list[str] = []
    label_file(service, src, tmp_path / "out.csv", notify=said.append)
    assert said == [
        "Tekstkolom: 'tekst' (ook mogelijk: 'MESSAGE', 'Comment'; kies met --text-column)."
    ]


def test_no_fitting_column_lists_the_columns(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("naam,waarde\nhoi,x\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"geen tekstkolom herkend.*Gevonden kolommen: naam, waarde"
    ):
        label_file(service, src, tmp_path / "out.csv")


def test_column_clash_needs_a_prefix(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "top", "sentiment": "mine"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="--prefix"):
        label_file(service, src, tmp_path / "out.jsonl")
    label_file(service, src, tmp_path / "out.jsonl", prefix="r_")
    row = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert row["sentiment"] == "mine" and row["r_sentiment"] == "positive"


def test_windows_1252_is_read_and_announced(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes("text\nCafé geweldig\n".encode("cp1252"))
    said: list[str] = []
    label_file(service, src, tmp_path / "out.csv", notify=said.append)
    assert "geen UTF-8" in said[0] and "Windows-1252" in said[0]
    assert "Café geweldig" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")


def test_bytes_that_are_no_text_write_nothing(service: TriageService, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(b"text\n\x81\x8d\x90 kapot\n")  # undefined in UTF-8 and in Windows-1252
    with pytest.raises(InputError, match="geen UTF-8 en ook geen Windows-1252"):
        label_file(service, src, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == [src]


def test_broken_jsonl_line_becomes_an_error_row(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text('{"text": "ok"}\n{"text": \n[1, 2]\n{"text": "a", "text": "b"}\n', "utf-8")
    summary = label_file(service, src, out)
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(got) == 4 and (summary.rows, summary.errors) == (4, 2)
    assert (
        got[1]["error"].startswith("regel 2: geen geldige JSON") and '{"text":' in got[1]["error"]
    )
    assert got[2]["error"] == "regel 3: geen JSON-object: [1, 2]"
    assert got[3]["text"] == "b" and "sleutel(s) text dubbel" in got[3]["error"]


def test_csv_row_with_extra_cells_keeps_them(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("text,a\ntop,1,surplus\n", encoding="utf-8")
    summary = label_file(service, src, out)
    assert (summary.labelled, summary.noted, summary.errors) == (1, 1, 0)
    with out.open(encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["sentiment"] == "positive"
    assert row["error"].endswith('extra cellen: ["surplus"]')


def test_csv_rows_with_too_few_cells_or_blank_lines_are_kept(
    service: TriageService, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    src.write_text("id,text,kanaal\n1,Top\n2\n\n3,top,x\n", encoding="utf-8")
    label_file(service, src, out)
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in got] == ["1", "2", None, "3"]
    assert got[0]["sentiment"] == "positive" and got[0]["kanaal"] is None
    assert got[0]["error"] == "rij heeft 1 cel(len) minder dan de kop"
    assert got[1]["error"] == (
        "kolom 'text' is leeg in deze rij; rij heeft 2 cel(len) minder dan de kop"
    )
    assert got[2]["error"] == "lege regel" and got[3]["error"] is None


@pytest.mark.parametrize(
    ("output", "report", "needle"),
    [
        ("in.csv", None, "De uitvoer .*in.csv is het invoerbestand zelf"),
        ("link.csv", None, "is het invoerbestand zelf"),
        ("out.csv", "in.csv", "Het rapport .*in.csv is het invoerbestand zelf"),
        ("out.csv", "out.csv", "Het rapport en de uitvoer zijn hetzelfde bestand"),
        ("map", None, "De uitvoer .*map is een map"),
        ("out.csv", "map", "Het rapport .*map is een map"),
        ("nergens/out.csv", None, "De map voor de uitvoer bestaat niet"),
        ("out.csv", "nergens/r.html", "De map voor het rapport bestaat niet"),
    ],
)
def test_the_input_and_the_output_are_never_overwritten(
    service: TriageService, tmp_path: Path, output: str, report: str | None, needle: str
) -> None:
    from responder.batch.report import ReportSpec

    src = tmp_path / "in.csv"
    src.write_text("text\ntop\n", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(src)
    (tmp_path / "map").mkdir()
    spec = ReportSpec(tmp_path / report) if report else None
    with pytest.raises(InputError, match=needle):
        label_file(service, src, tmp_path / output, report=spec)
    assert src.read_text(encoding="utf-8") == "text\ntop\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "link.csv", "map"]
    assert not list((tmp_path / "map").iterdir())


def test_cells_that_are_not_text(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"text": 42}, {"text": True}, {"text": ["a"]}, {"text": None}, {"text": "top"}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    label_file(service, src, out)
    errors = [json.loads(line)["error"] for line in out.read_text("utf-8").splitlines()]
    assert errors == [
        "'text' is geen tekst maar een getal (42)",
        "'text' is geen tekst maar een ja/nee-waarde",
        "'text' is geen tekst maar een lijst",
        "kolom 'text' is leeg in deze rij",
        None,
    ]


def test_empty_files(service: TriageService, tmp_path: Path) -> None:
    for name in ("in.csv", "in.jsonl"):
        src = tmp_path / name
        src.write_text("", encoding="utf-8")
        summary = label_file(service, src, tmp_path / f"out{src.suffix}")
        assert summary.rows == 0


def test_csv_with_header_only_keeps_the_header(service: TriageService, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("text,datum\n", encoding="utf-8")
    assert label_file(service, src, out).rows == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == "text,datum," + ",".join(
        ADDED_COLUMNS
    )


def test_rows_reach_the_model_a_window_at_a_time_and_keep_their_labels(
    fake_classifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The model gets whole windows (to sort them by length); every row keeps its own labels."""
    import responder.batch.labelling

    monkeypatch.setattr(responder.batch.labelling, "WINDOW_ROWS", 4)
    texts = ["Top service, bedankt!", "Pakket niet geleverd, ik bel mijn advocaat", "Vraagje"] * 4
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("id", "text"), *enumerate(texts)])
    service = TriageService(fake_classifier, Settings())
    label_file(service, src, out, batch_size=2)
    # a window of 4 rows, then (for the window's flagged comments) one text per word left out
    windows = [c for c in fake_classifier.calls if set(c) <= set(texts)]
    assert [len(call) for call in windows] == [4, 4, 4]
    got = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [int(r["id"]) for r in got] == list(range(12))
    expected = {texts[0]: "positive", texts[1]: "negative", texts[2]: "neutral"}
    assert [r["sentiment"] for r in got] == [expected[t] for t in texts]
    assert [r["flags"] for r in got] == [("legal_threat" if "advocaat" in t else "") for t in texts]
    assert {r["flags_evidence"] for r in got} == {"", "legal_threat: advocaat"}


MEMORY_SCRIPT = """
import resource, sys
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from conftest import FakeClassifier
from responder.config import Settings
from responder.batch.labelling import label_file
from responder.triage.service import TriageService

rows, folder = int(sys.argv[1]), Path(sys.argv[2])
src = folder / f"in-{rows}.csv"
with src.open("w", encoding="utf-8") as fh:
    fh.write("id,text,filler\\n")
    pad = "x" * 1000
    for i in range(rows):
        # Mostly texts without words (no language detection: fast); every 100th a real one.
        text = "top service, bedankt" if i % 100 == 0 else f"\U0001f44d {i}"
        fh.write(f"{i},{text},{pad}\\n")

class Forgetful(FakeClassifier):
    # The fake keeps every text it saw (for other tests); here that would be a leak.
    def predict(self, texts, batch_size=32):
        self.calls.clear()
        return super().predict(texts, batch_size)


service = TriageService(Forgetful(), Settings())
summary = label_file(service, src, folder / f"out-{rows}.csv", chunk_size=2000)
assert summary.rows == rows, summary
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.slow
def test_memory_stays_flat_as_the_file_grows(tmp_path: Path) -> None:
    """Twice the rows (each ~1 KB), the same peak memory: rows stream, chunk by chunk."""
    peaks = []
    for rows in (50_000, 100_000):
        result = subprocess.run(
            [sys.executable, "-c", MEMORY_SCRIPT, str(rows), str(tmp_path), str(TESTS)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        peaks.append(int(result.stdout.split()[-1]) // 1024)  # KiB → MiB
    small, large = peaks
    # Holding the extra 50,000 rows would cost well over 50 MiB.
    assert large - small < 30, f"peak RSS {small} MiB for 50k rows, {large} MiB for 100k"
