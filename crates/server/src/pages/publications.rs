//! 公示: a lead department publishes its ready cases as one batch for a number of working days; the
//! public (no login) reads each 公示 — every line with its clause and amount, the totals by payer,
//! the objection deadline, the contact and the audit log's checkpoint — and anyone signed in may
//! object to a line during the period.

use super::layout::layout;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::{App, ServerError};
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, State};
use jx555_report::wan;
use jx555_store::cases::{CaseFilter, StoredCase};
use jx555_workflow::access::{Role, Scope};
use jx555_workflow::case::State as CaseState;
use maud::html;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Every 公示, newest first; a department reviewer also gets the form to publish its ready cases.
pub async fn list(State(app): AppState, v: Visitor) -> Page {
    render(move || {
        let store = app.store()?;
        let list = store.publications()?;
        let ready = match v.principal.as_ref().map(|p| (&p.role, &p.scope)) {
            Some((Role::DepartmentReviewer, Scope::Department(d))) => Some(
                store
                    .cases(&CaseFilter {
                        state: Some(CaseState::Ready),
                        department: Some(d.clone()),
                        ..CaseFilter::default()
                    })?
                    .len(),
            ),
            _ => None,
        };
        let body = html! {
            @if let Some(n) = ready {
                section {
                    h2 { "发起公示" }
                    p { "本部门待公示的奖补事项 " (n) " 件。" }
                    @if n > 0 {
                        form method="post" action="/publications" class="login" {
                            input type="hidden" name="csrf" value=(v.csrf());
                            label { "公示期（工作日） " input type="number" name="days" value="5" min="1" max="30"; }
                            label { "联系人及电话 " input type="text" name="contact" required; }
                            button type="submit" { "公示" }
                        }
                    }
                }
            }
            table {
                tr { th { "编号" } th { "牵头单位" } th { "发布时间" } th { "异议截止" } }
                @for p in &list {
                    tr {
                        td { a href=(format!("/publications/{}", p.id)) { "第 " (p.id) " 号公示" } }
                        td { (p.department) } td { (p.created_at) } td { (p.ends) }
                    }
                }
            }
        };
        Ok(layout(&v, "公示", body))
    })
    .await
}

/// A line of a 公示 as the notice prints it.
struct Line {
    case: StoredCase,
    title: String,
    clause: String,
    city: Option<i64>,
    county: Option<i64>,
}

fn lines(app: &App, cases: Vec<StoredCase>) -> Result<Vec<Line>, ServerError> {
    let store = app.store()?;
    cases
        .into_iter()
        .map(|c| {
            let rule = app
                .packs
                .iter()
                .filter(|p| p.pack.manifest.id == c.pack)
                .find_map(|p| p.pack.rule(&c.rule));
            let (city, county) = super::parts::shares(store.as_ref(), &c)?;
            Ok(Line {
                title: rule
                    .and_then(|r| r.title.clone())
                    .unwrap_or_else(|| c.rule.clone()),
                clause: rule.map(|r| r.citation.clause.clone()).unwrap_or_default(),
                city,
                county,
                case: c,
            })
        })
        .collect()
}

