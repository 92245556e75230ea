//! Validation of tables as read from files: every problem at once, each with table, row, column, value
//! and reason; a dataset only when there is none (all-or-nothing).

use crate::cell::{self, Cell};
use crate::csv_io::{CsvRows, IoError};
use crate::model::{self, ColumnType, TableSpec};
use arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Date32Builder, Decimal64Builder, Decimal128Builder,
    Int64Builder, StringBuilder,
};
use arrow::datatypes::{DataType, Decimal64Type, Decimal128Type};
use arrow::record_batch::RecordBatch;
use jx555_lang::pack::catalog::Catalog;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;

/// A table as read from a file or sheet: headers and rows of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTable {
    /// The file or sheet it came from, as named in messages.
    pub source: String,
    /// The table's name as given (English or Chinese).
    pub name: String,
    /// The header row.
    pub headers: Vec<String>,
    /// The rows under it.
    pub rows: Rows,
}

/// The rows of a table as read: every cell's text in one buffer and where each cell ends. A
/// million enterprises' years are some 20 million cells; held as a `String` each they took three
/// times the file's size in memory, held so about its size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    text: String,
    /// Where each cell ends in `text`, row after row.
    ends: Vec<usize>,
    /// Where each row's cells start in `ends`.
    starts: Vec<usize>,
}

impl Rows {
    /// No rows, with room for `bytes` of cell text.
    pub fn with_text_capacity(bytes: usize) -> Rows {
        Rows {
            text: String::with_capacity(bytes),
            ..Rows::default()
        }
    }

    /// Room for the rows of an input of `size` bytes, estimated from those read in its first `read`
    /// bytes (a little over, rather than doubling at the end).
    pub fn reserve_for(&mut self, size: usize, read: usize) {
        let scale = |n: usize| n.saturating_mul(size) / read.max(1) / 20 * 21;
        let (cells, rows) = (scale(self.ends.len()), scale(self.starts.len()));
        self.ends
            .reserve_exact(cells.saturating_sub(self.ends.len()));
        self.starts
            .reserve_exact(rows.saturating_sub(self.starts.len()));
    }

    /// Adds a row.
    pub fn push<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        self.starts.push(self.ends.len());
        for c in cells {
            self.text.push_str(c);
            self.ends.push(self.text.len());
        }
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Removes every row, keeping the room they took (a batch's buffer is used again for the next).
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.starts.clear();
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Row `r`.
    pub fn get(&self, r: usize) -> Option<Row<'_>> {
        let start = *self.starts.get(r)?;
        let end = self.starts.get(r + 1).copied().unwrap_or(self.ends.len());
        let first = if start == 0 { 0 } else { self.ends[start - 1] };
        Some(Row {
            text: &self.text,
            first,
            ends: &self.ends[start..end],
        })
    }

    /// Every row, in order.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).filter_map(|r| self.get(r))
    }
}

impl<S: AsRef<str>> From<Vec<Vec<S>>> for Rows {
    fn from(rows: Vec<Vec<S>>) -> Rows {
        let mut out = Rows::default();
        for r in &rows {
            out.push(r.iter().map(AsRef::as_ref));
        }
        out
    }
}

/// One row of a [`Rows`]: its cells' text.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    text: &'a str,
    first: usize,
    ends: &'a [usize],
}

impl<'a> Row<'a> {
    /// How many cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `i`.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { self.first } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    /// Every cell, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

impl std::ops::Index<usize> for Row<'_> {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        self.get(i).unwrap_or_default()
    }
}

impl RawTable {
    /// A table read from a file: named by the file's stem (English or Chinese).
    pub fn from_file(path: &std::path::Path, headers: Vec<String>, rows: Rows) -> RawTable {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        RawTable {
            source: path.display().to_string(),
            name,
            headers,
            rows,
        }
    }
}

#[cfg(test)]
mod rows_tests {
    use super::Rows;

    #[test]
    fn rows_hold_their_cells_in_order() {
        let rows = Rows::from(vec![vec!["a", "", "ccc"], vec![], vec!["嘉兴", "x"]]);
        assert_eq!(rows.len(), 3);
        let all: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().collect()).collect();
        assert_eq!(all, vec![vec!["a", "", "ccc"], vec![], vec!["嘉兴", "x"]]);
        let r = rows.get(2).unwrap();
        assert_eq!(
            (&r[0], r.get(1), r.get(2), r.len()),
            ("嘉兴", Some("x"), None, 2)
        );
        assert!(rows.get(3).is_none() && rows.get(1).unwrap().is_empty());
    }
}

