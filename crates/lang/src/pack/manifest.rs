//! `pack.toml`: who issued the policy, its document number and its validity window.

use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Sources};
use crate::types::Date;
use serde::{Deserialize, Serialize};

/// How a computed amount is rounded where a rule says `round` without more, and when a line is paid in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// 四舍五入
    HalfUp,
    /// 银行家舍入
    HalfEven,
    /// 舍去 (toward zero)
    Down,
    /// 进一 (away from zero)
    Up,
}

impl RoundingMode {
    /// The mode named `name` in a rule (`half_up`, ...).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "half_up" => Self::HalfUp,
            "half_even" => Self::HalfEven,
            "down" => Self::Down,
            "up" => Self::Up,
            _ => return None,
        })
    }
}

/// The manifest of a pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    /// Stable id, used in award lines and runs.
    pub id: String,
    /// The pack's version; a change of rules should change it.
    pub version: String,
    /// The document's title.
    pub title: String,
    /// The document number, e.g. 嘉政发〔2020〕8号.
    pub document: String,
    /// Who issued it.
    pub issuer: String,
    /// First day the policy applies.
    pub effective_from: Date,
    /// Last day the policy applies.
    pub effective_until: Date,
    /// Default rounding of amounts to the fen.
    pub rounding: RoundingMode,
    /// Languages of the text, the first being the policy's own.
    pub languages: Vec<String>,
}

impl Manifest {
    /// Whether a year overlaps the validity window.
    pub fn covers_year(&self, year: i32) -> bool {
        (self.effective_from.year..=self.effective_until.year).contains(&year)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: String,
    version: String,
    title: String,
    document: String,
    issuer: String,
    effective_from: toml::Spanned<toml::value::Datetime>,
    effective_until: toml::Spanned<toml::value::Datetime>,
    rounding: RoundingMode,
    languages: Vec<String>,
}

/// Reads the manifest, or says what is wrong with it.
pub fn parse(sources: &Sources) -> Result<Manifest, Vec<Diagnostic>> {
    const FILE: FileId = Sources::MANIFEST;
    let text = &sources.file(FILE).text;
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        vec![
            Diagnostic::new(Code::Manifest, FILE, span, e.message().trim().to_string()).with_help(
                "pack.toml needs id, version, title, document, issuer, effective_from, \
                 effective_until (dates such as 2025-12-31), rounding (half_up, half_even, down, up) \
                 and languages",
            ),
        ]
    })?;
    let date = |d: &toml::Spanned<toml::value::Datetime>| {
        Date::parse(&d.get_ref().to_string()).ok_or_else(|| {
            Diagnostic::new(
                Code::Manifest,
                FILE,
                d.span(),
                "expected a date such as 2025-12-31",
            )
        })
    };
    let (from, until) = match (date(&raw.effective_from), date(&raw.effective_until)) {
        (Ok(f), Ok(u)) => (f, u),
        (a, b) => return Err([a.err(), b.err()].into_iter().flatten().collect()),
    };
    if from > until {
        return Err(vec![Diagnostic::new(
            Code::Manifest,
            FILE,
            raw.effective_until.span(),
            format!("effective_until {until} is before effective_from {from}"),
        )]);
    }
    if raw.id.trim().is_empty() || raw.languages.is_empty() {
        return Err(vec![Diagnostic::new(
            Code::Manifest,
            FILE,
            0..0,
            "id must not be empty and languages must name at least one language",
        )]);
    }
    Ok(Manifest {
        id: raw.id,
        version: raw.version,
        title: raw.title,
        document: raw.document,
        issuer: raw.issuer,
        effective_from: from,
        effective_until: until,
        rounding: raw.rounding,
        languages: raw.languages,
    })
}
