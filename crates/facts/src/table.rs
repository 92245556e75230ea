//! Small tables read by their columns (a file of the desk, a finance system's return file): each
//! column found by its English or Chinese header, each row turned into a value or into the problems
//! of its cells, every problem named by file, row, column and value.

use crate::import::{Problem, RawTable};

/// A column as it may be headed: English, then Chinese.
pub type Header = (&'static str, &'static str);

/// Reads a table's rows as the columns say: `f` turns a row's cells (in the columns' order) into a
/// value or the problems of its cells (column index, value, reason).
pub(crate) fn rows<T>(
    t: &RawTable,
    columns: &[Header],
    mut f: impl FnMut(&[&str]) -> Result<T, Vec<(usize, String)>>,
) -> Result<Vec<T>, Vec<Problem>> {
    let problem =
        |row: Option<usize>, column: Option<String>, value: Option<String>, reason| Problem {
            source: t.source.clone(),
            table: t.name.clone(),
            row,
            column,
            value,
            reason,
        };
    let mut at = Vec::new();
    let mut problems = Vec::new();
    for (en, zh) in columns {
        match t.headers.iter().position(|h| {
            let h = h.trim();
            h == *en || h == *zh
        }) {
            Some(i) => at.push(i),
            None => problems.push(problem(
                None,
                Some(format!("{zh}（{en}）")),
                None,
                "缺少这一列".to_string(),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if t.rows.is_empty() {
        return Err(vec![problem(None, None, None, "没有数据行".to_string())]);
    }
    let mut out = Vec::new();
    for (n, row) in t.rows.iter().enumerate() {
        let cells: Vec<&str> = at
            .iter()
            .map(|i| row.get(*i).unwrap_or("").trim())
            .collect();
        match f(&cells) {
            Ok(v) => out.push(v),
            Err(bad) => {
                for (c, reason) in bad {
                    let (en, zh) = columns[c];
                    problems.push(problem(
                        Some(n + 1),
                        Some(format!("{zh}（{en}）")),
                        Some(cells[c].chars().take(60).collect()),
                        reason,
                    ));
                }
            }
        }
        if problems.len() >= 1000 {
            break;
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Collects each cell's result; a row with any problem is a list of them.
pub(crate) struct Cells(pub(crate) Vec<(usize, String)>);

impl Cells {
    pub(crate) fn take<T>(&mut self, col: usize, r: Result<T, String>) -> Option<T> {
        r.map_err(|e| self.0.push((col, e))).ok()
    }
}
