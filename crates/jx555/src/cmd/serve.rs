//! `jx555 serve`: the web platform and the JSON API on a local address.

use crate::cmd::demo::load_demo_years;
use crate::cmd::demo_data::Population;
use crate::{Outcome, pack_files};
use anyhow::{Result, bail};
use jx555_server::App;
use jx555_store::Store;
use jx555_store::accounts::Accounts;
use jx555_store::sqlite::{DEFAULT_PATH, SqliteStore};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// SQLite file holding the facts, runs and the ledger (`./jx555.db`; with `--demo`, `./jx555-demo.db`, created if missing).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:5555")]
    addr: SocketAddr,
    /// Fill the database with the demo Jiaxing first (2020–2024 evaluated and approved, 2025 released) if it has no facts yet, and
    /// make one demo account per role, printing their passwords (new ones at every start).
    #[arg(long)]
    demo: bool,
    /// Service requests the demo's desk holds: a year of them up to now (0 for none).
    #[arg(long, default_value_t = 20_000)]
    demo_requests: usize,
    /// The demo's size and seed.
    #[command(flatten)]
    population: Population,
    /// Policy pack folders to serve; without one, the bundled Jiaxing pack.
    #[arg(long = "pack")]
    packs: Vec<PathBuf>,
    /// The largest request body accepted, in KiB (larger: 413).
    #[arg(long, default_value_t = 256)]
    max_body_kib: usize,
    /// The most parameters one what-if may change.
    #[arg(long, default_value_t = 100)]
    max_settings: usize,
    /// What-ifs evaluated at once (default: one per core); more wait up to --queue-wait-secs, then 503.
    #[arg(long)]
    max_evaluations: Option<usize>,
    /// How long a what-if waits for its turn, in seconds.
    #[arg(long, default_value_t = 10)]
    queue_wait_secs: u64,
    /// How long a request may take, in seconds (then 503).
    #[arg(long, default_value_t = 60)]
    request_timeout_secs: u64,
    /// Connections open at once; more wait to be accepted.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// A client must send a request's headers within this many seconds.
    #[arg(long, default_value_t = 10)]
    header_timeout_secs: u64,
    /// Answer only requests for this host name (repeat for more); without one, any.
    #[arg(long = "allowed-host")]
    allowed_hosts: Vec<String>,
    /// Working days an award may wait for its payee's confirmation (or a corrected account).
    #[arg(long, default_value_t = 10)]
    confirm_days: u32,
    /// Working days a returned application may wait for its correction.
    #[arg(long, default_value_t = 10)]
    correct_days: u32,
    /// Working days the county has for a first review.
    #[arg(long, default_value_t = 5)]
    first_review_days: u32,
    /// Working days the department has for a decision.
    #[arg(long, default_value_t = 10)]
    decision_days: u32,
    /// The service desk's working day: when it starts (hour, Beijing time) …
    #[arg(long, default_value_t = 9)]
    desk_day_start: u32,
    /// … and how many hours it has.
    #[arg(long, default_value_t = 8)]
    desk_day_hours: u32,
    /// Working hours a hub has to accept a request.
    #[arg(long, default_value_t = 8)]
    accept_hours: u64,
    /// Working days to answer a request of 政策帮, 事务帮, 诉求帮 and 服务帮 (four numbers).
    #[arg(long, num_args = 4, value_delimiter = ',', default_values_t = [3, 5, 10, 5])]
    resolve_days: Vec<u64>,
    /// Working days after an answer in which the enterprise may reopen.
    #[arg(long, default_value_t = 5)]
    reopen_days: u32,
    /// The share of its time (percent) past which a request is at risk.
    #[arg(long, default_value_t = 80)]
    at_risk_percent: u64,
}

