//! Charts drawn on the server as SVG, so the pages need no script to show them.

use maud::{Markup, html};

/// One bar: a label and its value (in any unit), and the text shown at its end.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

/// Horizontal bars scaled to the largest value.
pub fn bars(title: &str, bars: &[Bar]) -> Markup {
    let max = bars
        .iter()
        .map(|b| b.value)
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let (label_w, bar_w, row_h) = (170.0, 360.0, 22.0);
    let height = row_h * bars.len() as f64 + 8.0;
    html! {
        svg class="chart" role="img" aria-label=(title) width=(label_w + bar_w + 150.0) height=(height)
            xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for (i, b) in bars.iter().enumerate() {
                @let y = i as f64 * row_h + 4.0;
                @let w = (b.value.max(0.0) / max * bar_w).max(1.0);
                text x=(label_w - 6.0) y=(y + 15.0) text-anchor="end" { (b.label) }
                rect x=(label_w) y=(y + 3.0) width=(w) height=(row_h - 8.0) fill="#2f6fb0" {}
                text x=(label_w + w + 6.0) y=(y + 15.0) { (b.text) }
            }
        }
    }
}

/// One group: 2019, the 2025 goal and the latest value of a cluster or industry.
pub struct Group {
    pub label: String,
    pub baseline: Option<f64>,
    pub goal: f64,
    pub latest: Option<f64>,
}

/// Grouped bars: for each group, the baseline, the goal and the latest value, side by side.
pub fn groups(title: &str, unit: &str, groups: &[Group]) -> Markup {
    let max = groups
        .iter()
        .flat_map(|g| [g.baseline.unwrap_or(0.0), g.goal, g.latest.unwrap_or(0.0)])
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let (label_w, bar_w, row_h) = (90.0, 420.0, 48.0);
    let height = row_h * groups.len() as f64 + 30.0;
    let series = [
        ("2019年", "#9aa9b8"),
        ("2025年目标", "#d98c2b"),
        ("最新", "#2f6fb0"),
    ];
    html! {
        svg class="chart" role="img" aria-label=(title) width=(label_w + bar_w + 130.0) height=(height)
            xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for (k, (name, color)) in series.iter().enumerate() {
                rect x=(label_w + k as f64 * 120.0) y="4" width="12" height="12" fill=(color) {}
                text x=(label_w + k as f64 * 120.0 + 16.0) y="15" { (name) }
            }
            @for (i, g) in groups.iter().enumerate() {
                @let y = i as f64 * row_h + 26.0;
                text x=(label_w - 6.0) y=(y + 24.0) text-anchor="end" { (g.label) }
                @for (k, v) in [g.baseline, Some(g.goal), g.latest].into_iter().enumerate() {
                    @if let Some(v) = v {
                        @let w = (v.max(0.0) / max * bar_w).max(1.0);
                        rect x=(label_w) y=(y + k as f64 * 14.0) width=(w) height="12" fill=(series[k].1) {}
                        text x=(label_w + w + 4.0) y=(y + k as f64 * 14.0 + 10.0) font-size="11" {
                            (format!("{v:.0}{unit}"))
                        }
                    }
                }
            }
        }
    }
}

/// A progress bar from 0 to 100%.
pub fn progress(ratio: f64) -> Markup {
    let pct = (ratio * 100.0).clamp(0.0, 100.0);
    html! {
        svg class="progress" width="160" height="12" role="img" aria-label=(format!("进度 {pct:.0}%"))
            xmlns="http://www.w3.org/2000/svg" {
            rect x="0" y="0" width="160" height="12" fill="#e4e8ec" {}
            rect x="0" y="0" width=(pct * 1.6) height="12" fill=(if pct >= 100.0 { "#3c9a5f" } else { "#2f6fb0" }) {}
        }
    }
}

/// One year of a series: its value (none: no data), and the text its dot shows on hover.
pub struct Point {
    pub year: i32,
    pub value: Option<f64>,
    pub text: String,
}

/// A series year by year as a line with dots, and the goal as a dashed line: a target's trend.
/// Years without data leave a gap.
pub fn trend(title: &str, points: &[Point], goal: Option<f64>) -> Markup {
    let values = points.iter().filter_map(|p| p.value).chain(goal);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() {
        (lo.min(0.0), hi.max(lo + 1e-9))
    } else {
        (0.0, 1.0)
    };
    let (left, top, w, h) = (22.0, 8.0, 280.0, 70.0);
    let step = w / (points.len().max(2) - 1) as f64;
    let x = |i: usize| left + i as f64 * step;
    let y = |v: f64| top + h - (v - lo) / (hi - lo) * h;
    // Consecutive years with data are joined; a year without breaks the line.
    let mut runs: Vec<String> = vec![String::new()];
    for (i, p) in points.iter().enumerate() {
        match p.value {
            Some(v) => runs
                .last_mut()
                .map(|r| r.push_str(&format!("{:.1},{:.1} ", x(i), y(v))))
                .unwrap_or_default(),
            None => runs.push(String::new()),
        }
    }
    html! {
        svg class="chart" role="img" aria-label=(title) width=(w + 2.0 * left) height=(h + top + 24.0)
            xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            line x1=(left) y1=(top + h) x2=(left + w) y2=(top + h) stroke="#c9d2dc" {}
            @if let Some(g) = goal {
                line x1=(left) y1=(y(g)) x2=(left + w) y2=(y(g)) stroke="#d98c2b" stroke-dasharray="5,4" {
                    title { "目标值" }
                }
            }
            @if points.iter().all(|p| p.value.is_none()) {
                text x=(left + w / 2.0) y=(top + h / 2.0) text-anchor="middle" fill="#66737f" { "无数据" }
            }
            @for r in runs.iter().filter(|r| !r.is_empty()) {
                polyline points=(r.trim_end()) fill="none" stroke="#2f6fb0" stroke-width="2" {}
            }
            @for (i, p) in points.iter().enumerate() {
                @if let Some(v) = p.value {
                    circle cx=(x(i)) cy=(y(v)) r="3" fill="#2f6fb0" { title { (p.year) "年：" (p.text) } }
                }
                text x=(x(i)) y=(top + h + 16.0) text-anchor="middle" font-size="11" { (p.year) }
            }
        }
    }
}
