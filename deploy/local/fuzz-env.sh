#!/usr/bin/env bash
# Installs schemathesis (PyPI) into a virtualenv under the git-ignored .cache/, for the
# API fuzzing test (services/api/test/fuzz.it.test.ts). Idempotent: a venv that already
# holds the pinned version is left as it is. Prints the schemathesis binary's path.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VIGIE_FUZZ_VENV:-$REPO_ROOT/.cache/fuzz-venv}"
PYTHON="${PYTHON:-python3}"

installed_version() {
  "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true
}

if [[ "$(installed_version)" != "$SCHEMATHESIS_VERSION" ]]; then
  command -v "$PYTHON" >/dev/null || { echo "fuzz-env: $PYTHON not found (Python >= 3.9 needed)" >&2; exit 1; }
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
fi
printf '%s\n' "$VENV/bin/schemathesis"
