//! The real thing: the `small` profile's first day as events to Azure Event Hubs, through the
//! same sink `retail stream --sink eventhubs` uses (batching per partition key, retries with
//! backoff, dead-letter file, checkpoints).
//!
//! The connection string comes from the environment, never from a file or an argument (see
//! docs/eventhubs.md for creating the hub and a send-only key):
//!
//! ```sh
//! export AZURE_EVENTHUB_CONNECTION_STRING='Endpoint=sb://NAMESPACE.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=retail-events'
//! cargo run --example stream_to_eventhubs -- 1000     # at most 1000 events (default)
//! ```
//!
//! CI compiles this example but does not run it (it needs an Azure namespace).

use std::error::Error;
use std::process::ExitCode;
use std::sync::Arc;

use retail_rti::config::Profile;
use retail_rti::facts::{FactsContext, Generator};
use retail_rti::master::{Dictionaries, MasterData};
use retail_rti::streaming::eventhubs::DEFAULT_CONNECTION_STRING_ENV;
use retail_rti::streaming::{
    PipelineOptions, ProduceOptions, SinkConfig, SinkMetrics, events_of_day, produce, spawn_sink,
};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let max_events: u64 = match std::env::args().nth(1) {
        Some(text) => text
            .parse()
            .map_err(|_| format!("the event limit must be a positive integer, not `{text}`"))?,
        None => 1000,
    };
    if std::env::var_os(DEFAULT_CONNECTION_STRING_ENV).is_none() {
        return Err(format!(
            "{DEFAULT_CONNECTION_STRING_ENV} is not set: export the connection string of a \
             send-only policy of your event hub (docs/eventhubs.md) and run again"
        )
        .into());
    }
    // `eventhubs` reads the connection string from AZURE_EVENTHUB_CONNECTION_STRING; options
    // such as `eventhubs?hub=NAME&connection_string_env=VAR` change that.
    let sink_config: SinkConfig = "eventhubs".parse()?;
    let metrics = Arc::new(SinkMetrics::new());
    let mut sink = sink_config.build(Arc::clone(&metrics))?;
    let health = sink.healthcheck().await?;
    println!(
        "connected to {} ({} partitions)",
        health.destination,
        health.partition_ids.len()
    );

    let config = Profile::Small.config();
    let seed = config.seed;
    let master = Arc::new(MasterData::generate(&config, &Dictionaries::bundled()?)?);
    let generator = Generator::new(FactsContext::new(Arc::clone(&master), Arc::new(config)))?;
    let mut state = generator.initial_state()?;
    let batch = generator.run_day(&mut state, generator.context().dataset_start)?;
    let events = events_of_day(&batch, &master)?;

    let (sender, run) = spawn_sink(sink, PipelineOptions::default());
    let (days, day_source) = tokio::sync::mpsc::channel(1);
    days.send(events).await?;
    drop(days);
    let options = ProduceOptions {
        max_events: Some(max_events),
        ..ProduceOptions::new(seed)
    };
    let summary = produce(day_source, &sender, &options).await?;
    drop(sender);
    let run = run.finish().await?;
    let sent = metrics.snapshot().events_sent_all_types();
    println!(
        "sent {} events ({} acknowledged by Event Hubs, last index {:?})",
        summary.events_sent, sent, run.acknowledged_through
    );
    Ok(())
}