/// One problem in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file or sheet.
    pub source: String,
    /// The table.
    pub table: String,
    /// The data row, 1 for the first row under the header; `None` for the whole table.
    pub row: Option<usize>,
    /// The column, if the problem is in one.
    pub column: Option<String>,
    /// The value found.
    pub value: Option<String>,
    /// What is wrong, and what would be right.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_empty() {
            return f.write_str(&self.reason);
        }
        write!(f, "{}", self.source)?;
        if let Some(r) = self.row {
            write!(f, " 第{r}行")?;
        }
        if let Some(c) = &self.column {
            write!(f, " 列 {c}")?;
        }
        if let Some(v) = &self.value {
            write!(f, " 值 {v:?}")?;
        }
        write!(f, "：{}", self.reason)
    }
}

/// The canonical tables, validated: one Arrow batch per table, every column present.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Tables in canonical order.
    pub tables: Vec<(&'static str, RecordBatch)>,
}

impl Dataset {
    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&RecordBatch> {
        self.tables.iter().find(|(n, _)| *n == name).map(|(_, b)| b)
    }

    /// How many enterprises.
    pub fn enterprises(&self) -> usize {
        self.table("enterprises").map_or(0, RecordBatch::num_rows)
    }
}

/// A table of the model with no rows: what a store holds for a table its facts never had.
pub fn empty(spec: &TableSpec) -> RecordBatch {
    let fields: Vec<arrow::datatypes::Field> = spec
        .columns
        .iter()
        .map(|c| {
            let ty = Builder::new(c.ty, 0, 0).finish().data_type().clone();
            arrow::datatypes::Field::new(c.name, ty, true)
        })
        .collect();
    RecordBatch::new_empty(Arc::new(arrow::datatypes::Schema::new(fields)))
}

/// The canonical tables `raw` gives (named in English or Chinese), and those it does not give, each
/// in the model's order: what an import must check before replacing the store's facts.
pub fn coverage(raw: &[Input<'_>]) -> (Vec<&'static str>, Vec<&'static str>) {
    model::tables()
        .iter()
        .map(|s| s.name)
        .partition(|name| raw.iter().any(|t| canonical_name(&t.name) == Some(*name)))
}

/// The canonical name of a table named in English or Chinese.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    model::tables()
        .into_iter()
        .find(|s| s.name == name || s.label == name)
        .map(|s| s.name)
}

/// A table to validate: its rows as read, or a CSV file still to be read (it is read a batch of rows
/// at a time on a thread of its own while the batch before is checked, and only a batch of its cells
/// is ever held).
pub struct Input<'a> {
    /// The file or sheet it comes from, as named in messages.
    pub source: String,
    /// The table's name as given (English or Chinese).
    pub name: String,
    headers: Vec<String>,
    rows: InputRows<'a>,
}

enum InputRows<'a> {
    Given(&'a Rows),
    Owned(Rows),
    Csv(Box<CsvRows<std::io::BufReader<std::fs::File>>>),
}

impl<'a> From<&'a RawTable> for Input<'a> {
    fn from(t: &'a RawTable) -> Input<'a> {
        Input {
            source: t.source.clone(),
            name: t.name.clone(),
            headers: t.headers.clone(),
            rows: InputRows::Given(&t.rows),
        }
    }
}

impl From<RawTable> for Input<'static> {
    fn from(t: RawTable) -> Input<'static> {
        Input {
            source: t.source,
            name: t.name,
            headers: t.headers,
            rows: InputRows::Owned(t.rows),
        }
    }
}

impl Input<'static> {
    /// A CSV file, named by its stem; only its header row is read here.
    pub fn csv(path: &std::path::Path) -> Result<Input<'static>, IoError> {
        let csv = CsvRows::open_file(path)?;
        let t = RawTable::from_file(path, csv.headers().to_vec(), Rows::default());
        Ok(Input {
            source: t.source,
            name: t.name,
            headers: t.headers,
            rows: InputRows::Csv(Box::new(csv)),
        })
    }
}

impl Input<'_> {
    /// The whole table, read.
    pub fn read(self) -> Result<RawTable, IoError> {
        let rows = match self.rows {
            InputRows::Given(rows) => rows.clone(),
            InputRows::Owned(rows) => rows,
            InputRows::Csv(csv) => csv.read_all()?.1,
        };
        Ok(RawTable {
            source: self.source,
            name: self.name,
            headers: self.headers,
            rows,
        })
    }
}

/// Checks the tables against the canonical model (and the catalog, when given) and builds the dataset.
/// Tables that are not given are empty.
pub fn validate(raw: &[RawTable], catalog: Option<&Catalog>) -> Result<Dataset, Vec<Problem>> {
    // Tables already read cannot fail to be read.
    validate_input(
        raw.iter().map(Input::from).collect(),
        catalog,
        &mut |_, _, _| (),
    )
    .unwrap_or_else(|e| {
        Err(vec![Problem {
            source: String::new(),
            table: String::new(),
            row: None,
            column: None,
            value: None,
            reason: e.to_string(),
        }])
    })
}

