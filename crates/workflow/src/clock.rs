//! Service-level clocks in working hours on the official calendar: when a request is due, how much
//! of its time is used, paused while the enterprise is asked for more. A clock that would run into a
//! year whose holidays are not loaded is an error naming the year, never a guess.
//!
//! ```text
//! started ─ working minutes (a working day is `WorkingDay`, on calendar working days) ─> due
//!            pauses (待企业补充) add their working minutes back
//! ```

use crate::calendar::{Calendar, NotLoaded};
use jx555_lang::types::Date;
use serde::{Deserialize, Serialize};

/// A moment in Beijing time: a date and the minute of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Moment {
    /// The date.
    pub date: Date,
    /// Minutes since midnight, 0..1440.
    pub minute: u32,
}

impl Moment {
    /// `date` at `hour`:`minute`.
    pub fn at(date: Date, hour: u32, minute: u32) -> Moment {
        Moment {
            date,
            minute: (hour * 60 + minute).min(24 * 60 - 1),
        }
    }
}

impl Moment {
    /// The moment in Beijing time (UTC+8, no daylight saving) of `secs` seconds since 1970 UTC.
    pub fn from_unix(secs: i64) -> Moment {
        let local = secs + 8 * 3600;
        Moment {
            date: Date::from_days(i32::try_from(local.div_euclid(86_400)).unwrap_or(0)),
            minute: u32::try_from(local.rem_euclid(86_400) / 60).unwrap_or(0),
        }
    }

    /// A moment as written `2025-09-30 17:00` (or with a `T`), Beijing time.
    pub fn parse(s: &str) -> Result<Moment, String> {
        let s = s.trim();
        let bad = || format!("{s:?} is not a moment like 2025-09-30 17:00");
        let (d, t) = s.split_once([' ', 'T']).ok_or_else(bad)?;
        let date = Date::parse(d).ok_or_else(bad)?;
        let mut hm = t.trim().splitn(3, ':');
        let mut num = |max: u32| -> Result<u32, String> {
            hm.next()
                .and_then(|x| x.parse::<u32>().ok())
                .filter(|x| *x < max)
                .ok_or_else(bad)
        };
        let (h, m) = (num(24)?, num(60)?);
        Ok(Moment::at(date, h, m))
    }
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {:02}:{:02}",
            self.date,
            self.minute / 60,
            self.minute % 60
        )
    }
}

/// The hours of a working day: a setting (8 hours a day by default, 9:00 to 17:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingDay {
    /// When work starts, in minutes since midnight.
    pub start: u32,
    /// How many minutes a working day has.
    pub minutes: u32,
}

impl Default for WorkingDay {
    fn default() -> Self {
        WorkingDay {
            start: 9 * 60,
            minutes: 8 * 60,
        }
    }
}

impl WorkingDay {
    fn end(&self) -> u32 {
        self.start + self.minutes
    }

    /// The working minutes from `from` to `to` (0 when `to` is not after `from`).
    pub fn minutes_between(
        &self,
        cal: &Calendar,
        from: Moment,
        to: Moment,
    ) -> Result<u64, NotLoaded> {
        if to <= from {
            return Ok(0);
        }
        let mut total = 0u64;
        let mut day = from.date.to_days();
        while day <= to.date.to_days() {
            let date = Date::from_days(day);
            if cal.is_working_day(date)? {
                let lo = if day == from.date.to_days() {
                    from.minute.max(self.start)
                } else {
                    self.start
                };
                let hi = if day == to.date.to_days() {
                    to.minute.min(self.end())
                } else {
                    self.end()
                };
                total += u64::from(hi.saturating_sub(lo));
            }
            day += 1;
        }
        Ok(total)
    }

    /// The moment `minutes` working minutes after `from`: a request at 17:00 on the last working
    /// day before a holiday with one working day (480 minutes) is due at 17:00 on the first working
    /// day after.
    pub fn add(&self, cal: &Calendar, from: Moment, minutes: u64) -> Result<Moment, NotLoaded> {
        let mut left = minutes;
        let mut day = from.date.to_days();
        let mut at = from.minute;
        loop {
            let date = Date::from_days(day);
            if cal.is_working_day(date)? {
                let lo = at.max(self.start);
                if lo < self.end() {
                    let room = u64::from(self.end() - lo);
                    if left <= room {
                        // Exactly at the end of a day stays on that day (not 9:00 the next).
                        let minute = lo + u32::try_from(left).unwrap_or(u32::MAX);
                        return Ok(Moment { date, minute });
                    }
                    left -= room;
                }
            }
            day += 1;
            at = 0;
        }
    }
}

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    /// Within its time.
    OnTime,
    /// Past the share of its time that warns (at risk).
    AtRisk,
    /// Past its due moment (breached).
    Breached,
}

