//! The jx555 web platform: the policy, the payout and the targets in a browser, and the same as JSON.
//!
//! ```text
//! packs + store (facts, runs, ledger) ─> App ─> router ─┬─ pages (server-rendered HTML, zh-CN, SVG charts)
//!                                                       └─ /api/v1 (JSON, OpenAPI at /api/v1/openapi.json)
//! every request: log ─> security headers ─> identify (session or API token) ─> CSRF ─> route guard
//! ```
//!
//! Who may open what is `jx555_workflow::access` (one table of role × action); each route names its
//! action ([`auth::Routes`]), and handlers show only the rows of the visitor's scope (`queries`).
//!
//! The store is opened once and shared (one handle behind the `Store` trait); the facts are loaded
//! once when the app opens; runs and the ledger are read from the store on each request, so a run
//! stored by the CLI shows at once. Store reads and evaluations run on the blocking pool. Pages
//! (`pages/`, one file each) and the API (`api.rs`) ask the application's questions of `queries.rs`;
//! none of them names a table or a column.
#![forbid(unsafe_code)]

mod api;
pub mod auth;
pub mod listen;
mod pages;
mod queries;
mod svg;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jx555_engine::{FactIndex, Request};
use jx555_facts::Dataset;
use jx555_lang::ir::Pack;
use jx555_store::sqlite::SqliteStore;
use jx555_store::{FactsInfo, PackRef, Store, StoreError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

/// A checked pack with what the pages show of it.
#[derive(Debug, Clone)]
pub struct LoadedPack {
    /// The IR.
    pub pack: Pack,
    /// Id, version and content hash, as runs record them.
    pub reference: PackRef,
    /// The text of policy.md, shown as the literate document.
    pub policy: String,
}

/// The store as the app shares it: one handle, opened once, behind the [`Store`] trait.
pub type SharedStore = Mutex<Box<dyn Store + Send>>;

/// What one request may take of the server: the rest of the site keeps answering whatever a
/// client sends. Settings of `jx555 serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body, in bytes (an API call past it gets 413).
    pub max_body: usize,
    /// The most parameter settings one what-if may change.
    pub max_settings: usize,
    /// Evaluations (what-ifs) running at once; more wait in line.
    pub evaluations: usize,
    /// How long a request waits in that line before it gets 503 with Retry-After.
    pub queue_wait: std::time::Duration,
    /// How long a request may take in all before it gets 503.
    pub request_timeout: std::time::Duration,
}

/// The host names the server answers to (`Host` header, port aside); empty: any. Behind a proxy
/// this stops requests forged for another name (DNS rebinding).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts(pub Vec<String>);

impl AllowedHosts {
    /// Whether a request's `Host` header names an allowed host.
    pub fn allows(&self, host: Option<&str>) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let Some(host) = host else { return false };
        // `name:port`, or `[v6]:port`.
        let name = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => host.rsplit_once(':').map_or(host, |(n, _)| n),
        };
        self.0.iter().any(|a| a.eq_ignore_ascii_case(name))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 256 * 1024,
            max_settings: 100,
            evaluations: std::thread::available_parallelism().map_or(2, |n| n.get()),
            queue_wait: std::time::Duration::from_secs(10),
            request_timeout: std::time::Duration::from_secs(60),
        }
    }
}

/// One version of the store's facts, loaded and indexed: what a request reads.
pub struct Facts {
    /// The tables, as imported.
    pub data: Dataset,
    /// Indexed for the engine.
    pub index: FactIndex,
    /// Which facts they are.
    pub info: FactsInfo,
}

impl Facts {
    fn load(store: &dyn Store) -> Result<Facts, ServerError> {
        let (data, info) = store.facts()?.ok_or(StoreError::NoFacts)?;
        let index = FactIndex::from_batches(&data.tables)
            .map_err(|e| ServerError::Internal(e.to_string()))?;
        Ok(Facts { data, index, info })
    }
}

