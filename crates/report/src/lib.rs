//! The documents a run gives people: the payout list (兑现清单) as XLSX and CSV, the notice to an
//! enterprise (告知书) as Markdown or an HTML page, and the words and number formats they share.
//!
//! ```text
//! engine::Run ─> payout_xlsx / payout_csv   (bytes: the CLI writes files, the server sends them)
//!             └> notice_markdown / notice_html
//! ```
//!
//! No IO: everything is returned as bytes or text.
#![forbid(unsafe_code)]

use jx555_engine::summary::{By, Key, Standing, totals};
use jx555_engine::{AwardLine, Run};
use jx555_lang::types::Value;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook};

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing the CSV failed.
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Writing the workbook failed.
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// The columns of the payout list.
pub const HEADERS: [&str; 16] = [
    "序号",
    "政策条款",
    "奖补项目",
    "对象类型",
    "对象编号",
    "统一社会信用代码",
    "县（市、区）",
    "责任单位",
    "资金",
    "状态",
    "测算金额（元）",
    "兑现金额（元）",
    "兑现金额（万元）",
    "市级承担（元）",
    "县级承担（元）",
    "政策依据",
];

/// Yuan with two decimals, as the payout list's amount columns hold them: `1234.56`.
pub fn yuan(fen: i64) -> String {
    format!("{:.2}", Decimal::new(fen, 2))
}

/// 万元 with two decimals, as summaries show amounts: `12.35万元`. Rounded half up (half a fen of a 万元
/// — 50元 — and more goes up, away from zero for a negative change), as people round by hand.
pub fn wan(fen: i64) -> String {
    let wan = Decimal::new(fen, 2) / Decimal::from(10_000);
    let wan = wan.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{wan:.2}万元")
}

/// A change in 万元 with its sign: `+12.35万元`, `-3.00万元`, `±0.00万元` for none.
pub fn signed(fen: i64) -> String {
    match fen.cmp(&0) {
        std::cmp::Ordering::Greater => format!("+{}", wan(fen)),
        std::cmp::Ordering::Equal => format!("±{}", wan(0)),
        std::cmp::Ordering::Less => wan(fen),
    }
}

/// A target's value as the policy writes it: large money in 亿元 (`1.6万亿` shows as `16000亿元`).
pub fn target_value(v: &Value) -> String {
    let yi = Decimal::from(100_000_000);
    match v {
        Value::Money(d) if d.abs() >= yi => format!("{}亿元", (d / yi).round_dp(2).normalize()),
        other => other.to_string(),
    }
}

/// What a line with no county is shown as: a city-level unit.
pub const NO_COUNTY: &str = "市本级";
/// What a line whose rule names no fund or department is shown as.
pub const UNSPECIFIED: &str = "未指定";

/// Where a line stands, as the payout list names it.
pub fn standing_name(s: Standing) -> &'static str {
    match s {
        Standing::Payable => "可兑现",
        Standing::Review => "待审核（最高限额）",
        Standing::CaseByCase => "一事一议",
        Standing::Pending => "金额待定",
        Standing::MissingData => "缺少数据",
        Standing::Superseded => "就高不重复（被取代）",
        Standing::AlreadyPaid => "已兑现过",
        Standing::Expired => "期满",
        Standing::CapReached => "已达上限",
    }
}

/// A key of a summary as people read it: a rule by its clause and title, a missing county as 市本级.
pub fn key_label(k: &Key) -> String {
    match k {
        Key::Rule {
            id, title, clause, ..
        } => format!("{clause} {}", title.as_deref().unwrap_or(id)),
        Key::County(c) => c.as_deref().unwrap_or(NO_COUNTY).to_string(),
        Key::Department(x) | Key::Fund(x) => x.as_deref().unwrap_or(UNSPECIFIED).to_string(),
        Key::Standing(s) => standing_name(*s).to_string(),
        Key::Subject(s) => s.clone(),
    }
}

