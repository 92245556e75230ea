//! The facts as the engine reads them: one Arrow table per entity kind, converted to exact columns and
//! indexed once (enterprise by uscc, enterprise-year rows by year, child records by enterprise).

use crate::EngineError;
use crate::col::{Col, ONE, SCALE, gather};
use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Decimal128Array, Int64Array, StringArray, UInt32Array,
};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::{DataType, Decimal64Type, Decimal128Type, Int32Type, Int64Type, UInt16Type};
use arrow::record_batch::RecordBatch;
use jx555_lang::schema::{self, FieldType};
use jx555_lang::types::EntityKind;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use jx555_lang::schema::{ENTERPRISE_YEARS, table_name};

/// The table of values entered for targets the facts cannot give.
pub const INDICATORS: &str = "indicators";

/// One entity kind's records.
#[derive(Debug, Clone)]
pub struct Table {
    /// How many records.
    pub rows: usize,
    /// Each record's id (uscc for enterprises).
    pub ids: StringArray,
    /// Columns by field name.
    pub cols: HashMap<&'static str, FactCol>,
    /// For records that belong to an enterprise: its row.
    pub enterprise: Option<UInt32Array>,
    /// For enterprises: their records of each child kind, grouped.
    children: HashMap<EntityKind, (Vec<u32>, Vec<u32>)>,
}

impl Table {
    fn empty() -> Self {
        Self {
            rows: 0,
            ids: StringArray::from(Vec::<&str>::new()),
            cols: HashMap::new(),
            enterprise: None,
            children: HashMap::new(),
        }
    }

    /// The child records of kind `kind` of enterprise row `row`.
    pub fn children(&self, kind: EntityKind, row: u32) -> &[u32] {
        match self.children.get(&kind) {
            Some((offsets, rows)) => {
                let i = row as usize;
                match (offsets.get(i), offsets.get(i + 1)) {
                    (Some(&a), Some(&b)) => &rows[a as usize..b as usize],
                    _ => &[],
                }
            }
            None => &[],
        }
    }
}

/// The facts indexed for the engine: the store's `Dataset` (the facts crate's canonical tables)
/// turned into typed columns with id, parent and per-year indexes. Everything the engine knows about
/// the world in one run.
#[derive(Debug, Clone)]
pub struct FactIndex {
    tables: HashMap<EntityKind, Table>,
    present: HashMap<&'static str, Vec<String>>,
    year_cols: HashMap<&'static str, FactCol>,
    /// Where an enterprise's row of a year is.
    by_year: YearRows,
    uscc: IdIndex,
    indicators: HashMap<(String, i32), rust_decimal::Decimal>,
}

impl Table {
    /// A text field of a record, when the facts give it.
    pub fn text(&self, column: &str, row: usize) -> Option<&str> {
        self.cols
            .get(column)
            .and_then(FactCol::text)
            .filter(|c| row < c.len() && c.is_valid(row))
            .map(|c| c.value(row))
    }
}

/// A column of the facts as they came. Decimals keep the scale they were given at and the buffer
/// they were read into (indexing copies nothing, and the snapshot is not held twice); they are
/// brought to the engine's [`SCALE`] only for the rows a rule reads.
#[derive(Debug, Clone)]
pub enum FactCol {
    /// A column already in the engine's form.
    Col(Col),
    /// Decimals at their own scale and width (money is 64-bit in the facts, other decimals
    /// 128-bit), and the factor that brings them to the engine's (every valid value was checked to
    /// scale without overflow when the facts were indexed).
    Scaled(ArrayRef, i128),
}

impl FactCol {
    /// The values at `rows`, in the engine's form.
    pub fn take(&self, rows: &UInt32Array) -> Result<Col, EngineError> {
        match self {
            FactCol::Col(c) => c.take(rows),
            // Read as any column is (a constant, a slice, a gather), then scaled.
            FactCol::Scaled(d, _) if d.len() == 1 => Ok(self.clone().into_col()),
            FactCol::Scaled(d, factor) => Ok(scale(&gather(d, rows)?, *factor)),
        }
    }

    /// The whole column in the engine's form.
    fn into_col(self) -> Col {
        match self {
            FactCol::Col(c) => c,
            FactCol::Scaled(d, factor) => scale(d.as_ref(), factor),
        }
    }

