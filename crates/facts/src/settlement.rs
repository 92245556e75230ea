//! A finance system's return file for a payment batch: where the city pays through its own system,
//! that system's export says, line by line, what was paid and what failed. Read by its columns (CSV
//! or a workbook's first sheet); every problem named by row and column. Matching it against the
//! batch is the store's (`jx555_store::cases::steps::settle_from`).

use crate::import::{Problem, RawTable};
use crate::table::{Cells, Header, rows};

/// The columns of a return file.
pub const SETTLEMENT_COLUMNS: [Header; 5] = [
    ("case", "奖补事项编号"),
    ("amount", "金额（元）"),
    ("status", "支付状态"),
    ("reason", "失败原因"),
    ("voucher", "凭证号"),
];

/// One line of a return file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The row in the file (1 for the first under the header).
    pub row: usize,
    /// The case.
    pub case: i64,
    /// The amount paid or tried, in fen.
    pub amount: i64,
    /// Paid (成功), or failed with the bank's reason.
    pub failed: Option<String>,
    /// The voucher number.
    pub voucher: String,
}

/// Yuan with at most two decimals (`12,345.60`, `12345.6`) in fen.
fn fen(s: &str) -> Result<i64, String> {
    let t: String = s.chars().filter(|c| *c != ',').collect();
    let d: rust_decimal::Decimal = t
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} 不是金额（元）"))?;
    let f = d * rust_decimal::Decimal::ONE_HUNDRED;
    if !f.fract().is_zero() || f.is_sign_negative() {
        return Err("金额为非负的元，精确到分".into());
    }
    rust_decimal::prelude::ToPrimitive::to_i64(&f).ok_or_else(|| "金额过大".into())
}

/// The lines of a return file: a case number, an amount, 成功 or 失败 (with a reason), a voucher.
pub fn read_settlement(t: &RawTable) -> Result<Vec<Settled>, Vec<Problem>> {
    let mut row = 0;
    rows(t, &SETTLEMENT_COLUMNS, |c| {
        row += 1;
        let mut cells = Cells(Vec::new());
        let case = cells.take(
            0,
            c[0].parse::<i64>()
                .map_err(|_| format!("{:?} 不是奖补事项编号", c[0])),
        );
        let amount = cells.take(1, fen(c[1]));
        let failed = cells.take(
            2,
            match c[2] {
                "成功" | "paid" => Ok(None),
                "失败" | "failed" if c[3].is_empty() => Err("失败须写明失败原因".to_string()),
                "失败" | "failed" => Ok(Some(c[3].to_string())),
                other => Err(format!("{other:?} 应为 成功 或 失败")),
            },
        );
        let voucher = cells.take(
            4,
            if c[4].is_empty() {
                Err("请填写凭证号".to_string())
            } else {
                Ok(c[4].to_string())
            },
        );
        match (case, amount, failed, voucher) {
            (Some(case), Some(amount), Some(failed), Some(voucher)) if cells.0.is_empty() => {
                Ok(Settled {
                    row,
                    case,
                    amount,
                    failed,
                    voucher,
                })
            }
            _ => Err(cells.0),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_return_file_is_read_or_its_problems_named() {
        let t = |rows: Vec<Vec<&str>>| RawTable {
            source: "回单.csv".into(),
            name: "回单".into(),
            headers: SETTLEMENT_COLUMNS.iter().map(|c| c.1.to_string()).collect(),
            rows: rows.into(),
        };
        let ok = read_settlement(&t(vec![
            vec!["12", "300,000.00", "成功", "", "财拨〔2026〕9号"],
            vec!["13", "50000", "失败", "账户已销户", "财拨〔2026〕9号"],
        ]))
        .unwrap();
        assert_eq!(ok[0].amount, 30_000_000);
        assert_eq!(ok[1].failed.as_deref(), Some("账户已销户"));
        let said: Vec<String> = read_settlement(&t(vec![vec!["x", "1.234", "失败", "", ""]]))
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(said.len(), 4, "{said:#?}");
        assert!(
            said.iter()
                .any(|s| s.contains("第1行 列 金额（元）（amount）"))
        );
        assert!(said.iter().any(|s| s.contains("失败原因")));
    }
}
