"""Shared by the tests of the optimised copy: a word list, a sample, and making a copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_rows

from responder.model.optimise import optimise_model

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
