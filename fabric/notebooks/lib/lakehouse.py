"""Medallion Lakehouse logic shared by the notebooks (fabric.md section 5).

The notebooks inline this file (and contract_schemas.py) as code cells, so a Fabric user imports
one .ipynb and nothing else; locally the tests import it as a module. Everything here runs on
plain PySpark 3.5: Delta MERGE is used when `table_format == "delta"` (Fabric, or a local Spark
with delta-spark), an equivalent rewrite-based upsert otherwise (local Parquet).
"""

import datetime as _dt
import hashlib
import json
import uuid

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

try:  # Inside a notebook the contract cell already defined these names.
    TABLES  # noqa: B018
    EVENT_PAYLOADS  # noqa: B018
except NameError:  # pragma: no cover - module use
    from contract_schemas import EVENT_PAYLOADS, TABLES

DIMENSIONS = [t for t in TABLES if t.startswith("dim_")]
FACTS = [t for t in TABLES if t.startswith("fact_")]

# Dedupe keys = contract primary keys (fabric.md 5.4).
DEDUPE_KEYS = {
    "fact_receipts": ["receipt_id"],
    "fact_receipt_lines": ["receipt_id", "line_number"],
    "fact_payments": ["payment_id"],
    "fact_online_order_headers": ["order_id"],
    "fact_online_order_lines": ["order_id", "line_number"],
    "fact_store_inventory_txn": ["txn_id"],
    "fact_dc_inventory_txn": ["txn_id"],
    "fact_truck_moves": ["shipment_id", "status"],
    "fact_truck_inventory": ["shipment_id", "product_id", "action"],
    "fact_foot_traffic": ["store_id", "zone", "interval_start_ts"],
    "fact_ble_pings": ["visit_id", "ping_number"],
    "fact_customer_zone_changes": ["visit_id", "change_number"],
    "fact_marketing": ["impression_id"],
    "fact_promotions": ["promotion_id"],
    "fact_promo_lines": ["promotion_id", "line_number"],
    "fact_store_ops": ["store_id", "event_ts", "operation_type"],
    "fact_stockouts": ["stockout_id"],
    "fact_reorders": ["reorder_id"],
}

# Event type -> silver table for the one-to-one mappings (step 3 of the stream path).
ONE_TO_ONE = {
    "receipt_created": "fact_receipts",
    "receipt_line_added": "fact_receipt_lines",
    "payment_processed": "fact_payments",
    "stockout_detected": "fact_stockouts",
    "reorder_triggered": "fact_reorders",
    "customer_entered": "fact_foot_traffic",
    "customer_zone_changed": "fact_customer_zone_changes",
    "ble_ping_detected": "fact_ble_pings",
    "truck_arrived": "fact_truck_moves",
    "truck_departed": "fact_truck_moves",
    "store_opened": "fact_store_ops",
    "store_closed": "fact_store_ops",
    "ad_impression": "fact_marketing",
}
LIFECYCLE = {"online_order_picked": "picked_ts", "online_order_shipped": "shipped_ts"}
# Columns that only the batch path knows (never compared against stream rows).
BATCH_ONLY_COLUMNS = {"order_status", "picked_ts", "shipped_ts", "delivered_ts", "cancelled_ts"}
LINEAGE = [("record_source", "STRING"), ("trace_id", "STRING"), ("ingest_timestamp", "TIMESTAMP"), ("silver_loaded_at", "TIMESTAMP")]

ENVELOPE_DDL = (
    "event_type STRING, schema_version STRING, source STRING, trace_id STRING, ingest_timestamp STRING, "
    "correlation_id STRING, partition_key STRING, session_id STRING, parent_event_id STRING, payload STRING"
)
BRONZE_EVENTS_COLUMNS = [
    "event_type", "schema_version", "source", "trace_id", "ingest_timestamp", "correlation_id", "partition_key",
    "session_id", "parent_event_id", "payload_json", "bronze_source", "bronze_ingested_at", "bronze_batch_id", "ingest_date",
]

# ---------------------------------------------------------------------------------------------
# Session and storage
# ---------------------------------------------------------------------------------------------


