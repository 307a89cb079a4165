#!/usr/bin/env bash
# Run the whole test suite (slow, real-model tests included), after lint and type checks.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
command -v gcc >/dev/null || { apt-get update -qq && apt-get install -y -qq gcc; }

ruff check responder tests data/build_dataset.py
ruff format --check responder
mypy
python -m pytest -m "slow or not slow" "$@"
