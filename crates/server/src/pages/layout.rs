//! The frame of every page: the navigation, the stylesheet, the title.

use super::NAV;
use axum::http::StatusCode;
use axum::response::Html;
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = include_str!("style.css");

/// A page with the navigation and a title.
pub fn layout(title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="zh-CN" {
                head {
                    meta charset="utf-8";
                    title { (title) " · jx555" }
                    style { (PreEscaped(STYLE)) }
                }
                body {
                    header {
                        strong { "嘉兴新制造“555”政策兑现" }
                        @for (path, label) in NAV { a href=(path) { (label) } }
                    }
                    main { h1 { (title) } (body) }
                }
            }
        }
        .into_string(),
    )
}

/// The page shown for an error.
pub fn error_page(status: StatusCode, message: &str) -> String {
    layout(
        &format!("出错了（{}）", status.as_u16()),
        html! { p class="no" { (message) } p { a href="/" { "返回总览" } } },
    )
    .0
}
