//! Ledger keys: the identities of achievements (就高不重复) and of capped pools (单个项目最高…), as
//! stored in the ledger for good.
//!
//! A key is built from the **values** of the key expressions in one canonical form, never from display
//! text (which changes with formatting) or a rule's step number (which changes when a rule is edited):
//! an id as it is, a number as its exact decimal (`1500000`, `0.1`), a year as digits, a flag as
//! `true`/`false`, a date as `YYYY-MM-DD`. Parts are joined by `|`; a `|` or `\` inside a value is
//! escaped with `\`, and a missing value is `\-`, which no value can produce.
//!
//! - exclusivity: `group|part|…` — spans rules, packs and years: lines with one key are one achievement;
//! - cap per key: `pack|part|…` — a pool of the pack, spanning rules and years: every line of the pack
//!   with the same key values counts against it, whichever rule pays it (the policy's “单个项目最高
//!   2000万元” holds for a project whether （七） or （十一） pays it). Each line is held to its own rule's
//!   cap over what the pool already used.

use jx555_lang::types::Value;

/// The canonical text of one part of a key.
pub fn part(v: Option<&Value>) -> String {
    let mut out = String::new();
    write_part(&mut out, v);
    out
}

/// A key's head (the exclusivity group, or the pack of a cap per key), to which its parts are
/// pushed: a key is built in one string, as [`exclusive`] and [`cap`] join it.
pub fn head(head: &str) -> String {
    escape(head)
}

/// Adds one part to a key begun with [`head`].
pub fn push_part(key: &mut String, v: Option<&Value>) {
    key.push('|');
    write_part(key, v);
}

fn write_part(out: &mut String, v: Option<&Value>) {
    use std::fmt::Write;
    let Some(v) = v else {
        out.push_str("\\-");
        return;
    };
    // Numbers, flags and dates are written without `|` or `\`: only text needs escaping.
    let _ = match v {
        Value::Bool(b) => write!(out, "{b}"),
        Value::Int(i) => write!(out, "{i}"),
        Value::Year(y) => write!(out, "{y}"),
        Value::Decimal(d) | Value::Money(d) | Value::Percent(d) => write!(out, "{}", d.normalize()),
        Value::Date(d) => write!(out, "{d}"),
        Value::Text(t) | Value::Enum(_, t) => {
            escape_into(out, t);
            Ok(())
        }
    };
}

fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    escape_into(&mut out, raw);
    out
}

fn escape_into(out: &mut String, raw: &str) {
    for c in raw.chars() {
        if matches!(c, '\\' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The key of an exclusivity group.
pub fn exclusive(group: &str, parts: &[String]) -> String {
    join(group, parts)
}

/// The key of a cap per key of a pack.
pub fn cap(pack: &str, parts: &[String]) -> String {
    join(pack, parts)
}

fn join(head: &str, parts: &[String]) -> String {
    let mut out = escape(head);
    for p in parts {
        out.push('|');
        out.push_str(p);
    }
    out
}

/// The canonical form of a part stored by jx555 before keys were canonical, which kept the value as
/// shown to a reader: `是`/`否` for flags, `150万元` / `12.5元` for money, `10%` for percents, text as
/// is. For migrating stored keys only.
pub fn part_from_display(shown: &str) -> String {
    use rust_decimal::Decimal;
    use std::str::FromStr;
    let number = |s: &str| Decimal::from_str(s).ok();
    let canonical = if shown == "是" {
        Some("true".to_string())
    } else if shown == "否" {
        Some("false".to_string())
    } else if let Some(w) = shown.strip_suffix("万元").and_then(number) {
        Some((w * Decimal::from(10_000)).normalize().to_string())
    } else if let Some(y) = shown.strip_suffix('元').and_then(number) {
        Some(y.normalize().to_string())
    } else {
        shown
            .strip_suffix('%')
            .and_then(number)
            .map(|p| (p / Decimal::ONE_HUNDRED).normalize().to_string())
    };
    match canonical {
        Some(c) => c,
        None if shown.is_empty() => "\\-".to_string(),
        None => escape(shown),
    }
}

/// A stored exclusivity key of the old form (`group|shown|…`) in the canonical form.
pub fn exclusive_from_display(old: &str) -> String {
    let mut it = old.split('|');
    let group = it.next().unwrap_or_default();
    let parts: Vec<String> = it.map(part_from_display).collect();
    exclusive(group, &parts)
}

/// A stored cap key of the old form (`pack|rule|cap<step>|shown|…`) in the canonical form (the pool
/// of the pack: the rule and step are dropped).
pub fn cap_from_display(old: &str) -> String {
    let mut it = old.split('|');
    let pack = it.next().unwrap_or_default();
    let _rule = it.next();
    let _step = it.next();
    let parts: Vec<String> = it.map(part_from_display).collect();
    cap(pack, &parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn parts_are_values_not_display() {
        assert_eq!(
            part(Some(&Value::Money(Decimal::new(150_000_000, 2)))),
            "1500000"
        );
        assert_eq!(part(Some(&Value::Percent(Decimal::new(10, 2)))), "0.1");
        assert_eq!(part(Some(&Value::Bool(true))), "true");
        assert_eq!(part(Some(&Value::Year(2021))), "2021");
        assert_eq!(part(Some(&Value::Text("a|b\\c".into()))), "a\\|b\\\\c");
        assert_eq!(part(None), "\\-");
        assert_ne!(part(None), part(Some(&Value::Text("-".into()))));
        assert_ne!(part(None), part(Some(&Value::Text(String::new()))));
    }

    #[test]
    fn a_key_built_part_by_part_is_the_joined_parts() {
        let values = [
            Some(Value::Text("a|b\\c".into())),
            None,
            Some(Value::Money(Decimal::new(150_000_000, 2))),
            Some(Value::Year(2021)),
        ];
        let mut key = head("组|x");
        for v in &values {
            push_part(&mut key, v.as_ref());
        }
        let parts: Vec<String> = values.iter().map(|v| part(v.as_ref())).collect();
        assert_eq!(key, exclusive("组|x", &parts));
        assert_eq!(key, "组\\|x|a\\|b\\\\c|\\-|1500000|2021");
    }

    #[test]
    fn old_display_keys_migrate_to_the_canonical_form() {
        assert_eq!(
            exclusive_from_display("强链认定|91330402MA2B000001|单项冠军"),
            exclusive(
                "强链认定",
                &["91330402MA2B000001".into(), "单项冠军".into()]
            )
        );
        assert_eq!(
            cap_from_display("jiaxing-555-2020|强链投资项目综合奖补|cap3|9133|二期工程"),
            "jiaxing-555-2020|9133|二期工程"
        );
        assert_eq!(
            part_from_display("150万元"),
            part(Some(&Value::Money(Decimal::from(1_500_000))))
        );
        assert_eq!(part_from_display("是"), "true");
        assert_eq!(part_from_display("10%"), "0.1");
        assert_eq!(part_from_display(""), "\\-");
    }
}
