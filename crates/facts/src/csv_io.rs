//! CSV in and out: a folder with one file per table, UTF-8 with or without BOM (as Excel writes it).

use crate::import::Rows;
use crate::import::{Dataset, Input, Problem, RawTable};
use crate::model;
use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Int64Type};
use jx555_lang::types::Date;
use std::io::Write;
use std::path::Path;

/// Why files could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The file system said no.
    #[error("{path}: {}", describe(cause))]
    Io {
        /// The path.
        path: String,
        /// The error (said once, in words a person can act on).
        cause: std::io::Error,
    },
    /// A file is not valid CSV or not UTF-8.
    #[error("{path}: {message}")]
    Format {
        /// The path.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// An OS error in words a person can act on.
fn describe(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "does not exist".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        // ELOOP: the path goes round symbolic links.
        _ if e.raw_os_error() == Some(40) => "is a loop of symbolic links".into(),
        _ => e.to_string(),
    }
}

impl IoError {
    /// An OS error at `path`.
    pub fn io(path: &Path, cause: std::io::Error) -> IoError {
        IoError::Io {
            path: path.display().to_string(),
            cause,
        }
    }
}

/// Refuses a path that is not a regular file before it is opened: a FIFO would wait for a writer
/// for ever, a device would be read without end.
pub fn check_regular(path: &Path) -> Result<(), IoError> {
    let meta = std::fs::metadata(path).map_err(|e| IoError::io(path, e))?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(IoError::Format {
            path: path.display().to_string(),
            message: if meta.is_dir() {
                "is a folder, not a file".into()
            } else {
                "is not a regular file (a FIFO, socket or device); give a file".into()
            },
        })
    }
}

/// Reads every `*.csv` of a folder as a table named by the file's stem (English or Chinese).
pub fn read_folder(dir: &Path) -> Result<Vec<RawTable>, IoError> {
    open_folder(dir)?.into_iter().map(Input::read).collect()
}

/// Every `*.csv` of a folder, by name, with only its header read.
pub fn open_folder(dir: &Path) -> Result<Vec<Input<'static>>, IoError> {
    let io = |e: std::io::Error| IoError::Io {
        path: dir.display().to_string(),
        cause: e,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    paths.sort();
    paths.iter().map(|p| Input::csv(p)).collect()
}

/// A table from CSV text already in memory (the stored facts in their canonical CSV form), named
/// `name` and shown in messages as `source`.
pub fn read_text(source: &str, name: &str, text: &str) -> Result<RawTable, IoError> {
    let (headers, rows) = CsvRows::open(source, text.as_bytes(), Some(text.len()))?.read_all()?;
    Ok(RawTable {
        source: source.to_string(),
        name: name.to_string(),
        headers,
        rows,
    })
}

/// A CSV input's rows as they stream from it, a batch at a time: an import holds one batch of a
/// file's cells, not the file's.
pub struct CsvRows<R> {
    source: String,
    reader: csv::Reader<R>,
    /// One record, reused: a row costs its text, not an allocation per cell.
    record: csv::StringRecord,
    headers: Vec<String>,
    /// Rows read so far.
    read: usize,
    size: Option<usize>,
}

impl CsvRows<std::io::BufReader<std::fs::File>> {
    /// A CSV file, its header row read.
    pub fn open_file(path: &Path) -> Result<Self, IoError> {
        check_regular(path)?;
        let file = std::fs::File::open(path).map_err(|e| IoError::io(path, e))?;
        let size = file
            .metadata()
            .ok()
            .and_then(|m| usize::try_from(m.len()).ok());
        CsvRows::open(
            &path.display().to_string(),
            std::io::BufReader::with_capacity(1 << 20, file),
            size,
        )
    }
}

impl<R: std::io::Read> CsvRows<R> {
    /// Reads the header row of `input` (`size` bytes long when known), named `source` in messages.
    pub fn open(source: &str, input: R, size: Option<usize>) -> Result<Self, IoError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| format_error(source, e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        Ok(CsvRows {
            source: source.to_string(),
            reader,
            record: csv::StringRecord::new(),
            headers,
            read: 0,
            size,
        })
    }

