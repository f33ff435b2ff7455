-- gold.truck_dwell_daily (fabric.md 5.5.6): shipments with both an ARRIVED and a COMPLETED row
SELECT a.business_date, a.store_id, count(*) AS shipments, sum(a.units)::BIGINT AS units,
       avg(c.dwell_minutes) AS avg_dwell_minutes, max(c.dwell_minutes) AS max_dwell_minutes,
       count(*) FILTER (WHERE c.dwell_minutes > 90) AS sla_breaches
FROM fact_truck_moves a JOIN fact_truck_moves c USING (shipment_id)
WHERE a.status = 'ARRIVED' AND c.status = 'COMPLETED'
GROUP BY a.business_date, a.store_id