def get_spark(app_name="retail-lakehouse"):
    """The notebook's session (Fabric provides one); locally a small local[2] session."""
    active = SparkSession.getActiveSession()
    if active is not None:
        spark = active
    else:
        spark = (
            SparkSession.builder.master("local[2]")
            .appName(app_name)
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
            .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
            # UTC-adjusted TIMESTAMP_MICROS, not Spark's legacy INT96: the Parquet tables then
            # convert to Delta `timestamp` columns (INT96 ones become `timestamp_ntz`).
            .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark


def fabric_utils():
    """notebookutils / mssparkutils when running in Fabric, else None (never required)."""
    for name in ("notebookutils", "mssparkutils"):
        try:
            return __import__(name)
        except ImportError:
            continue
    return None


def delta_available(spark):
    try:
        from delta.tables import DeltaTable  # noqa: F401

        spark._jvm.io.delta.tables.DeltaTable  # noqa: B018
        return True
    except Exception:
        return False


class Lakehouse:
    """Tables addressed as schema.table: catalog names in Fabric, directories locally."""

    def __init__(self, spark, runtime="local", warehouse_dir="warehouse", table_format="parquet"):
        if table_format not in ("delta", "parquet"):
            raise ValueError(f"TABLE_FORMAT must be delta or parquet, not {table_format!r}")
        if table_format == "delta" and runtime == "local" and not delta_available(spark):
            raise RuntimeError("TABLE_FORMAT=delta needs delta-spark on the session; use parquet locally")
        self.spark = spark
        self.runtime = runtime
        self.warehouse_dir = warehouse_dir.rstrip("/")
        self.table_format = table_format
        self.run_started = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
        self.batch_id = str(uuid.uuid4())

    # -- naming -----------------------------------------------------------------------------
    def by_name(self):
        return self.runtime == "fabric"

    def path(self, schema, table):
        return f"{self.warehouse_dir}/{schema}/{table}"

    def _fs(self, path):
        jvm = self.spark._jvm
        p = jvm.org.apache.hadoop.fs.Path(path)
        return p.getFileSystem(self.spark._jsc.hadoopConfiguration()), p

    def exists(self, schema, table):
        if self.by_name():
            return self.spark.catalog.tableExists(f"{schema}.{table}")
        fs, p = self._fs(self.path(schema, table))
        if not fs.exists(p):
            return False
        if self.table_format == "delta":
            return fs.exists(self._fs(self.path(schema, table) + "/_delta_log")[1])
        return True

    def create_schemas(self):
        for schema in ("bronze", "silver", "gold"):
            if self.by_name():
                self.spark.sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")

    # -- reads --------------------------------------------------------------------------------
    def read(self, schema, table):
        if not self.exists(schema, table):
            return None
        if self.by_name():
            return self.spark.table(f"{schema}.{table}")
        return self.spark.read.format(self.table_format).load(self.path(schema, table))

    def read_or_empty(self, schema, table, ddl):
        df = self.read(schema, table)
        return df if df is not None else self.spark.createDataFrame([], ddl)

    # -- writes -------------------------------------------------------------------------------
    def _write(self, df, schema, table, mode, partition_by=None, replace_where=None):
        writer = df.write.format(self.table_format).mode(mode)
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        if replace_where is not None:
            writer = writer.option("replaceWhere", replace_where)
        if self.table_format == "delta":
            writer = writer.option("overwriteSchema", "true") if mode == "overwrite" and replace_where is None else writer
        if self.by_name():
            writer.saveAsTable(f"{schema}.{table}")
        else:
            writer.save(self.path(schema, table))

    def overwrite(self, df, schema, table, partition_by=None):
        """Replace the table with df (df may read the table itself: Parquet is staged first)."""
        if self.table_format == "delta" or not self.exists(schema, table):
            self._write(df, schema, table, "overwrite", partition_by)
            return
        final = self.path(schema, table)
        staging = f"{final}.__staging_{uuid.uuid4().hex}"
        writer = df.write.format("parquet").mode("overwrite")
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        writer.save(staging)
        fs, final_p = self._fs(final)
        _, staging_p = self._fs(staging)
        old_p = self._fs(f"{final}.__old_{uuid.uuid4().hex}")[1]
        fs.rename(final_p, old_p)
        fs.rename(staging_p, final_p)
        fs.delete(old_p, True)

    def append(self, df, schema, table, partition_by=None):
        self._write(df, schema, table, "append", partition_by)

    def merge_insert_new(self, df, schema, table, keys, partition_by=None):
        """MERGE ... ON keys WHEN NOT MATCHED THEN INSERT * (df must be unique on keys)."""
        if not self.exists(schema, table):
            self._write(df, schema, table, "overwrite", partition_by)
            return
        if self.table_format == "delta":
            target = self._delta(schema, table)
            cond = " AND ".join(f"t.`{k}` <=> s.`{k}`" for k in keys)
            target.alias("t").merge(df.alias("s"), cond).whenNotMatchedInsertAll().execute()
            return
        existing = self.read(schema, table)
        fresh = df.join(existing.select(*keys), on=keys, how="left_anti")
        self.overwrite(existing.unionByName(fresh.select(*existing.columns)), schema, table, partition_by)

    def merge_upsert(self, df, schema, table, keys, keep_target_columns=(), partition_by=None):
        """MERGE ... WHEN MATCHED THEN UPDATE (all but keep_target_columns) WHEN NOT MATCHED THEN INSERT."""
        if not self.exists(schema, table):
            self._write(df, schema, table, "overwrite", partition_by)
            return
        if self.table_format == "delta":
            target = self._delta(schema, table)
            cond = " AND ".join(f"t.`{k}` <=> s.`{k}`" for k in keys)
            update = {c: f"s.`{c}`" for c in df.columns if c not in keep_target_columns}
            for c in keep_target_columns:
                update[c] = f"coalesce(t.`{c}`, s.`{c}`)"
            target.alias("t").merge(df.alias("s"), cond).whenMatchedUpdate(set=update).whenNotMatchedInsertAll().execute()
            return
        existing = self.read(schema, table)
        kept = existing.select(*keys, *[F.col(c).alias(f"__keep_{c}") for c in keep_target_columns])
        incoming = df.join(kept, on=keys, how="left")
        for c in keep_target_columns:
            incoming = incoming.withColumn(c, F.coalesce(F.col(f"__keep_{c}"), F.col(c))).drop(f"__keep_{c}")
        untouched = existing.join(df.select(*keys), on=keys, how="left_anti").select(*existing.columns)
        self.overwrite(untouched.unionByName(incoming.select(*existing.columns)), schema, table, partition_by)

    def merge_update_first(self, updates, schema, table, keys, columns):
        """MERGE ... WHEN MATCHED THEN UPDATE SET c = coalesce(target.c, source.__value_c) for each column."""
        if self.table_format == "delta":
            target = self._delta(schema, table)
            cond = " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys)
            target.alias("t").merge(updates.alias("s"), cond).whenMatchedUpdate(
                set={c: f"coalesce(t.`{c}`, s.`__value_{c}`)" for c in columns}
            ).execute()
            return
        existing = self.read(schema, table)
        joined = existing.join(updates.select(*keys, *[f"__value_{c}" for c in columns]), on=keys, how="left")
        for c in columns:
            joined = joined.withColumn(c, F.coalesce(F.col(c), F.col(f"__value_{c}")))
        self.overwrite(joined.select(*existing.columns), schema, table, ["business_date"])

    def _delta(self, schema, table):
        from delta.tables import DeltaTable

        if self.by_name():
            return DeltaTable.forName(self.spark, f"{schema}.{table}")
        return DeltaTable.forPath(self.spark, self.path(schema, table))

    # -- control tables -------------------------------------------------------------------------
    WATERMARK_DDL = "source STRING, watermark_ts TIMESTAMP, updated_at TIMESTAMP"

    def _watermarks(self, schema):
        cache = self.__dict__.setdefault("_wm_cache", {})
        if schema not in cache:
            df = self.read(schema, "_watermarks")
            cache[schema] = {} if df is None else {r.source: r.watermark_ts for r in df.collect()}
        return cache[schema]

    def watermark(self, schema, source):
        return self._watermarks(schema).get(source)

    def set_watermark(self, schema, source, value):
        """Stage a watermark; flush_watermarks writes them (after every MERGE of the run)."""
        if value is not None and self._watermarks(schema).get(source) != value:
            self._watermarks(schema)[source] = value
            self.__dict__.setdefault("_wm_dirty", set()).add(schema)

    def flush_watermarks(self):
        for schema in sorted(self.__dict__.get("_wm_dirty", set())):
            rows = [(k, v, self.run_started) for k, v in sorted(self._watermarks(schema).items())]
            self.overwrite(self.spark.createDataFrame(rows, self.WATERMARK_DDL).coalesce(1), schema, "_watermarks")
        self.__dict__["_wm_dirty"] = set()

    LOADED_FILES_DDL = "source STRING, path STRING, size BIGINT, sha256 STRING, loaded_at TIMESTAMP"

    def loaded_files(self, source):
        df = self.read("bronze", "_loaded_files")
        if df is None:
            return set()
        return {(r.path, r.size, r.sha256) for r in df.filter(F.col("source") == source).collect()}

    def record_loaded_files(self, source, files):
        if not files:
            return
        rows = [(source, p, s, h, self.run_started) for p, s, h in files]
        self.append(self.spark.createDataFrame(rows, self.LOADED_FILES_DDL), "bronze", "_loaded_files")

    def list_files(self, root, suffixes):
        """Every file under root (recursively) whose name ends with one of suffixes, sorted."""
        fs, p = self._fs(root)
        if not fs.exists(p):
            return []
        out = []
        it = fs.listFiles(p, True)
        while it.hasNext():
            st = it.next()
            name = st.getPath().toString()
            if name.endswith(tuple(suffixes)) and "/." not in name and "/_" not in name.split("://", 1)[-1]:
                out.append((name, st.getLen()))
        return sorted(out)

    def file_digest(self, path):
        """SHA-256 of a file's bytes (read through Hadoop so abfss:// paths work too)."""
        fs, p = self._fs(path)
        stream = fs.open(p)
        try:
            return self.spark._jvm.org.apache.commons.codec.digest.DigestUtils.sha256Hex(stream)
        finally:
            stream.close()


def open_lakehouse(spark, params):
    """Build the Lakehouse from the notebook's parameter values."""
    runtime = params.get("RUNTIME", "local")
    table_format = params.get("TABLE_FORMAT") or ("delta" if runtime == "fabric" else "parquet")
    lh = Lakehouse(spark, runtime, params.get("WAREHOUSE_DIR", "warehouse"), table_format)
    lh.create_schemas()
    return lh


def contract_ddl(columns):
    return ", ".join(f"`{n}` {t}" for n, t, _ in columns)


def cents_to_money(col_name):
    return F.expr(f"CAST(CAST(`{col_name}` AS DECIMAL(20,0)) / 100 AS DECIMAL(12,2))")


# ---------------------------------------------------------------------------------------------
# Bronze (fabric.md 5.3)
# ---------------------------------------------------------------------------------------------


def _envelope_to_bronze(lh, df, bronze_source):
    """df has the envelope columns (strings) and payload_json; returns bronze.retail_events rows."""
    out = df
    for c in ("correlation_id", "partition_key", "session_id", "parent_event_id"):
        out = out.withColumn(c, F.when(F.col(c) == "", None).otherwise(F.col(c)))
    out = (
        out.withColumn("ingest_timestamp", F.expr("try_cast(ingest_timestamp AS TIMESTAMP)"))
        .withColumn("bronze_source", F.lit(bronze_source))
        .withColumn("bronze_ingested_at", F.lit(lh.run_started).cast("timestamp"))
        .withColumn("bronze_batch_id", F.lit(lh.batch_id))
        .withColumn("ingest_date", F.to_date("ingest_timestamp"))
    )
    return out.select(*BRONZE_EVENTS_COLUMNS)


def read_event_files(lh, paths):
    """NDJSON lines -> (envelope rows, corrupt lines). Payload kept as the object's JSON text."""
    raw = lh.spark.read.text(paths).withColumn("bronze_file", F.input_file_name())
    raw = raw.filter(F.trim("value") != "")
    parsed = raw.withColumn(
        "env",
        F.from_json("value", ENVELOPE_DDL + ", _corrupt_record STRING", {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": "_corrupt_record"}),
    )
    bad = F.col("env").isNull() | F.col("env._corrupt_record").isNotNull() | F.col("env.trace_id").isNull() | F.expr("try_cast(env.ingest_timestamp AS TIMESTAMP) IS NULL")
    corrupt = parsed.filter(bad).select(
        F.col("bronze_file").alias("path"),
        F.col("value").alias("line"),
        F.lit("not a JSON envelope with trace_id and ingest_timestamp").alias("reason"),
        F.lit(lh.run_started).cast("timestamp").alias("detected_at"),
    )
    good = parsed.filter(~bad).select("env.*").withColumnRenamed("payload", "payload_json").drop("_corrupt_record")
    return good, corrupt


def bronze_events(lh, params):
    """Load new raw events into bronze.retail_events; returns the number of new files (files source)."""
    source = params.get("EVENT_SOURCE", "files")
    spark = lh.spark
    corrupt = None
    new_files = []
    if source == "files":
        landing = params["EVENTS_LANDING_PATH"]
        seen = lh.loaded_files("events")
        for path, size in lh.list_files(landing, (".ndjson", ".jsonl", ".json")):
            digest = lh.file_digest(path)
            if (path, size, digest) not in seen:
                new_files.append((path, size, digest))
        if not new_files:
            return 0
        envelopes, corrupt = read_event_files(lh, [p for p, _, _ in new_files])
    elif source == "kusto":
        watermark = lh.watermark("bronze", "kusto:retail_events_raw") or _dt.datetime(1970, 1, 1)
        query = (
            "retail_events_raw | extend kql_ingested_at = ingestion_time() "
            f"| where kql_ingested_at > datetime({watermark.isoformat()}) "
            "| extend payload = tostring(payload)"
        )
        utils = fabric_utils()
        token = utils.credentials.getToken(params["KUSTO_URI"]) if utils is not None else params.get("KUSTO_TOKEN")
        frame = (
            spark.read.format("com.microsoft.kusto.spark.synapse.datasource")
            .option("kustoCluster", params["KUSTO_URI"])
            .option("kustoDatabase", params.get("KUSTO_DATABASE", "retail_kql"))
            .option("accessToken", token)
            .option("kustoQuery", query)
            .load()
        )
        frame = frame.cache()
        latest = frame.agg(F.max("kql_ingested_at")).first()[0]
        envelopes = frame.withColumnRenamed("payload", "payload_json").drop("kql_ingested_at")
    elif source == "onelake":
        watermark = lh.watermark("bronze", "onelake:retail_events_raw")
        frame = spark.table(params.get("ONELAKE_RAW_TABLE", "bronze.retail_events_raw_mirror"))
        if watermark is not None:
            lookback = int(params.get("ONELAKE_LOOKBACK_HOURS", 24))
            frame = frame.filter(F.col("ingest_timestamp") >= F.lit(watermark - _dt.timedelta(hours=lookback)))
        payload = F.col("payload") if dict(frame.dtypes)["payload"] == "string" else F.to_json("payload")
        envelopes = frame.withColumn("payload_json", payload).drop("payload")
        latest = frame.agg(F.max("ingest_timestamp")).first()[0]
    else:
        raise ValueError(f"EVENT_SOURCE must be files, kusto or onelake, not {source!r}")

    batch = _envelope_to_bronze(lh, envelopes, source).dropDuplicates(["trace_id", "ingest_timestamp"])
    offered = len(new_files) if source == "files" else None
    lh.merge_insert_new(batch, "bronze", "retail_events", ["trace_id", "ingest_timestamp"], ["ingest_date"])
    if corrupt is not None and corrupt.head(1):
        lh.append(corrupt, "bronze", "_corrupt_lines")
    if source == "files":
        lh.record_loaded_files("events", new_files)
    elif source == "kusto":
        lh.set_watermark("bronze", "kusto:retail_events_raw", latest)
    else:
        lh.set_watermark("bronze", "onelake:retail_events_raw", latest)
    lh.flush_watermarks()
    return offered


def check_contract_schema(table, df):
    """Fail when a Parquet file's columns or types differ from the contract."""
    expected = [(n, t.replace(" ", "").lower()) for n, t, _ in TABLES[table]]
    actual = [(f.name, f.dataType.simpleString().replace(" ", "").lower()) for f in df.schema.fields]
    aliases = {"bigint": "bigint", "int": "int", "string": "string"}
    actual = [(n, aliases.get(t, t)) for n, t in actual]
    if expected != actual:
        raise ValueError(f"{table}: Parquet schema {actual} differs from the contract {expected}")


def bronze_historical(lh, params):
    """Generator Parquet -> bronze.<table>; returns {table: files loaded}."""
    root = params["HISTORICAL_PATH"].rstrip("/")
    seen = lh.loaded_files("historical")
    loaded, recorded = {}, []
    for table in TABLES:
        files = lh.list_files(f"{root}/{table}", (".parquet",))
        fresh = []
        for path, size in files:
            digest = lh.file_digest(path)
            if (path, size, digest) not in seen:
                fresh.append((path, size, digest))
        if not fresh:
            continue
        frames = []
        for path, _, _ in fresh:
            df = lh.spark.read.parquet(path)
            check_contract_schema(table, df)
            frames.append(df.withColumn("bronze_file", F.lit(path)))
        batch = frames[0]
        for f in frames[1:]:
            batch = batch.unionByName(f)
        batch = batch.withColumn("bronze_ingested_at", F.lit(lh.run_started).cast("timestamp"))
        if table in DIMENSIONS:
            # Dimensions are regenerated whole: the table is exactly the current files.
            current = [lh.spark.read.parquet(p).withColumn("bronze_file", F.lit(p)) for p, _ in files]
            whole = current[0]
            for f in current[1:]:
                whole = whole.unionByName(f)
            lh.overwrite(whole.withColumn("bronze_ingested_at", F.lit(lh.run_started).cast("timestamp")), "bronze", table)
        else:
            paths = [p for p, _, _ in fresh]
            existing = lh.read("bronze", table)
            if existing is not None and lh.table_format == "delta":
                cond = " OR ".join(f"bronze_file = '{p}'" for p in paths)
                lh._delta("bronze", table).delete(cond)
                lh.append(batch, "bronze", table, ["business_date"])
            elif existing is not None:
                lh.overwrite(existing.filter(~F.col("bronze_file").isin(paths)).unionByName(batch), "bronze", table, ["business_date"])
            else:
                lh.append(batch, "bronze", table, ["business_date"])
        recorded.extend(fresh)
        loaded[table] = len(fresh)
    # One write for the whole run, after every table committed: a failed run reloads its files.
    lh.record_loaded_files("historical", recorded)
    return loaded


# ---------------------------------------------------------------------------------------------
# Silver (fabric.md 5.4)
# ---------------------------------------------------------------------------------------------

DQ_UNKNOWN_DDL = "event_type STRING, schema_version STRING, trace_id STRING, ingest_timestamp TIMESTAMP, payload_json STRING, bronze_ingested_at TIMESTAMP, reason STRING, detected_at TIMESTAMP"
DQ_REJECTED_DDL = DQ_UNKNOWN_DDL
DQ_CONFLICTS_DDL = "table_name STRING, key_json STRING, column_name STRING, existing_value STRING, incoming_value STRING, trace_id STRING, detected_at TIMESTAMP"
RUN_LOG_DDL = "run_id STRING, run_at TIMESTAMP, path STRING, table_name STRING, incoming_rows BIGINT, duplicates BIGINT, merged_rows BIGINT, conflicts BIGINT"


def silver_columns(table):
    return [(n, t) for n, t, _ in TABLES[table]] + LINEAGE


def silver_conform(df, table):
    """Project df onto the silver schema of table (missing contract columns become typed nulls)."""
    present = set(df.columns)
    cols = []
    for name, typ in silver_columns(table):
        cols.append((F.col(name) if name in present else F.lit(None)).cast(typ).alias(name))
    return df.select(*cols)


def _row_hash(columns):
    return F.sha2(F.to_json(F.struct(*[F.col(c) for c in columns])), 256)


def _conflict_rows(lh, table, keys, joined, columns, existing_prefix, incoming_prefix):
    """One dq_conflicts row per differing column of joined (existing and incoming side by side)."""
    diffs = []
    for c in columns:
        e, i = F.col(f"{existing_prefix}{c}"), F.col(f"{incoming_prefix}{c}")
        diffs.append(
            F.when(~e.eqNullSafe(i), F.struct(F.lit(c).alias("column_name"), e.cast("string").alias("existing_value"), i.cast("string").alias("incoming_value")))
        )
    key_json = F.to_json(F.struct(*[F.col(k) for k in keys]))
    return (
        joined.select(key_json.alias("key_json"), F.col(f"{incoming_prefix}trace_id").alias("trace_id"), F.explode(F.filter(F.array(*diffs), lambda x: x.isNotNull())).alias("d"))
        .select(F.lit(table).alias("table_name"), "key_json", "d.column_name", "d.existing_value", "d.incoming_value", "trace_id", F.lit(lh.run_started).cast("timestamp").alias("detected_at"))
    )


def parse_payload(df, event_type):
    """Typed payload columns + `reject_reason` (NULL for a good row), using try_cast per field."""
    fields = EVENT_PAYLOADS[event_type]
    text_schema = ", ".join(f"`{n}` STRING" for n, _, _ in fields) + ", _corrupt_record STRING"
    parsed = df.withColumn("__p", F.from_json("payload_json", text_schema, {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": "_corrupt_record"}))
    reasons = [
        F.when(F.col("payload_json").isNull(), F.lit("payload missing")),
        F.when(F.col("__p").isNull() | F.col("__p._corrupt_record").isNotNull(), F.lit("payload is not a JSON object")),
    ]
    typed = []
    for name, typ, nullable in fields:
        raw = F.col(f"__p.`{name}`")
        if typ.startswith("ARRAY"):
            value = F.from_json(raw, typ)
        else:
            value = F.expr(f"try_cast(`__p`.`{name}` AS {typ})")
        typed.append(value.alias(name))
        reasons.append(F.when(raw.isNotNull() & value.isNull(), F.lit(f"{name}: not a valid {typ}")))
        if not nullable:
            reasons.append(F.when(raw.isNull(), F.lit(f"{name}: required field missing")))
    if event_type == "inventory_updated":
        reasons.append(
            F.when(
                ~F.coalesce(
                    ((F.col("__p.location_type") == "STORE") & F.col("__p.store_id").isNotNull()) | ((F.col("__p.location_type") == "DC") & F.col("__p.dc_id").isNotNull()),
                    F.lit(False),
                ),
                F.lit("location_type must be STORE with store_id or DC with dc_id"),
            )
        )
    out = parsed.select("*", *typed, F.concat_ws("; ", *reasons).alias("reject_reason"))
    out = out.withColumn("reject_reason", F.when(F.col("reject_reason") == "", None).otherwise(F.col("reject_reason"))).drop("__p")
    return out


def _stream_rows(parsed_by_type):
    """Map parsed events to (silver table -> DataFrame with payload columns + lineage)."""
    out = {}

    def add(table, df):
        out[table] = df if table not in out else out[table].unionByName(df, allowMissingColumns=True)

    lineage = [F.lit("stream").alias("record_source"), F.col("trace_id"), F.col("ingest_timestamp")]
    for event_type, df in parsed_by_type.items():
        payload = [n for n, _, _ in EVENT_PAYLOADS[event_type]]
        if event_type in ONE_TO_ONE:
            add(ONE_TO_ONE[event_type], df.select(*payload, *lineage))
        elif event_type == "inventory_updated":
            add("fact_store_inventory_txn", df.filter(F.col("location_type") == "STORE").select(*[c for c in payload if c not in ("location_type", "dc_id")], *lineage))
            add("fact_dc_inventory_txn", df.filter(F.col("location_type") == "DC").select(*[c for c in payload if c not in ("location_type", "store_id")], *lineage))
        elif event_type == "promotion_applied":
            add("fact_promotions", df.select(*[c for c in payload if c != "lines"], *lineage))
            parent = ["promotion_id", "event_ts", "business_date", "channel", "receipt_id", "order_id", "promo_code"]
            lines = df.select(*parent, *lineage, F.explode("lines").alias("l")).select(*parent, "l.*", "record_source", "trace_id", "ingest_timestamp")
            add("fact_promo_lines", lines)
        elif event_type == "online_order_created":
            add("fact_online_order_headers", df.select(*[c for c in payload if c != "lines"], *lineage))
            parent = ["order_id", "event_ts", "business_date"]
            lines = df.select(*parent, *lineage, F.explode("lines").alias("l")).select(*parent, "l.*", "record_source", "trace_id", "ingest_timestamp")
            add("fact_online_order_lines", lines)
    return out


class _Progress:
    """Prints one line per step with its duration (the notebook's progress log)."""

    def __init__(self, label):
        self.label, self.started = label, _dt.datetime.now()

    def done(self, what):
        now = _dt.datetime.now()
        print(f"{self.label} {what}: {(now - self.started).total_seconds():.1f}s", flush=True)
        self.started = now


def silver_batch(lh):
    """bronze.<table> rows loaded since the last silver run -> silver (batch rows authoritative)."""
    stats = []
    progress = _Progress("silver batch")
    for table in TABLES:
        source = f"bronze.{table}"
        bronze = lh.read("bronze", table)
        if bronze is None:
            continue
        watermark = lh.watermark("silver", source)
        fresh = bronze if watermark is None else bronze.filter(F.col("bronze_ingested_at") > F.lit(watermark))
        keys = DEDUPE_KEYS.get(table)
        measures = [F.max("bronze_ingested_at"), F.count(F.lit(1))]
        if keys:
            measures.append(F.count_distinct(*[F.col(k) for k in keys]))
        found = fresh.agg(*measures).first()
        latest = found[0]
        if latest is None:
            continue
        if table in DIMENSIONS:
            lh.overwrite(bronze.select(*[n for n, _, _ in TABLES[table]]), "silver", table)
            stats.append(("batch", table, found[1], 0, found[1], 0))
            lh.set_watermark("silver", source, latest)
            progress.done(table)
            continue
        rows = fresh.withColumn("record_source", F.lit("batch")).withColumn("silver_loaded_at", F.lit(lh.run_started).cast("timestamp"))
        rows = silver_conform(rows, table)
        incoming, unique = found[1], found[2]
        if unique < incoming:
            rows = rows.dropDuplicates(keys)
        conflicts = 0
        existing = lh.read("silver", table)
        if existing is not None:
            evented = [n for n, _, _ in TABLES[table] if n not in keys and n not in BATCH_ONLY_COLUMNS]
            ex = existing.filter(F.col("record_source") == "stream").select(*keys, *[F.col(c).alias(f"e__{c}") for c in evented])
            inc = rows.select(*keys, *[F.col(c).alias(f"i__{c}") for c in evented + ["trace_id"]])
            joined = ex.join(inc, on=keys, how="inner")
            mismatch = joined.filter(_row_hash([f"e__{c}" for c in evented]) != _row_hash([f"i__{c}" for c in evented]))
            found = _conflict_rows(lh, table, keys, mismatch, evented, "e__", "i__")
            conflicts = found.count()
            if conflicts:
                lh.append(found, "silver", "dq_conflicts")
        lh.merge_upsert(rows, "silver", table, keys, keep_target_columns=("trace_id", "ingest_timestamp"), partition_by=["business_date"])
        # Staged now, written with the stream watermark once every MERGE of the run committed.
        lh.set_watermark("silver", source, latest)
        stats.append(("batch", table, incoming, incoming - unique, unique, conflicts))
        progress.done(table)
    return stats


def silver_stream(lh):
    """bronze.retail_events since the silver watermark -> silver facts, quarantine and conflicts.

    Returns (stats, greatest bronze_ingested_at processed); the caller advances the watermark.
    """
    source = "bronze.retail_events"
    bronze = lh.read("bronze", "retail_events")
    stats = []
    if bronze is None:
        return stats, None
    watermark = lh.watermark("silver", source)
    fresh = bronze if watermark is None else bronze.filter(F.col("bronze_ingested_at") > F.lit(watermark))
    fresh = fresh.cache()
    latest = fresh.agg(F.max("bronze_ingested_at")).first()[0]
    if latest is None:
        fresh.unpersist()
        return stats, None
    now = F.lit(lh.run_started).cast("timestamp")
    progress = _Progress("silver stream")
    dq_cols = ["event_type", "schema_version", "trace_id", "ingest_timestamp", "payload_json", "bronze_ingested_at"]

    # 1. unknown types / versions
    known = F.col("event_type").isin(list(EVENT_PAYLOADS)) & F.coalesce(F.col("schema_version").startswith("1."), F.lit(False))
    unknown = fresh.filter(~known).select(
        *dq_cols,
        F.when(~F.col("event_type").isin(list(EVENT_PAYLOADS)) | F.col("event_type").isNull(), F.lit("unknown event_type")).otherwise(F.lit("unsupported schema_version")).alias("reason"),
        now.alias("detected_at"),
    )
    n_unknown = unknown.count()
    if n_unknown:
        lh.append(unknown, "silver", "dq_unknown_events")
    stats.append(("stream", "dq_unknown_events", n_unknown, 0, n_unknown, 0))
    progress.done("unknown events")

    # 2. parse, reject
    parsed_by_type = {}
    rejected_frames, cached = [], []
    for event_type in EVENT_PAYLOADS:
        of_type = fresh.filter(known & (F.col("event_type") == event_type))
        parsed = parse_payload(of_type, event_type).cache()
        cached.append(parsed)
        rejected_frames.append(parsed.filter(F.col("reject_reason").isNotNull()).select(*dq_cols, F.col("reject_reason").alias("reason"), now.alias("detected_at")))
        parsed_by_type[event_type] = parsed.filter(F.col("reject_reason").isNull())
    rejected = rejected_frames[0]
    for frame in rejected_frames[1:]:
        rejected = rejected.unionByName(frame)
    rejected = rejected.cache()
    rejected_total = rejected.count()
    if rejected_total:
        lh.append(rejected.coalesce(1), "silver", "dq_rejected_events")
    rejected.unpersist()
    stats.append(("stream", "dq_rejected_events", rejected_total, 0, rejected_total, 0))
    progress.done("rejected events")

    conflicts_total = 0
    # 3-5. map, dedupe within the batch, insert new keys
    lifecycle = {k: parsed_by_type.pop(k) for k in list(LIFECYCLE)}
    for table, rows in sorted(_stream_rows(parsed_by_type).items()):
        keys = DEDUPE_KEYS[table]
        rows = silver_conform(rows.withColumn("silver_loaded_at", now), table)
        contract = [n for n, _, _ in TABLES[table]]
        order = Window.partitionBy(*keys).orderBy(F.col("ingest_timestamp").asc(), F.col("trace_id").asc())
        ranked = rows.withColumn("__rn", F.row_number().over(order)).withColumn("__h", _row_hash(contract)).cache()
        counted = ranked.agg(F.count(F.lit(1)), F.count_if(F.col("__rn") == 1)).first()
        incoming, unique = counted[0], counted[1]
        if incoming == 0:
            ranked.unpersist()
            continue
        first = ranked.filter(F.col("__rn") == 1)
        evented = [c for c in contract if c not in keys and c not in BATCH_ONLY_COLUMNS]
        n_conf = 0
        if unique < incoming:
            # keys whose copies within the batch differ in a contract column
            differing = ranked.groupBy(*keys).agg(F.countDistinct("__h").alias("__variants")).filter("__variants > 1")
            others = ranked.filter(F.col("__rn") > 1).join(differing.select(*keys), on=keys, how="inner")
            base = first.select(*keys, *[F.col(c).alias(f"e__{c}") for c in evented])
            inc = others.select(*keys, *[F.col(c).alias(f"i__{c}") for c in evented + ["trace_id"]])
            within = _conflict_rows(lh, table, keys, base.join(inc, on=keys), evented, "e__", "i__").cache()
            n_conf = within.count()
            if n_conf:
                lh.append(within, "silver", "dq_conflicts")
            within.unpersist()
        batch = first.drop("__rn", "__h")
        existing = lh.read("silver", table)
        if existing is not None:
            # matched keys whose evented columns differ from the stored row
            ex = existing.select(*keys, *[F.col(c).alias(f"e__{c}") for c in evented])
            inc = batch.select(*keys, *[F.col(c).alias(f"i__{c}") for c in evented + ["trace_id"]])
            mismatch = ex.join(inc, on=keys).filter(_row_hash([f"e__{c}" for c in evented]) != _row_hash([f"i__{c}" for c in evented]))
            against = _conflict_rows(lh, table, keys, mismatch, evented, "e__", "i__").cache()
            n_against = against.count()
            if n_against:
                lh.append(against, "silver", "dq_conflicts")
                n_conf += n_against
            against.unpersist()
        lh.merge_insert_new(batch, "silver", table, keys, ["business_date"])
        ranked.unpersist()
        conflicts_total += n_conf
        stats.append(("stream", table, incoming, incoming - unique, unique, n_conf))
        progress.done(table)

    # 6. lifecycle updates, orphans retried every run
    orphan_ddl = "event_type STRING, order_id STRING, event_ts TIMESTAMP, trace_id STRING, ingest_timestamp TIMESTAMP, first_seen_at TIMESTAMP"
    pending = lh.read_or_empty("silver", "dq_orphan_lifecycle", orphan_ddl)
    for event_type, df in lifecycle.items():
        pending = pending.unionByName(df.select(F.lit(event_type).alias("event_type"), "order_id", "event_ts", "trace_id", "ingest_timestamp", now.alias("first_seen_at")))
    pending = pending.dropDuplicates(["event_type", "order_id", "trace_id"]).cache()
    headers = lh.read("silver", "fact_online_order_headers")
    if pending.head(1) and headers is not None:
        # Materialised before the header table is rewritten underneath them.
        matched = pending.join(headers.select("order_id"), "order_id", "left_semi").localCheckpoint(eager=True)
        orphans = pending.join(headers.select("order_id"), "order_id", "left_anti").localCheckpoint(eager=True)
        updates = matched.groupBy("order_id").agg(
            *[F.min(F.when(F.col("event_type") == t, F.col("event_ts"))).alias(f"__value_{c}") for t, c in LIFECYCLE.items()]
        )
        if matched.head(1):
            lh.merge_update_first(updates, "silver", "fact_online_order_headers", ["order_id"], list(LIFECYCLE.values()))
        n_pending, n_orphans = pending.count(), orphans.count()
        if n_orphans or lh.exists("silver", "dq_orphan_lifecycle"):
            lh.overwrite(orphans.coalesce(1), "silver", "dq_orphan_lifecycle")
        stats.append(("stream", "fact_online_order_headers(lifecycle)", n_pending, 0, n_pending - n_orphans, 0))
    elif pending.head(1):
        lh.overwrite(pending, "silver", "dq_orphan_lifecycle")
    pending.unpersist()
    progress.done("online order lifecycle")

    for frame in cached:
        frame.unpersist()
    fresh.unpersist()
    return stats, latest


def silver(lh, params):
    fail = params.get("FAIL_ON_CONFLICT", True)
    if isinstance(fail, str):
        fail = fail.lower() in ("1", "true", "yes")
    batch_stats = silver_batch(lh)
    stream_stats, latest = silver_stream(lh)
    stats = batch_stats + stream_stats
    if stats:
        log = lh.spark.createDataFrame([(lh.batch_id, lh.run_started, *s) for s in stats], RUN_LOG_DDL)
        lh.append(log, "silver", "_run_log")
    conflicts = sum(s[5] for s in stream_stats)
    if conflicts and fail:
        # Step 7: stop before the watermark moves, so the batch is examined again after a fix.
        raise RuntimeError(f"silver: {conflicts} conflicting stream rows written to silver.dq_conflicts (FAIL_ON_CONFLICT); watermark not advanced")
    lh.set_watermark("silver", "bronze.retail_events", latest)
    lh.flush_watermarks()
    return stats


# ---------------------------------------------------------------------------------------------
# Gold (fabric.md 5.5)
# ---------------------------------------------------------------------------------------------


def _money(c, alias=None):
    return f"CAST(CAST({c} AS DECIMAL(20,0)) / 100 AS DECIMAL(12,2)) AS {alias or c.replace('_cents', '')}"


def _avg_half_away(total, n):
    # (2*|S| + n) div (2*n), sign restored: whole cents rounded half away from zero.
    return f"CASE WHEN {n} = 0 THEN NULL ELSE CAST(sign({total}) * div(2 * abs({total}) + {n}, 2 * {n}) AS BIGINT) END"


GOLD_SQL = {
    "sales_minute_store": f"""
        SELECT store_id, minute_ts, business_date, sale_receipts, return_receipts, items,
               gross_sales_cents, {_money('gross_sales_cents', 'gross_sales')}, discount_cents, {_money('discount_cents')},
               net_sales_cents, {_money('net_sales_cents', 'net_sales')}, tax_cents, {_money('tax_cents')},
               total_cents, {_money('total_cents')}, avg_sale_total_cents, {_money('avg_sale_total_cents', 'avg_sale_total')}
        FROM (SELECT store_id, date_trunc('MINUTE', event_ts) AS minute_ts, max(business_date) AS business_date,
                     count_if(receipt_type = 'SALE') AS sale_receipts, count_if(receipt_type = 'RETURN') AS return_receipts,
                     CAST(sum(item_count) AS BIGINT) AS items, sum(subtotal_cents) AS gross_sales_cents, sum(discount_cents) AS discount_cents,
                     sum(subtotal_cents - discount_cents) AS net_sales_cents, sum(tax_cents) AS tax_cents, sum(total_cents) AS total_cents,
                     {_avg_half_away("coalesce(sum(CASE WHEN receipt_type = 'SALE' THEN total_cents END), 0)", "count_if(receipt_type = 'SALE')")} AS avg_sale_total_cents
              FROM fact_receipts GROUP BY store_id, date_trunc('MINUTE', event_ts))""",
    "sales_daily_store": f"""
        SELECT business_date, store_id, sale_receipts, return_receipts, lines, items, unique_customers,
               gross_sales_cents, {_money('gross_sales_cents', 'gross_sales')}, discount_cents, {_money('discount_cents')},
               net_sales_cents, {_money('net_sales_cents', 'net_sales')}, tax_cents, {_money('tax_cents')},
               total_cents, {_money('total_cents')}, avg_sale_total_cents, {_money('avg_sale_total_cents', 'avg_sale_total')}
        FROM (SELECT business_date, store_id,
                     count_if(receipt_type = 'SALE') AS sale_receipts, count_if(receipt_type = 'RETURN') AS return_receipts,
                     CAST(sum(line_count) AS BIGINT) AS lines, CAST(sum(item_count) AS BIGINT) AS items,
                     count(DISTINCT CASE WHEN receipt_type = 'SALE' THEN customer_id END) AS unique_customers,
                     sum(subtotal_cents) AS gross_sales_cents, sum(discount_cents) AS discount_cents,
                     sum(subtotal_cents - discount_cents) AS net_sales_cents, sum(tax_cents) AS tax_cents, sum(total_cents) AS total_cents,
                     {_avg_half_away("coalesce(sum(CASE WHEN receipt_type = 'SALE' THEN total_cents END), 0)", "count_if(receipt_type = 'SALE')")} AS avg_sale_total_cents
              FROM fact_receipts GROUP BY business_date, store_id)""",
    "top_products_15m": f"""
        SELECT window_start, product_id, units, line_count, net_sales_cents, {_money('net_sales_cents', 'net_sales')},
               CAST(row_number() OVER (PARTITION BY window_start ORDER BY net_sales_cents DESC, product_id ASC) AS INT) AS sales_rank
        FROM (SELECT timestamp_seconds(floor(unix_seconds(event_ts) / 900) * 900) AS window_start, product_id,
                     CAST(sum(quantity) AS BIGINT) AS units, count(*) AS line_count, sum(net_cents) AS net_sales_cents
              FROM fact_receipt_lines GROUP BY 1, 2)""",
    "inventory_position_current": """
        SELECT store_id, product_id, balance AS on_hand, ledger_seq, txn_id AS last_txn_id, txn_type AS last_txn_type,
               event_ts AS as_of_ts, balance = 0 AS is_out_of_stock
        FROM (SELECT *, row_number() OVER (PARTITION BY store_id, product_id ORDER BY ledger_seq DESC) AS rn FROM fact_store_inventory_txn)
        WHERE rn = 1""",
    "dc_inventory_position_current": """
        SELECT dc_id, product_id, balance AS on_hand, ledger_seq, txn_id AS last_txn_id, txn_type AS last_txn_type,
               event_ts AS as_of_ts, balance = 0 AS is_out_of_stock
        FROM (SELECT *, row_number() OVER (PARTITION BY dc_id, product_id ORDER BY ledger_seq DESC) AS rn FROM fact_dc_inventory_txn)
        WHERE rn = 1""",
    "truck_dwell_daily": """
        SELECT a.business_date, a.store_id, count(*) AS shipments, CAST(sum(a.units) AS BIGINT) AS units,
               avg(c.dwell_minutes) AS avg_dwell_minutes, max(c.dwell_minutes) AS max_dwell_minutes,
               count_if(c.dwell_minutes > 90) AS sla_breaches
        FROM fact_truck_moves a JOIN fact_truck_moves c ON a.shipment_id = c.shipment_id AND c.status = 'COMPLETED'
        WHERE a.status = 'ARRIVED'
        GROUP BY a.business_date, a.store_id""",
    "online_sales_daily": f"""
        SELECT business_date, fulfillment_mode, orders, cancelled_orders, items, subtotal_cents, {_money('subtotal_cents')},
               discount_cents, {_money('discount_cents')}, tax_cents, {_money('tax_cents')}, total_cents, {_money('total_cents')},
               avg_order_total_cents, {_money('avg_order_total_cents', 'avg_order_total')}
        FROM (SELECT business_date, fulfillment_mode, count(*) AS orders,
                     count_if(order_status = 'CANCELLED') AS cancelled_orders,
                     CAST(coalesce(sum(CASE WHEN ok THEN item_count END), 0) AS BIGINT) AS items,
                     coalesce(sum(CASE WHEN ok THEN subtotal_cents END), 0) AS subtotal_cents,
                     coalesce(sum(CASE WHEN ok THEN discount_cents END), 0) AS discount_cents,
                     coalesce(sum(CASE WHEN ok THEN tax_cents END), 0) AS tax_cents,
                     coalesce(sum(CASE WHEN ok THEN total_cents END), 0) AS total_cents,
                     {_avg_half_away("coalesce(sum(CASE WHEN ok THEN total_cents END), 0)", "count_if(ok)")} AS avg_order_total_cents
              FROM (SELECT *, (order_status IS NULL OR order_status <> 'CANCELLED') AS ok FROM fact_online_order_headers)
              GROUP BY business_date, fulfillment_mode)""",
    "zone_traffic_hourly": """
        SELECT store_id, zone, date_trunc('HOUR', interval_start_ts) AS hour_ts, max(business_date) AS business_date,
               count(*) AS intervals, CAST(sum(visitor_count) AS BIGINT) AS visitors,
               CASE WHEN sum(visitor_count) = 0 THEN NULL
                    ELSE CAST(sum(CAST(visitor_count AS BIGINT) * avg_dwell_seconds) AS DOUBLE) / sum(visitor_count) END AS avg_dwell_seconds
        FROM fact_foot_traffic GROUP BY store_id, zone, date_trunc('HOUR', interval_start_ts)""",
    "marketing_cost_daily": f"""
        SELECT business_date, campaign_id, channel, campaign_type, impressions, unique_customers, cost_cents, {_money('cost_cents')}
        FROM (SELECT business_date, campaign_id, channel, max(campaign_type) AS campaign_type, count(*) AS impressions,
                     count(DISTINCT customer_id) AS unique_customers, sum(cost_cents) AS cost_cents
              FROM fact_marketing GROUP BY business_date, campaign_id, channel)""",
    "tender_mix_daily": f"""
        SELECT business_date, channel, tender_type, charges, declined_attempts, refunds,
               charge_amount_cents, {_money('charge_amount_cents', 'charge_amount')},
               refund_amount_cents, {_money('refund_amount_cents', 'refund_amount')},
               charge_amount_cents + refund_amount_cents AS net_amount_cents,
               {_money('charge_amount_cents + refund_amount_cents', 'net_amount')}
        FROM (SELECT business_date, channel, tender_type,
                     count_if(status = 'APPROVED' AND payment_type = 'CHARGE') AS charges,
                     count_if(status = 'DECLINED') AS declined_attempts,
                     count_if(status = 'APPROVED' AND payment_type = 'REFUND') AS refunds,
                     coalesce(sum(CASE WHEN status = 'APPROVED' AND payment_type = 'CHARGE' THEN amount_cents END), 0) AS charge_amount_cents,
                     coalesce(sum(CASE WHEN status = 'APPROVED' AND payment_type = 'REFUND' THEN amount_cents END), 0) AS refund_amount_cents
              FROM fact_payments GROUP BY business_date, channel, tender_type)""",
    "campaign_performance_daily": f"""
        WITH imp AS (SELECT business_date, campaign_id, count(*) AS impressions, sum(cost_cents) AS spend_cents
                     FROM fact_marketing GROUP BY business_date, campaign_id),
             purchases AS (SELECT business_date, attributed_campaign_id AS campaign_id, subtotal_cents - discount_cents AS net_cents, total_cents
                           FROM fact_receipts WHERE receipt_type = 'SALE' AND attributed_campaign_id IS NOT NULL
                           UNION ALL
                           SELECT business_date, attributed_campaign_id, subtotal_cents - discount_cents, total_cents
                           FROM fact_online_order_headers WHERE attributed_campaign_id IS NOT NULL),
             att AS (SELECT business_date, campaign_id, count(*) AS attributed_purchases,
                            sum(net_cents) AS attributed_net_sales_cents, sum(total_cents) AS attributed_total_cents
                     FROM purchases GROUP BY business_date, campaign_id),
             joined AS (SELECT coalesce(imp.business_date, att.business_date) AS business_date,
                               coalesce(imp.campaign_id, att.campaign_id) AS campaign_id,
                               coalesce(imp.impressions, 0) AS impressions, coalesce(imp.spend_cents, 0) AS spend_cents,
                               coalesce(att.attributed_purchases, 0) AS attributed_purchases,
                               coalesce(att.attributed_net_sales_cents, 0) AS attributed_net_sales_cents,
                               coalesce(att.attributed_total_cents, 0) AS attributed_total_cents
                        FROM imp FULL OUTER JOIN att ON imp.business_date = att.business_date AND imp.campaign_id = att.campaign_id)
        SELECT business_date, campaign_id, impressions, spend_cents, {_money('spend_cents', 'spend')},
               attributed_purchases, attributed_net_sales_cents, {_money('attributed_net_sales_cents', 'attributed_net_sales')},
               attributed_total_cents, {_money('attributed_total_cents', 'attributed_total')},
               CASE WHEN spend_cents = 0 THEN NULL ELSE CAST(attributed_net_sales_cents AS DOUBLE) / spend_cents END AS roas
        FROM joined""",
    "stockouts_daily": """
        SELECT business_date, location_type, store_id, dc_id, count(*) AS stockouts, count(DISTINCT product_id) AS distinct_products
        FROM fact_stockouts GROUP BY business_date, location_type, store_id, dc_id""",
}

GOLD_SOURCES = {
    "sales_minute_store": ["fact_receipts"],
    "sales_daily_store": ["fact_receipts"],
    "top_products_15m": ["fact_receipt_lines"],
    "inventory_position_current": ["fact_store_inventory_txn"],
    "dc_inventory_position_current": ["fact_dc_inventory_txn"],
    "truck_dwell_daily": ["fact_truck_moves"],
    "online_sales_daily": ["fact_online_order_headers"],
    "zone_traffic_hourly": ["fact_foot_traffic"],
    "marketing_cost_daily": ["fact_marketing"],
    "tender_mix_daily": ["fact_payments"],
    "campaign_performance_daily": ["fact_marketing", "fact_receipts", "fact_online_order_headers"],
    "stockouts_daily": ["fact_stockouts"],
}


# Incremental gold: the columns that identify the rows a change replaces, per gold table.
GOLD_SCOPE = {
    "sales_minute_store": ["business_date"],
    "sales_daily_store": ["business_date"],
    "top_products_15m": ["window_start"],
    "inventory_position_current": ["store_id", "product_id"],
    "dc_inventory_position_current": ["dc_id", "product_id"],
    "truck_dwell_daily": ["business_date"],
    "online_sales_daily": ["business_date"],
    "zone_traffic_hourly": ["hour_ts"],
    "marketing_cost_daily": ["business_date"],
    "tender_mix_daily": ["business_date"],
    "campaign_performance_daily": ["business_date"],
    "stockouts_daily": ["business_date"],
}
_WINDOW_15M = "timestamp_seconds(floor(unix_seconds(event_ts) / 900) * 900)"


def _silver_fact(lh, table):
    df = lh.read("silver", table)
    if df is None:
        df = lh.spark.createDataFrame([], contract_ddl(TABLES[table]) + ", " + ", ".join(f"{n} {t}" for n, t in LINEAGE))
    return df


def _gold_scope(name, silver, changed):
    """(touched scope values, {fact: source rows restricted to them}) for one gold table."""
    sources = GOLD_SOURCES[name]
    if name == "top_products_15m":
        touched = changed["fact_receipt_lines"].select(F.expr(_WINDOW_15M).alias("window_start")).distinct()
        rows = silver["fact_receipt_lines"].withColumn("window_start", F.expr(_WINDOW_15M)).join(touched, "window_start", "left_semi").drop("window_start")
        return touched, {"fact_receipt_lines": rows}
    if name == "zone_traffic_hourly":
        hour = F.date_trunc("HOUR", F.col("interval_start_ts"))
        touched = changed["fact_foot_traffic"].select(hour.alias("hour_ts")).distinct()
        rows = silver["fact_foot_traffic"].withColumn("hour_ts", hour).join(touched, "hour_ts", "left_semi").drop("hour_ts")
        return touched, {"fact_foot_traffic": rows}
    if name in ("inventory_position_current", "dc_inventory_position_current"):
        keys = GOLD_SCOPE[name]
        touched = changed[sources[0]].select(*keys).distinct()
        return touched, {sources[0]: silver[sources[0]].join(touched, keys, "left_semi")}
    if name == "truck_dwell_daily":
        moves = silver["fact_truck_moves"]
        arrived = moves.filter(F.col("status") == "ARRIVED").select("shipment_id", "business_date")
        touched = arrived.join(changed["fact_truck_moves"].select("shipment_id").distinct(), "shipment_id", "left_semi").select("business_date").distinct()
        shipments = arrived.join(touched, "business_date", "left_semi").select("shipment_id")
        return touched, {"fact_truck_moves": moves.join(shipments, "shipment_id", "left_semi")}
    touched = None
    for table in sources:
        dates = changed[table].select("business_date").distinct()
        touched = dates if touched is None else touched.union(dates).distinct()
    return touched, {t: silver[t].join(touched, "business_date", "left_semi") for t in sources}


def gold(lh, params):
    """Compute the gold tables from silver; returns {table: rows}.

    GOLD_MODE=full recomputes every table. GOLD_MODE=incremental recomputes only the scopes
    (business dates, 15-minute windows, hours, inventory keys; GOLD_SCOPE) that silver rows loaded
    since the previous gold run touch, and keeps every other row: both give identical tables.
    A first run, or a missing gold table, is always full.
    """
    mode = params.get("GOLD_MODE", "full")
    if mode not in ("full", "incremental"):
        raise ValueError(f"GOLD_MODE must be full or incremental, not {mode!r}")
    silver = {table: _silver_fact(lh, table) for table in FACTS}
    loaded = [silver[t].agg(F.max("silver_loaded_at")).first()[0] for t in FACTS]
    latest = max([v for v in loaded if v is not None], default=None)
    watermark = lh.watermark("gold", "silver")
    incremental = mode == "incremental" and watermark is not None and all(lh.exists("gold", n) for n in GOLD_SQL)
    changed = {t: df.filter(F.col("silver_loaded_at") > F.lit(watermark)) for t, df in silver.items()} if incremental else None
    counts = {}
    for name, sql in GOLD_SQL.items():
        if not incremental:
            for table, df in silver.items():
                df.createOrReplaceTempView(table)
            lh.overwrite(lh.spark.sql(sql), "gold", name)
        else:
            touched, rows = _gold_scope(name, silver, changed)
            touched = touched.localCheckpoint(eager=True)
            if touched.head(1):
                for table, df in silver.items():
                    rows.get(table, df).createOrReplaceTempView(table)
                part = lh.spark.sql(sql)
                kept = lh.read("gold", name).join(touched, GOLD_SCOPE[name], "left_anti").select(*part.columns)
                lh.overwrite(kept.unionByName(part), "gold", name)
        counts[name] = lh.read("gold", name).count()
    lh.set_watermark("gold", "silver", latest)
    lh.flush_watermarks()
    return counts


# ---------------------------------------------------------------------------------------------
# Maintenance (fabric.md 5.6)
# ---------------------------------------------------------------------------------------------


def maintenance(lh, params):
    """OPTIMIZE / VACUUM the Delta tables; trims dq_* rows older than 30 days. No-op on Parquet."""
    done = []
    if lh.table_format != "delta":
        return done
    retention = int(params.get("VACUUM_RETENTION_HOURS", 168))
    for table in FACTS:
        if not lh.exists("silver", table):
            continue
        cols = [n for n, _, _ in TABLES[table]]
        zorder = ["event_ts"] + [c for c in ("store_id", "dc_id") if c in cols][:1]
        name = f"silver.{table}" if lh.by_name() else f"delta.`{lh.path('silver', table)}`"
        lh.spark.sql(f"OPTIMIZE {name} ZORDER BY ({', '.join(zorder)})")
        lh.spark.sql(f"VACUUM {name} RETAIN {retention} HOURS")
        done.append(name)
    for table in GOLD_SQL:
        if lh.exists("gold", table):
            name = f"gold.{table}" if lh.by_name() else f"delta.`{lh.path('gold', table)}`"
            lh.spark.sql(f"OPTIMIZE {name}")
            lh.spark.sql(f"VACUUM {name} RETAIN {retention} HOURS")
            done.append(name)
    for table in ("dq_unknown_events", "dq_rejected_events", "dq_conflicts"):
        if lh.exists("silver", table):
            lh._delta("silver", table).delete("detected_at < current_timestamp() - INTERVAL 30 DAYS")
    return done


def summary(stats):
    """Printable per-table statistics of a silver run."""
    return json.dumps([dict(zip(["path", "table", "incoming", "duplicates", "written", "conflicts"], s)) for s in stats], indent=1)
