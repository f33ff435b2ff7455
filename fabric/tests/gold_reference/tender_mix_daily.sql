-- gold.tender_mix_daily (fabric.md 5.5.10)
SELECT business_date, channel, tender_type,
       count(*) FILTER (WHERE status = 'APPROVED' AND payment_type = 'CHARGE') AS charges,
       count(*) FILTER (WHERE status = 'DECLINED') AS declined_attempts,
       count(*) FILTER (WHERE status = 'APPROVED' AND payment_type = 'REFUND') AS refunds,
       coalesce(sum(amount_cents) FILTER (WHERE status = 'APPROVED' AND payment_type = 'CHARGE'), 0)::BIGINT AS charge_amount_cents,
       (coalesce(sum(amount_cents) FILTER (WHERE status = 'APPROVED' AND payment_type = 'CHARGE'), 0) / 100)::DECIMAL(12,2) AS charge_amount,
       coalesce(sum(amount_cents) FILTER (WHERE status = 'APPROVED' AND payment_type = 'REFUND'), 0)::BIGINT AS refund_amount_cents,
       (coalesce(sum(amount_cents) FILTER (WHERE status = 'APPROVED' AND payment_type = 'REFUND'), 0) / 100)::DECIMAL(12,2) AS refund_amount,
       coalesce(sum(amount_cents) FILTER (WHERE status = 'APPROVED' AND payment_type IN ('CHARGE', 'REFUND')), 0)::BIGINT AS net_amount_cents,
       (coalesce(sum(amount_cents) FILTER (WHERE status = 'APPROVED' AND payment_type IN ('CHARGE', 'REFUND')), 0) / 100)::DECIMAL(12,2) AS net_amount
FROM fact_payments GROUP BY business_date, channel, tender_type