    /// The header row.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Appends up to `max` rows to `rows`; false when the input had none left.
    pub fn next_batch(&mut self, rows: &mut Rows, max: usize) -> Result<bool, IoError> {
        let mut any = false;
        for _ in 0..max {
            if !self
                .reader
                .read_record(&mut self.record)
                .map_err(|e| format_error(&self.source, e))?
            {
                break;
            }
            any = true;
            self.read += 1;
            // A quote opened and never closed swallows the rest of the file into one cell: say
            // where it began, not that a row is short.
            if self.record.len() != self.headers.len()
                && self.record.iter().any(|c| c.contains('\n'))
            {
                return Err(IoError::Format {
                    path: self.source.clone(),
                    message: format!(
                        "第{}行（文件第{}行）有一个引号没有闭合，其后的内容都被读进了一个单元格",
                        self.read,
                        self.record.position().map_or(0, |p| p.line())
                    ),
                });
            }
            rows.push(self.record.iter());
        }
        Ok(any)
    }

    /// The header row and every row left. The rows are sized once from the first of them and the
    /// input's length (growing by doubling held twice a big file's cells while they moved).
    pub fn read_all(mut self) -> Result<(Vec<String>, Rows), IoError> {
        let mut rows = Rows::with_text_capacity(self.size.unwrap_or(0));
        if self.next_batch(&mut rows, 10_000)? {
            if let (Some(size), Some(at)) = (self.size, self.bytes_read()) {
                rows.reserve_for(size, at);
            }
            self.next_batch(&mut rows, usize::MAX)?;
        }
        Ok((self.headers, rows))
    }

    /// How many bytes of the input have been read.
    pub fn bytes_read(&self) -> Option<usize> {
        usize::try_from(self.reader.position().byte()).ok()
    }

    /// How many rows the whole input holds, estimated from those read so far (to size a table's
    /// columns once).
    pub fn estimated_rows(&self) -> usize {
        match (self.size, self.bytes_read()) {
            (Some(size), Some(at)) if at > 0 => self.read.saturating_mul(size) / at / 20 * 21 + 1,
            _ => self.read,
        }
    }
}

/// A CSV error in words a person can act on.
fn format_error(source: &str, e: csv::Error) -> IoError {
    IoError::Format {
        path: source.to_string(),
        message: match e.kind() {
            csv::ErrorKind::Utf8 { pos, .. } => format!(
                "不是 UTF-8 编码（文件第 {} 行）；请另存为 UTF-8 CSV",
                pos.as_ref().map_or(0, |p| p.line())
            ),
            _ => e.to_string(),
        },
    }
}

/// Writes the dataset as one CSV per table, English headers, money in yuan with two decimals:
/// the same dataset always gives the same bytes.
pub fn write_folder(data: &Dataset, dir: &Path) -> Result<(), IoError> {
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |e: std::io::Error| IoError::Io { path, cause: e }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for spec in model::tables() {
        let path = dir.join(format!("{}.csv", spec.name));
        let file = std::fs::File::create(&path).map_err(io(&path))?;
        let mut w = std::io::BufWriter::new(file);
        write_table(data, &spec, &mut w).map_err(io(&path))?;
        w.flush().map_err(io(&path))?;
    }
    Ok(())
}

/// The CSV text of each table.
pub fn to_csv(data: &Dataset) -> Vec<(&'static str, String)> {
    model::tables()
        .iter()
        .map(|spec| {
            let mut bytes = Vec::new();
            let _ = write_table(data, spec, &mut bytes);
            (spec.name, String::from_utf8(bytes).unwrap_or_default())
        })
        .collect()
}

