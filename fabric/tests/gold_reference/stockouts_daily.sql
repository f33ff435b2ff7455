-- gold.stockouts_daily (fabric.md 5.5.12)
SELECT business_date, location_type, store_id, dc_id, count(*) AS stockouts, count(DISTINCT product_id) AS distinct_products
FROM fact_stockouts GROUP BY ALL