/// Everything a request may read: the packs, the one store handle, and the facts loaded from it
/// (reloaded when an import replaces them).
pub struct App {
    packs: Vec<LoadedPack>,
    store: SharedStore,
    facts: std::sync::RwLock<Arc<Facts>>,
    /// When the store was last asked whether its facts changed (Unix seconds), and whether a reload
    /// is under way: at most one check a second, one reload at a time.
    facts_checked: std::sync::atomic::AtomicI64,
    reloading: std::sync::atomic::AtomicBool,
    /// Password hashes running at once, at most one per core: logins wait, pages do not.
    hashing: tokio::sync::Semaphore,
    limits: Limits,
    hosts: AllowedHosts,
    /// Slots for evaluations ([`Limits::evaluations`]).
    evaluations: tokio::sync::Semaphore,
    /// The official working-day calendar: 公示 periods are counted in it.
    calendar: jx555_workflow::calendar::Calendar,
    /// The date the app takes for today, when not the clock's (tests of dated steps).
    today: Option<jx555_lang::types::Date>,
    /// How many working days each stage of a case may take.
    deadlines: jx555_workflow::case::Deadlines,
    /// The service desk's clocks: the working day, acceptance and resolution times, at-risk share.
    levels: jx555_workflow::request::Levels,
    /// The moment the app takes for now, when not the clock's (tests of the desk's clocks).
    now: Option<jx555_workflow::clock::Moment>,
}

impl App {
    /// Opens the SQLite store at `db` (it must exist) and loads its facts.
    pub fn open(packs: Vec<LoadedPack>, db: PathBuf) -> Result<App, ServerError> {
        App::new(packs, Box::new(SqliteStore::open(&db)?))
    }

    /// An app over any store, which must hold facts.
    pub fn new(packs: Vec<LoadedPack>, store: Box<dyn Store + Send>) -> Result<App, ServerError> {
        let facts = Facts::load(store.as_ref())?;
        // The bundled years and those officials loaded (`jx555 calendar load`), read at start.
        let calendar = store.calendar()?;
        Ok(App {
            calendar,
            today: None,
            deadlines: jx555_workflow::case::Deadlines::default(),
            levels: jx555_workflow::request::Levels::default(),
            now: None,
            packs,
            store: Mutex::new(store),
            facts: std::sync::RwLock::new(Arc::new(facts)),
            facts_checked: std::sync::atomic::AtomicI64::new(0),
            reloading: std::sync::atomic::AtomicBool::new(false),
            hashing: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            limits: Limits::default(),
            hosts: AllowedHosts::default(),
            evaluations: tokio::sync::Semaphore::new(Limits::default().evaluations),
        })
    }

    /// The app with other limits.
    pub fn with_limits(mut self, limits: Limits) -> App {
        self.evaluations = tokio::sync::Semaphore::new(limits.evaluations.max(1));
        self.limits = limits;
        self
    }

    /// The app with other deadlines for the stages of a case.
    pub fn with_deadlines(mut self, deadlines: jx555_workflow::case::Deadlines) -> App {
        self.deadlines = deadlines;
        self
    }

    /// The app taking `date` for today (dated steps: 公示 periods, payment after them).
    pub fn with_today(mut self, date: jx555_lang::types::Date) -> App {
        self.today = Some(date);
        self
    }

    /// The app taking `moment` (Beijing time) for now: the desk's clocks, and today its date.
    pub fn with_now(mut self, moment: jx555_workflow::clock::Moment) -> App {
        self.now = Some(moment);
        self.today = Some(moment.date);
        self
    }

    /// The app with other service-level settings for the desk.
    pub fn with_levels(mut self, levels: jx555_workflow::request::Levels) -> App {
        self.levels = levels;
        self
    }

    /// Now in Beijing time, or the moment the app was given.
    pub(crate) fn now(&self) -> jx555_workflow::clock::Moment {
        self.now
            .unwrap_or_else(|| jx555_workflow::clock::Moment::from_unix(auth::now()))
    }

    /// The desk's measures of the targets, by target and year (see `jx555_store::desk::measured`).
    pub(crate) fn desk_measures(
        &self,
    ) -> Result<std::collections::BTreeMap<(String, i32), rust_decimal::Decimal>, ServerError> {
        let reading = jx555_workflow::service::DayReading::of(&self.pack_refs());
        Ok(jx555_store::desk::measured(
            self.store()?.as_ref(),
            &self.levels,
            &self.calendar,
            reading,
        )?)
    }

