//! `jx555 coverage <pack>`: every paragraph of the policy and what encodes it; fails when a sentence that
//! promises money or sets a number is encoded by nothing, or when policy.md lost a sentence of the
//! published document (`source.txt`, when the pack keeps it).

use crate::cmd::check::Format;
use crate::cmd::clip;
use crate::{Outcome, pack_files};
use anyhow::{Context, Result};
use jx555_lang::coverage::{Encoding, coverage};
use jx555_lang::pack::literate;
use std::path::PathBuf;

/// Arguments of `coverage`.
#[derive(clap::Args)]
pub struct Args {
    /// The pack folder.
    pack: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// The published document a pack may keep beside policy.md.
pub const SOURCE_FILE: &str = "source.txt";

/// Runs the report.
pub fn run(args: &Args) -> Result<Outcome> {
    let (sources, pack) = pack_files::checked(&args.pack)?;
    let source_path = args.pack.join(SOURCE_FILE);
    let source = if source_path.exists() {
        Some(
            std::fs::read_to_string(&source_path)
                .with_context(|| format!("cannot read {} as UTF-8", source_path.display()))?,
        )
    } else {
        None
    };
    let doc = literate::read(&sources.file(jx555_lang::Sources::POLICY).text);
    let report = coverage(&doc, &pack, source.as_deref());
    let (quantifiable, encoded) = report.counts();
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Text => {
            for p in &report.paragraphs {
                let first = p.sentences.first().map(|s| s.text.as_str()).unwrap_or("");
                println!("{} 第{}行 {}", p.clause, p.line, clip(first, 28));
                let mut said = false;
                for s in p
                    .sentences
                    .iter()
                    .filter(|s| s.quantifiable || !s.encoded_by.is_empty())
                {
                    said = true;
                    let what = if s.encoded_by.is_empty() {
                        "✗ 未编码".to_string()
                    } else {
                        s.encoded_by
                            .iter()
                            .map(describe)
                            .collect::<Vec<_>>()
                            .join("；")
                    };
                    println!("    「{}」 → {what}", clip(&s.text, 36));
                }
                if !said {
                    println!("    不可计算：没有金额或数字");
                }
            }
            println!();
            println!(
                "{}: {encoded} of {quantifiable} sentences that promise money or set a number are encoded",
                pack.manifest.id
            );
            for (p, s) in report.missing() {
                println!("  missing: {} line {}: {}", p.clause, p.line, s.text);
            }
            match &source {
                None => println!(
                    "  (no {SOURCE_FILE}: the text was not compared with the published document)"
                ),
                Some(_) if report.lost_from_source.is_empty() => {
                    println!("  every sentence of {SOURCE_FILE} is in policy.md")
                }
                Some(_) => {
                    for s in &report.lost_from_source {
                        println!("  lost from {SOURCE_FILE}: {s}");
                    }
                }
            }
        }
    }
    Ok(if report.complete() {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}

fn describe(e: &Encoding) -> String {
    match e {
        Encoding::Rule(id) => format!("规则 {id}"),
        Encoding::Target(id) => format!("目标 {id}"),
        Encoding::Param(id) => format!("参数 {id}"),
        Encoding::Principle(id) => format!("原则 {id}"),
        Encoding::Note(text) => format!("说明：{}", clip(text, 40)),
    }
}
