# %% [markdown]
# # nb_11_bronze_historical — generator Parquet → `bronze.<table>`
#
# Loads every Parquet file under `HISTORICAL_PATH/<table>/` not yet in `bronze._loaded_files`
# (path, size, SHA-256) into `bronze.<table>` with `bronze_file` and `bronze_ingested_at`,
# replacing the rows of that file (a month of a fact table); dimensions are replaced whole.
# A file whose schema differs from the contract fails the run (fabric.md §5.3).

# %% include: _parameters.py

# %% include: ../lib/contract_schemas.py

# %% include: ../lib/lakehouse.py

# %%
spark = get_spark()
PARAMS = dict(RUNTIME=RUNTIME, TABLE_FORMAT=TABLE_FORMAT, WAREHOUSE_DIR=WAREHOUSE_DIR, HISTORICAL_PATH=HISTORICAL_PATH)
lh = open_lakehouse(spark, PARAMS)
RESULT = {"files_loaded": bronze_historical(lh, PARAMS)}
print(RESULT)
