# %% [markdown]
# # nb_90_maintenance — OPTIMIZE, VACUUM, data-quality retention
#
# Daily (pipeline `pl_maintenance`): `OPTIMIZE` every silver fact (Z-order by `event_ts` and its
# location id) and gold table, `VACUUM` with 168 h retention, and deletes `silver.dq_*` rows older
# than 30 days (fabric.md §5.6). Delta only: with `TABLE_FORMAT = "parquet"` it does nothing.

# %% include: _parameters.py

# %% include: ../lib/contract_schemas.py

# %% include: ../lib/lakehouse.py

# %%
spark = get_spark()
PARAMS = dict(RUNTIME=RUNTIME, TABLE_FORMAT=TABLE_FORMAT, WAREHOUSE_DIR=WAREHOUSE_DIR)
lh = open_lakehouse(spark, PARAMS)
RESULT = {"maintained": maintenance(lh, PARAMS)}
print(RESULT)
