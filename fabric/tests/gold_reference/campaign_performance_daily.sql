-- gold.campaign_performance_daily (fabric.md 5.5.11)
WITH imp AS (
  SELECT business_date, campaign_id, count(*) AS impressions, sum(cost_cents) AS spend_cents
  FROM fact_marketing GROUP BY ALL),
att AS (
  SELECT business_date, campaign_id, count(*) AS attributed_purchases,
         sum(net) AS attributed_net_sales_cents, sum(total_cents) AS attributed_total_cents
  FROM (SELECT business_date, attributed_campaign_id AS campaign_id, subtotal_cents - discount_cents AS net, total_cents
        FROM fact_receipts WHERE receipt_type = 'SALE' AND attributed_campaign_id IS NOT NULL
        UNION ALL
        SELECT business_date, attributed_campaign_id, subtotal_cents - discount_cents, total_cents
        FROM fact_online_order_headers WHERE attributed_campaign_id IS NOT NULL)
  GROUP BY ALL)
SELECT business_date, campaign_id,
       coalesce(impressions, 0) AS impressions,
       coalesce(spend_cents, 0)::BIGINT AS spend_cents, (coalesce(spend_cents, 0) / 100)::DECIMAL(12,2) AS spend,
       coalesce(attributed_purchases, 0) AS attributed_purchases,
       coalesce(attributed_net_sales_cents, 0)::BIGINT AS attributed_net_sales_cents,
       (coalesce(attributed_net_sales_cents, 0) / 100)::DECIMAL(12,2) AS attributed_net_sales,
       coalesce(attributed_total_cents, 0)::BIGINT AS attributed_total_cents,
       (coalesce(attributed_total_cents, 0) / 100)::DECIMAL(12,2) AS attributed_total,
       CASE WHEN coalesce(spend_cents, 0) = 0 THEN NULL ELSE attributed_net_sales_cents::DOUBLE / spend_cents END AS roas
FROM imp FULL OUTER JOIN att USING (business_date, campaign_id)
