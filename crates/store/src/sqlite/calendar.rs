//! [`Calendars`] on SQLite.

use super::{SqliteStore, append_audit, db};
use crate::StoreError;
use crate::audit::digest;
use crate::calendar::Calendars;
use jx555_workflow::calendar::Calendar;
use rusqlite::params;

const HEADER: &str = "date,kind,name";

impl Calendars for SqliteStore {
    fn load_calendar(&mut self, csv: &str) -> Result<Vec<i32>, StoreError> {
        let years = Calendar::default()
            .load(csv)
            .map_err(|e| StoreError::Refused(format!("日历未载入：{e}")))?;
        self.write(|tx, path, actor| {
            for year in &years {
                let prefix = format!("{year}-");
                let rows: Vec<&str> = csv
                    .lines()
                    .skip(1)
                    .map(str::trim)
                    .filter(|l| l.starts_with(&prefix))
                    .collect();
                let text = format!("{HEADER}\n{}\n", rows.join("\n"));
                tx.execute(
                    "INSERT INTO calendar_years (year, csv, loaded_at, loaded_by) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (year) DO UPDATE SET csv = excluded.csv, loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by",
                    params![year, text, crate::now(), actor.name],
                )
                .map_err(|e| db(path, e))?;
                append_audit(tx, path, actor, "calendar.load", &format!("calendar:{year}"), digest(text.as_bytes()))?;
            }
            Ok(years.clone())
        })
    }

    fn calendar_years(&self) -> Result<Vec<(i32, String, String)>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare("SELECT year, loaded_at, loaded_by FROM calendar_years ORDER BY year")
            .map_err(&e)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    fn calendar(&self) -> Result<Calendar, StoreError> {
        let broken = |m: String| StoreError::Database {
            path: self.path.clone(),
            message: format!("the calendar cannot be read: {m}"),
        };
        let mut cal = Calendar::bundled().map_err(broken)?;
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare("SELECT csv FROM calendar_years ORDER BY year")
            .map_err(&e)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(&e)?;
        for csv in rows {
            cal.load(&csv.map_err(&e)?).map_err(broken)?;
        }
        Ok(cal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx555_lang::types::Date;

    #[test]
    fn a_year_loaded_extends_the_calendar_and_a_bad_one_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("c.db")).unwrap();
        let d = |s: &str| Date::parse(s).unwrap();
        assert!(
            store
                .calendar()
                .unwrap()
                .is_working_day(d("2027-01-04"))
                .is_err()
        );
        // A weekday marked as a worked 调休 day is refused; nothing is kept.
        let bad = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,workday,元旦\n";
        assert!(
            store
                .load_calendar(bad)
                .unwrap_err()
                .to_string()
                .contains("不是周末")
        );
        assert!(store.calendar_years().unwrap().is_empty());
        let good = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,workday,元旦\n";
        assert_eq!(store.load_calendar(good).unwrap(), vec![2027]);
        let cal = store.calendar().unwrap();
        assert!(!cal.is_working_day(d("2027-01-01")).unwrap());
        assert!(
            cal.is_working_day(d("2027-01-02")).unwrap(),
            "a 调休 Saturday"
        );
        assert!(cal.is_working_day(d("2027-01-04")).unwrap());
        // The bundled years stay.
        assert!(!cal.is_working_day(d("2026-10-01")).unwrap());
        let years = store.calendar_years().unwrap();
        assert_eq!(years.len(), 1);
        let log = crate::Store::audit(&store, &crate::audit::AuditFilter::default()).unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "calendar.load" && e.object == "calendar:2027")
        );
    }
}
