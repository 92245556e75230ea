//! The official working-day calendar: which days are worked, as the State Council's notices set
//! them (holidays, and 调休 Saturdays and Sundays that are worked). Data, not code: the bundled file
//! covers 2019–2026, and a later year is loaded from its notice. A date in a year not loaded is an
//! error naming that year, never a guess from weekdays alone.

use jx555_lang::types::Date;
use std::collections::{BTreeMap, BTreeSet};

/// The calendar shipped with jx555 (`data/cn-holidays.csv`, source in `data/README.md`).
pub const BUNDLED: &str = include_str!("../data/cn-holidays.csv");

/// What a listed date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A day off named in a notice.
    Holiday,
    /// A Saturday or Sunday worked (调休).
    Workday,
}

/// A date outside the years loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{year}年的节假日安排尚未载入（日历载入了 {first}–{last} 年）；请载入国务院办公厅关于{year}年部分节假日安排的通知"
)]
pub struct NotLoaded {
    /// The year asked for.
    pub year: i32,
    /// The first year loaded.
    pub first: i32,
    /// The last year loaded.
    pub last: i32,
}

/// The working-day calendar of the years loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeMap<Date, (DayKind, String)>,
    years: BTreeSet<i32>,
}

/// Monday is 0, Sunday 6.
fn weekday(d: Date) -> i32 {
    (d.to_days() + 3).rem_euclid(7)
}

impl Calendar {
    /// The bundled calendar (2019–2026).
    pub fn bundled() -> Result<Calendar, String> {
        let mut c = Calendar::default();
        c.load(BUNDLED)?;
        Ok(c)
    }

    /// Loads the rows of `date,kind,name` CSV (a header row first): whole years, each replacing what
    /// was loaded for it. Every row is checked (a date, `holiday` or `workday`, a worked day on a
    /// Saturday or Sunday, no date twice); nothing is loaded when one is wrong. The years loaded.
    pub fn load(&mut self, csv: &str) -> Result<Vec<i32>, String> {
        let mut lines = csv.lines().enumerate();
        match lines.next() {
            Some((_, h)) if h.trim_start_matches('\u{feff}').trim() == "date,kind,name" => {}
            _ => return Err("第1行应为表头 date,kind,name".into()),
        }
        let mut rows: BTreeMap<Date, (DayKind, String)> = BTreeMap::new();
        for (i, line) in lines {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            let [date, kind, name] = cells[..] else {
                return Err(format!("第{n}行：应有 3 列（date,kind,name）"));
            };
            let d = Date::parse(date).ok_or(format!("第{n}行：{date:?} 不是日期（YYYY-MM-DD）"))?;
            let kind = match kind {
                "holiday" => DayKind::Holiday,
                "workday" if weekday(d) >= 5 => DayKind::Workday,
                "workday" => return Err(format!("第{n}行：{date} 不是周末，不必调休上班")),
                other => return Err(format!("第{n}行：{other:?} 应为 holiday 或 workday")),
            };
            if rows.insert(d, (kind, name.to_string())).is_some() {
                return Err(format!("第{n}行：{date} 出现了两次"));
            }
        }
        let years: BTreeSet<i32> = rows.keys().map(|d| d.year).collect();
        if years.is_empty() {
            return Err("没有任何日期".into());
        }
        self.days.retain(|d, _| !years.contains(&d.year));
        self.days.extend(rows);
        self.years.extend(&years);
        Ok(years.into_iter().collect())
    }

