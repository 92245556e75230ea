//! Reading one cell: text as people type it in spreadsheets, to a typed value, or the reason it is wrong.

use crate::model::{COUNTIES, ColumnType};
use jx555_lang::pack::catalog::Catalog;
use jx555_lang::types::Date;
use rust_decimal::Decimal;
use std::collections::HashSet;
use std::str::FromStr;
use std::sync::OnceLock;

/// A cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Empty: the fact is not known.
    Empty,
    /// Text, a code or a catalog value.
    Text(String),
    /// 是/否.
    Bool(bool),
    /// A whole number or a year.
    Int(i64),
    /// Money in yuan (two decimals), a decimal or a ratio.
    Decimal(Decimal),
    /// A date.
    Date(Date),
}

/// The longest text cell, in bytes (a name or a title is far shorter; a megabyte cell is an error
/// of the file, not a fact).
pub const MAX_TEXT_BYTES: usize = 2000;

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as written to CSV for spreadsheet tools: one that begins like a formula (`=`, `+`,
/// `-`, `@`, tab, carriage return) gets a leading `'`, so a name like `=HYPERLINK(…)` is shown, not
/// run (OWASP's advice on CSV injection). [`read`] takes the `'` off again, so facts round-trip.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_START) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// The text a [`spreadsheet_safe`] cell stands for.
pub fn from_spreadsheet_safe(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => text,
    }
}

/// Reads a cell of a column. `scale` is 10,000 when the header says 万元.
pub fn read(
    text: &str,
    ty: ColumnType,
    scale: Decimal,
    catalog: Option<&Catalog>,
) -> Result<Cell, String> {
    value(text, ty, scale, catalog).map(|v| match v {
        Value::Text(t) => Cell::Text(t.to_string()),
        Value::Cell(c) => c,
    })
}

/// A cell read by its column's type, its text still borrowed from the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'t> {
    /// Text, a code or a catalog value, as it is kept (trimmed, a spreadsheet's `'` taken off).
    Text(&'t str),
    /// Anything else, or empty.
    Cell(Cell),
}

/// What [`read`] reads, without a `String` per text cell: an import reads tens of millions.
pub fn value<'t>(
    text: &'t str,
    ty: ColumnType,
    scale: Decimal,
    catalog: Option<&Catalog>,
) -> Result<Value<'t>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Value::Cell(Cell::Empty));
    }
    let cell = match ty {
        ColumnType::Text if t.len() > MAX_TEXT_BYTES => Err(format!(
            "文字过长（{} 字节；最多 {MAX_TEXT_BYTES}）",
            t.len()
        )),
        ColumnType::Text => return Ok(Value::Text(from_spreadsheet_safe(t))),
        ColumnType::Uscc => return uscc(t).map(|()| Value::Text(t)),
        ColumnType::County => {
            if COUNTIES.contains(&t) {
                return Ok(Value::Text(t));
            }
            Err(format!(
                "不是嘉兴的县（市、区）之一；应为：{}",
                COUNTIES.join("、")
            ))
        }
        ColumnType::Industry => {
            if industry_codes().contains(t) {
                return Ok(Value::Text(t));
            }
            Err("不是 GB/T 4754-2017 的行业代码（如 1711、3825）".to_string())
        }
        ColumnType::Enum(name) => match catalog.and_then(|c| c.enums.get(name)) {
            Some(e) if !e.values.contains_key(t) => {
                let values: Vec<&str> = e.values.keys().map(String::as_str).collect();
                Err(format!("不在目录 {name} 中；应为：{}", values.join("、")))
            }
            _ => return Ok(Value::Text(t)),
        },
        ColumnType::Bool => match t {
            "是" | "true" | "TRUE" | "True" | "1" | "Y" | "y" => Ok(Cell::Bool(true)),
            "否" | "false" | "FALSE" | "False" | "0" | "N" | "n" => Ok(Cell::Bool(false)),
            _ => Err("应为 是 或 否".to_string()),
        },
        ColumnType::Int => t
            .parse::<i64>()
            .map(Cell::Int)
            .map_err(|_| "应为整数".to_string()),
        ColumnType::Year => match t.trim_end_matches('年').parse::<i64>() {
            Ok(y) if (1949..=2100).contains(&y) => Ok(Cell::Int(y)),
            _ => Err("不是合理的年份（1949–2100）".to_string()),
        },
        ColumnType::Money => {
            let d = match number(t)? {
                d if scale == Decimal::ONE => d,
                d => d.checked_mul(scale).ok_or("金额过大")?,
            };
            if d.is_sign_negative() && !d.is_zero() {
                return Err("金额不能为负".to_string());
            }
            // Tens of millions of cells have two places or fewer: only the others are normalized
            // (1.500 is 1.5).
            if d.scale() > 2 && d.normalize().scale() > 2 {
                return Err("金额精确到分（元的两位小数）".to_string());
            }
            Ok(Cell::Decimal(d))
        }
        ColumnType::Decimal => number(t).map(|d| Cell::Decimal(d.normalize())),
        ColumnType::Percent => match t.strip_suffix('%') {
            Some(p) => number(p).map(|d| Cell::Decimal((d / Decimal::ONE_HUNDRED).normalize())),
            None => number(t).map(|d| Cell::Decimal(d.normalize())),
        },
        ColumnType::Date => Date::parse(&t.replace('/', "-"))
            .map(Cell::Date)
            .ok_or_else(|| "不是日期（YYYY-MM-DD）".to_string()),
    };
    cell.map(Value::Cell)
}

