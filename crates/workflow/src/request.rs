//! The 「一九千万」 service desk's requests (诉求, clause （二十一）): the four helps, routed to a hub and
//! dispatched to a department or a service provider, with their service-level clocks. Pure, as the
//! award case is: one transition table, and [`step`] saying what a request becomes or why not.
//!
//! ```text
//! 待受理 ─accept─> 已受理 ─dispatch─> 已派单 ─start─> 办理中 ─resolve─> 已办结 ─rate─> 已关闭
//!                                               └─ask─> 待企业补充 (clock paused) ─supplement─┘
//!                                     已办结 ─reopen (within n working days)─> 办理中
//! 督办: the hub's supervisor escalates a request past its deadline (a flag; the path goes on).
//! ```

use crate::access::{Principal, Role, Scope};
use crate::calendar::{Calendar, NotLoaded};
use crate::clock::{Clock, Moment, WorkingDay};
use serde::{Deserialize, Serialize};

/// 四帮: what kind of help is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    /// 政策帮.
    Policy,
    /// 事务帮.
    Affairs,
    /// 诉求帮.
    Appeal,
    /// 服务帮.
    Service,
}

impl Category {
    /// The four, in the policy's order.
    pub const ALL: [Category; 4] = [
        Category::Policy,
        Category::Affairs,
        Category::Appeal,
        Category::Service,
    ];

    /// A category by its name (政策帮, or 政策 …); the error lists them.
    pub fn parse(s: &str) -> Result<Category, String> {
        let s = s.trim();
        Category::ALL
            .into_iter()
            .find(|c| c.name() == s || c.name().trim_end_matches('帮') == s)
            .ok_or_else(|| format!("{s:?} is not one of 政策帮、事务帮、诉求帮、服务帮"))
    }

    /// The category's name.
    pub fn name(self) -> &'static str {
        match self {
            Category::Policy => "政策帮",
            Category::Affairs => "事务帮",
            Category::Appeal => "诉求帮",
            Category::Service => "服务帮",
        }
    }
}

/// 破六难: the difficulty a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Difficulty {
    /// 准入难.
    Entry,
    /// 融资难.
    Financing,
    /// 回款难.
    Payment,
    /// 中标难.
    Bidding,
    /// 维权难.
    Rights,
    /// 转型难.
    Transition,
}

impl Difficulty {
    /// The six, in the policy's order.
    pub const ALL: [Difficulty; 6] = [
        Difficulty::Entry,
        Difficulty::Financing,
        Difficulty::Payment,
        Difficulty::Bidding,
        Difficulty::Rights,
        Difficulty::Transition,
    ];

    /// The difficulty's name.
    pub fn name(self) -> &'static str {
        match self {
            Difficulty::Entry => "准入难",
            Difficulty::Financing => "融资难",
            Difficulty::Payment => "回款难",
            Difficulty::Bidding => "中标难",
            Difficulty::Rights => "维权难",
            Difficulty::Transition => "转型难",
        }
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum State {
    /// 待受理.
    Submitted,
    /// 已受理.
    Accepted,
    /// 已派单.
    Dispatched,
    /// 办理中.
    InProgress,
    /// 待企业补充: the clock is paused.
    AwaitingEnterprise,
    /// 已办结: answered; the enterprise rates it, or reopens it within the set working days.
    Resolved,
    /// 已关闭.
    Closed,
}

impl State {
    /// The state's name as the pages show it.
    pub fn name(self) -> &'static str {
        match self {
            State::Submitted => "待受理",
            State::Accepted => "已受理",
            State::Dispatched => "已派单",
            State::InProgress => "办理中",
            State::AwaitingEnterprise => "待企业补充",
            State::Resolved => "已办结",
            State::Closed => "已关闭",
        }
    }
}

/// Who acts on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Party {
    /// The enterprise that asked (its 统一社会信用代码).
    Enterprise(String),
    /// A hub (枢纽: the city's, or a county's), by name.
    Hub(String),
    /// A department or service provider a request was dispatched to, by name.
    Assignee(String),
    /// A hub's supervisor (督办), by the hub's name.
    Supervisor(String),
}

