//! Parameter values for one run: the pack's, with what-if overrides applied.

use crate::EngineError;
use jx555_lang::ir::{Pack, ParamValue};
use jx555_lang::types::{Type, Value};
use std::collections::HashMap;

/// A table parameter's entries (key, value) and its value for other keys.
pub type Table = (Vec<(Value, Value)>, Option<Value>);

/// A what-if change: a parameter, or one key of a table parameter, set to another value.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Override {
    /// The parameter's name.
    pub param: String,
    /// For a table: the key changed (`national`, `2023`).
    pub key: Option<String>,
    /// The new value.
    pub value: Value,
}

impl Override {
    /// Reads `name=value` or `name[key]=value`, the value written as in a pack (`200万`, `15%`, `1.5`).
    pub fn parse(text: &str) -> Result<Override, String> {
        let Some((lhs, value)) = text.split_once('=') else {
            return Err(format!(
                "{text}: write name=value, such as 小微园补助上限=800万"
            ));
        };
        let (param, key) = match lhs.trim().strip_suffix(']').and_then(|l| l.split_once('[')) {
            Some((p, k)) => (p.trim().to_string(), Some(k.trim().to_string())),
            None => (lhs.trim().to_string(), None),
        };
        let value = jx555_lang::parse_literal(value).ok_or_else(|| {
            format!("{text}: {value} is not a value; write it as in a pack: 200万, 15%, 1.5")
        })?;
        Ok(Override { param, key, value })
    }
}

/// The parameters of one pack, as a run sees them.
#[derive(Debug, Clone)]
pub struct Params {
    values: HashMap<String, (Type, ParamValue)>,
}

impl Params {
    /// The pack's parameters with the overrides that name one of them applied.
    pub fn new(pack: &Pack, overrides: &[Override]) -> Result<Params, EngineError> {
        let mut values: HashMap<String, (Type, ParamValue)> = pack
            .params
            .iter()
            .map(|p| (p.name.clone(), (p.ty.clone(), p.value.clone())))
            .collect();
        let pending: Vec<String> = pack
            .params
            .iter()
            .filter(|p| matches!(p.value, ParamValue::Pending(_)))
            .map(|p| p.name.clone())
            .collect();
        for o in overrides {
            let Some((ty, value)) = values.get_mut(&o.param) else {
                continue;
            };
            let number = match &o.value {
                Value::Int(i) => Some(rust_decimal::Decimal::from(*i)),
                Value::Decimal(d) | Value::Money(d) | Value::Percent(d) => Some(*d),
                _ => None,
            };
            if let Some(n) = number.filter(|n| n.is_sign_negative() && !n.is_zero()) {
                return Err(EngineError::Override(format!(
                    "{} cannot be negative ({n}); amounts, ratios and counts are 0 or more",
                    o.param
                )));
            }
            let wrong = |want: &Type| {
                EngineError::Override(format!(
                    "{} must be {want}, not {} ({})",
                    o.param,
                    o.value.ty(),
                    o.value
                ))
            };
            // A pending parameter takes the value a run gives it; a pending table, the keys it gives.
            let keys_fixed = !pending.contains(&o.param);
            if let ParamValue::Pending(_) = value {
                if let Type::Table(..) = &*ty {
                    *value = ParamValue::Table {
                        entries: Vec::new(),
                        default: None,
                    };
                } else if o.key.is_none() {
                    *value = ParamValue::Const(fit(&o.value, ty).ok_or_else(|| wrong(ty))?);
                    continue;
                }
            }
            match (value, &o.key, &*ty) {
                (ParamValue::Const(v), None, t) => *v = fit(&o.value, t).ok_or_else(|| wrong(t))?,
                (ParamValue::Table { entries, default }, Some(key), Type::Table(kt, vt)) => {
                    let new = fit(&o.value, vt).ok_or_else(|| wrong(vt))?;
                    let key = key_value(key, kt)
                        .filter(|k| in_catalog(pack, k))
                        .ok_or_else(|| {
                            let allowed = match kt.as_ref() {
                                Type::Enum(e) => pack.catalog.enums.get(e).map(|en| {
                                    en.values.keys().cloned().collect::<Vec<_>>().join("、")
                                }),
                                _ => None,
                            };
                            EngineError::Override(format!(
                                "{} has no key {key} (keys are {kt}{})",
                                o.param,
                                allowed.map(|a| format!(": {a}")).unwrap_or_default()
                            ))
                        })?;
                    match entries.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, v)) => *v = new,
                        None if default.is_some() || !keys_fixed => entries.push((key, new)),
                        None => {
                            return Err(EngineError::Override(format!(
                                "{} has no key {key}",
                                o.param
                            )));
                        }
                    }
                }
                (ParamValue::Table { .. }, None, _) => {
                    return Err(EngineError::Override(format!(
                        "{} is a table: say which key, as {}[key]=value",
                        o.param, o.param
                    )));
                }
                (
                    ParamValue::Const(_) | ParamValue::Table { .. } | ParamValue::Pending(_),
                    Some(_),
                    _,
                ) => {
                    return Err(EngineError::Override(format!("{} is not a table", o.param)));
                }
                (ParamValue::Pending(_), None, _) => {
                    return Err(EngineError::internal("a pending parameter left unset"));
                }
            }
        }
        Ok(Params { values })
    }

    /// A constant parameter's value; `None` while it is pending.
    pub fn constant(&self, name: &str) -> Result<Option<Value>, EngineError> {
        match self.values.get(name) {
            Some((_, ParamValue::Const(v))) => Ok(Some(v.clone())),
            Some((_, ParamValue::Pending(_))) => Ok(None),
            _ => Err(EngineError::internal(format!(
                "{name} is not a constant parameter"
            ))),
        }
    }

    /// A table parameter's entries and default.
    pub fn table(&self, name: &str) -> Result<Table, EngineError> {
        match self.values.get(name) {
            Some((_, ParamValue::Table { entries, default })) => {
                Ok((entries.clone(), default.clone()))
            }
            Some((_, ParamValue::Pending(_))) => Ok((Vec::new(), None)),
            _ => Err(EngineError::internal(format!(
                "{name} is not a table parameter"
            ))),
        }
    }
}