/// One 公示, public: its lines, totals by payer, deadline, contact and checkpoint.
pub async fn page(State(app): AppState, v: Visitor, id: Result<Path<i64>, PathRejection>) -> Page {
    let Path(id) = id.map_err(bad_request)?;
    render(move || {
        let (p, cases) = app
            .store()?
            .publication(id)?
            .ok_or_else(|| ServerError::NotFound(format!("没有第 {id} 号公示")))?;
        // The policy basis: the title and 文号 of the packs the lines come from.
        let basis: Vec<(String, String)> = app
            .packs
            .iter()
            .filter(|lp| cases.iter().any(|c| c.pack == lp.pack.manifest.id))
            .map(|lp| (lp.pack.manifest.title.clone(), lp.pack.manifest.document.clone()))
            .collect();
        let lines = lines(&app, cases)?;
        let total: i64 = lines.iter().filter_map(|l| l.case.case.amount).sum();
        let mut by_payer: BTreeMap<String, i64> = BTreeMap::new();
        for l in &lines {
            let amount = l.case.case.amount.unwrap_or(0);
            match (l.city, l.county) {
                (Some(city), Some(county)) => {
                    *by_payer.entry("市级".into()).or_default() += city;
                    let name = l.case.case.county.clone().unwrap_or_else(|| jx555_report::NO_COUNTY.into());
                    *by_payer.entry(format!("县级：{name}")).or_default() += county;
                }
                _ => *by_payer.entry("分担比例未定".into()).or_default() += amount,
            }
        }
        let open = app.today() <= p.ends;
        let may_object = open && v.principal.as_ref().is_some_and(|x| !matches!(x.role, Role::Auditor | Role::SystemAdmin));
        let body = html! {
            p { "依据" @for (title, document) in &basis { "《" (title) "》（" (document) "）" } "，现将以下奖补事项予以公示。" }
            p { "牵头单位：" (p.department) "。公示期至 " strong { (p.ends) } "（工作日计算）止；对公示内容有异议的，请于公示期内实名提出。联系人：" (p.contact) "。" }
            table {
                tr { th { "序号" } th { "企业（单位）名称" } th { "奖补项目" } th { "条款" } th { "金额" } th { "市级承担" } th { "县级承担" } @if may_object { th { "异议" } } }
                @for (i, l) in lines.iter().enumerate() {
                    tr {
                        td class="n" { (i + 1) }
                        td { (l.case.case.payee) }
                        td { (l.title) }
                        td { (l.clause) }
                        td class="n" { (l.case.case.amount.map(wan).unwrap_or_default()) }
                        td class="n" { (l.city.map(wan).unwrap_or_else(|| "未定".into())) }
                        td class="n" { (l.county.map(wan).unwrap_or_else(|| "未定".into())) }
                        @if may_object {
                            td {
                                @if l.case.case.state == CaseState::Publicized {
                                    form method="post" action=(format!("/cases/{}", l.case.id)) class="inline" {
                                        input type="hidden" name="csrf" value=(v.csrf());
                                        input type="hidden" name="kind" value="Object";
                                        input type="text" name="reason" placeholder="异议理由" required;
                                        " " button type="submit" { "提出异议" }
                                    }
                                } @else { (l.case.case.state.name()) }
                            }
                        }
                    }
                }
                tr { th colspan="4" { "合计" } th class="n" { (wan(total)) } th {} th {} @if may_object { th {} } }
            }
            h2 { "按承担方" }
            table {
                @for (payer, amount) in &by_payer { tr { td { (payer) } td class="n" { (wan(*amount)) } } }
            }
 p class="muted no-print" { "打印本页即为公示文书（导航与表单不打印）。" }
            p class="muted" { "审计校验点：发布时审计日志共 " (p.checkpoint.count) " 条，链头 " code { (p.checkpoint.head) } "。可用 jx555 audit verify 核对。" }
        };
        Ok(layout(&v, &format!("第 {id} 号公示（{}）", p.department), body))
    })
    .await
}

/// The publish form.
#[derive(Deserialize)]
pub struct PublishForm {
    days: Option<u32>,
    contact: String,
}

/// Publishes every ready case of the visitor's department as one 公示 for the working days asked,
/// each case stepped by `case::step` (so only the lead department's reviewer can).
pub async fn publish(
    State(app): AppState,
    v: Visitor,
    f: Result<Form<PublishForm>, FormRejection>,
) -> Page {
    let Form(f) = f.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        let (id, n, ends) = jx555_store::cases::steps::publish_ready(
            app.store()?.as_mut(),
            p,
            &app.calendar,
            app.today(),
            f.days.unwrap_or(5),
            &f.contact,
        )?;
        Ok(layout(
            &v,
            "公示已发布",
            html! { p { "已发布 " a href=(format!("/publications/{id}")) { "第 " (id) " 号公示" } "，共 " (n) " 件，异议截止 " (ends) "。" } },
        ))
    })
    .await
}
