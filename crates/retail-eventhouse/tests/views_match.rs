//! Every incrementally maintained view equals the from-scratch query over the typed tables,
//! whatever the micro-batch boundaries and with producer retries in between.

use retail_eventhouse::views::VIEWS;
use retail_eventhouse::{Eventhouse, EventhouseOptions, scenario, wall_clock_micros};
use retail_schemas::Ts;

fn count(house: &Eventhouse, sql: &str) -> i64 {
    house
        .connection()
        .query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn assert_views_match(house: &Eventhouse) {
    for view in VIEWS {
        let columns = view.columns().join(", ");
        let stored = format!("SELECT {columns} FROM {}", view.name);
        let scratch = view.from_scratch_sql();
        let differences = count(
            house,
            &format!(
                "SELECT count(*) FROM ((({stored}) EXCEPT ALL ({scratch})) UNION ALL (({scratch}) EXCEPT ALL ({stored})))"
            ),
        );
        assert_eq!(differences, 0, "{} differs from its definition", view.name);
        let rows = count(house, &format!("SELECT count(*) FROM {}", view.name));
        assert!(rows > 0, "{} is empty: the test proves nothing", view.name);
    }
}

#[test]
fn incremental_views_equal_the_from_scratch_queries() {
    let mut house = Eventhouse::open_in_memory(EventhouseOptions::default()).unwrap();
    let start = Ts::parse_rfc3339("2024-03-06T13:52:00Z").unwrap();
    let now = Ts(wall_clock_micros());
    let events: Vec<_> = scenario::mixed_payloads(start, 1_700_000, 3_000)
        .into_iter()
        .map(|p| scenario::envelope(p, now))
        .collect();
    // Uneven batches, each followed by a retry of part of it.
    let mut offset = 0;
    let mut size = 1;
    let mut duplicates = 0;
    while offset < events.len() {
        let end = (offset + size).min(events.len());
        let outcome = house.ingest(&events[offset..end]).unwrap();
        assert_eq!(outcome.duplicates, 0);
        let retry = &events[offset + (end - offset) / 2..end];
        duplicates += house.ingest(retry).unwrap().duplicates;
        offset = end;
        size = size * 3 % 701 + 1;
    }
    assert!(duplicates > 0);
    let stored: i64 = retail_schemas::EventType::all()
        .into_iter()
        .map(|t| count(&house, &format!("SELECT count(*) FROM {}", t.name())))
        .sum();
    assert_eq!(stored as usize, house.events_stored());
    assert_views_match(&house);

    // The same events in one batch into a fresh database give identical view tables.
    let mut once = Eventhouse::open_in_memory(EventhouseOptions::default()).unwrap();
    once.ingest(&events).unwrap();
    for view in VIEWS {
        let columns = view.columns().join(", ");
        let rows = |h: &Eventhouse| -> Vec<String> {
            let mut stmt = h
                .connection()
                .prepare(&format!(
                    "SELECT CAST(ROW({columns}) AS VARCHAR) AS r FROM {} ORDER BY r",
                    view.name
                ))
                .unwrap();
            stmt.query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(rows(&house), rows(&once), "{}", view.name);
    }
}

#[test]
fn online_order_lines_are_stored_as_a_list_of_structs() {
    let mut house = Eventhouse::open_in_memory(EventhouseOptions::default()).unwrap();
    let t = Ts::parse_rfc3339("2024-03-06T14:00:00Z").unwrap();
    let now = Ts(wall_clock_micros());
    house
        .ingest(&[
            scenario::envelope(scenario::online_order("ORD-1", t, "BOPIS", 3), now),
            scenario::envelope(scenario::online_order("ORD-2", t, "SHIP_TO_HOME", 1), now),
        ])
        .unwrap();
    let (lines, last_product, mode_orders): (i64, i64, i64) = house
        .connection()
        .query_row(
            "SELECT sum(len(lines)), max(lines[len(lines)].product_id), \
             (SELECT orders FROM mv_online_orders_15m WHERE fulfillment_mode = 'BOPIS') FROM online_order_created",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((lines, last_product, mode_orders), (4, 503, 1));
}
