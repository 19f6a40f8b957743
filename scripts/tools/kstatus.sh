#!/usr/bin/env bash
# Builds scripts/tools/kstatus, which says what sigs.k8s.io/cli-utils' kstatus (the status rules of
# Flux's health checks and of cli-utils' appliers) makes of objects. Cached outside the repository;
# the last line of stdout is the binary's path.
#   "$(bash scripts/tools/kstatus.sh | tail -n1)" < objects.json
set -euo pipefail
exec bash "$(dirname "$0")/go-tool-build.sh" kstatus sigs.k8s.io/cli-utils
