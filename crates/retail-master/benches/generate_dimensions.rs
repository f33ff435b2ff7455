//! Times the generation of the `default` profile's dimensions (403 000 customers, 10 000
//! products, 86 stores, 20 DCs, dim_date): `cargo bench -p retail-master`.
//!
//! Prints the minimum and median wall time of each stage over a few runs, and the thread count
//! (customers are generated in parallel; the rows never depend on it).

use std::time::{Duration, Instant};

use retail_config::Config;
use retail_master::{
    Cumulative, CustomerLayout, Dictionaries, MasterData, dim_date_rows, generate_geographies,
    generate_products, two_nearest_stores,
};
use retail_schemas::Date;

fn default_config() -> Config {
    let mut c: Config =
        serde_json::from_str(include_str!("../tests/fixtures/small_config.json")).unwrap();
    c.profile = "default".into();
    c.dates.start_date = "2024-03-01".into();
    c.dates.end_date = "2024-03-31".into();
    let v = &mut c.volume;
    v.total_geographies = 20;
    v.dcs = 20;
    v.stores = 86;
    v.total_customers = 403_000;
    v.total_products = 10_000;
    v.refrigerated_trucks = 8;
    v.non_refrigerated_trucks = 12;
    v.supplier_refrigerated_trucks = 12;
    v.supplier_non_refrigerated_trucks = 18;
    v.truck_dc_assignment_rate = 0.85;
    c
}

fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) -> T {
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed());
        last = Some(out);
    }
    times.sort();
    println!(
        "{label:<44} min {:>9.1} ms   median {:>9.1} ms   ({runs} runs)",
        times[0].as_secs_f64() * 1e3,
        times[runs / 2].as_secs_f64() * 1e3
    );
    last.unwrap()
}

fn main() {
    let runs = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let config = default_config();
    println!(
        "retail-master dimensions, default profile, {} rayon threads",
        rayon::current_num_threads()
    );
    let dicts = time("Dictionaries::bundled (parse + validate)", runs, || {
        Dictionaries::bundled().unwrap()
    });
    let master = time("MasterData::generate (all 7 dimensions)", runs, || {
        MasterData::generate(&config, &dicts).unwrap()
    });
    let geos = generate_geographies(config.seed, &dicts, 20).unwrap();
    let nearest: Vec<(i64, Option<i64>)> = geos
        .rows
        .iter()
        .map(|g| two_nearest_stores(g.latitude, g.longitude, &master.stores).unwrap())
        .collect();
    let layout = CustomerLayout {
        seed: config.seed,
        dicts: &dicts,
        geographies: &geos.rows,
        geography_weights: Cumulative::new(&geos.weights),
        nearest_stores: &nearest,
    };
    let customers = time("  customers (403 000, parallel)", runs, || {
        layout.customers(403_000)
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    time("  customers (403 000, one thread)", runs, || {
        pool.install(|| layout.customers(403_000))
    });
    time("  floor: 403 000 customer streams, 16 draws", runs, || {
        pool.install(|| {
            (1..=403_000i64)
                .map(|id| {
                    let mut s = retail_rng::Stream::new(config.seed, "customer", &[id]);
                    (0..16).fold(0u64, |acc, _| acc ^ s.next_u64())
                })
                .fold(0u64, |a, b| a ^ b)
        })
    });
    let start = Date::parse(&config.dates.start_date).unwrap();
    let products = time("  products (10 000)", runs, || {
        generate_products(config.seed, &dicts, 10_000, start).unwrap()
    });
    time("  dim_date (36 525 rows)", runs, || {
        dim_date_rows(&config.calendar.closed_holidays).unwrap()
    });
    assert_eq!(customers.len(), 403_000);
    assert_eq!(products.rows.len(), 10_000);
    assert_eq!(master.customers, customers);
    println!(
        "rows: {} geographies, {} DCs, {} stores, {} trucks, {} customers, {} products, {} dates",
        master.geographies.len(),
        master.distribution_centers.len(),
        master.stores.len(),
        master.trucks.len(),
        master.customers.len(),
        master.products.len(),
        master.dates.len()
    );
}
