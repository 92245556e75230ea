//! `catalog.toml`: the closed lists a pack speaks of (levels, recognition kinds, counties, departments, funds).

use crate::diag::{Code, Diagnostic};
use crate::source::FileId;
use crate::syntax::ast::Span;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// An enum of the catalog: its values in order, each with a Chinese label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enum {
    /// The enum's name (`level`).
    pub name: String,
    /// Value name to label (`national` to 国家级), in the catalog's order.
    pub values: IndexMap<String, String>,
    /// Where it is declared.
    #[serde(skip)]
    pub span: Span,
}

/// The pack's catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Catalog {
    /// Enums by name.
    pub enums: IndexMap<String, Enum>,
    /// Responsible departments (责任单位): short name to full name.
    pub departments: IndexMap<String, String>,
    /// Funds (专项资金): short name to full name.
    pub funds: IndexMap<String, String>,
    /// Reference data kept with the pack (the chains' 六个一, ...), not read by rules.
    pub data: toml::Table,
}

impl Catalog {
    /// The enum that has a value named `value`, when exactly one does.
    pub fn enum_of_value(&self, value: &str) -> Option<&Enum> {
        let mut found = self.enums.values().filter(|e| e.values.contains_key(value));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    enums: IndexMap<String, toml::Spanned<IndexMap<String, String>>>,
    #[serde(default)]
    departments: IndexMap<String, String>,
    #[serde(default)]
    funds: IndexMap<String, String>,
    #[serde(default)]
    data: toml::Table,
}

/// Reads the catalog, or says what is wrong with it.
pub fn parse(file: FileId, text: &str) -> Result<Catalog, Vec<Diagnostic>> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        vec![
            Diagnostic::new(
                Code::Catalog,
                file,
                e.span().unwrap_or(0..0),
                e.message().trim(),
            )
            .with_help(
                "catalog.toml has [enums.NAME] tables of value = \"label\", and \
                     [departments], [funds] and [data] tables",
            ),
        ]
    })?;
    let mut errors = Vec::new();
    let mut enums = IndexMap::new();
    for (name, values) in raw.enums {
        let span = values.span();
        if values.get_ref().is_empty() {
            errors.push(Diagnostic::new(
                Code::Catalog,
                file,
                span.clone(),
                format!("enum `{name}` has no values"),
            ));
        }
        enums.insert(
            name.clone(),
            Enum {
                name,
                values: values.into_inner(),
                span,
            },
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Catalog {
        enums,
        departments: raw.departments,
        funds: raw.funds,
        data: raw.data,
    })
}