impl ServeArgs {
    /// The desk's clock settings, or what is wrong with them.
    fn levels(&self) -> Result<jx555_workflow::request::Levels> {
        if self.desk_day_start > 23
            || self.desk_day_hours == 0
            || self.desk_day_start + self.desk_day_hours > 24
        {
            bail!(
                "--desk-day-start and --desk-day-hours must make a working day within one day (9 and 8: 9:00–17:00)"
            );
        }
        if !(1..=100).contains(&self.at_risk_percent) {
            bail!("--at-risk-percent is a share of the time, 1 to 100");
        }
        let day_minutes = u64::from(self.desk_day_hours) * 60;
        let mut resolve = [0; 4];
        for (slot, days) in resolve.iter_mut().zip(&self.resolve_days) {
            if *days == 0 {
                bail!("--resolve-days are at least 1 working day each");
            }
            *slot = days * day_minutes;
        }
        if self.accept_hours == 0 {
            bail!("--accept-hours is at least 1");
        }
        Ok(jx555_workflow::request::Levels {
            day: jx555_workflow::clock::WorkingDay {
                start: self.desk_day_start * 60,
                minutes: self.desk_day_hours * 60,
            },
            accept: self.accept_hours * 60,
            resolve,
            reopen_days: self.reopen_days,
            warn: self.at_risk_percent,
        })
    }
}

/// Serves until stopped.
pub fn serve(args: &ServeArgs) -> Result<Outcome> {
    let levels = args.levels()?;
    let db = args.db.clone().unwrap_or_else(|| {
        PathBuf::from(if args.demo {
            "jx555-demo.db"
        } else {
            DEFAULT_PATH
        })
    });
    if !args.demo && !db.exists() {
        bail!(
            "{} does not exist; import facts first (jx555 import <folder> --db {}), or serve the demo \
             with --demo",
            db.display(),
            db.display()
        );
    }
    if args.demo && SqliteStore::open(&db)?.facts()?.is_none() {
        load_demo_years(
            &db,
            args.packs.first().map(PathBuf::as_path),
            &args.population,
        )?;
    }
    let packs = pack_files::load(&args.packs)?;
    if args.demo {
        demo_desk(&db, &packs, args.demo_requests, args.population.seed)?;
        demo_accounts(&db)?;
    }
    // One line per request on stderr; RUST_LOG=warn quiets it, RUST_LOG=debug says more.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let defaults = jx555_server::Limits::default();
    let app = App::open(packs, db.clone())?.with_limits(jx555_server::Limits {
        max_body: args.max_body_kib.saturating_mul(1024),
        max_settings: args.max_settings,
        evaluations: args.max_evaluations.unwrap_or(defaults.evaluations),
        queue_wait: std::time::Duration::from_secs(args.queue_wait_secs),
        request_timeout: std::time::Duration::from_secs(args.request_timeout_secs),
    });
    let app = app
        .with_allowed_hosts(jx555_server::AllowedHosts(args.allowed_hosts.clone()))
        .with_deadlines(jx555_workflow::case::Deadlines {
            confirm: args.confirm_days,
            correct: args.correct_days,
            first_review: args.first_review_days,
            decision: args.decision_days,
        })
        .with_levels(levels);
    if !args.addr.ip().is_loopback() {
        let accounts = SqliteStore::open(&db)?.accounts()?.len();
        eprintln!(
            "警告：在 {} 上对外服务（不只是本机）。{}请在前面放 TLS 反向代理（带 X-Forwarded-Proto: https），\
             并用 --allowed-host 限定主机名。",
            args.addr,
            if accounts == 0 {
                "还没有任何账号：先用 jx555 user add 建立账号；"
            } else {
                ""
            }
        );
    }
    let connections = jx555_server::listen::Connections {
        max: args.max_connections,
        header_timeout: std::time::Duration::from_secs(args.header_timeout_secs),
        ..jx555_server::listen::Connections::default()
    };
    println!("jx555：数据库 {}；打开 http://{}/", db.display(), args.addr);
    jx555_server::serve_blocking(app, args.addr, connections)?;
    Ok(Outcome::Ok)
}

