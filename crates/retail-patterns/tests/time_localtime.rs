//! Store-local time: DST-safe conversions, hour slots and quarter hours (§7.2, §7.13, §8.1).

use retail_patterns::PatternsError;
use retail_patterns::localtime::{self, HourSlot, parse_tz};
use retail_schemas::{Date, Ts};

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn ts(text: &str) -> Ts {
    Ts::parse_rfc3339(text).unwrap()
}

/// Slots must tile [open, close) without gap or overlap.
fn assert_tiles(slots: &[HourSlot], open: Ts, close: Ts) {
    assert_eq!(slots.first().unwrap().start, open);
    assert_eq!(slots.last().unwrap().end, close);
    for pair in slots.windows(2) {
        assert_eq!(pair[0].end, pair[1].start);
    }
    for s in slots {
        assert!(s.start < s.end);
    }
}

#[test]
fn unknown_zone_is_a_clear_error() {
    assert_eq!(
        parse_tz("Mars/Olympus"),
        Err(PatternsError::UnknownTimeZone("Mars/Olympus".into()))
    );
}

#[test]
fn local_to_utc_handles_midnight_24h_and_fall_back() {
    let ny = parse_tz("America/New_York").unwrap();
    assert_eq!(
        localtime::local_to_utc(ny, d(2024, 3, 6), 8 * 60).unwrap(),
        ts("2024-03-06T13:00:00Z")
    );
    // 24:00 is 00:00 of the next day.
    assert_eq!(
        localtime::local_to_utc(ny, d(2024, 3, 6), 1440).unwrap(),
        localtime::local_to_utc(ny, d(2024, 3, 7), 0).unwrap()
    );
    // 01:30 happens twice on 2024-11-03: the earlier offset (EDT, −4) wins.
    assert_eq!(
        localtime::local_to_utc(ny, d(2024, 11, 3), 90).unwrap(),
        ts("2024-11-03T05:30:00Z")
    );
    // 02:30 does not exist on 2024-03-10: read with EST it lands at 03:30 EDT.
    assert_eq!(
        localtime::local_to_utc(ny, d(2024, 3, 10), 150).unwrap(),
        ts("2024-03-10T07:30:00Z")
    );
    assert!(matches!(
        localtime::local_to_utc(ny, d(2024, 3, 6), 1441),
        Err(PatternsError::InvalidParameter { .. })
    ));
}

#[test]
fn local_date_and_hour_of_an_instant() {
    let ny = parse_tz("America/New_York").unwrap();
    let phx = parse_tz("America/Phoenix").unwrap();
    let t = ts("2024-07-01T03:30:00Z");
    assert_eq!(localtime::local_date_of(ny, t), d(2024, 6, 30));
    assert_eq!(localtime::local_hour_of(ny, t), 23);
    assert_eq!(localtime::local_date_of(phx, t), d(2024, 6, 30));
    assert_eq!(localtime::local_hour_of(phx, t), 20);
    let (start, end) = localtime::local_day_bounds(ny, d(2024, 11, 3));
    assert_eq!(end.0 - start.0, 25 * Ts::MICROS_PER_HOUR);
}

#[test]
fn around_the_clock_slots_on_dst_days_in_new_york() {
    let ny = parse_tz("America/New_York").unwrap();
    for (date, expected) in [
        (d(2024, 3, 9), 24),
        (d(2024, 3, 10), 23),
        (d(2024, 3, 11), 24),
        (d(2024, 11, 2), 24),
        (d(2024, 11, 3), 25),
        (d(2024, 11, 4), 24),
    ] {
        let slots = localtime::hour_slots(ny, date, 0, 1440).unwrap();
        assert_eq!(slots.len(), expected, "{date}");
        let (open, close) = localtime::local_day_bounds(ny, date);
        assert_tiles(&slots, open, close);
        assert!(slots.iter().all(|s| s.micros() == Ts::MICROS_PER_HOUR));
    }
    let spring: Vec<u8> = localtime::hour_slots(ny, d(2024, 3, 10), 0, 1440)
        .unwrap()
        .iter()
        .map(|s| s.local_hour)
        .collect();
    let mut expected: Vec<u8> = (0..24).collect();
    expected.retain(|h| *h != 2);
    assert_eq!(spring, expected, "02:00 is skipped, nothing else");

    let fall: Vec<u8> = localtime::hour_slots(ny, d(2024, 11, 3), 0, 1440)
        .unwrap()
        .iter()
        .map(|s| s.local_hour)
        .collect();
    let mut expected: Vec<u8> = (0..24).collect();
    expected.insert(2, 1);
    assert_eq!(fall, expected, "01:00 is repeated as its own slot");
}

