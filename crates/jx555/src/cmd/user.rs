//! `user` and `token`: accounts and API tokens, managed on the server's machine by its operator
//! (audited as the OS user, role `local`).

use crate::Outcome;
use crate::cmd::open_existing;
use crate::workspace::WorkspaceArgs;
use anyhow::{Context, Result, bail};
use jx555_store::Store;
use jx555_store::accounts::{AccountChange, NewAccount, hash_password, new_secret, secret_hash};
use jx555_store::sqlite::DEFAULT_PATH;
use jx555_workflow::access::{Role, Scope, check_scope};
use jx555_workflow::accounts::{check_name, check_password};
use std::io::{BufRead, Read};
use std::path::PathBuf;

/// Arguments of `user`.
#[derive(clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    what: UserCommand,
}

#[derive(clap::Subcommand)]
enum UserCommand {
    /// Create an account: prints a one-time password (to be changed at first login), or reads the
    /// password from stdin with --password-stdin.
    Add {
        /// The login name (2–64 letters, digits, . _ -).
        name: String,
        /// 企业经办人, 企业管理员, 县区审核员, 部门审核员, 财政, 审计, 系统管理员 (or their codes).
        #[arg(long)]
        role: String,
        /// The enterprise of an enterprise account (统一社会信用代码; it must be in the facts).
        #[arg(long)]
        uscc: Option<String>,
        /// The county of a 县区审核员.
        #[arg(long)]
        county: Option<String>,
        /// The department of a 部门审核员 (a 责任单位 of the packs).
        #[arg(long)]
        department: Option<String>,
        /// The service provider (its 统一社会信用代码 in the registry) of a 服务供给机构 account.
        #[arg(long)]
        provider: Option<String>,
        /// The last day the account may log in (2027-06-30).
        #[arg(long)]
        expires: Option<String>,
        /// Read the password from the first line of stdin instead of making a one-time one.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// List the accounts: name, role, scope, state.
    List {
        #[arg(long, default_value = DEFAULT_PATH)]
        db: PathBuf,
    },
    /// Disable an account: no more logins, its sessions end at their next request.
    Disable {
        /// The account.
        name: String,
        #[arg(long, default_value = DEFAULT_PATH)]
        db: PathBuf,
    },
    /// Enable a disabled account (and clear a lockout).
    Enable {
        /// The account.
        name: String,
        #[arg(long, default_value = DEFAULT_PATH)]
        db: PathBuf,
    },
    /// Set a new password: a one-time one printed (to be changed at next login), or one read from
    /// stdin with --password-stdin. The account's sessions end.
    Passwd {
        /// The account.
        name: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, default_value = DEFAULT_PATH)]
        db: PathBuf,
    },
}

/// A date as the Unix second its day ends (the account works through that day, UTC).
fn end_of(day: &str) -> Result<i64> {
    let d = jx555_lang::types::Date::parse(day.trim())
        .with_context(|| format!("--expires {day:?} is not a date like 2027-06-30"))?;
    Ok((i64::from(d.to_days()) + 1) * 86_400)
}

/// The password to set and whether it is a one-time one: read from stdin, or made.
fn password(name: &str, from_stdin: bool) -> Result<(String, bool)> {
    if !from_stdin {
        return Ok((format!("Jx-{}", &new_secret()?[..20]), true));
    }
    // At most a little more than the longest password is read: a huge stdin is not held.
    let limit = jx555_workflow::accounts::MAX_PASSWORD_BYTES as u64 + 2;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(limit)
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    check_password(name, &pw).map_err(anyhow::Error::msg)?;
    Ok((pw, false))
}

fn show_password(name: &str, pw: &str, one_time: bool) {
    if one_time {
        println!("账号 {name} 的一次性密码（只显示这一次，首次登录须修改）：{pw}");
    } else {
        println!("账号 {name} 的密码已设置");
    }
}

