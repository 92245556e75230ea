//! 政策: the policy text as the literate pack has it, each rule, target, parameter and note under its
//! sentence, with the latest run's figures per rule.

use super::layout::layout;
use super::parts::{mode_name, param_value};
use super::{AppState, Page, render};
use crate::auth::Visitor;
use crate::queries;
use axum::extract::State;
use jx555_engine::Run;
use jx555_engine::summary::{self, By, Key, Standing};
use jx555_lang::pack::literate::{self, Part};
use jx555_report::{target_value, wan};
use maud::{Markup, html};

/// Figures of the latest run for one rule: its paying lines and their total (from the run's summary,
/// as every page shows them), and how many lines were superseded or wait for a decision.
fn rule_figures(run: Option<&Run>, pack: &str, rule: &str) -> Markup {
    let Some(run) = run else {
        return html! { span class="muted" { "尚无兑现测算" } };
    };
    let total = summary::totals(run, By::Rule)
        .into_iter()
        .find(|t| matches!(&t.key, Key::Rule { pack: p, id, .. } if p == pack && id == rule));
    let (paying, payable) = total.map_or((0, 0), |t| (t.paying, t.payable));
    let standings = run
        .lines
        .iter()
        .filter(|l| l.rule.pack == pack && l.rule.id == rule)
        .map(|l| l.standing());
    let (mut superseded, mut flagged) = (0, 0);
    for s in standings {
        match s {
            Standing::Superseded => superseded += 1,
            Standing::Review | Standing::CaseByCase | Standing::Pending | Standing::MissingData => {
                flagged += 1
            }
            _ => {}
        }
    }
    html! {
        span { "最新测算：" (paying) " 家/项获兑现，合计 " (wan(payable))
            "；就高不重复被取代 " (superseded) " 条；待审核或待定 " (flagged) " 条" }
    }
}

/// 就高不重复 as the packs read it: each exclusive group and the rules in it. Lines of one group and
/// one key (the same achievement) pay only the highest; different groups stack.
fn exclusive_groups(app: &crate::App) -> maud::Markup {
    let mut groups: std::collections::BTreeMap<&str, Vec<String>> =
        std::collections::BTreeMap::new();
    for lp in &app.packs {
        for r in &lp.pack.rules {
            if let Some(x) = &r.exclusive {
                groups.entry(x.group.as_str()).or_default().push(format!(
                    "{} {}{}",
                    r.citation.clause,
                    r.title.clone().unwrap_or_else(|| r.id.clone()),
                    if x.top_up { "（补差）" } else { "" }
                ));
            }
        }
    }
    html! {
        section class="card" {
            h2 { "“就高不重复”的口径" }
            p { "同一组、同一成就（同一荣誉、同一首台套产品、同一平台或机构、同一投资项目当年的一期）的奖补只付最高的一项；注明“补差”的，以后获得更高奖励时补付差额。不同组的奖补（如绿色设计、共享制造、质量奖）是不同的成就，可以叠加。" }
            table {
                tr { th { "组" } th { "所含奖补" } }
                @for (group, rules) in &groups { tr { td { (group) } td { (rules.join("；")) } } }
            }
        }
    }
}

/// 政策: the policy as `lang`'s literate reader reads it (the one parser of policy.md): headings,
/// paragraphs, and under each sentence the rules, targets, parameters and notes that encode it.
pub async fn page(State(app): AppState, v: Visitor) -> Page {
    render(move || {
        let latest = queries::latest_run(&app)?;
        let run = latest.as_ref().map(|(_, r)| r);
        let body = html! {
            (exclusive_groups(&app))
            @for lp in &app.packs {
                @let doc = literate::read(&lp.policy);
                @for part in &doc.parts {
                    @match *part {
                        Part::Heading(i) => (heading(&doc.headings[i])),
                        Part::Paragraph(i) => p { (doc.paragraphs[i].text) },
                        Part::Block(i) => (block_card(lp, "rule", doc.blocks[i].line(&lp.policy), &doc.blocks[i].text, run)),
                        Part::Note(i) => (block_card(lp, "note", doc.notes[i].line(&lp.policy), &doc.notes[i].text, run)),
                    }
                }
            }
        };
        Ok(layout(&v, "政策", body))
    })
    .await
}

fn heading(h: &literate::Heading) -> Markup {
    match h.level {
        1 => html! { h1 { (h.text) } },
        2 => html! { h2 { (h.text) } },
        3 => html! { h3 { (h.text) } },
        4 => html! { h4 { (h.text) } },
        5 => html! { h5 { (h.text) } },
        _ => html! { h6 { (h.text) } },
    }
}

/// What a block of the policy encodes, with the latest run's figures for its rules.
fn block_card(
    lp: &crate::LoadedPack,
    kind: &str,
    line: usize,
    raw: &str,
    run: Option<&Run>,
) -> Markup {
    let text: String = raw
        .lines()
        .filter(|l| !l.trim_start().starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n");
    if kind == "note" {
        return html! { aside class="note" { "说明：" (text.trim()) } };
    }
    let p = &lp.pack;
    let rules: Vec<_> = p.rules.iter().filter(|r| r.citation.line == line).collect();
    let targets: Vec<_> = p
        .targets
        .iter()
        .filter(|t| t.citation.line == line)
        .collect();
    let params: Vec<_> = p
        .params
        .iter()
        .filter(|x| x.citation.as_ref().is_some_and(|c| c.line == line))
        .collect();
    html! {
        div class="card" {
            @for r in &rules {
                div class="rule" data-rule=(r.id) {
                    strong { "规则 " (r.title.clone().unwrap_or_else(|| r.id.clone())) }
                    " " span class="muted" { (r.id) " · " (mode_name(r.mode.name())) " · " (r.departments.join("、")) }
                    br;
                    (rule_figures(run, &p.manifest.id, &r.id))
                }
            }
            @for t in &targets {
                div { strong { "目标 " (t.title.clone().unwrap_or_else(|| t.id.clone())) } " "
                    span class="muted" { (t.op.symbol().replace(">=", "≥").replace("<=", "≤")) " "
                        @match t.relative_to { Some(y) => { (y) "年的" (t.goal) }, None => (target_value(&t.goal)) }
                        " · " (t.by) "年" } }
            }
            @for x in &params {
                div { "参数 " (x.name) "：" (param_value(&x.value)) }
            }
            @for x in p.principles.iter().filter(|x| x.citation.line == line) {
                div { strong { "原则 " (x.title.clone().unwrap_or_else(|| x.id.clone())) } }
            }
            details { summary { "规则原文" } pre { (text.trim()) } }
        }
    }
}
