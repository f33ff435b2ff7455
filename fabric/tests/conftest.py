"""Shared fixtures: one local[2] SparkSession, one small-profile dataset made by the real binary."""

import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NOTEBOOKS = ROOT / "fabric" / "notebooks"
for p in (NOTEBOOKS, NOTEBOOKS / "lib", HERE):
    sys.path.insert(0, str(p))

# PySpark turns TimestampType values into naive datetimes in the process's zone: make it UTC.
os.environ["TZ"] = "UTC"
time.tzset()

# Two simulated days of the small profile (config/small.json starts 2024-11-20): the first trucks
# arrive at stores on the second day.
DAY = os.environ.get("LAKEHOUSE_TEST_END", "2024-11-21")


def retail_binary():
    candidates = [os.environ.get("RETAIL_BIN")]
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        candidates += [f"{target}/debug/retail", f"{target}/release/retail"]
    candidates.append(shutil.which("retail"))
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    pytest.fail("the `retail` binary is needed: set RETAIL_BIN (scripts/check-notebooks.sh builds it)")


@pytest.fixture(scope="session")
def spark():
    from lakehouse import get_spark

    session = get_spark("retail-lakehouse-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dataset(tmp_path_factory):
    """DATA_DIR with DuckDB + Parquet of one small-profile day, from `retail generate`."""
    data = tmp_path_factory.mktemp("data")
    subprocess.run(
        [retail_binary(), "--config", str(ROOT / "config" / "small.json"), "--data-dir", str(data), "-q", "generate", "--end", DAY],
        check=True,
        cwd=ROOT,
    )
    assert (data / "parquet" / "fact_receipts").is_dir()
    return data


@pytest.fixture(scope="session")
def events(dataset):
    from events_from_parquet import build_events

    return build_events(dataset / "parquet")
