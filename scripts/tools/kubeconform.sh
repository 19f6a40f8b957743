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
source "$(dirname "$0")/go-build-lib.sh"

KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.8.0}"
BIN_DIR="$CACHE_ROOT/kubeconform-$KUBECONFORM_VERSION"

if [[ -n "${KUBECONFORM_BIN_DIR:-}" ]]; then
  [[ -x "$KUBECONFORM_BIN_DIR/kubeconform" ]] || die "KUBECONFORM_BIN_DIR=$KUBECONFORM_BIN_DIR holds no executable kubeconform"
  echo "$KUBECONFORM_BIN_DIR"
  exit 0
fi
[[ -x "$BIN_DIR/kubeconform" ]] && { echo "$BIN_DIR"; exit 0; }

use_go "kubeconform $KUBECONFORM_VERSION" "set KUBECONFORM_BIN_DIR"
lock_build "$BIN_DIR" "kubeconform $KUBECONFORM_VERSION"
[[ -x "$BIN_DIR/kubeconform" ]] && { echo "$BIN_DIR"; exit 0; }

WORK="$(mktemp -d)"
# Half-written binaries are never left behind: only the lock holder writes them, under .tmp.
trap 'rm -rf "$WORK" "$BIN_DIR"/*.tmp' EXIT

log "building kubeconform $KUBECONFORM_VERSION from the Go module proxy (first run only: 2-6 minutes on 2 cores)"
start=$SECONDS
run_with_progress kubeconform env GOBIN="$WORK/bin" go install -trimpath -ldflags "-s -w -X main.version=$KUBECONFORM_VERSION" \
  "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
cp "$WORK/bin/kubeconform" "$BIN_DIR/kubeconform.tmp"
"$BIN_DIR/kubeconform.tmp" -v >&2 || die "the built kubeconform does not run here"
mv "$BIN_DIR/kubeconform.tmp" "$BIN_DIR/kubeconform"
log "built kubeconform $KUBECONFORM_VERSION in $((SECONDS - start))s, into $BIN_DIR"
echo "$BIN_DIR"
