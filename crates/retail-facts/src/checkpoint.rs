//! Continuation state on disk (data-contract §12.6): `state/checkpoint.bin` holds a version
//! header and the [`WorldState`] in postcard. A continuation refuses a checkpoint written by
//! another format version or for another `config_hash`.

use std::path::Path;

use crate::{FactsError, WorldState};

/// File name of the checkpoint inside the state directory.
pub const CHECKPOINT_FILE: &str = "checkpoint.bin";

/// Magic bytes at the start of every checkpoint.
const MAGIC: &[u8; 8] = b"RRTI-CKP";

/// Format version of the checkpoint payload (bump on any change of [`WorldState`]).
pub const CHECKPOINT_VERSION: u32 = 1;

/// Encodes a state: magic, version (u32 LE), postcard payload.
pub fn checkpoint_to_bytes(state: &WorldState) -> Result<Vec<u8>, FactsError> {
    let mut out = Vec::with_capacity(1 << 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&CHECKPOINT_VERSION.to_le_bytes());
    let payload = postcard::to_allocvec(state)
        .map_err(|e| FactsError::Continuation(format!("cannot encode the state: {e}")))?;
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decodes a state and checks that it belongs to the configuration with `expected_config_hash`.
pub fn checkpoint_from_bytes(
    bytes: &[u8],
    expected_config_hash: &str,
) -> Result<WorldState, FactsError> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(FactsError::Continuation(
            "the checkpoint is not a retail-rti checkpoint (bad header)".into(),
        ));
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != CHECKPOINT_VERSION {
        return Err(FactsError::Continuation(format!(
            "the checkpoint has format version {version}, this generator reads version {CHECKPOINT_VERSION}"
        )));
    }
    let state: WorldState = postcard::from_bytes(&bytes[12..])
        .map_err(|e| FactsError::Continuation(format!("the checkpoint is damaged: {e}")))?;
    if state.config_hash != expected_config_hash {
        return Err(FactsError::Continuation(format!(
            "the checkpoint was written for config_hash {}, the configuration now has {}: \
             only dates.end_date, output, performance and stream may change between runs",
            state.config_hash, expected_config_hash
        )));
    }
    Ok(state)
}

/// Writes `dir/checkpoint.bin` atomically (temporary file, then rename).
pub fn save_checkpoint(dir: &Path, state: &WorldState) -> Result<(), FactsError> {
    let bytes = checkpoint_to_bytes(state)?;
    let io = |e: std::io::Error| FactsError::Continuation(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = dir.join(format!("{CHECKPOINT_FILE}.tmp"));
    std::fs::write(&tmp, &bytes).map_err(io)?;
    std::fs::rename(&tmp, dir.join(CHECKPOINT_FILE)).map_err(io)?;
    Ok(())
}

/// Reads `dir/checkpoint.bin` for the configuration with `expected_config_hash`.
pub fn load_checkpoint(dir: &Path, expected_config_hash: &str) -> Result<WorldState, FactsError> {
    let path = dir.join(CHECKPOINT_FILE);
    let bytes = std::fs::read(&path)
        .map_err(|e| FactsError::Continuation(format!("{}: {e}", path.display())))?;
    checkpoint_from_bytes(&bytes, expected_config_hash)
}
