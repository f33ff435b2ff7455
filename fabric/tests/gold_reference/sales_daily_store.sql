-- gold.sales_daily_store (fabric.md 5.5.2)
SELECT business_date, store_id,
       count(*) FILTER (WHERE receipt_type = 'SALE') AS sale_receipts,
       count(*) FILTER (WHERE receipt_type = 'RETURN') AS return_receipts,
       sum(line_count)::BIGINT AS lines,
       sum(item_count)::BIGINT AS items,
       count(DISTINCT customer_id) FILTER (WHERE receipt_type = 'SALE') AS unique_customers,
       sum(subtotal_cents)::BIGINT AS gross_sales_cents, (sum(subtotal_cents) / 100)::DECIMAL(12,2) AS gross_sales,
       sum(discount_cents)::BIGINT AS discount_cents, (sum(discount_cents) / 100)::DECIMAL(12,2) AS discount,
       sum(subtotal_cents - discount_cents)::BIGINT AS net_sales_cents, (sum(subtotal_cents - discount_cents) / 100)::DECIMAL(12,2) AS net_sales,
       sum(tax_cents)::BIGINT AS tax_cents, (sum(tax_cents) / 100)::DECIMAL(12,2) AS tax,
       sum(total_cents)::BIGINT AS total_cents, (sum(total_cents) / 100)::DECIMAL(12,2) AS total,
       round(avg(total_cents) FILTER (WHERE receipt_type = 'SALE'))::BIGINT AS avg_sale_total_cents,
       (round(avg(total_cents) FILTER (WHERE receipt_type = 'SALE')) / 100)::DECIMAL(12,2) AS avg_sale_total
FROM fact_receipts
GROUP BY ALL