    /// `n` nulls of this column's type.
    fn nulls_like(&self, n: usize) -> Col {
        match self {
            FactCol::Col(c) => c.nulls_like(n),
            FactCol::Scaled(..) => Col::Dec(Decimal128Array::new_null(n)),
        }
    }

    /// The text values, for a text or enum column.
    pub fn text(&self) -> Option<&StringArray> {
        match self {
            FactCol::Col(Col::Text(c)) => Some(c),
            _ => None,
        }
    }
}

/// Decimals (64- or 128-bit) brought to the engine's scale. A slot under a null may hold anything:
/// it wraps instead of failing.
fn scale(d: &dyn Array, factor: i128) -> Col {
    Col::Dec(match d.as_primitive_opt::<Decimal64Type>() {
        Some(d) => d.unary::<_, Decimal128Type>(|v| i128::from(v).wrapping_mul(factor)),
        None => d
            .as_primitive::<Decimal128Type>()
            .unary::<_, Decimal128Type>(|v| v.wrapping_mul(factor)),
    })
}

impl FactIndex {
    /// Reads the tables, by name, checking each known column's type and the keys.
    pub fn from_batches(batches: &[(&str, RecordBatch)]) -> Result<FactIndex, EngineError> {
        let find = |name: &str| batches.iter().find(|(n, _)| *n == name).map(|(_, b)| b);
        for (name, _) in batches {
            let known = EntityKind::ALL.iter().any(|k| table_name(*k) == *name)
                || *name == ENTERPRISE_YEARS
                || *name == INDICATORS;
            if !known {
                return Err(EngineError::data(
                    name,
                    None,
                    None,
                    "is not a table jx555 knows",
                ));
            }
        }
        let mut present = HashMap::new();
        let mut tables = HashMap::new();
        for kind in EntityKind::ALL {
            let name = table_name(kind);
            let table = match find(name) {
                Some(batch) => {
                    present.insert(name, column_names(batch));
                    load_table(kind, batch)?
                }
                None => Table::empty(),
            };
            tables.insert(kind, table);
        }
        let uscc = IdIndex::new(
            table_name(EntityKind::Enterprise),
            &tables[&EntityKind::Enterprise].ids,
        )?;

        for kind in [
            EntityKind::Recognition,
            EntityKind::Project,
            EntityKind::LandParcel,
        ] {
            let name = table_name(kind);
            let Some(batch) = find(name) else { continue };
            let owners = text_column(name, "uscc", batch)?;
            let mut rows = Vec::with_capacity(owners.len());
            for (i, u) in owners.iter().enumerate() {
                let row = u.and_then(|u| uscc.get(u)).ok_or_else(|| {
                    EngineError::data(
                        name,
                        Some(i),
                        Some("uscc"),
                        format!(
                            "{} is not an enterprise of the facts",
                            u.unwrap_or("(empty)")
                        ),
                    )
                })?;
                rows.push(row);
            }
            let n = tables[&EntityKind::Enterprise].rows;
            let grouped = group(&rows, n);
            if let Some(t) = tables.get_mut(&kind) {
                t.enterprise = Some(UInt32Array::from(rows));
            }
            if let Some(e) = tables.get_mut(&EntityKind::Enterprise) {
                e.children.insert(kind, grouped);
            }
        }
        let (year_cols, by_year) = match find(ENTERPRISE_YEARS) {
            Some(batch) => {
                present.insert(ENTERPRISE_YEARS, column_names(batch));
                load_years(batch, &tables[&EntityKind::Enterprise].ids, &uscc)?
            }
            None => (HashMap::new(), YearRows::Indexed(BTreeMap::new())),
        };
        let indicators = match find(INDICATORS) {
            Some(batch) => load_indicators(batch)?,
            None => HashMap::new(),
        };
        Ok(FactIndex {
            indicators,
            tables,
            present,
            year_cols,
            by_year,
            uscc,
        })
    }

    /// Who an award line pays: its enterprise's name, or the park's or organisation's own name; the
    /// record's id when the facts give no name.
    pub fn payee(&self, kind: EntityKind, subject: &str, enterprise: Option<&str>) -> String {
        let named = match enterprise {
            Some(u) => self
                .enterprise_row(u)
                .and_then(|r| self.table(EntityKind::Enterprise).text("name", r as usize)),
            None => self
                .row_of(kind, subject)
                .and_then(|r| self.table(kind).text("name", r as usize)),
        };
        named.unwrap_or(subject).to_string()
    }

