-- gold.dc_inventory_position_current (fabric.md 5.5.5)
SELECT dc_id, product_id,
       arg_max(balance, ledger_seq) AS on_hand, max(ledger_seq) AS ledger_seq,
       arg_max(txn_id, ledger_seq) AS last_txn_id, arg_max(txn_type, ledger_seq) AS last_txn_type,
       arg_max(event_ts, ledger_seq) AT TIME ZONE 'UTC' AS as_of_ts, arg_max(balance, ledger_seq) = 0 AS is_out_of_stock
FROM fact_dc_inventory_txn GROUP BY dc_id, product_id
