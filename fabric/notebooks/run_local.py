"""Run the Lakehouse notebooks locally, papermill-style, on one shared local[2] SparkSession.

Executes each notebook's code cells in order in a fresh namespace and applies parameter
overrides right after the cell tagged `parameters`, exactly as a Fabric pipeline would.

    python3 fabric/notebooks/run_local.py --data-dir DATA --warehouse WH [--events DIR] [--stages 00,10,11,20,30]

Prints one `stage <name> <seconds>s` line per notebook and the cycle total.
"""

import argparse
import json
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
CYCLE = ["nb_00_setup", "nb_10_bronze_events", "nb_11_bronze_historical", "nb_20_silver", "nb_30_gold"]


def run_notebook(name, overrides):
    """Execute notebook `name` with parameter overrides; returns its RESULT value."""
    nb = json.loads((HERE / f"{name}.ipynb").read_text(encoding="utf-8"))
    namespace = {"__name__": f"notebook_{name}"}
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        exec(compile("".join(cell["source"]), f"{name}.ipynb[{i}]", "exec"), namespace)
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            namespace.update(overrides)
    return namespace.get("RESULT")


def local_parameters(data_dir=None, warehouse=None, events=None, **extra):
    params = {"RUNTIME": "local", "TABLE_FORMAT": "parquet", "WAREHOUSE_DIR": str(warehouse), "EVENT_SOURCE": "files"}
    if data_dir is not None:
        params["HISTORICAL_PATH"] = str(pathlib.Path(data_dir) / "parquet")
    params["EVENTS_LANDING_PATH"] = str(events) if events is not None else str(pathlib.Path(warehouse) / "_no_events")
    params.update(extra)
    return params


def run_cycle(params, stages=CYCLE, report=print):
    timings, results = {}, {}
    for name in stages:
        start = time.perf_counter()
        results[name] = run_notebook(name, params)
        timings[name] = time.perf_counter() - start
        report(f"stage {name} {timings[name]:.1f}s")
    return timings, results


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="generator data directory (Parquet under DATA_DIR/parquet)")
    parser.add_argument("--warehouse", required=True, help="local Lakehouse root (bronze/silver/gold directories)")
    parser.add_argument("--events", help="directory or file of NDJSON events (EVENT_SOURCE=files)")
    parser.add_argument("--stages", default="00,10,11,20,30", help="comma-separated notebook numbers")
    parser.add_argument("--gold-mode", default="full")
    parser.add_argument("--no-fail-on-conflict", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("TZ", "UTC")
    if hasattr(time, "tzset"):
        time.tzset()
    wanted = [s.strip() for s in args.stages.split(",") if s.strip()]
    stages = [n for n in sorted(p.stem for p in HERE.glob("nb_*.ipynb")) if n.split("_")[1] in wanted]
    params = local_parameters(args.data_dir, args.warehouse, args.events, GOLD_MODE=args.gold_mode, FAIL_ON_CONFLICT=not args.no_fail_on_conflict)
    started = time.perf_counter()
    spark_start = time.perf_counter()
    sys.path.insert(0, str(HERE / "lib"))
    from lakehouse import get_spark  # noqa: E402  (warm the JVM so stage timings exclude its start)

    get_spark()
    print(f"stage spark_start {time.perf_counter() - spark_start:.1f}s")
    timings, results = run_cycle(params, stages)
    for name, result in results.items():
        if name != "nb_20_silver":
            print(f"{name}: {result}")
    print(f"cycle total {time.perf_counter() - started:.1f}s (notebooks {sum(timings.values()):.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
