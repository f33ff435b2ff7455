-- gold.zone_traffic_hourly (fabric.md 5.5.8)
SELECT store_id, zone, date_trunc('hour', interval_start_ts AT TIME ZONE 'UTC') AS hour_ts, max(business_date) AS business_date,
       count(*) AS intervals, sum(visitor_count)::BIGINT AS visitors,
       sum(visitor_count::BIGINT * avg_dwell_seconds)::DOUBLE / nullif(sum(visitor_count), 0) AS avg_dwell_seconds
FROM fact_foot_traffic GROUP BY ALL