    /// The records of a kind.
    pub fn table(&self, kind: EntityKind) -> &Table {
        // Every kind is inserted at construction.
        &self.tables[&kind]
    }

    /// The enterprise row of a uscc.
    pub fn enterprise_row(&self, uscc: &str) -> Option<u32> {
        self.uscc.get(uscc)
    }

    /// The row of a record of a kind by its id.
    pub fn row_of(&self, kind: EntityKind, id: &str) -> Option<u32> {
        if kind == EntityKind::Enterprise {
            return self.enterprise_row(id);
        }
        let ids = &self.table(kind).ids;
        (0..ids.len())
            .find(|&i| ids.is_valid(i) && ids.value(i) == id)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// A yearly field of enterprises, read for the given enterprise rows in a year.
    pub fn yearly(
        &self,
        field: &str,
        year: i32,
        enterprises: &UInt32Array,
    ) -> Result<Option<Col>, EngineError> {
        let Some(col) = self.year_cols.get(field) else {
            return Ok(None);
        };
        match self.by_year.rows(year, enterprises)? {
            Some(rows) => Ok(Some(col.take(&rows)?)),
            None => Ok(Some(col.nulls_like(enterprises.len()))),
        }
    }

    /// For each enterprise row of `rows`, the years from the first with data through `year` in which
    /// the yes/no yearly `field` was known true, as bits (bit k for the first year + k). The dense
    /// layout keeps an enterprise's years side by side, so they are read together instead of one
    /// gather per year. `None` (read year by year instead) for any other layout or field, null
    /// rows, a year before the first, or more than 56 years (a window of one 8-byte read).
    pub(crate) fn held_years(
        &self,
        field: &str,
        year: i32,
        rows: &UInt32Array,
    ) -> Option<Vec<u64>> {
        let YearRows::Dense { first, years } = self.by_year else {
            return None;
        };
        let Some(FactCol::Col(Col::Bool(col))) = self.year_cols.get(field) else {
            return None;
        };
        let span = usize::try_from(i64::from(year) - i64::from(first) + 1).ok()?;
        let (years, len) = (years as usize, span.min(years as usize));
        let last = rows.values().iter().max().map_or(0, |e| *e as usize + 1);
        if year < first
            || years > 56
            || rows.null_count() > 0
            || last.checked_mul(years)? > col.len()
        {
            return None;
        }
        let mask = (1u64 << len) - 1;
        // `len` bits from bit `at` of `b`: at most 7 + 56 bits, within 8 bytes.
        let window = |b: &BooleanBuffer, at: usize| {
            let (bytes, bit) = (b.values(), b.offset() + at);
            let word = match bytes.get(bit / 8..bit / 8 + 8) {
                Some(w) => w.try_into().unwrap_or_default(),
                // The last bytes of the buffer.
                None => {
                    let mut w = [0u8; 8];
                    let from = bytes.get(bit / 8..).unwrap_or_default();
                    w[..from.len().min(8)].copy_from_slice(&from[..from.len().min(8)]);
                    w
                }
            };
            (u64::from_le_bytes(word) >> (bit % 8)) & mask
        };
        let (values, nulls) = (col.values(), col.nulls().map(|n| n.inner()));
        Some(
            rows.values()
                .iter()
                .map(|&e| {
                    let at = e as usize * years;
                    window(values, at) & nulls.map_or(u64::MAX, |n| window(n, at))
                })
                .collect(),
        )
    }

    /// The value entered for a target in a year.
    pub fn indicator(&self, target: &str, year: i32) -> Option<rust_decimal::Decimal> {
        self.indicators.get(&(target.to_string(), year)).copied()
    }

    /// The first year with enterprise-year data.
    pub fn first_year(&self) -> Option<i32> {
        self.by_year.first()
    }

    /// The last year the enterprise-year rows cover.
    pub fn last_year(&self) -> Option<i32> {
        self.by_year.last()
    }

    /// Whether the enterprise-year rows cover `year`: a year they do not is a year with no data,
    /// not a year of zeros.
    pub fn has_year(&self, year: i32) -> bool {
        self.by_year.has(year)
    }

    /// Whether the facts hold a table (empty or not).
    pub fn has_table(&self, table: &str) -> bool {
        self.present.contains_key(table)
    }

    /// Whether a table has a column (for yearly fields, the enterprise-years table).
    pub fn has_column(&self, table: &str, column: &str) -> bool {
        self.present
            .get(table)
            .is_some_and(|cols| cols.iter().any(|c| c == column))
    }
}

fn column_names(batch: &RecordBatch) -> Vec<String> {
    batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

fn load_indicators(
    batch: &RecordBatch,
) -> Result<HashMap<(String, i32), rust_decimal::Decimal>, EngineError> {
    let targets = text_column(INDICATORS, "target", batch)?;
    let column = |name: &str, ty: FieldType| -> Result<Col, EngineError> {
        let a = batch
            .column_by_name(name)
            .ok_or_else(|| EngineError::data(INDICATORS, None, Some(name), "is missing"))?;
        convert(INDICATORS, name, ty, a.as_ref())?
            .map(FactCol::into_col)
            .ok_or_else(|| EngineError::internal("indicator column"))
    };
    let (Col::Int(years), Col::Dec(values)) = (
        column("year", FieldType::Year)?,
        column("value", FieldType::Decimal)?,
    ) else {
        return Err(EngineError::internal("indicator columns"));
    };
    let mut out = HashMap::new();
    for i in 0..batch.num_rows() {
        if targets.is_valid(i) && years.is_valid(i) && values.is_valid(i) {
            let year = i32::try_from(years.value(i)).unwrap_or(0);
            out.insert(
                (targets.value(i).to_string(), year),
                crate::col::from_fixed(values.value(i)),
            );
        }
    }
    Ok(out)
}

fn group(owner: &[u32], n: usize) -> (Vec<u32>, Vec<u32>) {
    let mut counts = vec![0u32; n + 1];
    for &o in owner {
        counts[o as usize + 1] += 1;
    }
    for i in 0..n {
        counts[i + 1] += counts[i];
    }
    let mut next = counts.clone();
    let mut rows = vec![0u32; owner.len()];
    for (child, &o) in owner.iter().enumerate() {
        rows[next[o as usize] as usize] = u32::try_from(child).unwrap_or(u32::MAX);
        next[o as usize] += 1;
    }
    (counts, rows)
}

/// Rows by id, without a copy of each id: the table holds row numbers, hashed by the id text in the
/// ids column (a million 统一社会信用代码 index in a third of the time owned keys take).
#[derive(Debug, Clone)]
struct IdIndex {
    ids: StringArray,
    rows: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl IdIndex {
    /// The index of `ids`; an id missing or given twice is an error naming its row.
    fn new(table: &str, ids: &StringArray) -> Result<IdIndex, EngineError> {
        use std::hash::BuildHasher;
        // foldhash, randomly seeded: a third of SipHash's time on a million ids.
        let hasher = hashbrown::DefaultHashBuilder::default();
        let mut rows = hashbrown::HashTable::with_capacity(ids.len());
        for i in 0..ids.len() {
            if ids.is_null(i) {
                return Err(EngineError::data(table, Some(i), None, "has no id"));
            }
            let row = u32::try_from(i)
                .map_err(|_| EngineError::data(table, Some(i), None, "too many rows"))?;
            let id = ids.value(i);
            let h = hasher.hash_one(id);
            match rows.entry(
                h,
                |&r: &u32| ids.value(r as usize) == id,
                |&r: &u32| hasher.hash_one(ids.value(r as usize)),
            ) {
                hashbrown::hash_table::Entry::Occupied(_) => {
                    return Err(EngineError::data(
                        table,
                        Some(i),
                        None,
                        format!("id {id} appears twice"),
                    ));
                }
                hashbrown::hash_table::Entry::Vacant(v) => {
                    v.insert(row);
                }
            }
        }
        Ok(IdIndex {
            ids: ids.clone(),
            rows,
            hasher,
        })
    }

    /// The row of `id`.
    fn get(&self, id: &str) -> Option<u32> {
        use std::hash::BuildHasher;
        self.rows
            .find(self.hasher.hash_one(id), |&r| {
                self.ids.value(r as usize) == id
            })
            .copied()
    }
}

fn text_column<'a>(
    table: &str,
    column: &str,
    batch: &'a RecordBatch,
) -> Result<&'a StringArray, EngineError> {
    let a = batch
        .column_by_name(column)
        .ok_or_else(|| EngineError::data(table, None, Some(column), "is missing"))?;
    a.as_string_opt::<i32>().ok_or_else(|| {
        EngineError::data(
            table,
            None,
            Some(column),
            format!("should be text, is {}", a.data_type()),
        )
    })
}

fn load_table(kind: EntityKind, batch: &RecordBatch) -> Result<Table, EngineError> {
    let name = table_name(kind);
    let key = if kind == EntityKind::Enterprise {
        "uscc"
    } else {
        "id"
    };
    let ids = text_column(name, key, batch)?.clone();
    if kind != EntityKind::Enterprise {
        IdIndex::new(name, &ids)?;
    }
    let cols = convert_all(name, batch, |f| !f.yearly, kind)?;
    Ok(Table {
        rows: batch.num_rows(),
        ids,
        cols,
        enterprise: None,
        children: HashMap::new(),
    })
}

type YearIndex = (HashMap<&'static str, FactCol>, YearRows);

/// Where each enterprise's row of a year is in the enterprise-years table.
#[derive(Debug, Clone)]
enum YearRows {
    /// Every enterprise has every year from `first`, its rows together in the enterprises' order
    /// and ascending years (as the store and the demo write them): the row is arithmetic, with no
    /// index to build or to read through.
    Dense { first: i32, years: u32 },
    /// Any other layout: for each year with data, enterprise row to enterprise-years row (null when
    /// absent).
    Indexed(BTreeMap<i32, UInt32Array>),
}

impl YearRows {
    fn has(&self, year: i32) -> bool {
        match self {
            YearRows::Dense { first, years } => {
                year >= *first && i64::from(year - first) < i64::from(*years)
            }
            YearRows::Indexed(m) => m.contains_key(&year),
        }
    }

    fn first(&self) -> Option<i32> {
        match self {
            YearRows::Dense { first, .. } => Some(*first),
            YearRows::Indexed(m) => m.keys().next().copied(),
        }
    }

    fn last(&self) -> Option<i32> {
        match self {
            YearRows::Dense { first, years } => i32::try_from(*years).ok().map(|y| first + y - 1),
            YearRows::Indexed(m) => m.keys().next_back().copied(),
        }
    }

    /// The enterprise-years rows of `enterprises` in `year` (null where they have none); `None` for
    /// a year without data.
    fn rows(
        &self,
        year: i32,
        enterprises: &UInt32Array,
    ) -> Result<Option<UInt32Array>, EngineError> {
        Ok(match self {
            YearRows::Dense { first, years } => self.has(year).then(|| {
                let k = year.abs_diff(*first);
                enterprises.unary(|e| e.wrapping_mul(*years).wrapping_add(k))
            }),
            YearRows::Indexed(m) => match m.get(&year) {
                Some(rows) => Some(
                    arrow::compute::take(rows, enterprises, None)?
                        .as_primitive()
                        .clone(),
                ),
                None => None,
            },
        })
    }
}

fn load_years(
    batch: &RecordBatch,
    ids: &StringArray,
    uscc: &IdIndex,
) -> Result<YearIndex, EngineError> {
    let owners = text_column(ENTERPRISE_YEARS, "uscc", batch)?;
    let years = match convert(
        ENTERPRISE_YEARS,
        "year",
        FieldType::Year,
        batch
            .column_by_name("year")
            .map(|a| a.as_ref())
            .ok_or_else(|| EngineError::data(ENTERPRISE_YEARS, None, Some("year"), "is missing"))?,
    )? {
        Some(FactCol::Col(Col::Int(y))) => y,
        _ => {
            return Err(EngineError::data(
                ENTERPRISE_YEARS,
                None,
                Some("year"),
                "should be whole years",
            ));
        }
    };
    let cols = convert_all(
        ENTERPRISE_YEARS,
        batch,
        |f| f.yearly,
        EntityKind::Enterprise,
    )?;
    if let Some(dense) = dense(owners, &years, ids) {
        return Ok((cols, dense));
    }
    let n = ids.len();
    let mut by_year: BTreeMap<i32, Vec<Option<u32>>> = BTreeMap::new();
    // Rows usually come grouped by enterprise in the enterprises' order (as the store writes them):
    // the row of the previous line, or the next, is tried before the index is asked.
    let mut last = 0usize;
    for i in 0..batch.num_rows() {
        let here = owners.is_valid(i).then(|| owners.value(i));
        let near = here.and_then(|u| {
            [last, last + 1]
                .into_iter()
                .find(|&r| r < ids.len() && ids.value(r) == u)
        });
        let row = near
            .and_then(|r| u32::try_from(r).ok())
            .or_else(|| here.and_then(|u| uscc.get(u)))
            .ok_or_else(|| {
                EngineError::data(
                    ENTERPRISE_YEARS,
                    Some(i),
                    Some("uscc"),
                    "is not an enterprise of the facts",
                )
            })?;
        let year = years
            .is_valid(i)
            .then(|| i32::try_from(years.value(i)).ok())
            .flatten()
            .filter(|y| (1949..=2100).contains(y))
            .ok_or_else(|| {
                EngineError::data(
                    ENTERPRISE_YEARS,
                    Some(i),
                    Some("year"),
                    "is not a plausible year",
                )
            })?;
        last = row as usize;
        let slot = &mut by_year.entry(year).or_insert_with(|| vec![None; n])[row as usize];
        if slot.replace(u32::try_from(i).unwrap_or(u32::MAX)).is_some() {
            return Err(EngineError::data(
                ENTERPRISE_YEARS,
                Some(i),
                None,
                format!("{} has two rows for {year}", owners.value(i)),
            ));
        }
    }
    let by_year = by_year
        .into_iter()
        .map(|(y, rows)| (y, UInt32Array::from(rows)))
        .collect();
    Ok((cols, YearRows::Indexed(by_year)))
}

/// The dense layout, when the rows have it: row `i` is enterprise `i / years` in year
/// `first + i % years`. Anything else (a missing year, another order, a bad value) is left to the
/// indexed layout, which also names the faults.
fn dense(owners: &StringArray, years: &Int64Array, ids: &StringArray) -> Option<YearRows> {
    let n = ids.len();
    if n == 0 || years.null_count() > 0 || owners.null_count() > 0 {
        return None;
    }
    let (lo, hi) = (arrow::compute::min(years)?, arrow::compute::max(years)?);
    let first = i32::try_from(lo)
        .ok()
        .filter(|y| (1949..=2100).contains(y))?;
    let span = u32::try_from(hi - lo + 1).ok().filter(|_| hi <= 2100)?;
    let per = span as usize;
    if years.len() != n.checked_mul(per)? || u32::try_from(years.len()).is_err() {
        return None;
    }
    let in_order = years
        .values()
        .chunks_exact(per)
        .all(|c| c.iter().zip(lo..).all(|(y, want)| *y == want));
    let owned = in_order
        && (0..n).all(|e| {
            let id = ids.value(e);
            (e * per..(e + 1) * per).all(|i| owners.value(i) == id)
        });
    owned.then_some(YearRows::Dense { first, years: span })
}

/// The columns of `kind`'s fields that `which` picks, converted.
fn convert_all(
    table: &str,
    batch: &RecordBatch,
    which: impl Fn(&schema::Field) -> bool,
    kind: EntityKind,
) -> Result<HashMap<&'static str, FactCol>, EngineError> {
    let mut cols = HashMap::new();
    for f in schema::fields(kind).iter().filter(|f| which(f)) {
        if let Some(a) = batch.column_by_name(f.name) {
            if let Some(col) = convert(table, f.name, f.ty, a.as_ref())? {
                cols.insert(f.name, col);
            }
        }
    }
    Ok(cols)
}

/// Converts an input column to the engine's exact form, or says why it cannot.
fn convert(
    table: &str,
    column: &str,
    ty: FieldType,
    a: &dyn Array,
) -> Result<Option<FactCol>, EngineError> {
    let bad = |what: &str| {
        EngineError::data(
            table,
            None,
            Some(column),
            format!("should be {what}, is {}", a.data_type()),
        )
    };
    Ok(Some(FactCol::Col(match ty {
        FieldType::Parent(_) | FieldType::Children(_) => return Ok(None),
        FieldType::Bool => Col::Bool(a.as_boolean_opt().ok_or_else(|| bad("true/false"))?.clone()),
        FieldType::Int | FieldType::Year => Col::Int(match a.data_type() {
            DataType::Int64 => a.as_primitive::<Int64Type>().clone(),
            DataType::Int32 => a.as_primitive::<Int32Type>().unary(i64::from),
            DataType::UInt16 => a.as_primitive::<UInt16Type>().unary(i64::from),
            _ => return Err(bad("whole numbers")),
        }),
        FieldType::Decimal | FieldType::Money | FieldType::Percent => {
            // The engine holds 10 decimals: a decimal's scale may be at most that.
            let decimals = |s: i8| {
                u32::try_from(s)
                    .ok()
                    .filter(|s| *s <= SCALE)
                    .ok_or_else(|| bad("a decimal with at most 10 decimals"))
            };
            Col::Dec(match a.data_type() {
                // Money as the facts keep it: 64-bit fen, widened only for the rows a rule reads
                // (any value scales to the engine's 128 bits without overflow).
                DataType::Decimal64(_, s) => {
                    let s = decimals(*s)?;
                    let d = a.as_primitive::<Decimal64Type>();
                    if ty == FieldType::Money && d.values().iter().any(|v| *v < 0) {
                        if let Some(i) = (0..d.len()).find(|i| d.is_valid(*i) && d.value(*i) < 0) {
                            return Err(EngineError::data(
                                table,
                                Some(i),
                                Some(column),
                                "is a negative amount of money",
                            ));
                        }
                    }
                    return Ok(Some(FactCol::Scaled(
                        Arc::new(d.clone()),
                        10i128.pow(SCALE - s),
                    )));
                }
                DataType::Decimal128(_, s) => {
                    let s = decimals(*s)?;
                    let factor = 10i128.pow(SCALE - s);
                    let d = a.as_primitive::<Decimal128Type>();
                    // Every value within ±limit scales without overflow: one pass over the raw
                    // values finds whether any could not (or any money is negative); only then
                    // are the valid ones looked at one by one, to name the row.
                    let limit = i128::MAX / factor;
                    let money = ty == FieldType::Money;
                    let suspect = d
                        .values()
                        .iter()
                        .any(|v| *v > limit || *v < -limit || (money && *v < 0));
                    if suspect {
                        for i in (0..d.len()).filter(|i| d.is_valid(*i)) {
                            let v = d.value(i);
                            if money && v < 0 {
                                return Err(EngineError::data(
                                    table,
                                    Some(i),
                                    Some(column),
                                    "is a negative amount of money",
                                ));
                            }
                            if v.checked_mul(factor).is_none() {
                                return Err(EngineError::data(
                                    table,
                                    Some(i),
                                    Some(column),
                                    "is too large",
                                ));
                            }
                        }
                    }
                    return Ok(Some(match factor {
                        1 => FactCol::Col(Col::Dec(
                            d.clone()
                                .with_data_type(DataType::Decimal128(38, SCALE as i8)),
                        )),
                        _ => FactCol::Scaled(Arc::new(d.clone()), factor),
                    }));
                }
                DataType::Int64 => a.as_primitive::<Int64Type>().unary(|v| i128::from(v) * ONE),
                DataType::Int32 => a.as_primitive::<Int32Type>().unary(|v| i128::from(v) * ONE),
                DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                    return Err(EngineError::data(
                        table,
                        None,
                        Some(column),
                        "is binary floating point; give exact decimals (Decimal128), money in yuan with fen",
                    ));
                }
                _ => return Err(bad("exact decimals")),
            })
        }
        FieldType::Text | FieldType::Enum(_) => {
            Col::Text(a.as_string_opt::<i32>().ok_or_else(|| bad("text"))?.clone())
        }
        FieldType::Date => Col::Date(
            a.as_primitive_opt()
                .ok_or_else(|| bad("dates (Date32)"))?
                .clone(),
        ),
    })))
}

/// A table built in code, for tests and demo data: columns by name.
pub fn batch(columns: Vec<(&str, arrow::array::ArrayRef)>) -> Result<RecordBatch, EngineError> {
    Ok(RecordBatch::try_from_iter(
        columns.into_iter().map(|(n, a)| (n.to_string(), a)),
    )?)
}

/// Money in yuan with fen, as the facts give it (`Decimal128(20, 2)`), from fen.
pub fn money_fen(values: Vec<Option<i64>>) -> Decimal128Array {
    Decimal128Array::from(
        values
            .into_iter()
            .map(|v| v.map(i128::from))
            .collect::<Vec<_>>(),
    )
    .with_precision_and_scale(20, 2)
    .unwrap_or_else(|_| Decimal128Array::from(Vec::<i128>::new()))
}

/// Booleans, for tests and demo data.
pub fn bools(values: Vec<Option<bool>>) -> BooleanArray {
    BooleanArray::from(values)
}

/// Whole numbers, for tests and demo data.
pub fn ints(values: Vec<Option<i64>>) -> Int64Array {
    Int64Array::from(values)
}
