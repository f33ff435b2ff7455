"""Build NDJSON event envelopes from the generator's Parquet files (events.md section 6 mapping).

A test fixture for the stream path: each event's payload is the fact row projected onto the
event's payload fields (contract_schemas.EVENT_PAYLOADS), so silver rebuilt from these events must
equal the Parquet facts on every evented column. trace_id is a UUIDv5 of (event type, natural
key); ingest_timestamp = event_ts, as the NDJSON file sink writes it (events.md 2.2).
"""

import datetime as dt
import decimal
import json
import pathlib
import sys
import uuid

import duckdb

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "lib"))
from contract_schemas import EVENT_PAYLOADS  # noqa: E402

NAMESPACE = uuid.UUID("6f1c2f5e-0000-5000-8000-000000000000")

# event type -> (fact table, filter, natural key columns, field overrides as SQL expressions)
SOURCES = {
    "receipt_created": ("fact_receipts", "TRUE", ["receipt_id"], {}),
    "receipt_line_added": ("fact_receipt_lines", "TRUE", ["receipt_id", "line_number"], {}),
    "payment_processed": ("fact_payments", "TRUE", ["payment_id"], {}),
    "inventory_updated": (None, None, ["txn_id"], {}),
    "stockout_detected": ("fact_stockouts", "TRUE", ["stockout_id"], {}),
    "reorder_triggered": ("fact_reorders", "TRUE", ["reorder_id"], {}),
    "customer_entered": ("fact_foot_traffic", "TRUE", ["store_id", "zone", "interval_start_ts"], {}),
    "customer_zone_changed": ("fact_customer_zone_changes", "TRUE", ["visit_id", "change_number"], {}),
    "ble_ping_detected": ("fact_ble_pings", "TRUE", ["visit_id", "ping_number"], {}),
    "truck_arrived": ("fact_truck_moves", "status = 'ARRIVED'", ["shipment_id", "status"], {}),
    "truck_departed": ("fact_truck_moves", "status = 'COMPLETED'", ["shipment_id", "status"], {}),
    "store_opened": ("fact_store_ops", "operation_type = 'OPENED'", ["store_id", "event_ts", "operation_type"], {}),
    "store_closed": ("fact_store_ops", "operation_type = 'CLOSED'", ["store_id", "event_ts", "operation_type"], {}),
    "ad_impression": ("fact_marketing", "TRUE", ["impression_id"], {}),
    "promotion_applied": ("fact_promotions", "TRUE", ["promotion_id"], {}),
    "online_order_created": ("fact_online_order_headers", "TRUE", ["order_id"], {}),
    "online_order_picked": ("fact_online_order_headers", "picked_ts IS NOT NULL", ["order_id"], {"event_ts": "picked_ts", "business_date": "{node_date:picked_ts}"}),
    "online_order_shipped": ("fact_online_order_headers", "shipped_ts IS NOT NULL", ["order_id"], {"event_ts": "shipped_ts", "business_date": "{node_date:shipped_ts}"}),
}
# events.md 7.17/7.18: a pick's or shipment's business_date is the node-local date of its event_ts.
NODE_DATE = (
    "CAST(timezone(CASE WHEN node_type = 'STORE' THEN (SELECT s.time_zone FROM {dim_stores} s WHERE s.store_id = f.store_id) "
    "ELSE (SELECT d.time_zone FROM {dim_distribution_centers} d WHERE d.dc_id = f.dc_id) END, {ts}) AS DATE)"
)


def _json_value(v):
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return v.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, list):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items()}
    return v


def _rows(con, sql):
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def build_events(parquet_dir):
    """Return the envelopes (dicts) of every evented fact row, ordered by event_ts."""
    parquet_dir = pathlib.Path(parquet_dir)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")

    def src(table):
        return f"read_parquet('{parquet_dir / table}/*.parquet')"

    events, lines_cache = [], {}
    for event_type, (table, where, key, overrides) in SOURCES.items():
        if table is not None and not any((parquet_dir / table).glob("*.parquet")):
            continue  # the generator writes no file for a table without rows
        fields = [n for n, _, _ in EVENT_PAYLOADS[event_type]]
        if event_type == "inventory_updated":
            rows = []
            for loc, txn, other in (("STORE", "fact_store_inventory_txn", "dc_id"), ("DC", "fact_dc_inventory_txn", "store_id")):
                if any((parquet_dir / txn).glob("*.parquet")):
                    rows += _rows(con, f"SELECT *, '{loc}' AS location_type, NULL::BIGINT AS {other} FROM {src(txn)}")
        else:
            extra = ", ".join(f"{_expand(expr, src)} AS __{name}" for name, expr in overrides.items())
            rows = _rows(con, f"SELECT *{', ' + extra if extra else ''} FROM {src(table)} f WHERE {where}")
            for row in rows:
                for name in overrides:
                    row[name] = row.pop(f"__{name}")
        for row in rows:
            payload = {}
            for f in fields:
                if f == "lines":
                    struct_fields = _struct_fields(EVENT_PAYLOADS[event_type])
                    parent = "promotion_id" if event_type == "promotion_applied" else "order_id"
                    payload["lines"] = [{k: _json_value(line[k]) for k in struct_fields} for line in _lines(con, src, event_type, row[parent], lines_cache)]
                else:
                    payload[f] = _json_value(row[f])
            natural = "|".join(str(_json_value(row[k])) for k in key)
            events.append(
                {
                    "event_type": event_type,
                    "schema_version": "1.0",
                    "source": "retail-datagen",
                    "trace_id": str(uuid.uuid5(NAMESPACE, f"{event_type}|{natural}")),
                    "ingest_timestamp": payload["event_ts"],
                    "correlation_id": None,
                    "partition_key": f"store-{row.get('store_id')}",
                    "session_id": None,
                    "parent_event_id": None,
                    "payload": payload,
                }
            )
    events.sort(key=lambda e: (e["payload"]["event_ts"], e["event_type"], e["trace_id"]))
    return events


def _expand(expr, src):
    if expr.startswith("{node_date:"):
        ts = expr[len("{node_date:"):-1]
        return NODE_DATE.format(dim_stores=src("dim_stores"), dim_distribution_centers=src("dim_distribution_centers"), ts=ts)
    return expr


def _lines(con, src, event_type, parent_id, cache):
    """The child rows of one promotion or order (all of them read once per build, into cache)."""
    if event_type not in cache:
        table, parent = ("fact_promo_lines", "promotion_id") if event_type == "promotion_applied" else ("fact_online_order_lines", "order_id")
        grouped = {}
        for line in _rows(con, f"SELECT * FROM {src(table)} ORDER BY {parent}, line_number"):
            grouped.setdefault(line[parent], []).append(line)
        cache[event_type] = grouped
    return cache[event_type].get(parent_id, [])


def _struct_fields(payload):
    typ = dict((n, t) for n, t, _ in payload)["lines"]
    inner = typ[len("ARRAY<STRUCT<"):-2]
    return [part.split(":")[0].strip() for part in inner.split(", ")]


def write_ndjson(events, path):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for e in events:
            out.write(json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    evs = build_events(sys.argv[1])
    write_ndjson(evs, sys.argv[2])
    print(f"{len(evs)} events -> {sys.argv[2]}")
