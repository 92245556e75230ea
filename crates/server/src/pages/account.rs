//! Accounts: one's own (who one is, a new password), the official accounts (系统管理员) and an
//! enterprise's 经办人 (企业管理员). Who may manage whom is `access::may_manage`; every change goes
//! through the store, which audits it in the same transaction.

use super::layout::layout;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::{App, PageError, ServerError};
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jx555_store::accounts::{Account, AccountChange, NewAccount, hash_password, new_secret};
use jx555_workflow::access::{Principal, Role, Scope, check_scope, may_manage};
use jx555_workflow::accounts::{check_name, check_password};
use maud::{Markup, html};
use serde::Deserialize;

/// 我的账号: name, role, scope, and the form for a new password.
pub async fn own(State(app): AppState, v: Visitor) -> Page {
    render(move || {
        let p = v.principal()?;
        let a = app.store()?.account(&p.name)?;
        Ok(layout(&v, "我的账号", own_body(&v, a.as_ref(), None)))
    })
    .await
}

fn own_body(v: &Visitor, a: Option<&Account>, message: Option<&str>) -> Markup {
    html! {
        @if let Some(a) = a {
            p { "账号 " strong { (a.name) } " · 角色 " (a.role.name()) " · 范围 " (a.scope) }
            @if a.must_change { p class="no" { "您的密码由他人设置，请立即修改。" } }
        }
        @if let Some(m) = message { p class="no" { (m) } }
        h2 { "修改密码" }
        form method="post" action="/account/password" class="login" {
            input type="hidden" name="csrf" value=(v.csrf());
            label { "现密码 " input type="password" name="current" autocomplete="current-password" required; }
            label { "新密码 " input type="password" name="new" autocomplete="new-password" required; }
            label { "再输一次 " input type="password" name="again" autocomplete="new-password" required; }
            button type="submit" { "修改" }
        }
        p class="muted" { "密码至少 " (jx555_workflow::accounts::MIN_PASSWORD_CHARS)
            " 个字符，含小写字母、大写字母、数字、符号中的至少三类，且不含账号名。修改后请重新登录。" }
    }
}

/// The new-password form.
#[derive(Deserialize)]
pub struct NewPassword {
    current: String,
    new: String,
    again: String,
}

/// Sets a new password after checking the current one; every session of the account ends (this
/// one too), so the next step is to log in again.
pub async fn change_password(
    State(app): AppState,
    v: Visitor,
    f: Result<Form<NewPassword>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(f) = f.map_err(bad_request)?;
    let _permit = app
        .hashing
        .acquire()
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))?;
    let (v2, app2) = (v.clone(), app.clone());
    let refused = crate::blocking(move || {
        let app = app2;
        let p = v2.principal()?;
        let account = app.store()?.account(&p.name)?;
        let Some(a) = account else {
            return Ok(Some("账号不存在".to_string()));
        };
        let problem = if f.current.len() > jx555_workflow::accounts::MAX_PASSWORD_BYTES
            || !jx555_store::accounts::verify_password(&f.current, &a.password_hash)
        {
            Some("现密码不正确".to_string())
        } else if f.new != f.again {
            Some("两次输入的新密码不一致".to_string())
        } else {
            check_password(&a.name, &f.new).err()
        };
        if problem.is_some() {
            return Ok(
                problem.map(|m| layout(&v2, "我的账号", own_body(&v2, Some(&a), Some(&m))).0)
            );
        }
        let hash = hash_password(&f.new)?;
        app.store_as(p)?.change_account(
            &a.name,
            &AccountChange::Password {
                hash,
                must_change: false,
            },
        )?;
        Ok(None)
    })
    .await?;
    Ok(match refused {
        Some(page) => Html(page).into_response(),
        None => Redirect::to("/login").into_response(),
    })
}

/// 账号管理 (系统管理员): every official account, and the form for a new one.
pub async fn officials(State(app): AppState, v: Visitor) -> Page {
    render(move || manage_page(&app, &v, None)).await
}

/// 经办人 (企业管理员): the enterprise's staff accounts, and the form for a new one.
pub async fn staff(State(app): AppState, v: Visitor) -> Page {
    render(move || manage_page(&app, &v, None)).await
}

/// Where a manager's pages live: official accounts, or an enterprise's staff.
fn base(p: &Principal) -> &'static str {
    if p.role == Role::EnterpriseAdmin {
        "/staff"
    } else {
        "/accounts"
    }
}

/// The roles a manager may create.
fn creatable(p: &Principal) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| match p.role {
            Role::EnterpriseAdmin => may_manage(p, *r, &p.scope),
            _ => r.managed_by_system_admin() && may_manage(p, *r, &Scope::City),
        })
        .collect()
}

