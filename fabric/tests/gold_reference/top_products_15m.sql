-- gold.top_products_15m (fabric.md 5.5.3)
WITH w AS (
  SELECT to_timestamp(floor(epoch(event_ts) / 900) * 900) AT TIME ZONE 'UTC' AS window_start, product_id,
         sum(quantity)::BIGINT AS units, count(*) AS line_count, sum(net_cents)::BIGINT AS net_sales_cents
  FROM fact_receipt_lines GROUP BY ALL)
SELECT window_start, product_id, units, line_count, net_sales_cents, (net_sales_cents / 100)::DECIMAL(12,2) AS net_sales,
       row_number() OVER (PARTITION BY window_start ORDER BY net_sales_cents DESC, product_id)::INTEGER AS sales_rank
FROM w
