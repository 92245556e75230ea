//! 诉求: the 「一九千万」 service desk's requests — an enterprise's 我的诉求, a hub's, provider's or
//! department's queue (breached, then at risk, then by due moment), raising a request (the
//! enterprise itself, or the 96871 hotline for a caller), and one request with its clocks, timeline
//! and the actions the visitor may take. Which action by whom is `jx555_workflow::request`; a page
//! offers what `request::available` says and records what `request::step` allows.

use super::layout::layout;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::{App, ServerError, queries};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use jx555_store::desk::steps::{self, Raise};
use jx555_store::desk::{RequestFilter, StoredRequest};
use jx555_workflow::access::{Principal, Role, Scope};
use jx555_workflow::clock::{Moment, Standing};
use jx555_workflow::request::{self, Action, Category, Difficulty, Kind};
use maud::{Markup, html};
use serde::Deserialize;

/// The requests `p` may see: narrowed in the store by its scope, then by `request::sees`.
pub(crate) fn visible(app: &App, p: &Principal) -> Result<Vec<StoredRequest>, ServerError> {
    let mut f = RequestFilter::default();
    match (p.role, &p.scope) {
        (_, Scope::Enterprise(u)) => f.enterprise = Some(u.clone()),
        (Role::Hub | Role::HubSupervisor, Scope::County(c)) => f.hub = Some(c.clone()),
        (_, Scope::Provider(u) | Scope::Department(u)) => f.assignee = Some(u.clone()),
        _ => {}
    }
    let mut all = app.store()?.requests(&f)?;
    all.retain(|s| request::sees(p, &s.request));
    Ok(all)
}

/// A running clock: when it is due and where it stands, or why that cannot be said (a calendar
/// year not loaded). None once answered or closed.
pub(crate) type Running = Option<Result<(Moment, Standing), String>>;

/// The running clock of a request.
pub(crate) fn running(app: &App, r: &request::Request, now: Moment) -> Running {
    if !jx555_workflow::service::is_open(r) {
        return None;
    }
    let clock = app
        .levels
        .resolution(r)
        .unwrap_or_else(|| app.levels.acceptance(r));
    let day = &app.levels.day;
    Some(
        clock
            .due(day, &app.calendar, now)
            .and_then(|due| {
                clock
                    .standing(day, &app.calendar, now, app.levels.warn)
                    .map(|s| (due, s))
            })
            .map_err(|e| e.to_string()),
    )
}

fn standing_name(s: Standing) -> &'static str {
    match s {
        Standing::OnTime => "正常",
        Standing::AtRisk => "临近超时",
        Standing::Breached => "已超时",
    }
}

/// Whom a request went to, by name: a provider of the registry by its name, a department as is.
fn assignee_name(providers: &[jx555_workflow::service::Provider], a: &str) -> String {
    providers
        .iter()
        .find(|p| p.uscc == a)
        .map_or_else(|| a.to_string(), |p| p.name.clone())
}

fn enterprise_name(app: &App, uscc: &str) -> String {
    let f = app.facts();
    let t = f.index.table(jx555_lang::types::EntityKind::Enterprise);
    f.index
        .enterprise_row(uscc)
        .and_then(|row| t.text("name", row as usize).map(str::to_string))
        .unwrap_or_else(|| uscc.to_string())
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    /// `all` to list the answered and closed ones too.
    show: Option<String>,
    /// Only this 四帮.
    category: Option<String>,
}

