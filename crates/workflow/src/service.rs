//! Service levels: the desk's requests tallied against their clocks, and clause （二十）'s promises
//! measured on recorded events — water, power and gas connected within 1 working day (8 working
//! hours) of the enterprise confirming its application, an ordinary investment project approved
//! within 80 days before completion acceptance. Pure: the store keeps the events, this says what
//! they mean.
//!
//! ```text
//! Request + Levels + Calendar + now ─> outcome ─> Tally by hub / assignee / category / month
//! Connection ─> working minutes ≤ the target's 8 工作时?    Approval ─> days (自然日 or 工作日) ≤ 80?
//! ```

use crate::calendar::{Calendar, NotLoaded};
use crate::clock::{Moment, Standing};
use crate::request::{Category, Levels, Request, State};
use jx555_lang::types::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a request did against its clocks, as of a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Accepted within its working day (None: not yet accepted and still within it).
    pub accepted_in_time: Option<bool>,
    /// Answered within its category's time (None: not answered and still within it).
    pub resolved_in_time: Option<bool>,
    /// Where an open request's running clock stands (None once answered or closed).
    pub standing: Option<Standing>,
}

/// Whether a request is still being worked (not answered, not closed).
pub fn is_open(r: &Request) -> bool {
    !matches!(r.state, State::Resolved | State::Closed)
}

/// How `r` did as of `now`: a clock not yet stopped that is past its budget is a breach already.
pub fn outcome(
    r: &Request,
    levels: &Levels,
    cal: &Calendar,
    now: Moment,
) -> Result<Outcome, NotLoaded> {
    let day = &levels.day;
    let accept = levels.acceptance(r);
    let accepted_in_time = match r.accepted {
        Some(at) => Some(accept.used(day, cal, at)? <= accept.budget),
        None if accept.used(day, cal, now)? > accept.budget => Some(false),
        None => None,
    };
    let (resolved_in_time, standing) = match levels.resolution(r) {
        None => (
            None,
            Some(accept.standing(day, cal, now, levels.warn)?).filter(|_| is_open(r)),
        ),
        Some(clock) => {
            let open = is_open(r);
            let stop = if open { now } else { r.resolved.unwrap_or(now) };
            let used = clock.used(day, cal, stop)?;
            let in_time = if used > clock.budget {
                Some(false)
            } else if open {
                None
            } else {
                Some(true)
            };
            let standing = if open {
                Some(clock.standing(day, cal, now, levels.warn)?)
            } else {
                None
            };
            (in_time, standing)
        }
    };
    Ok(Outcome {
        accepted_in_time,
        resolved_in_time,
        standing,
    })
}

/// A group's figures in the service-level report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Requests raised.
    pub requests: u64,
    /// Accepted within a working day.
    pub accepted_in_time: u64,
    /// Whose acceptance is decided (accepted, or past its day).
    pub acceptance_decided: u64,
    /// Answered in time.
    pub resolved_in_time: u64,
    /// Whose resolution is decided (answered, or past its time).
    pub resolution_decided: u64,
    /// Still open.
    pub open: u64,
    /// Open and at risk.
    pub at_risk: u64,
    /// Open and breached.
    pub breached: u64,
    /// Escalated (督办).
    pub escalated: u64,
    /// Reopened at least once.
    pub reopened: u64,
    /// Ratings given and their sum (the mean is theirs to divide).
    pub ratings: (u64, u64),
}

impl Tally {
    /// Counts one request.
    pub fn add(&mut self, r: &Request, o: &Outcome) {
        self.requests += 1;
        if let Some(ok) = o.accepted_in_time {
            self.acceptance_decided += 1;
            self.accepted_in_time += u64::from(ok);
        }
        if let Some(ok) = o.resolved_in_time {
            self.resolution_decided += 1;
            self.resolved_in_time += u64::from(ok);
        }
        if is_open(r) {
            self.open += 1;
            match o.standing {
                Some(Standing::AtRisk) => self.at_risk += 1,
                Some(Standing::Breached) => self.breached += 1,
                _ => {}
            }
        }
        self.escalated += u64::from(r.escalated);
        self.reopened += u64::from(r.reopened > 0);
        if let Some((score, _)) = &r.rating {
            self.ratings.0 += 1;
            self.ratings.1 += u64::from(*score);
        }
    }