/// The heading of a view; a view that does not add up says so.
pub fn by_title(by: By) -> &'static str {
    match by {
        By::Rule => "按奖补项目",
        By::LeadDepartment => "按牵头单位",
        By::County => "按县（市、区）",
        By::Fund => "按资金",
        By::Standing => "按状态",
        By::Subject => "按对象",
        By::Participating => "按参与单位（一条明细计入其每个参与单位，各行不可相加）",
    }
}

/// One line as the cells of the list, text as the CSV holds it.
pub fn cells(i: usize, l: &AwardLine) -> [String; 16] {
    [
        (i + 1).to_string(),
        l.rule.citation.clause.clone(),
        l.rule.title.clone().unwrap_or_else(|| l.rule.id.clone()),
        l.rule.subject_kind.label().to_string(),
        l.subject.clone(),
        l.enterprise.clone().unwrap_or_default(),
        l.county.clone().unwrap_or_default(),
        l.rule.departments.join("、"),
        l.rule.fund.clone().unwrap_or_default(),
        standing_name(l.standing()).to_string(),
        l.after_caps.map(yuan).unwrap_or_default(),
        yuan(l.payable),
        format!("{:.6}", Decimal::new(l.payable, 2) / Decimal::from(10_000)),
        l.city_share.map(yuan).unwrap_or_default(),
        l.county_share.map(yuan).unwrap_or_default(),
        l.rule.citation.sentence.clone(),
    ]
}

/// Columns that hold amounts (written as numbers in the workbook).
const AMOUNTS: [usize; 5] = [10, 11, 12, 13, 14];

/// The file name (without extension) of run `id`'s payout list.
pub fn payout_file_stem(year: i32, id: i64) -> String {
    format!("兑现清单-{year}年-第{id}号")
}

/// One payment of a bank file (代发清单).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankLine {
    /// 收款人.
    pub payee: String,
    /// 统一社会信用代码 (empty for a unit without one).
    pub uscc: String,
    /// 开户行.
    pub bank: String,
    /// 账号.
    pub number: String,
    /// The amount, in fen.
    pub amount: i64,
    /// 用途: the clause and the award.
    pub purpose: String,
    /// The case's number (奖补事项编号): how the finance system's return file names the line.
    pub case: i64,
}

const BANK_HEADERS: [&str; 7] = [
    "收款人",
    "统一社会信用代码",
    "开户行",
    "账号",
    "金额（元）",
    "用途",
    "奖补事项编号",
];

fn bank_cells(l: &BankLine) -> [String; 7] {
    [
        l.payee.clone(),
        l.uscc.clone(),
        l.bank.clone(),
        l.number.clone(),
        yuan(l.amount),
        l.purpose.clone(),
        l.case.to_string(),
    ]
}

/// A payment batch's bank file as CSV (UTF-8): text cells safe for spreadsheets, the account
/// number kept as text.
pub fn bank_csv(lines: &[BankLine]) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(BANK_HEADERS)?;
    for l in lines {
        let cells = bank_cells(l);
        w.write_record(cells.iter().enumerate().map(|(c, v)| match c {
            4 => v.clone(),
            _ => jx555_facts::cell::spreadsheet_safe(v).into_owned(),
        }))?;
    }
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}

/// A payment batch's bank file as XLSX: amounts as numbers, the account number as text (a long
/// number would lose its digits as a spreadsheet number), and the total.
pub fn bank_xlsx(lines: &[BankLine]) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let sheet = book.add_worksheet().set_name("代发清单")?;
    for (c, h) in BANK_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut row = 1u32;
    for l in lines {
        for (c, v) in bank_cells(l).iter().enumerate() {
            match c {
                4 => sheet.write_number_with_format(row, 4, l.amount as f64 / 100.0, &money)?,
                _ => sheet.write_string(row, c as u16, v)?,
            };
        }
        row += 1;
    }
    sheet.write_string_with_format(row, 0, "合计", &bold)?;
    let total: i64 = lines.iter().map(|l| l.amount).sum();
    sheet.write_number_with_format(row, 4, total as f64 / 100.0, &money)?;
    Ok(book.save_to_buffer()?)
}

