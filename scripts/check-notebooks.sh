#!/usr/bin/env bash
# Lakehouse notebook checks (fabric.md §7): installs the pinned Python packages of
# fabric/notebooks/requirements.txt into a virtualenv, then runs fabric/tests with pytest: the
# committed notebooks executed end to end on local PySpark (local[2], Parquet tables) over two
# small-profile days made by the real `retail generate`, then the next day as sent by the real
# `retail stream --sink jsonl:`; the tables are also converted to Delta and read back (deltalake).
#
#   scripts/check-notebooks.sh            (RETAIL_BIN=path to use a given binary; else it is built)
#
# Env: LAKEHOUSE_VENV (default ~/.cache/retail-rti/lakehouse-venv), CARGO_TARGET_DIR.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

if ! command -v java >/dev/null 2>&1; then
    log "installing Java 17 (apt) for PySpark"
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi

venv="${LAKEHOUSE_VENV:-$HOME/.cache/retail-rti/lakehouse-venv}"
if [ ! -x "$venv/bin/python" ]; then
    log "creating the notebook virtualenv $venv"
    python3 -m venv "$venv" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$venv"; }
fi
log "pip install -r fabric/notebooks/requirements.txt"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r fabric/notebooks/requirements.txt

if [ -z "${RETAIL_BIN:-}" ]; then
    target="${CARGO_TARGET_DIR:-$HOME/.cache/retail-rti/target}"
    if [ ! -x "$target/debug/retail" ] || [ -n "$(find crates -newer "$target/debug/retail" -name '*.rs' -print -quit)" ]; then
        log "building the retail CLI (debug) for test data"
        cargo build --locked -p retail-cli --bin retail
    fi
    export RETAIL_BIN="$target/debug/retail"
fi

log "notebooks in sync with their sources"
"$venv/bin/python" fabric/notebooks/build.py --check

log "pytest fabric/tests (local PySpark)"
TZ=UTC "$venv/bin/python" -m pytest -q -p no:cacheprovider fabric/tests "$@"