/// Runs `user`.
pub fn user(args: &UserArgs) -> Result<Outcome> {
    match &args.what {
        UserCommand::Add {
            name,
            role,
            uscc,
            county,
            department,
            provider,
            expires,
            password_stdin,
            ws,
        } => {
            check_name(name).map_err(anyhow::Error::msg)?;
            let role = Role::parse(role).map_err(anyhow::Error::msg)?;
            let given: Vec<&String> = [uscc, county, department, provider]
                .into_iter()
                .flatten()
                .collect();
            if given.len() > 1 {
                bail!("give at most one of --uscc, --county, --department, --provider");
            }
            let scope = Scope::of(role, given.first().map_or("", |s| s.as_str()))
                .map_err(anyhow::Error::msg)?;
            let mut store: Box<dyn Store> = if matches!(scope, Scope::Enterprise(_)) {
                let w = ws.open()?;
                check_scope(
                    &scope,
                    &[],
                    &[],
                    |u| w.facts.enterprise_row(u).is_some(),
                    |_| false,
                )
                .map_err(anyhow::Error::msg)?;
                w.store
            } else {
                let packs = crate::pack_files::load(&ws.packs)?;
                let depts = jx555_lang::ir::departments(packs.iter().map(|p| &p.pack));
                let store = open_existing(&ws.db)?;
                let providers = store.providers()?;
                check_scope(
                    &scope,
                    &jx555_facts::model::COUNTIES,
                    &depts,
                    |_| false,
                    |u| providers.iter().any(|p| p.uscc == u),
                )
                .map_err(anyhow::Error::msg)?;
                store
            };
            let expires_at = expires.as_deref().map(end_of).transpose()?;
            let (pw, one_time) = password(name, *password_stdin)?;
            let a = store.add_account(&NewAccount {
                name: name.clone(),
                role,
                scope,
                password_hash: hash_password(&pw)?,
                must_change: one_time,
                expires_at,
            })?;
            println!("已新建账号 {}（{}，{}）", a.name, a.role.name(), a.scope);
            show_password(name, &pw, one_time);
        }
        UserCommand::List { db } => {
            let store = open_existing(db)?;
            println!("{:<20} {:<10} {:<24} 状态", "账号", "角色", "范围");
            for a in store.accounts()? {
                let state = if a.disabled {
                    "已停用".to_string()
                } else if a.expires_at.is_some_and(|t| t <= jx555_server::auth::now()) {
                    "已过期".to_string()
                } else {
                    "启用".to_string()
                };
                println!(
                    "{:<20} {:<10} {:<24} {state}",
                    a.name,
                    a.role.name(),
                    a.scope.to_string()
                );
            }
        }
        UserCommand::Disable { name, db } => {
            open_existing(db)?.change_account(name, &AccountChange::Disable)?;
            println!("账号 {name} 已停用，其会话在下一次请求时结束");
        }
        UserCommand::Enable { name, db } => {
            open_existing(db)?.change_account(name, &AccountChange::Enable)?;
            println!("账号 {name} 已启用");
        }
        UserCommand::Passwd {
            name,
            password_stdin,
            db,
        } => {
            let mut store = open_existing(db)?;
            if store.account(name)?.is_none() {
                bail!("there is no account {name:?}; `jx555 user list` lists them");
            }
            let (pw, one_time) = password(name, *password_stdin)?;
            store.change_account(
                name,
                &AccountChange::Password {
                    hash: hash_password(&pw)?,
                    must_change: one_time,
                },
            )?;
            show_password(name, &pw, one_time);
        }
    }
    Ok(Outcome::Ok)
}

/// Arguments of `token`.
#[derive(clap::Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    what: TokenCommand,
    /// SQLite file holding the accounts.
    #[arg(long, default_value = DEFAULT_PATH, global = true)]
    db: PathBuf,
}

#[derive(clap::Subcommand)]
enum TokenCommand {
    /// Make an API token for an account: printed once, stored only as its hash.
    Add {
        /// The account the token acts as (its role and scope).
        account: String,
        /// What the token is for.
        #[arg(long, default_value = "")]
        label: String,
        /// The last day it works (2027-06-30).
        #[arg(long)]
        expires: Option<String>,
    },
    /// List the tokens (never their secrets).
    List,
    /// Revoke a token by its number.
    Revoke {
        /// The token's number (`token list`).
        id: i64,
    },
}

/// Runs `token`.
pub fn token(args: &TokenArgs) -> Result<Outcome> {
    let mut store = open_existing(&args.db)?;
    match &args.what {
        TokenCommand::Add {
            account,
            label,
            expires,
        } => {
            let expires_at = expires.as_deref().map(end_of).transpose()?;
            let secret = new_secret()?;
            let id = store.add_token(account, &secret_hash(&secret), label, expires_at)?;
            println!("API 令牌 #{id}（账号 {account}；只显示这一次）：");
            println!("{secret}");
            println!("使用：Authorization: Bearer <令牌>");
        }
        TokenCommand::List => {
            for t in store.tokens()? {
                let state = match (&t.revoked_at, t.usable(jx555_server::auth::now())) {
                    (Some(at), _) => format!("已吊销 {at}"),
                    (None, true) => "有效".to_string(),
                    (None, false) => "已过期".to_string(),
                };
                println!(
                    "#{:<5} {:<20} {:<20} {} {state}",
                    t.id, t.account, t.label, t.created_at
                );
            }
        }
        TokenCommand::Revoke { id } => {
            store.revoke_token(*id)?;
            println!("API 令牌 #{id} 已吊销");
        }
    }
    Ok(Outcome::Ok)
}
