//! A sink of your own: implement `retail_streaming::Sink` and the producer feeds it exactly as
//! it feeds the built-in ones (bounded channel, backpressure, acknowledgements, metrics). This
//! one counts the events of the `small` profile's first day by type.
//!
//! ```sh
//! cargo run --example custom_sink
//! ```

use std::collections::BTreeMap;
use std::error::Error;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use retail_rti::config::{Config, Profile};
use retail_rti::facts::{FactsContext, Generator};
use retail_rti::master::{Dictionaries, MasterData};
use retail_rti::streaming::{
    HealthReport, PipelineOptions, ProduceOptions, SequencedEvent, Sink, SinkError, SinkMetrics,
    events_of_day, produce, spawn_sink,
};

/// Counts events by `event_type`; every event is acknowledged as soon as it is counted.
pub struct CountingSink {
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
    metrics: Arc<SinkMetrics>,
    acknowledged: Option<u64>,
}

impl CountingSink {
    /// A sink counting into `counts` (shared, so the caller can read them after the run).
    pub fn new(counts: Arc<Mutex<BTreeMap<String, u64>>>) -> Self {
        Self {
            counts,
            metrics: Arc::new(SinkMetrics::new()),
            acknowledged: None,
        }
    }
}

#[async_trait]
impl Sink for CountingSink {
    fn name(&self) -> &'static str {
        "counting"
    }

    fn metrics(&self) -> Arc<SinkMetrics> {
        Arc::clone(&self.metrics)
    }

    async fn healthcheck(&mut self) -> Result<HealthReport, SinkError> {
        Ok(HealthReport {
            sink: "counting",
            destination: "a map of counters in memory".into(),
            partition_ids: Vec::new(),
        })
    }

    async fn submit(&mut self, event: SequencedEvent) -> Result<(), SinkError> {
        let e = &event.event;
        let mut counts = self
            .counts
            .lock()
            .map_err(|_| SinkError::Stopped("the counters were poisoned".into()))?;
        *counts.entry(e.event_type.clone()).or_default() += 1;
        self.metrics
            .record_sent([(e.event_type.as_str(), e.body.len(), e.event_ts_micros)]);
        // The run loop hands events over in index order, so the last one counted is the
        // highest contiguous acknowledged index.
        self.acknowledged = Some(event.index);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    async fn close(self: Box<Self>) -> Result<(), SinkError> {
        Ok(())
    }

    fn acknowledged_through(&self) -> Option<u64> {
        self.acknowledged
    }
}

/// What one run through the counting sink produced.
#[derive(Debug)]
pub struct CountReport {
    /// Events per `event_type`.
    pub counts: BTreeMap<String, u64>,
    /// Events the producer handed to the sink.
    pub events_sent: u64,
    /// Rows of `fact_receipts` generated that day (each is one `receipt_created` event).
    pub receipts_generated: usize,
}

/// Generates the first day of `config` and streams its events through a [`CountingSink`].
pub async fn count_first_day(config: Config) -> Result<CountReport, Box<dyn Error>> {
    let seed = config.seed;
    let master = Arc::new(MasterData::generate(&config, &Dictionaries::bundled()?)?);
    let generator = Generator::new(FactsContext::new(Arc::clone(&master), Arc::new(config)))?;
    let mut state = generator.initial_state()?;
    let day = generator.context().dataset_start;
    let batch = generator.run_day(&mut state, day)?;
    let events = events_of_day(&batch, &master)?;

    let counts = Arc::new(Mutex::new(BTreeMap::new()));
    let mut sink = CountingSink::new(Arc::clone(&counts));
    sink.healthcheck().await?;
    let (sender, run) = spawn_sink(Box::new(sink), PipelineOptions::default());
    // The producer takes whole days from a channel; a generator thread could keep filling it.
    let (days, day_source) = tokio::sync::mpsc::channel(1);
    days.send(events).await?;
    drop(days);
    let options = ProduceOptions {
        file_timestamps: true,
        ..ProduceOptions::new(seed)
    };
    let summary = produce(day_source, &sender, &options).await?;
    drop(sender);
    run.finish().await?;
    let counts = counts
        .lock()
        .map_err(|_| "the counters were poisoned")?
        .clone();
    Ok(CountReport {
        counts,
        events_sent: summary.events_sent,
        receipts_generated: batch.fact_receipts.len(),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let report = count_first_day(Profile::Small.config()).await?;
    println!("{} events through the counting sink:", report.events_sent);
    for (event_type, count) in &report.counts {
        println!("  {event_type:<28} {count:>8}");
    }
    Ok(())
}
