//! XLSX (and ODS) in: one workbook, a sheet per table, named in English or Chinese.
//!
//! Spreadsheet numbers are binary floating point; each is read back at Excel's own precision (15
//! significant digits) as an exact decimal, so 1234.56 stays 1234.56 and =0.1+0.2 is 0.3. Date cells
//! become `YYYY-MM-DD`.

use crate::csv_io::IoError;
use crate::import::RawTable;
use calamine::{Data, Reader, open_workbook_auto};
use jx555_lang::types::Date;
use std::path::Path;

/// Days from Excel's day 0 (1899-12-30, in the 1900 date system) to 1970-01-01.
const EXCEL_EPOCH_DAYS: i64 = 25_569;

/// Reads every sheet of a workbook as a table named by the sheet.
pub fn read_workbook(path: &Path) -> Result<Vec<RawTable>, IoError> {
    let shown = path.display().to_string();
    let format = |m: String| IoError::Format {
        path: shown.clone(),
        message: m,
    };
    let mut book = open_workbook_auto(path).map_err(|e| format(e.to_string()))?;
    let mut out = Vec::new();
    for name in book.sheet_names().to_owned() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| format(format!("sheet {name}: {e}")))?;
        let mut rows = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect::<Vec<_>>());
        let Some(headers) = rows.next() else { continue };
        // Trailing empty header cells are not columns.
        let width = headers
            .iter()
            .rposition(|h| !h.trim().is_empty())
            .map_or(0, |i| i + 1);
        let headers: Vec<String> = headers.into_iter().take(width).collect();
        let rows: Vec<Vec<String>> = rows
            .map(|mut r| {
                r.resize(width, String::new());
                r
            })
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .collect();
        out.push(RawTable {
            source: format!("{shown}#{name}"),
            name,
            headers,
            rows,
        });
    }
    Ok(out)
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => crate::cell::spreadsheet_number(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => {
            let days = dt.as_f64().floor() as i64 - EXCEL_EPOCH_DAYS;
            i32::try_from(days)
                .map(|d| Date::from_days(d).to_string())
                .unwrap_or_default()
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}
