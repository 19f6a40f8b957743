#!/usr/bin/env bash
# Builds kubeconform from the Go module proxy into a cache outside the repository, keyed by
# version: once (a cold build takes 2-6 minutes on 2 cores), and CI (a clean checkout on the
# same machine image) finds it again. Progress goes to stderr; the last line of stdout is the
# directory holding kubeconform.
#
# kubeconform's default schema location is on the internet: give it local schemas
# (scripts/tools/kubeconform-schemas.ts writes them from an API server's /openapi/v3).
# Elsewhere, point KUBECONFORM_BIN_DIR at a directory holding a kubeconform binary.
set -euo pipefail

KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.8.0}"
MIN_GO_VERSION="1.26"
CACHE_ROOT="${ACCESS_ENTRY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-access-entry-controller/tools}"
BIN_DIR="$CACHE_ROOT/kubeconform-$KUBECONFORM_VERSION"

log() { printf '[tools] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ -n "${KUBECONFORM_BIN_DIR:-}" ]]; then
  [[ -x "$KUBECONFORM_BIN_DIR/kubeconform" ]] || die "KUBECONFORM_BIN_DIR=$KUBECONFORM_BIN_DIR holds no executable kubeconform"
  echo "$KUBECONFORM_BIN_DIR"
  exit 0
fi

if [[ -x "$BIN_DIR/kubeconform" ]]; then
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "Go not found: kubeconform is built from Go modules here; install Go >= $MIN_GO_VERSION or set KUBECONFORM_BIN_DIR"
have="$(go env GOVERSION | sed 's/^go//')"
if [[ "$(printf '%s\n%s\n' "$MIN_GO_VERSION" "$have" | sort -V | head -n1)" != "$MIN_GO_VERSION" ]]; then
  die "kubeconform $KUBECONFORM_VERSION needs Go >= $MIN_GO_VERSION but $(command -v go) is go$have; put a newer Go first on PATH"
fi

# A module asking for a newer Go must fail loudly rather than try to download a toolchain.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

mkdir -p "$BIN_DIR"
# Test files starting at once must not build into the same place at the same time.
exec 9>"$BIN_DIR/.build.lock"
if ! flock -n 9; then
  log "another build of kubeconform $KUBECONFORM_VERSION is running; waiting for it"
  flock 9
fi
if [[ -x "$BIN_DIR/kubeconform" ]]; then
  echo "$BIN_DIR"
  exit 0
fi

WORK="$(mktemp -d)"
BUILD_PID=""
# Half-written binaries are never left behind: only the lock holder writes them, under .tmp.
trap 'rm -rf "$WORK" "$BIN_DIR"/*.tmp' EXIT
# Killed while compiling (a test run interrupted), take the compiler down too.
trap '[[ -n "$BUILD_PID" ]] && kill "$BUILD_PID" 2>/dev/null; exit 143' TERM INT HUP

log "building kubeconform $KUBECONFORM_VERSION from the Go module proxy (first run only: 2-6 minutes on 2 cores)"
start=$SECONDS
next=30
GOBIN="$WORK/bin" go install -trimpath -ldflags "-s -w -X main.version=$KUBECONFORM_VERSION" \
  "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" >&2 &
BUILD_PID=$!
while kill -0 "$BUILD_PID" 2>/dev/null; do
  sleep 1
  if ((SECONDS - start >= next)) && kill -0 "$BUILD_PID" 2>/dev/null; then
    log "still building kubeconform... $((SECONDS - start))s"
    next=$((next + 30))
  fi
done
wait "$BUILD_PID" || die "building kubeconform failed (compiler output above)"
BUILD_PID=""
cp "$WORK/bin/kubeconform" "$BIN_DIR/kubeconform.tmp"
"$BIN_DIR/kubeconform.tmp" -v >&2 || die "the built kubeconform does not run here"
mv "$BIN_DIR/kubeconform.tmp" "$BIN_DIR/kubeconform"
log "built kubeconform $KUBECONFORM_VERSION in $((SECONDS - start))s, into $BIN_DIR"
echo "$BIN_DIR"