/// SHA-256 of the dataset in its CSV form: the same facts, the same hash, however they were read.
pub fn hash(data: &Dataset) -> String {
    use sha2::Digest;
    struct Hasher(sha2::Sha256);
    impl Write for Hasher {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hasher(sha2::Sha256::new());
    for spec in model::tables() {
        let _ = h.write_all(spec.name.as_bytes());
        let _ = write_table(data, &spec, &mut h);
    }
    h.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes one table as CSV; a table the dataset lacks is written as its header alone.
pub fn write_table(
    data: &Dataset,
    spec: &model::TableSpec,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record(spec.columns.iter().map(|c| c.name))?;
    if let Some(batch) = data.table(spec.name) {
        let columns: Vec<Cells<'_>> = spec
            .columns
            .iter()
            .map(|c| {
                batch
                    .column_by_name(c.name)
                    .map_or(Cells::Other, |a| Cells::of(a.as_ref()))
            })
            .collect();
        // One buffer for every cell: the canonical CSV of a million enterprises is hashed on every
        // import, and a `String` per cell was much of that time.
        let mut text = String::new();
        for r in 0..batch.num_rows() {
            for cells in &columns {
                text.clear();
                cells.push(r, &mut text);
                w.write_field(&text)?;
            }
            w.write_record(None::<&[u8]>)?;
        }
    }
    w.flush()
}

/// A column of a dataset by its type, looked at once per table rather than once per cell.
enum Cells<'a> {
    Bool(&'a arrow::array::BooleanArray),
    Int(&'a arrow::array::Int64Array),
    Decimal(crate::import::Decimals<'a>),
    Date(&'a arrow::array::Date32Array),
    Text(&'a arrow::array::StringArray),
    /// A type the model does not use: written empty.
    Other,
}

impl<'a> Cells<'a> {
    fn of(a: &'a dyn Array) -> Cells<'a> {
        match a.data_type() {
            DataType::Boolean => Cells::Bool(a.as_boolean()),
            DataType::Int64 => Cells::Int(a.as_primitive::<Int64Type>()),
            DataType::Date32 => Cells::Date(a.as_primitive::<arrow::datatypes::Date32Type>()),
            DataType::Utf8 => Cells::Text(a.as_string::<i32>()),
            _ => crate::import::Decimals::of(a).map_or(Cells::Other, Cells::Decimal),
        }
    }

    /// Row `r`'s canonical text: 是/否, integers, money with two decimals, other decimals without
    /// trailing zeros, dates as YYYY-MM-DD, text made safe for spreadsheets; nothing for a null.
    fn push(&self, r: usize, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Cells::Bool(a) if a.is_valid(r) => out.push_str(if a.value(r) { "是" } else { "否" }),
            Cells::Int(a) if a.is_valid(r) => out.push_str(itoa::Buffer::new().format(a.value(r))),
            Cells::Decimal(a) => {
                if let Some((v, scale)) = a.at(r) {
                    push_decimal(v, scale, out);
                }
            }
            Cells::Date(a) if a.is_valid(r) => {
                let _ = write!(out, "{}", Date::from_days(a.value(r)));
            }
            Cells::Text(a) if a.is_valid(r) => {
                out.push_str(&crate::cell::spreadsheet_safe(a.value(r)))
            }
            _ => {}
        }
    }
}

/// `v` at `scale` places as [`rust_decimal::Decimal`] writes it, without making one: money (scale
/// 2) with both places, others with no trailing zeros (`12.5`, `3`). Beyond what a `Decimal` holds
/// (96 bits, 28 places) nothing, as before.
fn push_decimal(v: i128, scale: u32, out: &mut String) {
    if scale > 28 || v.unsigned_abs() >= 1 << 96 {
        return;
    }
    let unit = 10u128.pow(scale);
    let (whole, mut part) = (v.unsigned_abs() / unit, v.unsigned_abs() % unit);
    let mut places = scale;
    if scale != 2 {
        while places > 0 && part % 10 == 0 {
            part /= 10;
            places -= 1;
        }
    }
    if v < 0 && (whole, part) != (0, 0) {
        out.push('-');
    }
    out.push_str(itoa::Buffer::new().format(whole));
    if places > 0 {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(part);
        out.push('.');
        out.extend(std::iter::repeat_n('0', places as usize - digits.len()));
        out.push_str(digits);
    }
}

/// Problems, one line each, for people.
pub fn report(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    /// How a decimal cell was written before `push_decimal`: through a `Decimal`.
    fn through_decimal(v: i128, scale: u32) -> String {
        let Ok(d) = Decimal::try_from_i128_with_scale(v, scale) else {
            return String::new();
        };
        if d.scale() == 2 {
            format!("{d:.2}")
        } else {
            d.normalize().to_string()
        }
    }

    fn written(v: i128, scale: u32) -> String {
        let mut out = String::new();
        super::push_decimal(v, scale, &mut out);
        out
    }

    #[test]
    fn decimals_are_written_as_a_decimal_writes_them() {
        for (v, scale) in [
            (0, 2),
            (-7, 2),
            (123_456, 2),
            (12_500_000, 6),
            (-300_000, 6),
            (5_000_000, 6),
            (0, 6),
            (42, 0),
            (1 << 96, 2),
            (-(1 << 96) + 1, 28),
            (1, 29),
        ] {
            assert_eq!(
                written(v, scale),
                through_decimal(v, scale),
                "{v} at {scale}"
            );
        }
    }

    proptest! {
        /// The facts' hash is over this text: it must not change for any stored value.
        #[test]
        fn any_decimal_is_written_as_before(v in -(1i128 << 97)..(1i128 << 97), small in -10_000_000_000i64..10_000_000_000, scale in 0u32..30) {
            prop_assert_eq!(written(v, scale), through_decimal(v, scale));
            let v = i128::from(small);
            prop_assert_eq!(written(v, scale), through_decimal(v, scale));
        }
    }
}
