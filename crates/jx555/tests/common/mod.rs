//! Running the jx555 binary from tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root, where the commands run.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs jx555 with arguments in the repository's root.
pub fn jx555(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jx555"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run jx555")
}

/// Everything a command printed.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A fresh folder for one test, removed when it ends.
pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp folder")
}