#[test]
fn phoenix_has_no_dst_so_always_24_slots() {
    let phx = parse_tz("America/Phoenix").unwrap();
    for date in [d(2024, 3, 10), d(2024, 11, 3), d(2024, 6, 1)] {
        let slots = localtime::hour_slots(phx, date, 0, 1440).unwrap();
        assert_eq!(slots.len(), 24);
        let hours: Vec<u8> = slots.iter().map(|s| s.local_hour).collect();
        assert_eq!(hours, (0..24).collect::<Vec<u8>>());
        // MST is UTC−7 all year.
        assert_eq!(
            slots[0].start,
            Ts(date.0 as i64 * Ts::MICROS_PER_DAY + 7 * Ts::MICROS_PER_HOUR)
        );
    }
}

#[test]
fn regular_store_hours_are_unaffected_by_dst() {
    let ny = parse_tz("America/New_York").unwrap();
    for date in [d(2024, 3, 10), d(2024, 11, 3)] {
        let slots = localtime::hour_slots(ny, date, 6 * 60, 1440).unwrap();
        assert_eq!(slots.len(), 18);
        assert_eq!(slots[0].local_hour, 6);
        assert_eq!(slots[17].local_hour, 23);
        let (open, close) = localtime::trading_bounds(ny, date, 360, 1440).unwrap();
        assert_tiles(&slots, open, close);
    }
    // Half-hour opening: partial first slot, weight share 0.5.
    let slots = localtime::hour_slots(ny, d(2024, 3, 6), 8 * 60 + 30, 10 * 60).unwrap();
    assert_eq!(slots.len(), 2);
    assert_eq!(slots[0].local_hour, 8);
    assert_eq!(slots[0].hour_fraction(), 0.5);
    assert_eq!(slots[1].hour_fraction(), 1.0);
    assert!(localtime::hour_slots(ny, d(2024, 3, 6), 600, 600).is_err());
    assert!(localtime::hour_slots(ny, d(2024, 3, 6), 700, 600).is_err());
}

#[test]
fn quarter_hours_are_fully_inside_open_hours() {
    let ny = parse_tz("America/New_York").unwrap();
    let q = localtime::quarter_hours(ny, d(2024, 3, 6), 8 * 60, 22 * 60).unwrap();
    assert_eq!(q.len(), 56);
    assert_eq!(q[0].start, ts("2024-03-06T13:00:00Z"));
    assert_eq!((q[0].local_hour, q[0].local_minute), (8, 0));
    assert_eq!((q[55].local_hour, q[55].local_minute), (21, 45));
    for (i, iv) in q.iter().enumerate() {
        assert_eq!(iv.index as usize, i);
        assert_eq!(iv.end.0 - iv.start.0, 15 * Ts::MICROS_PER_MINUTE);
    }
    // 24/7 on DST days.
    assert_eq!(
        localtime::quarter_hours(ny, d(2024, 3, 10), 0, 1440)
            .unwrap()
            .len(),
        92
    );
    let fall = localtime::quarter_hours(ny, d(2024, 11, 3), 0, 1440).unwrap();
    assert_eq!(fall.len(), 100);
    for pair in fall.windows(2) {
        assert_eq!(pair[0].end, pair[1].start);
    }
    // Opening at 08:10 and closing at 09:50 drop the 08:00 and 09:45 quarters.
    let q = localtime::quarter_hours(ny, d(2024, 3, 6), 8 * 60 + 10, 9 * 60 + 50).unwrap();
    let starts: Vec<(u8, u8)> = q.iter().map(|i| (i.local_hour, i.local_minute)).collect();
    assert_eq!(
        starts,
        [(8, 15), (8, 30), (8, 45), (9, 0), (9, 15), (9, 30)]
    );
}
