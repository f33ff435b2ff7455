#!/usr/bin/env bash
# Cold path locally: one Lakehouse cycle (bronze → silver → gold) over a generated DATA_DIR, with the
# same notebooks that run in Fabric, on local PySpark (Parquet tables). Prints the time per stage.
#
#   scripts/lakehouse.sh DATA_DIR [--events DIR_OR_FILE] [--warehouse DIR] [--stages 00,10,11,20,30]
#
# DATA_DIR is what `retail generate` wrote (Parquet under DATA_DIR/parquet). --events adds NDJSON
# events (`retail stream --sink jsonl:FILE`) through nb_10_bronze_events. Tables land under
# --warehouse (default DATA_DIR/lakehouse); running again only processes what is new.
# First run installs the pinned Python packages (fabric/notebooks/requirements.txt) into
# LAKEHOUSE_VENV (default ~/.cache/retail-rti/lakehouse-venv). Needs Java 17.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
data_dir=$(cd "$1" && pwd)
shift
warehouse="$data_dir/lakehouse"
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --warehouse) warehouse="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done

venv="${LAKEHOUSE_VENV:-$HOME/.cache/retail-rti/lakehouse-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pyspark, duckdb' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$repo/fabric/notebooks/requirements.txt"
fi
command -v java >/dev/null 2>&1 || { echo "lakehouse.sh: Java 17 is needed (apt-get install openjdk-17-jre-headless)" >&2; exit 1; }

export TZ=UTC
exec "$venv/bin/python" "$repo/fabric/notebooks/run_local.py" --data-dir "$data_dir" --warehouse "$warehouse" "${args[@]}"
