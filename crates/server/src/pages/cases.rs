//! 奖补事项: the cases of the visitor's scope (an enterprise's 我的奖补, a reviewer's queue), one case
//! with its history and the actions the visitor may take on it now. Which action by whom is
//! `jx555_workflow::case`; a page only offers what `case::available` says and records what
//! `case::step` allows.

use super::layout::layout;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::{App, ServerError};
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use jx555_lang::types::Date;
use jx555_report::wan;
use jx555_store::cases::{CaseFilter, StoredCase};
use jx555_workflow::access::{Principal, Scope};
use jx555_workflow::case::{self, Account, Action, Kind, Path as CasePath, verb};
use maud::{Markup, html};
use serde::Deserialize;

/// The cases a principal may see: its enterprise's, its county's, its department's (as lead), or
/// all of them for a city-wide role.
pub(crate) fn filter_for(p: &Principal) -> CaseFilter {
    let mut f = CaseFilter::default();
    match &p.scope {
        Scope::Enterprise(u) => f.enterprise = Some(u.clone()),
        Scope::County(c) => f.county = Some(c.clone()),
        Scope::Department(d) => f.department = Some(d.clone()),
        // A provider has no award cases; it sees none.
        Scope::Provider(u) => f.enterprise = Some(format!("provider:{u}")),
        Scope::City | Scope::Accounts => {}
    }
    f
}

pub(crate) fn sees(p: &Principal, c: &StoredCase) -> bool {
    p.city_wide()
        || p.sees_line(
            c.case.enterprise.as_deref(),
            c.case.county.as_deref(),
            std::iter::once(c.case.department.as_str()),
        )
}

/// The queue's filter.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
    county: Option<String>,
    rule: Option<String>,
    /// Only the cases past their deadline.
    overdue: Option<bool>,
}

/// A case in a queue: when it entered its state, when it is due, whether it is late.
struct Queued<'a> {
    case: &'a StoredCase,
    due: Option<Date>,
    overdue: bool,
}

/// The cases of the visitor's scope passing the filter, with their deadlines.
fn queue<'a>(app: &App, all: &'a [StoredCase], q: &ListQuery) -> Vec<Queued<'a>> {
    let today = app.today();
    all.iter()
        .filter(|c| {
            q.state
                .as_deref()
                .is_none_or(|s| s.is_empty() || c.case.state.name() == s)
        })
        .filter(|c| {
            q.county
                .as_deref()
                .is_none_or(|s| s.is_empty() || c.case.county.as_deref() == Some(s))
        })
        .filter(|c| {
            q.rule
                .as_deref()
                .is_none_or(|s| s.is_empty() || c.rule == s)
        })
        .map(|c| {
            let entered = Date::parse(c.updated_at.get(..10).unwrap_or_default());
            let due = app
                .deadlines
                .of(c.case.state)
                .zip(entered)
                .and_then(|(days, from)| app.calendar.add_working_days(from, days).ok());
            Queued {
                case: c,
                due,
                overdue: due.is_some_and(|d| today > d),
            }
        })
        .filter(|x| q.overdue != Some(true) || x.overdue)
        .collect()
}

const QUEUE_HEADERS: [&str; 9] = [
    "编号",
    "状态",
    "奖补项目",
    "收款单位",
    "县（市、区）",
    "牵头单位",
    "金额",
    "办理期限",
    "逾期",
];

fn queue_row(x: &Queued<'_>) -> Vec<String> {
    let c = &x.case.case;
    vec![
        x.case.id.to_string(),
        c.state.name().to_string(),
        x.case.rule.clone(),
        c.payee.clone(),
        c.county
            .clone()
            .unwrap_or_else(|| jx555_report::NO_COUNTY.into()),
        c.department.clone(),
        c.amount.map(wan).unwrap_or_else(|| "待核定".into()),
        x.due.map(|d| d.to_string()).unwrap_or_default(),
        if x.overdue {
            "逾期".into()
        } else {
            String::new()
        },
    ]
}

