//! Who is asking, and may they: sessions and API tokens, CSRF, the per-route rule, security headers.
//!
//! ```text
//! request ─> identify (session cookie, or Bearer token on /api) ─> Visitor in the request
//!         ─> csrf (every non-GET page request carries the session's token)
//!         ─> guard(route's Action) ─ access::permits ─> handler (scopes rows with the Principal)
//! response <─ security headers
//! ```
//!
//! Every route is registered with its [`Action`] through [`Routes`], the one way to add a route, so
//! the route table a test walks is the router itself.

use crate::{App, ServerError, blocking};
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use jx555_store::accounts::{Session, new_secret, secret_hash};
use jx555_workflow::access::{Action, Principal, Role, permits};
use jx555_workflow::accounts::session_alive;
use std::sync::Arc;

/// The session cookie's name.
pub const COOKIE: &str = "jx555_session";

/// Who made a request: the principal signed in (if any) and the browser session (if any).
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    /// The account acting, if signed in (by session or token).
    pub principal: Option<Principal>,
    /// The browser session, if the request carried a live one.
    pub session: Option<SessionRef>,
    /// The account's password was set by someone else: until it is changed, only one's own
    /// account page opens.
    pub must_change: bool,
}

/// A live browser session as a request sees it.
#[derive(Debug, Clone)]
pub struct SessionRef {
    /// The hash of its id (the store's key).
    pub id_hash: String,
    /// The token its forms carry.
    pub csrf: String,
}

impl Visitor {
    /// The role acting, if any.
    pub fn role(&self) -> Option<Role> {
        self.principal.as_ref().map(|p| p.role)
    }

    /// Whether the visitor may take `action` (the navigation shows only these).
    pub fn may(&self, action: Action) -> bool {
        permits(self.role(), action)
    }

    /// The principal of a route that requires one (the guard has let only a signed-in visitor in).
    pub fn principal(&self) -> Result<&Principal, ServerError> {
        self.principal
            .as_ref()
            .ok_or_else(|| ServerError::Internal("a guarded route ran without a principal".into()))
    }