/// A year of the service desk up to now, once: providers, requests through their steps, and the
/// （二十） events (`jx555_store::desk_demo`).
fn demo_desk(
    db: &std::path::Path,
    packs: &[jx555_server::LoadedPack],
    n: usize,
    seed: u64,
) -> Result<()> {
    use jx555_store::desk::{Desk, RequestFilter};
    let mut store = SqliteStore::open(db)?;
    if n == 0
        || !store
            .requests(&RequestFilter {
                since: None,
                ..RequestFilter::default()
            })?
            .is_empty()
    {
        return Ok(());
    }
    let Some((data, _)) = store.facts()? else {
        return Ok(());
    };
    let index = jx555_engine::FactIndex::from_batches(&data.tables)?;
    let t = index.table(jx555_lang::types::EntityKind::Enterprise);
    let enterprises: Vec<(String, Option<String>)> = (0..t.rows)
        .map(|i| {
            (
                t.ids.value(i).to_string(),
                t.text("county", i).map(str::to_string),
            )
        })
        .collect();
    let departments = jx555_lang::ir::departments(packs.iter().map(|p| &p.pack));
    let cal = jx555_store::calendar::Calendars::calendar(&store)?;
    let now = jx555_workflow::clock::Moment::from_unix(jx555_server::auth::now());
    let year = jx555_store::desk_demo::year(&enterprises, &departments, n, now, &cal, seed);
    store.save_providers(&year.providers)?;
    store.load_history(&year.requests)?;
    store.add_connections(&year.connections)?;
    store.add_approvals(&year.approvals)?;
    println!(
        "示例服务台：{} 家服务供给机构，{} 件诉求（截至 {now}），{} 件报装接通，{} 个项目审批",
        year.providers.len(),
        year.requests.len(),
        year.connections.len(),
        year.approvals.len()
    );
    Ok(())
}

/// One demo account per role, scoped to an enterprise that has an award in the latest run, its
/// county and its rule's lead department, so each role shows something. Passwords are new at each
/// start and printed once; an existing demo account gets the new one.
fn demo_accounts(db: &std::path::Path) -> Result<()> {
    use jx555_store::accounts::{AccountChange, Accounts, NewAccount, hash_password, new_secret};
    use jx555_workflow::access::{Role, Scope};
    let mut store = SqliteStore::open(db)?;
    let latest = store
        .runs()?
        .into_iter()
        .filter(|r| r.overrides.is_empty())
        .max_by_key(|r| r.id);
    let Some(info) = latest else {
        bail!("the demo database has no run; run `jx555 demo` first");
    };
    let (_, run) = store.run(info.id)?;
    let Some(line) = run.lines.iter().find(|l| {
        l.payable > 0
            && l.enterprise.is_some()
            && l.county.is_some()
            && !l.rule.departments.is_empty()
    }) else {
        bail!(
            "the demo run #{} has no enterprise line to scope the demo accounts to",
            info.id
        );
    };
    let uscc = line.enterprise.clone().unwrap_or_default();
    let county = line.county.clone().unwrap_or_default();
    let department = line.rule.departments[0].clone();
    // A provider serving the county (or city-wide), for the provider's demo account.
    let providers = jx555_store::desk::Desk::providers(&store)?;
    let provider = providers
        .iter()
        .find(|p| p.counties.is_empty() || p.counties.contains(&county))
        .map(|p| p.uscc.clone());
    let accounts = [
        (
            "demo-staff",
            Role::EnterpriseStaff,
            Scope::Enterprise(uscc.clone()),
        ),
        ("demo-admin", Role::EnterpriseAdmin, Scope::Enterprise(uscc)),
        (
            "demo-county",
            Role::CountyReviewer,
            Scope::County(county.clone()),
        ),
        (
            "demo-dept",
            Role::DepartmentReviewer,
            Scope::Department(department),
        ),
        ("demo-finance", Role::Finance, Scope::City),
        ("demo-audit", Role::Auditor, Scope::City),
        ("demo-sysadmin", Role::SystemAdmin, Scope::Accounts),
        ("demo-hotline", Role::Hotline, Scope::City),
        ("demo-hub", Role::Hub, Scope::County(county.clone())),
        ("demo-cityhub", Role::Hub, Scope::City),
        (
            "demo-supervisor",
            Role::HubSupervisor,
            Scope::County(county),
        ),
    ]
    .into_iter()
    .chain(provider.map(|u| ("demo-provider", Role::Provider, Scope::Provider(u))));
    println!("演示账号（密码每次启动重新生成，只显示这一次）：");
    for (name, role, scope) in accounts {
        let password = format!("Jx-{}", &new_secret()?[..20]);
        let hash = hash_password(&password)?;
        match store.account(name)? {
            Some(_) => {
                store.change_account(name, &AccountChange::Enable)?;
                store.change_account(
                    name,
                    &AccountChange::Password {
                        hash,
                        must_change: false,
                    },
                )?;
            }
            None => {
                store.add_account(&NewAccount {
                    name: name.into(),
                    role,
                    scope: scope.clone(),
                    password_hash: hash,
                    must_change: false,
                    expires_at: None,
                })?;
            }
        }
        println!("  {name:<16} {password}  {}（{scope}）", role.name());
    }
    Ok(())
}