/// One service request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Where it stands.
    pub state: State,
    /// 四帮.
    pub category: Category,
    /// 破六难 tags.
    pub tags: Vec<Difficulty>,
    /// The enterprise (统一社会信用代码).
    pub enterprise: String,
    /// The hub it is routed to (the enterprise's county hub, or the city hub).
    pub hub: String,
    /// Whom it was dispatched to.
    pub assignee: Option<String>,
    /// When it was raised.
    pub submitted: Moment,
    /// When it was accepted (the resolution clock starts).
    pub accepted: Option<Moment>,
    /// When it was last answered.
    pub resolved: Option<Moment>,
    /// The resolution clock's pauses (待企业补充).
    pub pauses: Vec<(Moment, Option<Moment>)>,
    /// The enterprise's rating (1–5) and comment.
    pub rating: Option<(u8, String)>,
    /// Escalated to the hub's supervisor (督办).
    pub escalated: bool,
    /// How many times it was reopened.
    pub reopened: u32,
}

/// What can be done to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// 受理.
    Accept,
    /// 派单 to a department or provider.
    Dispatch(String),
    /// Start work.
    Start,
    /// Ask the enterprise for more (the clock pauses), with the question.
    Ask(String),
    /// The enterprise's answer to a question (the clock runs again).
    Supplement(String),
    /// 办结, with the answer.
    Resolve(String),
    /// 评价: 1–5 and a comment; the request closes.
    Rate(u8, String),
    /// Reopen, with the reason, within the set working days after the answer.
    Reopen(String),
    /// 督办, with the reason.
    Escalate(String),
}

/// The kinds of [`Action`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// [`Action::Accept`].
    Accept,
    /// [`Action::Dispatch`].
    Dispatch,
    /// [`Action::Start`].
    Start,
    /// [`Action::Ask`].
    Ask,
    /// [`Action::Supplement`].
    Supplement,
    /// [`Action::Resolve`].
    Resolve,
    /// [`Action::Rate`].
    Rate,
    /// [`Action::Reopen`].
    Reopen,
    /// [`Action::Escalate`].
    Escalate,
}

impl Action {
    /// The action's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Action::Accept => Kind::Accept,
            Action::Dispatch(_) => Kind::Dispatch,
            Action::Start => Kind::Start,
            Action::Ask(_) => Kind::Ask,
            Action::Supplement(_) => Kind::Supplement,
            Action::Resolve(_) => Kind::Resolve,
            Action::Rate(..) => Kind::Rate,
            Action::Reopen(_) => Kind::Reopen,
            Action::Escalate(_) => Kind::Escalate,
        }
    }
}

/// Who takes an action on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The enterprise that asked.
    Enterprise,
    /// Its hub.
    Hub,
    /// Whom it was dispatched to.
    Assignee,
    /// The hub's supervisor.
    Supervisor,
}

/// One row of the transition table; `to: None` keeps the state (督办).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// From this state …
    pub from: State,
    /// … this action …
    pub kind: Kind,
    /// … by this actor …
    pub by: Actor,
    /// … leads here.
    pub to: Option<State>,
}

const fn t(from: State, kind: Kind, by: Actor, to: Option<State>) -> Transition {
    Transition { from, kind, by, to }
}

use Actor as A;
use Kind as K;
use State as S;

/// Every transition; anything else is refused.
pub const TRANSITIONS: &[Transition] = &[
    t(S::Submitted, K::Accept, A::Hub, Some(S::Accepted)),
    t(S::Accepted, K::Dispatch, A::Hub, Some(S::Dispatched)),
    t(S::Dispatched, K::Start, A::Assignee, Some(S::InProgress)),
    t(
        S::InProgress,
        K::Ask,
        A::Assignee,
        Some(S::AwaitingEnterprise),
    ),
    t(
        S::AwaitingEnterprise,
        K::Supplement,
        A::Enterprise,
        Some(S::InProgress),
    ),
    t(S::InProgress, K::Resolve, A::Assignee, Some(S::Resolved)),
    t(S::Resolved, K::Rate, A::Enterprise, Some(S::Closed)),
    t(S::Resolved, K::Reopen, A::Enterprise, Some(S::InProgress)),
    t(S::Submitted, K::Escalate, A::Supervisor, None),
    t(S::Accepted, K::Escalate, A::Supervisor, None),
    t(S::Dispatched, K::Escalate, A::Supervisor, None),
    t(S::InProgress, K::Escalate, A::Supervisor, None),
];