/// The cases of the visitor's scope: filters (state, county, rule, overdue), each case's deadline
/// in working days, a selection for bulk first review, and the same list as XLSX.
pub async fn list(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        let all = app.store()?.cases(&filter_for(p))?;
        let shown = queue(&app, &all, &q);
        let mut states: Vec<&str> = all.iter().map(|c| c.case.state.name()).collect();
        states.sort();
        states.dedup();
        let late = shown.iter().filter(|x| x.overdue).count();
        let bulk = p.role == jx555_workflow::access::Role::CountyReviewer
            || p.role == jx555_workflow::access::Role::DepartmentReviewer;
        let query = serde_urlencoded::to_string([
            ("state", q.state.clone().unwrap_or_default()),
            ("county", q.county.clone().unwrap_or_default()),
            ("rule", q.rule.clone().unwrap_or_default()),
        ])
        .unwrap_or_default();
        let body = html! {
            form method="get" action="/cases" {
                "状态 " select name="state" {
                    option value="" { "全部" }
                    @for s in &states { option value=(s) selected[q.state.as_deref() == Some(*s)] { (s) } }
                }
                " 县（市、区） " input type="text" name="county" value=(q.county.clone().unwrap_or_default());
                " 奖补项目 " input type="text" name="rule" value=(q.rule.clone().unwrap_or_default());
                " " label { input type="checkbox" name="overdue" value="true" checked[q.overdue == Some(true)]; " 只看逾期" }
                " " button type="submit" { "筛选" }
            }
            p { "共 " (all.len()) " 件，列出 " (shown.len()) " 件，其中逾期 " (late) " 件。"
                a href=(format!("/cases.xlsx?{query}")) { "导出 XLSX" } }
            form method="post" action="/cases/bulk" {
                input type="hidden" name="csrf" value=(v.csrf());
                table {
                    tr { @if bulk { th {} } @for h in QUEUE_HEADERS { th { (h) } } }
                    @for x in &shown {
                        tr class=[x.overdue.then_some("no")] {
                            @if bulk { td { input type="checkbox" name="ids" value=(x.case.id); } }
                            @for (i, cell) in queue_row(x).into_iter().enumerate() {
                                @if i == 0 { td { a href=(format!("/cases/{}", x.case.id)) { (cell) } } }
                                @else { td { (cell) } }
                            }
                        }
                    }
                }
                @if bulk {
                    p {
                        "选中的奖补事项：" button type="submit" name="kind" value="PassFirstReview" { "初审通过" }
                        " 或 " input type="text" name="reason" placeholder="退回理由";
                        " " button type="submit" name="kind" value="Return" { "退回补正" }
                    }
                }
            }
        };
        Ok(layout(&v, "奖补事项", body))
    })
    .await
}