    /// The years loaded.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    fn check(&self, d: Date) -> Result<(), NotLoaded> {
        if self.years.contains(&d.year) {
            return Ok(());
        }
        Err(NotLoaded {
            year: d.year,
            first: self.years.first().copied().unwrap_or(0),
            last: self.years.last().copied().unwrap_or(0),
        })
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: Date) -> Result<bool, NotLoaded> {
        self.check(d)?;
        Ok(match self.days.get(&d) {
            Some((DayKind::Holiday, _)) => false,
            Some((DayKind::Workday, _)) => true,
            None => weekday(d) < 5,
        })
    }

    /// The `n`th working day after `start` (`start` itself not counted): the last day of a period of
    /// `n` working days that begins the day after.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, NotLoaded> {
        let mut day = start.to_days();
        let mut left = n;
        while left > 0 {
            day += 1;
            if self.is_working_day(Date::from_days(day))? {
                left -= 1;
            }
        }
        Ok(Date::from_days(day))
    }

    /// How many working days there are after `from` up to and including `to` (0 when `to` is not
    /// after `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, NotLoaded> {
        let mut n = 0;
        for day in from.to_days() + 1..=to.to_days() {
            if self.is_working_day(Date::from_days(day))? {
                n += 1;
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_bundled_calendar_is_whole() {
        let c = Calendar::bundled().unwrap();
        assert_eq!(
            c.years().collect::<Vec<_>>(),
            (2019..=2026).collect::<Vec<_>>()
        );
        assert_eq!(c.days.len(), 288);
        let holidays = c
            .days
            .values()
            .filter(|(k, _)| *k == DayKind::Holiday)
            .count();
        assert_eq!(holidays, 236);
    }

    #[test]
    fn holidays_and_swapped_weekends() {
        let c = Calendar::bundled().unwrap();
        // 2025 国庆节、中秋节: 10-1 to 10-8 off; Sunday 9-28 and Saturday 10-11 worked.
        assert!(!c.is_working_day(d("2025-10-01")).unwrap());
        assert!(!c.is_working_day(d("2025-10-08")).unwrap());
        assert!(c.is_working_day(d("2025-09-28")).unwrap());
        assert!(c.is_working_day(d("2025-10-11")).unwrap());
        assert!(
            c.is_working_day(d("2025-10-09")).unwrap(),
            "an ordinary Thursday"
        );
        assert!(
            !c.is_working_day(d("2025-10-12")).unwrap(),
            "an ordinary Sunday"
        );
        // Five working days of 公示 from Tuesday 2025-09-30: 10-9, 10-10, 10-11 (worked Saturday),
        // 10-13, 10-14.
        assert_eq!(
            c.add_working_days(d("2025-09-30"), 5).unwrap(),
            d("2025-10-14")
        );
        assert_eq!(
            c.working_days_between(d("2025-09-30"), d("2025-10-14"))
                .unwrap(),
            5
        );
        assert_eq!(
            c.add_working_days(d("2025-09-30"), 0).unwrap(),
            d("2025-09-30")
        );
    }

    #[test]
    fn a_year_not_loaded_is_an_error_naming_it() {
        let mut c = Calendar::bundled().unwrap();
        let e = c.add_working_days(d("2026-12-28"), 5).unwrap_err();
        assert_eq!(e.year, 2027);
        assert!(e.to_string().contains("2027年的节假日安排尚未载入"), "{e}");
        // Loading the next year's notice makes it a working day again.
        let loaded = c
            .load("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n")
            .unwrap();
        assert_eq!(loaded, vec![2027]);
        assert_eq!(
            c.add_working_days(d("2026-12-28"), 5).unwrap(),
            d("2027-01-05")
        );
    }

    #[test]
    fn a_bad_file_loads_nothing() {
        let mut c = Calendar::bundled().unwrap();
        let before = c.clone();
        for (bad, says) in [
            ("date,kind\n", "表头"),
            ("date,kind,name\n2027-13-01,holiday,元旦\n", "不是日期"),
            ("date,kind,name\n2027-01-04,workday,元旦\n", "不是周末"),
            (
                "date,kind,name\n2027-01-01,day off,元旦\n",
                "holiday 或 workday",
            ),
            (
                "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n",
                "两次",
            ),
            ("date,kind,name\n", "没有任何日期"),
        ] {
            let e = c.load(bad).unwrap_err();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
        assert_eq!(c, before);
    }
}
