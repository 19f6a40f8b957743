#!/usr/bin/env bash
# Builds kube-apiserver and etcd from Go modules, once per version, into a cache outside the
# repository. CI runs each time in a fresh clone on the same machine and must find them again.
# Prints the directory holding the binaries on its last line of stdout.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
CACHE_ROOT="${ACCESS_ENTRY_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-access-entry-controller/testenv}"
BIN_DIR="$CACHE_ROOT/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"

log() { printf '[testenv] %s\n' "$*" >&2; }

if [[ -x "$BIN_DIR/kube-apiserver" && -x "$BIN_DIR/etcd" ]]; then
  echo "$BIN_DIR"
  exit 0
fi

ensure_go() {
  if command -v go >/dev/null 2>&1; then return; fi
  log "Go not found: installing Debian's golang package"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >&2
}
ensure_go

# A module asking for a newer Go must fail loudly rather than try to download a toolchain.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

mkdir -p "$BIN_DIR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

build_etcd() {
  [[ -x "$BIN_DIR/etcd" ]] && return
  log "building etcd $ETCD_VERSION (first run only, 1-3 minutes)"
  local mod="$WORK/etcd"
  mkdir -p "$mod" && cd "$mod"
  go mod init testenv/etcd >/dev/null 2>&1
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
  go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/etcd.tmp" go.etcd.io/etcd/server/v3 >&2
  mv "$BIN_DIR/etcd.tmp" "$BIN_DIR/etcd"
}

build_apiserver() {
  [[ -x "$BIN_DIR/kube-apiserver" ]] && return
  log "building kube-apiserver $K8S_VERSION (first run only, 10-25 minutes on 2 cores)"
  local mod="$WORK/apiserver" staging="${K8S_VERSION/#v1./v0.}"
  mkdir -p "$mod" && cd "$mod"
  go mod init testenv/apiserver >/dev/null 2>&1
  # k8s.io/kubernetes requires its staging modules as v0.0.0 and replaces them with local
  # paths, which a dependency cannot do: point each at its published version instead.
  go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >"$WORK/k8s.json"
  local gomod
  gomod="$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' "$WORK/k8s.json")"
  grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$gomod" | awk '{print $1}' | sort -u | while read -r m; do
    go mod edit -replace "$m=$m@$staging"
  done
  log "replaced $(grep -c '=>' go.mod) staging modules with $staging"
  go get "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" >&2
  local major minor pkg flags=""
  major="$(echo "$K8S_VERSION" | cut -d. -f1 | tr -d v)"
  minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
  # Unstamped, /version says v0.0.0-master and kubeVersion checks misbehave.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  done
  go build -trimpath -ldflags "-s -w$flags" -o "$BIN_DIR/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver >&2 &
  local pid=$! start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 30
    kill -0 "$pid" 2>/dev/null && log "still building kube-apiserver... $((SECONDS - start))s"
  done
  wait "$pid"
  mv "$BIN_DIR/kube-apiserver.tmp" "$BIN_DIR/kube-apiserver"
}

build_etcd
build_apiserver
log "binaries ready in $BIN_DIR"
echo "$BIN_DIR"
