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
source "$(dirname "$0")/go-build-lib.sh"

NAME=$1
LIBRARY=$2
SRC="$(cd "$(dirname "$0")" && pwd)/$NAME"

[[ -f "$SRC/go.mod" && -f "$SRC/go.sum" ]] || die "$SRC is not a Go module with a go.sum"
VERSION="$(awk -v lib="$LIBRARY" '$1 == lib && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == lib { print $3; exit }' "$SRC/go.mod")"
[[ -n "$VERSION" ]] || die "$SRC/go.mod does not require $LIBRARY"
# A change to the program or its pins must not be answered by the binary of the old one.
SOURCE_HASH="$(cat "$SRC"/go.mod "$SRC"/go.sum "$SRC"/*.go | sha256sum | cut -c1-12)"
BIN_DIR="$CACHE_ROOT/$NAME-${LIBRARY##*/}-$VERSION-$SOURCE_HASH"
BIN="$BIN_DIR/$NAME"

[[ -x "$BIN" ]] && { echo "$BIN"; exit 0; }

use_go "$NAME"
lock_build "$BIN_DIR" "$NAME"
[[ -x "$BIN" ]] && { echo "$BIN"; exit 0; }

WORK="$(mktemp -d)"
# Half-written binaries are never left behind: only the lock holder writes them, under .tmp.
trap 'rm -rf "$WORK" "$BIN.tmp"' EXIT

# A copy, so that -mod=mod can never rewrite the committed go.mod or go.sum.
cp "$SRC"/go.mod "$SRC"/go.sum "$SRC"/*.go "$WORK/"
log "building $NAME with $LIBRARY $VERSION (first run only: seconds to a few minutes, depending on the Go caches)"
start=$SECONDS
run_with_progress "$NAME" go -C "$WORK" build -trimpath -ldflags "-s -w" -o "$BIN.tmp" .
mv "$BIN.tmp" "$BIN"
log "built $NAME in $((SECONDS - start))s: $BIN"
echo "$BIN"
