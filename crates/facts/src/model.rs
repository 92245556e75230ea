//! The canonical data model: the tables jx555 reads, their columns, types, units and Chinese headers.
//!
//! It is the language's schema (every field a rule can read) plus the keys that tie the tables together,
//! so a fact the rules read always has a column here.

use jx555_lang::schema::{self, FieldType};
use jx555_lang::types::EntityKind;

/// What a column holds, and so how a cell is read and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Free text.
    Text,
    /// 统一社会信用代码, checked per GB 32100-2015.
    Uscc,
    /// One of the 9 counties (县（市、区）).
    County,
    /// A GB/T 4754-2017 code.
    Industry,
    /// A value of a catalog enum (checked when a pack's catalog is given).
    Enum(&'static str),
    /// 是/否.
    Bool,
    /// A whole number.
    Int,
    /// A calendar year.
    Year,
    /// Yuan with at most two decimals (a header may say 万元), never negative.
    Money,
    /// An exact decimal.
    Decimal,
    /// A ratio: `50%` or `0.5`.
    Percent,
    /// `YYYY-MM-DD`.
    Date,
}

impl ColumnType {
    /// A short description for messages and docs.
    pub fn describe(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Uscc => "统一社会信用代码 (18 characters, GB 32100-2015)",
            ColumnType::County => "one of the 9 counties",
            ColumnType::Industry => "a GB/T 4754-2017 code",
            ColumnType::Enum(_) => "a catalog value",
            ColumnType::Bool => "是/否 (true/false)",
            ColumnType::Int => "a whole number",
            ColumnType::Year => "a year",
            ColumnType::Money => "yuan, at most two decimals (万元 if the header says so)",
            ColumnType::Decimal => "a decimal number",
            ColumnType::Percent => "a percent (50%) or a ratio (0.5)",
            ColumnType::Date => "a date, YYYY-MM-DD",
        }
    }
}

/// A column of a canonical table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The English name (the CSV header jx555 writes).
    pub name: &'static str,
    /// The Chinese header (also accepted on import).
    pub label: &'static str,
    /// What it holds.
    pub ty: ColumnType,
    /// Whether every row must have a value.
    pub required: bool,
}

/// A canonical table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    /// The English name (the file name jx555 writes).
    pub name: &'static str,
    /// The Chinese name (also accepted as a file or sheet name).
    pub label: &'static str,
    /// The entity kind, except for enterprise-years and indicators.
    pub kind: Option<EntityKind>,
    /// The columns that identify a row.
    pub key: &'static [&'static str],
    /// The columns, keys first.
    pub columns: Vec<Column>,
}

impl TableSpec {
    /// The column named `name` (English) or labelled `name` (Chinese).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == name || c.label == name)
    }

    /// The columns that identify a row.
    pub fn key(&self) -> &'static [&'static str] {
        self.key
    }
}

/// The enterprise a row is about.
const USCC_COLUMN: Column = Column {
    name: "uscc",
    label: "统一社会信用代码",
    ty: ColumnType::Uscc,
    required: true,
};

/// The year a row is about.
const YEAR_COLUMN: Column = Column {
    name: "year",
    label: "年度",
    ty: ColumnType::Year,
    required: true,
};

/// The table of values entered for targets the facts cannot give (制造业增加值占GDP比重 ...).
pub const INDICATORS: &str = "indicators";

pub use jx555_lang::schema::{ENTERPRISE_YEARS, table_name};

fn column_type(name: &str, ty: FieldType) -> ColumnType {
    match (name, ty) {
        ("uscc", _) => ColumnType::Uscc,
        ("county", _) => ColumnType::County,
        ("industry", _) => ColumnType::Industry,
        (_, FieldType::Bool) => ColumnType::Bool,
        (_, FieldType::Int) => ColumnType::Int,
        (_, FieldType::Year) => ColumnType::Year,
        (_, FieldType::Money) => ColumnType::Money,
        (_, FieldType::Decimal) => ColumnType::Decimal,
        (_, FieldType::Percent) => ColumnType::Percent,
        (_, FieldType::Date) => ColumnType::Date,
        (_, FieldType::Enum(e)) => ColumnType::Enum(e),
        _ => ColumnType::Text,
    }
}

