//! Prints the sales board of the service's first day.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), consumer_service::ServiceError> {
    let config = consumer_service::service_config(2024)?;
    let board = consumer_service::run_first_day(config).await?;
    for (store_id, sales) in &board.stores {
        println!(
            "store {store_id:>3}: {:>5} receipts, net {:>12.2}",
            sales.receipts,
            sales.net_cents as f64 / 100.0
        );
    }
    println!(
        "{} events of {} types",
        board.events.values().sum::<u64>(),
        board.events.len()
    );
    Ok(())
}
