//! Pieces that several pages show: charts of a run's totals, the targets table, a table of changes,
//! the words for a rule's mode and a parameter's value.

use crate::svg::{self, Bar};
use jx555_engine::summary::{self, By, Change};
use jx555_engine::targets::TargetStatus;
use jx555_engine::{AwardLine, Run};
use jx555_lang::types::Value;
use jx555_report::{by_title, key_label, target_value, wan};
use maud::{Markup, html};
use rust_decimal::prelude::ToPrimitive;

/// A line's rule as people name it: its title, else its id.
pub fn rule_title(l: &AwardLine) -> String {
    l.rule.title.clone().unwrap_or_else(|| l.rule.id.clone())
}

/// Fen as yuan for drawing a chart (never for a figure people read).
pub fn fen_f64(fen: i64) -> f64 {
    fen as f64 / 100.0
}

/// A run's totals by one key as a bar chart, largest first; keys that pay nothing are left out.
pub fn totals_chart(run: &Run, by: By) -> Markup {
    let mut rows = summary::totals(run, by);
    rows.retain(|t| t.payable > 0);
    rows.sort_by_key(|t| std::cmp::Reverse(t.payable));
    let bars: Vec<Bar> = rows
        .iter()
        .map(|t| Bar {
            label: key_label(&t.key),
            value: fen_f64(t.payable),
            text: wan(t.payable),
        })
        .collect();
    let title = by_title(by);
    html! {
        h3 { (title) }
        (svg::bars(title, &bars))
    }
}

/// A value as a number for drawing a chart.
pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Decimal(d) | Value::Money(d) | Value::Percent(d) => d.to_f64(),
        _ => None,
    }
}

/// Each target with its value, goal and progress.
pub fn targets_table(ts: &[TargetStatus]) -> Markup {
    html! {
        table {
            tr { th { "条款" } th { "目标" } th { "目标值" } th { "基期" } th { "当前" } th { "进度" } th { "状态" } }
            @for t in ts {
                tr {
                    td { (t.clause) }
                    td { (t.title.clone().unwrap_or_else(|| t.id.clone())) }
                    td { (t.op.replace(">=", "≥").replace("<=", "≤")) " "
                        @match (t.relative_to, &t.goal) {
                            (None, Some(g)) => (target_value(g)),
                            (_, Some(g)) => { (t.goal_stated) "（即 " (target_value(g)) "）" },
                            (_, None) => (t.goal_stated),
                        }
                        "（" (t.by) "年）" }
                    td { (t.baseline.as_ref().map(|(v, y)| format!("{}（{y}年）", target_value(v))).unwrap_or_default()) }
                    td { (t.value.as_ref().map(target_value).unwrap_or_else(|| "无数据".into()))
                        @if t.measured { br; small class="muted" { "服务台实测" } }
                        @if !t.each_year.is_empty() {
                            br; small {
                                @for (y, v, ok) in &t.each_year {
                                    span class=[(*ok == Some(false)).then_some("no")] {
                                        (y) "年 " (v.as_ref().map(target_value).unwrap_or_else(|| "无数据".into())) " "
                                    }
                                }
                            }
                        } }
                    td { @if let Some(p) = t.progress.and_then(|p| p.to_f64()) { (svg::progress(p)) " " (format!("{:.0}%", p * 100.0)) } }
                    td { @match t.met { Some(true) => span class="ok" { "已达成" }, Some(false) => span class="no" { "未达成" }, None => span class="muted" { "—" } } }
                }
            }
        }
    }
}

/// The keys whose totals changed between two runs.
pub fn diff_table(by: By, rows: &[Change]) -> Markup {
    html! {
        h3 { (by_title(by)) }
        table {
            tr { th { "项目" } th { "调整前" } th { "调整后" } th { "变化" } }
            @for d in rows.iter().filter(|d| d.change != 0) {
                tr { td { (key_label(&d.key)) } td class="n" { (wan(d.baseline)) } td class="n" { (wan(d.variant)) } td class="n" { (jx555_report::signed(d.change)) } }
            }
        }
    }
}

/// A parameter's value as the pack states it.
pub fn param_value(v: &jx555_lang::ir::ParamValue) -> String {
    use jx555_lang::ir::ParamValue;
    match v {
        ParamValue::Const(v) => v.to_string(),
        ParamValue::Table { entries, default } => {
            let mut parts: Vec<String> =
                entries.iter().map(|(k, v)| format!("{k} → {v}")).collect();
            if let Some(d) = default {
                parts.push(format!("其他 → {d}"));
            }
            parts.join("，")
        }
        ParamValue::Pending(why) => format!("待定：{why}"),
    }
}

/// How a rule's amount is decided, in words.
pub fn mode_name(mode: &str) -> &'static str {
    match mode {
        "automatic" => "自动计算",
        "review" => "审核定额（有上限）",
        "case_by_case" => "一事一议",
        _ => "金额待定",
    }
}

/// A case's amount split between the city and its county (市区共担) as its run's line states the
/// ratio; `(None, None)` where the rule states none or the run left it unset.
pub fn shares(
    store: &dyn jx555_store::Store,
    c: &jx555_store::cases::StoredCase,
) -> Result<(Option<i64>, Option<i64>), crate::ServerError> {
    let line = store.run_lines(c.run, c.line, 1)?.into_iter().next();
    Ok(match (line, c.case.amount) {
        (Some(l), Some(amount)) => l.shares_of(amount).unzip(),
        _ => (None, None),
    })
}
