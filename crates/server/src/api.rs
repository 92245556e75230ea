//! The JSON API under `/api/v1`: packs, rules, enterprises, explanations, runs, what-if, targets,
//! award cases, 公示, payment batches, service requests.
//! Errors are `{"code", "message"}` with a 4xx status for bad input; a 5xx says nothing internal.

use crate::auth::{Routes, Visitor};
use crate::queries::{self, run_what_if};
use crate::{App, ServerError, blocking};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use jx555_workflow::access::Action;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

type AppState = State<Arc<App>>;
type Api = Result<Json<Value>, ApiError>;

/// The OpenAPI document of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The API's routes, each with its action; data needs `Authorization: Bearer <token>`.
pub fn routes() -> Routes {
    use Action::*;
    Routes::default()
        .get("/api/v1/openapi.json", ViewPolicy, openapi)
        .get("/api/v1/packs", ViewPolicy, packs)
        .get("/api/v1/packs/{id}/rules", ViewPolicy, rules)
        .get("/api/v1/enterprises", FindEnterprises, enterprises)
        .get(
            "/api/v1/enterprises/{uscc}/explain",
            ViewEnterprise,
            explain,
        )
        .get("/api/v1/runs", ViewRuns, runs)
        .get("/api/v1/runs/{id}", ViewRuns, run)
        .post("/api/v1/whatif", WhatIf, whatif)
        .get("/api/v1/targets", ViewTargets, targets)
        .get("/api/v1/cases", ViewCases, cases)
        .get("/api/v1/cases/{id}", ViewCases, case)
        .post("/api/v1/cases/{id}", ActOnCase, act)
        .get("/api/v1/publications", ViewPublications, publications)
        .post("/api/v1/publications", Publish, publish)
        .get("/api/v1/publications/{id}", ViewPublications, publication)
        .get("/api/v1/payments", ViewPayments, payments)
        .post("/api/v1/payments", Pay, make_batches)
        .get("/api/v1/payments/{id}", ViewPayments, payment_batch)
        .post("/api/v1/payments/{id}", Pay, settle)
        .get("/api/v1/requests", ViewRequests, requests)
        .post("/api/v1/requests", RaiseRequest, raise_request)
        .get("/api/v1/requests/{id}", ViewRequests, request)
        .post("/api/v1/requests/{id}", ActOnRequest, act_on_request)
}

/// An error answer: `{code, message}` with the status.
pub fn error(status: axum::http::StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}

/// An error as the API answers it.
pub struct ApiError(pub ServerError);

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        ApiError(e)
    }
}

impl From<jx555_store::StoreError> for ApiError {
    fn from(e: jx555_store::StoreError) -> Self {
        ApiError(e.into())
    }
}

impl From<jx555_engine::EngineError> for ApiError {
    fn from(e: jx555_engine::EngineError) -> Self {
        ApiError(e.into())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError(ServerError::BadRequest(e.body_text()))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError(match e.status() {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => ServerError::TooLarge(
                "the request body is larger than the server takes (jx555 serve --max-body)".into(),
            ),
            _ => ServerError::BadRequest(e.body_text()),
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.0.status();
        let mut resp = error(status, code, &self.0.public_message());
        crate::retry_after(&mut resp);
        resp
    }
}

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError(ServerError::Internal(e.to_string())))
}

