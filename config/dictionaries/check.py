#!/usr/bin/env python3
"""Validate the bundled dictionaries (data-contract §7.0). Usage: python3 config/dictionaries/check.py

Exits non-zero and prints every problem found; prints per-file counts on success.
Standard library only.
"""
import csv
import re
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
problems = []


def fail(msg):
    problems.append(msg)


def load(name, header):
    path = HERE / name
    with open(path, encoding="utf-8", newline="") as f:
        raw = f.read()
    if raw.startswith("\ufeff"):
        fail(f"{name}: has a byte-order mark")
    rows = list(csv.reader(raw.splitlines()))
    if rows[0] != header:
        fail(f"{name}: header {rows[0]} != {header}")
    body = rows[1:]
    for i, r in enumerate(body):
        if len(r) != len(header):
            fail(f"{name}: row {i} has {len(r)} fields")
        if any(c != c.strip() for c in r):
            fail(f"{name}: row {i} has leading/trailing spaces")
    return [dict(zip(header, r)) for r in body]


REGIONS = {"West", "Midwest", "Northeast", "Southeast", "Southwest"}
ZONES = {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
         "America/Phoenix", "America/Indiana/Indianapolis", "America/Boise"}
# §7.0 time-zone rule: state default zone, plus the zones an exception may give.
STATE_ZONE = {s: "America/Chicago" for s in "AL IA IL KS MN TX WI OK MO LA TN".split()}
STATE_ZONE.update({s: "America/New_York" for s in "CT GA MA NH NJ NY PA SC VA VT FL OH NC MD ME".split()})
STATE_ZONE.update({s: "America/Los_Angeles" for s in "CA NV OR WA".split()})
STATE_ZONE.update({s: "America/Denver" for s in "CO UT NM".split()})
STATE_ZONE.update({"AZ": "America/Phoenix", "IN": "America/Indiana/Indianapolis", "ID": "America/Boise"})


def exception_zone(state, lat, lon):
    """Zone the §7.0 exceptions give to a point, or None; a coarse geometric check."""
    if state == "TX" and lon < -104.9:
        return "America/Denver"  # El Paso and Hudspeth counties
    if state == "KS" and lon < -101.4:
        return "America/Denver"  # the four western border counties
    if state == "OR" and lon > -118.3 and lat < 44.6:
        return "America/Boise"  # Malheur county
    if state == "FL" and lon < -85.0 and lat > 29.9:
        return "America/Chicago"  # panhandle west of the Apalachicola
    if state == "IN" and lon < -86.9 and (lat > 41.2 or lat < 38.6):
        return "America/Chicago"  # Lake, Porter; Evansville area
    if state == "TN" and lon > -85.4:
        return "America/New_York"  # East Tennessee
    return None


geo = load("geographies.csv", ["city", "state", "zip", "district", "region", "latitude", "longitude", "time_zone"])
seen = set()
for r in geo:
    key = (r["city"], r["state"])
    if key in seen:
        fail(f"geographies: duplicate {key}")
    seen.add(key)
    if not re.fullmatch(r"[A-Z]{2}", r["state"]):
        fail(f"geographies: bad state {r}")
    if not re.fullmatch(r"\d{5}", r["zip"]):
        fail(f"geographies: bad zip {r}")
    if r["region"] not in REGIONS:
        fail(f"geographies: bad region {r}")
    if r["time_zone"] not in ZONES:
        fail(f"geographies: zone not allowed {r}")
    ZoneInfo(r["time_zone"])
    if not re.fullmatch(r"-?\d+\.\d{4}", r["latitude"]) or not re.fullmatch(r"-?\d+\.\d{4}", r["longitude"]):
        fail(f"geographies: coordinates need 4 decimals {r}")
    lat, lon = float(r["latitude"]), float(r["longitude"])
    if not (24.5 <= lat <= 49.5 and -125.0 <= lon <= -66.9):
        fail(f"geographies: outside the contiguous US {r}")
    expected = exception_zone(r["state"], lat, lon) or STATE_ZONE.get(r["state"])
    if expected is None:
        fail(f"geographies: state without a zone rule {r}")
    elif r["time_zone"] != expected:
        fail(f"geographies: zone {r['time_zone']} but rule says {expected}: {r}")
    if not r["district"]:
        fail(f"geographies: empty district {r}")
