//! Row fixtures shared by the integration tests.
#![allow(dead_code)]

use retail_schemas::tables::{DimTruck, FactPromotion, FactReceiptLine};
use retail_schemas::{Date, Money, Ts};
use retail_store::{ParquetOptions, Provenance};

pub fn day(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).expect("valid test date")
}

pub fn options() -> ParquetOptions {
    ParquetOptions::new(Provenance::new(42, "c0ffee", "2025b"))
}

/// A receipt line with values that exercise every physical type the table has.
pub fn line(date: Date, receipt: u32, line_number: i32) -> FactReceiptLine {
    let cents = 100 + i64::from(receipt) * 7 + i64::from(line_number);
    FactReceiptLine {
        receipt_id: format!("R-{}-{receipt:06}", date.yyyymmdd()),
        line_number,
        // A timestamp with non-zero microseconds.
        event_ts: Ts(i64::from(date.0) * Ts::MICROS_PER_DAY
            + 15 * Ts::MICROS_PER_HOUR
            + i64::from(receipt) * 1_000_003),
        business_date: date,
        store_id: i64::from(receipt % 5) + 1,
        product_id: 1000 + i64::from(line_number),
        quantity: if receipt % 11 == 0 { -1 } else { 2 },
        unit_price: Money(cents),
        gross: Money(cents * 2),
        discount: Money(if receipt % 3 == 0 { 5 } else { 0 }),
        net: Money(cents * 2 - if receipt % 3 == 0 { 5 } else { 0 }),
        tax: Money(-(cents % 17)),
        promo_code: (receipt % 3 == 0).then(|| "SPRING10".to_owned()),
        original_line_number: (receipt % 11 == 0).then_some(line_number),
    }
}

/// Receipt lines of several days, `per_day` receipts of 3 lines each, in file order.
pub fn lines(days: &[Date], per_day: u32) -> Vec<FactReceiptLine> {
    let mut out = Vec::new();
    for &d in days {
        for r in 0..per_day {
            for l in 1..=3 {
                out.push(line(d, r, l));
            }
        }
    }
    out
}

pub fn promotion(date: Date, i: u32) -> FactPromotion {
    FactPromotion {
        promotion_id: format!("P-{}-{i:04}", date.yyyymmdd()),
        event_ts: Ts(i64::from(date.0) * Ts::MICROS_PER_DAY + 123_456),
        business_date: date,
        channel: if i % 2 == 0 { "STORE" } else { "ONLINE" }.into(),
        receipt_id: (i % 2 == 0).then(|| format!("R-{i}")),
        order_id: (i % 2 == 1).then(|| format!("O-{i}")),
        store_id: (i % 2 == 0).then_some(3),
        dc_id: (i % 2 == 1).then_some(1),
        customer_id: 77,
        promo_code: "BOGO".into(),
        discount_type: "PERCENT".into(),
        discount_pct: 10,
        line_count: i as i32 % 3,
        // Includes the empty list.
        product_ids: (0..i64::from(i % 3)).map(|k| 500 + k).collect(),
        discount: Money(-(i64::from(i) * 101)),
    }
}

pub fn truck(id: i64, plate: &str) -> DimTruck {
    DimTruck {
        truck_id: id,
        license_plate: plate.into(),
        refrigerated: id % 2 == 0,
        fleet_type: if id <= 2 { "DC_FLEET" } else { "POOL" }.into(),
        home_dc_id: (id <= 2).then_some(1),
        capacity_units: 1000 + id as i32,
    }
}
