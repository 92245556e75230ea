//! 审计日志 (审计 only): the chain's verification and its latest entries, filtered.

use super::layout::layout;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use jx555_store::audit::AuditFilter;
use maud::html;
use serde::Deserialize;

/// The filter of the log.
#[derive(Deserialize)]
pub struct Filter {
    since: Option<String>,
    actor: Option<String>,
    object: Option<String>,
}

/// Entries shown at most (the newest).
const SHOWN: usize = 500;

/// The verification of the whole chain (its checkpoint, or the first entry that breaks it) and the
/// newest entries passing the filter.
pub async fn page(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<Filter>, QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(bad_request)?;
    let some = |s: Option<String>| s.filter(|x| !x.trim().is_empty());
    let filter = AuditFilter {
        since: some(q.since),
        actor: some(q.actor),
        object: some(q.object),
    };
    render(move || {
        let store = app.store()?;
        let verified = store.verify_audit()?;
        let entries = store.audit(&filter)?;
        let shown = &entries[entries.len().saturating_sub(SHOWN)..];
        Ok(layout(
            &v,
            "审计日志",
            html! {
                @match &verified {
                    Ok(cp) => p class="ok" { "哈希链校验通过：共 " (cp.count) " 条，链头 " code { (cp.head) } },
                    Err(b) => p class="no" { "哈希链在第 " (b.seq) " 条断开：" (b.reason) },
                }
                form method="get" action="/audit" {
                    "自 " input type="text" name="since" value=(filter.since.clone().unwrap_or_default()) placeholder="2026-12-01";
                    " 操作人 " input type="text" name="actor" value=(filter.actor.clone().unwrap_or_default());
                    " 对象 " input type="text" name="object" value=(filter.object.clone().unwrap_or_default()) placeholder="run:12";
                    " " button type="submit" { "筛选" }
                }
                p { "符合条件 " (entries.len()) " 条" @if entries.len() > SHOWN { "，显示最新 " (SHOWN) " 条" } "。" }
                table {
                    tr { th { "序号" } th { "时间" } th { "操作人" } th { "角色" } th { "操作" } th { "对象" } th { "摘要" } }
                    @for e in shown.iter().rev() {
                        tr { td class="n" { (e.seq) } td { (e.at) } td { (e.actor) } td { (e.role) } td { (e.action) } td { (e.object) } td { code { (e.digest[..16.min(e.digest.len())]) } } }
                    }
                }
            },
        ))
    })
    .await
}
