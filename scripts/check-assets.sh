#!/usr/bin/env bash
# Local verification of the Fabric assets (fabric.md §7) that needs no Fabric tenant:
#   1. kql-check: every KQL text under fabric/ (scripts 00-10, queryset tabs, dashboard tile
#      queries, Activator rule queries) analysed by Microsoft's Kusto language service with zero
#      error diagnostics, plus its own test proving a broken script is reported;
#   2. JSON assets parse (eventstream, tokens, dashboard, pipelines, activator).
# The Rust side (generated files equal a fresh render, mapping contract, Eventstream rules,
# references) runs in `cargo test -p retail-schemas --test fabric_assets`.
# Needs node + npm (installed with apt when missing). Exit status non-zero on any failure.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
checker="$repo/fabric/tools/kql-check"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "installing node and npm (apt)"
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi

log "kql-check: npm ci (exact lockfile)"
(cd "$checker" && npm ci --no-audit --no-fund --loglevel=error)

log "fabric JSON assets parse"
find "$repo/fabric" -name '*.json' -not -path '*/node_modules/*' -print0 |
    xargs -0 -n1 node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))'

log "kql-check: self-test (a broken script must fail) and every KQL text of fabric/"
(cd "$checker" && node --test test/)
