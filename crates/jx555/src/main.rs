//! The jx555 command line.
//!
//! Exit codes are fixed: 0 ok, 1 findings (the pack has errors), 2 usage or IO errors.

mod cmd;
mod pack_files;
mod workspace;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Columns are allocated and freed in every kernel of an evaluation: mimalloc reuses what glibc
/// handed back to the kernel and faulted in again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// jx555 runs the Jiaxing 「新制造555」 policy as software.
#[derive(Parser)]
#[command(name = "jx555", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a policy pack: parse, resolve, type-check and lint; print a summary or the diagnostics.
    Check(cmd::check::Args),
    /// List every paragraph of a pack's policy and what encodes it; fail if a money or number sentence is not.
    Coverage(cmd::coverage::Args),
    /// Run a pack's YAML cases (tests/*.yaml) and print a table; fail if one fails or a rule has none.
    Test(cmd::test::Args),
    /// Serve the web platform (总览, 政策, 企业, 兑现, 目标) and the JSON API under /api/v1.
    Serve(cmd::serve::ServeArgs),
    /// Load a synthetic Jiaxing into a demo database, evaluate a year under the bundled pack, store the run.
    Demo(cmd::demo::DemoArgs),
    /// Evaluate a year over the stored facts and ledger; store the run; print the payout summary.
    Evaluate(cmd::evaluate::EvaluateArgs),
    /// List the stored runs.
    Runs(cmd::runs::RunsArgs),
    /// The audit log: verify its hash chain, or list who changed what.
    Audit(cmd::audit::AuditArgs),
    /// The working-day calendar: the years held, or load a year from the State Council's notice.
    Calendar(cmd::calendar::CalendarArgs),
    /// Accounts: add (with a role and scope), list, disable, enable, passwd.
    User(cmd::user::UserArgs),
    /// API tokens: add (printed once), list, revoke.
    Token(cmd::user::TokenArgs),
    /// Release a run (发布): its automatic awards pushed for confirmation, its review lines open for application.
    Release(cmd::release::ReleaseArgs),
    /// List the award cases: state, rule, payee, amount.
    Cases(cmd::release::CasesArgs),
    /// 公示 the acting department's ready cases (the account of JX555_TOKEN).
    Publicize(cmd::release::PublicizeArgs),
    /// 拨付 as 财政 (the account of JX555_TOKEN): batch a fund's cleared cases, or record a batch paid.
    Pay(cmd::release::PayArgs),
    /// Record a run's paying lines in the ledger (once).
    Approve(cmd::approve::ApproveArgs),
    /// What an enterprise gets, nearly gets and lacks, and why, citing the clauses.
    Explain(cmd::explain::ExplainArgs),
    /// Write a run's payout list (兑现清单) as XLSX (a sheet per department) and CSV.
    Report(cmd::report::ReportArgs),
    /// The notice to one enterprise (Markdown): what it receives in a run, why, and the clause.
    Notice(cmd::notice::NoticeArgs),
    /// What changed between two stored runs.
    Diff(cmd::diff::DiffArgs),
    /// 终期评估: targets by year against their goals, money paid by clause, year, department, county and fund, reach, principles, rules never paid.
    Review(cmd::review::ReviewArgs),
    /// The policy's targets next to the value the stored facts give.
    Targets(cmd::targets::TargetsArgs),
    /// Write a synthetic Jiaxing (enterprises, years, recognitions, projects, parks ...) as CSV files.
    DemoData(cmd::demo_data::DemoArgs),
    /// Check facts (a folder of CSV/Parquet files or an XLSX workbook) against the model; print every problem.
    Validate(cmd::validate::FolderArgs),
    /// Validate facts and replace the store's facts with them (all or nothing).
    Import(cmd::validate::FolderArgs),
    /// Write the store's facts as CSV or Parquet files.
    Export(cmd::export::ExportArgs),
}

/// `jx555 runs | head` closes our stdout early: the next `println!` panics with "Broken pipe". That
/// is the reader saying it has enough, not an error, so the command ends there, quietly (exit 0),
/// instead of printing a panic and a backtrace. Every other panic is reported as before.
fn quiet_on_broken_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        report(info);
    }));
}

/// How a command ended.
pub enum Outcome {
    /// All good.
    Ok,
    /// The command ran and found problems in its input.
    Findings,
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(&args),
        Command::Coverage(args) => cmd::coverage::run(&args),
        Command::Test(args) => cmd::test::run(&args),
        Command::Serve(args) => cmd::serve::serve(&args),
        Command::User(args) => cmd::user::user(&args),
        Command::Token(args) => cmd::user::token(&args),
        Command::Demo(args) => cmd::demo::demo(&args),
        Command::Evaluate(args) => cmd::evaluate::evaluate(&args),
        Command::Runs(args) => cmd::runs::runs(&args),
        Command::Audit(args) => cmd::audit::audit(&args),
        Command::Calendar(args) => cmd::calendar::calendar(&args),
        Command::Approve(args) => cmd::approve::approve(&args),
        Command::Release(args) => cmd::release::release(&args),
        Command::Cases(args) => cmd::release::cases(&args),
        Command::Publicize(args) => cmd::release::publicize(&args),
        Command::Pay(args) => cmd::release::pay(&args),
        Command::Explain(args) => cmd::explain::explain_cmd(&args),
        Command::Report(args) => cmd::report::report(&args),
        Command::Diff(args) => cmd::diff::diff(&args),
        Command::Notice(args) => cmd::notice::notice(&args),
        Command::Targets(args) => cmd::targets::targets_cmd(&args),
        Command::Review(args) => cmd::review::review_cmd(&args),
        Command::DemoData(args) => cmd::demo_data::demo_data(&args),
        Command::Validate(args) => cmd::validate::validate_folder(&args),
        Command::Import(args) => cmd::import::import(&args),
        Command::Export(args) => cmd::export::export(&args),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