/// Told after each batch of a table's rows is checked: the table, how many of its rows have been,
/// and how many it is thought to hold (a CSV file's count is estimated from its length).
pub type Checked<'a> = &'a mut dyn FnMut(&str, usize, usize);

/// [`validate`] of tables as they are read: the checks of every cell, then of the keys across rows
/// and tables, each problem listed with its place; an error only when an input cannot be read.
pub fn validate_input(
    inputs: Vec<Input<'_>>,
    catalog: Option<&Catalog>,
    checked: Checked<'_>,
) -> Result<Result<Dataset, Vec<Problem>>, IoError> {
    let specs = model::tables();
    let mut problems = Problems::default();
    let mut by_name: HashMap<&'static str, Input<'_>> = HashMap::new();
    for t in inputs {
        match specs.iter().find(|s| s.name == t.name || s.label == t.name) {
            Some(spec) if by_name.contains_key(spec.name) => {
                problems.push(whole(&t, format!("表 {} 给了两次", spec.name)));
            }
            Some(spec) => {
                by_name.insert(spec.name, t);
            }
            None => {
                let names: Vec<String> = specs
                    .iter()
                    .map(|s| format!("{}（{}）", s.name, s.label))
                    .collect();
                problems.push(whole(
                    &t,
                    format!("不是 jx555 的表；表名应为：{}", names.join("、")),
                ));
            }
        }
    }
    // Duplicate keys and unknown enterprises are listed after the cells' problems, table by table.
    let mut across = Problems::default();
    let mut tables = Vec::new();
    // The model lists the enterprises first: the other tables are checked against their keys.
    let mut known = Keys::default();
    for spec in &specs {
        let mut input = by_name.remove(spec.name).unwrap_or_else(|| Input {
            source: spec.name.to_string(),
            name: spec.name.to_string(),
            headers: Vec::new(),
            rows: InputRows::Owned(Rows::default()),
        });
        let rows = std::mem::replace(&mut input.rows, InputRows::Owned(Rows::default()));
        let mut check = TableCheck::new(spec, &input, catalog, &known, &mut problems);
        match rows {
            InputRows::Given(rows) => check.rows(rows, None, rows.len(), &mut problems),
            InputRows::Owned(rows) => check.rows(&rows, None, rows.len(), &mut problems),
            InputRows::Csv(csv) => stream(*csv, &mut check, &mut problems, checked)?,
        }
        checked(spec.name, check.row, check.row);
        let (batch, keys) = check.finish(&mut problems, &mut across);
        tables.extend(batch.map(|b| (spec.name, b)));
        if spec.name == "enterprises" {
            known = keys;
        }
    }
    problems.append(across);
    Ok(if problems.len() == 0 {
        Ok(Dataset { tables })
    } else {
        Err(problems.into_list())
    })
}

/// How many rows of a CSV file are read and checked at a time.
const BATCH_ROWS: usize = 50_000;

/// Reads a CSV file a batch at a time on a thread of its own, its cells too, while the checker puts
/// the batch before into the columns; the batches' buffers go back to the reader to be filled again
/// (no fresh memory per batch).
fn stream(
    mut csv: CsvRows<std::io::BufReader<std::fs::File>>,
    check: &mut TableCheck<'_>,
    problems: &mut Problems,
    checked: Checked<'_>,
) -> Result<(), IoError> {
    type Batch = (Rows, Vec<Read>, String);
    let (full, filled) = std::sync::mpsc::sync_channel::<(Batch, usize)>(2);
    let (empty, emptied) = std::sync::mpsc::channel::<Batch>();
    let reader = check.reader.clone();
    std::thread::scope(|threads| {
        let reading = threads.spawn(move || -> Result<(), IoError> {
            loop {
                let (mut rows, mut read, mut texts) = emptied.try_recv().unwrap_or_default();
                rows.clear();
                read.clear();
                texts.clear();
                if !csv.next_batch(&mut rows, BATCH_ROWS)? {
                    return Ok(());
                }
                if let Some(reader) = &reader {
                    for row in rows.iter() {
                        reader.read(row, &mut read, &mut texts);
                    }
                }
                if full
                    .send(((rows, read, texts), csv.estimated_rows()))
                    .is_err()
                {
                    return Ok(());
                }
            }
        });
        for ((rows, mut read, texts), expected) in filled {
            check.rows(&rows, Some((&mut read, &texts)), expected, problems);
            checked(check.spec.name, check.row, expected.max(check.row));
            // The reader may be done: then the buffers are simply dropped.
            let _ = empty.send((rows, read, texts));
        }
        reading.join().unwrap_or_else(|_| {
            Err(IoError::Format {
                path: check.input.source.clone(),
                message: "reading stopped unexpectedly".into(),
            })
        })
    })
}