/// Checks that every override names a parameter of one of the packs.
pub fn check_overrides(packs: &[&Pack], overrides: &[Override]) -> Result<(), EngineError> {
    for o in overrides {
        if !packs.iter().any(|p| p.param(&o.param).is_some()) {
            let names: Vec<&str> = packs
                .iter()
                .flat_map(|p| p.params.iter().map(|x| x.name.as_str()))
                .collect();
            return Err(EngineError::Override(format!(
                "no parameter {} (the packs have: {})",
                o.param,
                names.join(", ")
            )));
        }
    }
    Ok(())
}

fn fit(v: &Value, want: &Type) -> Option<Value> {
    Some(match (v, want) {
        (v, t) if v.ty() == *t => v.clone(),
        (Value::Int(i), Type::Decimal) => Value::Decimal((*i).into()),
        (Value::Decimal(d), Type::Percent) => Value::Percent(*d),
        _ => return None,
    })
}

/// Whether an enum key is one of its catalog's values (other keys are checked by their type).
fn in_catalog(pack: &Pack, key: &Value) -> bool {
    match key {
        Value::Enum(e, v) => pack
            .catalog
            .enums
            .get(e)
            .is_none_or(|en| en.values.contains_key(v)),
        _ => true,
    }
}

fn key_value(key: &str, ty: &Type) -> Option<Value> {
    match ty {
        Type::Enum(e) => Some(Value::Enum(e.clone(), key.to_string())),
        Type::Year => key.parse().ok().map(Value::Year),
        _ => None,
    }
}

/// Whether an override sets a parameter the document leaves open (`pending`, such as 市区共担's
/// shares): such a value is a setting of the run — the policy as paid, with what officials fixed —
/// where any other override makes a what-if.
pub fn is_setting(packs: &[&Pack], o: &Override) -> bool {
    packs.iter().any(|p| {
        p.params
            .iter()
            .any(|x| x.name == o.param && matches!(x.value, ParamValue::Pending(_)))
    })
}
