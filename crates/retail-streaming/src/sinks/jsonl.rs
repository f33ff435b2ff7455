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
/// file of its own. Existing files are truncated, unless [`JsonlSink::appending`] is set (a
/// resumed stream): then writing continues at the end of the last existing segment. Events
/// count as acknowledged once their bytes have left the process's buffer for the operating
/// system (they survive a kill of the process); `flush` and rotation make them durable
/// (`sync_data`).
#[derive(Debug)]
pub struct JsonlSink {
    base: PathBuf,
    max_bytes: Option<u64>,
    current: Option<OpenSegment>,
    next_segment: u32,
    metrics: Arc<SinkMetrics>,
    acks: AckTracker,
    written_paths: Vec<PathBuf>,
    append: bool,
    /// Written events still (partly) in the process buffer: (index, end offset in the
    /// segment, event type, body bytes, event_ts).
    unacknowledged: std::collections::VecDeque<(u64, u64, String, usize, i64)>,
}

#[derive(Debug)]
struct OpenSegment {
    path: PathBuf,
    writer: BufWriter<File>,
    bytes: u64,
}

/// A run killed while writing can leave the file ending in part of a line. That event was
/// never acknowledged (acknowledgements cover whole lines handed to the operating system), so a
/// resumed run sends it again: cut the file back to its last complete line before appending,
/// or the resumed run's first line would be glued to the fragment.
fn drop_torn_tail(path: &Path) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut end = len;
    let mut keep = 0;
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let n = (end - start) as usize;
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut chunk[..n])?;
        if let Some(i) = chunk[..n].iter().rposition(|b| *b == b'\n') {
            keep = start + i as u64 + 1;
            break;
        }
        end = start;
    }
    if keep < len {
        tracing::warn!(
            path = %path.display(),
            bytes = len - keep,
            "removing the incomplete last line an interrupted run left"
        );
        file.set_len(keep)?;
        file.sync_data()?;
    }
    Ok(())
}

impl OpenSegment {
    /// Bytes of this segment already handed to the operating system.
    fn bytes_out_of_process(&self) -> u64 {
        self.bytes - self.writer.buffer().len() as u64
    }
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
            append: false,
            unacknowledged: Default::default(),
        }
    }

    /// Continue existing files instead of truncating them: the first file opened is the last
    /// existing segment, opened for appending; rotation goes on from its number.
    pub fn appending(mut self, append: bool) -> Self {
        self.append = append;
        self
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
        let first_append = self.append && self.written_paths.is_empty();
        if first_append {
            while tokio::fs::try_exists(Self::segment_path(&self.base, self.next_segment + 1))
                .await
                .unwrap_or(false)
            {
                self.next_segment += 1;
            }
        }
        let path = Self::segment_path(&self.base, self.next_segment);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Err(e) = tokio::fs::create_dir_all(parent).await {
                return Err(self.io_error("creating directory", parent, e));
            }
        }
        if first_append {
            if let Err(e) = drop_torn_tail(&path) {
                return Err(self.io_error("repairing", &path, e));
            }
        }
        let opened = if first_append {
            tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .await
        } else {
            File::create(&path).await
        };
        let file = match opened {
            Ok(file) => file,
            Err(e) => return Err(self.io_error("creating", &path, e)),
        };
        let existing = match file.metadata().await {
            Ok(m) if first_append => m.len(),
            Ok(_) => 0,
            Err(e) => return Err(self.io_error("creating", &path, e)),
        };
        self.next_segment += 1;
        self.written_paths.push(path.clone());
        self.current = Some(OpenSegment {
            path,
            writer: BufWriter::with_capacity(256 * 1024, file),
            bytes: existing,
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
        self.acknowledge_through(u64::MAX);
        Ok(())
    }

    /// Acknowledges the written events whose last byte is at or before `offset` of the
    /// current segment.
    fn acknowledge_through(&mut self, offset: u64) {
        let mut done = Vec::new();
        while let Some((_, end, _, _, _)) = self.unacknowledged.front() {
            if *end > offset {
                break;
            }
            if let Some(event) = self.unacknowledged.pop_front() {
                done.push(event);
            }
        }
        if done.is_empty() {
            return;
        }
        self.metrics
            .record_sent(done.iter().map(|(_, _, t, n, ts)| (t.as_str(), *n, *ts)));
        for (index, ..) in &done {
            self.acks.resolve(*index);
        }
    }

    fn acknowledge_written(&mut self) {
        if let Some(offset) = self.current.as_ref().map(OpenSegment::bytes_out_of_process) {
            self.acknowledge_through(offset);
        }
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
        let e = event.event;
        self.acks.observe(event.index);
        self.unacknowledged.push_back((
            event.index,
            segment.bytes,
            e.event_type,
            e.body.len(),
            e.event_ts_micros,
        ));
        self.acknowledge_written();
        Ok(())
    }

    async fn idle(&mut self) -> Result<(), SinkError> {
        // Nothing is waiting: hand the buffer to the operating system so that a slow stream's
        // events are acknowledged (and resumable) promptly.
        if let Some(segment) = self.current.as_mut() {
            if !segment.writer.buffer().is_empty() {
                if let Err(e) = segment.writer.flush().await {
                    let path = segment.path.clone();
                    return Err(self.io_error("writing", &path, e));
                }
            }
        }
        self.acknowledge_written();
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
        self.acknowledge_through(u64::MAX);
        Ok(())
    }

    async fn close(mut self: Box<Self>) -> Result<(), SinkError> {
        self.close_current().await
    }

    fn acknowledged_through(&self) -> Option<u64> {
        self.acks.acknowledged_through()
    }
}
