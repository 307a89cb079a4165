"""The optimised model (Dutch vocabulary, bf16 or int8) agrees with the unoptimised one; parallel
labelling gives the same labels as one process."""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import make_rows

from responder.batch.parallel import ParallelClassifier
from responder.config import Settings
from responder.errors import InputError, ModelLoadError
from responder.model.modeling import TriageModel
from responder.model.onnx_int8 import ScaledInput, encoder_linears, input_ranges, smooth
from responder.model.optimise import optimise_model, read_wordlist
from responder.model.precision import ONNX_NAME, cpu_has_native_bf16, resolve_precision

WORDS = [
    "pakket",
    "geleverd",
    "factuur",
    "advocaat",
    "storing",
    "service",
    "bedankt",
    "krant",
    "opzeggen",
]
SAMPLE = [str(r["text"]) for r in make_rows(40)] + [
    "Mijn pakket is nog steeds niet geleverd!",
    "SUPER BEDANKT voor de snelle service 👍",
    "Is er een storing? De app doet niks.",
]


def optimised_copy(tiny_model: Path, factory: pytest.TempPathFactory, precision: str) -> Path:
    dest = factory.mktemp("opt") / f"triage-{precision}"
    optimise_model(tiny_model, dest, WORDS, SAMPLE[:40], precision=precision)
    return dest


