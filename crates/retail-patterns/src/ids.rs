//! Identifier formatters of data-contract §3.
//!
//! Every fact key is built only from entity coordinates (§2.5), so two rows with different
//! coordinates can never share an identifier. `{x:0N}` pads to at least N digits; wider values
//! print in full. Dates are the row's `business_date` as `yyyymmdd`.

use retail_schemas::Date;

/// Declares a contract enumeration with its spellings, `ALL` in contract order, `as_str`,
/// `parse` and `index` (the stream coordinate of §12.2).
#[macro_export]
macro_rules! contract_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value in contract order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The contract spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses the contract spelling.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// Position in contract order (the stream coordinate of §12.2).
            pub fn index(self) -> usize {
                self as usize
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use crate::contract_enum as journey_enum;

/// Appends `value` zero-padded to at least `width` digits, exactly as `{value:0width$}` formats
/// it (negative values, which no id has, take the formatter itself).
fn push_padded(out: &mut String, value: i64, width: usize) {
    if value < 0 {
        use std::fmt::Write;
        let _ = write!(out, "{value:0width$}");
        return;
    }
    let mut digits = [0u8; 20];
    let mut rest = value as u64;
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for _ in digits.len() - start..width {
        out.push('0');
    }
    out.extend(digits[start..].iter().map(|&d| d as char));
}

/// `{prefix}{location:0location_width}-{yyyymmdd}-{seq:0seq_width}`, the shape of the per-row
/// ids, built without the formatting machinery (these are written for every fact row).
fn coordinate_id(
    prefix: &str,
    location: i64,
    location_width: usize,
    date: Date,
    seq: i64,
    seq_width: usize,
) -> String {
    let mut out = String::with_capacity(prefix.len() + location_width + seq_width + 12);
    out.push_str(prefix);
    push_padded(&mut out, location, location_width);
    out.push('-');
    push_padded(&mut out, date.yyyymmdd() as i64, 0);
    out.push('-');
    push_padded(&mut out, seq, seq_width);
    out
}

/// `{a}{b}{c}` into one allocation of the exact size.
fn concat3(a: &str, b: &str, c: &str) -> String {
    let mut out = String::with_capacity(a.len() + b.len() + c.len());
    out.push_str(a);
    out.push_str(b);
    out.push_str(c);
    out
}

/// `store_number`: `S{store_id:06}`.
pub fn store_number(store_id: i64) -> String {
    format!("S{store_id:06}")
}

/// `dc_number`: `DC{dc_id:03}`.
pub fn dc_number(dc_id: i64) -> String {
    format!("DC{dc_id:03}")
}

/// `sku`: `SKU-{product_id:07}`.
pub fn sku(product_id: i64) -> String {
    format!("SKU-{product_id:07}")
}

fn base36_padded(value: i64, width: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut n = value.unsigned_abs();
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

/// `ble_id`: `BLE` + base-36 (0-9A-Z) of customer_id padded to 6 characters (`BLE001179`).
pub fn ble_id(customer_id: i64) -> String {
    format!("BLE{}", base36_padded(customer_id, 6))
}

/// `ad_id`: `AD` + the same base-36 code as [`ble_id`] (`AD001179`).
pub fn ad_id(customer_id: i64) -> String {
    format!("AD{}", base36_padded(customer_id, 6))
}

/// `loyalty_card`: `LC{customer_id:09}{suffix:03}`.
pub fn loyalty_card(customer_id: i64, suffix: u32) -> String {
    format!("LC{customer_id:09}{suffix:03}")
}

/// SALE `receipt_id`: `RCP-{store_id:05}-{date}-{seq:06}` (seq in checkout order of the trading day).
pub fn sale_receipt_id(store_id: i64, business_date: Date, seq: u32) -> String {
    coordinate_id("RCP-", store_id, 5, business_date, seq as i64, 6)
}

/// RETURN `receipt_id`: `RTN-` + the original sale's `{store:05}-{date}-{seq:06}`.
///
/// Returns `None` when `sale_receipt_id` is not a SALE receipt id.
pub fn return_receipt_id(sale_receipt_id: &str) -> Option<String> {
    sale_receipt_id
        .strip_prefix("RCP-")
        .map(|rest| concat3("RTN-", rest, ""))
}

/// `visit_id`: `VIS-{store_id:05}-{date}-{seq:06}`, the coordinates of its SALE receipt.
pub fn visit_id(store_id: i64, business_date: Date, seq: u32) -> String {
    coordinate_id("VIS-", store_id, 5, business_date, seq as i64, 6)
}

/// Charge `payment_id`: `PAY-{purchase_id}-{attempt}` (attempt 1..3; a return's refund is attempt 1
/// of the RETURN receipt).
pub fn payment_id(purchase_id: &str, attempt: u32) -> String {
    let mut out = concat3("PAY-", purchase_id, "-");
    push_padded(&mut out, attempt as i64, 0);
    out
}

/// Cancellation refund `payment_id`: `PAY-{order_id}-R`.
pub fn cancellation_refund_payment_id(order_id: &str) -> String {
    concat3("PAY-", order_id, "-R")
}

/// Store-node `order_id`: `ORD-S{store_id:05}-{date}-{seq:05}`.
pub fn store_order_id(store_id: i64, node_date: Date, seq: u32) -> String {
    coordinate_id("ORD-S", store_id, 5, node_date, seq as i64, 5)
}

/// DC-node `order_id`: `ORD-D{dc_id:03}-{date}-{seq:05}`.
pub fn dc_order_id(dc_id: i64, node_date: Date, seq: u32) -> String {
    coordinate_id("ORD-D", dc_id, 3, node_date, seq as i64, 5)
}

/// Store `txn_id`: `SIT-{store_id:05}-{date}-{seq:07}` (processing order within the store-day).
pub fn store_txn_id(store_id: i64, business_date: Date, seq: u32) -> String {
    coordinate_id("SIT-", store_id, 5, business_date, seq as i64, 7)
}

/// DC `txn_id`: `DIT-{dc_id:03}-{date}-{seq:07}`.
pub fn dc_txn_id(dc_id: i64, business_date: Date, seq: u32) -> String {
    coordinate_id("DIT-", dc_id, 3, business_date, seq as i64, 7)
}

/// Purchase-order id: `PO-{dc_id:03}-{date}-{seq:04}` (evaluation date, product order).
pub fn purchase_order_id(dc_id: i64, evaluation_date: Date, seq: u32) -> String {
    coordinate_id("PO-", dc_id, 3, evaluation_date, seq as i64, 4)
}

/// `shipment_id`: `SHP-{dc_id:03}-{date}-{seq:04}` (planning date, planning order).
pub fn shipment_id(dc_id: i64, planning_date: Date, seq: u32) -> String {
    coordinate_id("SHP-", dc_id, 3, planning_date, seq as i64, 4)
}

/// `reorder_id`: `RO-{store_id:05}-{date}-{seq:05}` (trading day, product order).
pub fn reorder_id(store_id: i64, business_date: Date, seq: u32) -> String {
    coordinate_id("RO-", store_id, 5, business_date, seq as i64, 5)
}

/// `stockout_id`: `SO-{txn_id}` of the depleting movement.
pub fn stockout_id(txn_id: &str) -> String {
    concat3("SO-", txn_id, "")
}

/// `campaign_id`: `CMP-{start date}-{n:02}`.
pub fn campaign_id(start_date: Date, n: u32) -> String {
    format!("CMP-{}-{n:02}", start_date.yyyymmdd())
}

/// `creative_id`: `{campaign_id}-C{k:02}`.
pub fn creative_id(campaign_id: &str, k: u32) -> String {
    format!("{campaign_id}-C{k:02}")
}

/// `impression_id`: `IMP-{date}-{seq:07}`.
pub fn impression_id(marketing_date: Date, seq: u32) -> String {
    format!("IMP-{}-{seq:07}", marketing_date.yyyymmdd())
}

/// `promotion_id`: `PRM-{purchase_id}-{promo_code}`.
pub fn promotion_id(purchase_id: &str, promo_code: &str) -> String {
    let mut out = concat3("PRM-", purchase_id, "-");
    out.push_str(promo_code);
    out
}

/// `sensor_id`: `FT-{store_id:05}-{zone}`.
pub fn sensor_id(store_id: i64, zone: crate::sensors::Zone) -> String {
    let mut out = String::from("FT-");
    push_padded(&mut out, store_id, 5);
    out.push('-');
    out.push_str(zone.as_str());
    out
}

/// `beacon_id`: `BCN-{store_id:05}-{zone}`.
pub fn beacon_id(store_id: i64, zone: crate::sensors::Zone) -> String {
    let mut out = String::from("BCN-");
    push_padded(&mut out, store_id, 5);
    out.push('-');
    out.push_str(zone.as_str());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::Zone;

    #[test]
    fn contract_examples_are_reproduced() {
        let d = Date::from_ymd(2024, 3, 6).unwrap();
        assert_eq!(store_number(5), "S000005");
        assert_eq!(dc_number(2), "DC002");
        assert_eq!(sku(4821), "SKU-0004821");
        assert_eq!(ble_id(48_213), "BLE001179");
        assert_eq!(ad_id(48_213), "AD001179");
        assert_eq!(loyalty_card(48_213, 517), "LC000048213517");
        let rcp = sale_receipt_id(5, d, 123);
        assert_eq!(rcp, "RCP-00005-20240306-000123");
        assert_eq!(
            return_receipt_id(&rcp).unwrap(),
            "RTN-00005-20240306-000123"
        );
        assert_eq!(return_receipt_id("RTN-1"), None);
        assert_eq!(visit_id(5, d, 123), "VIS-00005-20240306-000123");
        assert_eq!(payment_id(&rcp, 1), "PAY-RCP-00005-20240306-000123-1");
        let ord = dc_order_id(2, d, 42);
        assert_eq!(ord, "ORD-D002-20240306-00042");
        assert_eq!(store_order_id(5, d, 7), "ORD-S00005-20240306-00007");
        assert_eq!(
            cancellation_refund_payment_id(&ord),
            "PAY-ORD-D002-20240306-00042-R"
        );
        let sit = store_txn_id(5, d, 4388);
        assert_eq!(sit, "SIT-00005-20240306-0004388");
        assert_eq!(stockout_id(&sit), "SO-SIT-00005-20240306-0004388");
        let d7 = Date::from_ymd(2024, 3, 7).unwrap();
        assert_eq!(dc_txn_id(2, d7, 917), "DIT-002-20240307-0000917");
        assert_eq!(purchase_order_id(2, d, 11), "PO-002-20240306-0011");
        assert_eq!(shipment_id(2, d7, 3), "SHP-002-20240307-0003");
        assert_eq!(reorder_id(5, d, 17), "RO-00005-20240306-00017");
        let cmp = campaign_id(Date::from_ymd(2024, 3, 2).unwrap(), 1);
        assert_eq!(cmp, "CMP-20240302-01");
        assert_eq!(creative_id(&cmp, 3), "CMP-20240302-01-C03");
        assert_eq!(impression_id(d, 4521), "IMP-20240306-0004521");
        assert_eq!(
            promotion_id(&rcp, "SAVE10"),
            "PRM-RCP-00005-20240306-000123-SAVE10"
        );
        assert_eq!(sensor_id(5, Zone::Checkout), "FT-00005-CHECKOUT");
        assert_eq!(beacon_id(5, Zone::Grocery), "BCN-00005-GROCERY");
    }

    #[test]
    fn fast_ids_match_the_formatter() {
        let dates = [
            Date::from_ymd(2024, 3, 6).unwrap(),
            Date::from_ymd(1999, 12, 31).unwrap(),
            Date::from_ymd(2031, 1, 1).unwrap(),
        ];
        let values: [i64; 12] = [
            0,
            1,
            9,
            10,
            99,
            999,
            1_000,
            12_345,
            99_999,
            100_000,
            1_234_567_890,
            -42,
        ];
        for d in dates {
            let ymd = d.yyyymmdd();
            for &a in &values {
                for &b in &values {
                    let seq = b.unsigned_abs() as u32;
                    assert_eq!(
                        sale_receipt_id(a, d, seq),
                        format!("RCP-{a:05}-{ymd}-{seq:06}")
                    );
                    assert_eq!(
                        store_txn_id(a, d, seq),
                        format!("SIT-{a:05}-{ymd}-{seq:07}")
                    );
                    assert_eq!(dc_txn_id(a, d, seq), format!("DIT-{a:03}-{ymd}-{seq:07}"));
                    assert_eq!(
                        dc_order_id(a, d, seq),
                        format!("ORD-D{a:03}-{ymd}-{seq:05}")
                    );
                    assert_eq!(
                        purchase_order_id(a, d, seq),
                        format!("PO-{a:03}-{ymd}-{seq:04}")
                    );
                    assert_eq!(reorder_id(a, d, seq), format!("RO-{a:05}-{ymd}-{seq:05}"));
                    assert_eq!(payment_id("X", seq), format!("PAY-X-{seq}"));
                }
                assert_eq!(
                    beacon_id(a, crate::sensors::Zone::Grocery),
                    format!("BCN-{a:05}-GROCERY")
                );
            }
        }
    }

    #[test]
    fn wide_values_print_in_full() {
        let d = Date::from_ymd(2024, 3, 6).unwrap();
        assert_eq!(
            sale_receipt_id(123_456, d, 1_234_567),
            "RCP-123456-20240306-1234567"
        );
        assert_eq!(ble_id(36i64.pow(6)), "BLE1000000");
    }
}
