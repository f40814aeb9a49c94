#!/usr/bin/env bash
# Installs what deploy/test/compose-schema.test.ts validates the compose files with,
# offline: the Compose Specification's JSON schema (draft 2020-12), as the
# github.com/compose-spec/compose-go/v2 module carries it (schema/compose-spec.json) for
# `docker compose` itself, fetched through the Go module proxy.
# It goes to a cache outside the repository, next to the Kubernetes tools:
# ${VIGIE_COMPOSE_SCHEMA_DIR:-~/.cache/vigie/compose-spec}. Idempotent: a schema already
# there for the pinned version is kept. Needs Go. Prints the schema's path.
set -euo pipefail

# Pinned here and read by deploy/test/compose-schema.test.ts.
COMPOSE_GO_VERSION=v2.16.2

CACHE="${VIGIE_COMPOSE_SCHEMA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vigie/compose-spec}"
SCHEMA="$CACHE/compose-spec-$COMPOSE_GO_VERSION.json"

log() { printf 'compose schema: %s\n' "$*" >&2; }
# Go's own install folder when it is not on the PATH (the official tarball's place).
command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || { log "go not found: the schema comes through the Go module proxy"; exit 1; }

if [[ ! -f "$SCHEMA" ]]; then
  log "fetching the Compose schema of compose-go $COMPOSE_GO_VERSION (go mod download)"
  mkdir -p "$CACHE"
  work="$(mktemp -d)"
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  # A private module cache, dropped afterwards: one file of the module is used.
  dir="$(cd "$work" && GOMODCACHE="$work/mod" GOFLAGS=-modcacherw \
    go mod download -json "github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')"
  # Copied then renamed, so that an interrupted run leaves no partial schema behind.
  cp "$dir/schema/compose-spec.json" "$SCHEMA.tmp"
  mv "$SCHEMA.tmp" "$SCHEMA"
fi
printf '%s\n' "$SCHEMA"
