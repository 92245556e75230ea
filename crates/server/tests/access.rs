//! Who may see and do what: every route walked with every role (and anonymous) against the access
//! table, and the attacks of the accounts issue — wrong passwords, lockout, forged and replayed
//! cookies, CSRF, tokens, scopes edited in the URL, a disabled account's live session.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use jx555_server::auth::{COOKIE, new_session, now};
use jx555_server::route_rules;
use jx555_store::Store;
use jx555_store::accounts::{AccountChange, Accounts, secret_hash};
use jx555_store::audit::AuditFilter;
use jx555_store::sqlite::SqliteStore;
use jx555_workflow::access::{Role, permits};
use jx555_workflow::accounts::{Logins, MAX_FAILURES};
use std::sync::OnceLock;
use support::{PASSWORD, Site};
use tower::ServiceExt;

mod support;

/// A site of its own: these tests end sessions, lock and disable accounts.
fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| support::build(300))
}

fn router() -> axum::Router {
    jx555_server::router(site().app())
}

fn store() -> SqliteStore {
    SqliteStore::open(&site().db).unwrap()
}

/// A new session of account `name` made directly in the store: its cookie and CSRF token.
fn session(name: &str) -> (String, String) {
    let (id, s) = new_session(Some(name)).unwrap();
    store().login_succeeded(None, &s).unwrap();
    (format!("{COOKIE}={id}"), s.csrf)
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    /// The value of the session cookie this answer sets, if it sets one.
    fn new_cookie(&self) -> Option<String> {
        let v = self.headers.get(header::SET_COOKIE)?.to_str().unwrap();
        Some(v.split(';').next().unwrap().to_string())
    }
}

#[derive(Default)]
struct Ask<'a> {
    cookie: Option<&'a str>,
    csrf: Option<&'a str>,
    token: Option<&'a str>,
    form: Option<String>,
    json: Option<String>,
}

async fn send(router: &axum::Router, method: Method, uri: &str, ask: Ask<'_>) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = ask.cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(t) = ask.token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = match (ask.form, ask.json) {
        (Some(mut f), _) => {
            if let Some(c) = ask.csrf {
                f = format!("{f}&csrf={c}");
            }
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f)
        }
        (None, Some(j)) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(j)
        }
        (None, None) => Body::empty(),
    };
    let resp = router
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A page as a browser with this session cookie asks for it.
async fn get(router: &axum::Router, cookie: &str, uri: &str) -> Answer {
    let ask = Ask {
        cookie: Some(cookie),
        ..Ask::default()
    };
    send(router, Method::GET, uri, ask).await
}

/// A form posted by a browser with this session (cookie and CSRF token).
async fn post(
    router: &axum::Router,
    (cookie, csrf): (&str, &str),
    uri: &str,
    form: impl Into<String>,
) -> Answer {
    let ask = Ask {
        cookie: Some(cookie),
        csrf: Some(csrf),
        form: Some(form.into()),
        ..Ask::default()
    };
    send(router, Method::POST, uri, ask).await
}