/// A service-level clock: started at a moment, with a budget of working minutes, paused while the
/// enterprise is asked for more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// When it started.
    pub started: Moment,
    /// Its budget, in working minutes (one working day: 480).
    pub budget: u64,
    /// Its pauses: from, and until (`None` while paused).
    pub pauses: Vec<(Moment, Option<Moment>)>,
}

impl Clock {
    /// The working minutes it has been paused, up to `now`.
    fn paused(&self, day: &WorkingDay, cal: &Calendar, now: Moment) -> Result<u64, NotLoaded> {
        let mut total = 0;
        for (from, until) in &self.pauses {
            total += day.minutes_between(cal, *from, until.unwrap_or(now).min(now))?;
        }
        Ok(total)
    }

    /// When it is due as of `now`: its budget after the start, plus the time paused. While paused,
    /// the due moment moves on with `now`.
    pub fn due(&self, day: &WorkingDay, cal: &Calendar, now: Moment) -> Result<Moment, NotLoaded> {
        let paused = self.paused(day, cal, now)?;
        day.add(cal, self.started, self.budget + paused)
    }

    /// The working minutes used by `now` (time paused not counted).
    pub fn used(&self, day: &WorkingDay, cal: &Calendar, now: Moment) -> Result<u64, NotLoaded> {
        let all = day.minutes_between(cal, self.started, now)?;
        Ok(all.saturating_sub(self.paused(day, cal, now)?))
    }