/// One sheet of a workbook: its name, header row and rows of text.
pub type Sheet<'a> = (&'a str, Vec<&'a str>, Vec<Vec<String>>);

/// Tables as an XLSX workbook, a sheet each: a bold header row, then the rows as text.
pub fn sheets_xlsx(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for (name, headers, rows) in sheets {
        let ws = book.add_worksheet().set_name(*name)?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, v)?;
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

/// A table as an XLSX workbook of one sheet.
pub fn table_xlsx(
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ReportError> {
    sheets_xlsx(&[(sheet, headers.to_vec(), rows.to_vec())])
}

/// The payout list as CSV (UTF-8), one row per line.
pub fn payout_csv(run: &Run) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADERS)?;
    for (i, l) in run.lines.iter().enumerate() {
        let row = cells(i, l);
        w.write_record(
            row.iter()
                .enumerate()
                .map(|(c, v)| match AMOUNTS.contains(&c) {
                    true => v.clone(),
                    false => jx555_facts::cell::spreadsheet_safe(v).into_owned(),
                }),
        )?;
    }
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}

/// The payout list as an XLSX workbook: a summary sheet, all lines, and a sheet per department.
pub fn payout_xlsx(run: &Run) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    // 汇总: totals by lead department (牵头单位), which add up to 合计; then the participating lists.
    let summary = book.add_worksheet().set_name("汇总")?;
    summary.write_string_with_format(0, 0, format!("{}年度兑现清单", run.year), &bold)?;
    for (c, h) in ["牵头单位", "明细条数", "兑现金额（元）", "兑现金额（万元）"]
        .iter()
        .enumerate()
    {
        summary.write_string_with_format(1, c as u16, *h, &bold)?;
    }
    let mut row = 2u32;
    let amount = |ws: &mut rust_xlsxwriter::Worksheet, row: u32, fen: i64| {
        ws.write_number_with_format(row, 2, fen as f64 / 100.0, &money)?;
        ws.write_number_with_format(row, 3, fen as f64 / 1_000_000.0, &money)
            .map(|_| ())
    };
    for t in totals(run, By::LeadDepartment) {
        summary.write_string(row, 0, key_label(&t.key))?;
        summary.write_number(row, 1, t.lines as f64)?;
        amount(summary, row, t.payable)?;
        row += 1;
    }
    summary.write_string_with_format(row, 0, "合计", &bold)?;
    summary.write_number(row, 1, run.lines.len() as f64)?;
    amount(summary, row, run.total())?;
    summary.write_string(
        row + 2,
        0,
        "各“参与”工作表列出某单位参与的全部明细：一条明细计入其每个参与单位，各表金额不可相加。",
    )?;
    let participating: Vec<String> = totals(run, By::Participating)
        .iter()
        .map(|t| key_label(&t.key))
        .collect();

    let mut sheet =
        |name: &str, lines: Vec<(usize, &AwardLine)>| -> Result<(), rust_xlsxwriter::XlsxError> {
            let ws = book.add_worksheet().set_name(name)?;
            for (c, h) in HEADERS.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &bold)?;
            }
            for (r, (i, l)) in lines.into_iter().enumerate() {
                for (c, text) in cells(i, l).iter().enumerate() {
                    let (row, col) = (r as u32 + 1, c as u16);
                    match (AMOUNTS.contains(&c), text.parse::<f64>()) {
                        (true, Ok(v)) => ws.write_number_with_format(row, col, v, &money)?,
                        _ => ws.write_string(row, col, text)?,
                    };
                }
            }
            Ok(())
        };
    sheet("全部明细", run.lines.iter().enumerate().collect())?;
    for d in &participating {
        let name: String = format!("参与-{d}")
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        sheet(
            &name,
            run.lines
                .iter()
                .enumerate()
                .filter(|(_, l)| By::Participating.keys(l).iter().any(|k| key_label(k) == *d))
                .collect(),
        )?;
    }
    Ok(book.save_to_buffer()?)
}

