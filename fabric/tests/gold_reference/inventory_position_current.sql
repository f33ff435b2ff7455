-- gold.inventory_position_current (fabric.md 5.5.4)
SELECT store_id, product_id,
       arg_max(balance, ledger_seq) AS on_hand, max(ledger_seq) AS ledger_seq,
       arg_max(txn_id, ledger_seq) AS last_txn_id, arg_max(txn_type, ledger_seq) AS last_txn_type,
       arg_max(event_ts, ledger_seq) AT TIME ZONE 'UTC' AS as_of_ts, arg_max(balance, ledger_seq) = 0 AS is_out_of_stock
FROM fact_store_inventory_txn GROUP BY store_id, product_id
