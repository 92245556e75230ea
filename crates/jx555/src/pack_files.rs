//! Reads a pack folder into sources for the language (which does no IO itself).

use anyhow::{Context, Result, bail};
use jx555_lang::{SourceFile, Sources};
use std::path::Path;

/// The files of a pack folder: `pack.toml`, `policy.md` and, if present, `catalog.toml`.
pub fn read(dir: &Path) -> Result<Sources> {
    if !dir.is_dir() {
        bail!(
            "{} is not a pack folder (it should hold pack.toml and policy.md)",
            dir.display()
        );
    }
    let file = |name: &str| -> Result<Option<SourceFile>> {
        let path = dir.join(name);
        if !path.exists() {
            return Ok(None);
        }
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!(
                "{} is not UTF-8 (invalid byte at offset {}); save it as UTF-8",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        Ok(Some(SourceFile::new(path.display().to_string(), text)))
    };
    let required = |name: &str| -> Result<SourceFile> {
        file(name)?.with_context(|| format!("{} has no {name}", dir.display()))
    };
    Ok(Sources::new(
        required("pack.toml")?,
        required("policy.md")?,
        file("catalog.toml")?,
    ))
}

/// A pack folder read and checked: its sources and IR, or an error carrying its diagnostics.
pub fn checked(dir: &Path) -> Result<(Sources, jx555_lang::ir::Pack)> {
    let sources = read(dir)?;
    let checked = jx555_lang::check(&sources);
    match checked.pack {
        Some(pack) => Ok((sources, pack)),
        None => bail!(
            "{} does not check; fix it first:\n{}",
            dir.display(),
            sources.render(&checked.diagnostics, false)
        ),
    }
}

/// SHA-256 of a pack's files, so a run records exactly which text it used.
pub fn hash(sources: &Sources) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for f in sources.files() {
        h.update(f.name.rsplit('/').next().unwrap_or_default().as_bytes());
        h.update([0]);
        h.update(f.text.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
