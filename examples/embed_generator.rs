//! The generator embedded in a program: the typed receipts of one store on one day, exactly as
//! `retail generate` would store them, without DuckDB or files.
//!
//! ```sh
//! cargo run --example embed_generator                   # first store, first day of `small`
//! cargo run --example embed_generator -- 3 2024-11-21   # store 3 on the second day
//! ```

use std::error::Error;
use std::process::ExitCode;
use std::sync::Arc;

use retail_rti::config::{Config, Profile};
use retail_rti::facts::{FactsContext, Generator};
use retail_rti::master::{Dictionaries, MasterData};
use retail_rti::schemas::tables::FactReceipt;
use retail_rti::schemas::{Date, Money};

/// The receipts of `store_id` on `date` (every store trades every day from the dataset start
/// up to `date`, so stock, deliveries and returns carry over as in the full dataset).
pub fn receipts_of_store_day(
    config: Config,
    store_id: i64,
    date: Date,
) -> Result<impl Iterator<Item = FactReceipt>, Box<dyn Error>> {
    let master = MasterData::generate(&config, &Dictionaries::bundled()?)?;
    if !master.stores.iter().any(|s| s.store_id == store_id) {
        return Err(format!(
            "store {store_id} does not exist: this configuration has stores 1..={}",
            master.stores.len()
        )
        .into());
    }
    let start = config.start_date();
    if date < start {
        return Err(format!("{date} is before the dataset start {start}").into());
    }
    let generator = Generator::new(FactsContext::new(Arc::new(master), Arc::new(config)))?;
    let mut state = generator.initial_state()?;
    let mut last_day = Default::default();
    for day in generator.run_days(&mut state, start, date) {
        last_day = day?.1;
    }
    let retail_rti::facts::FactBatch { fact_receipts, .. } = last_day;
    Ok(fact_receipts
        .into_iter()
        .filter(move |r| r.store_id == store_id))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let config = Profile::Small.config();
    let mut args = std::env::args().skip(1);
    let store_id: i64 = match args.next() {
        Some(text) => text
            .parse()
            .map_err(|_| format!("the store id must be an integer, not `{text}`"))?,
        None => 1,
    };
    let date = match args.next() {
        Some(text) => {
            Date::parse(&text).ok_or_else(|| format!("bad date `{text}`: expected YYYY-MM-DD"))?
        }
        None => config.start_date(),
    };
    let mut sales = 0u32;
    let mut returns = 0u32;
    let mut revenue_cents = 0i64;
    for (i, receipt) in receipts_of_store_day(config, store_id, date)?.enumerate() {
        if i < 5 {
            println!(
                "{}  {}  {:<6} {:>3} items  total {:>9}  {}",
                receipt.receipt_id,
                receipt.event_ts,
                receipt.receipt_type,
                receipt.item_count,
                receipt.total.to_string(),
                receipt.tender_type
            );
        }
        match receipt.receipt_type.as_str() {
            "SALE" => sales += 1,
            _ => returns += 1,
        }
        revenue_cents += receipt.total.0;
    }
    println!(
        "store {store_id} on {date}: {sales} sales, {returns} returns, net total {}",
        Money(revenue_cents)
    );
    Ok(())
}