async fn packs(State(app): AppState) -> Api {
    let list: Vec<Value> = app
        .packs
        .iter()
        .map(|lp| {
            let m = &lp.pack.manifest;
            json!({
                "id": m.id, "version": m.version, "hash": lp.reference.hash, "title": m.title,
                "document": m.document, "issuer": m.issuer,
                "effective_from": m.effective_from.to_string(), "effective_until": m.effective_until.to_string(),
                "summary": lp.pack.summary(),
            })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn rules(State(app): AppState, Path(id): Path<String>) -> Api {
    let lp = app
        .packs
        .iter()
        .find(|p| p.pack.manifest.id == id)
        .ok_or_else(|| ServerError::NotFound(format!("no pack {id}")))?;
    let list: Vec<Value> = lp
        .pack
        .rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "title": r.title, "subject": r.subject.name(), "mode": r.mode.name(),
                "clause": r.citation.clause, "sentence": r.citation.sentence,
                "departments": r.departments, "fund": r.fund, "tags": r.tags,
            })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: String,
    limit: Option<usize>,
}

async fn enterprises(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<SearchQuery>, QueryRejection>,
) -> Api {
    let Query(q) = q?;
    let limit = q.limit.unwrap_or(20).clamp(1, 200);
    let found: Vec<Value> = queries::search(&app.facts(), v.principal()?, &q.q, limit)
        .into_iter()
        .map(|f| json!({ "uscc": f.uscc, "name": f.name, "county": f.county }))
        .collect();
    Ok(Json(Value::Array(found)))
}

#[derive(Deserialize)]
struct ExplainQuery {
    year: Option<i32>,
    rule: Option<String>,
}

async fn explain(
    State(app): AppState,
    v: Visitor,
    Path(uscc): Path<String>,
    q: Result<Query<ExplainQuery>, QueryRejection>,
) -> Api {
    let Query(q) = q?;
    let v = blocking(move || {
        let p = v.principal()?;
        if queries::enterprise(&app.facts(), p, &uscc).is_none() {
            return Err(ServerError::NotFound(format!("no enterprise {uscc}")));
        }
        if let Some(rule) = &q.rule {
            let seen = app
                .packs
                .iter()
                .any(|lp| queries::sees_rule(&app, p, &lp.pack.manifest.id, rule));
            if !seen {
                return Err(ServerError::NotFound(format!("no rule {rule}")));
            }
        }
        let year = q.year.unwrap_or_else(|| queries::latest_year(&app.facts()));
        app.with_request(year, |req| {
            let v = match &q.rule {
                Some(rule) => serde_json::to_value(jx555_engine::explain::explain(
                    req,
                    jx555_lang::types::EntityKind::Enterprise,
                    &uscc,
                    rule,
                )?),
                None => serde_json::to_value(queries::explanation_for(
                    &app,
                    p,
                    jx555_engine::explain::explain_enterprise(req, &uscc)?,
                )),
            };
            v.map_err(|e| ServerError::Internal(e.to_string()))
        })
    })
    .await?;
    Ok(Json(v))
}

async fn runs(State(app): AppState, v: Visitor) -> Api {
    let list = blocking(move || queries::runs_for(&app, v.principal()?)).await?;
    Ok(Json(to_json(&list)?))
}

#[derive(Deserialize)]
struct RunQuery {
    /// At most this many lines (default 1000): the page size.
    limit: Option<usize>,
    /// The page of that size, from 1 (instead of `offset`).
    page: Option<usize>,
    offset: Option<usize>,
}

async fn run(
    State(app): AppState,
    v: Visitor,
    Path(id): Path<String>,
    q: Result<Query<RunQuery>, QueryRejection>,
) -> Api {
    let Query(q) = q?;
    let id: i64 = id
        .parse()
        .map_err(|_| ServerError::BadRequest(format!("run id {id} is not a number")))?;
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    let offset = match q.page {
        Some(0) => return Err(ServerError::BadRequest("page counts from 1".into()).into()),
        Some(p) => (p - 1).saturating_mul(limit),
        None => q.offset.unwrap_or(0),
    };
    let (info, run) = blocking(move || queries::run_for(&app, v.principal()?, id)).await?;
    let lines: Vec<&jx555_engine::AwardLine> = run.lines.iter().skip(offset).take(limit).collect();
    Ok(Json(json!({
        "run": to_json(&info)?, "total": run.total(), "line_count": run.lines.len(),
        "offset": offset, "limit": limit, "pages": run.lines.len().div_ceil(limit),
        "lines": to_json(&lines)?, "stats": to_json(&run.stats)?,
        "principles": to_json(&run.principles)?, "summary": summary(&run),
    })))
}

/// A run's totals by every additive key, and its 市区共担 split, for tools.
fn summary(run: &jx555_engine::Run) -> Value {
    use jx555_engine::summary::{By, CostShare, totals};
    let by = |by: By| -> Vec<Value> {
        totals(run, by)
            .iter()
            .map(|t| {
                json!({"key": t.key.id(), "label": jx555_report::key_label(&t.key),
                       "lines": t.lines, "paying": t.paying, "payable": t.payable})
            })
            .collect()
    };
    json!({
        "by_rule": by(By::Rule), "by_lead_department": by(By::LeadDepartment),
        "by_county": by(By::County), "by_fund": by(By::Fund), "by_standing": by(By::Standing),
        "cost_share": CostShare::of(run),
    })
}

/// Changes by key for tools: the stable key, its label, and the amounts in fen.
fn changes(rows: &[jx555_engine::summary::Change]) -> Vec<Value> {
    rows.iter()
        .map(|c| {
            json!({"key": c.key.id(), "label": jx555_report::key_label(&c.key),
                   "baseline": c.baseline, "variant": c.variant, "change": c.change})
        })
        .collect()
}

#[derive(Deserialize)]
struct WhatIfBody {
    year: i32,
    set: Vec<String>,
}

async fn whatif(State(app): AppState, body: Result<Json<WhatIfBody>, JsonRejection>) -> Api {
    let Json(body) = body?;
    let _slot = app.evaluation_slot().await?;
    let app = app.clone();
    let v = blocking(move || {
        let w = run_what_if(&app, body.year, &body.set)?;
        Ok(json!({
            "year": body.year, "overrides": w.overrides,
            "baseline_total": w.baseline.total(), "variant_total": w.variant.total(),
            "by_rule": changes(&w.by_rule), "by_lead_department": changes(&w.by_lead_department),
            "by_county": changes(&w.by_county), "by_fund": changes(&w.by_fund),
        }))
    })
    .await?;
    Ok(Json(v))
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

async fn targets(State(app): AppState, q: Result<Query<YearQuery>, QueryRejection>) -> Api {
    let Query(q) = q?;
    let year = q.year.unwrap_or_else(|| queries::latest_year(&app.facts()));
    let ts = app.targets(year)?;
    Ok(Json(to_json(&ts)?))
}

#[derive(Deserialize)]
struct CasesQuery {
    /// Only cases in this state (`Pushed`, `Ready` …).
    state: Option<jx555_workflow::case::State>,
}

/// The award cases of the token's scope.
async fn cases(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<CasesQuery>, QueryRejection>,
) -> Api {
    let Query(q) = q?;
    let list = blocking(move || {
        let p = v.principal()?;
        let mut f = crate::pages::cases::filter_for(p);
        f.state = q.state;
        Ok(app.store()?.cases(&f)?)
    })
    .await?;
    Ok(Json(to_json(&list)?))
}

/// One case of the token's scope, with its history.
async fn case(State(app): AppState, v: Visitor, Path(id): Path<String>) -> Api {
    let id: i64 = id
        .parse()
        .map_err(|_| ServerError::BadRequest(format!("case id {id} is not a number")))?;
    let (c, events) = blocking(move || {
        let p = v.principal()?;
        app.store()?
            .case(id)?
            .filter(|(c, _)| crate::pages::cases::sees(p, c))
            .ok_or_else(|| ServerError::NotFound(format!("no case {id}")))
    })
    .await?;
    Ok(Json(
        json!({ "case": to_json(&c)?, "events": to_json(&events)? }),
    ))
}

/// An action on a case, as the case's transition table allows the token's account.
async fn act(
    State(app): AppState,
    v: Visitor,
    Path(id): Path<String>,
    body: Result<Json<crate::pages::cases::ActForm>, JsonRejection>,
) -> Api {
    let Json(form) = body?;
    let id: i64 = id
        .parse()
        .map_err(|_| ServerError::BadRequest(format!("case id {id} is not a number")))?;
    let c = blocking(move || crate::pages::cases::act_on(&app, v.principal()?, id, &form)).await?;
    Ok(Json(to_json(&c)?))
}

fn number(what: &str, id: &str) -> Result<i64, ServerError> {
    id.parse()
        .map_err(|_| ServerError::BadRequest(format!("{what} id {id} is not a number")))
}

/// Every 公示, newest first (public, as the notices are).
async fn publications(State(app): AppState) -> Api {
    let list = blocking(move || Ok(app.store()?.publications()?)).await?;
    Ok(Json(to_json(&list)?))
}

/// One 公示 as the public notice shows it: each line's payee, rule, amount and state (no account,
/// no 统一社会信用代码).
async fn publication(State(app): AppState, Path(id): Path<String>) -> Api {
    let id = number("publication", &id)?;
    let (p, cases) = blocking(move || {
        app.store()?
            .publication(id)?
            .ok_or_else(|| ServerError::NotFound(format!("no publication {id}")))
    })
    .await?;
    let lines: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "case": c.id,
                "payee": c.case.payee,
                "pack": c.pack,
                "rule": c.rule,
                "amount_fen": c.case.amount,
                "state": c.case.state.name(),
            })
        })
        .collect();
    Ok(Json(json!({ "publication": to_json(&p)?, "lines": lines })))
}

