//! `explain`: what an enterprise gets, nearly gets and lacks, citing the clauses.

use crate::Outcome;
use anyhow::Result;
use jx555_engine::explain::{Explanation, explain, explain_enterprise};
use jx555_lang::types::EntityKind;
use jx555_report::{standing_name, wan};

use crate::workspace::WorkspaceArgs;

/// Output format of `explain`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For tools.
    Json,
}

/// Arguments of `explain`.
#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The enterprise's 统一社会信用代码.
    uscc: String,
    /// The year whose rules and facts explain the awards (within the pack's validity).
    #[arg(long)]
    year: i32,
    /// Only this rule (for the enterprise itself).
    #[arg(long)]
    rule: Option<String>,
    #[command(flatten)]
    workspace: WorkspaceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Explains what an enterprise gets, nearly gets and lacks, citing the clauses.
pub fn explain_cmd(args: &ExplainArgs) -> Result<Outcome> {
    let ws = args.workspace.open()?;
    ws.with_request(args.year, &[], |req| {
        if let Some(rule) = &args.rule {
            let x = explain(req, EntityKind::Enterprise, &args.uscc, rule)?;
            match args.format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&x)?),
                Format::Text => print_explanation(&x),
            }
            return Ok(Outcome::Ok);
        }
        let report = explain_enterprise(req, &args.uscc)?;
        match args.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            Format::Text => {
                println!("{} · {}年度", args.uscc, args.year);
                for (title, xs) in [
                    ("可享受", &report.gets),
                    ("差一点", &report.nearly),
                    ("不具备", &report.lacks),
                ] {
                    println!("\n== {title}（{} 项）==", xs.len());
                    for x in xs.iter() {
                        print_explanation(x);
                    }
                }
            }
        }
        Ok(Outcome::Ok)
    })
}

fn print_explanation(x: &Explanation) {
    let amount = match &x.line {
        Some(l) => format!("{}（{}）", wan(l.payable), standing_name(l.standing())),
        None => "不符合".to_string(),
    };
    println!(
        "{} {} [{} {}]：{amount}",
        x.citation.clause,
        x.rule,
        x.subject_kind.name(),
        x.subject
    );
    println!("    依据：{}", x.citation.sentence);
    for c in &x.conditions {
        let mark = match c.holds {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "?",
        };
        println!("    {mark} {}", c.name);
        for g in &c.gaps {
            println!("        {}", g.message);
        }
        if c.holds != Some(true) {
            for r in &c.reads {
                let year = r.year.map(|y| format!(" {y}年")).unwrap_or_default();
                println!(
                    "        {}{year} = {}",
                    r.label,
                    r.value.as_deref().unwrap_or("（缺少数据）")
                );
            }
        }
    }
    if let Some(w) = &x.superseded_by {
        println!(
            "    就高不重复：由 {} {}（{}）取代",
            w.rule.id,
            w.subject,
            wan(w.payable)
        );
    }
}
