# %% [markdown]
# # nb_20_silver — bronze → typed, deduplicated silver
#
# Batch path: `bronze.<table>` rows loaded since the last run → dimensions overwritten, facts
# `MERGE … ON <dedupe key>` (batch rows are authoritative). Stream path: `bronze.retail_events`
# since the watermark → unknown types to `silver.dq_unknown_events`, unparsable or incomplete
# payloads to `silver.dq_rejected_events` (with `reason`), one row per dedupe key (smallest
# `ingest_timestamp`, `trace_id`), `MERGE … WHEN NOT MATCHED THEN INSERT`, differing copies to
# `silver.dq_conflicts`, online-order lifecycle updates (orphans retried in
# `silver.dq_orphan_lifecycle`), then the watermark advances (fabric.md §5.4). Re-running is safe.

# %% include: _parameters.py

# %% include: ../lib/contract_schemas.py

# %% include: ../lib/lakehouse.py

# %%
spark = get_spark()
PARAMS = dict(RUNTIME=RUNTIME, TABLE_FORMAT=TABLE_FORMAT, WAREHOUSE_DIR=WAREHOUSE_DIR, FAIL_ON_CONFLICT=FAIL_ON_CONFLICT)
lh = open_lakehouse(spark, PARAMS)
RESULT = {"silver": silver(lh, PARAMS)}
print(summary(RESULT["silver"]))