    /// The targets of `year`, indicators the facts leave empty measured by the desk.
    pub(crate) fn targets(
        &self,
        year: i32,
    ) -> Result<Vec<jx555_engine::targets::TargetStatus>, ServerError> {
        let m = self.desk_measures()?;
        Ok(jx555_engine::targets::targets_with(
            &self.pack_refs(),
            &self.facts().index,
            year,
            &|id, y| m.get(&(id.to_string(), y)).copied(),
        )?)
    }

    /// Today (UTC), or the date the app was given.
    pub(crate) fn today(&self) -> jx555_lang::types::Date {
        self.today.unwrap_or_else(|| {
            jx555_lang::types::Date::from_days(
                i32::try_from(auth::now().div_euclid(86_400)).unwrap_or(0),
            )
        })
    }

    /// The app answering only to these host names.
    pub fn with_allowed_hosts(mut self, hosts: AllowedHosts) -> App {
        self.hosts = hosts;
        self
    }

    /// A slot to evaluate in: at most [`Limits::evaluations`] at once; a request that waits longer
    /// than [`Limits::queue_wait`] is told to come back (503 with Retry-After).
    pub async fn evaluation_slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ServerError> {
        match tokio::time::timeout(self.limits.queue_wait, self.evaluations.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ServerError::Busy(
                "服务器正忙（模拟测算排队已满），请稍后再试".into(),
            )),
        }
    }

    /// The facts now served: one version, whole, however long the request holds it.
    pub fn facts(&self) -> Arc<Facts> {
        match self.facts.read() {
            Ok(f) => f.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Whether an import has replaced the store's facts since they were loaded (the store is asked
    /// at most once a second); `true` claims the reload, which the caller starts with
    /// [`App::reload_facts`]. Cheap: a request asks it on its way in.
    fn facts_changed(&self) -> Result<bool, ServerError> {
        use std::sync::atomic::Ordering;
        let now = auth::now();
        if self.facts_checked.swap(now, Ordering::Relaxed) == now {
            return Ok(false);
        }
        let stored = self.store()?.facts_info()?;
        let current = self.facts().info.hash.clone();
        Ok(stored.is_some_and(|i| i.hash != current)
            && !self.reloading.swap(true, Ordering::AcqRel))
    }

    /// Loads the store's facts and swaps them in whole; requests meanwhile are served the old
    /// version, none waits. The store is read under its lock; indexing, the long part, is not.
    fn reload_facts(&self) -> Result<(), ServerError> {
        let loaded = self.store()?.facts();
        let result = loaded.map_err(ServerError::from).and_then(|found| {
            let (data, info) = found.ok_or(StoreError::NoFacts)?;
            let index = FactIndex::from_batches(&data.tables)
                .map_err(|e| ServerError::Internal(e.to_string()))?;
            tracing::info!(
                facts = &info.hash[..12],
                "reloaded the facts after an import"
            );
            let new = Arc::new(Facts { data, index, info });
            match self.facts.write() {
                Ok(mut f) => *f = new,
                Err(poisoned) => *poisoned.into_inner() = new,
            }
            Ok(())
        });
        self.reloading
            .store(false, std::sync::atomic::Ordering::Release);
        result
    }

    /// The store, for one request's reads and writes (on the blocking pool).
    fn store(&self) -> Result<MutexGuard<'_, Box<dyn Store + Send>>, ServerError> {
        self.store
            .lock()
            .map_err(|_| ServerError::Internal("the store's lock was poisoned by a panic".into()))
    }

    /// The store, for a change made by `p` (the audit entry names them).
    fn store_as(
        &self,
        p: &jx555_workflow::access::Principal,
    ) -> Result<MutexGuard<'_, Box<dyn Store + Send>>, ServerError> {
        let mut store = self.store()?;
        store.set_actor(jx555_store::audit::Actor {
            name: p.name.clone(),
            role: p.role.code().into(),
        });
        Ok(store)
    }

    /// The departments the packs name (责任单位), in order: the scopes of 部门审核员 accounts.
    pub fn departments(&self) -> Vec<String> {
        jx555_lang::ir::departments(self.packs.iter().map(|p| &p.pack))
    }

    fn pack_refs(&self) -> Vec<&Pack> {
        self.packs.iter().map(|p| &p.pack).collect()
    }

    /// Runs `f` with the request a run of `year` makes: the packs, the facts, the ledger.
    fn with_request<T>(
        &self,
        year: i32,
        f: impl FnOnce(&Request<'_>) -> Result<T, ServerError>,
    ) -> Result<T, ServerError> {
        let ledger = self.store()?.ledger()?;
        let refs = self.pack_refs();
        let facts = self.facts();
        f(&Request {
            packs: &refs,
            facts: &facts.index,
            ledger: &ledger,
            year,
            overrides: &[],
        })
    }
}