    /// A share as a percentage with one decimal, `—` when nothing is decided.
    pub fn percent(part: u64, whole: u64) -> String {
        if whole == 0 {
            return "—".into();
        }
        let tenths = (part * 1000 + whole / 2) / whole;
        format!("{}.{}%", tenths / 10, tenths % 10)
    }

    /// The mean rating with one decimal, `—` without ratings.
    pub fn mean_rating(&self) -> String {
        let (n, sum) = self.ratings;
        if n == 0 {
            return "—".into();
        }
        let tenths = (sum * 10 + n / 2) / n;
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// The requests tallied by each of `keys` (a request may count under several keys of one kind,
/// none under another).
pub fn tally<'a, I>(rows: I, key: impl Fn(&Request) -> Vec<String>) -> BTreeMap<String, Tally>
where
    I: IntoIterator<Item = (&'a Request, &'a Outcome)>,
{
    let mut out: BTreeMap<String, Tally> = BTreeMap::new();
    for (r, o) in rows {
        for k in key(r) {
            out.entry(k).or_default().add(r, o);
        }
    }
    out
}

/// The service-level report: every request's outcome tallied by hub, by assignee (department or
/// provider), by category, and by the month it was raised; and in all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// All requests.
    pub total: Tally,
    /// By hub.
    pub by_hub: BTreeMap<String, Tally>,
    /// By whom they were dispatched to (not yet dispatched: none).
    pub by_assignee: BTreeMap<String, Tally>,
    /// By 四帮, by name.
    pub by_category: BTreeMap<String, Tally>,
    /// By the month raised (`2025-06`).
    pub by_month: BTreeMap<String, Tally>,
}

/// The report of `requests` as of `now`. A request whose clock runs past the calendar is an error
/// naming the year to load.
pub fn report<'a>(
    requests: impl IntoIterator<Item = &'a Request>,
    levels: &Levels,
    cal: &Calendar,
    now: Moment,
) -> Result<Report, NotLoaded> {
    let mut out = Report::default();
    for r in requests {
        let o = outcome(r, levels, cal, now)?;
        out.total.add(r, &o);
        out.by_hub.entry(r.hub.clone()).or_default().add(r, &o);
        if let Some(a) = &r.assignee {
            out.by_assignee.entry(a.clone()).or_default().add(r, &o);
        }
        out.by_category
            .entry(r.category.name().to_string())
            .or_default()
            .add(r, &o);
        let d = r.submitted.date;
        out.by_month
            .entry(format!("{}-{:02}", d.year, d.month))
            .or_default()
            .add(r, &o);
    }
    Ok(out)
}

/// The pack's targets the desk measures (clause （二十）, （二十一）), by id: what the targets page
/// shows live where no indicator was entered.
pub mod targets {
    /// 市级企业服务枢纽（个）: 1 when the city hub accepted a request in the year.
    pub const CITY_HUBS: &str = "市级服务枢纽";
    /// 实体化县级企业服务枢纽（个）: county hubs that accepted a request in the year.
    pub const COUNTY_HUBS: &str = "县级服务枢纽";
    /// 企业服务供给机构（家）: providers registered by the end of the year.
    pub const PROVIDERS: &str = "服务供给机构";
    /// 企业服务平台服务企业（家）: enterprises that raised a request in the year.
    pub const ENTERPRISES_SERVED: &str = "服务企业数";
    /// 水电气报装确认后接通（工作时）: the longest connection of the year, in working hours.
    pub const CONNECTION_HOURS: &str = "报装接通时限";
    /// 一般企业投资项目竣工验收前审批（天）: the longest approval of the year, in days.
    pub const APPROVAL_DAYS: &str = "审批最多80天";
    /// The pack's parameter saying whether the 80 days are working days (the language knows the
    /// platform reads it: `jx555_lang::check::PLATFORM_PARAMS`).
    pub const APPROVAL_READING: &str = jx555_lang::check::PLATFORM_PARAMS[0];
}

/// A service provider of the registry (服务供给机构).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// Its 统一社会信用代码.
    pub uscc: String,
    /// Its name.
    pub name: String,
    /// The helps it gives.
    pub categories: Vec<Category>,
    /// The counties it serves (none: the whole city).
    pub counties: Vec<String>,
    /// When it joined the registry (counted for the 1000家 target from that year on).
    pub registered: Date,
}

/// A utility (水电气).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Utility {
    /// 水.
    Water,
    /// 电.
    Power,
    /// 气.
    Gas,
}

