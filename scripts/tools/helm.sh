#!/usr/bin/env bash
# Builds Helm v3 from the Go module proxy into a cache outside the repository, keyed by the Helm
# version and the Kubernetes version stamped into it: once per version (a cold build takes 5-25
# minutes on 2 cores), and CI (a clean checkout on the same machine image) finds it again.
# Progress goes to stderr; the last line of stdout is the directory holding helm.
#
# Elsewhere, point HELM_BIN_DIR at a directory holding a helm v3 binary and it is used as it is.
set -euo pipefail
source "$(dirname "$0")/go-build-lib.sh"

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
# The Kubernetes version `helm template` and `helm lint` assume when no cluster is asked
# (unstamped, Helm v3 assumes v1.20). The test API server's, so a render is checked against the
# version it is validated on (scripts/testenv/build.sh builds v1.36.x).
HELM_KUBE_VERSION="${HELM_KUBE_VERSION:-1.36}"
BIN_DIR="$CACHE_ROOT/helm-$HELM_VERSION-k8s-$HELM_KUBE_VERSION"

if [[ -n "${HELM_BIN_DIR:-}" ]]; then
  [[ -x "$HELM_BIN_DIR/helm" ]] || die "HELM_BIN_DIR=$HELM_BIN_DIR holds no executable helm"
  echo "$HELM_BIN_DIR"
  exit 0
fi
[[ -x "$BIN_DIR/helm" ]] && { echo "$BIN_DIR"; exit 0; }

use_go "Helm $HELM_VERSION" "set HELM_BIN_DIR"
lock_build "$BIN_DIR" "helm $HELM_VERSION"
[[ -x "$BIN_DIR/helm" ]] && { echo "$BIN_DIR"; exit 0; }

WORK="$(mktemp -d)"
# Half-written binaries are never left behind: only the lock holder writes them, under .tmp.
trap 'rm -rf "$WORK" "$BIN_DIR"/*.tmp' EXIT

major="${HELM_KUBE_VERSION%%.*}"
minor="${HELM_KUBE_VERSION#*.}"
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
  ldflags+=" -X $pkg.k8sVersionMajor=$major -X $pkg.k8sVersionMinor=$minor"
done

log "building helm $HELM_VERSION (Kubernetes $HELM_KUBE_VERSION) from the Go module proxy (first run only: 5-25 minutes on 2 cores)"
start=$SECONDS
# Helm v3's go.mod has no replace directives, so `go install module@version` builds it as released.
run_with_progress helm env GOBIN="$WORK/bin" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
cp "$WORK/bin/helm" "$BIN_DIR/helm.tmp"
"$BIN_DIR/helm.tmp" version --short >&2 || die "the built helm does not run here"
mv "$BIN_DIR/helm.tmp" "$BIN_DIR/helm"
log "built helm $HELM_VERSION in $((SECONDS - start))s, into $BIN_DIR"
echo "$BIN_DIR"