@pytest.fixture(scope="module")
def trimmed(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Vocabulary trimmed, float32 arithmetic."""
    return optimised_copy(tiny_model, tmp_path_factory, "none")


def test_trimming_shrinks_the_vocabulary_and_changes_nothing_for_covered_text(
    tiny_model: Path, trimmed: Path
) -> None:
    full, small = TriageModel.from_pretrained(tiny_model), TriageModel.from_pretrained(trimmed)
    info = json.loads((trimmed / "optimisation.json").read_text())
    assert info["pieces_after"] < info["pieces_before"]
    assert small.encoder.get_input_embeddings().num_embeddings == info["pieces_after"]
    for text in SAMPLE:
        a = full.tokenizer.convert_ids_to_tokens(full.tokenizer(text)["input_ids"])
        b = small.tokenizer.convert_ids_to_tokens(small.tokenizer(text)["input_ids"])
        assert a == b, text
    p, q = full.predict_proba(SAMPLE), small.predict_proba(SAMPLE)
    for head in p:
        np.testing.assert_allclose(p[head], q[head], atol=1e-5)
    # Text the word list never saw still tokenises (into smaller pieces), never into nothing.
    ids = small.tokenizer("Zwembadkaartje ĳverig 😀")["input_ids"]
    assert len(ids) > 3 and small.predict(["Zwembadkaartje ĳverig 😀"])


def test_int8_agrees_with_float_on_a_fixed_sample(tiny_model: Path, tmp_path: Path) -> None:
    dest = tmp_path / "triage-int8"
    optimise_model(tiny_model, dest, WORDS, SAMPLE[:40], precision="int8")
    full, fast = TriageModel.from_pretrained(tiny_model), TriageModel.from_pretrained(dest)
    assert json.loads((dest / "triage_config.json").read_text())["quantization"] == "int8"
    assert fast.precision == "int8"
    p, q = full.predict_proba(SAMPLE), fast.predict_proba(SAMPLE)
    for head in ("sentiment", "intent", "topic"):
        agree = (p[head].argmax(1) == q[head].argmax(1)).mean()
        assert agree >= 0.9, (head, agree)
        assert np.abs(p[head] - q[head]).max() < 0.2
    assert ((p["flags"] > 0.5) == (q["flags"] > 0.5)).mean() >= 0.9


def test_bf16_agrees_with_float_on_a_fixed_sample(tiny_model: Path, tmp_path: Path) -> None:
    dest = tmp_path / "triage-bf16"
    optimise_model(tiny_model, dest, WORDS, SAMPLE[:40], precision="bf16")
    full, fast = TriageModel.from_pretrained(tiny_model), TriageModel.from_pretrained(dest)
    assert fast.precision == "bf16" and full.precision == "none"
    assert next(fast.encoder.parameters()).dtype == torch.bfloat16
    assert next(fast.heads.parameters()).dtype == torch.float32
    p, q = full.predict_proba(SAMPLE), fast.predict_proba(SAMPLE)
    for head in ("sentiment", "intent", "topic"):
        assert q[head].dtype == np.float32
        assert (p[head].argmax(1) == q[head].argmax(1)).mean() >= 0.9, head
        assert np.abs(p[head] - q[head]).max() < 0.1
    assert ((p["flags"] > 0.5) == (q["flags"] > 0.5)).mean() >= 0.9


def test_smoothing_changes_nothing_in_float(tiny_model: Path) -> None:
    """Dividing each Linear input channel by s and multiplying the weight column by s is the
    same function; only the ranges int8 sees change."""
    model = TriageModel.from_pretrained(tiny_model, precision="none")
    linears = encoder_linears(model)
    ranges = input_ranges(model, SAMPLE)
    assert set(ranges) == set(linears) and len(linears) >= 6
    first = next(iter(linears))
    assert ranges[first].shape == (linears[first].in_features,) and (ranges[first] > 0).all()
    batch = model.encode(SAMPLE)
    with torch.inference_mode():
        before = model.features(batch["input_ids"], batch["attention_mask"])
    smoothed = copy.deepcopy(model)
    assert smooth(smoothed, ranges) == len(linears)
    assert all(isinstance(smoothed.encoder.get_submodule(n), ScaledInput) for n in linears)
    with torch.inference_mode():
        after = smoothed.features(batch["input_ids"], batch["attention_mask"])
    torch.testing.assert_close(after, before, atol=1e-4, rtol=1e-4)
    # The largest input channel of the first layer is now smaller relative to the others.
    inside = input_ranges(smoothed, SAMPLE)[f"{first}.linear"]
    assert float(inside.max() / inside.median()) < float(
        ranges[first].max() / ranges[first].median()
    )


@pytest.fixture(scope="module")
def auto_optimised(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `model optimise` writes by default: trimmed, with the int8 ONNX encoder."""
    return optimised_copy(tiny_model, tmp_path_factory, "auto")


def test_onnx_int8_agrees_with_float_on_a_fixed_sample(
    tiny_model: Path, auto_optimised: Path
) -> None:
    dest = auto_optimised
    info = json.loads((dest / "optimisation.json").read_text())["onnx_int8"]
    assert info["file"] == ONNX_NAME and info["smoothed_layers"] >= 6
    assert len(info["float_layers"]) == 1 and info["float_matmuls"] == 1  # found in the graph
    assert (dest / ONNX_NAME).stat().st_size == info["bytes"]
    full, fast = TriageModel.from_pretrained(tiny_model), TriageModel.from_pretrained(dest)
    assert fast.precision == "onnx-int8" and fast.onnx is not None
    p, q = full.predict_proba(SAMPLE), fast.predict_proba(SAMPLE)
    for head in ("sentiment", "intent", "topic"):
        assert q[head].shape == p[head].shape and q[head].dtype == np.float32
        assert (p[head].argmax(1) == q[head].argmax(1)).mean() >= 0.9, head
        assert np.abs(p[head] - q[head]).max() < 0.2
    assert ((p["flags"] > 0.5) == (q["flags"] > 0.5)).mean() >= 0.9
    # The same folder still loads in torch arithmetic when asked.
    assert TriageModel.from_pretrained(dest, precision="bf16").precision == "bf16"


def test_onnx_int8_without_its_file_is_a_clear_error(
    tiny_model: Path, auto_optimised: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "triage-auto"
    shutil.copytree(auto_optimised, dest)
    (dest / ONNX_NAME).write_bytes(b"geen onnx")
    with pytest.raises(ModelLoadError, match=r"beschadigd.*model optimise"):
        TriageModel.from_pretrained(dest)
    (dest / ONNX_NAME).unlink()
    assert TriageModel.from_pretrained(dest).precision in ("bf16", "int8")  # auto falls back
    with pytest.raises(ModelLoadError, match=r"encoder-int8\.onnx ontbreekt"):
        TriageModel.from_pretrained(dest, precision="onnx-int8")
    with pytest.raises(ModelLoadError, match="onnx-int8"):
        TriageModel.from_pretrained(tiny_model, precision="onnx-int8")


def test_precision_can_be_chosen_at_load(tiny_model: Path) -> None:
    for precision in ("none", "bf16", "int8"):
        model = TriageModel.from_pretrained(tiny_model, precision=precision)
        assert model.precision == precision
        assert len(model.predict(SAMPLE[:3])) == 3
    assert TriageModel.from_pretrained(tiny_model, precision="auto").precision in ("bf16", "int8")
    with pytest.raises(ModelLoadError, match="rekenprecisie 'fp8'"):
        TriageModel.from_pretrained(tiny_model, precision="fp8")


def test_unknown_precision_in_the_config_is_a_clear_error(tiny_model: Path, tmp_path: Path) -> None:
    dest = tmp_path / "model"
    shutil.copytree(tiny_model, dest)
    config = json.loads((dest / "triage_config.json").read_text())
    (dest / "triage_config.json").write_text(json.dumps({**config, "quantization": "int4"}))
    with pytest.raises(ModelLoadError, match=r"'int4'.*triage_config\.json"):
        TriageModel.from_pretrained(dest)
    with pytest.raises(InputError, match="rekenprecisie 'int4'"):
        optimise_model(tiny_model, tmp_path / "x", WORDS, SAMPLE[:5], precision="int4")


def test_auto_precision_follows_the_cpu(tmp_path: Path) -> None:
    zen4 = tmp_path / "zen4"
    zen4.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n")
    skylake = tmp_path / "skylake"
    skylake.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_vnni\n")
    assert cpu_has_native_bf16(zen4) and not cpu_has_native_bf16(skylake)
    assert not cpu_has_native_bf16(tmp_path / "no-such-file")
    assert resolve_precision("auto", native_bf16=True) == "bf16"
    assert resolve_precision("auto", native_bf16=False) == "int8"
    assert resolve_precision("none", native_bf16=True) == "none"


def test_batching_by_length_keeps_every_text_with_its_own_scores(tiny_model: Path) -> None:
    """Texts are sorted by token count into batches; each score must come back to its text."""
    model = TriageModel.from_pretrained(tiny_model, precision="none")
    texts = [SAMPLE[i % len(SAMPLE)] * (1 + i % 4) for i in range(37)]
    together = model.predict_proba(texts, batch_size=8)
    for i in (0, 5, 17, 36):
        alone = model.predict_proba([texts[i]], batch_size=1)
        for head in together:
            np.testing.assert_allclose(together[head][i], alone[head][0], atol=1e-5)
    empty = model.predict_proba([])
    assert all(v.shape == (0, len(model.config.names(h))) for h, v in empty.items())


def test_missing_wordlist_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="wdutch"):
        read_wordlist(tmp_path / "geen-lijst")


def test_parallel_classifier_gives_the_same_scores(tiny_model: Path) -> None:
    single = TriageModel.from_pretrained(tiny_model).predict(SAMPLE)
    with ParallelClassifier(tiny_model, 2) as parallel:
        assert parallel.predict([]) == []
        spread = parallel.predict(SAMPLE)
    assert len(spread) == len(single)
    for a, b in zip(single, spread, strict=True):
        assert a.top("intent")[0] == b.top("intent")[0]
        assert abs(a.top("sentiment")[1] - b.top("sentiment")[1]) < 1e-4


def test_labelling_prefers_the_optimised_copy_and_serving_does_not(tmp_path: Path) -> None:
    settings = Settings(models_dir=tmp_path)
    assert settings.batch_model_path == settings.triage_model_path == tmp_path / "triage"
    (tmp_path / "triage-fast").mkdir()
    (tmp_path / "triage-fast" / "triage_config.json").write_text("{}")
    assert settings.batch_model_path == tmp_path / "triage-fast"
    assert settings.triage_model_path == tmp_path / "triage"
    explicit = Settings(models_dir=tmp_path, model_path=tmp_path / "x")
    assert explicit.batch_model_path == explicit.triage_model_path == tmp_path / "x"


def test_cli_optimise_and_label_with_two_workers(tiny_model: Path, tmp_path: Path) -> None:
    """`model optimise` writes the copy and its card; `label --workers 2` equals `--workers 1`."""
    models = tmp_path / "models"
    (models / "triage").mkdir(parents=True)
    for f in tiny_model.iterdir():
        (models / "triage" / f.name).write_bytes(f.read_bytes())
    words = tmp_path / "woorden.txt"
    words.write_text("\n".join(WORDS), encoding="utf-8")
    env = {**os.environ, "RESPONDER_MODELS_DIR": str(models)}
    env.pop("RESPONDER_MODEL_PATH", None)
    responder = str(Path(sys.executable).parent / "responder")
    opt = subprocess.run(
        [responder, "model", "optimise", "--wordlist", str(words)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert opt.returncode == 0, opt.stderr
    assert "| sentiment |" in opt.stdout and (models / "triage-fast" / "README.md").is_file()
    source = tmp_path / "in.csv"
    source.write_text(
        "id;bericht\n" + "".join(f"{i};{t}\n" for i, t in enumerate(SAMPLE * 5)), encoding="utf-8"
    )
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"uit-{workers}.csv"
        r = subprocess.run(
            [responder, "label", str(source), "-o", str(out), "--workers", workers],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r.returncode == 0, r.stderr
        outputs.append(list(csv.DictReader(out.open(encoding="utf-8"), delimiter=";")))
    one, two = outputs
    assert len(one) == len(two) == len(SAMPLE) * 5
    for a, b in zip(one, two, strict=True):
        # Same labels. Scores differ a little: int8 activations are scaled per batch, and the
        # batches differ between one and two processes.
        assert [a[k] for k in ("id", "sentiment", "intent", "topic", "flags")] == [
            b[k] for k in ("id", "sentiment", "intent", "topic", "flags")
        ]
        assert abs(float(a["sentiment_score"]) - float(b["sentiment_score"])) < 0.02


def test_workers_stop_when_label_is_killed(tiny_model: Path, tmp_path: Path) -> None:
    """SIGKILL on `responder label --workers 2` leaves no model processes behind."""
    import signal
    import time

    source = tmp_path / "in.csv"
    source.write_text(
        "id;bericht\n" + "".join(f"{i};{t}\n" for i, t in enumerate(SAMPLE * 200)), encoding="utf-8"
    )
    env = {**os.environ, "RESPONDER_MODEL_PATH": str(tiny_model)}
    responder = str(Path(sys.executable).parent / "responder")
    proc = subprocess.Popen(
        [
            responder,
            "label",
            str(source),
            "-o",
            str(tmp_path / "uit.csv"),
            "--workers",
            "2",
            "--chunk-size",
            "50",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def children() -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == proc.pid:
                    found.append(int(entry))
        return found

    deadline = time.monotonic() + 120
    while (
        not list((tmp_path / "uit.csv.responder-work").glob("chunk-*"))
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    workers = children()
    assert workers, "label started no worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 20
    while any(alive(w) for w in workers):
        assert time.monotonic() < deadline, "worker processes outlived their parent"
        time.sleep(0.2)
