//! The facts jx555 reads: the canonical data model, validated import, export, and a demo Jiaxing.
//!
//! ```text
//! CSV folder ─> open_input ─> Input (read in batches) ──┐
//! demo::raw(n, seed) ─> RawTable (text) ────────────────┼─> import::validate_input(catalog) ─> Dataset (Arrow)
//!                                                       │        └─> every Problem: table, row, column, value, reason
//! Dataset ─> csv_io::write_folder (same data, same bytes); Dataset.tables ─> jx555_engine::FactIndex
//! ```
//!
//! The model (`model`) is the language's schema plus the keys; a cell is read by its column's type
//! (`cell`): 统一社会信用代码 checksums, the 9 counties, GB/T 4754-2017 codes, catalog values, money in 元
//! or 万元 (never negative, at most a fen), years, dates, percents.
#![forbid(unsafe_code)]

pub mod cell;
pub mod csv_io;
pub mod demo;
pub mod desk;
pub mod import;
pub mod model;
pub mod parquet_io;
pub mod settlement;
mod table;
pub mod xlsx;

pub use import::{Dataset, Input, Problem, RawTable, validate};

/// Reads facts from a path: a folder of `*.csv` and `*.parquet` files (a table each), an XLSX or ODS
/// workbook (a sheet each), or a single CSV or Parquet file.
pub fn read_input(path: &std::path::Path) -> Result<Vec<RawTable>, csv_io::IoError> {
    open_input(path)?.into_iter().map(Input::read).collect()
}

/// The tables of [`read_input`]'s path, CSV files with only their header read: validated with
/// [`import::validate_input`], their rows are read a batch at a time.
pub fn open_input(path: &std::path::Path) -> Result<Vec<Input<'static>>, csv_io::IoError> {
    let ext = |p: &std::path::Path| {
        p.extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    };
    // Said plainly before anything is opened: a path that does not exist, a loop of links, a FIFO.
    let meta = std::fs::metadata(path).map_err(|e| csv_io::IoError::io(path, e))?;
    if meta.is_dir() {
        let mut tables = csv_io::open_folder(path)?;
        let mut parquet: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| csv_io::IoError::Io {
                path: path.display().to_string(),
                cause: e,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| ext(p) == "parquet")
            .collect();
        parquet.sort();
        for p in parquet {
            tables.push(parquet_io::read_file(&p)?.into());
        }
        return Ok(tables);
    }
    csv_io::check_regular(path)?;
    match ext(path).as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => Ok(xlsx::read_workbook(path)?
            .into_iter()
            .map(Input::from)
            .collect()),
        "parquet" => Ok(vec![parquet_io::read_file(path)?.into()]),
        "csv" => Ok(vec![Input::csv(path)?]),
        other => Err(csv_io::IoError::Format {
            path: path.display().to_string(),
            message: format!(
                "cannot read .{other}; give a folder of CSV or Parquet files, or an XLSX workbook"
            ),
        }),
    }
}