zones = Counter(r["time_zone"] for r in geo)
states = {r["state"] for r in geo}
if len(geo) < 520 or len(states) < 26 or set(zones) != ZONES:
    fail(f"geographies: {len(geo)} rows, {len(states)} states, zones {sorted(zones)}")

for name in ("first_names.csv", "last_names.csv"):
    names = [r["name"] for r in load(name, ["name"])]
    if len(set(names)) != len(names) or len(names) < 320 or any(not n for n in names):
        fail(f"{name}: {len(names)} names, {len(set(names))} distinct")

DEPARTMENTS = {"Grocery", "Electronics", "Clothing", "Health & Beauty", "Baby & Kids", "Home & Garden",
               "Pet Supplies", "Automotive", "Office Supplies", "Seasonal", "Sports & Recreation"}
GROCERY = {"Produce", "Dairy & Alternatives", "Meat & Poultry", "Seafood", "Bakery", "Pantry", "Frozen",
           "Beverages", "Snacks"}
TAGS = re.compile(r"[a-z0-9\-]+(;[a-z0-9\-]+)*")
products = load("products.csv", ["product_name", "base_price", "department", "category", "subcategory", "tags"])
names = Counter(p["product_name"] for p in products)
for n, c in names.items():
    if c > 1:
        fail(f"products: duplicate name {n}")
for p in products:
    if p["department"] not in DEPARTMENTS:
        fail(f"products: bad department {p}")
    if not re.fullmatch(r"\d+\.\d{2}", p["base_price"]) or float(p["base_price"]) <= 0:
        fail(f"products: bad price {p}")
    if not p["category"] or not p["subcategory"]:
        fail(f"products: empty category {p}")
    if p["tags"] and not TAGS.fullmatch(p["tags"]):
        fail(f"products: bad tags {p}")
if {p["department"] for p in products} != DEPARTMENTS or len(products) < 650:
    fail(f"products: {len(products)} rows, departments {sorted({p['department'] for p in products})}")
if not GROCERY <= {p["category"] for p in products if p["department"] == "Grocery"}:
    fail("products: Grocery lacks a required category")
if not any(p["category"] == "Medicine" and "refrigerated" in p["subcategory"].lower() for p in products):
    fail("products: no refrigerated Medicine subcategory")
if not any(p["department"] == "Baby & Kids" and p["category"] == "Baby Food" for p in products):
    fail("products: no Baby & Kids / Baby Food")
# Every §7.5 basket keyword should match a product name ...
BASKET_KEYWORDS = ("bread milk cheese meat fruit vegetable snack cereal pasta juice soda water coffee tea beer wine "
            "detergent soap paper towel cleaner trash dish shampoo toothpaste deodorant lotion cosmetic phone "
            "computer tablet tv speaker headphone charger shirt pants dress shoe jacket underwear sock plant tool "
            "furniture decor garden outdoor")
# ... and every holiday keyword a product's name, department, category, subcategory or tags.
HOLIDAY_KEYWORDS = ("turkey stuffing cranberry pie pumpkin rolls casserole green+bean "
            "cream+of+mushroom fried+onion gravy yams sweet+potato baking flour sugar spice cinnamon nutmeg clove "
            "laptop gaming appliance toy ham roast cookie candy cider eggnog hot+chocolate grill hot+dog sausage "
            "burger ground+beef steak chicken+breast bun ketchup mustard relish bbq+sauce charcoal chips ice")
