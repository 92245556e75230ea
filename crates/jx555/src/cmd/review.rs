//! `review`: 终期评估 — the policy's period looked back on, from the stored facts and the ledger.

use crate::Outcome;
use crate::workspace::WorkspaceArgs;
use anyhow::{Context, Result};
use jx555_engine::review::{Review, review};
use jx555_report::{target_value, wan};
use std::path::PathBuf;

/// Arguments of `review`.
#[derive(clap::Args)]
pub struct ReviewArgs {
    /// The first year reviewed.
    #[arg(long, default_value_t = 2020)]
    from: i32,
    /// The last year reviewed.
    #[arg(long, default_value_t = 2025)]
    to: i32,
    /// Also write the review as an XLSX workbook here.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    ws: WorkspaceArgs,
}

fn label<T: AsRef<str>>(k: &Option<T>, none: &str) -> String {
    k.as_ref()
        .map_or_else(|| none.to_string(), |x| x.as_ref().to_string())
}

/// The review's tables: sheet name, headers, rows.
fn tables(r: &Review) -> Vec<jx555_report::Sheet<'static>> {
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
                    .map(|(k, v)| (label(k, jx555_report::UNSPECIFIED), *v))
                    .collect(),
            ),
        ),
        (
            "按县区",
            vec!["县（市、区）", "金额"],
            money(
                r.by_county
                    .iter()
                    .map(|(k, v)| (label(k, jx555_report::NO_COUNTY), *v))
                    .collect(),
            ),
        ),
        (
            "按资金",
            vec!["资金", "金额"],
            money(
                r.by_fund
                    .iter()
                    .map(|(k, v)| (label(k, jx555_report::UNSPECIFIED), *v))
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
    ]
}

/// Prints the review of a period and, with `--out`, writes it as XLSX.
pub fn review_cmd(args: &ReviewArgs) -> Result<Outcome> {
    let ws = args.ws.open()?;
    let ledger = ws.store.ledger()?;
    let r = review(&ws.pack_refs(), &ws.facts, &ledger, args.from, args.to)?;
    println!("{}—{}年 终期评估（台账：已兑现的奖补）", r.from, r.to);
    println!(
        "兑现合计 {}，惠及企业 {} 家，其中多年获奖 {} 家",
        wan(r.total),
        r.enterprises_reached,
        r.repeat_recipients
    );
    for (name, headers, rows) in tables(&r) {
        println!("\n{name}（{}）", headers.join("｜"));
        for row in rows {
            println!("  {}", row.join("｜"));
        }
    }
    if let Some(out) = &args.out {
        let bytes = jx555_report::sheets_xlsx(&tables(&r))?;
        std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
        println!("\n已写出 {}", out.display());
    }
    Ok(Outcome::Ok)
}
