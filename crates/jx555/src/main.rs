//! The jx555 command line.
//!
//! Exit codes are fixed: 0 ok, 1 findings (the pack has errors), 2 usage or IO errors.

mod cmd;
mod pack_files;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

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
}

/// How a command ended.
pub enum Outcome {
    /// All good.
    Ok,
    /// The command ran and found problems in its input.
    Findings,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(&args),
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
