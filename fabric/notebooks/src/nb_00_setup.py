# %% [markdown]
# # nb_00_setup — schemas of the retail Lakehouse
#
# Creates the `bronze`, `silver` and `gold` schemas (Fabric Lakehouse with schemas enabled).
# Tables are created by the first notebook that writes them, with the contract's explicit schemas.
# Run once after creating the Lakehouse (fabric.md §5.2). Idempotent.

# %% include: _parameters.py

# %% include: ../lib/contract_schemas.py

# %% include: ../lib/lakehouse.py

# %%
spark = get_spark()
PARAMS = dict(RUNTIME=RUNTIME, TABLE_FORMAT=TABLE_FORMAT, WAREHOUSE_DIR=WAREHOUSE_DIR)
lh = open_lakehouse(spark, PARAMS)
RESULT = {"schemas": ["bronze", "silver", "gold"], "table_format": lh.table_format}
print(RESULT)