/// The keys of a table's rows as written (trimmed; one or two parts each), every row's in one
/// buffer and found by hash: a duplicate is found as its row comes, with no `String` per row.
#[derive(Default)]
struct Keys {
    text: String,
    /// Where each row's key ends in `text`, and how long its first part is.
    ends: Vec<usize>,
    firsts: Vec<u32>,
    rows: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl Keys {
    fn with_capacity(rows: usize, text_bytes: usize) -> Keys {
        Keys {
            text: String::with_capacity(text_bytes),
            ends: Vec::with_capacity(rows),
            firsts: Vec::with_capacity(rows),
            rows: hashbrown::HashTable::with_capacity(rows),
            ..Keys::default()
        }
    }

    fn get(&self, row: u32) -> (&str, &str) {
        let r = row as usize;
        let start = if r == 0 { 0 } else { self.ends[r - 1] };
        let key = &self.text[start..self.ends[r]];
        key.split_at(self.firsts[r] as usize)
    }

    fn hash(&self, key: (&str, &str)) -> u64 {
        self.hasher.hash_one(key)
    }

    /// Adds the next row's key; the earlier row with the same key (0 for the first row), if any.
    /// `None` too when the table has more rows than keys can number (over four billion).
    fn insert(&mut self, key: (&str, &str)) -> Option<usize> {
        let row = u32::try_from(self.ends.len()).ok()?;
        let first = u32::try_from(key.0.len()).ok()?;
        let h = self.hash(key);
        if let Some(&earlier) = self.rows.find(h, |&r| self.get(r) == key) {
            self.push(key, first);
            return Some(earlier as usize);
        }
        self.push(key, first);
        let Keys {
            text,
            ends,
            firsts,
            rows,
            hasher,
        } = self;
        rows.insert_unique(h, row, |&r| {
            let r = r as usize;
            let start = if r == 0 { 0 } else { ends[r - 1] };
            hasher.hash_one(text[start..ends[r]].split_at(firsts[r] as usize))
        });
        None
    }

    fn push(&mut self, key: (&str, &str), first: u32) {
        self.text.push_str(key.0);
        self.text.push_str(key.1);
        self.ends.push(self.text.len());
        self.firsts.push(first);
    }

    /// Whether a row has the one-part key `key`.
    fn contains(&self, key: &str) -> bool {
        let key = (key, "");
        self.rows
            .find(self.hash(key), |&r| self.get(r) == key)
            .is_some()
    }
}

#[cfg(test)]
mod keys_tests {
    use super::Keys;

    #[test]
    fn keys_find_the_earlier_row_of_the_same_parts() {
        let mut keys = Keys::with_capacity(1, 1);
        assert_eq!(keys.insert(("a", "bc")), None);
        assert_eq!(keys.insert(("ab", "c")), None);
        assert_eq!(keys.insert(("x", "")), None);
        assert_eq!(keys.insert(("ab", "c")), Some(1));
        assert_eq!(keys.insert(("a", "bc")), Some(0));
        assert!(keys.contains("x") && !keys.contains("a") && !keys.contains("ab"));
        assert_eq!(keys.get(3), ("ab", "c"));
    }
}

/// At most `n` characters of a text, with … when it is longer.
fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// The most problems kept and listed; past it they are only counted (a file of a million bad rows
/// must not take the memory of a million messages).
pub const MAX_PROBLEMS: usize = 1000;

/// The problems found so far: the first [`MAX_PROBLEMS`], and how many more.
#[derive(Default)]
struct Problems {
    list: Vec<Problem>,
    more: usize,
}

impl Problems {
    fn push(&mut self, p: Problem) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(p);
        } else {
            self.more += 1;
        }
    }

    fn len(&self) -> usize {
        self.list.len() + self.more
    }

    /// `other`'s problems after these (still at most [`MAX_PROBLEMS`] listed, every one counted).
    fn append(&mut self, other: Problems) {
        for p in other.list {
            self.push(p);
        }
        self.more += other.more;
    }

    /// The list, ending with a line for those only counted.
    fn into_list(mut self) -> Vec<Problem> {
        if self.more > 0 {
            self.list.push(Problem {
                source: String::new(),
                table: String::new(),
                row: None,
                column: None,
                value: None,
                reason: format!(
                    "另有 {} 个问题未列出（只列前 {MAX_PROBLEMS} 个）",
                    self.more
                ),
            });
        }
        self.list
    }
}

