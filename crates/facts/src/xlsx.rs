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

/// The most a workbook may hold once unzipped, in bytes (a sheet of a million enterprises' years is
/// a few hundred MB of XML); a small file that unzips past it is refused before it is read.
pub const MAX_UNZIPPED: u64 = 1 << 30;
/// The most rows a sheet may declare: Excel's own limit.
pub const MAX_ROWS: u64 = 1_048_576;
/// The most cells (rows × columns) a sheet may declare: calamine holds them all at once, some 32
/// bytes each, so this bounds a sheet to about 640 MB.
pub const MAX_CELLS: u64 = 20_000_000;

/// Reads every sheet of a workbook as a table named by the sheet.
pub fn read_workbook(path: &Path) -> Result<Vec<RawTable>, IoError> {
    let shown = path.display().to_string();
    let format = |m: String| IoError::Format {
        path: shown.clone(),
        message: m,
    };
    check_size(path).map_err(format)?;
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
            rows: rows.into(),
        });
    }
    Ok(out)
}

/// Refuses a workbook whose parts unzip past [`MAX_UNZIPPED`] or whose sheets declare more than
/// [`MAX_ROWS`] rows or [`MAX_CELLS`] cells: calamine would allocate for them up front.
fn check_size(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let Ok(mut zip) = zip::ZipArchive::new(file) else {
        // Not a zip (an old .xls): calamine reads and judges it.
        return Ok(());
    };
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
        total = total.saturating_add(entry.size());
        if total > MAX_UNZIPPED {
            return Err(format!(
                "解压后超过 {} MB，超出导入上限；请拆分文件或改用 CSV",
                MAX_UNZIPPED >> 20
            ));
        }
        let name = entry.name().map_err(|e| e.to_string())?.to_string();
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            let mut head = Vec::new();
            entry
                .by_ref()
                .take(4096)
                .read_to_end(&mut head)
                .map_err(|e| e.to_string())?;
            if let Some((rows, cols)) = declared(&String::from_utf8_lossy(&head))
                && (rows > MAX_ROWS || rows.saturating_mul(cols) > MAX_CELLS)
            {
                return Err(format!(
                    "工作表 {name} 声明了 {rows} 行 {cols} 列，超出上限（{MAX_ROWS} 行、{MAX_CELLS} 个单元格）；请拆分文件或改用 CSV"
                ));
            }
        }
    }
    Ok(())
}

/// The rows and columns a sheet's `<dimension ref="A1:Z500"/>` declares.
fn declared(xml: &str) -> Option<(u64, u64)> {
    let at = xml.find("<dimension ref=\"")? + "<dimension ref=\"".len();
    let r = &xml[at..at + xml[at..].find('"')?];
    let last = r.rsplit(':').next()?;
    let letters: String = last.chars().take_while(char::is_ascii_alphabetic).collect();
    let rows: u64 = last[letters.len()..].parse().ok()?;
    let cols = letters.bytes().fold(0u64, |n, b| {
        n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    Some((rows, cols))
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_declared_dimension_is_read() {
        let xml = r#"<worksheet><dimension ref="A1:AB5000000"/><sheetData>"#;
        assert_eq!(super::declared(xml), Some((5_000_000, 28)));
        assert_eq!(super::declared(r#"<dimension ref="A1"/>"#), Some((1, 1)));
        assert_eq!(super::declared("<sheetData>"), None);
    }
}
