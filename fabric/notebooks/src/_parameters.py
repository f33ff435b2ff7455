# %% tags=["parameters"]
# Parameters (Fabric pipelines override them by name; the local runner too).
RUNTIME = "fabric"  # fabric | local
TABLE_FORMAT = ""  # delta | parquet; empty = delta in Fabric, parquet locally
WAREHOUSE_DIR = "warehouse"  # local only: root of the bronze/silver/gold directories
EVENT_SOURCE = "kusto"  # kusto | onelake | files
KUSTO_URI = ""  # Eventhouse query URI, e.g. https://<id>.kusto.fabric.microsoft.com
KUSTO_DATABASE = "retail_kql"
ONELAKE_RAW_TABLE = "bronze.retail_events_raw_mirror"
ONELAKE_LOOKBACK_HOURS = 24
EVENTS_LANDING_PATH = "Files/landing/events"  # files source: NDJSON files (recursively)
HISTORICAL_PATH = "Files/historical/parquet"  # the generator's DATA_DIR/parquet
FAIL_ON_CONFLICT = True
GOLD_MODE = "full"  # full | incremental
