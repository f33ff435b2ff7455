-- gold.marketing_cost_daily (fabric.md 5.5.9)
SELECT business_date, campaign_id, channel, any_value(campaign_type) AS campaign_type, count(*) AS impressions,
       count(DISTINCT customer_id) AS unique_customers, sum(cost_cents)::BIGINT AS cost_cents,
       (sum(cost_cents) / 100)::DECIMAL(12,2) AS cost
FROM fact_marketing GROUP BY business_date, campaign_id, channel