/// What `POST /api/v1/publications` takes.
#[derive(Deserialize)]
struct PublishBody {
    days: Option<u32>,
    contact: String,
}

/// Publishes the token's department's ready cases as one 公示 for `days` working days (5 unless
/// given). `201` with its number, how many cases, and the last day of objections.
async fn publish(
    State(app): AppState,
    v: Visitor,
    body: Result<Json<PublishBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(b) = body?;
    let (id, n, ends) = blocking(move || {
        Ok(jx555_store::cases::steps::publish_ready(
            app.store()?.as_mut(),
            v.principal()?,
            &app.calendar,
            app.today(),
            b.days.unwrap_or(5),
            &b.contact,
        )?)
    })
    .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({ "id": id, "cases": n, "ends": ends.to_string() })),
    )
        .into_response())
}

/// Every payment batch, newest first.
async fn payments(State(app): AppState) -> Api {
    let list = blocking(move || Ok(app.store()?.batches()?)).await?;
    Ok(Json(to_json(&list)?))
}

/// What `POST /api/v1/payments` takes.
#[derive(Deserialize)]
struct BatchBody {
    fund: String,
}

/// Makes the fund's payment batches of its cleared cases, one per payer. `201` with their numbers
/// and how many cases went in.
async fn make_batches(
    State(app): AppState,
    v: Visitor,
    body: Result<Json<BatchBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(b) = body?;
    let (ids, n) = blocking(move || {
        let packs = app.pack_refs();
        Ok(jx555_store::cases::steps::batch_fund(
            app.store()?.as_mut(),
            v.principal()?,
            app.today(),
            &b.fund,
            &|c| jx555_store::cases::fund_of(&packs, c),
        )?)
    })
    .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({ "batches": ids, "cases": n })),
    )
        .into_response())
}

