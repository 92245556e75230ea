//! 登录 and 退出: a password checked against its Argon2id hash, a new session id at login.
//!
//! A wrong name and a wrong password get the same answer in the same time (a decoy hash is checked
//! when the name is unknown); ten failures in a row lock the account for a while; a password longer
//! than the policy allows is refused before any hashing; at most as many hashes run at once as
//! there are cores, so a flood of logins cannot starve the pages.

use super::AppState;
use super::layout::layout;
use crate::auth::{Visitor, new_session, now, over_tls, session_cookie};
use crate::{App, PageError, ServerError, blocking};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use jx555_store::accounts::{decoy_hash, verify_password};
use jx555_store::audit::Actor;
use jx555_workflow::accounts::{MAX_PASSWORD_BYTES, check_name};
use maud::html;
use serde::Deserialize;

/// Where to go after login.
#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path of this site: `/x`, never `//host` or `http://…` (no open redirect).
fn local(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn form_page(v: &Visitor, next: &str, message: Option<&str>) -> axum::response::Html<String> {
    layout(
        v,
        "登录",
        html! {
            @if let Some(m) = message { p class="no" { (m) } }
            form method="post" action="/login" class="login" {
                input type="hidden" name="csrf" value=(v.csrf());
                input type="hidden" name="next" value=(next);
                label { "账号 " input type="text" name="name" autocomplete="username" required; }
                label { "密码 " input type="password" name="password" autocomplete="current-password" required; }
                button type="submit" { "登录" }
            }
            p class="muted" { "账号由系统管理员（政府部门）或本企业管理员开设。连续 "
                (jx555_workflow::accounts::MAX_FAILURES) " 次输错密码，账号将锁定 "
                (jx555_workflow::accounts::LOCKOUT_SECS / 60) " 分钟。" }
        },
    )
}

/// The login form. A visitor without a session gets one (not signed in) to hold the form's CSRF
/// token.
pub async fn form(
    State(app): AppState,
    v: Visitor,
    headers: HeaderMap,
    q: Result<Query<Next>, QueryRejection>,
) -> Result<Response, PageError> {
    let next = local(q.ok().and_then(|Query(n)| n.next).as_deref());
    if v.principal.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    if v.session.is_some() {
        return Ok(form_page(&v, &next, None).into_response());
    }
    let (id, session) = new_session(None)?;
    let s = session.clone();
    blocking(move || Ok(app.store()?.start_session(&s)?)).await?;
    let v = Visitor {
        session: Some(crate::auth::SessionRef {
            id_hash: session.id_hash,
            csrf: session.csrf,
        }),
        ..Visitor::default()
    };
    let cookie = session_cookie(&id, over_tls(&headers));
    Ok(([(header::SET_COOKIE, cookie)], form_page(&v, &next, None)).into_response())
}

/// The login form as posted.
#[derive(Deserialize)]
pub struct Credentials {
    name: String,
    password: String,
    next: Option<String>,
}

/// The one answer to every failed login.
const WRONG: &str = "账号或密码不正确，或账号已停用、已过期、暂时锁定。";

/// Checks the password; on success a new session replaces the old (the id is rotated) and the
/// visitor goes where it was going.
pub async fn submit(
    State(app): AppState,
    v: Visitor,
    headers: HeaderMap,
    f: Result<Form<Credentials>, FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(f)) = f else {
        return Ok(form_page(&v, "/", Some(WRONG)).into_response());
    };
    let next = local(f.next.as_deref());
    // Refused before hashing: a megabyte password costs nothing; a name that no account could have
    // is not looked up (nor written to the audit log).
    if f.password.len() > MAX_PASSWORD_BYTES || check_name(&f.name).is_err() {
        return Ok(form_page(&v, &next, Some(WRONG)).into_response());
    }
    let _permit = app
        .hashing
        .acquire()
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))?;
    let old = v.session.as_ref().map(|s| s.id_hash.clone());
    let app2 = app.clone();
    let outcome = blocking(move || login(&app2, &f.name, &f.password, old.as_deref())).await?;
    match outcome {
        Some((id, must_change)) => {
            let cookie = session_cookie(&id, over_tls(&headers));
            // A password someone else set is changed first.
            let to = if must_change {
                "/account"
            } else {
                next.as_str()
            };
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response())
        }
        None => Ok(form_page(&v, &next, Some(WRONG)).into_response()),
    }
}

/// The new session's id (and whether the password must be changed first) when the name and
/// password are right and the account may log in.
fn login(
    app: &App,
    name: &str,
    password: &str,
    old: Option<&str>,
) -> Result<Option<(String, bool)>, ServerError> {
    let t = now();
    let account = app.store()?.account(name)?;
    let usable = account
        .as_ref()
        .filter(|a| a.active(t) && !a.logins.locked(t));
    // The hash is checked whether or not the account exists or may log in, so the time taken
    // says nothing about it.
    let hash = usable.map_or(decoy_hash(), |a| a.password_hash.as_str());
    let right = verify_password(password, hash) && usable.is_some();
    let mut store = app.store()?;
    let actor = Actor {
        name: name.to_string(),
        role: account.as_ref().map_or("", |a| a.role.code()).to_string(),
    };
    store.set_actor(actor);
    if !right {
        let logins = account.as_ref().map(|a| a.logins.failed(t));
        store.login_failed(name, logins)?;
        return Ok(None);
    }
    let (id, session) = new_session(Some(name))?;
    store.login_succeeded(old, &session)?;
    Ok(Some((id, account.is_some_and(|a| a.must_change))))
}

/// Ends the session and clears the cookie.
pub async fn logout(
    State(app): AppState,
    v: Visitor,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(s) = v.session.clone() {
        let name = v
            .principal
            .as_ref()
            .map(|p| (p.name.clone(), p.role.code()));
        blocking(move || {
            let mut store = app.store()?;
            if let Some((name, role)) = name {
                store.set_actor(Actor {
                    name,
                    role: role.into(),
                });
            }
            Ok(store.end_session(&s.id_hash)?)
        })
        .await?;
    }
    let cookie = session_cookie("", over_tls(&headers));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(super::local(Some("/runs/1?page=2")), "/runs/1?page=2");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "runs"] {
            assert_eq!(super::local(Some(bad)), "/");
        }
    }
}
