#!/usr/bin/env bash
# Create (or reuse) the project's virtualenv and install audiocnn into it, editable.
#
# The heavy dependencies (torch alone is ~4.6 GB) live in a virtualenv kept outside the clone,
# under $AUDIOCNN_VENV_STORE (default: ~/.cache/audiocnn/venvs), keyed by a hash of the
# dependency lists in pyproject.toml. `.venv` is a link to it, so a fresh clone with the same
# dependencies installs only the package itself (seconds), and a changed dependency list builds
# a new one. Usage: tools/venv.sh [EXTRAS], e.g. tools/venv.sh test
set -euo pipefail
extras=${1:-}
python=${PYTHON:-python3}
store=${AUDIOCNN_VENV_STORE:-${XDG_CACHE_HOME:-$HOME/.cache}/audiocnn/venvs}
key=$("$python" - <<'PY'
import hashlib, json, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = [project["dependencies"], project.get("optional-dependencies", {}), sys.version_info[:2]]
print(hashlib.sha256(json.dumps(deps, sort_keys=True).encode()).hexdigest()[:16])
PY
)
venv="$store/$key"
if [ ! -f "$venv/.complete" ]; then
  echo "creating virtualenv $venv (first time: downloads torch, a few minutes)"
  mkdir -p "$store"
  # Built in place under its final name (a venv cannot be moved), marked complete at the end.
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip setuptools wheel
  "$venv/bin/pip" install --quiet ".[test]"
  "$venv/bin/pip" uninstall --quiet --yes audiocnn
  touch "$venv/.complete"
fi
if [ -e .venv ] && [ ! -L .venv ]; then
  echo ".venv exists and is not a link to the shared virtualenv; remove it first" >&2
  exit 2
fi
ln -sfn "$venv" .venv
if [ -n "$extras" ] && [ ! -f "$venv/.extra-$extras" ]; then
  "$venv/bin/pip" install --quiet ".[$extras]" && touch "$venv/.extra-$extras"
fi
# Point the editable install at this clone (cheap; other clones re-point it when they run).
# setuptools' build chatter is shown only when the install fails.
if ! log=$("$venv/bin/pip" install --quiet --no-deps --no-build-isolation -e . 2>&1); then
  echo "$log" >&2
  exit 1
fi
