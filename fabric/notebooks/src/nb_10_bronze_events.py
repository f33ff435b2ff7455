# %% [markdown]
# # nb_10_bronze_events — raw events → `bronze.retail_events`
#
# Reads new envelopes from the Eventhouse (`EVENT_SOURCE = "kusto"`, watermark on
# `ingestion_time()`), its OneLake copy (`onelake`) or NDJSON files (`files`, each file loaded once,
# tracked by path, size and SHA-256 in `bronze._loaded_files`), and inserts them with
# `MERGE … ON trace_id AND ingest_timestamp WHEN NOT MATCHED THEN INSERT` (fabric.md §5.3).
# Lines that are not a JSON envelope go to `bronze._corrupt_lines`.

# %% include: _parameters.py

# %% include: ../lib/contract_schemas.py

# %% include: ../lib/lakehouse.py

# %%
spark = get_spark()
PARAMS = dict(
    RUNTIME=RUNTIME, TABLE_FORMAT=TABLE_FORMAT, WAREHOUSE_DIR=WAREHOUSE_DIR, EVENT_SOURCE=EVENT_SOURCE,
    KUSTO_URI=KUSTO_URI, KUSTO_DATABASE=KUSTO_DATABASE, ONELAKE_RAW_TABLE=ONELAKE_RAW_TABLE,
    ONELAKE_LOOKBACK_HOURS=ONELAKE_LOOKBACK_HOURS, EVENTS_LANDING_PATH=EVENTS_LANDING_PATH,
)
lh = open_lakehouse(spark, PARAMS)
RESULT = {"event_files_loaded": bronze_events(lh, PARAMS)}
print(RESULT)