fn whole(t: &Input<'_>, reason: String) -> Problem {
    Problem {
        source: t.source.clone(),
        table: t.name.clone(),
        row: None,
        column: None,
        value: None,
        reason,
    }
}

/// One table being checked, a batch of rows at a time: headers to columns, cells to values, keys
/// against the rows before and (but for the enterprises) usccs against the enterprises.
struct TableCheck<'a> {
    spec: &'a TableSpec,
    input: &'a Input<'a>,
    known: &'a Keys,
    /// How the cells are read: `None` when the headers are wrong (then only the keys are checked).
    reader: Option<CellReader<'a>>,
    /// The columns being built; dropped at the first problem (the batch is not made, the rows are
    /// still all checked).
    builders: Option<Vec<Builder>>,
    /// The key columns' places, when all are given.
    key_at: Option<Vec<usize>>,
    keys: Keys,
    uscc_at: Option<usize>,
    duplicates: Problems,
    unknown: Problems,
    /// Rows checked so far.
    row: usize,
    cells: Vec<Slot>,
    /// A row's values as read, and their text, when the rows were not read on the reading thread.
    read: Vec<Read>,
    texts: String,
}

/// A cell's value, or why it cannot be read.
type Read = Result<Slot, String>;

/// A cell's value as read; text as its place in the batch's text. A `String` made per text cell on
/// the reading thread and freed on the checker's was a tenth of each thread's time.
#[derive(Debug, Clone, PartialEq)]
enum Slot {
    Cell(Cell),
    Text(std::ops::Range<usize>),
}

/// How a table's cells are read: where each of the model's columns is among the headers, the scale
/// of its values (万元), and the catalog. The reading thread of a CSV file reads a batch's cells with
/// it while the checker puts the batch before into the columns.
#[derive(Clone)]
struct CellReader<'a> {
    spec: &'a TableSpec,
    at: Vec<Option<(usize, Decimal)>>,
    ranges: Vec<model::Range>,
    catalog: Option<&'a Catalog>,
    width: usize,
}

impl CellReader<'_> {
    /// Each column's value in `row` into `out`, in the model's order, their text into `texts`;
    /// nothing when the row has not as many cells as the headers.
    fn read(&self, row: Row<'_>, out: &mut Vec<Read>, texts: &mut String) {
        if row.len() != self.width {
            return;
        }
        for ((col, at), range) in self.spec.columns.iter().zip(&self.at).zip(&self.ranges) {
            out.push(match at {
                None => Ok(Slot::Cell(Cell::Empty)),
                Some((i, scale)) => {
                    cell::value(&row[*i], col.ty, *scale, self.catalog).and_then(|v| match v {
                        cell::Value::Text(t) => {
                            let start = texts.len();
                            texts.push_str(t);
                            Ok(Slot::Text(start..texts.len()))
                        }
                        cell::Value::Cell(c) => range.check(&c).map(|()| Slot::Cell(c)),
                    })
                }
            });
        }
    }
}

