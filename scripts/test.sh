#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "lint: ruff check and format"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

step "servers for the integration tests and Chromium for the browser tests (installed when missing)"
scripts/services.sh

step "Rasa data validation"
scripts/validate-data.sh

step "Rasa model (trained only when data or config changed)"
.venv/bin/herstel train

step "tests: unit, integration (real servers on loopback), end-to-end (Rasa + action server)"
.venv/bin/python -m pytest tests -q -p no:cacheprovider "$@"