/// The queue as XLSX, with the same filter.
pub async fn export(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<axum::response::Response, crate::PageError> {
    use axum::response::IntoResponse;
    let Query(q) = q.map_err(bad_request)?;
    let bytes = crate::blocking(move || {
        let p = v.principal()?;
        let all = app.store()?.cases(&filter_for(p))?;
        let rows: Vec<Vec<String>> = queue(&app, &all, &q).iter().map(queue_row).collect();
        jx555_report::table_xlsx("奖补事项", &QUEUE_HEADERS, &rows)
            .map_err(|e| ServerError::Internal(e.to_string()))
    })
    .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"cases.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// One action on many cases at once (the selection of a queue): each case stepped and recorded on
/// its own; the page says how many were done and why the others were not.
pub async fn bulk(State(app): AppState, v: Visitor, body: axum::body::Bytes) -> Page {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| ServerError::BadRequest(format!("表单无法识别：{e}")))?;
    let field = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let kind = field("kind").unwrap_or_default();
    if !matches!(kind.as_str(), "PassFirstReview" | "Return") {
        return Err(ServerError::BadRequest("批量办理只有初审通过和退回补正".into()).into());
    }
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(n, _)| n == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if ids.is_empty() {
        return Err(ServerError::BadRequest("没有选中奖补事项".into()).into());
    }
    let form = ActForm {
        kind,
        bank: String::new(),
        number: String::new(),
        holder: String::new(),
        amount: String::new(),
        reason: field("reason").unwrap_or_default(),
        meeting: String::new(),
        days: None,
        by: None,
    };
    render(move || {
        let p = v.principal()?;
        let mut done = 0;
        let mut refused = Vec::new();
        for id in &ids {
            match act_on(&app, p, *id, &form) {
                Ok(_) => done += 1,
                Err(e) => refused.push(e.to_string()),
            }
        }
        Ok(layout(
            &v,
            "批量办理",
            html! {
                p { "已办理 " (done) " 件。" @if !refused.is_empty() { "未办理 " (refused.len()) " 件：" } }
                @if !refused.is_empty() { ul { @for r in &refused { li { (r) } } } }
                p { a href="/cases" { "返回奖补事项" } }
            },
        ))
    })
    .await
}

/// One case: what it is, where it stands, its history, and the forms of what the visitor may do.
pub async fn page(State(app): AppState, v: Visitor, id: Result<Path<i64>, PathRejection>) -> Page {
    let Path(id) = id.map_err(bad_request)?;
    render(move || case_page(&app, &v, id, None)).await
}

fn case_page(
    app: &App,
    v: &Visitor,
    id: i64,
    refused: Option<&str>,
) -> Result<axum::response::Html<String>, ServerError> {
    let p = v.principal()?;
    let (c, events) = app
        .store()?
        .case(id)?
        .filter(|(c, _)| sees(p, c))
        .ok_or_else(|| ServerError::NotFound(format!("没有第 {id} 号奖补事项")))?;
    let files = app.store()?.attachments(id)?;
    // 就高不重复 between cases of the run: the others paying the same achievement, and whether this
    // one is held for them.
    let (siblings, held) = {
        let store = app.store()?;
        let keys = store.exclusive_keys()?;
        let run_cases = store.cases(&CaseFilter {
            run: Some(c.run),
            ..CaseFilter::default()
        })?;
        let held = jx555_store::cases::steps::held(&run_cases, &keys).remove(&id);
        let siblings: Vec<StoredCase> = run_cases
            .into_iter()
            .filter(|o| o.id != id && keys.contains_key(&o.id) && keys.get(&o.id) == keys.get(&id))
            .collect();
        (siblings, held)
    };
    let body = html! {
        @if let Some(r) = refused { p class="no" { (r) } }
        @if let Some(h) = &held { p class="no" { (h) } }
        @if !siblings.is_empty() {
            p { "同一成果的其他奖补事项（就高不重复，只付较高者）："
                @for o in &siblings { a href=(format!("/cases/{}", o.id)) { "第 " (o.id) " 号" } "（" (o.case.state.name()) "，" (o.case.amount.map(wan).unwrap_or_else(|| "待核定".into())) "） " } }
        }
        table {
            tr { th { "奖补项目" } td { (c.rule) "（" (c.pack) "）" } }
            tr { th { "对象" } td { (c.subject) } }
            tr { th { "收款单位" } td { (c.case.payee) } }
            tr { th { "县（市、区）" } td { (c.case.county.clone().unwrap_or_else(|| jx555_report::NO_COUNTY.into())) } }
            tr { th { "牵头单位" } td { (c.case.department) } }
            tr { th { "方式" } td { (path_name(&c.case.path)) } }
            tr { th { "金额" } td { (c.case.amount.map(wan).unwrap_or_else(|| "待核定".into())) } }
            @if let Some(d) = c.case.decided.filter(|d| Some(*d) != c.case.amount) {
                tr { th { "核定金额" } td { (wan(d)) span class="muted" { "（按本条款的系数、上限和就高不重复计付为上列金额）" } } }
            }
            tr { th { "状态" } td { strong { (c.case.state.name()) } } }
            @if let Some(e) = c.case.publication_ends { tr { th { "公示截止" } td { (e) } } }
            @if c.case.open_objections > 0 { tr { th { "待处理异议" } td { (c.case.open_objections) " 件" } } }
            @if let Some(a) = &c.case.account { tr { th { "收款账户" } td { (a.bank) " " (a.number) "（" (a.holder) "）" } } }
        }
        h2 { "申报材料" }
        @if files.is_empty() { p class="muted" { "无。" } }
        @else {
            ul { @for f in &files {
                li { a href=(format!("/cases/{id}/attachments/{}", f.id)) { (f.name) } " （" (f.size / 1024) " KB，SHA-256 " code { (f.sha256[..16.min(f.sha256.len())]) } "…，" (f.uploaded.0) " " (f.uploaded.1) "）" }
            } }
        }
        @if case::may_attach(&c.case, p) {
            form method="post" enctype="multipart/form-data" action=(format!("/cases/{id}/attachments?csrf={}", v.csrf())) class="login" {
                input type="hidden" name="csrf" value=(v.csrf());
                label { "上传材料（PDF、JPG、PNG，不超过 20 MB） " input type="file" name="file" accept=".pdf,.jpg,.jpeg,.png" required; }
                button type="submit" { "上传" }
            }
        }
        @if v.may(jx555_workflow::access::Action::ActOnCase) {
            @for kind in case::available(&c.case, p).into_iter().filter(|k| *k != Kind::Supersede || !siblings.is_empty()) { (form(v, &c, kind, &siblings)) }
        }
        h2 { "经过" }
        @if events.is_empty() { p class="muted" { "发布后尚无办理记录。" } }
        @else {
            table {
                tr { th { "时间" } th { "办理人" } th { "角色" } th { "办理" } th { "状态" } }
                @for e in &events {
                    tr { td { (e.at) } td { (e.actor) } td { (e.role) } td { (verb(e.action.kind())) } td { (e.from.name()) " → " (e.to.name()) } }
                }
            }
        }
    };
    Ok(layout(v, &format!("第 {id} 号奖补事项"), body))
}

fn path_name(p: &CasePath) -> String {
    match p {
        CasePath::Push => "免申即享（确认收款账户后公示、拨付）".into(),
        CasePath::Review {
            case_by_case: true, ..
        } => "一事一议（申报、初审、审核并注明会议纪要文号）".into(),
        CasePath::Review { cap: Some(cap), .. } => format!("申报审核（最高 {}）", wan(*cap)),
        CasePath::Review { cap: None, .. } => "申报审核（本文件未定金额）".into(),
    }
}

/// The form of one action.
fn form(v: &Visitor, c: &StoredCase, kind: Kind, siblings: &[StoredCase]) -> Markup {
    let code = serde_json::to_value(kind)
        .ok()
        .and_then(|x| x.as_str().map(str::to_string))
        .unwrap_or_default();
    html! {
        form method="post" action=(format!("/cases/{}", c.id)) class="login" {
            input type="hidden" name="csrf" value=(v.csrf());
            input type="hidden" name="kind" value=(code);
            h3 { (verb(kind)) }
            @match kind {
                Kind::Confirm | Kind::Apply | Kind::CorrectAccount => {
                    label { "开户行 " input type="text" name="bank" required; }
                    label { "账号 " input type="text" name="number" required; }
                    label { "户名 " input type="text" name="holder" value=(c.case.payee) required; }
                    @if kind == Kind::Confirm { p class="muted" { "确认即承诺所填信息真实、所获奖补不重复享受（信用承诺）。" } }
                }
                Kind::Decide => {
                    label { "核定金额（元，可写万） " input type="text" name="amount" required; }
                    label { "理由 " input type="text" name="reason" required; }
                    @if matches!(c.case.path, CasePath::Review { case_by_case: true, .. }) {
                        label { "会议纪要文号 " input type="text" name="meeting" required; }
                    }
                }
                Kind::Amend => {
                    label { "修改后的金额（元，可写万） " input type="text" name="amount" required; }
                }
                Kind::Publicize => {
                    label { "公示期（工作日） " input type="number" name="days" value="5" min="1" max="30"; }
                }
                Kind::Decline | Kind::Return | Kind::Object | Kind::Dismiss | Kind::RecordFailed => {
                    label { "理由 " input type="text" name="reason" required; }
                }
                Kind::Supersede => {
                    label { "由此项支付 " select name="by" required {
                        @for o in siblings { option value=(o.id) { "第 " (o.id) " 号（" (o.case.amount.map(wan).unwrap_or_else(|| "待核定".into())) "）" } }
                    } }
                    label { "理由 " input type="text" name="reason" required; }
                }
                Kind::PassFirstReview | Kind::Withdraw | Kind::AddToBatch | Kind::RecordPaid => {}
            }
            button type="submit" { (verb(kind)) }
        }
    }
}

/// An action as posted (a page's form, or the API's JSON): its kind (`Confirm`, `Decide` …) and what
/// it needs.
#[derive(Deserialize)]
pub struct ActForm {
    kind: String,
    #[serde(default)]
    bank: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    meeting: String,
    days: Option<u32>,
    /// The case that pays the achievement instead (Supersede).
    by: Option<i64>,
}

/// Yuan as typed (`12.5万`, `125000`, `125,000.00元`) in fen.
fn fen(text: &str) -> Result<i64, String> {
    let t: String = text
        .trim()
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let (number, scale) = match t.strip_suffix('万') {
        Some(n) => (n.trim().to_string(), rust_decimal::Decimal::from(1_000_000)),
        None => (t, rust_decimal::Decimal::ONE_HUNDRED),
    };
    let d: rust_decimal::Decimal = number
        .parse()
        .map_err(|_| format!("金额 {text:?} 无法识别"))?;
    let f = d * scale;
    if !f.fract().is_zero() {
        return Err("金额精确到分".into());
    }
    rust_decimal::prelude::ToPrimitive::to_i64(&f).ok_or_else(|| "金额过大".into())
}

fn action(app: &App, f: &ActForm, today: Date) -> Result<Action, String> {
    let kind: Kind = serde_json::from_value(serde_json::Value::String(f.kind.clone()))
        .map_err(|_| format!("未知的办理 {:?}", f.kind))?;
    let account = || Account {
        bank: f.bank.clone(),
        number: f.number.clone(),
        holder: f.holder.clone(),
    };
    Ok(match kind {
        Kind::Confirm => Action::Confirm(account()),
        Kind::Apply => Action::Apply(account()),
        Kind::CorrectAccount => Action::CorrectAccount(account()),
        Kind::Decline => Action::Decline(f.reason.clone()),
        Kind::Return => Action::Return(f.reason.clone()),
        Kind::Object => Action::Object(f.reason.clone()),
        Kind::Dismiss => Action::Dismiss(f.reason.clone()),
        Kind::RecordFailed => Action::RecordFailed(f.reason.clone()),
        Kind::PassFirstReview => Action::PassFirstReview,
        Kind::Decide => Action::Decide {
            amount: fen(&f.amount)?,
            reason: f.reason.clone(),
            meeting: Some(f.meeting.clone()).filter(|m| !m.trim().is_empty()),
        },
        Kind::Publicize => {
            let days = f.days.unwrap_or(5).clamp(1, 30);
            Action::Publicize(
                app.calendar
                    .add_working_days(today, days)
                    .map_err(|e| e.to_string())?,
            )
        }
        Kind::Amend => Action::Uphold(Some(fen(&f.amount)?)),
        Kind::Withdraw => Action::Uphold(None),
        Kind::AddToBatch => Action::AddToBatch,
        Kind::RecordPaid => Action::RecordPaid,
        Kind::Supersede => Action::Supersede {
            by: f.by.ok_or("请选择由哪一项支付")?,
            reason: f.reason.clone(),
        },
    })
}

/// Takes an action on a case as `p`: the case must be in `p`'s scope (a published line is open to
/// anyone's objection), `case::step` must allow it, and it is recorded with its audit entry. The
/// case after, or why not (400 with the reason; 404 for a case out of scope).
pub(crate) fn act_on(
    app: &App,
    p: &Principal,
    id: i64,
    f: &ActForm,
) -> Result<StoredCase, ServerError> {
    let public = f.kind == "Object";
    let (c, _) = app
        .store()?
        .case(id)?
        .filter(|(c, _)| {
            sees(p, c) || (public && c.case.state == jx555_workflow::case::State::Publicized)
        })
        .ok_or_else(|| ServerError::NotFound(format!("没有第 {id} 号奖补事项")))?;
    let today = app.today();
    let (a, next) = action(app, f, today)
        .map_err(case::Refusal)
        .and_then(|a| case::step(&c.case, p, &a, today).map(|next| (a, next)))
        .map_err(|refusal| {
            ServerError::BadRequest(format!("未办理：{refusal}（第 {id} 号奖补事项）"))
        })?;
    let mut next = next;
    // A decided amount pays what the rule makes of it (multipliers, caps, 就高不重复), as any computed one.
    let deciding = matches!(a, Action::Decide { .. } | Action::Uphold(Some(_)));
    if let (true, Some(decided), jx555_workflow::case::Path::Review { .. }) =
        (deciding, next.decided, &c.case.path)
    {
        let refused =
            |why: String| ServerError::BadRequest(format!("未办理：{why}（第 {id} 号奖补事项）"));
        let (pays, standing) = jx555_store::cases::steps::decided_payable(
            app.store()?.as_ref(),
            &app.pack_refs(),
            &app.facts().index,
            &c,
            decided,
        )
        .map_err(|e| refused(e.to_string()))?;
        if pays <= 0 {
            return Err(refused(format!(
                "核定 {} 后按规则计付为零（{}）",
                jx555_report::yuan(decided),
                jx555_report::standing_name(standing)
            )));
        }
        next.amount = Some(pays);
    }
    let mut store = app.store_as(p)?;
    if let Action::Supersede { by, .. } = &a {
        jx555_store::cases::steps::may_supersede(store.as_ref(), id, *by)
            .map_err(|e| ServerError::BadRequest(format!("未办理：{e}（第 {id} 号奖补事项）")))?;
    }
    store.record_step(id, c.case.state, &a, &next)?;
    Ok(StoredCase { case: next, ..c })
}

/// Takes an action on a case from its page (or a 公示's objection form): the case page after it,
/// or a note for an objector outside the case's scope.
pub async fn act(
    State(app): AppState,
    v: Visitor,
    id: Result<Path<i64>, PathRejection>,
    f: Result<Form<ActForm>, FormRejection>,
) -> Page {
    let Path(id) = id.map_err(bad_request)?;
    let Form(f) = f.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        let c = act_on(&app, p, id, &f)?;
        if sees(p, &c) {
            case_page(&app, &v, id, None)
        } else {
            Ok(layout(
                &v,
                "异议已提交",
                html! { p { "您对第 " (id) " 号奖补事项的异议已提交，牵头单位将在处理后答复。" } },
            ))
        }
    })
    .await
}

