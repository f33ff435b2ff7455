-- gold.online_sales_daily (fabric.md 5.5.7)
SELECT business_date, fulfillment_mode, count(*) AS orders,
       count(*) FILTER (WHERE order_status = 'CANCELLED') AS cancelled_orders,
       coalesce(sum(item_count) FILTER (WHERE ok), 0)::BIGINT AS items,
       coalesce(sum(subtotal_cents) FILTER (WHERE ok), 0)::BIGINT AS subtotal_cents,
       (coalesce(sum(subtotal_cents) FILTER (WHERE ok), 0) / 100)::DECIMAL(12,2) AS subtotal,
       coalesce(sum(discount_cents) FILTER (WHERE ok), 0)::BIGINT AS discount_cents,
       (coalesce(sum(discount_cents) FILTER (WHERE ok), 0) / 100)::DECIMAL(12,2) AS discount,
       coalesce(sum(tax_cents) FILTER (WHERE ok), 0)::BIGINT AS tax_cents,
       (coalesce(sum(tax_cents) FILTER (WHERE ok), 0) / 100)::DECIMAL(12,2) AS tax,
       coalesce(sum(total_cents) FILTER (WHERE ok), 0)::BIGINT AS total_cents,
       (coalesce(sum(total_cents) FILTER (WHERE ok), 0) / 100)::DECIMAL(12,2) AS total,
       round(avg(total_cents) FILTER (WHERE ok))::BIGINT AS avg_order_total_cents,
       (round(avg(total_cents) FILTER (WHERE ok)) / 100)::DECIMAL(12,2) AS avg_order_total
FROM (SELECT *, order_status IS DISTINCT FROM 'CANCELLED' AS ok FROM fact_online_order_headers)
GROUP BY business_date, fulfillment_mode
