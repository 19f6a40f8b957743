#!/usr/bin/env bash
# Builds scripts/tools/lua-health, which runs an Argo CD health script (deploy/argocd/*.lua) on
# objects the way Argo CD runs the scripts of argocd-cm, with gopher-lua (the Lua Argo CD embeds).
# Cached outside the repository; the last line of stdout is the binary's path.
#   "$(bash scripts/tools/lua-health.sh | tail -n1)" deploy/argocd/accessentry-health.lua < objects.json
set -euo pipefail
exec bash "$(dirname "$0")/go-tool-build.sh" lua-health github.com/yuin/gopher-lua