impl<'a> TableCheck<'a> {
    /// Maps the headers to the model's columns (their problems into `problems`).
    fn new(
        spec: &'a TableSpec,
        input: &'a Input<'a>,
        catalog: Option<&'a Catalog>,
        known: &'a Keys,
        problems: &mut Problems,
    ) -> TableCheck<'a> {
        let before = problems.len();
        let mut at: Vec<Option<(usize, Decimal)>> = vec![None; spec.columns.len()];
        for (i, full) in input.headers.iter().enumerate() {
            let (name, scale) = header(full);
            // A header is echoed in messages: at most 64 characters of it.
            let h = &clip(full, 64);
            match spec
                .columns
                .iter()
                .position(|c| c.name == name || c.label == name)
            {
                Some(c) if at[c].is_some() => problems.push(Problem {
                    column: Some(h.clone()),
                    ..whole(input, "列重复".into())
                }),
                Some(c) => {
                    if scale != Decimal::ONE && spec.columns[c].ty != ColumnType::Money {
                        problems.push(Problem {
                            column: Some(h.clone()),
                            ..whole(input, "只有金额列可以用万元".into())
                        });
                    }
                    at[c] = Some((i, scale));
                }
                None => {
                    let names: Vec<String> = spec
                        .columns
                        .iter()
                        .map(|c| format!("{}（{}）", c.name, c.label))
                        .collect();
                    problems.push(Problem {
                        column: Some(h.clone()),
                        ..whole(
                            input,
                            format!("不是表 {} 的列；列应为：{}", spec.name, names.join("、")),
                        )
                    });
                }
            }
        }
        for (c, col) in spec.columns.iter().enumerate() {
            if col.required && at[c].is_none() && !input.headers.is_empty() {
                problems.push(Problem {
                    column: Some(col.name.to_string()),
                    ..whole(input, format!("缺少必填列 {}（{}）", col.name, col.label))
                });
            }
        }
        let place = |name: &str| {
            input
                .headers
                .iter()
                .position(|h| spec.column(header(h).0).is_some_and(|c| c.name == name))
        };
        let key_at: Vec<usize> = spec.key().iter().filter_map(|k| place(k)).collect();
        // Keys are one or two columns (`model`'s test holds them to that).
        let key_at = (key_at.len() == spec.key().len() && !key_at.is_empty()).then_some(key_at);
        let reader = CellReader {
            spec,
            at,
            ranges: spec
                .columns
                .iter()
                .map(|c| model::Range::of(spec.name, c))
                .collect(),
            catalog,
            width: input.headers.len(),
        };
        TableCheck {
            spec,
            input,
            known,
            reader: (problems.len() == before).then_some(reader),
            builders: None,
            key_at,
            keys: Keys::default(),
            uscc_at: place("uscc").filter(|_| spec.name != "enterprises"),
            duplicates: Problems::default(),
            unknown: Problems::default(),
            row: 0,
            cells: Vec::with_capacity(spec.columns.len()),
            read: Vec::with_capacity(spec.columns.len()),
            texts: String::new(),
        }
    }

    /// Checks the next rows; `read` holds their values when the reading thread read them (else
    /// they are read here); `expected` is how many rows the whole table is thought to hold (its
    /// columns are sized for them once).
    fn rows(
        &mut self,
        rows: &Rows,
        read: Option<(&mut Vec<Read>, &str)>,
        expected: usize,
        problems: &mut Problems,
    ) {
        if self.row == 0 {
            // Sized once from the first rows (growing by doubling copied every column and took
            // fresh memory each time).
            let expected = expected.max(rows.len());
            let text = |i: usize| -> usize {
                let bytes: usize = rows.iter().map(|r| r.get(i).map_or(0, str::len)).sum();
                bytes.saturating_mul(expected) / rows.len().max(1) / 20 * 21
            };
            if let Some(reader) = &self.reader {
                let builders = self.spec.columns.iter().zip(&reader.at);
                self.builders = Some(
                    builders
                        .map(|(c, at)| Builder::new(c.ty, expected, at.map_or(0, |(i, _)| text(i))))
                        .collect(),
                );
            }
            if let Some(key_at) = &self.key_at {
                self.keys = Keys::with_capacity(expected, key_at.iter().map(|&i| text(i)).sum());
            }
        }
        let mut read = read.map(|(r, texts)| (r.drain(..), texts));
        for row in rows.iter() {
            self.row += 1;
            self.check_keys(row);
            let Some(reader) = &self.reader else {
                continue;
            };
            match read.as_mut() {
                Some((values, texts)) => self.check_cells(row, values, texts, problems),
                None => {
                    let (mut values, mut texts) = (
                        std::mem::take(&mut self.read),
                        std::mem::take(&mut self.texts),
                    );
                    texts.clear();
                    reader.read(row, &mut values, &mut texts);
                    self.check_cells(row, &mut values.drain(..), &texts, problems);
                    (self.read, self.texts) = (values, texts);
                }
            }
        }
    }

    /// The row's key against the rows before, and its uscc against the enterprises.
    fn check_keys(&mut self, row: Row<'_>) {
        if let Some(key_at) = &self.key_at {
            let part = |k: usize| {
                key_at
                    .get(k)
                    .and_then(|&i| row.get(i))
                    .map_or("", str::trim)
            };
            let key = (part(0), part(1));
            if let Some(first) = self.keys.insert(key) {
                self.duplicates.push(Problem {
                    row: Some(self.row),
                    column: Some(self.spec.key().join("+")),
                    value: Some(
                        [key.0, key.1]
                            .iter()
                            .take(key_at.len())
                            .copied()
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                    ..whole(self.input, format!("与第{}行重复", first + 1))
                });
            }
        }
        let uscc = self.uscc_at.and_then(|i| row.get(i)).map(str::trim);
        if let Some(u) = uscc.filter(|u| !u.is_empty()) {
            if !self.known.contains(u) {
                self.unknown.push(Problem {
                    row: Some(self.row),
                    column: Some("uscc".into()),
                    value: Some(u.to_string()),
                    ..whole(self.input, "企业表中没有这家企业".into())
                });
            }
        }
    }

    /// The row's values (read by their columns' types, taken from `values`) into the columns being
    /// built, or its problems.
    fn check_cells(
        &mut self,
        row: Row<'_>,
        values: &mut impl Iterator<Item = Read>,
        texts: &str,
        problems: &mut Problems,
    ) {
        let (spec, t, r) = (self.spec, self.input, self.row);
        if row.len() != t.headers.len() {
            problems.push(Problem {
                row: Some(r),
                ..whole(
                    t,
                    format!("有 {} 个单元格，表头有 {} 列", row.len(), t.headers.len()),
                )
            });
            self.builders = None;
            return;
        }
        self.cells.clear();
        for (c, col) in spec.columns.iter().enumerate() {
            let value = values
                .next()
                .unwrap_or_else(|| Err("（内部）单元格未读".to_string()));
            match value {
                Ok(Slot::Cell(Cell::Empty)) if col.required => {
                    self.builders = None;
                    problems.push(Problem {
                        row: Some(r),
                        column: Some(col.name.to_string()),
                        ..whole(t, format!("{} 必填", col.label))
                    });
                }
                Ok(v) => self.cells.push(v),
                Err(reason) => {
                    self.builders = None;
                    problems.push(Problem {
                        row: Some(r),
                        column: Some(col.name.to_string()),
                        value: self
                            .reader
                            .as_ref()
                            .and_then(|reader| reader.at[c])
                            .map(|(i, _)| clip(&row[i], 64)),
                        ..whole(t, reason)
                    });
                }
            }
        }
        if let Some(builders) = &mut self.builders {
            if spec.name == "enterprises" {
                derive_from_industry(spec, &mut self.cells, texts);
            }
            for (b, c) in builders.iter_mut().zip(&self.cells) {
                b.push(c, texts);
            }
        }
    }

    /// The batch when every row was fine, and the table's keys; the problems across rows go to
    /// `across`.
    fn finish(
        mut self,
        problems: &mut Problems,
        across: &mut Problems,
    ) -> (Option<RecordBatch>, Keys) {
        across.append(std::mem::take(&mut self.duplicates));
        across.append(std::mem::take(&mut self.unknown));
        if self.row == 0 && self.reader.is_some() {
            // No row: the empty columns.
            self.rows(&Rows::default(), None, 0, problems);
        }
        let batch = self.builders.take().and_then(|builders| {
            let columns: Vec<(&str, ArrayRef)> = self
                .spec
                .columns
                .iter()
                .zip(builders)
                .map(|(col, b)| (col.name, b.finish()))
                .collect();
            RecordBatch::try_from_iter(columns)
                .map_err(|e| problems.push(whole(self.input, e.to_string())))
                .ok()
        });
        (batch, self.keys)
    }
}

