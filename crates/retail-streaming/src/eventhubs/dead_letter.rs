//! Durable record of events that could not be delivered.

use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use crate::error::SinkError;
use crate::event::SequencedEvent;

/// An append-only JSON-lines file: one line per event with its index, identity, the error
/// (redacted) and the event itself. Each write is flushed and synced before it returns, so a
/// dead-lettered event is never lost when it counts as resolved.
#[derive(Debug)]
pub struct DeadLetterFile {
    path: PathBuf,
    file: Mutex<Option<tokio::fs::File>>,
}

impl DeadLetterFile {
    /// A dead-letter file at `path`, created (with its directory) on the first write.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            file: Mutex::new(None),
        }
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `events` with the reason they failed.
    pub async fn write(
        &self,
        events: &[SequencedEvent],
        error_kind: &str,
        error_message: &str,
    ) -> Result<(), SinkError> {
        let mut text = String::new();
        for event in events {
            let e = &event.event;
            let body: serde_json::Value = serde_json::from_slice(&e.body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&e.body).into_owned())
            });
            let line = serde_json::json!({
                "index": event.index,
                "trace_id": e.trace_id,
                "event_type": e.event_type,
                "partition_key": e.partition_key,
                "error_kind": error_kind,
                "error": crate::redact(error_message),
                "event": body,
            });
            text.push_str(&line.to_string());
            text.push('\n');
        }
        let mut guard = self.file.lock().await;
        if guard.is_none() {
            if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
                tokio::fs::create_dir_all(parent)
                    .await
                    .map_err(|e| SinkError::io("creating directory", parent, e))?;
            }
            let file = tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .await
                .map_err(|e| SinkError::io("opening", &self.path, e))?;
            *guard = Some(file);
        }
        let Some(file) = guard.as_mut() else {
            return Err(SinkError::Stopped("dead-letter file not open".into()));
        };
        let result = async {
            file.write_all(text.as_bytes()).await?;
            file.flush().await?;
            file.sync_data().await
        }
        .await;
        result.map_err(|e| SinkError::io("writing", &self.path, e))
    }
}