impl Utility {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Utility::Water => "水",
            Utility::Power => "电",
            Utility::Gas => "气",
        }
    }

    /// A utility as written: 水 / 电 / 气 (or 用水, 用电, 用气; water, power, gas).
    pub fn parse(s: &str) -> Result<Utility, String> {
        match s.trim() {
            "水" | "用水" | "water" => Ok(Utility::Water),
            "电" | "用电" | "power" => Ok(Utility::Power),
            "气" | "用气" | "gas" => Ok(Utility::Gas),
            other => Err(format!("{other:?} is not a utility; write 水, 电 or 气")),
        }
    }
}

/// A utility connection: the enterprise confirmed its application, the utility connected it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// The enterprise (统一社会信用代码).
    pub enterprise: String,
    /// Which utility.
    pub utility: Utility,
    /// When the enterprise confirmed the application (确认报装).
    pub confirmed: Moment,
    /// When it was connected (接通).
    pub connected: Moment,
}

/// An investment project's approvals before completion acceptance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The project's code (项目代码).
    pub project: String,
    /// The enterprise (统一社会信用代码).
    pub enterprise: String,
    /// When the approvals started (赋码/受理).
    pub started: Date,
    /// When the last approval before completion acceptance was given.
    pub approved: Date,
}

/// How clause （二十）'s 80 天 are counted: the text says 天, which reads as calendar days (自然日);
/// the pack's `审批时限按工作日计` turns it to working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DayReading {
    /// 自然日.
    Calendar,
    /// 工作日, on the official calendar.
    Working,
}

impl DayReading {
    /// The reading the packs set (`审批时限按工作日计 = true`: working days); calendar days else.
    pub fn of(packs: &[&jx555_lang::ir::Pack]) -> DayReading {
        use jx555_lang::ir::ParamValue;
        use jx555_lang::types::Value;
        let working = packs.iter().flat_map(|p| &p.params).any(|p| {
            p.name == targets::APPROVAL_READING && p.value == ParamValue::Const(Value::Bool(true))
        });
        if working {
            DayReading::Working
        } else {
            DayReading::Calendar
        }
    }
}

/// The working minutes from confirmation to connection.
pub fn connection_minutes(
    c: &Connection,
    levels: &Levels,
    cal: &Calendar,
) -> Result<u64, NotLoaded> {
    levels.day.minutes_between(cal, c.confirmed, c.connected)
}

/// The days an approval took, as the reading counts them (the start day not counted).
pub fn approval_days(a: &Approval, reading: DayReading, cal: &Calendar) -> Result<u32, NotLoaded> {
    match reading {
        DayReading::Calendar => {
            Ok(u32::try_from(a.approved.to_days() - a.started.to_days()).unwrap_or(0))
        }
        DayReading::Working => cal.working_days_between(a.started, a.approved),
    }
}

/// Events measured against a limit: how many kept it, and those that did not with their measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance<T> {
    /// Events measured.
    pub events: usize,
    /// Events within the limit.
    pub within: usize,
    /// The longest measure (None without events).
    pub longest: Option<u64>,
    /// The events past the limit, with their measure, longest first.
    pub breaches: Vec<(T, u64)>,
}

