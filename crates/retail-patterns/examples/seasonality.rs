//! Prints the expected yearly shape of demand of the default profile's typical store, from the
//! pure models (no random draws): monthly shares of in-store receipts, online orders and
//! returns, quarter and weekday shares, the busiest days and the holiday peaks
//! (docs/realism.md).
//!
//! `cargo run -p retail-patterns --example seasonality [FIRST_YEAR [LAST_YEAR]]`

use retail_patterns::calendar::{self, HolidayKey};
use retail_patterns::returns::ReturnParams;
use retail_patterns::seasonality::{DemandYear, TypicalStore};
use retail_schemas::Date;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn pct(x: f64) -> String {
    format!("{:5.2}", 100.0 * x)
}

fn row(label: &str, shares: &[f64]) {
    let cells: Vec<String> = shares.iter().map(|s| pct(*s)).collect();
    println!("| {label} | {} |", cells.join(" | "));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<i32> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let first = args.first().copied().unwrap_or(2024);
    let last = args.get(1).copied().unwrap_or(first + 3);
    let store = TypicalStore::default_profile();

    println!("## In-store receipts: share of the year per month (%)\n");
    println!("| year | {} | Nov+Dec | Q4 |", MONTHS.join(" | "));
    println!("|---{}|---|---|", "|---".repeat(12));
    let mut years = Vec::new();
    for year in first..=last {
        let y = DemandYear::in_store(&store, year)?;
        let s = y.monthly_shares();
        let cells: Vec<String> = s.iter().map(|x| pct(*x)).collect();
        println!(
            "| {year} | {} | {} | {} |",
            cells.join(" | "),
            pct(s[10] + s[11]),
            pct(y.quarter_share(4))
        );
        years.push(y);
    }

    println!("\n## In-store receipts per day relative to the year's mean day\n");
    println!("| year | {} |", MONTHS.join(" | "));
    println!("|---{}|", "|---".repeat(12));
    for y in &years {
        let mean = y.total() / y.days().count() as f64;
        let mut sums = [0.0; 12];
        let mut counts = [0.0; 12];
        for (date, v) in y.days() {
            let m = chrono::Datelike::month0(&date.to_naive()) as usize;
            sums[m] += v;
            counts[m] += 1.0;
        }
        let cells: Vec<String> = (0..12)
            .map(|m| format!("{:.2}", sums[m] / counts[m] / mean))
            .collect();
        println!("| {} | {} |", y.year(), cells.join(" | "));
    }

    println!("\n## Online orders (network): share of the year per month (%)\n");
    println!("| year | {} | Nov+Dec | Q4 |", MONTHS.join(" | "));
    println!("|---{}|---|---|", "|---".repeat(12));
    for year in first..=last {
        let y = DemandYear::online(653.0, year)?;
        let s = y.monthly_shares();
        let cells: Vec<String> = s.iter().map(|x| pct(*x)).collect();
        println!(
            "| {year} | {} | {} | {} |",
            cells.join(" | "),
            pct(s[10] + s[11]),
            pct(y.quarter_share(4))
        );
    }

    println!("\n## Day of week (share of the year's receipts, %)\n");
    println!("| year | {} |", WEEKDAYS.join(" | "));
    println!("|---{}|", "|---".repeat(7));
    for y in &years {
        row(&y.year().to_string(), &y.day_of_week_shares());
    }

    println!("\n## Busiest days and holiday peaks (expected receipts of the typical store)\n");
    for y in &years {
        let year = y.year();
        let top: Vec<String> = y
            .top_days(8)
            .iter()
            .map(|(d, v)| format!("{} {:.0}", d.to_naive().format("%b %d %a"), v))
            .collect();
        println!("* {year} top days: {}", top.join(", "));
        let mean = y.total() / y.days().count() as f64;
        let peak = |label: &str, date: Date| {
            let v = y.day(date).unwrap_or(0.0);
            format!(
                "{label} {} = {:.0} ({:.2}× mean day, rank {})",
                date.to_naive().format("%b %d %a"),
                v,
                v / mean,
                y.rank_of(date).unwrap_or(0)
            )
        };
        let easter = HolidayKey::HolySaturday.date(year);
        let xmas_eve_eve = Date::from_ymd(year, 12, 23).ok_or("date")?;
        let bts = HolidayKey::BackToSchool.date(year);
        let christmas = HolidayKey::ChristmasDay.date(year);
        println!(
            "  {}; {}; {}; {}; {}",
            peak("Black Friday", HolidayKey::BlackFriday.date(year)),
            peak("Dec 23", xmas_eve_eve),
            peak("pre-Easter Saturday", easter),
            peak("Back to School", bts),
            peak("Christmas Day", christmas),
        );
        let bf = HolidayKey::BlackFriday.date(year);
        let ordinary = (1..=3)
            .map(|w| bf.plus_days(-7 * w))
            .find(|d| calendar::in_store_multiplier(*d) == 1.0)
            .ok_or("no ordinary Friday")?;
        println!(
            "  Black Friday / ordinary Friday {}: {:.2}",
            ordinary.to_naive().format("%b %d"),
            y.day(bf).unwrap_or(0.0) / y.day(ordinary).unwrap_or(1.0)
        );
    }

    println!("\n## Returns (RETURN receipts of the typical store, expected per day)\n");
    let params = ReturnParams::default();
    for year in first..=last {
        let r = DemandYear::returns(&store, &params, year)?;
        let mean = r.total() / r.days().count() as f64;
        let top: Vec<String> = r
            .top_days(5)
            .iter()
            .map(|(d, v)| format!("{} {:.2}", d.to_naive().format("%b %d"), v))
            .collect();
        let s = r.monthly_shares();
        println!(
            "* {year}: mean {:.2}/day; top {}; Dec {} %, Jan {} %",
            mean,
            top.join(", "),
            pct(s[11]),
            pct(s[0])
        );
    }
    Ok(())
}
