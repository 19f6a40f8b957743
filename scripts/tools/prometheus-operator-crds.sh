#!/usr/bin/env bash
# Fetches the Prometheus Operator's CRDs of the kinds the chart can render (ServiceMonitor,
# PrometheusRule) from its Go module on the module proxy, into a cache outside the repository,
# keyed by version: `go mod download` once (the module is large: seconds to a minute), then the
# two files are kept. The tests install them into the test API server, whose /openapi/v3 then
# gives kubeconform their schemas. Progress goes to stderr; the last line of stdout is the
# directory holding the CRD files.
#
# The proxy here serves v0.85.0 of the module's root (newer versions answer "not available").
# Elsewhere, point PROMETHEUS_OPERATOR_CRD_DIR at a directory holding the same files.
set -euo pipefail
source "$(dirname "$0")/go-build-lib.sh"

VERSION="${PROMETHEUS_OPERATOR_VERSION:-v0.85.0}"
MODULE=github.com/prometheus-operator/prometheus-operator
CRDS=(monitoring.coreos.com_servicemonitors.yaml monitoring.coreos.com_prometheusrules.yaml)
DIR="$CACHE_ROOT/prometheus-operator-crds-$VERSION"

missing_crds() {
  local dir=$1 f
  for f in "${CRDS[@]}"; do [[ -s "$dir/$f" ]] || printf '%s ' "$f"; done
}

if [[ -n "${PROMETHEUS_OPERATOR_CRD_DIR:-}" ]]; then
  [[ -z "$(missing_crds "$PROMETHEUS_OPERATOR_CRD_DIR")" ]] || die "PROMETHEUS_OPERATOR_CRD_DIR=$PROMETHEUS_OPERATOR_CRD_DIR lacks: $(missing_crds "$PROMETHEUS_OPERATOR_CRD_DIR")"
  echo "$PROMETHEUS_OPERATOR_CRD_DIR"
  exit 0
fi
[[ -z "$(missing_crds "$DIR")" ]] && { echo "$DIR"; exit 0; }

use_go "the Prometheus Operator's CRDs ($MODULE $VERSION)" "set PROMETHEUS_OPERATOR_CRD_DIR"
lock_build "$DIR" "the Prometheus Operator's CRDs"
[[ -z "$(missing_crds "$DIR")" ]] && { echo "$DIR"; exit 0; }

WORK="$(mktemp -d)"
# Half-written files are never left behind: only the lock holder writes them, under .tmp.
trap 'rm -rf "$WORK" "$DIR"/*.tmp' EXIT
log "fetching $MODULE@$VERSION from the Go module proxy for its CRDs (first run only)"
# Outside any module: go mod download fetches the one named and prints where it unpacked it.
(cd "$WORK" && run_with_progress "$MODULE $VERSION" sh -c "go mod download -json '$MODULE@$VERSION' > '$WORK/download.json'")
MODULE_DIR="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' "$WORK/download.json")"
[[ -d "$MODULE_DIR/example/prometheus-operator-crd" ]] || die "go mod download gave no module directory with example/prometheus-operator-crd ($(cat "$WORK/download.json"))"
for f in "${CRDS[@]}"; do
  cp "$MODULE_DIR/example/prometheus-operator-crd/$f" "$DIR/$f.tmp"
  mv "$DIR/$f.tmp" "$DIR/$f"
done
log "the Prometheus Operator's CRDs of $VERSION are in $DIR"
echo "$DIR"
