//! Helpers shared by the engine's integration tests (`mod common;`).

use std::path::PathBuf;

/// `p` in the shared corpora, read in place (`../shared/corpora` from the
/// repository root).
pub fn corpus(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora")
        .join(p)
}
