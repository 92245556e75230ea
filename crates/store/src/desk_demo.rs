//! A year of the service desk for demos and benchmarks: providers, requests walked through
//! `jx555_workflow::request::step` by the people who would take each step (so every record is one
//! the rules allow), and clause （二十）'s connection and approval events. The same seed gives the
//! same year.
//!
//! Requests arrive on working days mostly, in office hours mostly (the hotline takes evenings);
//! most are accepted within hours, some late and escalated; a fifth wait for the enterprise; answers
//! take from a fifth to well past their time; most are rated, a few reopened. Those raised near the
//! end are still open then, at every stage.

use crate::audit::Actor;
use crate::desk::{Channel, History, NewRequest};
use jx555_facts::demo::Rng;
use jx555_lang::types::Date;
use jx555_workflow::calendar::Calendar;
use jx555_workflow::clock::Moment;
use jx555_workflow::request::{
    Action, CITY_HUB, Category, Difficulty, Levels, Party, Request, State, hub_for, step,
};
use jx555_workflow::service::{Approval, Connection, Provider, Utility};

/// The desk's demo year.
pub struct DeskYear {
    /// The provider registry.
    pub providers: Vec<Provider>,
    /// The requests with their histories.
    pub requests: Vec<History>,
    /// Utility connections.
    pub connections: Vec<Connection>,
    /// Project approvals.
    pub approvals: Vec<Approval>,
}

const TEXTS: [&str; 8] = [
    "想了解技术改造项目补助的申报条件和时间",
    "企业用地规划调整，需要协调办理手续",
    "下游客户拖欠货款半年以上，请求协调",
    "申请首台（套）认定需要准备哪些材料",
    "希望对接银行办理中长期贷款",
    "招聘技术工人困难，请求人才政策支持",
    "参加政府采购投标被设置不合理门槛",
    "数字化改造想找服务机构做诊断",
];

fn actor(name: &str, role: &str) -> Actor {
    Actor {
        name: name.into(),
        role: role.into(),
    }
}

/// A moment `minutes` working minutes after `from` (capped at the calendar's end).
fn later(levels: &Levels, cal: &Calendar, from: Moment, minutes: u64) -> Option<Moment> {
    levels.day.add(cal, from, minutes).ok()
}

/// `days` calendar days after `from`, at `hour`.
fn days_after(from: Moment, days: i32, hour: u32) -> Moment {
    Moment::at(Date::from_days(from.date.to_days() + days), hour, 0)
}