/// The notice as a standalone HTML page to print or send.
pub fn notice_html(run: &Run, year: i32, uscc: &str) -> String {
    let md = notice_markdown(run, year, uscc);
    let mut body = String::new();
    let parser = pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES);
    pulldown_cmark::html::push_html(&mut body, parser);
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{year}年度奖补告知书</title>\
         <style>body{{font-family:sans-serif;max-width:52em;margin:2em auto}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #999;padding:.3em .6em}}</style></head><body>\n{body}</body></html>\n"
    )
}

/// The notice's Markdown.
pub fn notice_markdown(run: &Run, year: i32, uscc: &str) -> String {
    let mine: Vec<&AwardLine> = run
        .lines
        .iter()
        .filter(|l| l.enterprise.as_deref() == Some(uscc))
        .collect();
    let total: i64 = mine.iter().map(|l| l.payable).sum();
    let mut out = format!("# {year}年度奖补告知书\n\n统一社会信用代码：{uscc}\n\n");
    if mine.is_empty() {
        out.push_str("本年度测算中，贵单位没有符合条件的奖补项目。\n");
        return out;
    }
    out.push_str(&format!(
        "本年度测算，贵单位可获兑现合计 **{}**（{} 元）。\n\n",
        wan(total),
        yuan(total)
    ));
    out.push_str(
        "| 政策条款 | 奖补项目 | 对象 | 状态 | 金额（元） |\n| --- | --- | --- | --- | --- |\n",
    );
    for l in &mine {
        out.push_str(&format!(
            "| {} | {} | {} {} | {} | {} |\n",
            l.rule.citation.clause,
            l.rule.title.clone().unwrap_or_else(|| l.rule.id.clone()),
            l.rule.subject_kind.label(),
            l.subject,
            standing_name(l.standing()),
            yuan(l.payable)
        ));
    }
    out.push_str("\n## 政策依据\n\n");
    let mut seen = Vec::new();
    for l in &mine {
        if !seen.contains(&&l.rule.id) {
            seen.push(&l.rule.id);
            out.push_str(&format!(
                "- {} {}：{}（责任单位：{}）\n",
                l.rule.citation.clause,
                l.rule.id,
                l.rule.citation.sentence,
                l.rule.departments.join("、")
            ));
        }
    }
    out
}

fn label<T: AsRef<str>>(k: &Option<T>, none: &str) -> String {
    k.as_ref()
        .map_or_else(|| none.to_string(), |x| x.as_ref().to_string())
}

