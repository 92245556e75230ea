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

/// The bundled pack, 嘉政发〔2020〕8号 as `policies/jiaxing-555-2020`, carried in the binary so that
/// jx555 runs from any folder; `--pack DIR` replaces it.
pub fn bundled() -> Sources {
    const DIR: &str = "jiaxing-555-2020 (bundled)";
    macro_rules! bundled_file {
        ($name:literal) => {
            SourceFile::new(
                format!("{DIR}/{}", $name),
                include_str!(concat!("../../../policies/jiaxing-555-2020/", $name)),
            )
        };
    }
    Sources::new(
        bundled_file!("pack.toml"),
        bundled_file!("policy.md"),
        Some(bundled_file!("catalog.toml")),
    )
}

/// The packs a command evaluates, checked: those of `--pack DIR` (several evaluate together), or
/// the bundled pack when none is given.
pub fn load(dirs: &[std::path::PathBuf]) -> Result<Vec<jx555_server::LoadedPack>> {
    let sources: Vec<(String, Sources)> = if dirs.is_empty() {
        vec![("the bundled pack".to_string(), bundled())]
    } else {
        dirs.iter()
            .map(|d| Ok((d.display().to_string(), read(d)?)))
            .collect::<Result<_>>()?
    };
    sources
        .into_iter()
        .map(|(shown, sources)| {
            let checked = jx555_lang::check(&sources);
            let Some(pack) = checked.pack else {
                bail!(
                    "{shown} does not check; fix it first:\n{}",
                    sources.render(&checked.diagnostics, false)
                );
            };
            Ok(jx555_server::LoadedPack {
                reference: jx555_store::PackRef {
                    id: pack.manifest.id.clone(),
                    version: pack.manifest.version.clone(),
                    hash: sources.hash(),
                },
                policy: sources.file(Sources::POLICY).text.clone(),
                pack,
            })
        })
        .collect()
}
