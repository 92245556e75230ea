//! A small demo Jiaxing in a store, with its 2023 run, shared by the site's tests.

#![allow(dead_code)]

use jx555_engine::{FactIndex, Ledger};
use jx555_lang::{SourceFile, Sources};
use jx555_server::{App, LoadedPack};
use jx555_store::accounts::{Accounts, NewAccount, hash_password, new_secret, secret_hash};
use jx555_store::cases::Cases;
use jx555_store::sqlite::SqliteStore;
use jx555_store::{NewRun, PackRef, Store};
use jx555_workflow::access::{Role, Scope, ScopeKind};
use std::ops::ControlFlow;
use std::sync::OnceLock;

pub struct Site {
    pub _dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub pack: LoadedPack,
    /// An enterprise that receives something in the run.
    pub uscc: String,
    /// Its county.
    pub county: String,
    /// An enterprise of another county.
    pub other: String,
    /// The lead department of its paying line's rule.
    pub department: String,
    /// The case of that line (the run is released).
    pub case_id: i64,
    /// A 公示 of another case, confirmed and published.
    pub publication_id: i64,
    /// A payment batch holding that case (its 公示 taken as over).
    pub batch_id: i64,
    /// A request of the enterprise, accepted by its county's hub and dispatched to a provider, and
    /// a file attached to it.
    pub request: (i64, i64),
    /// One signed-in account per role, scoped to that enterprise, its county and department.
    pub accounts: Vec<(Role, Credentials)>,
}

/// An account signed in: its password, a live session (cookie and CSRF token) and an API token.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub name: String,
    pub password: String,
    /// The `Cookie` header value.
    pub cookie: String,
    pub csrf: String,
    pub token: String,
}

/// The password of every test account.
pub const PASSWORD: &str = "Test-Password-2026";

/// Makes an account of `role` and `scope` with a session and a token, directly in the store.
pub fn sign_in(store: &mut SqliteStore, name: &str, role: Role, scope: Scope) -> Credentials {
    store
        .add_account(&NewAccount {
            name: name.into(),
            role,
            scope,
            password_hash: hash_password(PASSWORD).unwrap(),
            must_change: false,
            expires_at: None,
        })
        .unwrap();
    let (id, session) = jx555_server::auth::new_session(Some(name)).unwrap();
    store.login_succeeded(None, &session).unwrap();
    let token = new_secret().unwrap();
    store
        .add_token(name, &secret_hash(&token), "test", None)
        .unwrap();
    Credentials {
        name: name.into(),
        password: PASSWORD.into(),
        cookie: format!("{}={id}", jx555_server::auth::COOKIE),
        csrf: session.csrf,
        token,
    }
}

/// A store with 600 demo enterprises and the 2023 run, made once for all tests.
pub fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| build(600))
}

/// A store with `n` demo enterprises (seed 555) and the 2023 run under the bundled pack.
pub fn build(n: usize) -> Site {
    {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../policies/jiaxing-555-2020/"
        );
        let read = |f: &str| std::fs::read_to_string(format!("{root}{f}")).unwrap();
        let sources = Sources::new(
            SourceFile::new("pack.toml", read("pack.toml")),
            SourceFile::new("policy.md", read("policy.md")),
            Some(SourceFile::new("catalog.toml", read("catalog.toml"))),
        );
        let pack = jx555_lang::check(&sources).pack.unwrap();
        let reference = PackRef {
            id: pack.manifest.id.clone(),
            version: pack.manifest.version.clone(),
            hash: "test".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("site.db");
        let mut store = SqliteStore::open(&db).unwrap();
        let data = jx555_facts::demo::generate(n, 555).unwrap();
        let info = store
            .replace_facts(&data, &mut |_, _| ControlFlow::Continue(()))
            .unwrap();
        let facts = FactIndex::from_batches(&data.tables).unwrap();
        let run = jx555_engine::evaluate(&jx555_engine::Request {
            packs: &[&pack],
            facts: &facts,
            ledger: &Ledger::default(),
            year: 2023,
            overrides: &[],
        })
        .unwrap();
        // The county with the most enterprise applications to review, so its reviewer's queue has work.
        let mut applications = std::collections::BTreeMap::<&str, usize>::new();
        for l in &run.lines {
            use jx555_engine::summary::Standing;
            if let (Some(c), Some(_), Standing::Review | Standing::CaseByCase) =
                (&l.county, &l.enterprise, l.standing())
            {
                *applications.entry(c.as_str()).or_default() += 1;
            }
        }
        let busiest = applications
            .iter()
            .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
            .map(|(c, _)| c.to_string());
        let line = run
            .lines
            .iter()
            .find(|l| {
                l.payable > 0
                    && l.enterprise.is_some()
                    && l.county == busiest
                    && !l.rule.departments.is_empty()
            })
            .unwrap();
        let uscc = line.enterprise.clone().unwrap();
        let county = line.county.clone().unwrap();
        let department = line.rule.departments[0].clone();
        let enterprises = facts.table(jx555_lang::types::EntityKind::Enterprise);
        let other = (0..enterprises.rows)
            .find(|&r| enterprises.text("county", r).is_some_and(|c| c != county))
            .map(|r| enterprises.ids.value(r).to_string())
            .unwrap();
        let run_id = store
            .save_run(&NewRun {
                packs: vec![reference.clone()],
                facts_hash: info.hash,
                overrides: vec![],
                settings: vec![],
                ledger: &Ledger::default(),
                run: &run,
            })
            .unwrap();
        let line_index = run
            .lines
            .iter()
            .position(|l| std::ptr::eq(l, line))
            .unwrap();
        store
            .release(run_id, &jx555_store::cases::release_plan(&run, &facts))
            .unwrap();
        let case_id = store
            .cases(&jx555_store::cases::CaseFilter::default())
            .unwrap()
            .into_iter()
            .find(|c| c.line == line_index)
            .unwrap()
            .id;
        let (publication_id, batch_id) = publish_another(&mut store, case_id);
        // A file with the case, for the tests to read.
        store
            .attach(
                case_id,
                &jx555_store::cases::NewAttachment {
                    name: "验收报告.pdf".into(),
                    mime: "application/pdf".into(),
                    bytes: b"%PDF-1.4 test".to_vec(),
                },
            )
            .unwrap();
        // A provider of the registry and one request of the enterprise, dispatched to it.
        let (provider, request) = desk_fixture(&mut store, &uscc, &county);
        let accounts = Role::ALL
            .into_iter()
            .map(|role| {
                let scope = match role.scope_kind() {
                    ScopeKind::Enterprise => Scope::Enterprise(uscc.clone()),
                    ScopeKind::County => Scope::County(county.clone()),
                    ScopeKind::Department => Scope::Department(department.clone()),
                    ScopeKind::City => Scope::City,
                    ScopeKind::Accounts => Scope::Accounts,
                    ScopeKind::Hub => Scope::County(county.clone()),
                    ScopeKind::Provider => Scope::Provider(provider.clone()),
                };
                (role, sign_in(&mut store, role.code(), role, scope))
            })
            .collect();
        Site {
            _dir: dir,
            county,
            case_id,
            publication_id,
            batch_id,
            request,
            other,
            department,
            accounts,
            db,
            pack: LoadedPack {
                pack,
                reference,
                policy: read("policy.md"),
            },
            uscc,
        }
    }
}

