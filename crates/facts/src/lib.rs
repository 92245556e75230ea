//! The facts jx555 reads: the canonical data model, validated import, export, and a demo Jiaxing.
//!
//! ```text
//! CSV folder ─> csv_io::read_folder ─> RawTable (text) ─┐
//! demo::raw(n, seed) ───────────────────────────────────┼─> import::validate(catalog) ─> Dataset (Arrow)
//!                                                       │        └─> every Problem: table, row, column, value, reason
//! Dataset ─> csv_io::write_folder (same data, same bytes); Dataset.tables ─> jx555_engine::Facts
//! ```
//!
//! The model (`model`) is the language's schema plus the keys; a cell is read by its column's type
//! (`cell`): 统一社会信用代码 checksums, the 9 counties, GB/T 4754-2017 codes, catalog values, money in 元
//! or 万元 (never negative, at most a fen), years, dates, percents.
#![forbid(unsafe_code)]

pub mod cell;
pub mod csv_io;
pub mod demo;
pub mod import;
pub mod model;

pub use import::{Dataset, Problem, RawTable, validate};
