#!/usr/bin/env bash
# Installs what deploy/test/kubernetes.test.ts validates the manifests with, offline:
#   - kubeconform, built from the Go module proxy (go install);
#   - the JSON schemas of Kubernetes' kinds, made from the OpenAPI document that the
#     k8s.io/kubernetes module carries (api/openapi-spec/swagger.json; the module comes
#     through the Go module proxy too) by deploy/test/kubernetes-schemas.ts, since
#     kubeconform's default schemas are on GitHub, out of reach here.
# Everything goes to a cache outside the repository, shared by clones and CI reruns:
# ${VIGIE_KUBECONFORM_DIR:-~/.cache/vigie/kubeconform}. Idempotent: what is already there
# for the pinned versions is kept. Needs Go and `npm ci` done (tsx runs the converter).
# Prints the cache folder.
set -euo pipefail

# Pinned here and read by deploy/test/kubernetes.test.ts.
KUBECONFORM_VERSION=v0.8.0
# The oldest Kubernetes minor still supported upstream; the manifests use stable APIs only.
KUBERNETES_VERSION=1.35.4

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${VIGIE_KUBECONFORM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vigie/kubeconform}"
BIN="$CACHE/bin/kubeconform-$KUBECONFORM_VERSION"
SCHEMAS="$CACHE/schemas/v$KUBERNETES_VERSION-standalone-strict"

log() { printf 'kubernetes tools: %s\n' "$*" >&2; }
# Go's own install folder when it is not on the PATH (the official tarball's place).
command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || { log "go not found: kubeconform $KUBECONFORM_VERSION needs Go 1.26 or later"; exit 1; }
mkdir -p "$CACHE/bin"

if [[ ! -x "$BIN" ]]; then
  log "building kubeconform $KUBECONFORM_VERSION (go install)"
  build="$(mktemp -d)"
  GOBIN="$build" GOFLAGS=-mod=mod go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  mv "$build/kubeconform" "$BIN"
  rmdir "$build"
fi

# A folder is complete once its marker is written, so an interrupted run starts over.
if [[ ! -f "$SCHEMAS/.complete" ]]; then
  log "building the JSON schemas of Kubernetes $KUBERNETES_VERSION"
  work="$(mktemp -d)"
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  # A private module cache: the module unpacks to ~110 MB, of which one 4 MB file is used.
  swagger="$(cd "$work" && GOMODCACHE="$work/mod" GOFLAGS=-modcacherw \
    go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')/api/openapi-spec/swagger.json"
  rm -rf "$SCHEMAS"
  (cd "$REPO_ROOT" && node --import tsx deploy/test/kubernetes-schemas.ts "$swagger" "$CACHE/schemas" "$KUBERNETES_VERSION" >&2)
  touch "$SCHEMAS/.complete"
fi
printf '%s\n' "$CACHE"