/// The settings of the desk's clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Levels {
    /// The hours of a working day.
    pub day: WorkingDay,
    /// Working minutes to accept a request (one working day).
    pub accept: u64,
    /// Working minutes to resolve one, by category (政策帮, 事务帮, 诉求帮, 服务帮).
    pub resolve: [u64; 4],
    /// Working days after an answer in which the enterprise may reopen.
    pub reopen_days: u32,
    /// The share of its time, in percent, past which a request is at risk.
    pub warn: u64,
}

impl Default for Levels {
    fn default() -> Self {
        Levels {
            day: WorkingDay::default(),
            accept: 480,
            resolve: [3 * 480, 5 * 480, 10 * 480, 5 * 480],
            reopen_days: 5,
            warn: 80,
        }
    }
}

impl Levels {
    /// The clock of acceptance.
    pub fn acceptance(&self, r: &Request) -> Clock {
        Clock {
            started: r.submitted,
            budget: self.accept,
            pauses: Vec::new(),
        }
    }

    /// The clock of resolution, once accepted.
    pub fn resolution(&self, r: &Request) -> Option<Clock> {
        let category = match r.category {
            Category::Policy => 0,
            Category::Affairs => 1,
            Category::Appeal => 2,
            Category::Service => 3,
        };
        r.accepted.map(|started| Clock {
            started,
            budget: self.resolve[category],
            pauses: r.pauses.clone(),
        })
    }
}

/// The city's hub: requests of enterprises with no county (city-level units) go here.
pub const CITY_HUB: &str = "市级枢纽";

/// The hub a request of an enterprise in `county` is routed to: its county's, or the city's.
pub fn hub_for(county: Option<&str>) -> String {
    county.unwrap_or(CITY_HUB).to_string()
}

/// The hub an account of the hub roles works for: its county's, or the city's.
fn hub_of(scope: &Scope) -> Option<String> {
    match scope {
        Scope::County(c) => Some(c.clone()),
        Scope::City => Some(CITY_HUB.to_string()),
        _ => None,
    }
}

/// The party an account acts as on requests: an enterprise's staff as the enterprise, a hub's
/// staff as the hub, a supervisor as its hub's supervisor, a provider or a department as an
/// assignee. Others act on no request.
pub fn party(p: &Principal) -> Option<Party> {
    match (p.role, &p.scope) {
        (Role::EnterpriseStaff | Role::EnterpriseAdmin, Scope::Enterprise(u)) => {
            Some(Party::Enterprise(u.clone()))
        }
        (Role::Hub, s) => hub_of(s).map(Party::Hub),
        (Role::HubSupervisor, s) => hub_of(s).map(Party::Supervisor),
        (Role::Provider, Scope::Provider(u)) => Some(Party::Assignee(u.clone())),
        (Role::DepartmentReviewer, Scope::Department(d)) => Some(Party::Assignee(d.clone())),
        _ => None,
    }
}

/// Whether `p` sees a request: the enterprise its own, a county hub (and its supervisor) its
/// county's, the city hub, the hotline and the auditor all, a provider or department those sent
/// to it.
pub fn sees(p: &Principal, r: &Request) -> bool {
    match (p.role, &p.scope) {
        (Role::EnterpriseStaff | Role::EnterpriseAdmin, Scope::Enterprise(u)) => *u == r.enterprise,
        (Role::Hub | Role::HubSupervisor, Scope::County(c)) => *c == r.hub,
        (Role::Hub | Role::HubSupervisor | Role::Hotline | Role::Auditor, Scope::City) => true,
        (Role::Provider, Scope::Provider(u)) | (Role::DepartmentReviewer, Scope::Department(u)) => {
            r.assignee.as_ref() == Some(u)
        }
        _ => false,
    }
}