/// The largest amount of money a cell may hold, in yuan (1千万亿元: beyond any enterprise, well
/// inside what the store keeps exactly, fen in 64 bits).
pub const MAX_MONEY_YUAN: i64 = 1_000_000_000_000_000;
/// The largest magnitude of another decimal (areas, ratios, indicators): the store keeps them with
/// six decimals in 64 bits.
pub const MAX_DECIMAL: i64 = 1_000_000_000_000;

/// Whether a value read for `column` of `table` lies in the column's range:
/// see [`Range`]. The reason, in Chinese, when not.
pub fn in_range(table: &str, column: &Column, value: &crate::cell::Cell) -> Result<(), String> {
    Range::of(table, column).check(value)
}

/// A column's range, worked out once per column rather than once per cell: money from 0 up to
/// [`MAX_MONEY_YUAN`]; areas, floor-area ratios, counts and the like never negative; a rank from 1;
/// a progress from 0% to 100%; any decimal inside what the store holds. Only an indicator's value
/// may be negative (a growth rate can fall).
#[derive(Debug, Clone)]
pub struct Range {
    label: &'static str,
    limit: Option<i64>,
    signed: bool,
    rank: bool,
    progress: bool,
}

impl Range {
    /// The range of `column` of `table`.
    pub fn of(table: &str, column: &Column) -> Range {
        Range {
            label: column.label,
            limit: match column.ty {
                ColumnType::Money => Some(MAX_MONEY_YUAN),
                ColumnType::Decimal | ColumnType::Percent => Some(MAX_DECIMAL),
                ColumnType::Int => Some(i64::MAX),
                _ => None,
            },
            signed: (table, column.name) == ("indicators", "value"),
            rank: column.name.ends_with("_rank"),
            progress: column.name == "progress",
        }
    }

    /// Whether `value` lies in the range; the reason, in Chinese, when not.
    pub fn check(&self, value: &crate::cell::Cell) -> Result<(), String> {
        use crate::cell::Cell;
        use rust_decimal::Decimal;
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let v = match value {
            Cell::Decimal(d) => *d,
            Cell::Int(i) => Decimal::from(*i),
            _ => return Ok(()),
        };
        // The magnitude's digits against the limit's at the value's scale, as integers: comparing
        // `Decimal`s rescales them, a twentieth of an import's time over its tens of millions of cells.
        // Past `u128`, the bound is beyond any decimal's 96 bits.
        let bound = 10u128
            .checked_pow(v.scale())
            .and_then(|p| p.checked_mul(u128::from(limit.unsigned_abs())));
        if bound.is_some_and(|b| v.mantissa().unsigned_abs() >= b) {
            return Err(format!("数值过大（须小于 {limit}）"));
        }
        if self.rank && v < Decimal::ONE {
            return Err("名次从 1 起".into());
        }
        if !self.signed && v.is_sign_negative() && !v.is_zero() {
            return Err(format!("{}不能为负", self.label));
        }
        if self.progress && v > Decimal::ONE {
            return Err("进度不能超过 100%".into());
        }
        Ok(())
    }
}

fn required(table: &str, column: &str) -> bool {
    matches!(
        (table, column),
        (_, "uscc" | "id")
            | ("enterprises", "name")
            | (ENTERPRISE_YEARS, "year")
            | ("recognitions", "kind" | "level" | "year")
            | ("projects", "kind")
            | ("organisations", "kind")
    )
}