/// Why a request failed. Shown to people as a message, to tools as `{code, message}`; internal details
/// go to the server's log, not to the client.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The request names something that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed or asks for something the rules refuse.
    #[error("{0}")]
    BadRequest(String),
    /// The visitor's role or scope does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// The request is larger than the server takes.
    #[error("{0}")]
    TooLarge(String),
    /// Too many evaluations are running and waiting: come back later.
    #[error("{0}")]
    Busy(String),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else.
    #[error("{0}")]
    Internal(String),
}

impl ServerError {
    fn status(&self) -> (StatusCode, &'static str) {
        match self {
            ServerError::NotFound(_)
            | ServerError::Store(StoreError::NoRun(_) | StoreError::NoCase(_)) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            // The award path's rules said no, with the reason: the request, not the server.
            ServerError::Store(
                StoreError::Refused(_) | StoreError::CaseChanged(_) | StoreError::Release(_),
            ) => (StatusCode::BAD_REQUEST, "refused"),
            ServerError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ServerError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ServerError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ServerError::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ServerError::Store(_) | ServerError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }

    /// The message a client may see.
    fn public_message(&self) -> String {
        match self.status().0 {
            StatusCode::INTERNAL_SERVER_ERROR => {
                tracing::error!("internal error: {self}");
                "服务器内部错误，请联系管理员（详情已记入服务器日志）".to_string()
            }
            _ => self.to_string(),
        }
    }
}

impl From<jx555_engine::EngineError> for ServerError {
    fn from(e: jx555_engine::EngineError) -> Self {
        match e {
            jx555_engine::EngineError::Override(m) => ServerError::BadRequest(m),
            jx555_engine::EngineError::NotFound(m) => ServerError::NotFound(m),
            jx555_engine::EngineError::OutsideValidity { .. } => {
                ServerError::BadRequest(e.to_string())
            }
            other => ServerError::Internal(other.to_string()),
        }
    }
}

/// An error on a page: the same message in a page.
struct PageError(ServerError);

impl From<ServerError> for PageError {
    fn from(e: ServerError) -> Self {
        PageError(e)
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError(ServerError::Store(e))
    }
}

impl From<jx555_engine::EngineError> for PageError {
    fn from(e: jx555_engine::EngineError) -> Self {
        PageError(e.into())
    }
}

/// The message of an error page, kept on the response so that the frame can be drawn for the
/// visitor (who is signed in, what it may open) once the request's identity is known.
#[derive(Clone)]
struct ErrorMessage(String);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, _) = self.0.status();
        let message = self.0.public_message();
        let body = pages::error_page(&auth::Visitor::default(), status, &message);
        let mut resp = (status, axum::response::Html(body)).into_response();
        resp.extensions_mut().insert(ErrorMessage(message));
        retry_after(&mut resp);
        resp
    }
}

/// A 503 says when to come back.
fn retry_after(resp: &mut Response) {
    if resp.status() == StatusCode::SERVICE_UNAVAILABLE {
        resp.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("5"),
        );
    }
}