fn manage_page(
    app: &App,
    v: &Visitor,
    notice: Option<Markup>,
) -> Result<Html<String>, ServerError> {
    let p = v.principal()?;
    let list: Vec<Account> = app
        .store()?
        .accounts()?
        .into_iter()
        .filter(|a| may_manage(p, a.role, &a.scope))
        .collect();
    let base = base(p);
    let title = if base == "/staff" {
        "经办人账号"
    } else {
        "账号管理"
    };
    let body = html! {
        @if let Some(n) = notice { div class="note" { (n) } }
        table {
            tr { th { "账号" } th { "角色" } th { "范围" } th { "状态" } th { "有效期至" } th { "创建" } th { "操作" } }
            @for a in &list {
                tr {
                    td { (a.name) } td { (a.role.name()) } td { (a.scope) }
                    td { @if a.disabled { span class="no" { "已停用" } } @else { "启用" } }
                    td { (a.expires_at.map(day).unwrap_or_default()) }
                    td { (a.created_at) " " (a.created_by) }
                    td {
                        form method="post" action=(format!("{base}/{}", a.name)) class="inline" {
                            input type="hidden" name="csrf" value=(v.csrf());
                            @if a.disabled { button name="op" value="enable" { "启用" } }
                            @else { button name="op" value="disable" { "停用" } }
                            " " button name="op" value="reset" { "重置密码" }
                            @if base == "/staff" {
                                " " input type="date" name="until";
                                " " button name="op" value="expire" { "设有效期" }
                            }
                        }
                    }
                }
            }
        }
        h2 { "新建账号" }
        form method="post" action=(base) class="login" {
            input type="hidden" name="csrf" value=(v.csrf());
            label { "账号名 " input type="text" name="name" required; }
            label { "角色 " select name="role" {
                @for r in creatable(p) { option value=(r.code()) { (r.name()) } }
            } }
            @if base == "/accounts" {
                label { "范围（企业为统一社会信用代码，县区审核员为县（市、区），部门审核员为部门；财政、审计、系统管理员留空） "
                    input type="text" name="scope"; }
            }
            @if base == "/staff" { label { "有效期至 " input type="date" name="until"; } }
            button type="submit" { "新建" }
        }
        p class="muted" { "新账号的一次性密码只显示一次，请当面或经可靠渠道交给本人；首次登录须修改。" }
    };
    Ok(layout(v, title, body))
}

/// Unix seconds as a date.
fn day(t: i64) -> String {
    jx555_lang::types::Date::from_days(i32::try_from(t.div_euclid(86_400)).unwrap_or(0)).to_string()
}

/// A date (`2027-06-30`) as the Unix second its day ends.
fn until(s: &str) -> Result<Option<i64>, ServerError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let d = jx555_lang::types::Date::parse(s.trim())
        .ok_or_else(|| ServerError::BadRequest(format!("日期 {s:?} 无法识别，应为 2027-06-30")))?;
    Ok(Some((i64::from(d.to_days()) + 1) * 86_400))
}

/// The new-account form.
#[derive(Deserialize)]
pub struct NewForm {
    name: String,
    role: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    until: String,
}

/// Creates an account with a one-time password, shown once on the page that follows.
pub async fn add(
    State(app): AppState,
    v: Visitor,
    f: Result<Form<NewForm>, FormRejection>,
) -> Page {
    let Form(f) = f.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        let role = Role::parse(&f.role).map_err(ServerError::BadRequest)?;
        let scope = if p.role == Role::EnterpriseAdmin {
            p.scope.clone()
        } else {
            Scope::of(role, &f.scope).map_err(ServerError::BadRequest)?
        };
        if !may_manage(p, role, &scope) {
            return Err(ServerError::Forbidden(format!("您不能开设{}账号", role.name())));
        }
        check_name(&f.name).map_err(ServerError::BadRequest)?;
        let providers = app.store()?.providers()?;
        check_scope(
            &scope,
            &jx555_facts::model::COUNTIES,
            &app.departments(),
            |u| app.facts().index.enterprise_row(u).is_some(),
            |u| providers.iter().any(|x| x.uscc == u),
        )
        .map_err(ServerError::BadRequest)?;
        let password = one_time_password()?;
        let account = app.store_as(p)?.add_account(&NewAccount {
            name: f.name.clone(),
            role,
            scope,
            password_hash: hash_password(&password)?,
            must_change: true,
            expires_at: until(&f.until)?,
        })?;
        manage_page(
            &app,
            &v,
            Some(html! {
                "已新建账号 " strong { (account.name) } "（" (account.role.name()) "，" (account.scope) "），一次性密码："
                span class="secret" { (password) }
            }),
        )
    })
    .await
}

/// A one-time password that meets the policy: 20 hex characters of a random secret, with a
/// prefix giving the other classes.
fn one_time_password() -> Result<String, ServerError> {
    let s = new_secret()?;
    Ok(format!("Jx-{}", &s[..20]))
}

/// A change to one account.
#[derive(Deserialize)]
pub struct ChangeForm {
    op: String,
    #[serde(default)]
    until: String,
}

/// Disables, enables, resets (a new one-time password, shown once) or sets the term of an account
/// the manager may manage; any other account is "not found".
pub async fn change(
    State(app): AppState,
    v: Visitor,
    name: Result<Path<String>, PathRejection>,
    f: Result<Form<ChangeForm>, FormRejection>,
) -> Page {
    let Path(name) = name.map_err(bad_request)?;
    let Form(f) = f.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        let target = app
            .store()?
            .account(&name)?
            .filter(|a| may_manage(p, a.role, &a.scope))
            .ok_or_else(|| ServerError::NotFound(format!("没有账号 {name}")))?;
        let mut notice = html! { "账号 " (target.name) " 已更新。" };
        let change = match f.op.as_str() {
            "disable" => AccountChange::Disable,
            "enable" => AccountChange::Enable,
            "expire" if p.role == Role::EnterpriseAdmin => AccountChange::Expire(until(&f.until)?),
            "reset" => {
                let password = one_time_password()?;
                notice = html! { "账号 " (target.name) " 的新一次性密码：" span class="secret" { (password) } };
                AccountChange::Password {
                    hash: hash_password(&password)?,
                    must_change: true,
                }
            }
            other => return Err(ServerError::BadRequest(format!("未知操作 {other:?}"))),
        };
        app.store_as(p)?.change_account(&target.name, &change)?;
        manage_page(&app, &v, Some(notice))
    })
    .await
}
