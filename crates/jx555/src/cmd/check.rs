//! `jx555 check <pack>`: a summary when the pack is clean, the diagnostics when it is not.

use crate::{Outcome, pack_files};
use anyhow::Result;
use jx555_lang::Severity;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Output format.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: snippets with carets.
    Text,
    /// For tools: one JSON object with the summary and the diagnostics.
    Json,
}

/// Arguments of `check`.
#[derive(clap::Args)]
pub struct Args {
    /// The pack folder (holding pack.toml and policy.md).
    pack: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Runs the check.
pub fn run(args: &Args) -> Result<Outcome> {
    let sources = pack_files::read(&args.pack)?;
    let checked = jx555_lang::check(&sources);
    let summary = checked.pack.as_ref().map(|p| p.summary());
    match args.format {
        Format::Json => {
            let diagnostics: Vec<_> = checked
                .diagnostics
                .iter()
                .map(|d| sources.locate(d))
                .collect();
            let out = serde_json::json!({ "ok": !checked.has_errors(), "summary": summary, "diagnostics": diagnostics });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Text => {
            let color = std::io::stderr().is_terminal();
            eprint!("{}", sources.render(&checked.diagnostics, color));
            let errors = checked
                .diagnostics
                .iter()
                .filter(|d| d.severity() == Severity::Error)
                .count();
            let warnings = checked.diagnostics.len() - errors;
            match &summary {
                Some(s) => {
                    println!("{}: ok ({warnings} warnings)", s.id);
                    println!("  clauses       {}", s.clauses);
                    println!("  rules         {}", s.rules);
                    for (mode, n) in &s.rules_by_mode {
                        println!("    {mode:<14}{n}");
                    }
                    println!("  parameters    {}", s.params);
                    println!("  targets       {}", s.targets);
                    println!("  principles    {}", s.principles);
                }
                None => println!(
                    "{}: {errors} errors, {warnings} warnings",
                    args.pack.display()
                ),
            }
        }
    }
    Ok(if checked.has_errors() {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}