/// The actions `party` may take on `r` now, by kind (the page offers these and no others).
pub fn available(r: &Request, party: &Party) -> Vec<Kind> {
    TRANSITIONS
        .iter()
        .filter(|t| t.from == r.state && is(party, t.by, r))
        .map(|t| t.kind)
        .collect()
}

/// Whether `party` may add a file to `r`: the enterprise, its hub or whom it went to, until it is
/// closed.
pub fn may_attach(r: &Request, party: &Party) -> bool {
    r.state != State::Closed
        && [Actor::Enterprise, Actor::Hub, Actor::Assignee]
            .into_iter()
            .any(|a| is(party, a, r))
}

/// Why a step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The rules say no, with the reason.
    #[error("{0}")]
    Rule(String),
    /// The calendar does not reach the moment.
    #[error(transparent)]
    Calendar(#[from] NotLoaded),
}

fn no<T>(why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal::Rule(why.into()))
}

fn is(party: &Party, actor: Actor, r: &Request) -> bool {
    match (actor, party) {
        (Actor::Enterprise, Party::Enterprise(u)) => *u == r.enterprise,
        (Actor::Hub, Party::Hub(h)) | (Actor::Supervisor, Party::Supervisor(h)) => *h == r.hub,
        (Actor::Assignee, Party::Assignee(a)) => r.assignee.as_ref() == Some(a),
        _ => false,
    }
}

/// What `r` becomes when `party` takes `action` at `now`, or why not.
pub fn step(
    r: &Request,
    party: &Party,
    action: &Action,
    now: Moment,
    levels: &Levels,
    cal: &Calendar,
) -> Result<Request, Refusal> {
    let kind = action.kind();
    let Some(row) = TRANSITIONS
        .iter()
        .find(|x| x.from == r.state && x.kind == kind)
    else {
        return no(format!("“{}”的诉求不能这样办理", r.state.name()));
    };
    if !is(party, row.by, r) {
        return no("您不能办理这一诉求");
    }
    if now < r.submitted {
        return no("办理时间早于提出时间");
    }
    let mut next = r.clone();
    if let Some(to) = row.to {
        next.state = to;
    }
    let text = |s: &str| {
        if s.trim().is_empty() {
            no("请写明内容")
        } else {
            Ok(())
        }
    };
    match action {
        Action::Accept => next.accepted = Some(now),
        Action::Dispatch(to) => {
            text(to)?;
            next.assignee = Some(to.clone());
        }
        Action::Start => {}
        Action::Ask(q) => {
            text(q)?;
            next.pauses.push((now, None));
        }
        Action::Supplement(a) => {
            text(a)?;
            if let Some(last) = next.pauses.last_mut() {
                last.1 = Some(now);
            }
        }
        Action::Resolve(a) => {
            text(a)?;
            next.resolved = Some(now);
        }
        Action::Rate(score, comment) => {
            if !(1..=5).contains(score) {
                return no("评价为 1 到 5 分");
            }
            next.rating = Some((*score, comment.clone()));
        }
        Action::Reopen(why) => {
            text(why)?;
            let answered = r.resolved.unwrap_or(r.submitted);
            let limit = u64::from(levels.reopen_days) * u64::from(levels.day.minutes);
            if levels.day.minutes_between(cal, answered, now)? > limit {
                return no(format!(
                    "办结已超过 {} 个工作日，不能重新打开；请另提诉求",
                    levels.reopen_days
                ));
            }
            next.reopened += 1;
        }
        Action::Escalate(why) => {
            text(why)?;
            if r.escalated {
                return no("已督办");
            }
            // 督办 only past a deadline: acceptance, or resolution once accepted.
            let clock = levels.resolution(r).unwrap_or_else(|| levels.acceptance(r));
            if now <= clock.due(&levels.day, cal, now)? {
                return no("尚未超过办理时限，不能督办");
            }
            next.escalated = true;
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests;
