//! The service desk's tables in: the provider registry (服务供给机构) and clause （二十）'s events
//! (utility connections, project approvals), from a CSV or a workbook's first sheet. Every problem
//! is named with its row and column; one problem and nothing is kept.

use crate::cell::uscc;
use crate::import::{Problem, RawTable};
use crate::model::COUNTIES;
use crate::table::{Cells, Header, rows};
use jx555_lang::types::Date;
use jx555_workflow::clock::Moment;
use jx555_workflow::request::Category;
use jx555_workflow::service::{Approval, Connection, Provider, Utility};
use std::collections::HashSet;

/// The columns of the provider registry.
pub const PROVIDER_COLUMNS: [Header; 4] = [
    ("uscc", "统一社会信用代码"),
    ("name", "名称"),
    ("categories", "服务类别"),
    ("counties", "服务县区"),
];
/// The columns of utility connections.
pub const CONNECTION_COLUMNS: [Header; 4] = [
    ("uscc", "统一社会信用代码"),
    ("utility", "报装类别"),
    ("confirmed_at", "确认报装时间"),
    ("connected_at", "接通时间"),
];
/// The columns of project approvals.
pub const APPROVAL_COLUMNS: [Header; 4] = [
    ("project", "项目代码"),
    ("uscc", "统一社会信用代码"),
    ("started", "审批开始日期"),
    ("approved", "竣工验收前审批完成日期"),
];