/// An API call with this token.
async fn api(router: &axum::Router, token: &str, uri: &str) -> Answer {
    let ask = Ask {
        token: Some(token),
        ..Ask::default()
    };
    send(router, Method::GET, uri, ask).await
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Every route with every role and anonymous: allowed exactly where the access table allows, 403
/// where a signed-in role is not, the login page (or 401 on the API) for the anonymous. A route
/// with a path parameter this test does not know fails it, so a new route is walked too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_the_table_says() {
    let site = site();
    let router = router();
    let mut n = 0;
    for rule in route_rules() {
        for role in std::iter::once(None).chain(Role::ALL.into_iter().map(Some)) {
            n += 1;
            let path = rule
                .path
                .replace("{uscc}", &site.uscc)
                .replace(
                    "{id}",
                    &if rule.path.contains("packs") {
                        "jiaxing-555-2020".to_string()
                    } else if rule.path.starts_with("/cases")
                        || rule.path.starts_with("/api/v1/cases")
                    {
                        site.case_id.to_string()
                    } else if rule.path.starts_with("/publications") {
                        site.publication_id.to_string()
                    } else if rule.path.starts_with("/payments") {
                        site.batch_id.to_string()
                    } else if rule.path.contains("/requests/") {
                        site.request.0.to_string()
                    } else {
                        "1".to_string()
                    },
                )
                .replace(
                    "{name}",
                    if rule.path.starts_with("/staff") {
                        "enterprise-staff"
                    } else {
                        "finance"
                    },
                );
            let path = if rule.path.starts_with("/requests/") {
                path.replace("{file}", &site.request.1.to_string())
            } else {
                path.replace("{file}", "1")
            };
            // The queries a route needs to answer at all.
            let path = match path.as_str() {
                "/compare" => "/compare?a=1&b=1".to_string(),
                "/api/v1/enterprises" => "/api/v1/enterprises?q=9".to_string(),
                _ => path,
            };
            assert!(
                !path.contains('{'),
                "{}: a parameter this test cannot fill",
                rule.path
            );
            let (cookie, csrf, token) = match role {
                Some(r) => {
                    let (c, x) = session(r.code());
                    (Some(c), Some(x), Some(site.who(r).token.clone()))
                }
                // An anonymous browser has the session the login form gave it (CSRF passes; the
                // route's rule decides).
                None => {
                    let (id, s) = new_session(None).unwrap();
                    store().start_session(&s).unwrap();
                    (Some(format!("{COOKIE}={id}")), Some(s.csrf), None)
                }
            };
            let api = path.starts_with("/api/");
            let (form, json) = match (rule.method.as_str(), path.as_str()) {
                ("POST", "/api/v1/whatif") => (
                    None,
                    Some(r#"{"year":2023,"set":["小微园补助上限=800万"]}"#.to_string()),
                ),
                ("POST", "/whatif") => (
                    Some(format!("year=2023&set={}", enc("小微园补助上限=800万"))),
                    None,
                ),
                ("POST", "/login") => (Some("name=nobody&password=wrong".into()), None),
                ("POST", "/account/password") => (Some("current=wrong&new=x&again=x".into()), None),
                ("POST", "/publications") => (Some("days=5&contact=walk".into()), None),
                ("POST", "/api/v1/publications") => {
                    (None, Some(r#"{"days":5,"contact":"walk"}"#.to_string()))
                }
                ("POST", "/api/v1/payments") => (None, Some(r#"{"fund":"walk"}"#.to_string())),
                ("POST", p) if p.starts_with("/api/v1/payments/") => {
                    (None, Some(r#"{"voucher":"walk"}"#.to_string()))
                }
                ("POST", "/payments") => (Some("fund=walk".into()), None),
                ("POST", p) if p.starts_with("/payments/") => (Some("voucher=walk".into()), None),
                ("POST", "/accounts") => (Some(format!("name=walk-{n}&role=finance")), None),
                ("POST", "/staff") => (Some(format!("name=walk-{n}&role=enterprise-staff")), None),
                ("POST", p) if p.starts_with("/api/v1/cases/") => (
                    None,
                    Some(r#"{"kind":"Object","reason":"walk"}"#.to_string()),
                ),
                ("POST", p) if p.starts_with("/cases/") => {
                    (Some("kind=Object&reason=walk".into()), None)
                }
                ("POST", "/requests") => (
                    Some(format!(
                        "enterprise={}&caller=0573-96871&category={}&text=walk",
                        site.uscc,
                        enc("政策帮")
                    )),
                    None,
                ),
                ("POST", "/api/v1/requests") => (
                    None,
                    Some(format!(
                        r#"{{"enterprise":"{}","caller":"0573-96871","category":"政策帮","text":"walk"}}"#,
                        site.uscc
                    )),
                ),
                ("POST", p) if p.starts_with("/requests/") => {
                    (Some("kind=Escalate&text=walk".into()), None)
                }
                ("POST", p) if p.starts_with("/api/v1/requests/") => (
                    None,
                    Some(r#"{"kind":"Escalate","text":"walk"}"#.to_string()),
                ),
                ("POST", _) => (Some("op=enable".into()), None),
                _ => (None, None),
            };
            let ask = Ask {
                cookie: cookie.as_deref(),
                csrf: csrf.as_deref(),
                token: token.as_deref(),
                form,
                json,
            };
            let a = send(&router, rule.method.clone(), &path, ask).await;
            let what = format!(
                "{} {path} as {role:?}: {} {}",
                rule.method,
                a.status,
                a.location()
            );
            // The registry and the （二十） events are the city hub's: a county hub (the walk's hub
            // account) is let in by the table and refused by its scope.
            let county_hub = role == Some(Role::Hub)
                && rule.path.starts_with("/desk")
                && a.status == StatusCode::FORBIDDEN
                && a.body.contains("由市级枢纽维护");
            // The walk's request was dispatched to a provider, not to the department: out of the
            // department reviewer's sight, it is not there for it.
            let unseen_request = role == Some(Role::DepartmentReviewer)
                && rule.path.contains("/requests/{id}")
                && a.status == StatusCode::NOT_FOUND;
            if county_hub || unseen_request {
            } else if permits(role, rule.action) {
                assert!(
                    !matches!(a.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                        && !a.location().starts_with("/login"),
                    "{what} should be allowed: {}",
                    a.body.split("<main>").nth(1).unwrap_or(&a.body)
                );
                // A case's own table (or a department with nothing ready to publish) may still
                // refuse the action, 400 with the reason: the route let the role in.
                let refused_by_case = matches!(
                    rule.path,
                    "/cases/{id}"
                        | "/cases/bulk"
                        | "/cases/{id}/attachments"
                        | "/api/v1/cases/{id}"
                        | "/publications"
                        | "/api/v1/publications"
                        | "/payments"
                        | "/api/v1/payments"
                        | "/payments/{id}"
                        | "/api/v1/payments/{id}"
                        | "/payments/{id}/return"
                        | "/requests/{id}"
                        | "/requests/{id}/attachments"
                        | "/api/v1/requests/{id}"
                ) && a.status == StatusCode::BAD_REQUEST;
                assert!(
                    a.status.is_success() || a.status.is_redirection() || refused_by_case,
                    "{what}"
                );
            } else if role.is_none() && api {
                assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{what}");
            } else if role.is_none() {
                assert_eq!(a.status, StatusCode::SEE_OTHER, "{what}");
                assert!(a.location().starts_with("/login?next="), "{what}");
            } else {
                assert_eq!(a.status, StatusCode::FORBIDDEN, "{what}");
            }
            // Every form that changes something carries the session's CSRF token.
            for form in a.body.split("<form method=\"post\"").skip(1) {
                let form = &form[..form.find("</form>").unwrap_or(form.len())];
                assert!(
                    csrf.as_deref()
                        .is_some_and(|t| form.contains(&format!("name=\"csrf\" value=\"{t}\""))),
                    "{what}: a form without the CSRF token: {form}"
                );
            }
            // Security headers on every answer.
            let csp = a.headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
            assert_eq!(a.headers["x-content-type-options"], "nosniff");
            let cache = a.headers[header::CACHE_CONTROL].to_str().unwrap();
            assert!(
                cache == "no-store" || path == "/style.css",
                "{what}: Cache-Control {cache}"
            );
        }
    }
    assert!(n > 200, "{n} requests");
}

#[tokio::test]
async fn scopes_hide_other_enterprises_and_counties() {
    let site = site();
    let router = router();
    let other = &site.other;
    for role in [
        Role::EnterpriseStaff,
        Role::EnterpriseAdmin,
        Role::CountyReviewer,
    ] {
        let (cookie, _) = session(role.code());
        let mine = get(&router, &cookie, &format!("/enterprises/{}", site.uscc)).await;
        assert_eq!(mine.status, StatusCode::OK, "{role:?} sees its own");
        let theirs = get(&router, &cookie, &format!("/enterprises/{other}")).await;
        assert_eq!(
            theirs.status,
            StatusCode::NOT_FOUND,
            "{role:?}: {}",
            theirs.body
        );
        assert!(
            theirs.body.contains("没有统一社会信用代码为"),
            "the same answer as for no enterprise"
        );
        let token = &site.who(role).token;
        let answer = api(
            &router,
            token,
            &format!("/api/v1/enterprises/{other}/explain?year=2023"),
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{role:?}");
        let found = api(&router, token, "/api/v1/enterprises?q=9&limit=200").await;
        let list: serde_json::Value = serde_json::from_str(&found.body).unwrap();
        assert!(!list.as_array().unwrap().is_empty());
        for e in list.as_array().unwrap() {
            match role {
                Role::CountyReviewer => assert_eq!(e["county"], site.county.as_str()),
                _ => assert_eq!(e["uscc"], site.uscc.as_str()),
            }
        }
    }
    // The county reviewer's run: only its county, in lines, total and download.
    let county = site.who(Role::CountyReviewer);
    let run = api(&router, &county.token, "/api/v1/runs/1?limit=10000").await;
    let v: serde_json::Value = serde_json::from_str(&run.body).unwrap();
    let lines = v["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l["county"] == site.county.as_str()));
    let sum: i64 = lines.iter().map(|l| l["payable"].as_i64().unwrap()).sum();
    assert_eq!(v["total"].as_i64(), Some(sum));
    let (_, full) = store().run(1).unwrap();
    assert!(
        sum < full.total(),
        "the city's total is not shown to a county"
    );
    // The department reviewer's lines are its department's rules'.
    let dept = site.who(Role::DepartmentReviewer);
    let run = api(&router, &dept.token, "/api/v1/runs/1?limit=10000").await;
    let v: serde_json::Value = serde_json::from_str(&run.body).unwrap();
    for l in v["lines"].as_array().unwrap() {
        assert!(
            l["rule"]["departments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d == site.department.as_str()),
            "{l}"
        );
    }
}

async fn login(router: &axum::Router, name: &str, password: &str) -> Answer {
    let form = send(router, Method::GET, "/login", Ask::default()).await;
    let cookie = form.new_cookie().unwrap();
    let pat = "name=\"csrf\" value=\"";
    let at = form.body.find(pat).unwrap() + pat.len();
    let csrf = form.body[at..at + 64].to_string();
    send(
        router,
        Method::POST,
        "/login",
        Ask {
            cookie: Some(&cookie),
            csrf: Some(&csrf),
            form: Some(format!(
                "name={}&password={}&next=%2Fruns",
                enc(name),
                enc(password)
            )),
            ..Ask::default()
        },
    )
    .await
}

#[tokio::test]
async fn a_login_rotates_the_session_and_wrong_ones_say_nothing() {
    let router = router();
    let ok = login(&router, "finance", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/runs");
    let cookie = ok.new_cookie().unwrap();
    let set = ok.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let runs = get(&router, &cookie, "/runs").await;
    assert_eq!(runs.status, StatusCode::OK);
    assert!(
        runs.body.contains("finance") && runs.body.contains("财政"),
        "who is signed in is shown"
    );

    let wrong = login(&router, "finance", "Not-The-Password-1").await;
    let nobody = login(&router, "nobody-at-all", "Not-The-Password-1").await;
    assert_eq!(
        (wrong.status, nobody.status),
        (StatusCode::OK, StatusCode::OK)
    );
    let msg = |a: &Answer| a.body.contains("账号或密码不正确");
    assert!(
        msg(&wrong) && msg(&nobody),
        "the same answer whether the account exists or not"
    );
    // SQL and HTML in the login and search fields: escaped, refused, no error.
    let sql = login(&router, "x' OR '1'='1", "<script>alert(1)</script>").await;
    assert!(msg(&sql) && !sql.body.contains("<script>alert"));
    let (cookie, _) = session("auditor");
    let search = send(
        &router,
        Method::GET,
        &format!(
            "/enterprises?q={}",
            enc("<script>alert(1)</script>' OR 1=1 --")
        ),
        Ask {
            cookie: Some(&cookie),
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(!search.body.contains("<script>alert") && search.body.contains("&lt;script&gt;"));
    // A megabyte password is refused before hashing (the form is over the size a page accepts),
    // and a password over the policy's length but inside a form is refused before hashing too: not
    // even a failure is counted.
    let before = store().account("auditor").unwrap().unwrap().logins.failures;
    let huge = login(&router, "auditor", &"A1a!".repeat(250_000)).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(huge.body.contains("表单过大"), "{}", huge.body);
    let long = login(&router, "auditor", &"A1a!".repeat(1000)).await;
    assert!(msg(&long));
    assert_eq!(
        store().account("auditor").unwrap().unwrap().logins.failures,
        before
    );
    let audit = store()
        .audit(&AuditFilter {
            object: Some("account:nobody-at-all".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(audit.last().unwrap().action, "login.failure");
}

#[tokio::test]
async fn ten_failures_lock_the_account_until_the_period_ends() {
    let router = router();
    // An account of its own: the other tests sign the shared ones in, which resets their count.
    store()
        .add_account(&jx555_store::accounts::NewAccount {
            name: "lock-me".into(),
            role: Role::Auditor,
            scope: jx555_workflow::access::Scope::City,
            password_hash: jx555_store::accounts::hash_password(PASSWORD).unwrap(),
            must_change: false,
            expires_at: None,
        })
        .unwrap();
    for _ in 0..MAX_FAILURES {
        let a = login(&router, "lock-me", "Wrong-Password-123").await;
        assert_eq!(a.status, StatusCode::OK);
    }
    let locked = login(&router, "lock-me", PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::OK,
        "the right password is refused while locked"
    );
    assert!(locked.body.contains("账号或密码不正确"));
    // The lock's period passes (set in the store, as time would).
    store()
        .login_failed(
            "lock-me",
            Some(Logins {
                failures: MAX_FAILURES,
                locked_until: Some(now() - 1),
            }),
        )
        .unwrap();
    let after = login(&router, "lock-me", PASSWORD).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "{}", after.body);
}

#[tokio::test]
async fn forged_replayed_and_disabled_sessions_are_anonymous() {
    let router = router();
    let protected = |cookie: String| {
        let router = router.clone();
        async move { get(&router, &cookie, "/runs").await }
    };
    let forged = protected(format!("{COOKIE}={}", "ab".repeat(32))).await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    assert!(forged.location().starts_with("/login"));
    assert!(
        forged.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0"),
        "the cookie is cleared"
    );
    // Replayed after logout.
    let (cookie, csrf) = session("finance");
    assert_eq!(protected(cookie.clone()).await.status, StatusCode::OK);
    let out = post(&router, (&cookie, &csrf), "/logout", String::new()).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(protected(cookie).await.status, StatusCode::SEE_OTHER);
    // A disabled account's live session ends at its next request; its token stops working.
    let mut s = store();
    let account = s
        .add_account(&jx555_store::accounts::NewAccount {
            name: "soon-disabled".into(),
            role: Role::Finance,
            scope: jx555_workflow::access::Scope::City,
            password_hash: String::new(),
            must_change: false,
            expires_at: None,
        })
        .unwrap();
    let (cookie, _) = session(&account.name);
    let secret = jx555_store::accounts::new_secret().unwrap();
    s.add_token(&account.name, &secret_hash(&secret), "t", None)
        .unwrap();
    assert_eq!(protected(cookie.clone()).await.status, StatusCode::OK);
    let api = |t: String| {
        let router = router.clone();
        async move { api(&router, &t, "/api/v1/runs").await.status }
    };
    assert_eq!(api(secret.clone()).await, StatusCode::OK);
    s.change_account(&account.name, &AccountChange::Disable)
        .unwrap();
    assert_eq!(protected(cookie).await.status, StatusCode::SEE_OTHER);
    assert_eq!(api(secret).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn csrf_and_tokens_are_checked() {
    let router = router();
    let (cookie, csrf) = session("finance");
    let form = Some(format!("year=2023&set={}", enc("小微园补助上限=800万")));
    let missing = send(
        &router,
        Method::POST,
        "/whatif",
        Ask {
            cookie: Some(&cookie),
            form: form.clone(),
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("CSRF"));
    let wrong = send(
        &router,
        Method::POST,
        "/whatif",
        Ask {
            cookie: Some(&cookie),
            csrf: Some(&"0".repeat(64)),
            form: form.clone(),
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let right = send(
        &router,
        Method::POST,
        "/whatif",
        Ask {
            cookie: Some(&cookie),
            csrf: Some(&csrf),
            form,
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(right.status, StatusCode::OK);
    // The API ignores cookies: a page's session cannot call it.
    let by_cookie = get(&router, &cookie, "/api/v1/runs").await;
    assert_eq!(by_cookie.status, StatusCode::UNAUTHORIZED);
    // An unknown, an expired and a revoked token.
    let status = |t: String| {
        let router = router.clone();
        async move { api(&router, &t, "/api/v1/runs").await.status }
    };
    assert_eq!(status("f".repeat(64)).await, StatusCode::UNAUTHORIZED);
    let mut s = store();
    let expired = jx555_store::accounts::new_secret().unwrap();
    s.add_token("finance", &secret_hash(&expired), "old", Some(now() - 1))
        .unwrap();
    assert_eq!(status(expired).await, StatusCode::UNAUTHORIZED);
    let revoked = jx555_store::accounts::new_secret().unwrap();
    let id = s
        .add_token("finance", &secret_hash(&revoked), "r", None)
        .unwrap();
    assert_eq!(status(revoked.clone()).await, StatusCode::OK);
    s.revoke_token(id).unwrap();
    assert_eq!(status(revoked).await, StatusCode::UNAUTHORIZED);
    // Each use of a token is in the audit log.
    let uses = s
        .audit(&AuditFilter {
            object: Some(format!("token:{id}")),
            ..AuditFilter::default()
        })
        .unwrap();
    let actions: Vec<&str> = uses.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["token.add", "token.use", "token.revoke"]);
    assert_eq!(uses[1].actor, "finance");
}

#[tokio::test]
async fn accounts_are_managed_by_whom_the_table_says() {
    let site = site();
    let router = router();
    // An enterprise admin adds a staff account of its own enterprise (whatever scope it posts), and
    // cannot touch an official account.
    let (cookie, csrf) = session("enterprise-admin");
    let add = post(
        &router,
        (&cookie, &csrf),
        "/staff",
        "name=new-staff&role=enterprise-staff&scope=ignored",
    )
    .await;
    assert_eq!(add.status, StatusCode::OK, "{}", add.body);
    assert!(add.body.contains("一次性密码"));
    let pat = "class=\"secret\">";
    let at = add.body.find(pat).unwrap() + pat.len();
    let one_time = add.body[at..].split('<').next().unwrap().to_string();
    // The new staff logs in with it and must change it before anything else opens.
    let first = login(&router, "new-staff", &one_time).await;
    assert_eq!(first.location(), "/account", "{}", first.body);
    let staff_cookie = first.new_cookie().unwrap();
    let elsewhere = get(&router, &staff_cookie, "/enterprises").await;
    assert_eq!(elsewhere.location(), "/account");
    let own = get(&router, &staff_cookie, "/account").await;
    assert!(own.body.contains("请立即修改"), "{}", own.body);
    let pat = "name=\"csrf\" value=\"";
    let at = own.body.find(pat).unwrap() + pat.len();
    let staff_csrf = own.body[at..at + 64].to_string();
    let weak = post(
        &router,
        (&staff_cookie, &staff_csrf),
        "/account/password",
        format!("current={}&new=weak&again=weak", enc(&one_time)),
    )
    .await;
    assert!(weak.body.contains("密码至少"), "{}", weak.body);
    let changed = post(
        &router,
        (&staff_cookie, &staff_csrf),
        "/account/password",
        format!(
            "current={}&new={}&again={}",
            enc(&one_time),
            enc("Staff-Chosen-2026"),
            enc("Staff-Chosen-2026")
        ),
    )
    .await;
    assert_eq!(changed.location(), "/login", "{}", changed.body);
    let old = get(&router, &staff_cookie, "/account").await;
    assert!(
        old.location().starts_with("/login"),
        "the session ended with the old password"
    );
    let again = login(&router, "new-staff", "Staff-Chosen-2026").await;
    assert_eq!(
        again.location(),
        "/runs",
        "the next login goes where it was going"
    );
    let a = store().account("new-staff").unwrap().unwrap();
    assert_eq!(
        a.scope,
        jx555_workflow::access::Scope::Enterprise(site.uscc.clone())
    );
    assert!(!a.must_change, "its owner has changed it");
    let official = post(&router, (&cookie, &csrf), "/staff/finance", "op=disable").await;
    assert_eq!(official.status, StatusCode::NOT_FOUND);
    let admin = post(
        &router,
        (&cookie, &csrf),
        "/staff",
        "name=boss2&role=enterprise-admin",
    )
    .await;
    assert_eq!(admin.status, StatusCode::FORBIDDEN);
    // The system admin adds a county reviewer, refused for a county that is not one.
    let (cookie, csrf) = session("system-admin");
    let bad = post(
        &router,
        (&cookie, &csrf),
        "/accounts",
        format!("name=x-county&role=county-reviewer&scope={}", enc("北京市")),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("南湖区"), "the counties are listed");
    let ok = post(
        &router,
        (&cookie, &csrf),
        "/accounts",
        format!("name=jiashan&role=county-reviewer&scope={}", enc("嘉善县")),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let staff = post(
        &router,
        (&cookie, &csrf),
        "/accounts/new-staff",
        "op=disable",
    )
    .await;
    assert_eq!(
        staff.status,
        StatusCode::NOT_FOUND,
        "an enterprise's staff is its admin's to manage"
    );
    let entries = store()
        .audit(&AuditFilter {
            object: Some("account:jiashan".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(
        (entries[0].action.as_str(), entries[0].actor.as_str()),
        ("account.add", "system-admin")
    );
    assert!(store().verify_audit().unwrap().is_ok());
}
