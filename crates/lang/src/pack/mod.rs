//! The files of a pack besides the rules: manifest, catalog, and the literate policy text.

pub mod catalog;
pub mod literate;
pub mod manifest;