/// One payment batch: its parts (payer, amount, outcome) and its cases.
async fn payment_batch(State(app): AppState, Path(id): Path<String>) -> Api {
    let id = number("batch", &id)?;
    let (b, cases, parts) = blocking(move || {
        let store = app.store()?;
        let (b, cases) = store
            .batch(id)?
            .ok_or_else(|| ServerError::NotFound(format!("no payment batch {id}")))?;
        Ok((b, cases, store.batch_parts(id)?))
    })
    .await?;
    let parts: Vec<&jx555_store::cases::Part> = parts.values().collect();
    Ok(Json(json!({
        "batch": to_json(&b)?,
        "parts": to_json(&parts)?,
        "cases": to_json(&cases)?,
    })))
}

/// What `POST /api/v1/payments/{id}` takes: the voucher, and the cases the bank returned with why.
#[derive(Deserialize)]
struct SettleBody {
    voucher: String,
    #[serde(default)]
    failed: std::collections::BTreeMap<i64, String>,
}

/// Records a batch paid with its voucher (parts the bank returned as failed): how many parts paid.
async fn settle(
    State(app): AppState,
    v: Visitor,
    Path(id): Path<String>,
    body: Result<Json<SettleBody>, JsonRejection>,
) -> Api {
    let id = number("batch", &id)?;
    let Json(b) = body?;
    let paid = blocking(move || {
        Ok(jx555_store::cases::steps::settle(
            app.store()?.as_mut(),
            v.principal()?,
            app.today(),
            id,
            &b.voucher,
            b.failed,
        )?)
    })
    .await?;
    Ok(Json(json!({ "batch": id, "paid": paid })))
}

fn request_id(id: &str) -> Result<i64, ServerError> {
    id.parse()
        .map_err(|_| ServerError::BadRequest(format!("request id {id} is not a number")))
}

/// The service requests the token's account sees.
async fn requests(State(app): AppState, v: Visitor) -> Api {
    let list = blocking(move || crate::pages::requests::visible(&app, v.principal()?)).await?;
    Ok(Json(to_json(&list)?))
}

/// Raises a request from another system: an enterprise's token for itself (channel 接口), the
/// hotline's for a caller's enterprise. `201` with its number.
async fn raise_request(
    State(app): AppState,
    v: Visitor,
    body: Result<Json<crate::pages::requests::RaiseInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(form) = body?;
    let id = blocking(move || crate::pages::requests::raise_as(&app, v.principal()?, &form, true))
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// One request the token's account sees, with its steps.
async fn request(State(app): AppState, v: Visitor, Path(id): Path<String>) -> Api {
    let id = request_id(&id)?;
    let (r, events) = blocking(move || {
        let p = v.principal()?;
        app.store()?
            .request(id)?
            .filter(|(s, _)| jx555_workflow::request::sees(p, &s.request))
            .ok_or_else(|| ServerError::NotFound(format!("no request {id}")))
    })
    .await?;
    Ok(Json(
        json!({ "request": to_json(&r)?, "events": to_json(&events)? }),
    ))
}

/// An action on a request, as its transition table allows the token's account.
async fn act_on_request(
    State(app): AppState,
    v: Visitor,
    Path(id): Path<String>,
    body: Result<Json<crate::pages::requests::ActForm>, JsonRejection>,
) -> Api {
    let Json(form) = body?;
    let id = request_id(&id)?;
    let r =
        blocking(move || crate::pages::requests::act_on(&app, v.principal()?, id, &form)).await?;
    Ok(Json(to_json(&r)?))
}
