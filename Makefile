# Herstel: `make run` starts the product, `make test` runs every test. See README.md.
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: setup services run test lint unit validate model integration e2e test-stories bench bench-nlu clean

setup:
	@scripts/setup.sh

# PostgreSQL and Redis for the integration tests, Chromium for the browser tests (installed
# when missing).
services:
	@scripts/services.sh

run: setup
	@.venv/bin/herstel run

model: setup
	@.venv/bin/herstel train

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

unit: setup
	$(PY) -m pytest tests/unit -q

validate: setup
	@scripts/validate-data.sh

integration: setup services
	$(PY) -m pytest tests/integration -q

e2e: model services
	$(PY) -m pytest tests/e2e -q

# The Rasa test stories (tests/stories) against the dialogue model: about a minute.
test-stories: model
	$(PY) -m pytest tests/e2e/test_rasa_stories.py -q

test: setup
	@scripts/test.sh

bench: model services
	$(PY) -m bench

clean:
	rm -rf .venv .venv-rasa models var .pytest_cache .ruff_cache .hypothesis

# NLU per language: 5-fold cross-validation and the held-out real-style set (tests/nlu_heldout);
# trains six models, about 18 minutes on 2 cores. ARGS="--folds 0": the held-out set alone.
bench-nlu: setup
	RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH=$(CURDIR) \
		.venv-rasa/bin/python -W ignore -m bot.nlu_bench $(ARGS) 2> >(grep -v -i warning >&2)