/// `营业收入（万元）` is the column 营业收入 in 万元; `营业收入（元）` and `营业收入` are in yuan.
fn header(h: &str) -> (&str, Decimal) {
    let h = h.trim().trim_start_matches('\u{feff}');
    for (suffix, scale) in [
        ("（万元）", 10_000),
        ("(万元)", 10_000),
        ("（元）", 1),
        ("(元)", 1),
    ] {
        if let Some(name) = h.strip_suffix(suffix) {
            return (name.trim(), Decimal::from(scale));
        }
    }
    (h, Decimal::ONE)
}

/// Whether an industry code falls in a section.
type IndustryTest = fn(&str) -> bool;

/// A blank `manufacturing` or `industrial` is read off the industry code (GB/T 4754 sections), in
/// one row's cells.
fn derive_from_industry(spec: &TableSpec, cells: &mut [Slot], texts: &str) {
    let at = |name: &str| spec.columns.iter().position(|c| c.name == name);
    let Some(i) = at("industry") else {
        return;
    };
    let derived: [(&str, IndustryTest); 2] = [
        ("manufacturing", cell::is_manufacturing),
        ("industrial", cell::is_industrial),
    ];
    for (name, holds) in derived {
        let Some(m) = at(name) else {
            continue;
        };
        if cells[m] == Slot::Cell(Cell::Empty) {
            if let Slot::Text(code) = &cells[i] {
                cells[m] = Slot::Cell(Cell::Bool(holds(&texts[code.clone()])));
            }
        }
    }
}

/// A column being built from the cells of its rows, straight into Arrow: no cell is held twice.
enum Builder {
    Bool(BooleanBuilder),
    Int(Int64Builder),
    /// Fen in 64 bits: a million enterprises' eight years of five amounts take 320 MB less than in
    /// 128 (validation holds money under [`model::MAX_MONEY_YUAN`], 17 digits of fen).
    Money(Decimal64Builder),
    Decimal(Decimal128Builder),
    Date(Date32Builder),
    Text(StringBuilder),
}