/// The visitor's requests: open ones first (breached, at risk, then by due moment), then, when
/// asked, the answered and closed ones.
pub async fn list(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        let now = app.now();
        let providers = app.store()?.providers()?;
        let all = visible(&app, p)?;
        let all_too = q.show.as_deref() == Some("all");
        let category = q.category.as_deref().filter(|c| !c.is_empty());
        let mut rows: Vec<(&StoredRequest, Running)> = all
            .iter()
            .filter(|s| category.is_none_or(|c| s.request.category.name() == c))
            .map(|s| (s, running(&app, &s.request, now)))
            .filter(|(_, clock)| all_too || clock.is_some())
            .collect();
        // Breached first, then at risk, then the soonest due; answered ones last, newest first.
        let rank = |c: &Running| match c {
            Some(Err(_)) => (0, None),
            Some(Ok((due, Standing::Breached))) => (1, Some(*due)),
            Some(Ok((due, Standing::AtRisk))) => (2, Some(*due)),
            Some(Ok((due, Standing::OnTime))) => (3, Some(*due)),
            None => (4, None),
        };
        rows.sort_by(|a, b| {
            rank(&a.1)
                .cmp(&rank(&b.1))
                .then_with(|| b.0.id.cmp(&a.0.id))
        });
        let open = all.iter().filter(|s| jx555_workflow::service::is_open(&s.request)).count();
        let breached = rows
            .iter()
            .filter(|(_, c)| matches!(c, Some(Ok((_, Standing::Breached)))))
            .count();
        let title = if matches!(p.scope, Scope::Enterprise(_)) {
            "我的诉求"
        } else {
            "诉求"
        };
        let body = html! {
            @if v.may(jx555_workflow::access::Action::RaiseRequest) {
                p { a href="/requests/new" { "提出诉求" } }
            }
            form method="get" action="/requests" {
                "四帮 " select name="category" {
                    option value="" { "全部" }
                    @for c in Category::ALL { option value=(c.name()) selected[category == Some(c.name())] { (c.name()) } }
                }
                " " label { input type="checkbox" name="show" value="all" checked[all_too]; " 含已办结、已关闭" }
                " " button type="submit" { "筛选" }
            }
            p { "共 " (all.len()) " 件，办理中 " (open) " 件，其中已超时 " (breached) " 件。现在是 " (now) "。" }
            table {
                tr { th { "编号" } th { "企业" } th { "四帮" } th { "状态" } th { "枢纽" } th { "承办" } th { "时限" } th { "" } }
                @for (s, clock) in &rows {
                    @let r = &s.request;
                    tr class=[matches!(clock, Some(Ok((_, Standing::Breached))) | Some(Err(_))).then_some("no")] {
                        td { a href=(format!("/requests/{}", s.id)) { (s.id) } }
                        td { (enterprise_name(&app, &r.enterprise)) }
                        td { (r.category.name()) }
                        td { (r.state.name()) @if r.escalated { " · 督办" } }
                        td { (r.hub) }
                        td { (r.assignee.as_deref().map(|a| assignee_name(&providers, a)).unwrap_or_default()) }
                        @match clock {
                            Some(Ok((due, st))) => { td { (due) } td { (standing_name(*st)) } }
                            Some(Err(e)) => { td colspan="2" { (e) } }
                            None => { td { (r.resolved.map(|m| m.to_string()).unwrap_or_default()) } td { "已办结" } }
                        }
                    }
                }
            }
        };
        Ok(layout(&v, title, body))
    })
    .await
}

/// The form to raise a request: an enterprise for itself; the hotline finds the caller's
/// enterprise by 统一社会信用代码 or name and notes the caller's phone.
pub async fn new_form(v: Visitor) -> Page {
    render(move || {
        let p = v.principal()?;
        Ok(layout(&v, "提出诉求", raise_form(&v, p)))
    })
    .await
}

fn raise_form(v: &Visitor, p: &Principal) -> Markup {
    let hotline = p.role == Role::Hotline;
    html! {
        form method="post" action="/requests" class="login" {
            input type="hidden" name="csrf" value=(v.csrf());
            @if hotline {
                label { "企业（统一社会信用代码或名称） " input type="text" name="enterprise" required; }
                label { "来电号码 " input type="tel" name="caller" required; }
            }
            label { "四帮 " select name="category" {
                @for c in Category::ALL { option value=(c.name()) { (c.name()) } }
            } }
            fieldset { legend { "破六难（可多选）" }
                @for d in Difficulty::ALL { label { input type="checkbox" name="tags" value=(d.name()); " " (d.name()) } " " }
            }
            label { "诉求内容 " textarea name="text" rows="5" maxlength="2000" required {} }
            button type="submit" { "提交" }
        }
        p class="muted" { "提交后由企业所在县（市、区）的企业服务枢纽在 1 个工作日内受理；市级单位由市级枢纽受理。" }
    }
}

/// Raises a request from the form: the request's page after it.
pub async fn raise(State(app): AppState, v: Visitor, body: axum::body::Bytes) -> Page {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| ServerError::BadRequest(format!("表单无法识别：{e}")))?;
    render(move || {
        let p = v.principal()?;
        let field = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, x)| x.clone())
                .unwrap_or_default()
        };
        let tags: Vec<String> = pairs
            .iter()
            .filter(|(n, _)| n == "tags")
            .map(|(_, x)| x.clone())
            .collect();
        let asked = RaiseInput {
            enterprise: field("enterprise"),
            caller: field("caller"),
            category: field("category"),
            tags,
            text: field("text"),
        };
        let id = raise_as(&app, p, &asked, false)?;
        request_page(&app, &v, id, Some("诉求已提交。"))
    })
    .await
}

