//! The frame of every page: the navigation the visitor may open, who is signed in, the title.

use super::NAV;
use crate::auth::Visitor;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

const STYLE: &str = include_str!("style.css");

/// The stylesheet, served as a file: the Content-Security-Policy allows no inline style.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

/// A page with the navigation, the visitor's account and a title.
pub fn layout(v: &Visitor, title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="zh-CN" {
                head {
                    meta charset="utf-8";
                    title { (title) " · jx555" }
                    link rel="stylesheet" href="/style.css";
                }
                body {
                    header {
                        strong { "嘉兴新制造“555”政策兑现" }
                        @for (path, label, action) in NAV {
                            @if v.may(*action) { a href=(path) { (label) } }
                        }
                        span class="who" {
                            @match &v.principal {
                                Some(p) => {
                                    a href="/account" { (p.name) } " · " (p.role.name()) " · " (p.scope) " "
                                    form method="post" action="/logout" class="inline" {
                                        input type="hidden" name="csrf" value=(v.csrf());
                                        button type="submit" { "退出" }
                                    }
                                }
                                None => a href="/login" { "登录" },
                            }
                        }
                    }
                    main { h1 { (title) } (body) }
                }
            }
        }
        .into_string(),
    )
}

/// The page shown for an error.
pub fn error_page(v: &Visitor, status: StatusCode, message: &str) -> String {
    layout(
        v,
        &format!("出错了（{}）", status.as_u16()),
        html! { p class="no" { (message) } p { a href="/" { "返回总览" } } },
    )
    .0
}
