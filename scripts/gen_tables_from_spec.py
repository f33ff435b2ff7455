#!/usr/bin/env python3
"""One-off bootstrap: reads the contract's column tables (data-contract.md §4-§5) and prints the
`contract_table!` declarations of crates/retail-schemas/src/tables.rs. Kept for reviewers: the
Rust file, not this script, is the source of truth afterwards."""
import re, sys

spec = open(sys.argv[1], encoding="utf-8").read().splitlines()
TYPES = {"BIGINT": "i64", "INTEGER": "i32", "VARCHAR": "String", "BOOLEAN": "bool",
         "TIMESTAMP": "Ts", "DATE": "Date", "DOUBLE": "f64", "LIST<BIGINT>": "Vec<i64>"}
NAMES = {"dim_geographies": "DimGeography", "dim_distribution_centers": "DimDistributionCenter",
         "dim_stores": "DimStore", "dim_trucks": "DimTruck", "dim_customers": "DimCustomer",
         "dim_products": "DimProduct", "dim_date": "DimDate"}

def struct_name(table):
    if table in NAMES:
        return NAMES[table]
    base = table[len("fact_"):]
    parts = base.split("_")
    if parts[-1] == "ops":
        pass
    elif parts[-1].endswith("ies") :
        parts[-1] = parts[-1][:-3] + "y"
    elif parts[-1].endswith("s") and parts[-1] not in ("ops",):
        parts[-1] = parts[-1][:-1]
    return "Fact" + "".join(p.capitalize() for p in parts)

tables = []
cur = None
for line in spec:
    m = re.match(r"^### (4|5)\.\d+ `(\w+)`", line)
    if m:
        cur = {"name": m.group(2), "kind": "Dimension" if m.group(1) == "4" else "Fact", "cols": [], "grain": "", "key": []}
        tables.append(cur)
        continue
    if line.startswith("## 6"):
        cur = None
    if cur is None:
        continue
    if line.startswith("* Grain:"):
        cur["grain"] = line[len("* Grain:"):].strip()
    if line.startswith("* Primary key"):
        cur["key"] = re.findall(r"`(\w+)`", line.split(":", 1)[1])
    m = re.match(r"^\| (\d+) \| `(\w+)` \| ([A-Z<>(),0-9]+) \| ([NY]) \| (.*) \|$", line)
    if m:
        cur["cols"].append((m.group(2), m.group(3), m.group(4) == "Y", m.group(5).strip()))

out = []
for t in tables:
    cols = t["cols"]
    fields = []
    i = 0
    while i < len(cols):
        name, ty, null, rule = cols[i]
        if ty == "BIGINT" and name.endswith("_cents") and i + 1 < len(cols) and cols[i + 1][0] == name[:-6] and cols[i + 1][1] == "DECIMAL(12,2)":
            rty = "Money"
            fname = name[:-6]
            i += 2
        else:
            rty = TYPES[ty]
            fname = name
            i += 1
        if null:
            rty = f"Option<{rty}>"
        fields.append((fname, rty, rule))
    key = ", ".join(f'"{k}"' for k in t["key"])
    grain = t["grain"].replace('"', '\\"')
    out.append("contract_table! {")
    out.append(f"    /// A row of `{t['name']}`: {t['grain'][0].lower() + t['grain'][1:] if t['grain'] else ''}")
    out.append(f"    pub struct {struct_name(t['name'])} as {t['name'].upper()} {{")
    out.append(f'        table: "{t["name"]}",')
    out.append(f"        kind: {t['kind']},")
    out.append(f'        grain: "{grain}",')
    out.append(f"        key: [{key}],")
    out.append("        fields: {")
    for fname, rty, rule in fields:
        pass
        out.append(f"            /// {rule}")
        out.append(f"            {fname}: {rty},")
    out.append("        }")
    out.append("    }")
    out.append("}")
    out.append("")
print("\n".join(out))