/// The 终期评估's tables, as the command line prints them and the workbook and the page show them:
/// sheet name, headers, rows.
pub fn review_sheets(r: &jx555_engine::review::Review) -> Vec<Sheet<'static>> {
    let last = |years: &[jx555_engine::targets::TargetStatus]| years.last().cloned();
    let targets = r
        .targets
        .iter()
        .filter_map(|(_, years)| {
            let t = last(years)?;
            let trend: Vec<String> = years
                .iter()
                .map(|y| {
                    y.value
                        .as_ref()
                        .map_or_else(|| "无数据".into(), target_value)
                })
                .collect();
            Some(vec![
                t.clause.clone(),
                t.title.clone().unwrap_or_else(|| t.id.clone()),
                format!(
                    "{} {}",
                    t.op,
                    t.goal
                        .as_ref()
                        .map_or_else(|| t.goal_stated.clone(), target_value)
                ),
                t.value
                    .as_ref()
                    .map_or_else(|| "无数据".into(), target_value),
                match t.met {
                    Some(true) => "达成".into(),
                    Some(false) => "未达成".into(),
                    None => "无数据".into(),
                },
                trend.join(" → "),
            ])
        })
        .collect();
    let money = |rows: Vec<(String, i64)>| -> Vec<Vec<String>> {
        rows.into_iter().map(|(k, v)| vec![k, wan(v)]).collect()
    };
    vec![
        (
            "目标",
            vec!["条款", "目标", "目标值", "期末值", "结论", "逐年"],
            targets,
        ),
        (
            "按条款",
            vec!["条款", "奖补项目", "笔数", "金额"],
            r.by_rule
                .iter()
                .map(|p| {
                    vec![
                        p.clause.clone(),
                        p.title.clone(),
                        p.payments.to_string(),
                        wan(p.amount),
                    ]
                })
                .collect(),
        ),
        (
            "按年度",
            vec!["年度", "金额"],
            money(r.by_year.iter().map(|(y, v)| (y.to_string(), *v)).collect()),
        ),
        (
            "按牵头单位",
            vec!["牵头单位", "金额"],
            money(
                r.by_department
                    .iter()
                    .map(|(k, v)| (label(k, UNSPECIFIED), *v))
                    .collect(),
            ),
        ),
        (
            "按县区",
            vec!["县（市、区）", "金额"],
            money(
                r.by_county
                    .iter()
                    .map(|(k, v)| (label(k, NO_COUNTY), *v))
                    .collect(),
            ),
        ),
        (
            "按资金",
            vec!["资金", "金额"],
            money(
                r.by_fund
                    .iter()
                    .map(|(k, v)| (label(k, UNSPECIFIED), *v))
                    .collect(),
            ),
        ),
        (
            "原则",
            vec!["原则", "年度", "资金合计", "其中标注部分", "结论"],
            r.principles
                .iter()
                .flat_map(|(name, years)| {
                    years.iter().map(move |p| {
                        vec![
                            name.clone(),
                            p.year.to_string(),
                            wan(p.fund),
                            wan(p.tagged),
                            match p.holds {
                                Some(true) => "满足".into(),
                                Some(false) => "不满足".into(),
                                None => "无支出".into(),
                            },
                        ]
                    })
                })
                .collect(),
        ),
        (
            "从未兑现",
            vec!["条款", "奖补项目"],
            r.never_paid
                .iter()
                .map(|(_, _, clause, title)| vec![clause.clone(), title.clone()])
                .collect(),
        ),
        (
            "未决事项",
            vec!["年度", "条款", "奖补项目", "需要", "停在", "件数"],
            r.undecided
                .iter()
                .map(|u| {
                    vec![
                        u.year.to_string(),
                        u.clause.clone(),
                        u.title.clone(),
                        standing_name(u.standing).to_string(),
                        u.state
                            .clone()
                            .unwrap_or_else(|| "年度直接审定，未经审核".into()),
                        u.count.to_string(),
                    ]
                })
                .collect(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 万元 rounds half up: 50元 is half a fen of a 万元 and goes up; 49.99元 does not; a negative change
    /// rounds away from zero as a person would write it.
    #[test]
    fn wan_rounds_half_up() {
        assert_eq!(wan(5_000), "0.01万元");
        assert_eq!(wan(4_999), "0.00万元");
        assert_eq!(wan(25_000), "0.03万元", "half even would give 0.02");
        assert_eq!(wan(-5_000), "-0.01万元");
        assert_eq!(wan(11_134_190_000), "11134.19万元");
        assert_eq!(yuan(10_769_230_769), "107692307.69");
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(signed(1_000_000), "+1.00万元");
        assert_eq!(signed(-1_000_000), "-1.00万元");
        assert_eq!(signed(0), "±0.00万元");
    }

    /// A line with no county is 市本级 and a missing fund 未指定, in every view; rules read with their
    /// clause; the participating view says it does not add up.
    #[test]
    fn keys_read_one_way() {
        assert_eq!(key_label(&Key::County(None)), NO_COUNTY);
        assert_eq!(key_label(&Key::County(Some("南湖区".into()))), "南湖区");
        assert_eq!(key_label(&Key::Fund(None)), UNSPECIFIED);
        let rule = Key::Rule {
            pack: "p".into(),
            id: "单项冠军等认定奖励".into(),
            title: Some("单项冠军、隐形冠军、专精特新小巨人奖励".into()),
            clause: "（六）".into(),
        };
        assert_eq!(
            key_label(&rule),
            "（六） 单项冠军、隐形冠军、专精特新小巨人奖励"
        );
        assert_eq!(rule.id(), "p/单项冠军等认定奖励");
        assert!(by_title(By::Participating).contains("不可相加"));
        assert_eq!(standing_name(Standing::Review), "待审核（最高限额）");
    }
}