/// A number as spreadsheets write it: thousands separators allowed, never NaN or infinity.
fn number(t: &str) -> Result<Decimal, String> {
    // Tens of millions of cells: a copy only of those with separators.
    let cleaned = match t.contains(',') || t.contains('，') {
        true => std::borrow::Cow::Owned(t.chars().filter(|c| *c != ',' && *c != '，').collect()),
        false => std::borrow::Cow::Borrowed(t),
    };
    Decimal::from_str(&cleaned)
        .or_else(|_| Decimal::from_scientific(&cleaned))
        .map_err(|_| "应为数字".to_string())
}

/// A binary floating-point number from a spreadsheet or a Parquet file, read at Excel's own precision
/// (15 significant digits) as an exact decimal: 1234.56 stays 1234.56, and =0.1+0.2 is 0.3.
pub fn spreadsheet_number(f: f64) -> String {
    match Decimal::from_scientific(&format!("{f:.14e}")) {
        Ok(d) => d.normalize().to_string(),
        Err(_) => format!("{f}"),
    }
}

const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Each ASCII character's value in the code's alphabet (its place in `USCC_CHARS`), `u8::MAX` for
/// the others. An import checks eight million codes; searching the alphabet for each character was
/// a tenth of its CPU.
const USCC_VALUES: [u8; 128] = {
    let mut values = [u8::MAX; 128];
    let chars = USCC_CHARS.as_bytes();
    let mut i = 0;
    while i < chars.len() {
        values[chars[i] as usize] = i as u8;
        i += 1;
    }
    values
};

/// A character's value in the code's alphabet.
fn uscc_value(c: char) -> Option<u32> {
    let v = *USCC_VALUES.get(c as usize)?;
    (v != u8::MAX).then_some(u32::from(v))
}

/// The character of a value of the code's alphabet (below 31).
fn uscc_char(v: u32) -> char {
    USCC_CHARS
        .as_bytes()
        .get(v as usize)
        .map_or('0', |b| char::from(*b))
}
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Checks a 统一社会信用代码 per GB 32100-2015: 18 characters from the code's alphabet, the last a
/// check character over the first 17.
pub fn uscc(code: &str) -> Result<(), String> {
    let count = code.chars().count();
    if count != 18 {
        return Err(format!("统一社会信用代码应为 18 位，此为 {count} 位"));
    }
    let mut sum = 0;
    let mut chars = code.chars();
    for (i, c) in chars.by_ref().take(17).enumerate() {
        let v = uscc_value(c)
            .ok_or_else(|| format!("第 {} 位 `{c}` 不是统一社会信用代码允许的字符", i + 1))?;
        sum += v * USCC_WEIGHTS[i];
    }
    let expected = uscc_char((31 - sum % 31) % 31);
    match chars.next() {
        Some(last) if last == expected => Ok(()),
        last => Err(format!(
            "校验位应为 {expected}，此为 {}",
            last.unwrap_or_default()
        )),
    }
}

/// Completes 17 characters into a valid 统一社会信用代码 (for demo data and tests).
pub fn with_check_char(first17: &str) -> String {
    let sum: u32 = first17
        .chars()
        .zip(USCC_WEIGHTS)
        .map(|(c, w)| uscc_value(c).unwrap_or(0) * w)
        .sum();
    format!("{first17}{}", uscc_char((31 - sum % 31) % 31))
}

const GBT4754: &str = include_str!("../data/gbt4754-2017.csv");

/// Every code of GB/T 4754-2017 (with its 2019 amendment).
pub fn industry_codes() -> &'static HashSet<&'static str> {
    static CODES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    CODES.get_or_init(|| {
        GBT4754
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .collect()
    })
}