/// An error page drawn again in the frame of the visitor who asked.
fn error_for(visitor: &auth::Visitor, resp: Response) -> Response {
    match resp.extensions().get::<ErrorMessage>().cloned() {
        Some(ErrorMessage(m)) => {
            let status = resp.status();
            let (mut parts, _) = resp.into_parts();
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            let body = pages::error_page(visitor, status, &m);
            Response::from_parts(parts, axum::body::Body::from(body))
        }
        None => resp,
    }
}

/// Runs CPU-bound work (evaluation) off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServerError> + Send + 'static,
) -> Result<T, ServerError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))?
}

/// Every route of the site with the action it takes: what the access test walks.
pub fn route_rules() -> Vec<auth::RouteRule> {
    pages::routes().merge(api::routes()).into_parts().1
}

/// The whole site: pages and the JSON API; every request is logged (method, path, status, time),
/// identified, checked for CSRF and against its route's rule, and answered with security headers.
pub fn router(app: App) -> Router {
    shared_router(Arc::new(app))
}

/// [`router`] over an app the caller keeps a handle to.
pub fn shared_router(app: Arc<App>) -> Router {
    use axum::middleware::{from_fn, from_fn_with_state};
    let (routes, _) = pages::routes().merge(api::routes()).into_parts();
    let (max_body, deadline) = (app.limits.max_body, app.limits.request_timeout);
    let hosts = app.hosts.clone();
    routes
        .fallback(pages::not_found)
        .with_state(app.clone())
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(from_fn(auth::csrf))
        .layer(from_fn_with_state(app, auth::identify))
        .layer(from_fn_with_state(deadline, within))
        .layer(from_fn_with_state(hosts, host_check))
        .layer(from_fn(auth::headers))
        .layer(from_fn(log_request))
}

/// A request for a host the server does not answer to is refused (400) before anything else.
async fn host_check(
    axum::extract::State(hosts): axum::extract::State<AllowedHosts>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = req
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    if hosts.allows(host) {
        next.run(req).await
    } else {
        PageError(ServerError::BadRequest(format!(
            "本服务不接受主机名 {}",
            host.unwrap_or("（无）")
        )))
        .into_response()
    }
}

/// A request that takes longer than the deadline is answered 503 (its client is let go; work on
/// the blocking pool finishes on its own).
async fn within(
    axum::extract::State(deadline): axum::extract::State<std::time::Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    match tokio::time::timeout(deadline, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => {
            let e = ServerError::Busy("请求处理超时，请稍后再试".into());
            if api {
                api::ApiError(e).into_response()
            } else {
                PageError(e).into_response()
            }
        }
    }
}

/// One log line per request: method, path, status and how long it took.
async fn log_request(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let start = std::time::Instant::now();
    let resp = next.run(req).await;
    tracing::info!(
        %method,
        path,
        status = resp.status().as_u16(),
        ms = start.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    resp
}

/// Serves the site on `addr` until the process is stopped.
pub async fn serve(
    app: App,
    addr: std::net::SocketAddr,
    connections: listen::Connections,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    listen::serve(listener, router(app), connections).await
}

/// [`serve`] on a runtime of its own, for callers that are not async (the CLI).
pub fn serve_blocking(
    app: App,
    addr: std::net::SocketAddr,
    connections: listen::Connections,
) -> std::io::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(app, addr, connections))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_matched_by_name() {
        let h = AllowedHosts(vec!["jx555.jiaxing.gov.cn".into(), "::1".into()]);
        assert!(h.allows(Some("jx555.jiaxing.gov.cn")));
        assert!(h.allows(Some("JX555.jiaxing.gov.cn:443")));
        assert!(h.allows(Some("[::1]:5555")));
        assert!(!h.allows(Some("evil.example")));
        assert!(!h.allows(Some("jx555.jiaxing.gov.cn.evil.example:80")));
        assert!(!h.allows(None));
        assert!(AllowedHosts::default().allows(None));
    }

    #[test]
    fn internal_details_stay_in_the_log() {
        let e = ServerError::Internal("table enterprises column x".into());
        assert_eq!(e.status().0, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.public_message().contains("enterprises"));
        let e = ServerError::BadRequest("year 2030 is outside".into());
        assert_eq!(e.public_message(), "year 2030 is outside");
    }
}