/// A service provider in the registry and a request of `uscc` raised, accepted by its county's hub
/// and dispatched to the provider, with a file: the provider's 统一社会信用代码, the request's and the
/// file's numbers.
fn desk_fixture(store: &mut SqliteStore, uscc: &str, county: &str) -> (String, (i64, i64)) {
    use jx555_store::desk::{Channel, Desk, NewRequest};
    use jx555_workflow::clock::Moment;
    use jx555_workflow::request::{Action, Category, Levels, Party, Request, State, step};
    use jx555_workflow::service::Provider;
    let provider = jx555_facts::cell::with_check_char("91330402MA2B0PRC0");
    store
        .save_providers(&[Provider {
            uscc: provider.clone(),
            name: "嘉兴市企业服务中心".into(),
            categories: vec![Category::Policy, Category::Affairs],
            counties: Vec::new(),
            registered: jx555_lang::types::Date::parse("2025-01-02").unwrap(),
        }])
        .unwrap();
    let cal = jx555_workflow::calendar::Calendar::bundled().unwrap();
    let at = |s: &str| Moment::parse(s).unwrap();
    let r = Request {
        state: State::Submitted,
        category: Category::Policy,
        tags: Vec::new(),
        enterprise: uscc.to_string(),
        hub: county.to_string(),
        assignee: None,
        submitted: at("2025-06-09 10:00"),
        accepted: None,
        resolved: None,
        pauses: Vec::new(),
        rating: None,
        escalated: false,
        reopened: 0,
    };
    let id = store
        .raise(&NewRequest {
            request: r.clone(),
            text: "想了解“专精特新”小巨人奖励的申报条件".into(),
            channel: Channel::Portal,
            caller: None,
        })
        .unwrap();
    let levels = Levels::default();
    let hub = Party::Hub(county.to_string());
    let mut now = r;
    for (action, when) in [
        (Action::Accept, "2025-06-09 11:00"),
        (Action::Dispatch(provider.clone()), "2025-06-09 11:30"),
    ] {
        let next = step(&now, &hub, &action, at(when), &levels, &cal).unwrap();
        store
            .record_request_step(id, &now, &action, &next, at(when))
            .unwrap();
        now = next;
    }
    let file = store
        .attach_to_request(
            id,
            &jx555_store::cases::NewAttachment {
                name: "营业执照.pdf".into(),
                mime: "application/pdf".into(),
                bytes: b"%PDF-1.4 test".to_vec(),
            },
        )
        .unwrap();
    (provider, (id, file))
}