    /// The session's CSRF token, for a form.
    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .unwrap_or_default())
    }
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn cookie_value(req: &Parts) -> Option<String> {
    req.headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// Whether the request came over TLS (through a proxy that says so): the cookie is then `Secure`.
pub fn over_tls(h: &axum::http::HeaderMap) -> bool {
    h.get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// The `Set-Cookie` value carrying a session id (an empty id clears the cookie).
pub fn session_cookie(id: &str, secure: bool) -> String {
    let age = if id.is_empty() {
        0
    } else {
        jx555_workflow::accounts::ABSOLUTE_SECS
    };
    format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A new browser session (signed in as `account`, or not yet), its id to put in the cookie.
pub fn new_session(account: Option<&str>) -> Result<(String, Session), ServerError> {
    let id = new_secret()?;
    let t = now();
    Ok((
        id.clone(),
        Session {
            id_hash: secret_hash(&id),
            account: account.map(str::to_string),
            csrf: new_secret()?,
            created: t,
            seen: t,
        },
    ))
}

/// Resolves the visitor of a request: on `/api/`, a Bearer token (cookies are ignored there, so a
/// page's session cannot be ridden by a script); elsewhere the session cookie. A dead session
/// (expired, its account disabled or expired) is ended and its cookie cleared.
pub async fn identify(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let api = parts.uri.path().starts_with("/api/");
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let cookie = if api { None } else { cookie_value(&parts) };
    let what = format!("{} {}", parts.method, parts.uri.path());
    let app2 = app.clone();
    let resolved = blocking(move || {
        // An import since the facts were loaded: reload them in the background.
        if app2.facts_changed()? {
            let app3 = app2.clone();
            tokio::task::spawn_blocking(move || {
                if let Err(e) = app3.reload_facts() {
                    tracing::error!("reloading the facts failed: {e}");
                }
            });
        }
        match (api, bearer, cookie) {
            (true, Some(token), _) => by_token(&app2, &token, &what).map(|p| (p, false)),
            (false, _, Some(id)) => by_cookie(&app2, &id),
            _ => Ok((Visitor::default(), false)),
        }
    })
    .await;
    let (visitor, clear) = match resolved {
        Ok(v) => v,
        Err(ServerError::BadRequest(m)) if api => {
            return crate::api::error(StatusCode::UNAUTHORIZED, "unauthorized", &m);
        }
        Err(e) => return crate::PageError(e).into_response(),
    };
    let secure = over_tls(&parts.headers);
    parts.extensions.insert(visitor.clone());
    let resp = next.run(Request::from_parts(parts, body)).await;
    let mut resp = crate::error_for(&visitor, resp);
    if clear && !resp.headers().contains_key(header::SET_COOKIE) {
        if let Ok(v) = HeaderValue::from_str(&session_cookie("", secure)) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The visitor of a session cookie, and whether the cookie must be cleared.
fn by_cookie(app: &App, id: &str) -> Result<(Visitor, bool), ServerError> {
    let hash = secret_hash(id);
    let mut store = app.store()?;
    let Some(s) = store.session(&hash)? else {
        return Ok((Visitor::default(), true));
    };
    let t = now();
    let account = match &s.account {
        Some(name) => store.account(name)?,
        None => None,
    };
    let alive = session_alive(s.created, s.seen, t)
        && (s.account.is_none() || account.as_ref().is_some_and(|a| a.active(t)));
    if !alive {
        store.end_session(&hash)?;
        return Ok((Visitor::default(), true));
    }
    // A write per minute at most, not per request.
    if t - s.seen >= 60 {
        store.touch_session(&hash, t)?;
    }
    Ok((
        Visitor {
            must_change: account.as_ref().is_some_and(|a| a.must_change),
            principal: account.map(|a| a.principal()),
            session: Some(SessionRef {
                id_hash: hash,
                csrf: s.csrf,
            }),
        },
        false,
    ))
}

/// The visitor of an API token; its use is audited. A token that does not work is refused outright
/// (401), never taken as anonymous.
fn by_token(app: &App, token: &str, what: &str) -> Result<Visitor, ServerError> {
    let refused = || ServerError::BadRequest("the API token is unknown, revoked or expired".into());
    if token.len() > 128 {
        return Err(refused());
    }
    let mut store = app.store()?;
    let t = now();
    let Some(tok) = store.token(&secret_hash(token))?.filter(|x| x.usable(t)) else {
        return Err(refused());
    };
    let account = store
        .account(&tok.account)?
        .filter(|a| a.active(t))
        .ok_or_else(refused)?;
    store.set_actor(jx555_store::audit::Actor {
        name: account.name.clone(),
        role: account.role.code().into(),
    });
    store.record("token.use", &format!("token:{}", tok.id), what.as_bytes())?;
    Ok(Visitor {
        principal: Some(account.principal()),
        session: None,
        must_change: false,
    })
}

/// The largest form a page accepts, in bytes.
const FORM_LIMIT: usize = 64 * 1024;

/// Every state-changing page request (not GET or HEAD, outside `/api/`) must carry its session's
/// CSRF token, in the form field `csrf` or the header `X-CSRF-Token` (an upload, whose body is not
/// read here, in the query's `csrf`); otherwise 403.
pub async fn csrf(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD);
    if safe || req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let upload = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if upload {
        let expected = req
            .extensions()
            .get::<Visitor>()
            .and_then(|v| v.session.as_ref())
            .map(|s| s.csrf.clone());
        let given = req
            .uri()
            .query()
            .and_then(|q| form_urlencoded(q.as_bytes(), "csrf"));
        return match (expected, given) {
            (Some(e), Some(g)) if !e.is_empty() && constant_eq(&e, &g) => next.run(req).await,
            _ => crate::PageError(ServerError::Forbidden(
                "表单已过期或来源不明（CSRF 校验未通过），请刷新页面后重试".into(),
            ))
            .into_response(),
        };
    }
    let (parts, body) = req.into_parts();
    let expected = parts
        .extensions
        .get::<Visitor>()
        .and_then(|v| v.session.as_ref())
        .map(|s| s.csrf.clone());
    let header_token = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return crate::PageError(ServerError::TooLarge(format!(
            "表单过大（最多 {} KB）",
            FORM_LIMIT / 1024
        )))
        .into_response();
    };
    let field = form_urlencoded(&bytes, "csrf");
    let given = header_token.or(field);
    match (expected, given) {
        (Some(e), Some(g)) if !e.is_empty() && constant_eq(&e, &g) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        _ => crate::PageError(ServerError::Forbidden(
            "表单已过期或来源不明（CSRF 校验未通过），请刷新页面后重试".into(),
        ))
        .into_response(),
    }
}

fn form_urlencoded(bytes: &[u8], key: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Compares two secrets in time independent of where they differ.
fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The route's rule: the visitor's role must be permitted `action`. Anonymous visitors of a page are
/// sent to the login page (and back after it); of the API, 401. Signed-in visitors without the
/// right get 403.
async fn guard(State(action): State<Action>, req: Request, next: Next) -> Response {
    let visitor = req
        .extensions()
        .get::<Visitor>()
        .cloned()
        .unwrap_or_default();
    if visitor.must_change && !matches!(action, Action::OwnAccount | Action::SignIn) {
        return Redirect::to("/account").into_response();
    }
    if visitor.may(action) {
        return next.run(req).await;
    }
    let api = req.uri().path().starts_with("/api/");
    match (visitor.principal.is_some(), api) {
        (false, false) => {
            let back = req
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
            Redirect::to(&format!("/login?next={}", urlencode(&back))).into_response()
        }
        (false, true) => crate::api::error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this endpoint needs an API token: Authorization: Bearer <token> (jx555 token add)",
        ),
        (true, false) => crate::PageError(ServerError::Forbidden("您的角色无权访问此页面".into()))
            .into_response(),
        (true, true) => crate::api::error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the token's role may not use this endpoint",
        ),
    }
}

/// Percent-encodes a path for a query value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// Security headers on every response: no inline script or style, no framing, no sniffing, no
/// referrer leaving the site, nothing stored by a cache.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (k, v) in [
        (
            "content-security-policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    // Pages name who is signed in and, often, an enterprise; downloads hold a payout list: none is
    // kept by a browser or a proxy. Only what sets its own (the stylesheet) is cached.
    if !h.contains_key(axum::http::header::CACHE_CONTROL) {
        h.insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
    resp
}

/// One route of the site: method, path (with `{params}`) and the action it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRule {
    /// The method.
    pub method: Method,
    /// The path pattern.
    pub path: &'static str,
    /// What the route does, as the access table names it.
    pub action: Action,
}

/// The router under construction with its table of rules: the only way to add a route.
pub struct Routes {
    router: Router<Arc<App>>,
    rules: Vec<RouteRule>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes {
            router: Router::new(),
            rules: Vec::new(),
        }
    }
}

impl Routes {
    /// Adds `GET path` taking `action`.
    pub fn get<H, T>(self, path: &'static str, action: Action, h: H) -> Self
    where
        H: Handler<T, Arc<App>>,
        T: 'static,
    {
        self.add(Method::GET, path, action, axum::routing::get(h))
    }

    /// Adds `POST path` taking `action`.
    pub fn post<H, T>(self, path: &'static str, action: Action, h: H) -> Self
    where
        H: Handler<T, Arc<App>>,
        T: 'static,
    {
        self.add(Method::POST, path, action, axum::routing::post(h))
    }

    /// Adds `POST path` taking `action` whose body (an upload) may be up to `max` bytes.
    pub fn upload<H, T>(self, path: &'static str, action: Action, h: H, max: usize) -> Self
    where
        H: Handler<T, Arc<App>>,
        T: 'static,
    {
        let route = axum::routing::post(h).layer(axum::extract::DefaultBodyLimit::max(max));
        self.add(Method::POST, path, action, route)
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        action: Action,
        route: axum::routing::MethodRouter<Arc<App>>,
    ) -> Self {
        self.router = self
            .router
            .route(path, route.route_layer(from_fn_with_state(action, guard)));
        self.rules.push(RouteRule {
            method,
            path,
            action,
        });
        self
    }

    /// Both sets of routes.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.rules.extend(other.rules);
        self
    }

    /// The router and its rules.
    pub fn into_parts(self) -> (Router<Arc<App>>, Vec<RouteRule>) {
        (self.router, self.rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd") && !constant_eq("abc", "ab"));
        assert_eq!(
            form_urlencoded(b"a=1&csrf=x%2By", "csrf").as_deref(),
            Some("x+y")
        );
        assert_eq!(urlencode("/runs/1?page=2"), "%2Fruns%2F1%3Fpage%3D2");
    }

    #[test]
    fn the_cookie_is_httponly_strict_and_secure_over_tls() {
        let c = session_cookie("abc", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("Secure"));
        assert!(!session_cookie("abc", false).contains("Secure"));
        assert!(session_cookie("", false).contains("Max-Age=0"));
    }
}
