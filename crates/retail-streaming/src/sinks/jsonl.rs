use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use tokio::fs::File;
use tokio::io::{AsyncWriteExt, BufWriter};

use crate::error::SinkError;
use crate::event::SequencedEvent;
use crate::metrics::{ErrorStage, SinkMetrics};
use crate::sink::{AckTracker, HealthReport, Sink};

/// Writes JSON lines to `PATH`, rotating to `STEM.1.EXT`, `STEM.2.EXT`, … when a file would
/// grow past `max_bytes`. A line is never split; a single line longer than `max_bytes` gets a
/// file of its own. Existing files are truncated. Events count as acknowledged once in the
/// file's buffer; `flush` and rotation make them durable (`sync_data`).
#[derive(Debug)]
pub struct JsonlSink {
    base: PathBuf,
    max_bytes: Option<u64>,
    current: Option<OpenSegment>,
    next_segment: u32,
    metrics: Arc<SinkMetrics>,
    acks: AckTracker,
    written_paths: Vec<PathBuf>,
}

#[derive(Debug)]
struct OpenSegment {
    path: PathBuf,
    writer: BufWriter<File>,
    bytes: u64,
}

impl JsonlSink {
    /// A sink writing to `base`, rotating at `max_bytes` when given.
    pub fn new(
        base: impl Into<PathBuf>,
        max_bytes: Option<u64>,
        metrics: Arc<SinkMetrics>,
    ) -> Self {
        Self {
            base: base.into(),
            max_bytes,
            current: None,
            next_segment: 0,
            metrics,
            acks: AckTracker::new(),
            written_paths: Vec::new(),
        }
    }

    /// Path of segment `n`: the base path itself for 0, else `STEM.n.EXT`.
    pub fn segment_path(base: &Path, n: u32) -> PathBuf {
        if n == 0 {
            return base.to_path_buf();
        }
        let stem = base
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = match base.extension() {
            Some(ext) => format!("{stem}.{n}.{}", ext.to_string_lossy()),
            None => format!("{stem}.{n}"),
        };
        base.with_file_name(name)
    }

    /// Files opened so far, in order.
    pub fn written_paths(&self) -> &[PathBuf] {
        &self.written_paths
    }

    fn io_error(&self, action: &'static str, path: &Path, error: std::io::Error) -> SinkError {
        self.metrics.record_error(ErrorStage::Sending, "io");
        SinkError::io(action, path, error)
    }

    async fn open_next(&mut self) -> Result<(), SinkError> {
        self.close_current().await?;
        let path = Self::segment_path(&self.base, self.next_segment);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Err(e) = tokio::fs::create_dir_all(parent).await {
                return Err(self.io_error("creating directory", parent, e));
            }
        }
        let file = match File::create(&path).await {
            Ok(file) => file,
            Err(e) => return Err(self.io_error("creating", &path, e)),
        };
        self.next_segment += 1;
        self.written_paths.push(path.clone());
        self.current = Some(OpenSegment {
            path,
            writer: BufWriter::with_capacity(256 * 1024, file),
            bytes: 0,
        });
        Ok(())
    }

    async fn close_current(&mut self) -> Result<(), SinkError> {
        if let Some(mut segment) = self.current.take() {
            let result = async {
                segment.writer.flush().await?;
                segment.writer.get_ref().sync_data().await
            }
            .await;
            if let Err(e) = result {
                return Err(self.io_error("closing", &segment.path, e));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Sink for JsonlSink {
    fn name(&self) -> &'static str {
        "jsonl"
    }

    fn metrics(&self) -> Arc<SinkMetrics> {
        Arc::clone(&self.metrics)
    }

    async fn healthcheck(&mut self) -> Result<HealthReport, SinkError> {
        if self.current.is_none() {
            self.open_next().await?;
        }
        Ok(HealthReport {
            sink: "jsonl",
            destination: self.base.display().to_string(),
            partition_ids: Vec::new(),
        })
    }

    async fn submit(&mut self, event: SequencedEvent) -> Result<(), SinkError> {
        let line_bytes = event.event.body.len() as u64 + 1;
        let must_rotate = match (&self.current, self.max_bytes) {
            (None, _) => true,
            (Some(segment), Some(max)) => segment.bytes > 0 && segment.bytes + line_bytes > max,
            (Some(_), None) => false,
        };
        if must_rotate {
            self.open_next().await?;
        }
        let Some(segment) = self.current.as_mut() else {
            return Err(SinkError::Stopped("no open file".into()));
        };
        let result = async {
            segment.writer.write_all(&event.event.body).await?;
            segment.writer.write_all(b"\n").await
        }
        .await;
        if let Err(e) = result {
            let path = segment.path.clone();
            return Err(self.io_error("writing", &path, e));
        }
        segment.bytes += line_bytes;
        let e = &event.event;
        self.metrics
            .record_sent([(e.event_type.as_str(), e.body.len(), e.event_ts_micros)]);
        self.acks.resolve(event.index);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        if let Some(segment) = self.current.as_mut() {
            let result = async {
                segment.writer.flush().await?;
                segment.writer.get_ref().sync_data().await
            }
            .await;
            if let Err(e) = result {
                let path = segment.path.clone();
                return Err(self.io_error("flushing", &path, e));
            }
        }
        Ok(())
    }

    async fn close(mut self: Box<Self>) -> Result<(), SinkError> {
        self.close_current().await
    }

    fn acknowledged_through(&self) -> Option<u64> {
        self.acks.acknowledged_through()
    }
}