fn text(s: &str, what: &str) -> Result<String, String> {
    if s.is_empty() {
        Err(format!("请填写{what}"))
    } else if s.len() > 200 {
        Err(format!("{what}不超过 200 字节"))
    } else {
        Ok(s.to_string())
    }
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(['、', ';', '；', ',', '，', '|'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
}

/// The provider registry: each provider once, with the helps it gives (at least one) and the
/// counties it serves (none: the whole city). Joined `registered`.
pub fn read_providers(t: &RawTable, registered: Date) -> Result<Vec<Provider>, Vec<Problem>> {
    let mut seen = HashSet::new();
    rows(t, &PROVIDER_COLUMNS, |c| {
        let mut cells = Cells(Vec::new());
        let code = cells.take(
            0,
            uscc(c[0]).and_then(|()| {
                if seen.insert(c[0].to_string()) {
                    Ok(c[0].to_string())
                } else {
                    Err("同一机构在表中出现了两次".into())
                }
            }),
        );
        let name = cells.take(1, text(c[1], "名称"));
        let categories = cells.take(
            2,
            list(c[2])
                .map(Category::parse)
                .collect::<Result<Vec<_>, _>>()
                .and_then(|v| {
                    if v.is_empty() {
                        Err("至少填写一类：政策帮、事务帮、诉求帮、服务帮".into())
                    } else {
                        Ok(v)
                    }
                }),
        );
        let counties = cells.take(
            3,
            list(c[3])
                .filter(|x| *x != "全市")
                .map(|x| {
                    if COUNTIES.contains(&x) {
                        Ok(x.to_string())
                    } else {
                        Err(format!("{x:?} 不是嘉兴的县（市、区）；空或“全市”表示全市"))
                    }
                })
                .collect::<Result<Vec<_>, _>>(),
        );
        match (code, name, categories, counties) {
            (Some(uscc), Some(name), Some(categories), Some(counties)) if cells.0.is_empty() => {
                Ok(Provider {
                    uscc,
                    name,
                    categories,
                    counties,
                    registered,
                })
            }
            _ => Err(cells.0),
        }
    })
}

fn enterprise(code: &str, exists: &dyn Fn(&str) -> bool) -> Result<String, String> {
    uscc(code)?;
    if exists(code) {
        Ok(code.to_string())
    } else {
        Err("事实数据中没有这家企业".into())
    }
}

/// Utility connections of enterprises the facts hold; connected no earlier than confirmed.
pub fn read_connections(
    t: &RawTable,
    exists: &dyn Fn(&str) -> bool,
) -> Result<Vec<Connection>, Vec<Problem>> {
    rows(t, &CONNECTION_COLUMNS, |c| {
        let mut cells = Cells(Vec::new());
        let e = cells.take(0, enterprise(c[0], exists));
        let u = cells.take(1, Utility::parse(c[1]));
        let confirmed = cells.take(2, Moment::parse(c[2]));
        let connected = cells.take(3, Moment::parse(c[3]));
        if let (Some(a), Some(b)) = (confirmed, connected)
            && b < a
        {
            cells.0.push((3, "接通时间早于确认报装时间".into()));
        }
        match (e, u, confirmed, connected) {
            (Some(enterprise), Some(utility), Some(confirmed), Some(connected))
                if cells.0.is_empty() =>
            {
                Ok(Connection {
                    enterprise,
                    utility,
                    confirmed,
                    connected,
                })
            }
            _ => Err(cells.0),
        }
    })
}

/// Project approvals of enterprises the facts hold; each project once, approved no earlier than
/// started.
pub fn read_approvals(
    t: &RawTable,
    exists: &dyn Fn(&str) -> bool,
) -> Result<Vec<Approval>, Vec<Problem>> {
    let mut seen = HashSet::new();
    let day = |s: &str| Date::parse(s).ok_or_else(|| format!("{s:?} 不是日期（如 2025-09-01）"));
    rows(t, &APPROVAL_COLUMNS, |c| {
        let mut cells = Cells(Vec::new());
        let project = cells.take(
            0,
            text(c[0], "项目代码").and_then(|p| {
                if seen.insert(p.clone()) {
                    Ok(p)
                } else {
                    Err("同一项目在表中出现了两次".into())
                }
            }),
        );
        let e = cells.take(1, enterprise(c[1], exists));
        let started = cells.take(2, day(c[2]));
        let approved = cells.take(3, day(c[3]));
        if let (Some(a), Some(b)) = (started, approved)
            && b < a
        {
            cells.0.push((3, "审批完成日期早于开始日期".into()));
        }
        match (project, e, started, approved) {
            (Some(project), Some(enterprise), Some(started), Some(approved))
                if cells.0.is_empty() =>
            {
                Ok(Approval {
                    project,
                    enterprise,
                    started,
                    approved,
                })
            }
            _ => Err(cells.0),
        }
    })
}

/// The one table of a desk file: a CSV, or a workbook's first sheet.
pub fn read_table(path: &std::path::Path) -> Result<RawTable, String> {
    let mut tables = crate::read_input(path).map_err(|e| e.to_string())?;
    if path.is_dir() {
        return Err(format!(
            "{} is a folder; give one CSV or XLSX file",
            path.display()
        ));
    }
    if tables.is_empty() {
        return Err(format!("{} holds no table", path.display()));
    }
    Ok(tables.swap_remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(headers: &[&str], rows: Vec<Vec<&str>>) -> RawTable {
        RawTable {
            source: "t.csv".into(),
            name: "t".into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: rows.into(),
        }
    }

    const A: &str = "91330402MA2B0000AG";

    #[test]
    fn a_registry_with_every_problem_named_and_nothing_kept() {
        let today = Date::parse("2025-01-02").unwrap();
        let good = table(
            &["统一社会信用代码", "名称", "服务类别", "服务县区"],
            vec![vec![A, "嘉兴市中小企业服务中心", "政策帮、服务帮", ""]],
        );
        let p = read_providers(&good, today).unwrap();
        assert_eq!(p[0].categories, vec![Category::Policy, Category::Service]);
        assert!(p[0].counties.is_empty());
        let bad = table(
            &["uscc", "name", "categories", "counties"],
            vec![
                vec![A, "甲", "政策帮", "南湖区"],
                vec![A, "", "借钱帮", "北京市"],
                vec!["123", "丙", "", "秀洲区"],
            ],
        );
        let problems = read_providers(&bad, today).unwrap_err();
        let said: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(said.len(), 6, "{said:#?}");
        assert!(said[0].contains("第2行") && said[0].contains("出现了两次"));
        assert!(
            said.iter()
                .any(|s| s.contains("第2行 列 服务县区（counties） 值 \"北京市\""))
        );
        assert!(
            said.iter()
                .any(|s| s.contains("第3行 列 统一社会信用代码（uscc）"))
        );
        let missing = table(&["uscc", "name"], vec![vec![A, "x"]]);
        assert_eq!(read_providers(&missing, today).unwrap_err().len(), 2);
    }

    #[test]
    fn events_must_be_of_known_enterprises_and_in_order() {
        let known = |u: &str| u == A;
        let t = table(
            &CONNECTION_COLUMNS.map(|c| c.1),
            vec![
                vec![A, "电", "2025-09-30 16:00", "2025-10-09 10:00"],
                vec!["91330481MA2B0000B1", "煤", "2025-09-30", "2025-09-29 10:00"],
                vec![A, "水", "2025-09-30 16:00", "2025-09-30 15:00"],
            ],
        );
        let said: Vec<String> = read_connections(&t, &known)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert!(
            said.iter()
                .any(|s| s.contains("第2行") && s.contains("没有这家企业"))
        );
        assert!(
            said.iter()
                .any(|s| s.contains("第2行") && s.contains("\"煤\""))
        );
        assert!(
            said.iter()
                .any(|s| s.contains("第2行") && s.contains("确认报装时间"))
        );
        assert!(
            said.iter()
                .any(|s| s.contains("第3行") && s.contains("早于确认报装时间"))
        );
        let ok = table(
            &CONNECTION_COLUMNS.map(|c| c.0),
            vec![vec![A, "电", "2025-09-30 16:00", "2025-10-09 10:00"]],
        );
        assert_eq!(
            read_connections(&ok, &known).unwrap()[0].utility,
            Utility::Power
        );
        let a = table(
            &APPROVAL_COLUMNS.map(|c| c.1),
            vec![
                vec!["P1", A, "2025-09-01", "2025-11-20"],
                vec!["P1", A, "2025-09-01", "2025-08-20"],
            ],
        );
        let said: Vec<String> = read_approvals(&a, &known)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(said.len(), 2, "{said:#?}");
    }
}