impl Builder {
    /// Room for `rows` values and, in a text column, `text_bytes` of text.
    fn new(ty: ColumnType, rows: usize, text_bytes: usize) -> Builder {
        match ty {
            ColumnType::Bool => Builder::Bool(BooleanBuilder::with_capacity(rows)),
            ColumnType::Int | ColumnType::Year => Builder::Int(Int64Builder::with_capacity(rows)),
            ColumnType::Money => Builder::Money(Decimal64Builder::with_capacity(rows)),
            ColumnType::Decimal | ColumnType::Percent => {
                Builder::Decimal(Decimal128Builder::with_capacity(rows))
            }
            ColumnType::Date => Builder::Date(Date32Builder::with_capacity(rows)),
            _ => Builder::Text(StringBuilder::with_capacity(rows, text_bytes)),
        }
    }

    /// Appends `slot` (its text, if it has any, in `texts`); a value of another kind is null.
    fn push(&mut self, slot: &Slot, texts: &str) {
        let c = match slot {
            Slot::Cell(c) => c,
            Slot::Text(at) => {
                if let Builder::Text(b) = self {
                    b.append_value(&texts[at.clone()]);
                } else {
                    self.push(&Slot::Cell(Cell::Empty), texts);
                }
                return;
            }
        };
        match self {
            Builder::Bool(b) => b.append_option(if let Cell::Bool(v) = c {
                Some(*v)
            } else {
                None
            }),
            Builder::Int(b) => b.append_option(if let Cell::Int(v) = c { Some(*v) } else { None }),
            Builder::Money(b) => b.append_option(match c {
                Cell::Decimal(d) => i64::try_from(at_scale(*d, MONEY_SCALE)).ok(),
                _ => None,
            }),
            Builder::Decimal(b) => b.append_option(match c {
                Cell::Decimal(d) => Some(at_scale(*d, DECIMAL_SCALE)),
                _ => None,
            }),
            Builder::Date(b) => b.append_option(if let Cell::Date(d) = c {
                Some(d.to_days())
            } else {
                None
            }),
            Builder::Text(b) => b.append_option(if let Cell::Text(v) = c {
                Some(v.as_str())
            } else {
                None
            }),
        }
    }

    fn finish(self) -> ArrayRef {
        match self {
            Builder::Bool(mut b) => Arc::new(b.finish()),
            Builder::Int(mut b) => Arc::new(b.finish()),
            Builder::Money(b) => decimals(b, 18, MONEY_SCALE),
            Builder::Decimal(b) => decimals(b, 28, DECIMAL_SCALE),
            Builder::Date(mut b) => Arc::new(b.finish()),
            Builder::Text(mut b) => Arc::new(b.finish()),
        }
    }
}

/// A decimal column with its precision and scale (within Arrow's bounds for its width: they cannot
/// be refused).
fn decimals<T: arrow::datatypes::DecimalType>(
    mut b: arrow::array::PrimitiveBuilder<T>,
    precision: u8,
    scale: u32,
) -> ArrayRef {
    let a = b.finish();
    let scale = i8::try_from(scale).unwrap_or(i8::MAX);
    Arc::new(
        a.clone()
            .with_precision_and_scale(precision, scale)
            .unwrap_or(a),
    )
}

/// Money is kept in fen, other decimals with six places.
const MONEY_SCALE: u32 = 2;
const DECIMAL_SCALE: u32 = 6;

/// The unscaled value of `d` at `scale` places.
fn at_scale(mut d: Decimal, scale: u32) -> i128 {
    d.rescale(scale);
    d.mantissa()
}

/// A decimal column of a dataset, whatever its width (money is `Decimal64`; facts stored before it
/// was held money as `Decimal128`), with its scale: its type looked at once, then read row by row.
#[derive(Debug, Clone, Copy)]
pub enum Decimals<'a> {
    /// 64-bit unscaled values.
    Narrow(&'a arrow::array::Decimal64Array, u32),
    /// 128-bit unscaled values.
    Wide(&'a arrow::array::Decimal128Array, u32),
}

impl<'a> Decimals<'a> {
    /// `a` as a decimal column; `None` when it is not one.
    pub fn of(a: &'a dyn Array) -> Option<Decimals<'a>> {
        match a.data_type() {
            DataType::Decimal64(_, s) => Some(Decimals::Narrow(
                a.as_primitive::<Decimal64Type>(),
                u32::try_from(*s).ok()?,
            )),
            DataType::Decimal128(_, s) => Some(Decimals::Wide(
                a.as_primitive::<Decimal128Type>(),
                u32::try_from(*s).ok()?,
            )),
            _ => None,
        }
    }

    /// Row `r`'s unscaled value and scale; `None` when null.
    pub fn at(&self, r: usize) -> Option<(i128, u32)> {
        match *self {
            Decimals::Narrow(a, s) => a.is_valid(r).then(|| (i128::from(a.value(r)), s)),
            Decimals::Wide(a, s) => a.is_valid(r).then(|| (a.value(r), s)),
        }
    }
}
