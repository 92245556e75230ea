//! `jx555 report RUN`: the payout list (兑现清单) of a stored run as XLSX (a summary sheet and a sheet per
//! department) and CSV, every line with its clause and sentence.

use crate::Outcome;
use crate::cmd::evaluate::status_name;
use anyhow::{Context, Result};
use jx555_engine::{AwardLine, Run};
use jx555_store::Store;
use jx555_store::sqlite::{DEFAULT_PATH, SqliteStore};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Arguments of `report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The run's number.
    run: i64,
    /// The folder to write to.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// The database.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
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

fn yuan(fen: i64) -> String {
    format!("{:.2}", Decimal::new(fen, 2))
}

/// One line as the cells of the list, text as the CSV holds it.
fn cells(i: usize, l: &AwardLine) -> [String; 16] {
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
        status_name(&l.status, &l.mode).to_string(),
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

/// Writes the payout list of a run.
pub fn report(args: &ReportArgs) -> Result<Outcome> {
    let store = SqliteStore::open(&args.db)?;
    let (info, run) = store.run(args.run)?;
    for path in write_payout_list(&run, info.id, &args.out)? {
        println!("{}", path.display());
    }
    Ok(Outcome::Ok)
}

/// Writes the XLSX and CSV payout lists of run `id` into `dir`; returns their paths.
pub fn write_payout_list(run: &Run, id: i64, dir: &std::path::Path) -> Result<[PathBuf; 2]> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stem = format!("兑现清单-{}年-第{id}号", run.year);
    let csv_path = dir.join(format!("{stem}.csv"));
    write_csv(run, &csv_path)?;
    let xlsx_path = dir.join(format!("{stem}.xlsx"));
    write_xlsx(run, &xlsx_path).with_context(|| format!("cannot write {}", xlsx_path.display()))?;
    Ok([xlsx_path, csv_path])
}

fn write_csv(run: &Run, path: &std::path::Path) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(HEADERS)?;
    for (i, l) in run.lines.iter().enumerate() {
        w.write_record(cells(i, l))?;
    }
    w.flush()?;
    Ok(())
}

fn write_xlsx(run: &Run, path: &std::path::Path) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    // 汇总: totals by department, then the whole list.
    let mut by_department: BTreeMap<String, (usize, i64)> = BTreeMap::new();
    for l in &run.lines {
        for d in &l.rule.departments {
            let t = by_department.entry(d.clone()).or_default();
            t.0 += 1;
            t.1 += l.payable;
        }
    }
    let summary = book.add_worksheet().set_name("汇总")?;
    summary.write_string_with_format(0, 0, format!("{}年度兑现清单", run.year), &bold)?;
    for (c, h) in ["责任单位", "明细条数", "兑现金额（元）", "兑现金额（万元）"]
        .iter()
        .enumerate()
    {
        summary.write_string_with_format(1, c as u16, *h, &bold)?;
    }
    let mut row = 2u32;
    for (d, (n, fen)) in &by_department {
        summary.write_string(row, 0, d)?;
        summary.write_number(row, 1, *n as f64)?;
        summary.write_number_with_format(row, 2, *fen as f64 / 100.0, &money)?;
        summary.write_number_with_format(row, 3, *fen as f64 / 1_000_000.0, &money)?;
        row += 1;
    }
    summary.write_string_with_format(row, 0, "合计", &bold)?;
    summary.write_number_with_format(row, 2, run.total() as f64 / 100.0, &money)?;
    summary.write_number_with_format(row, 3, run.total() as f64 / 1_000_000.0, &money)?;

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
    for d in by_department.keys() {
        let name: String = d
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        sheet(
            &name,
            run.lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.rule.departments.contains(d))
                .collect(),
        )?;
    }
    book.save(path)
}

/// Arguments of `diff`.
#[derive(clap::Args)]
pub struct DiffArgs {
    /// The earlier run.
    a: i64,
    /// The later run.
    b: i64,
    /// The database.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
}

/// What changed between two runs: totals by rule, and the lines added, removed or changed.
pub fn diff(args: &DiffArgs) -> Result<Outcome> {
    let store = SqliteStore::open(&args.db)?;
    let (ia, a) = store.run(args.a)?;
    let (ib, b) = store.run(args.b)?;
    let key = |l: &AwardLine| (l.rule.pack.clone(), l.rule.id.clone(), l.subject.clone());
    let lines = |r: &Run| -> BTreeMap<(String, String, String), i64> {
        r.lines.iter().map(|l| (key(l), l.payable)).collect()
    };
    let (la, lb) = (lines(&a), lines(&b));
    println!(
        "第 {} 号（{}年）→ 第 {} 号（{}年）：合计 {} → {}（{}）",
        ia.id,
        ia.year,
        ib.id,
        ib.year,
        wan(a.total()),
        wan(b.total()),
        signed(b.total() - a.total())
    );
    if ia.facts_hash != ib.facts_hash {
        println!(
            "  事实数据不同（{} → {}）",
            &ia.facts_hash[..12.min(ia.facts_hash.len())],
            &ib.facts_hash[..12.min(ib.facts_hash.len())]
        );
    }
    let mut by_rule: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for ((_, rule, _), fen) in &la {
        by_rule.entry(rule.clone()).or_default().0 += fen;
    }
    for ((_, rule, _), fen) in &lb {
        by_rule.entry(rule.clone()).or_default().1 += fen;
    }
    println!("按奖补项目：");
    for (rule, (x, y)) in by_rule.iter().filter(|(_, (x, y))| x != y) {
        println!(
            "  {rule:<24}{:>14} → {:>14}（{}）",
            wan(*x),
            wan(*y),
            signed(y - x)
        );
    }
    let (mut added, mut removed, mut changed) = (0, 0, 0);
    for (k, y) in &lb {
        match la.get(k) {
            None => added += 1,
            Some(x) if x != y => changed += 1,
            _ => {}
        }
    }
    for k in la.keys() {
        if !lb.contains_key(k) {
            removed += 1;
        }
    }
    println!("明细：新增 {added} 条，减少 {removed} 条，金额变化 {changed} 条");
    Ok(Outcome::Ok)
}

fn wan(fen: i64) -> String {
    format!("{:.2}万元", Decimal::new(fen, 2) / Decimal::from(10_000))
}

fn signed(fen: i64) -> String {
    if fen >= 0 {
        format!("+{}", wan(fen))
    } else {
        wan(fen)
    }
}

/// Arguments of `notice`.
#[derive(clap::Args)]
pub struct NoticeArgs {
    /// The run's number.
    run: i64,
    /// The enterprise's 统一社会信用代码.
    uscc: String,
    /// The database.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
    /// Markdown, or an HTML page to print or send.
    #[arg(long, value_enum, default_value_t = NoticeFormat::Md)]
    format: NoticeFormat,
}

/// Format of a notice.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NoticeFormat {
    /// Markdown.
    Md,
    /// A standalone HTML page.
    Html,
}

/// The notice to one enterprise: what it receives in a run, why, and the clause.
pub fn notice(args: &NoticeArgs) -> Result<Outcome> {
    let store = SqliteStore::open(&args.db)?;
    let (info, run) = store.run(args.run)?;
    let md = notice_text(&run, info.year, &args.uscc);
    match args.format {
        NoticeFormat::Md => print!("{md}"),
        NoticeFormat::Html => {
            let mut body = String::new();
            let parser =
                pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES);
            pulldown_cmark::html::push_html(&mut body, parser);
            print!(
                "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}年度奖补告知书</title>\
                 <style>body{{font-family:sans-serif;max-width:52em;margin:2em auto}}table{{border-collapse:collapse}}\
                 td,th{{border:1px solid #999;padding:.3em .6em}}</style></head><body>\n{body}</body></html>\n",
                info.year
            );
        }
    }
    Ok(Outcome::Ok)
}

/// The notice's Markdown.
pub fn notice_text(run: &Run, year: i32, uscc: &str) -> String {
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
            status_name(&l.status, &l.mode),
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