/// The demo year ending at `end` (a year back from it): `n` requests of `enterprises` (统一社会信用代码
/// and county), the departments requests may go to, seeded.
pub fn year(
    enterprises: &[(String, Option<String>)],
    departments: &[String],
    n: usize,
    end: Moment,
    cal: &Calendar,
    seed: u64,
) -> DeskYear {
    let mut rng = Rng(seed);
    let levels = Levels::default();
    let counties = jx555_facts::model::COUNTIES;
    let start_day = end.date.to_days() - 365;
    let registered = Date::from_days(start_day);
    let providers: Vec<Provider> = (0..60)
        .map(|i| {
            let county = counties[i % 9];
            let mut categories: Vec<Category> = Category::ALL
                .into_iter()
                .filter(|_| rng.chance(450))
                .collect();
            if categories.is_empty() {
                categories.push(*rng.pick(&Category::ALL));
            }
            Provider {
                uscc: jx555_facts::cell::with_check_char(&format!("91330400MA2PRC{i:03}")),
                name: format!(
                    "{}{}企业服务有限公司",
                    county,
                    ["启航", "通达", "惠企", "智造", "同心", "嘉禾"][i % 6]
                ),
                categories,
                counties: if i < 18 {
                    Vec::new()
                } else {
                    vec![county.to_string()]
                },
                registered,
            }
        })
        .collect();
    let mut requests = Vec::with_capacity(n);
    let mut tries = 0;
    while requests.len() < n && !enterprises.is_empty() && tries < n * 3 {
        tries += 1;
        // A working day mostly; office hours mostly, evenings by the hotline.
        let day = Date::from_days(start_day + rng.below(365) as i32);
        if !cal.is_working_day(day).unwrap_or(false) && !rng.chance(100) {
            continue;
        }
        let hotline = rng.chance(300);
        let hour = if hotline && rng.chance(300) {
            17 + rng.below(4) as u32
        } else {
            8 + rng.below(10) as u32
        };
        let submitted = Moment::at(day, hour, rng.below(60) as u32);
        if submitted >= end {
            continue;
        }
        let (uscc, county) = rng.pick(enterprises).clone();
        let category = *rng.pick(&Category::ALL);
        let tags: Vec<Difficulty> = Difficulty::ALL
            .into_iter()
            .filter(|_| rng.chance(120))
            .collect();
        let hub = hub_for(county.as_deref());
        let (channel, caller, raised_by) = if hotline {
            (
                Channel::Hotline,
                Some(format!("0573-{}", 82_000_000 + rng.below(999_999))),
                actor("hotline-01", "hotline"),
            )
        } else if rng.chance(120) {
            (
                Channel::Api,
                None,
                actor(&format!("api:{uscc}"), "enterprise-staff"),
            )
        } else {
            (
                Channel::Portal,
                None,
                actor(&format!("staff:{uscc}"), "enterprise-staff"),
            )
        };
        let first = Request {
            state: State::Submitted,
            category,
            tags,
            enterprise: uscc.clone(),
            hub: hub.clone(),
            assignee: None,
            submitted,
            accepted: None,
            resolved: None,
            pauses: Vec::new(),
            rating: None,
            escalated: false,
            reopened: 0,
        };
        let hub_actor = actor(&format!("hub:{hub}"), "hub");
        let supervisor = actor(&format!("supervisor:{hub}"), "hub-supervisor");
        let enterprise_actor = actor(&format!("staff:{uscc}"), "enterprise-staff");
        // The answer's time, by the request's category.
        let budget = levels
            .resolution(&Request {
                accepted: Some(submitted),
                ..first.clone()
            })
            .map_or(1440, |c| c.budget);
        let mut steps = Vec::new();
        let mut now = first.clone();
        // Each step as its party takes it, if the rules allow and it falls before the end.
        let mut take = |party: &Party, who: &Actor, action: Action, at: Option<Moment>| -> bool {
            let Some(at) = at.filter(|m| *m < end) else {
                return false;
            };
            match step(&now, party, &action, at, &levels, cal) {
                Ok(next) => {
                    steps.push((who.clone(), action, next.clone(), at));
                    now = next;
                    true
                }
                Err(_) => false,
            }
        };
        let hub_party = Party::Hub(hub.clone());
        // Acceptance: within the hour to a working day mostly; 6% late and escalated first.
        let late = rng.chance(60);
        let accept_in = if late {
            480 + rng.below(960)
        } else {
            10 + rng.below(360)
        };
        let accept_at = later(&levels, cal, submitted, accept_in);
        if late {
            let escalate_at = later(&levels, cal, submitted, 480 + rng.below(60) + 5)
                .filter(|m| accept_at.is_none_or(|a| *m < a));
            take(
                &Party::Supervisor(hub.clone()),
                &supervisor,
                Action::Escalate("超过受理时限，请当日受理".into()),
                escalate_at,
            );
        }
        let mut ok = take(&hub_party, &hub_actor, Action::Accept, accept_at);
        // Dispatch: a provider giving this help in this county (or city-wide), else a department.
        let fitting: Vec<&Provider> = providers
            .iter()
            .filter(|p| p.categories.contains(&category))
            .filter(|p| p.counties.is_empty() || Some(&p.counties[0]) == county.as_ref())
            .collect();
        let (to, assignee) = if !fitting.is_empty() && (departments.is_empty() || rng.chance(700)) {
            let p = rng.pick(&fitting);
            (
                p.uscc.clone(),
                actor(&format!("provider:{}", p.uscc), "provider"),
            )
        } else if let Some(d) = departments.get(rng.below(departments.len() as u64) as usize) {
            (
                d.clone(),
                actor(&format!("dept:{d}"), "department-reviewer"),
            )
        } else {
            (CITY_HUB.to_string(), hub_actor.clone())
        };
        let assignee_party = Party::Assignee(to.clone());
        let mut clock = accept_at;
        ok = ok && {
            clock = clock.and_then(|m| later(&levels, cal, m, 10 + rng.below(120)));
            take(&hub_party, &hub_actor, Action::Dispatch(to), clock)
        };
        ok = ok && {
            clock = clock.and_then(|m| later(&levels, cal, m, 5 + rng.below(60)));
            take(&assignee_party, &assignee, Action::Start, clock)
        };
        // A fifth wait for the enterprise, one to three days.
        if ok && rng.chance(200) {
            clock = clock.and_then(|m| later(&levels, cal, m, 30 + rng.below(480)));
            ok = take(
                &assignee_party,
                &assignee,
                Action::Ask("请补充相关证明材料".into()),
                clock,
            );
            clock = clock.map(|m| days_after(m, 1 + rng.below(3) as i32, 10));
            ok = ok
                && take(
                    &Party::Enterprise(uscc.clone()),
                    &enterprise_actor,
                    Action::Supplement("已上传材料".into()),
                    clock,
                );
        }
        // The answer: a fifth to 130% of its time (some breached).
        ok = ok && {
            let share = 20 + rng.below(110);
            clock = accept_at
                .and_then(|a| later(&levels, cal, a, budget * share / 100))
                .filter(|m| clock.is_none_or(|c| *m > c))
                .or_else(|| clock.and_then(|m| later(&levels, cal, m, 60)));
            take(
                &assignee_party,
                &assignee,
                Action::Resolve("已答复企业并提供办理指引".into()),
                clock,
            )
        };
        if ok && rng.chance(50) {
            clock = clock.map(|m| days_after(m, 1, 9 + rng.below(8) as u32));
            if take(
                &Party::Enterprise(uscc.clone()),
                &enterprise_actor,
                Action::Reopen("问题没有解决".into()),
                clock,
            ) {
                clock = clock.and_then(|m| later(&levels, cal, m, 240 + rng.below(960)));
                ok = take(
                    &assignee_party,
                    &assignee,
                    Action::Resolve("已再次答复".into()),
                    clock,
                );
            }
        }
        if ok && rng.chance(750) {
            let score = [5, 5, 5, 4, 4, 3, 2, 1][rng.below(8) as usize];
            clock = clock.map(|m| days_after(m, rng.below(3) as i32, 9 + rng.below(9) as u32));
            take(
                &Party::Enterprise(uscc.clone()),
                &enterprise_actor,
                Action::Rate(score, if score >= 4 { "满意" } else { "一般" }.into()),
                clock,
            );
        }
        requests.push(History {
            new: NewRequest {
                request: first,
                text: rng.pick(&TEXTS).to_string(),
                channel,
                caller,
            },
            raised_by,
            steps,
        });
    }
    requests.sort_by_key(|h| h.new.request.submitted);
    let working_moment = |rng: &mut Rng| loop {
        let day = Date::from_days(start_day + rng.below(365) as i32);
        let m = Moment::at(day, 9 + rng.below(8) as u32, rng.below(60) as u32);
        if cal.is_working_day(day).unwrap_or(false) && m < end {
            return m;
        }
    };
    let connections = (0..600)
        .filter_map(|_| {
            let (uscc, _) = rng.pick(enterprises).clone();
            let confirmed = working_moment(&mut rng);
            let minutes = if rng.chance(40) {
                480 + rng.below(600)
            } else {
                30 + rng.below(420)
            };
            let connected = later(&levels, cal, confirmed, minutes)?;
            (connected < end).then_some(Connection {
                enterprise: uscc,
                utility: *rng.pick(&[Utility::Water, Utility::Power, Utility::Gas]),
                confirmed,
                connected,
            })
        })
        .collect();
    let approvals = (0..150)
        .filter_map(|i| {
            let (uscc, _) = rng.pick(enterprises).clone();
            let started = working_moment(&mut rng).date;
            let days = if rng.chance(80) {
                81 + rng.below(30)
            } else {
                35 + rng.below(45)
            } as i32;
            let approved = Date::from_days(started.to_days() + days);
            (approved < end.date).then(|| Approval {
                project: format!("{}-330400-04-01-{:06}", started.year, 100_000 + i),
                enterprise: uscc,
                started,
                approved,
            })
        })
        .collect();
    DeskYear {
        providers,
        requests,
        connections,
        approvals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_year_is_true_to_the_rules_and_the_same_for_a_seed() {
        let cal = Calendar::bundled().unwrap();
        let enterprises: Vec<(String, Option<String>)> = (0..50)
            .map(|i| {
                (
                    jx555_facts::cell::with_check_char(&format!("91330402MA2B{i:05}")),
                    Some(jx555_facts::model::COUNTIES[i % 9].to_string()),
                )
            })
            .collect();
        let end = Moment::parse("2026-12-01 12:00").unwrap();
        let y = year(&enterprises, &["市经信局".into()], 2000, end, &cal, 7);
        assert_eq!(y.requests.len(), 2000);
        // Every step followed from the one before by the rules (the generator only keeps those).
        let levels = Levels::default();
        let mut states = std::collections::HashSet::new();
        let mut escalated = 0;
        for h in &y.requests {
            let last = h.steps.last().map_or(&h.new.request, |s| &s.2);
            states.insert(format!("{:?}", last.state));
            escalated += usize::from(last.escalated);
            for (_, _, _, at) in &h.steps {
                assert!(*at >= h.new.request.submitted && *at < end);
            }
        }
        // Every stage is seen at the end; some were escalated.
        assert!(states.len() >= 5, "{states:?}");
        assert!(escalated > 0);
        let report = jx555_workflow::service::report(
            y.requests
                .iter()
                .map(|h| h.steps.last().map_or(&h.new.request, |s| &s.2)),
            &levels,
            &cal,
            end,
        )
        .unwrap();
        assert!(report.total.breached + report.total.at_risk > 0 || report.total.open > 0);
        assert!(report.total.resolved_in_time < report.total.resolution_decided);
        let again = year(&enterprises, &["市经信局".into()], 2000, end, &cal, 7);
        assert_eq!(
            again.requests.iter().map(|h| h.steps.len()).sum::<usize>(),
            y.requests.iter().map(|h| h.steps.len()).sum::<usize>()
        );
        assert!(!y.connections.is_empty() && !y.approvals.is_empty());
        // The registry is one the import would take.
        for p in &y.providers {
            jx555_facts::cell::uscc(&p.uscc).unwrap();
        }
    }
}
