//! The types and values of the policy language.
//!
//! Money is exact: a `Decimal` of yuan with at most two decimals (fen). No binary floating point appears.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar date, validated on construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of the month, 1..=31.
    pub day: u8,
}

impl Date {
    /// A date, or `None` when it does not exist (2021-02-29).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Self { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        Self::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }
}

impl Date {
    /// Days since 1970-01-01 (Arrow's Date32).
    pub fn to_days(self) -> i32 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        i32::try_from(era * 146_097 + doe - 719_468).unwrap_or(i32::MAX)
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i32) -> Date {
        let z = i64::from(days) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_days() {
        for (y, m, d) in [(1970, 1, 1), (2020, 2, 29), (2025, 12, 31), (1969, 12, 31)] {
            let date = Date::new(y, m, d).unwrap_or(Date {
                year: 0,
                month: 1,
                day: 1,
            });
            assert_eq!(Date::from_days(date.to_days()), date);
        }
        assert_eq!(Date::new(1970, 1, 2).map(Date::to_days), Some(1));
    }
}

/// The kinds of record a rule can be about, or that a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// 企业, keyed by uscc; its yearly facts come from enterprise-years.
    Enterprise,
    /// 认定/荣誉: kind, level, year of an enterprise.
    Recognition,
    /// 项目 of an enterprise.
    Project,
    /// 小微企业园.
    Park,
    /// 机构: promotion bodies, operators, alliances, platforms, zones.
    Organisation,
    /// 出让地块 of an enterprise.
    LandParcel,
}

impl EntityKind {
    /// Every kind, in schema order.
    pub const ALL: [EntityKind; 6] = [
        EntityKind::Enterprise,
        EntityKind::Recognition,
        EntityKind::Project,
        EntityKind::Park,
        EntityKind::Organisation,
        EntityKind::LandParcel,
    ];

    /// The name used in rules (`for enterprise e`).
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Enterprise => "enterprise",
            EntityKind::Recognition => "recognition",
            EntityKind::Project => "project",
            EntityKind::Park => "park",
            EntityKind::Organisation => "organisation",
            EntityKind::LandParcel => "land_parcel",
        }
    }

    /// The Chinese name, for people.
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Enterprise => "企业",
            EntityKind::Recognition => "认定",
            EntityKind::Project => "项目",
            EntityKind::Park => "小微企业园",
            EntityKind::Organisation => "机构",
            EntityKind::LandParcel => "出让地块",
        }
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A type of the language.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "of", rename_all = "snake_case")]
pub enum Type {
    /// true / false
    Bool,
    /// whole numbers (counts, steps)
    Int,
    /// exact decimals (ratios such as 容积率, areas)
    Decimal,
    /// yuan with fen, exact
    Money,
    /// a ratio shown as percent
    Percent,
    /// a calendar year
    Year,
    /// a calendar date
    Date,
    /// free text
    Text,
    /// a catalog enum, by name
    Enum(String),
    /// one record
    Entity(EntityKind),
    /// the related records of a record
    List(EntityKind),
    /// a parameter table: key type to value type
    Table(Box<Type>, Box<Type>),
    /// a key made of several values
    Tuple(Vec<Type>),
    /// the type of an expression that already failed to check; absorbs further errors
    Error,
}

impl Type {
    /// Numbers that mix freely with each other (a percent is a ratio).
    pub fn is_ratio(&self) -> bool {
        matches!(self, Type::Int | Type::Decimal | Type::Percent)
    }

    /// Types that can be ordered with `<`.
    pub fn is_ordered(&self) -> bool {
        matches!(
            self,
            Type::Int | Type::Decimal | Type::Money | Type::Percent | Type::Year | Type::Date
        )
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Decimal => f.write_str("decimal"),
            Type::Money => f.write_str("money"),
            Type::Percent => f.write_str("percent"),
            Type::Year => f.write_str("year"),
            Type::Date => f.write_str("date"),
            Type::Text => f.write_str("text"),
            Type::Enum(name) => f.write_str(name),
            Type::Entity(k) => f.write_str(k.name()),
            Type::List(k) => write!(f, "list of {}", k.name()),
            Type::Table(k, v) => write!(f, "{k} -> {v}"),
            Type::Tuple(items) => {
                f.write_str("(")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str(")")
            }
            Type::Error => f.write_str("?"),
        }
    }
}

/// A constant value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// bool
    Bool(bool),
    /// int
    Int(i64),
    /// decimal
    Decimal(Decimal),
    /// money in yuan, at most two decimals
    Money(Decimal),
    /// percent as a ratio (10% is 0.1)
    Percent(Decimal),
    /// year
    Year(i32),
    /// date
    Date(Date),
    /// text
    Text(String),
    /// an enum variant: the enum's name and the variant's
    Enum(String, String),
}

impl Value {
    /// The value's type.
    pub fn ty(&self) -> Type {
        match self {
            Value::Bool(_) => Type::Bool,
            Value::Int(_) => Type::Int,
            Value::Decimal(_) => Type::Decimal,
            Value::Money(_) => Type::Money,
            Value::Percent(_) => Type::Percent,
            Value::Year(_) => Type::Year,
            Value::Date(_) => Type::Date,
            Value::Text(_) => Type::Text,
            Value::Enum(e, _) => Type::Enum(e.clone()),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Decimal(d) => write!(f, "{}", d.normalize()),
            Value::Money(m) => write!(f, "{}", format_money(*m)),
            Value::Percent(p) => write!(f, "{}%", (p * Decimal::ONE_HUNDRED).normalize()),
            Value::Year(y) => write!(f, "{y}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::Enum(_, v) => f.write_str(v),
        }
    }
}

/// Money as a reader of the policy writes it: 万 when it is a whole number of 万, else 元.
pub fn format_money(yuan: Decimal) -> String {
    let wan = Decimal::from(10_000);
    if !yuan.is_zero() && (yuan % wan).is_zero() {
        format!("{}万元", (yuan / wan).normalize())
    } else {
        format!("{}元", yuan.normalize())
    }
}
