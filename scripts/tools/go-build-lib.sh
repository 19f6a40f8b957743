# Sourced by the scripts that build Go programs into a cache outside the repository (the tools
# here, and scripts/testenv/build.sh): what they share. Progress goes to stderr, so the last line
# of a script's stdout stays the path it answers. LOG_PREFIX names the script's part in it.

MIN_GO_VERSION="${ACCESS_ENTRY_MIN_GO:-1.26}"
CACHE_ROOT="${ACCESS_ENTRY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-access-entry-controller/tools}"
LOG_PREFIX="${LOG_PREFIX:-tools}"
BUILD_PID=""

log() { printf '[%s] %s\n' "$LOG_PREFIX" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# use_go WHAT [OR]: a Go toolchain of at least MIN_GO_VERSION for building WHAT. An older go (1.21
# or later) fetches that toolchain through the module proxy (GOTOOLCHAIN), as a module it needs; a
# new enough one is used as it is, and a module asking for more still fails loudly. OR says what
# else would do, for the message when there is no usable Go.
use_go() {
  local or="${2:+ or $2}"
  command -v go >/dev/null 2>&1 || die "Go not found: $1 is built from Go modules here; install Go >= $MIN_GO_VERSION$or"
  local have wanted
  have="$(GOTOOLCHAIN=local go env GOVERSION | sed 's/^go//')"
  if [[ "$(printf '%s\n%s\n' "$MIN_GO_VERSION" "$have" | sort -V | head -n1)" == "$MIN_GO_VERSION" ]]; then
    export GOTOOLCHAIN=local
  elif [[ "$(printf '%s\n%s\n' "1.21" "$have" | sort -V | head -n1)" == "1.21" ]]; then
    wanted="go$MIN_GO_VERSION"
    [[ "$MIN_GO_VERSION" =~ ^[0-9]+\.[0-9]+$ ]] && wanted+=".0"
    log "$(command -v go) is go$have, older than $1 needs; using $wanted from the Go module proxy (GOTOOLCHAIN)"
    export GOTOOLCHAIN="$wanted"
  else
    die "$1 needs Go >= $MIN_GO_VERSION, and $(command -v go) is go$have, too old to fetch it (Go 1.21 or later can); put a newer Go first on PATH$or"
  fi
  export CGO_ENABLED=0 GOFLAGS=-mod=mod
}

# lock_build DIR WHAT: one build at a time into DIR (test files start at once); waits for another.
lock_build() {
  mkdir -p "$1"
  exec 9>"$1/.build.lock"
  if ! flock -n 9; then
    log "another build of $2 is running; waiting for it"
    flock 9
  fi
}

# run_with_progress WHAT COMMAND...: runs COMMAND niced (tests started beside it, with leases
# and timeouts, keep the CPU they need), saying every 30 s that it still runs; killed with the
# script (a test run interrupted).
run_with_progress() {
  local what=$1 start=$SECONDS next=30
  shift
  trap '[[ -n "$BUILD_PID" ]] && kill "$BUILD_PID" 2>/dev/null; exit 143' TERM INT HUP
  nice -n 10 "$@" >&2 &
  BUILD_PID=$!
  while kill -0 "$BUILD_PID" 2>/dev/null; do
    sleep 1
    if ((SECONDS - start >= next)) && kill -0 "$BUILD_PID" 2>/dev/null; then
      log "still building $what... $((SECONDS - start))s"
      next=$((next + 30))
    fi
  done
  wait "$BUILD_PID" || die "building $what failed (compiler output above)"
  BUILD_PID=""
}
