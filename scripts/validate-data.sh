#!/usr/bin/env bash
# rasa data validate: domain, training data and stories agree, with no warnings.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore PYTHONPATH="$PWD"
.venv-rasa/bin/rasa data validate --config config.yml --domain bot/domain --data data \
  --fail-on-warnings --max-history 4
