//! `targets`: each target of the packs next to the value the stored facts give.

use crate::Outcome;
use anyhow::Result;
use jx555_report::target_value;
use rust_decimal::Decimal;

use super::explain::Format;
use crate::workspace::WorkspaceArgs;

/// Arguments of `targets`.
#[derive(clap::Args)]
pub struct TargetsArgs {
    /// The year whose facts are measured.
    #[arg(long)]
    year: i32,
    #[command(flatten)]
    workspace: WorkspaceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Each target of the packs next to the value the stored facts give.
pub fn targets_cmd(args: &TargetsArgs) -> Result<Outcome> {
    let ws = args.workspace.open()?;
    let all = jx555_engine::targets::targets(&ws.pack_refs(), &ws.facts, args.year)?;
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(Outcome::Ok);
    }
    println!("{}年 政策目标", args.year);
    for t in &all {
        let title = t.title.clone().unwrap_or_else(|| t.id.clone());
        let base = t
            .baseline
            .as_ref()
            .map(|(v, y)| format!("，{y}年基期 {}", target_value(v)))
            .unwrap_or_default();
        println!(
            "{} {title}：目标 {} {}（{}年）{base}",
            t.clause,
            t.op.replace(">=", "≥").replace("<=", "≤"),
            match (t.relative_to, &t.goal) {
                (None, Some(_)) if !t.each_year.is_empty() => t.goal_stated.clone(),
                (None, Some(g)) => target_value(g),
                (_, Some(g)) => format!("{}（即 {}）", t.goal_stated, target_value(g)),
                (_, None) => format!("{}（基期数值缺失）", t.goal_stated),
            },
            t.by
        );
        match &t.value {
            None => println!("    当前：无数据（该年度无企业年度数据，或该指标未录入）"),
            Some(v) => {
                let progress = t
                    .progress
                    .map(|p| format!("，进度 {}%", (p * Decimal::ONE_HUNDRED).round_dp(1)))
                    .unwrap_or_default();
                let need = t
                    .yearly_growth_needed
                    .map(|g| format!("，尚需年均增长 {}%", (g * Decimal::ONE_HUNDRED).round_dp(1)))
                    .unwrap_or_default();
                let met = match t.met {
                    Some(true) => "，已达成",
                    Some(false) => "，未达成",
                    None => "",
                };
                println!("    当前 {}{progress}{need}{met}", target_value(v));
            }
        }
        if !t.each_year.is_empty() {
            let years: Vec<String> = t
                .each_year
                .iter()
                .map(|(y, v, ok)| {
                    format!(
                        "{y}年 {}{}",
                        v.as_ref().map_or_else(|| "无数据".into(), target_value),
                        if *ok == Some(false) {
                            "（低于目标）"
                        } else {
                            ""
                        }
                    )
                })
                .collect();
            println!("    每年：{}", years.join("，"));
        }
    }
    Ok(Outcome::Ok)
}
