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
}