for kw in BASKET_KEYWORDS.split():
    if not any(kw in p["product_name"].lower() for p in products):
        fail(f"products: no product name contains basket keyword '{kw}'")
for kw in HOLIDAY_KEYWORDS.split():
    kw = kw.replace("+", " ")
    fields = ("product_name", "department", "category", "subcategory", "tags")
    if not any(kw in " ".join(p[f] for f in fields).lower() for p in products):
        fail(f"products: no product matches holiday keyword '{kw}'")

BRAND_CATEGORIES = {"Food", "Electronics", "Clothing", "Health", "Pet", "Automotive", "Office", "Sports", "Home"}
brands = load("brands.csv", ["brand", "company", "brand_category"])
per_category = Counter(b["brand_category"] for b in brands)
if set(per_category) != BRAND_CATEGORIES or min(per_category.values()) < 8:
    fail(f"brands: per category {dict(per_category)}")
if len({b["brand"] for b in brands}) != len(brands):
    fail("brands: duplicate brand")

mapping = load("brand_category_map.csv", ["department", "category", "brand_category"])
mapped = {(m["department"], m["category"]) for m in mapping}
if len(mapped) != len(mapping):
    fail("brand_category_map: duplicate pair")
for m in mapping:
    if m["brand_category"] not in BRAND_CATEGORIES:
        fail(f"brand_category_map: bad brand category {m}")
used = {(p["department"], p["category"]) for p in products}
for pair in sorted(used - mapped):
    fail(f"brand_category_map: missing {pair}")
for pair in sorted(mapped - used):
    fail(f"brand_category_map: pair not in products {pair}")

tags = load("product_tags.csv", ["product_name", "tags"])
untagged = {p["product_name"] for p in products if not p["tags"]}
for t in tags:
    if t["product_name"] not in names:
        fail(f"product_tags: unknown product {t}")
    elif t["product_name"] not in untagged:
        fail(f"product_tags: product already tagged in products.csv {t}")
    if not TAGS.fullmatch(t["tags"]):
        fail(f"product_tags: bad tags {t}")
if len(tags) < 40 or len({t["product_name"] for t in tags}) != len(tags):
    fail(f"product_tags: {len(tags)} rows")

rates = load("tax_rates.csv", ["state", "county", "city", "combined_rate"])
state_rows = [r for r in rates if not r["county"] and not r["city"]]
city_rows = [r for r in rates if r["city"]]
for r in rates:
    if not re.fullmatch(r"0\.\d{1,4}", r["combined_rate"]) or not 0 <= float(r["combined_rate"]) <= 0.20:
        fail(f"tax_rates: bad rate {r}")
    if r["state"] not in states:
        fail(f"tax_rates: state not in geographies {r}")
for r in city_rows:
    if (r["city"], r["state"]) not in seen:
        fail(f"tax_rates: city not in geographies {r}")
if sorted(r["state"] for r in state_rows) != sorted(states):
    fail("tax_rates: need exactly one state-level row per geography state")
if len(city_rows) < 60 or len({(r["state"], r["city"]) for r in city_rows}) != len(city_rows):
    fail(f"tax_rates: {len(city_rows)} city rows (or duplicates)")

if problems:
    print("\n".join(problems))
    print(f"{len(problems)} problem(s)")
    sys.exit(1)
print(f"geographies.csv: {len(geo)} places, {len(states)} states, zones {dict(sorted(zones.items()))}")
print(f"first_names.csv: {len(load('first_names.csv', ['name']))}; last_names.csv: {len(load('last_names.csv', ['name']))}")
print(f"products.csv: {len(products)} products, {len(used)} (department, category) pairs")
print(f"brands.csv: {len(brands)} brands {dict(sorted(per_category.items()))}")
print(f"brand_category_map.csv: {len(mapping)} pairs; product_tags.csv: {len(tags)} rows")
print(f"tax_rates.csv: {len(state_rows)} state rows, {len(city_rows)} city rows")
print("dictionaries OK")
