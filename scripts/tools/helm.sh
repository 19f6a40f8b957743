#!/usr/bin/env bash
# Builds Helm v3 from the Go module proxy into a cache outside the repository, keyed by the Helm
# version and the Kubernetes version stamped into it: once per version (a cold build takes 5-25
# minutes on 2 cores), and CI (a clean checkout on the same machine image) finds it again.
# Progress goes to stderr; the last line of stdout is the directory holding helm.
#
# Elsewhere, point HELM_BIN_DIR at a directory holding a helm v3 binary and it is used as it is.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
# The Kubernetes version `helm template` and `helm lint` assume when no cluster is asked
# (unstamped, Helm v3 assumes v1.20). The test API server's, so a render is checked against the
# version it is validated on (scripts/testenv/build.sh builds v1.36.x).
HELM_KUBE_VERSION="${HELM_KUBE_VERSION:-1.36}"
MIN_GO_VERSION="1.26"
CACHE_ROOT="${ACCESS_ENTRY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-access-entry-controller/tools}"
BIN_DIR="$CACHE_ROOT/helm-$HELM_VERSION-k8s-$HELM_KUBE_VERSION"

log() { printf '[tools] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ -n "${HELM_BIN_DIR:-}" ]]; then
  [[ -x "$HELM_BIN_DIR/helm" ]] || die "HELM_BIN_DIR=$HELM_BIN_DIR holds no executable helm"
  echo "$HELM_BIN_DIR"
  exit 0
fi

if [[ -x "$BIN_DIR/helm" ]]; then
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "Go not found: Helm is built from Go modules here; install Go >= $MIN_GO_VERSION or set HELM_BIN_DIR"
have="$(go env GOVERSION | sed 's/^go//')"
if [[ "$(printf '%s\n%s\n' "$MIN_GO_VERSION" "$have" | sort -V | head -n1)" != "$MIN_GO_VERSION" ]]; then
  die "Helm $HELM_VERSION needs Go >= $MIN_GO_VERSION but $(command -v go) is go$have; put a newer Go first on PATH"
fi

# A module asking for a newer Go must fail loudly rather than try to download a toolchain.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

mkdir -p "$BIN_DIR"
# Test files starting at once must not build into the same place at the same time.
exec 9>"$BIN_DIR/.build.lock"
if ! flock -n 9; then
  log "another build of helm $HELM_VERSION is running; waiting for it"
  flock 9
fi
if [[ -x "$BIN_DIR/helm" ]]; then
  echo "$BIN_DIR"
  exit 0
fi

WORK="$(mktemp -d)"
BUILD_PID=""
# Half-written binaries are never left behind: only the lock holder writes them, under .tmp.
trap 'rm -rf "$WORK" "$BIN_DIR"/*.tmp' EXIT
# Killed while compiling (a test run interrupted), take the compiler down too.
trap '[[ -n "$BUILD_PID" ]] && kill "$BUILD_PID" 2>/dev/null; exit 143' TERM INT HUP

major="${HELM_KUBE_VERSION%%.*}"
minor="${HELM_KUBE_VERSION#*.}"
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
  ldflags+=" -X $pkg.k8sVersionMajor=$major -X $pkg.k8sVersionMinor=$minor"
done

log "building helm $HELM_VERSION (Kubernetes $HELM_KUBE_VERSION) from the Go module proxy (first run only: 5-25 minutes on 2 cores)"
start=$SECONDS
next=30
# Helm v3's go.mod has no replace directives, so `go install module@version` builds it as released.
GOBIN="$WORK/bin" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2 &
BUILD_PID=$!
while kill -0 "$BUILD_PID" 2>/dev/null; do
  sleep 1
  if ((SECONDS - start >= next)) && kill -0 "$BUILD_PID" 2>/dev/null; then
    log "still building helm... $((SECONDS - start))s"
    next=$((next + 30))
  fi
done
wait "$BUILD_PID" || die "building helm failed (compiler output above)"
BUILD_PID=""
cp "$WORK/bin/helm" "$BIN_DIR/helm.tmp"
"$BIN_DIR/helm.tmp" version --short >&2 || die "the built helm does not run here"
mv "$BIN_DIR/helm.tmp" "$BIN_DIR/helm"
log "built helm $HELM_VERSION in $((SECONDS - start))s, into $BIN_DIR"
echo "$BIN_DIR"
