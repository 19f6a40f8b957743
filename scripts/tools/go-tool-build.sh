#!/usr/bin/env bash
# Builds one of the small Go programs under scripts/tools/ (a module of its own, go.mod and go.sum
# committed) once per version of the library it wraps and per version of its source, into a cache
# outside the repository, as scripts/testenv/build.sh does for the API server: CI runs in a fresh
# clone on the same machine and finds it again. Progress goes to stderr; the last line of stdout is
# the binary's path.
#
#   go-tool-build.sh NAME LIBRARY_MODULE
#
# builds scripts/tools/NAME into $CACHE/NAME-<library>-<version>-<source hash>/NAME.
set -euo pipefail

NAME=$1
LIBRARY=$2
SRC="$(cd "$(dirname "$0")" && pwd)/$NAME"
MIN_GO_VERSION="1.26"
CACHE_ROOT="${ACCESS_ENTRY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-access-entry-controller/tools}"

log() { printf '[tools] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -f "$SRC/go.mod" && -f "$SRC/go.sum" ]] || die "$SRC is not a Go module with a go.sum"
VERSION="$(awk -v lib="$LIBRARY" '$1 == lib && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == lib { print $3; exit }' "$SRC/go.mod")"
[[ -n "$VERSION" ]] || die "$SRC/go.mod does not require $LIBRARY"
# A change to the program or its pins must not be answered by the binary of the old one.
SOURCE_HASH="$(cat "$SRC"/go.mod "$SRC"/go.sum "$SRC"/*.go | sha256sum | cut -c1-12)"
BIN_DIR="$CACHE_ROOT/$NAME-${LIBRARY##*/}-$VERSION-$SOURCE_HASH"
BIN="$BIN_DIR/$NAME"

if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "Go not found: install Go >= $MIN_GO_VERSION (Debian: golang-go, or as for scripts/testenv/build.sh)"
have="$(go env GOVERSION | sed 's/^go//')"
if [[ "$(printf '%s\n%s\n' "$MIN_GO_VERSION" "$have" | sort -V | head -n1)" != "$MIN_GO_VERSION" ]]; then
  die "$NAME needs Go >= $MIN_GO_VERSION but $(command -v go) is go$have; put a newer Go first on PATH"
fi
# A module asking for a newer Go must fail loudly rather than try to download a toolchain.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

mkdir -p "$BIN_DIR"
# Test files starting at once must not build into the same place at the same time.
exec 9>"$BIN_DIR/.build.lock"
if ! flock -n 9; then
  log "another build of $NAME is running; waiting for it"
  flock 9
fi
if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

WORK="$(mktemp -d)"
BUILD_PID=""
# Half-written binaries are never left behind: only the lock holder writes them, under .tmp.
trap 'rm -rf "$WORK" "$BIN.tmp"' EXIT
trap '[[ -n "$BUILD_PID" ]] && kill "$BUILD_PID" 2>/dev/null; exit 143' TERM INT HUP

# A copy, so that -mod=mod can never rewrite the committed go.mod or go.sum.
cp "$SRC"/go.mod "$SRC"/go.sum "$SRC"/*.go "$WORK/"
log "building $NAME with $LIBRARY $VERSION (first run only: seconds to a few minutes, depending on the Go caches)"
start=$SECONDS
next=30
# Niced: tests that started beside it (leases, timeouts) keep the CPU they need.
(cd "$WORK" && nice -n 10 go build -trimpath -ldflags "-s -w" -o "$BIN.tmp" .) >&2 &
BUILD_PID=$!
while kill -0 "$BUILD_PID" 2>/dev/null; do
  sleep 1
  if ((SECONDS - start >= next)) && kill -0 "$BUILD_PID" 2>/dev/null; then
    log "still building $NAME... $((SECONDS - start))s"
    next=$((next + 30))
  fi
done
wait "$BUILD_PID" || die "building $NAME failed (compiler output above)"
BUILD_PID=""
mv "$BIN.tmp" "$BIN"
log "built $NAME in $((SECONDS - start))s: $BIN"
echo "$BIN"
