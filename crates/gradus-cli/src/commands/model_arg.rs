//! Opening a saved model folder in the precision it was saved in.

use std::path::Path;

use anyhow::Context;
use gradus::io::{ModelSpec, SPEC_FILE};

/// "f32" or "f64", read from the folder's model.json.
pub fn saved_dtype(dir: &Path) -> anyhow::Result<String> {
    let path = dir.join(SPEC_FILE);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "--model {}: no {SPEC_FILE} there; pass the model folder of a run (runs/NAME/model)",
            dir.display()
        )
    })?;
    let spec: ModelSpec = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a gradus model description", path.display()))?;
    Ok(spec.dtype)
}
