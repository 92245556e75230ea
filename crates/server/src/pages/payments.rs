//! 拨付: 财政 puts the cleared cases of one fund (公示 over with no open objection, or an account
//! corrected after a failed payment) into payment batches, one per payer — under 市区共担 a case is
//! paid in two parts, the city's share from 市财政's batch and the county's from its county's —
//! downloads each batch's bank file, and records it paid with the voucher number, lines the bank
//! returned as failed. A case goes into the ledger once all its parts are paid.

use super::layout::layout;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::{App, PageError, ServerError, blocking};
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jx555_report::{BankLine, wan};
use jx555_store::cases::{Batch, Part, PartOutcome, StoredCase};
use jx555_workflow::case::{self};
use maud::html;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The fund a case's rule pays from (专项资金).
fn fund(app: &App, c: &StoredCase) -> String {
    jx555_store::cases::fund_of(&app.pack_refs(), c)
}

/// The batches, and (for 财政) the cleared cases of each fund with the form to batch them.
pub async fn list(State(app): AppState, v: Visitor) -> Page {
    render(move || {
        let batches = app.store()?.batches()?;
        let pay = v.may(jx555_workflow::access::Action::Pay);
        let ready = if pay {
            jx555_store::cases::steps::cleared(
                app.store()?.as_ref(),
                v.principal()?,
                app.today(),
                &|c| fund(&app, c),
            )?
        } else {
            BTreeMap::new()
        };
        // Cases past their 公示 held back by 就高不重复 until their department withdraws the lower.
        let held: Vec<(i64, String)> = if pay {
            let store = app.store()?;
            let all = store.cases(&jx555_store::cases::CaseFilter::default())?;
            let held = jx555_store::cases::steps::held(&all, &store.exclusive_keys()?);
            all.iter()
                .filter(|c| matches!(c.case.state, case::State::Publicized | case::State::Corrected))
                .filter_map(|c| held.get(&c.id).map(|h| (c.id, h.clone())))
                .collect()
        } else {
            Vec::new()
        };
        let body = html! {
            @if pay {
                section {
                    h2 { "可拨付（公示期满、无未决异议）" }
                    @if ready.is_empty() { p class="muted" { "暂无。" } }
                    table {
                        @for (fund, steps) in &ready {
                            tr {
                                td { (fund) } td class="n" { (steps.len()) " 件" }
                                td class="n" { (wan(steps.iter().filter_map(|s| s.3.amount).sum())) }
                                td {
                                    form method="post" action="/payments" class="inline" {
                                        input type="hidden" name="csrf" value=(v.csrf());
                                        input type="hidden" name="fund" value=(fund);
                                        button type="submit" { "生成支付批次（按拨付主体）" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !held.is_empty() {
                h2 { "暂缓拨付（就高不重复）" }
                ul { @for (id, why) in &held { li { a href=(format!("/cases/{id}")) { "第 " (id) " 号" } "：" (why) } } }
            }
            h2 { "支付批次" }
            table {
                tr { th { "编号" } th { "资金（拨付主体）" } th { "生成时间" } th { "拨付" } }
                @for b in &batches {
                    tr {
                        td { a href=(format!("/payments/{}", b.id)) { "第 " (b.id) " 批" } }
                        td { (b.fund) } td { (b.created_at) }
                        td { @match &b.paid { Some((at, voucher)) => { (at) "，凭证 " (voucher) }, None => "未拨付" } }
                    }
                }
            }
        };
        Ok(layout(&v, "拨付", body))
    })
    .await
}

/// The batch form.
#[derive(Deserialize)]
pub struct MakeForm {
    fund: String,
}

/// Makes a batch of the fund's cleared cases.
pub async fn make(
    State(app): AppState,
    v: Visitor,
    f: Result<Form<MakeForm>, FormRejection>,
) -> Page {
    let Form(f) = f.map_err(bad_request)?;
    render(move || {
        let (ids, _) = jx555_store::cases::steps::batch_fund(
            app.store()?.as_mut(),
            v.principal()?,
            app.today(),
            &f.fund,
            &|c| fund(&app, c),
        )?;
        let body = html! {
            p { (f.fund) "：按拨付主体生成 " (ids.len()) " 个支付批次。" }
            ul { @for id in &ids { li { a href=(format!("/payments/{id}")) { "第 " (id) " 批" } } } }
        };
        Ok(layout(&v, "支付批次已生成", body))
    })
    .await
}

/// The bank file's lines: each part of the batch not returned, with its amount.
fn lines(app: &App, cases: &[StoredCase], parts: &BTreeMap<i64, Part>) -> Vec<BankLine> {
    cases
        .iter()
        .filter_map(|c| parts.get(&c.id).map(|x| (c, x)))
        .filter(|(_, x)| !matches!(x.outcome, PartOutcome::Failed(_)))
        .map(|(c, x)| {
            let rule = app
                .packs
                .iter()
                .filter(|p| p.pack.manifest.id == c.pack)
                .find_map(|p| p.pack.rule(&c.rule).map(|r| (&p.pack.manifest.document, r)));
            let account = c.case.account.clone();
            BankLine {
                case: c.id,
                payee: c.case.payee.clone(),
                uscc: c.case.enterprise.clone().unwrap_or_default(),
                bank: account.as_ref().map(|a| a.bank.clone()).unwrap_or_default(),
                number: account.map(|a| a.number).unwrap_or_default(),
                amount: x.amount,
                purpose: rule.map_or_else(
                    || c.rule.clone(),
                    |(document, r)| {
                        format!(
                            "{document}{} {}",
                            r.citation.clause,
                            r.title.clone().unwrap_or_else(|| r.id.clone())
                        )
                    },
                ),
            }
        })
        .collect()
}

/// A batch, its cases, and its part of each.
type BatchView = (Batch, Vec<StoredCase>, BTreeMap<i64, Part>);

fn batch_of(app: &App, id: i64) -> Result<BatchView, ServerError> {
    let store = app.store()?;
    let (b, cases) = store
        .batch(id)?
        .ok_or_else(|| ServerError::NotFound(format!("没有第 {id} 批支付批次")))?;
    Ok((b, cases, store.batch_parts(id)?))
}

fn batch_page(
    app: &App,
    v: &Visitor,
    id: i64,
) -> Result<axum::response::Html<String>, ServerError> {
    let (b, cases, parts) = batch_of(app, id)?;
    let total: i64 = parts.values().map(|x| x.amount).sum();
    let pay = v.may(jx555_workflow::access::Action::Pay) && b.paid.is_none();
    let part_state = |x: Option<&Part>| match x.map(|x| &x.outcome) {
        Some(PartOutcome::Paid) => "已支付".to_string(),
        Some(PartOutcome::Failed(why)) => format!("退回：{why}"),
        _ => "待支付".to_string(),
    };
    let body = html! {
        p { "资金与拨付主体：" (b.fund) "；" (cases.len()) " 件，本批合计 " strong { (wan(total)) } "。"
            a href=(format!("/payments/{id}/bank.xlsx")) { "下载代发清单（XLSX）" } " · " a href=(format!("/payments/{id}/bank.csv")) { "CSV" } }
        p class="muted" { "市区共担的事项分两笔支付：市级承担部分由市财政的批次、县级承担部分由所在县（市、区）财政的批次支付，两笔都支付后计入台账。" }
        table {
            tr { th { "奖补事项" } th { "收款人" } th { "开户行" } th { "账号" } th { "本批支付" } th { "事项金额" } th { "本笔" } th { "事项状态" } }
            @for c in &cases {
                tr {
                    td { a href=(format!("/cases/{}", c.id)) { (c.id) } }
                    td { (c.case.payee) }
                    td { (c.case.account.as_ref().map(|a| a.bank.clone()).unwrap_or_default()) }
                    td { (c.case.account.as_ref().map(|a| a.number.clone()).unwrap_or_default()) }
                    td class="n" { (parts.get(&c.id).map(|x| wan(x.amount)).unwrap_or_default()) }
                    td class="n" { (c.case.amount.map(wan).unwrap_or_default()) }
                    td { (part_state(parts.get(&c.id))) }
                    td { (c.case.state.name()) }
                }
            }
        }
        @match &b.paid {
            Some((at, voucher)) => p { "已于 " (at) " 拨付，凭证号 " (voucher) "。" },
            None if pay => form method="post" action=(format!("/payments/{id}")) class="login" {
                input type="hidden" name="csrf" value=(v.csrf());
                label { "凭证号 " input type="text" name="voucher" required; }
                label { "退回的行（每行：奖补事项编号 理由，如 12 账户已销户） " textarea name="failed" rows="3" cols="50" {} }
                button type="submit" { "登记已拨付" }
            },
            None => p class="muted" { "未拨付。" },
        }
        @if b.paid.is_none() && pay {
            form method="post" enctype="multipart/form-data" action=(format!("/payments/{id}/return?csrf={}", v.csrf())) class="login" {
                input type="hidden" name="csrf" value=(v.csrf());
                h3 { "按财政支付系统的回单登记" }
                p class="muted" { "CSV（UTF-8）或 XLSX 的第一个工作表，列："
                    (jx555_facts::settlement::SETTLEMENT_COLUMNS.iter().map(|c| format!("{}（{}）", c.1, c.0)).collect::<Vec<_>>().join("、"))
                    "；支付状态为 成功 或 失败。本批每一行须在回单中出现一次、金额一致、凭证号相同；有一处不符则不登记。" }
                input type="file" name="file" accept=".csv,.xlsx" required;
                button type="submit" { "导入回单" }
            }
        }
        p class="muted" { "审计校验点：生成时审计日志共 " (b.checkpoint.count) " 条，链头 " code { (b.checkpoint.head) } "。" }
    };
    Ok(layout(v, &format!("第 {id} 批支付批次"), body))
}

/// One batch: its lines, bank file, and (for 财政, until paid) the form to record it paid.
pub async fn page(State(app): AppState, v: Visitor, id: Result<Path<i64>, PathRejection>) -> Page {
    let Path(id) = id.map_err(bad_request)?;
    render(move || batch_page(&app, &v, id)).await
}

/// The settle form.
#[derive(Deserialize)]
pub struct SettleForm {
    voucher: String,
    #[serde(default)]
    failed: String,
}

/// Records a batch paid: its lines paid (into the ledger), those the bank returned failed.
pub async fn settle(
    State(app): AppState,
    v: Visitor,
    id: Result<Path<i64>, PathRejection>,
    f: Result<Form<SettleForm>, FormRejection>,
) -> Page {
    let Path(id) = id.map_err(bad_request)?;
    let Form(f) = f.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        let mut failed: BTreeMap<i64, String> = BTreeMap::new();
        for line in f.failed.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (case_id, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let case_id: i64 = case_id
                .parse()
                .map_err(|_| ServerError::BadRequest(format!("“{line}”：应以奖补事项编号开头")))?;
            failed.insert(case_id, reason.trim().to_string());
        }
        jx555_store::cases::steps::settle(
            app.store()?.as_mut(),
            p,
            app.today(),
            id,
            &f.voucher,
            failed,
        )?;
        batch_page(&app, &v, id)
    })
    .await
}

/// Records a batch paid from the finance system's return file (all lines or none).
pub async fn settle_return(
    State(app): AppState,
    v: Visitor,
    id: Result<Path<i64>, PathRejection>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Page {
    let Path(id) = id.map_err(bad_request)?;
    let (name, bytes) = super::files::field(multipart).await?;
    render(move || {
        let p = v.principal()?;
        let t = super::files::table(&name, &bytes)?;
        let lines = jx555_facts::settlement::read_settlement(&t)
            .map_err(|ps| super::files::problems(&ps))?;
        jx555_store::cases::steps::settle_from(app.store()?.as_mut(), p, app.today(), id, &lines)?;
        batch_page(&app, &v, id)
    })
    .await
}

async fn bank_file(
    app: AppState,
    id: Result<Path<i64>, PathRejection>,
    xlsx: bool,
) -> Result<Response, PageError> {
    let State(app) = app;
    let Path(id) = id.map_err(bad_request)?;
    let bytes = blocking(move || {
        let (_, cases, parts) = batch_of(&app, id)?;
        let lines = lines(&app, &cases, &parts);
        let made = if xlsx {
            jx555_report::bank_xlsx(&lines)
        } else {
            jx555_report::bank_csv(&lines)
        };
        made.map_err(|e| ServerError::Internal(e.to_string()))
    })
    .await?;
    let (ty, ext) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    Ok((
        [
            (header::CONTENT_TYPE, ty.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"batch-{id}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The batch's bank file as XLSX.
pub async fn bank_xlsx(
    app: AppState,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Response, PageError> {
    bank_file(app, id, true).await
}

/// The batch's bank file as CSV.
pub async fn bank_csv(
    app: AppState,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Response, PageError> {
    bank_file(app, id, false).await
}
