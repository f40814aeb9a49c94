#!/usr/bin/env bash
# Installs schemathesis (PyPI) into a virtualenv under the git-ignored .cache/, for the
# API fuzzing test (services/api/test/fuzz.it.test.ts). Idempotent: a venv that already
# holds the pinned version is left as it is. Prints the schemathesis binary's path.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VIGIE_FUZZ_VENV:-$REPO_ROOT/.cache/fuzz-venv}"
# The newest Python at hand: CPython 3.11 before 3.11.9 fails inside Hypothesis now and
# then ("AST constructor recursion depth mismatch"), a runtime error of the tool, not of
# the API.
pick_python() {
  local candidate
  for candidate in python3.13 python3.12 \
    $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do
    if "$candidate" -c 'pass' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo python3
}
PYTHON="${PYTHON:-$(pick_python)}"

installed() {
  "$VENV/bin/python" -c 'import importlib.metadata as m, sys; print(m.version("schemathesis"), sys.version_info[:2])' 2>/dev/null || true
}
wanted() {
  "$PYTHON" -c "import sys; print('$SCHEMATHESIS_VERSION', sys.version_info[:2])"
}

if [[ "$(installed)" != "$(wanted)" ]]; then
  command -v "$PYTHON" >/dev/null || { echo "fuzz-env: $PYTHON not found (Python >= 3.9 needed)" >&2; exit 1; }
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
fi
printf '%s\n' "$VENV/bin/schemathesis"
