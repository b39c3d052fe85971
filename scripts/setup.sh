#!/usr/bin/env bash
# Create both environments, or bring them up to date with the lock files:
#   .venv       Python 3.11+, Herstel's own code (actions, services, desk, tests)
#   .venv-rasa  Python 3.10, Rasa Open Source 3.6 (NLU, dialogue, channels)
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {  # find_python 3.10 -> path of a python of that minor version
  local want=$1 candidate
  for candidate in "python$want" "$(command -v pyenv >/dev/null && echo "$(pyenv root)/versions/$want"*/bin/python)" "/usr/bin/python$want" "/usr/local/bin/python$want"; do
    for path in $candidate; do
      if command -v "$path" >/dev/null 2>&1 && "$path" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; then
        command -v "$path"; return 0
      fi
    done
  done
  return 1
}

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

ensure_env() {  # ensure_env DIR PYTHON_VERSION STAMP INSTALL_CMD...
  local dir=$1 version=$2 stamp=$3; shift 3
  if [[ -f "$dir/.herstel-stamp" && "$(cat "$dir/.herstel-stamp")" == "$stamp" ]]; then
    return 0
  fi
  local python
  python=$(find_python "$version") || {
    echo "Python $version is needed for $dir but was not found (looked on PATH and under pyenv)." >&2
    exit 1
  }
  echo "Setting up $dir with $python (this takes a few minutes the first time)..."
  [[ -x "$dir/bin/python" ]] || "$python" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip wheel
  "$@"
  echo "$stamp" > "$dir/.herstel-stamp"
}

app_stamp=$(stamp_of pyproject.toml requirements/app.lock)
ensure_env .venv 3.11 "$app_stamp" \
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
  -c requirements/app.lock -e ".[dev]"

rasa_stamp=$(stamp_of requirements/rasa.lock)
ensure_env .venv-rasa 3.10 "$rasa_stamp" \
  .venv-rasa/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/rasa.lock

.venv-rasa/bin/rasa telemetry disable >/dev/null 2>&1 || true
