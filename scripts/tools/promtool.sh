#!/usr/bin/env bash
# Installs promtool and prometheus (2.x) from Debian's prometheus package into a cache outside the
# repository, keyed by the package version: no Go build, a few seconds, and CI (a clean checkout
# on the same machine image) finds them again. Progress goes to stderr; the last line of stdout
# is the directory holding promtool and prometheus.
#
# Elsewhere than Debian/Ubuntu, point PROMETHEUS_BIN_DIR at a directory holding both (e.g. an
# unpacked Prometheus release) and it is used as it is.
set -euo pipefail

CACHE_ROOT="${ACCESS_ENTRY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-access-entry-controller/tools}"
BINARIES=(promtool prometheus)

log() { printf '[tools] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

missing_binaries() {
  local dir=$1 b
  for b in "${BINARIES[@]}"; do [[ -x "$dir/$b" ]] || printf '%s ' "$b"; done
}

if [[ -n "${PROMETHEUS_BIN_DIR:-}" ]]; then
  [[ -z "$(missing_binaries "$PROMETHEUS_BIN_DIR")" ]] || die "PROMETHEUS_BIN_DIR=$PROMETHEUS_BIN_DIR lacks: $(missing_binaries "$PROMETHEUS_BIN_DIR")"
  echo "$PROMETHEUS_BIN_DIR"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  die "apt-get not found: this script takes promtool from Debian's prometheus package; set PROMETHEUS_BIN_DIR to a directory holding promtool and prometheus instead"

candidate_version() { apt-cache show --no-all-versions prometheus 2>/dev/null | sed -n 's/^Version: //p' | head -n1; }

# The version apt would install names the cache: a Debian update of the package is fetched anew.
VERSION="$(candidate_version)"
if [[ -z "$VERSION" ]]; then
  log "apt does not know the prometheus package (no package lists yet?): running apt-get update"
  sudo=""
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "apt has no package lists and this user cannot update them: run apt-get update, or set PROMETHEUS_BIN_DIR"
    sudo="sudo"
  fi
  $sudo apt-get update -qq >&2
  VERSION="$(candidate_version)"
  [[ -n "$VERSION" ]] || die "apt offers no prometheus package here; set PROMETHEUS_BIN_DIR"
fi
BIN_DIR="$CACHE_ROOT/prometheus-${VERSION//:/_}"

if [[ -z "$(missing_binaries "$BIN_DIR")" ]]; then
  echo "$BIN_DIR"
  exit 0
fi

mkdir -p "$BIN_DIR"
# Test files starting at once must not unpack into the same place at the same time.
exec 9>"$BIN_DIR/.install.lock"
flock 9
if [[ -n "$(missing_binaries "$BIN_DIR")" ]]; then
  WORK="$(mktemp -d)"
  # Half-written binaries are never left behind: only the lock holder writes them, under .tmp.
  trap 'rm -rf "$WORK" "$BIN_DIR"/*.tmp' EXIT
  log "fetching Debian's prometheus $VERSION (first run only, seconds)"
  # apt-get download needs no root; run as root it warns that it cannot sandbox: harmless.
  (cd "$WORK" && apt-get download -q "prometheus=$VERSION" >&2) || die "apt-get download prometheus=$VERSION failed (output above)"
  dpkg-deb -x "$WORK"/prometheus_*.deb "$WORK/root"
  for b in "${BINARIES[@]}"; do
    [[ -x "$WORK/root/usr/bin/$b" ]] || die "the prometheus package has no usr/bin/$b"
    cp "$WORK/root/usr/bin/$b" "$BIN_DIR/$b.tmp"
    mv "$BIN_DIR/$b.tmp" "$BIN_DIR/$b"
  done
  "$BIN_DIR/promtool" --version >&2 || die "the unpacked promtool does not run here"
  log "promtool and prometheus ready in $BIN_DIR"
fi
echo "$BIN_DIR"
