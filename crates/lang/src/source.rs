//! The texts of a pack, handed in by the caller: the language reads no files itself.

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub usize);

/// One file of a pack: its path (for messages) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as the user should see it.
    pub name: String,
    /// The whole text.
    pub text: String,
}

impl SourceFile {
    /// A file from its path and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// The files of one pack. The manifest and the policy are required; the catalog is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    files: Vec<SourceFile>,
    catalog: Option<FileId>,
}

impl Sources {
    /// The manifest's id.
    pub const MANIFEST: FileId = FileId(0);
    /// The policy text's id.
    pub const POLICY: FileId = FileId(1);

    /// A pack's sources: `pack.toml`, `policy.md` and, if present, `catalog.toml`.
    pub fn new(manifest: SourceFile, policy: SourceFile, catalog: Option<SourceFile>) -> Self {
        let mut files = vec![manifest, policy];
        let catalog = catalog.map(|c| {
            files.push(c);
            FileId(2)
        });
        Self { files, catalog }
    }

    /// The catalog's id, if the pack has one.
    pub fn catalog(&self) -> Option<FileId> {
        self.catalog
    }

    /// A file by id. Ids come only from this value, so they are always in range.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0.min(self.files.len() - 1)]
    }

    /// Every file, in id order.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// SHA-256 of the pack: each file's role (manifest, policy, catalog) and bytes, never its path,
    /// so the same pack hashes the same from any folder, on any OS, or bundled in the binary.
    pub fn hash(&self) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        let roles = ["pack.toml", "policy.md", "catalog.toml"];
        for (role, f) in roles.iter().zip(&self.files) {
            h.update(role.as_bytes());
            h.update([0]);
            h.update((f.text.len() as u64).to_le_bytes());
            h.update(f.text.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(dir: &str, policy: &str) -> Sources {
        Sources::new(
            SourceFile::new(format!("{dir}/pack.toml"), "id = \"p\""),
            SourceFile::new(format!("{dir}\\policy.md"), policy),
            None,
        )
    }

    /// The hash is of the files' roles and bytes: the same pack from another folder or OS hashes the
    /// same; a changed byte does not.
    #[test]
    fn the_hash_ignores_paths_not_bytes() {
        assert_eq!(pack("/a", "文").hash(), pack("C:\\b", "文").hash());
        assert_ne!(pack("/a", "文").hash(), pack("/a", "文 ").hash());
    }
}