/// Measures each event and compares it with `limit`.
pub fn comply<T: Clone, E>(
    events: &[T],
    limit: u64,
    measure: impl Fn(&T) -> Result<u64, E>,
) -> Result<Compliance<T>, E> {
    let mut within = 0;
    let mut longest = None;
    let mut breaches = Vec::new();
    for e in events {
        let m = measure(e)?;
        longest = longest.max(Some(m));
        if m <= limit {
            within += 1;
        } else {
            breaches.push((e.clone(), m));
        }
    }
    breaches.sort_by_key(|b| std::cmp::Reverse(b.1));
    Ok(Compliance {
        events: events.len(),
        within,
        longest,
        breaches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar::bundled().unwrap()
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn m(s: &str) -> Moment {
        Moment::parse(s).unwrap()
    }

    fn request(submitted: &str) -> Request {
        Request {
            state: State::Submitted,
            category: Category::Policy,
            tags: Vec::new(),
            enterprise: "E".into(),
            hub: "南湖区".into(),
            assignee: None,
            submitted: m(submitted),
            accepted: None,
            resolved: None,
            pauses: Vec::new(),
            rating: None,
            escalated: false,
            reopened: 0,
        }
    }

    #[test]
    fn the_report_groups_every_request() {
        let levels = Levels::default();
        let mut a = request("2025-06-09 10:00");
        a.assignee = Some("P".into());
        let mut b = request("2025-07-01 10:00");
        b.hub = "市级枢纽".into();
        b.category = Category::Appeal;
        let r = report([&a, &b], &levels, &cal(), m("2025-07-01 11:00")).unwrap();
        assert_eq!(r.total.requests, 2);
        assert_eq!(r.by_hub.len(), 2);
        assert_eq!(r.by_assignee["P"].requests, 1);
        assert_eq!(r.by_category["诉求帮"].requests, 1);
        assert_eq!(
            r.by_month.keys().collect::<Vec<_>>(),
            vec!["2025-06", "2025-07"]
        );
        // The June request was never accepted: breached long since.
        assert_eq!(r.by_month["2025-06"].breached, 1);
        let late = report([&a], &levels, &cal(), m("2027-01-04 10:00"));
        assert!(late.is_err(), "2027 is not in the calendar");
    }

    #[test]
    fn a_connection_over_国庆_takes_its_working_hours_only() {
        let levels = Levels::default();
        // Confirmed at 16:00 on the last working day before 国庆, connected 10:00 on the first day
        // after: 1 hour that evening and 1 the next working morning.
        let c = Connection {
            enterprise: "E".into(),
            utility: Utility::Power,
            confirmed: m("2025-09-30 16:00"),
            connected: m("2025-10-09 10:00"),
        };
        assert_eq!(connection_minutes(&c, &levels, &cal()).unwrap(), 120);
        let late = Connection {
            connected: m("2025-10-10 10:00"),
            ..c.clone()
        };
        let r = comply(&[c, late.clone()], 480, |c| {
            connection_minutes(c, &levels, &cal())
        })
        .unwrap();
        assert_eq!((r.events, r.within, r.longest), (2, 1, Some(600)));
        assert_eq!(r.breaches, vec![(late, 600)]);
    }

    #[test]
    fn eighty_days_as_calendar_or_working_days() {
        let a = Approval {
            project: "2025-330402-00-01".into(),
            enterprise: "E".into(),
            started: d("2025-09-01"),
            approved: d("2025-11-20"),
        };
        assert_eq!(approval_days(&a, DayReading::Calendar, &cal()).unwrap(), 80);
        // 国庆 (8 days) and the weekends make it far fewer working days.
        assert!(approval_days(&a, DayReading::Working, &cal()).unwrap() < 60);
        assert!(Utility::parse("煤").unwrap_err().contains("水"));
        assert_eq!(Utility::parse("用气").unwrap(), Utility::Gas);
    }

    #[test]
    fn outcomes_of_requests_as_the_clock_says() {
        let levels = Levels::default();
        let cal = cal();
        // Raised Monday 10:00, not accepted: on time at 11:00, at risk by 16:30 that day (6.5 of
        // its 8 hours), breached the next day at 11:00.
        let r = request("2025-06-09 10:00");
        let at = |s: &str| outcome(&r, &levels, &cal, m(s)).unwrap();
        assert_eq!(at("2025-06-09 11:00").standing, Some(Standing::OnTime));
        assert_eq!(at("2025-06-09 16:30").standing, Some(Standing::AtRisk));
        let late = at("2025-06-10 11:00");
        assert_eq!(late.standing, Some(Standing::Breached));
        assert_eq!(late.accepted_in_time, Some(false));
        // Accepted at once and answered within its 3 working days: in time, and counted so.
        let mut done = r.clone();
        done.state = State::Closed;
        done.accepted = Some(m("2025-06-09 10:30"));
        done.resolved = Some(m("2025-06-11 10:00"));
        done.rating = Some((4, String::new()));
        let o = outcome(&done, &levels, &cal, m("2025-12-01 09:00")).unwrap();
        assert_eq!(
            (o.accepted_in_time, o.resolved_in_time, o.standing),
            (Some(true), Some(true), None)
        );
        let t = tally([(&done, &o), (&r, &late)], |r| vec![r.hub.clone()]);
        let n = &t["南湖区"];
        assert_eq!(
            (n.requests, n.accepted_in_time, n.acceptance_decided),
            (2, 1, 2)
        );
        assert_eq!((n.open, n.breached, n.resolved_in_time), (1, 1, 1));
        assert_eq!(Tally::percent(1, 2), "50.0%");
        assert_eq!(Tally::percent(2, 3), "66.7%");
        assert_eq!(Tally::percent(0, 0), "—");
        assert_eq!(n.mean_rating(), "4.0");
    }
}
