#!/usr/bin/env bash
# Create (or reuse) the project's virtualenv and install audiocnn into it, editable.
#
# The heavy dependencies (torch alone is ~4.6 GB) live in a shared virtualenv outside the clone,
# under $AUDIOCNN_VENV_STORE (default: ~/.cache/audiocnn/venvs), keyed by a hash of the
# dependency lists in pyproject.toml; a changed dependency list builds a new one. Each clone gets
# its own small `.venv` that sees the shared packages through a .pth file and holds only its
# own editable install of audiocnn, so clones never fight over where `import audiocnn` points.
# Usage: tools/venv.sh [EXTRAS], e.g. tools/venv.sh bench
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
shared="$store/$key"
if [ ! -f "$shared/.complete" ]; then
  echo "creating the shared virtualenv $shared (first time: downloads torch, a few minutes)"
  mkdir -p "$store"
  rm -rf "$shared"  # a venv cannot be moved, so it is built in place and marked complete last
  "$python" -m venv "$shared"
  "$shared/bin/pip" install --quiet --upgrade pip setuptools wheel
  "$shared/bin/pip" install --quiet ".[test]"
  "$shared/bin/pip" uninstall --quiet --yes audiocnn
  touch "$shared/.complete"
fi
if [ -n "$extras" ] && [ ! -f "$shared/.extra-$extras" ]; then
  "$shared/bin/pip" install --quiet ".[$extras]"
  "$shared/bin/pip" uninstall --quiet --yes audiocnn
  touch "$shared/.extra-$extras"
fi
shared_site=$("$shared/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
[ -L .venv ] && rm .venv  # the layout of earlier versions: a link to the shared venv
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.shared 2>/dev/null)" != "$shared" ]; then
  rm -rf .venv
  "$python" -m venv --without-pip .venv
  local_site=$(.venv/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
  echo "$shared_site" > "$local_site/audiocnn-shared.pth"
  echo "$shared" > .venv/.shared
fi
# setuptools' build chatter is shown only when the install fails.
if ! log=$(.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e . 2>&1); then
  echo "$log" >&2
  exit 1
fi