/// Every canonical table, in the order they are written.
pub fn tables() -> Vec<TableSpec> {
    let mut out = Vec::new();
    for kind in EntityKind::ALL {
        let name = table_name(kind);
        let mut columns = Vec::new();
        let key = if kind == EntityKind::Enterprise {
            "uscc"
        } else {
            "id"
        };
        let key_label = schema::field(kind, key).map_or("编号", |f| f.label);
        columns.push(Column {
            name: key,
            label: key_label,
            ty: column_type(key, FieldType::Text),
            required: true,
        });
        if matches!(
            kind,
            EntityKind::Recognition | EntityKind::Project | EntityKind::LandParcel
        ) {
            columns.push(USCC_COLUMN);
        }
        for f in schema::fields(kind) {
            if f.yearly
                || f.name == key
                || matches!(f.ty, FieldType::Parent(_) | FieldType::Children(_))
            {
                continue;
            }
            columns.push(Column {
                name: f.name,
                label: f.label,
                ty: column_type(f.name, f.ty),
                required: required(name, f.name),
            });
        }
        out.push(TableSpec {
            name,
            label: kind.label(),
            kind: Some(kind),
            key: if kind == EntityKind::Enterprise {
                &["uscc"]
            } else {
                &["id"]
            },
            columns,
        });
        if kind == EntityKind::Enterprise {
            let mut columns = vec![USCC_COLUMN, YEAR_COLUMN];
            for f in schema::fields(kind).iter().filter(|f| f.yearly) {
                columns.push(Column {
                    name: f.name,
                    label: f.label,
                    ty: column_type(f.name, f.ty),
                    required: false,
                });
            }
            out.push(TableSpec {
                name: ENTERPRISE_YEARS,
                label: "企业年度数据",
                kind: None,
                key: &["uscc", "year"],
                columns,
            });
        }
    }
    out.push(TableSpec {
        name: INDICATORS,
        label: "指标数据",
        kind: None,
        key: &["target", "year"],
        columns: vec![
            Column {
                name: "target",
                label: "目标",
                ty: ColumnType::Text,
                required: true,
            },
            YEAR_COLUMN,
            Column {
                name: "value",
                label: "数值",
                ty: ColumnType::Percent,
                required: true,
            },
        ],
    });
    out
}

/// The 9 counties (县（市、区）) of Jiaxing.
pub const COUNTIES: [&str; 9] = [
    "南湖区",
    "秀洲区",
    "嘉善县",
    "平湖市",
    "海盐县",
    "海宁市",
    "桐乡市",
    "嘉兴经济技术开发区",
    "嘉兴港区",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::Cell;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    /// Whether a value is past a limit, as comparing `Decimal`s says.
    fn too_big(value: &Cell, limit: i64) -> bool {
        let v = match value {
            Cell::Decimal(d) => *d,
            Cell::Int(i) => Decimal::from(*i),
            _ => return false,
        };
        v.abs() >= Decimal::from(limit)
    }

    fn columns() -> Vec<(Range, i64)> {
        let t = tables();
        let col = |table: &str, name: &str| {
            let spec = t.iter().find(|s| s.name == table).expect("table");
            Range::of(
                table,
                spec.columns
                    .iter()
                    .find(|c| c.name == name)
                    .expect("column"),
            )
        };
        vec![
            (col(ENTERPRISE_YEARS, "revenue"), MAX_MONEY_YUAN),
            (col("indicators", "value"), MAX_DECIMAL),
            (col("land_parcels", "far"), MAX_DECIMAL),
        ]
    }

    proptest! {
        /// The limit is checked on the integers of the value's digits: the same verdict as the
        /// `Decimal` comparison, at every scale, at and around the limit too.
        #[test]
        fn the_limit_is_the_decimal_comparison(m in -(1i128 << 95)..(1i128 << 95), scale in 0u32..=28, near in -3i128..=3) {
            for (range, limit) in columns() {
                // At and around the limit, at scales where it still fits a decimal's 96 bits.
                let s = scale % 11;
                let at = i128::from(limit) * 10i128.pow(s) + near;
                for cell in [
                    Cell::Decimal(Decimal::from_i128_with_scale(m, scale)),
                    Cell::Decimal(Decimal::from_i128_with_scale(at, s)),
                    Cell::Decimal(Decimal::from_i128_with_scale(-at, s)),
                    Cell::Int(i64::try_from(m >> 32).unwrap_or(i64::MAX)),
                ] {
                    let said = range.check(&cell).is_err_and(|e| e.contains("数值过大"));
                    prop_assert_eq!(said, too_big(&cell, limit), "{:?}", cell);
                }
            }
        }
    }

    /// The import's uniqueness check keys rows by one or two columns without allocating: a key of
    /// more columns needs it widened first.
    #[test]
    fn every_key_is_one_or_two_columns() {
        for t in super::tables() {
            assert!(
                (1..=2).contains(&t.key().len()),
                "{}: {:?}",
                t.name,
                t.key()
            );
        }
    }
}
