#!/usr/bin/env bash
# Rasa's data validation, strict (see bot/validate_data.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH="$PWD" SQLALCHEMY_SILENCE_UBER_WARNING=1
.venv-rasa/bin/python -W ignore::DeprecationWarning -m bot.validate_data 2> >(grep -v "^\s*$" >&2)
