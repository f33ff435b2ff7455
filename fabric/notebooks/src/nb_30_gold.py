# %% [markdown]
# # nb_30_gold — silver → the 12 gold tables
#
# Recomputes `gold.sales_minute_store`, `sales_daily_store`, `top_products_15m`,
# `inventory_position_current`, `dc_inventory_position_current`, `truck_dwell_daily`,
# `online_sales_daily`, `zone_traffic_hourly`, `marketing_cost_daily`, `tender_mix_daily`,
# `campaign_performance_daily` and `stockouts_daily` from silver (fabric.md §5.5): money in
# integer cents with a DECIMAL(12,2) twin, money averages rounded half away from zero.
# `GOLD_MODE = "incremental"` recomputes only the business dates, 15-minute windows, hours or
# inventory keys touched by silver rows loaded since the previous gold run (`gold._watermarks`);
# `"full"` recomputes everything. Both give the same tables.

# %% include: _parameters.py

# %% include: ../lib/contract_schemas.py

# %% include: ../lib/lakehouse.py

# %%
spark = get_spark()
PARAMS = dict(RUNTIME=RUNTIME, TABLE_FORMAT=TABLE_FORMAT, WAREHOUSE_DIR=WAREHOUSE_DIR, GOLD_MODE=GOLD_MODE)
lh = open_lakehouse(spark, PARAMS)
RESULT = {"gold_rows": gold(lh, PARAMS)}
print(RESULT)
