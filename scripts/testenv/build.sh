#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kubectl from Go modules, once per version, into a cache outside
# the repository. CI runs each time in a fresh clone on the same machine and must find them again.
# Only missing binaries are built. Progress goes to stderr; the last line of stdout is the
# directory holding the binaries.
set -euo pipefail
LOG_PREFIX=testenv
source "$(dirname "$0")/../tools/go-build-lib.sh"

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
# Kubernetes 1.36's go.mod says go 1.26.
MIN_GO_VERSION="${ACCESS_ENTRY_MIN_GO:-1.26}"
CACHE_ROOT="${ACCESS_ENTRY_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-access-entry-controller/testenv}"
BIN_DIR="$CACHE_ROOT/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"
BINARIES=(etcd kube-apiserver kubectl)

missing_binaries() {
  local b
  for b in "${BINARIES[@]}"; do [[ -x "$BIN_DIR/$b" ]] || printf '%s ' "$b"; done
}

if [[ -z "$(missing_binaries)" ]]; then
  echo "$BIN_DIR"
  exit 0
fi

install_go_if_missing() {
  command -v go >/dev/null 2>&1 && return
  log "Go not found: installing Debian's golang-go"
  local sudo=""
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "Go is missing and this user cannot install packages: install Go >= $MIN_GO_VERSION"
    sudo="sudo"
  fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq golang-go >&2
}
install_go_if_missing
use_go "Kubernetes $K8S_VERSION"
# Two test runs starting at once must not build into the same place at the same time.
lock_build "$BIN_DIR" "these binaries"

WORK="$(mktemp -d)"
# Half-written binaries are never left behind: only the lock holder writes them.
trap 'rm -rf "$WORK" "$BIN_DIR"/*.tmp' EXIT

# go_build NAME PACKAGE LDFLAGS: builds one binary into BIN_DIR, logging every 30 s meanwhile.
go_build() {
  local name=$1 pkg=$2 ldflags=$3 start=$SECONDS
  run_with_progress "$name" go build -trimpath -ldflags "$ldflags" -o "$BIN_DIR/$name.tmp" "$pkg"
  mv "$BIN_DIR/$name.tmp" "$BIN_DIR/$name"
  log "built $name in $((SECONDS - start))s"
}

build_etcd() {
  [[ -x "$BIN_DIR/etcd" ]] && return
  log "building etcd $ETCD_VERSION (first run only, 1-3 minutes)"
  local mod="$WORK/etcd"
  mkdir -p "$mod" && cd "$mod"
  go mod init testenv/etcd >/dev/null 2>&1
  # etcd's server module has replace directives, so `go install` refuses it; a wrapper does not.
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
  go_build etcd go.etcd.io/etcd/server/v3 "-s -w"
}

# A wrapper module from which k8s.io/kubernetes commands can be built.
prepare_kubernetes_module() {
  local mod="$WORK/kubernetes" staging="${K8S_VERSION/#v1./v0.}"
  mkdir -p "$mod" && cd "$mod"
  go mod init testenv/kubernetes >/dev/null 2>&1
  # k8s.io/kubernetes requires its staging modules as v0.0.0 and replaces them with local
  # paths, which a dependency cannot do: point each at its published version instead.
  go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >"$WORK/k8s.json"
  local gomod m
  gomod="$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' "$WORK/k8s.json")"
  [[ -f "$gomod" ]] || die "could not find the go.mod of k8s.io/kubernetes@$K8S_VERSION in the module cache"
  for m in $(grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$gomod" | awk '{print $1}' | sort -u); do
    go mod edit -replace "$m=$m@$staging"
  done
  log "replaced $(grep -c '=>' go.mod) staging modules with $staging"
}

kubernetes_ldflags() {
  local major minor pkg flags="-s -w"
  major="$(echo "$K8S_VERSION" | cut -d. -f1 | tr -d v)"
  minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
  # Unstamped, /version says v0.0.0-master and kubeVersion checks misbehave.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean"
  done
  echo "$flags"
}

build_kubernetes_commands() {
  local cmd todo=()
  for cmd in kube-apiserver kubectl; do [[ -x "$BIN_DIR/$cmd" ]] || todo+=("$cmd"); done
  ((${#todo[@]})) || return 0
  log "building ${todo[*]} $K8S_VERSION (first run only: 5-25 minutes on 2 cores)"
  prepare_kubernetes_module
  for cmd in "${todo[@]}"; do
    go get "k8s.io/kubernetes/cmd/$cmd@$K8S_VERSION" >&2
  done
  for cmd in "${todo[@]}"; do
    go_build "$cmd" "k8s.io/kubernetes/cmd/$cmd" "$(kubernetes_ldflags)"
  done
}

build_etcd
build_kubernetes_commands
[[ -z "$(missing_binaries)" ]] || die "still missing after the build: $(missing_binaries)"
log "binaries ready in $BIN_DIR"
echo "$BIN_DIR"