/// 消息 (站内信): what happened lately to the cases of one's scope, newest first — for an
/// enterprise, its awards pushed, returned, decided, publicized, paid.
pub async fn messages(State(app): AppState, v: Visitor) -> Page {
    render(move || {
        let p = v.principal()?;
        let events = app.store()?.events(&filter_for(p), 200)?;
        let body = html! {
            @if events.is_empty() { p class="muted" { "暂无消息。" } }
            @else {
                table {
                    tr { th { "时间" } th { "奖补事项" } th { "办理" } th { "办理人" } th { "状态" } }
                    @for (id, e) in &events {
                        tr {
                            td { (e.at) }
                            td { a href=(format!("/cases/{id}")) { "第 " (id) " 号" } }
                            td { (verb(e.action.kind())) }
                            td { (e.actor) "（" (e.role) "）" }
                            td { (e.from.name()) " → " strong { (e.to.name()) } }
                        }
                    }
                }
            }
        };
        Ok(layout(&v, "消息", body))
    })
    .await
}

/// Adds a file to a case's application: its payee, while applying (or correcting); a PDF, JPEG or
/// PNG (read from its bytes, not its name) of at most 20 MB, kept with its SHA-256 in the audit log.
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
        let (c, _) = app
            .store()?
            .case(id)?
            .filter(|(c, _)| sees(p, c))
            .ok_or_else(|| ServerError::NotFound(format!("没有第 {id} 号奖补事项")))?;
        if !case::may_attach(&c.case, p) {
            return Err(ServerError::BadRequest(
                "只有申报单位在申报、补正或待初审时可以上传材料".into(),
            ));
        }
        let file = super::files::accept(name, bytes)?;
        app.store_as(p)?.attach(id, &file)?;
        case_page(&app, &v, id, None)
    })
    .await
}

/// One file of a case, to whoever may see the case; served as a download, never shown inline.
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
            .case(id)?
            .filter(|(c, _)| sees(p, c))
            .ok_or_else(|| ServerError::NotFound(format!("没有第 {id} 号奖补事项")))?;
        store
            .attachment(id, file)?
            .ok_or_else(|| ServerError::NotFound(format!("没有第 {file} 号材料")))
    })
    .await?;
    Ok(super::files::download(found))
}