/// A request as raised from a form or the API.
#[derive(Deserialize)]
pub struct RaiseInput {
    /// The enterprise (the hotline: 统一社会信用代码 or name; an enterprise: its own, or empty).
    #[serde(default)]
    enterprise: String,
    /// The caller's phone (hotline).
    #[serde(default)]
    caller: String,
    /// 四帮, by name.
    category: String,
    /// 破六难, by name.
    #[serde(default)]
    tags: Vec<String>,
    /// What is asked.
    text: String,
}

/// Raises a request as `p`: the enterprise found (the hotline's by code or exact name), routed to
/// its county's hub. Its number, or a 400 saying what is wrong.
pub(crate) fn raise_as(
    app: &App,
    p: &Principal,
    f: &RaiseInput,
    via_api: bool,
) -> Result<i64, ServerError> {
    let bad = ServerError::BadRequest;
    let facts = app.facts();
    let found = match &p.scope {
        Scope::Enterprise(u) => queries::enterprise(&facts, p, u),
        _ => {
            let q = f.enterprise.trim();
            if q.is_empty() {
                return Err(bad("请填写企业的统一社会信用代码或名称".into()));
            }
            match queries::enterprise(&facts, p, q) {
                Some(e) => Some(e),
                None => {
                    let hits = queries::search(&facts, p, q, 11);
                    match hits.iter().filter(|e| e.name == q).count() {
                        1 => hits.into_iter().find(|e| e.name == q),
                        _ if hits.len() == 1 => hits.into_iter().next(),
                        _ if hits.is_empty() => {
                            return Err(bad(format!("没有找到企业 {q:?}")));
                        }
                        _ => {
                            let names: Vec<String> = hits
                                .iter()
                                .take(10)
                                .map(|e| format!("{}（{}）", e.name, e.uscc))
                                .collect();
                            return Err(bad(format!(
                                "“{q}”对应多家企业，请用统一社会信用代码：{}",
                                names.join("、")
                            )));
                        }
                    }
                }
            }
        }
    }
    .ok_or_else(|| bad("事实数据中没有这家企业".into()))?;
    let category = Category::parse(&f.category).map_err(bad)?;
    let tags = f
        .tags
        .iter()
        .map(|t| {
            Difficulty::ALL
                .into_iter()
                .find(|d| d.name() == t.trim())
                .ok_or_else(|| bad(format!("{t:?} 不是破六难之一")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let now = app.now();
    let r = Raise {
        enterprise: found.uscc,
        county: Some(found.county).filter(|c| !c.is_empty()),
        category,
        tags,
        text: f.text.clone(),
        caller: Some(f.caller.clone()).filter(|c| !c.trim().is_empty()),
    };
    let mut store = app.store()?;
    Ok(steps::raise(store.as_mut(), p, r, via_api, now)?)
}

/// One request: its text, clocks, timeline and the forms of what the visitor may do.
pub async fn page(State(app): AppState, v: Visitor, id: Result<Path<i64>, PathRejection>) -> Page {
    let Path(id) = id.map_err(bad_request)?;
    render(move || request_page(&app, &v, id, None)).await
}

fn request_page(
    app: &App,
    v: &Visitor,
    id: i64,
    note: Option<&str>,
) -> Result<axum::response::Html<String>, ServerError> {
    let p = v.principal()?;
    let (s, events) = app
        .store()?
        .request(id)?
        .filter(|(s, _)| request::sees(p, &s.request))
        .ok_or_else(|| ServerError::NotFound(format!("没有第 {id} 号诉求")))?;
    let providers = app.store()?.providers()?;
    let r = &s.request;
    let now = app.now();
    let kinds = request::party(p)
        .filter(|_| v.may(jx555_workflow::access::Action::ActOnRequest))
        .map(|who| request::available(r, &who))
        .unwrap_or_default();
    let tags: Vec<&str> = r.tags.iter().map(|d| d.name()).collect();
    let files = app.store()?.request_attachments(id)?;
    let may_attach = v.may(jx555_workflow::access::Action::ActOnRequest)
        && request::party(p).is_some_and(|who| request::may_attach(r, &who));
    let body = html! {
        @if let Some(n) = note { p class="ok" { (n) } }
        table {
            tr { th { "企业" } td { (enterprise_name(app, &r.enterprise)) "（" (r.enterprise) "）" } }
            tr { th { "四帮" } td { (r.category.name()) @if !tags.is_empty() { " · " (tags.join("、")) } } }
            tr { th { "来源" } td { (s.channel.name()) @if let Some(c) = &s.caller { " · 来电 " (c) } " · " (s.raised_by) } }
            tr { th { "内容" } td { (s.text) } }
            tr { th { "状态" } td { strong { (r.state.name()) } @if r.escalated { " · 已督办" } @if r.reopened > 0 { " · 重新打开 " (r.reopened) " 次" } } }
            tr { th { "枢纽" } td { (r.hub) } }
            @if let Some(a) = &r.assignee { tr { th { "承办" } td { (assignee_name(&providers, a)) } } }
            tr { th { "提出" } td { (r.submitted) } }
            @if let Some(a) = r.accepted { tr { th { "受理" } td { (a) } } }
            @match running(app, r, now) {
                Some(Ok((due, st))) => { tr { th { "时限" } td { (due) "（" (standing_name(st)) "）" } } }
                Some(Err(e)) => { tr { th { "时限" } td class="no" { (e) } } }
                None => {}
            }
            @if let Some((score, comment)) = &r.rating { tr { th { "评价" } td { (score) " 分 " (comment) } } }
        }
        h2 { "附件" }
        @if files.is_empty() { p class="muted" { "无。" } }
        @else {
            ul { @for f in &files {
                li { a href=(format!("/requests/{id}/attachments/{}", f.id)) { (f.name) } " （" (f.size / 1024) " KB，" (f.uploaded.0) " " (f.uploaded.1) "）" }
            } }
        }
        @if may_attach {
            form method="post" enctype="multipart/form-data" action=(format!("/requests/{id}/attachments?csrf={}", v.csrf())) class="login" {
                input type="hidden" name="csrf" value=(v.csrf());
                label { "上传附件（PDF、JPG、PNG，不超过 20 MB） " input type="file" name="file" accept=".pdf,.jpg,.jpeg,.png" required; }
                button type="submit" { "上传" }
            }
        }
        @for kind in &kinds { (action_form(v, app, &s, *kind, &providers)) }
        h2 { "经过" }
        table {
            tr { th { "时间" } th { "办理人" } th { "角色" } th { "办理" } th { "内容" } th { "状态" } }
            tr { td { (r.submitted) } td { (s.raised_by) } td { "" } td { "提出" } td { "" } td { "待受理" } }
            @for e in &events {
                tr { td { (e.at) } td { (e.actor) } td { (Role::parse(&e.role).map(|r| r.name()).unwrap_or(&e.role)) }
                     td { (verb(e.action.kind())) } td { (detail(&e.action, &providers)) } td { (e.from.name()) " → " (e.to.name()) } }
            }
        }
    };
    Ok(layout(v, &format!("第 {id} 号诉求"), body))
}

/// An action's name on the pages.
pub(crate) fn verb(k: Kind) -> &'static str {
    match k {
        Kind::Accept => "受理",
        Kind::Dispatch => "派单",
        Kind::Start => "开始办理",
        Kind::Ask => "请企业补充",
        Kind::Supplement => "补充材料",
        Kind::Resolve => "办结",
        Kind::Rate => "评价",
        Kind::Reopen => "重新打开",
        Kind::Escalate => "督办",
    }
}

fn detail(a: &Action, providers: &[jx555_workflow::service::Provider]) -> String {
    match a {
        Action::Dispatch(to) => assignee_name(providers, to),
        Action::Ask(t)
        | Action::Supplement(t)
        | Action::Resolve(t)
        | Action::Reopen(t)
        | Action::Escalate(t) => t.clone(),
        Action::Rate(n, c) => format!("{n} 分 {c}"),
        Action::Accept | Action::Start => String::new(),
    }
}

fn kind_code(k: Kind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|x| x.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn action_form(
    v: &Visitor,
    app: &App,
    s: &StoredRequest,
    kind: Kind,
    providers: &[jx555_workflow::service::Provider],
) -> Markup {
    let r = &s.request;
    // A request goes to a department, or a provider giving its help in its county (or city-wide).
    let fit: Vec<&jx555_workflow::service::Provider> = providers
        .iter()
        .filter(|x| x.categories.contains(&r.category))
        .filter(|x| x.counties.is_empty() || x.counties.contains(&r.hub))
        .collect();
    html! {
        form method="post" action=(format!("/requests/{}", s.id)) class="login" {
            input type="hidden" name="csrf" value=(v.csrf());
            input type="hidden" name="kind" value=(kind_code(kind));
            h3 { (verb(kind)) }
            @match kind {
                Kind::Dispatch => {
                    label { "派往 " select name="to" required {
                        optgroup label="服务供给机构" { @for x in &fit { option value=(x.uscc) { (x.name) } } }
                        optgroup label="责任单位" { @for d in app.departments() { option value=(d) { (d) } } }
                    } }
                }
                Kind::Rate => {
                    label { "评分 " select name="score" { @for n in (1..=5).rev() { option value=(n) { (n) " 分" } } } }
                    label { "意见 " input type="text" name="text"; }
                }
                Kind::Accept | Kind::Start => {}
                Kind::Ask | Kind::Supplement | Kind::Resolve | Kind::Reopen | Kind::Escalate => {
                    label { "内容 " textarea name="text" rows="3" maxlength="2000" required {} }
                }
            }
            button type="submit" { (verb(kind)) }
        }
    }
}

/// An action on a request as posted (a page's form, or the API's JSON).
#[derive(Deserialize)]
pub struct ActForm {
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    score: Option<u8>,
}

/// Takes an action on a request as `p` now: the request after it, or why not (400; 404 for a
/// request out of sight).
pub(crate) fn act_on(
    app: &App,
    p: &Principal,
    id: i64,
    f: &ActForm,
) -> Result<StoredRequest, ServerError> {
    let kind: Kind = serde_json::from_value(serde_json::Value::String(f.kind.clone()))
        .map_err(|_| ServerError::BadRequest(format!("未知的办理 {:?}", f.kind)))?;
    let t = f.text.trim().to_string();
    let action = match kind {
        Kind::Accept => Action::Accept,
        Kind::Dispatch => Action::Dispatch(f.to.trim().to_string()),
        Kind::Start => Action::Start,
        Kind::Ask => Action::Ask(t),
        Kind::Supplement => Action::Supplement(t),
        Kind::Resolve => Action::Resolve(t),
        Kind::Rate => Action::Rate(f.score.unwrap_or(0), t),
        Kind::Reopen => Action::Reopen(t),
        Kind::Escalate => Action::Escalate(t),
    };
    let departments = app.departments();
    let mut store = app.store()?;
    steps::act(
        store.as_mut(),
        p,
        id,
        &action,
        app.now(),
        &app.levels,
        &app.calendar,
        &departments,
    )
    .map_err(|e| match e {
        jx555_store::StoreError::Refused(why) if why.starts_with("没有第") => {
            ServerError::NotFound(why)
        }
        jx555_store::StoreError::Refused(why) => ServerError::BadRequest(why),
        other => other.into(),
    })
}

/// Takes an action from the request's page: the page after it, or the page with the reason.
pub async fn act(
    State(app): AppState,
    v: Visitor,
    id: Result<Path<i64>, PathRejection>,
    f: Result<axum::extract::Form<ActForm>, axum::extract::rejection::FormRejection>,
) -> Page {
    let Path(id) = id.map_err(bad_request)?;
    let axum::extract::Form(f) = f.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        act_on(&app, p, id, &f)?;
        request_page(&app, &v, id, Some("已办理。"))
    })
    .await
}

/// Adds a file to a request: the enterprise, its hub or whom it went to, until it is closed; a
/// PDF, JPEG or PNG of at most 20 MB, its SHA-256 in the audit log.
pub async fn upload(
    State(app): AppState,
    v: Visitor,
    id: Result<Path<i64>, PathRejection>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Page {
    let Path(id) = id.map_err(bad_request)?;
    let (name, bytes) = super::files::field(multipart).await?;
    render(move || {
        let p = v.principal()?;
        let (s, _) = app
            .store()?
            .request(id)?
            .filter(|(s, _)| request::sees(p, &s.request))
            .ok_or_else(|| ServerError::NotFound(format!("没有第 {id} 号诉求")))?;
        if !request::party(p).is_some_and(|who| request::may_attach(&s.request, &who)) {
            return Err(ServerError::BadRequest(
                "只有提出诉求的企业、受理的枢纽和承办单位可以在关闭前上传附件".into(),
            ));
        }
        let file = super::files::accept(name, bytes)?;
        app.store_as(p)?.attach_to_request(id, &file)?;
        request_page(&app, &v, id, Some("附件已上传。"))
    })
    .await
}

/// One file of a request, to whoever sees the request; as a download.
pub async fn download(
    State(app): AppState,
    v: Visitor,
    ids: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<axum::response::Response, crate::PageError> {
    let Path((id, file)) = ids.map_err(bad_request)?;
    let found = crate::blocking(move || {
        let p = v.principal()?;
        let store = app.store()?;
        store
            .request(id)?
            .filter(|(s, _)| request::sees(p, &s.request))
            .ok_or_else(|| ServerError::NotFound(format!("没有第 {id} 号诉求")))?;
        store
            .request_attachment(id, file)?
            .ok_or_else(|| ServerError::NotFound(format!("没有第 {file} 号附件")))
    })
    .await?;
    Ok(super::files::download(found))
}
