//! Parquet in and out: a folder with one `<table>.parquet` per table.
//!
//! Read cells go through the same validation as CSV and XLSX (each value as text, then checked by its
//! column's type), so there is one set of rules whatever the format; exact decimals stay exact, and a
//! floating-point column is read at 15 significant digits like a spreadsheet's.

use crate::csv_io::IoError;
use crate::import::{Dataset, RawTable};
use crate::model;
use arrow::array::{Array, AsArray, RecordBatchReader};
use arrow::datatypes::DataType;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use std::path::Path;

/// Reads one Parquet file as a table named by the file's stem.
pub fn read_file(path: &Path) -> Result<RawTable, IoError> {
    crate::csv_io::check_regular(path)?;
    let shown = path.display().to_string();
    let format = |m: String| IoError::Format {
        path: shown.clone(),
        message: m,
    };
    let file = std::fs::File::open(path).map_err(|e| IoError::Io {
        path: shown.clone(),
        cause: e,
    })?;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| format(e.to_string()))?;
    let headers: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| format(e.to_string()))?;
        let options = FormatOptions::default();
        let cols: Vec<(&dyn Array, Option<ArrayFormatter<'_>>)> = batch
            .columns()
            .iter()
            .map(|a| {
                (
                    a.as_ref(),
                    ArrayFormatter::try_new(a.as_ref(), &options).ok(),
                )
            })
            .collect();
        for r in 0..batch.num_rows() {
            rows.push(cols.iter().map(|(a, f)| cell(*a, f.as_ref(), r)).collect());
        }
    }
    Ok(RawTable::from_file(path, headers, rows.into()))
}

fn cell(a: &dyn Array, f: Option<&ArrayFormatter<'_>>, r: usize) -> String {
    if a.is_null(r) {
        return String::new();
    }
    match a.data_type() {
        DataType::Float64 => crate::cell::spreadsheet_number(
            a.as_primitive::<arrow::datatypes::Float64Type>().value(r),
        ),
        DataType::Float32 => crate::cell::spreadsheet_number(f64::from(
            a.as_primitive::<arrow::datatypes::Float32Type>().value(r),
        )),
        _ => f.map(|f| f.value(r).to_string()).unwrap_or_default(),
    }
}

/// Writes the dataset as one Parquet file per table.
pub fn write_folder(data: &Dataset, dir: &Path) -> Result<(), IoError> {
    std::fs::create_dir_all(dir).map_err(|e| IoError::Io {
        path: dir.display().to_string(),
        cause: e,
    })?;
    for spec in model::tables() {
        let Some(batch) = data.table(spec.name) else {
            continue;
        };
        let path = dir.join(format!("{}.parquet", spec.name));
        let shown = path.display().to_string();
        let format = |m: String| IoError::Format {
            path: shown.clone(),
            message: m,
        };
        let file = std::fs::File::create(&path).map_err(|e| IoError::Io {
            path: shown.clone(),
            cause: e,
        })?;
        let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None)
            .map_err(|e| format(e.to_string()))?;
        w.write(batch).map_err(|e| format(e.to_string()))?;
        w.close().map_err(|e| format(e.to_string()))?;
    }
    Ok(())
}