    /// Where it stands at `now`: breached past its budget, at risk past `warn` percent of it.
    pub fn standing(
        &self,
        day: &WorkingDay,
        cal: &Calendar,
        now: Moment,
        warn: u64,
    ) -> Result<Standing, NotLoaded> {
        let used = self.used(day, cal, now)?;
        Ok(if used > self.budget {
            Standing::Breached
        } else if used * 100 >= self.budget * warn {
            Standing::AtRisk
        } else {
            Standing::OnTime
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn beijing_time_and_its_writing() {
        // 2025-09-30 09:00 UTC is 17:00 in Beijing; 16:30 UTC is half past midnight the next day.
        assert_eq!(
            Moment::from_unix(1_759_222_800),
            Moment::at(d("2025-09-30"), 17, 0)
        );
        assert_eq!(
            Moment::from_unix(1_759_249_800),
            Moment::at(d("2025-10-01"), 0, 30)
        );
        let m = Moment::parse("2025-09-30 17:05").unwrap();
        assert_eq!(m.to_string(), "2025-09-30 17:05");
        assert_eq!(Moment::parse("2025-09-30T17:05:59").unwrap(), m);
        for bad in ["2025-09-30", "2025-09-30 24:00", "2025-09-30 9", "x 09:00"] {
            assert!(Moment::parse(bad).is_err(), "{bad}");
        }
    }

    fn m(s: &str, h: u32, min: u32) -> Moment {
        Moment::at(d(s), h, min)
    }

    const DAY: u64 = 480;

    #[test]
    fn a_day_before_national_day_is_due_the_first_working_day_after() {
        let cal = Calendar::bundled().unwrap();
        let w = WorkingDay::default();
        // 2025-09-30 (Tuesday) 17:00, the last working day before 国庆节、中秋节 (10-1 to 10-8).
        let due = w.add(&cal, m("2025-09-30", 17, 0), DAY).unwrap();
        assert_eq!(due, m("2025-10-09", 17, 0));
        // Asked at 10:30 the same day: due 10:30 on the first working day after.
        assert_eq!(
            w.add(&cal, m("2025-09-30", 10, 30), DAY).unwrap(),
            m("2025-10-09", 10, 30)
        );
        // The 调休 Saturday 2025-10-11 is a working day: two days from 10-9 17:00 end on it.
        assert_eq!(
            w.add(&cal, m("2025-10-09", 17, 0), 2 * DAY).unwrap(),
            m("2025-10-11", 17, 0)
        );
        // Before opening hours counts from 9:00; at night from the next working morning.
        assert_eq!(
            w.add(&cal, m("2025-10-13", 6, 0), 60).unwrap(),
            m("2025-10-13", 10, 0)
        );
        assert_eq!(
            w.add(&cal, m("2025-10-13", 22, 0), 60).unwrap(),
            m("2025-10-14", 10, 0)
        );
        assert_eq!(
            w.minutes_between(&cal, m("2025-09-30", 17, 0), m("2025-10-09", 17, 0))
                .unwrap(),
            DAY
        );
    }

    #[test]
    fn a_clock_past_the_loaded_years_is_an_error_naming_the_year() {
        let cal = Calendar::bundled().unwrap();
        let w = WorkingDay::default();
        let e = w.add(&cal, m("2026-12-31", 12, 0), DAY).unwrap_err();
        assert_eq!(e.year, 2027);
    }

    #[test]
    fn pauses_move_the_due_moment_and_the_standing_follows_the_time_used() {
        let cal = Calendar::bundled().unwrap();
        let w = WorkingDay::default();
        let mut c = Clock {
            started: m("2026-03-02", 9, 0),
            budget: 2 * DAY,
            pauses: vec![],
        };
        let now = m("2026-03-03", 9, 0);
        assert_eq!(c.due(&w, &cal, now).unwrap(), m("2026-03-03", 17, 0));
        assert_eq!(c.standing(&w, &cal, now, 80).unwrap(), Standing::OnTime);
        assert_eq!(
            c.standing(&w, &cal, m("2026-03-03", 16, 0), 80).unwrap(),
            Standing::AtRisk
        );
        assert_eq!(
            c.standing(&w, &cal, m("2026-03-04", 9, 1), 80).unwrap(),
            Standing::Breached
        );
        // Paused from Monday noon to Tuesday noon (待企业补充): a working day more.
        c.pauses
            .push((m("2026-03-02", 12, 0), Some(m("2026-03-03", 12, 0))));
        assert_eq!(
            c.due(&w, &cal, m("2026-03-05", 9, 0)).unwrap(),
            m("2026-03-04", 17, 0)
        );
        assert_eq!(
            c.standing(&w, &cal, m("2026-03-04", 9, 1), 80).unwrap(),
            Standing::OnTime,
            "breached without the pause, half its time used with it"
        );
        assert_eq!(
            c.standing(&w, &cal, m("2026-03-04", 16, 0), 80).unwrap(),
            Standing::AtRisk
        );
    }

    fn moment() -> impl Strategy<Value = Moment> {
        (0i32..600, 0u32..1440).prop_map(|(day, minute)| Moment {
            date: Date::from_days(d("2019-01-01").to_days() + day * 4),
            minute,
        })
    }

    proptest! {
        #[test]
        fn a_deadline_is_never_before_its_start(start in moment(), budget in 0u64..20_000) {
            let cal = Calendar::bundled().unwrap();
            let w = WorkingDay::default();
            let due = w.add(&cal, start, budget).unwrap();
            prop_assert!(due >= start);
            // And the working minutes between them are the budget, when the start is in hours.
            if cal.is_working_day(start.date).unwrap() && (w.start..w.end()).contains(&start.minute) {
                prop_assert_eq!(w.minutes_between(&cal, start, due).unwrap(), budget);
            }
        }

        #[test]
        fn pausing_never_shortens_a_clock(
            start in moment(),
            budget in 1u64..10_000,
            pause in 0u64..5_000,
            len in 0u64..5_000,
        ) {
            let cal = Calendar::bundled().unwrap();
            let w = WorkingDay::default();
            let now = w.add(&cal, start, budget + pause + len + 1).unwrap();
            let plain = Clock { started: start, budget, pauses: vec![] };
            let from = w.add(&cal, start, pause).unwrap();
            let until = w.add(&cal, from, len).unwrap();
            let paused = Clock { pauses: vec![(from, Some(until))], ..plain.clone() };
            prop_assert!(paused.due(&w, &cal, now).unwrap() >= plain.due(&w, &cal, now).unwrap());
        }

        #[test]
        fn a_holiday_never_makes_a_deadline_earlier(start in moment(), budget in 0u64..10_000, extra in 0i32..30) {
            let cal = Calendar::bundled().unwrap();
            let w = WorkingDay::default();
            let before = w.add(&cal, start, budget).unwrap();
            let holiday = Date::from_days(start.date.to_days() + extra);
            let mut more = cal.clone();
            let mut csv = "date,kind,name\n".to_string();
            // Replace the year's rows with themselves plus the new holiday.
            for y in [holiday.year] {
                for line in crate::calendar::BUNDLED.lines().skip(1).filter(|l| l.starts_with(&y.to_string())) {
                    if !line.starts_with(&holiday.to_string()) {
                        csv.push_str(line);
                        csv.push('\n');
                    }
                }
            }
            csv.push_str(&format!("{holiday},holiday,测试\n"));
            prop_assume!(more.load(&csv).is_ok());
            let after = w.add(&more, start, budget);
            prop_assume!(after.is_ok());
            prop_assert!(after.unwrap() >= before);
        }
    }
}