/// The name of an industry code.
pub fn industry_name(code: &str) -> Option<&'static str> {
    GBT4754.lines().skip(1).find_map(|l| {
        let mut parts = l.split(',');
        (parts.next() == Some(code)).then(|| parts.nth(1)).flatten()
    })
}

/// Whether a code is in manufacturing (section C: divisions 13–43).
pub fn is_manufacturing(code: &str) -> bool {
    division(code).is_some_and(|d| (13..=43).contains(&d))
}

/// Whether a code is in industry (工业: sections B, C and D, divisions 06–46), as （十二） says 工业企业.
pub fn is_industrial(code: &str) -> bool {
    division(code).is_some_and(|d| (6..=46).contains(&d))
}

fn division(code: &str) -> Option<u32> {
    code.get(..2).and_then(|d| d.parse::<u32>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_as_the_decimals_people_typed() {
        assert_eq!(spreadsheet_number(1234.56), "1234.56");
        assert_eq!(spreadsheet_number(0.1 + 0.2), "0.3");
        assert_eq!(spreadsheet_number(1.1 * 3.0), "3.3");
        assert_eq!(spreadsheet_number(2021.0), "2021");
        assert_eq!(spreadsheet_number(8333.33), "8333.33");
    }

    #[test]
    fn formula_cells_are_neutralised_and_read_back() {
        for t in ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx"] {
            let safe = spreadsheet_safe(t);
            assert!(safe.starts_with('\''), "{t}");
            assert_eq!(from_spreadsheet_safe(&safe), t);
        }
        assert_eq!(spreadsheet_safe("嘉兴"), "嘉兴");
        assert_eq!(from_spreadsheet_safe("'quoted"), "'quoted");
    }

    #[test]
    fn uscc_checksums() {
        // A published code (国家市场监督管理总局's example form) and its corrupted twin.
        let good = with_check_char("91330400MA28A0000");
        assert!(uscc(&good).is_ok());
        let mut bad = good.clone();
        bad.pop();
        bad.push(if good.ends_with('0') { '1' } else { '0' });
        assert!(uscc(&bad).is_err());
        assert!(uscc("91330400MA28A000").is_err());
        assert!(uscc("91330400MA28A0000I").is_err());
        assert!(uscc("9133040嘉MA28A00001").is_err());
        assert!(uscc("91350100M000100Y43").is_ok());
    }

    #[test]
    fn cells_as_spreadsheets_write_them() {
        let wan = Decimal::from(10_000);
        assert_eq!(
            read("1,234.5", ColumnType::Money, Decimal::ONE, None),
            Ok(Cell::Decimal(Decimal::new(12345, 1)))
        );
        assert_eq!(
            read("1.2345", ColumnType::Money, wan, None),
            Ok(Cell::Decimal(Decimal::from(12345)))
        );
        assert!(read("1.2345678", ColumnType::Money, wan, None).is_err());
        // To the fen: trailing zeros do not count, a third place does.
        assert_eq!(
            read("1.500", ColumnType::Money, Decimal::ONE, None),
            Ok(Cell::Decimal(Decimal::new(15, 1)))
        );
        assert!(read("1.005", ColumnType::Money, Decimal::ONE, None).is_err());
        assert!(read("-1", ColumnType::Money, Decimal::ONE, None).is_err());
        assert!(read("NaN", ColumnType::Money, Decimal::ONE, None).is_err());
        assert_eq!(
            read("50%", ColumnType::Percent, Decimal::ONE, None),
            Ok(Cell::Decimal(Decimal::new(5, 1)))
        );
        assert_eq!(
            read("是", ColumnType::Bool, Decimal::ONE, None),
            Ok(Cell::Bool(true))
        );
        assert!(read("1848", ColumnType::Year, Decimal::ONE, None).is_err());
        assert!(read("上城区", ColumnType::County, Decimal::ONE, None).is_err());
        assert!(read("1711", ColumnType::Industry, Decimal::ONE, None).is_ok());
        assert!(read("9999", ColumnType::Industry, Decimal::ONE, None).is_err());
        assert_eq!(
            read("", ColumnType::Money, Decimal::ONE, None),
            Ok(Cell::Empty)
        );
        assert!(is_manufacturing("3825") && !is_manufacturing("6520"));
        assert!(is_industrial("0610") && is_industrial("4411") && !is_industrial("4710"));
        assert!(!is_manufacturing("4411"));
        assert_eq!(industry_codes().len(), 1972);
    }
}