/// Confirms a pushed case other than `except` (as its enterprise), publishes it (as its lead
/// department) and, its 公示 taken as over, puts it in a payment batch (as finance), straight
/// through the workflow and the store: a 公示 and a batch for the tests to read.
fn publish_another(store: &mut SqliteStore, except: i64) -> (i64, i64) {
    use jx555_store::cases::{CaseFilter, NewPublication};
    use jx555_workflow::access::Principal;
    use jx555_workflow::case::{Account, Action, State, step};
    let c = store
        .cases(&CaseFilter {
            state: Some(State::Pushed),
            ..CaseFilter::default()
        })
        .unwrap()
        .into_iter()
        .find(|c| c.id != except && c.case.enterprise.is_some())
        .unwrap();
    let today = jx555_lang::types::Date::from_days(
        i32::try_from(jx555_server::auth::now() / 86_400).unwrap(),
    );
    let staff = Principal {
        name: "setup".into(),
        role: Role::EnterpriseStaff,
        scope: Scope::Enterprise(c.case.enterprise.clone().unwrap()),
    };
    let confirm = Action::Confirm(Account {
        bank: "工商银行".into(),
        number: "12040600090001234".into(),
        holder: c.case.payee.clone(),
    });
    let ready = step(&c.case, &staff, &confirm, today).unwrap();
    store
        .record_step(c.id, State::Pushed, &confirm, &ready)
        .unwrap();
    let dept = Principal {
        name: "setup".into(),
        role: Role::DepartmentReviewer,
        scope: Scope::Department(c.case.department.clone()),
    };
    let ends = jx555_lang::types::Date::from_days(today.to_days() + 10);
    let publicize = Action::Publicize(ends);
    let published = step(&ready, &dept, &publicize, today).unwrap();
    let publication = store
        .publish(
            &NewPublication {
                department: c.case.department.clone(),
                ends,
                contact: "市经信局 0573-0000000".into(),
            },
            &[(c.id, State::Ready, publicize, published.clone())],
        )
        .unwrap();
    let finance = Principal {
        name: "setup".into(),
        role: Role::Finance,
        scope: Scope::City,
    };
    let after = jx555_lang::types::Date::from_days(ends.to_days() + 1);
    let batched = step(&published, &finance, &Action::AddToBatch, after).unwrap();
    let batch = store
        .make_batches(
            "工信专项资金",
            &[jx555_store::cases::NewPart {
                case: c.id,
                payer: jx555_store::cases::payer(&c),
                amount: c.case.amount.unwrap_or(0),
            }],
            &[(c.id, State::Publicized, Action::AddToBatch, batched)],
        )
        .unwrap()[0];
    (publication, batch)
}

/// Walks a pushed case to paid, straight through the workflow and the store (dates past its
/// 公示): its payment goes into the ledger.
pub fn pay(db: &std::path::Path, id: i64) {
    walk(db, id, true);
}

/// Walks a pushed case through confirmation (by its enterprise) to a 公示 that ended on day 7
/// (of 2024-10-04 + n), and with `pay` on through a payment batch to paid.
pub fn walk(db: &std::path::Path, id: i64, pay: bool) {
    use jx555_store::cases::Cases;
    use jx555_workflow::access::Principal;
    use jx555_workflow::case::{Account, Action, step};
    let mut store = SqliteStore::open(db).unwrap();
    let (c, _) = store.case(id).unwrap().unwrap();
    let who = |role, scope| Principal {
        name: "setup".into(),
        role,
        scope,
    };
    let payee = who(
        Role::EnterpriseStaff,
        Scope::Enterprise(c.case.enterprise.clone().unwrap()),
    );
    let dept = who(
        Role::DepartmentReviewer,
        Scope::Department(c.case.department.clone()),
    );
    let finance = who(Role::Finance, Scope::City);
    let day = |d| jx555_lang::types::Date::from_days(20_000 + d);
    let confirm = Action::Confirm(Account {
        bank: "工商银行".into(),
        number: "12040600090001234".into(),
        holder: c.case.payee.clone(),
    });
    let mut case = c.case;
    let steps = [
        (&payee, confirm, day(0)),
        (&dept, Action::Publicize(day(7)), day(0)),
        (&finance, Action::AddToBatch, day(8)),
        (&finance, Action::RecordPaid, day(9)),
    ];
    for (p, action, on) in steps.into_iter().take(if pay { 4 } else { 2 }) {
        let next = step(&case, p, &action, on).unwrap();
        store.record_step(id, case.state, &action, &next).unwrap();
        case = next;
    }
}

/// A fresh app over the shared store.
pub fn app() -> App {
    site().app()
}

impl Site {
    /// The signed-in account of `role`.
    pub fn who(&self, role: Role) -> &Credentials {
        &self.accounts.iter().find(|(r, _)| *r == role).unwrap().1
    }

    /// An app over this store.
    pub fn app(&self) -> App {
        App::open(vec![self.pack.clone()], self.db.clone()).unwrap()
    }
}

/// A JSON API call through the router with an API token (or none): the status and the body as JSON
/// (`null` when it is not JSON).
pub async fn call_json(
    router: axum::Router,
    token: Option<&str>,
    method: &str,
    uri: &str,
    body: Option<String>,
) -> (axum::http::StatusCode, serde_json::Value) {
    use axum::http::{Request, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = body.map_or_else(axum::body::Body::empty, axum::body::Body::from);
    let resp = router.oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}
