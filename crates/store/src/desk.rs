//! The service desk as the store keeps it: requests and their steps (each with its audit entry in
//! one transaction), the provider registry, and clause （二十）'s events. The rules are
//! `jx555_workflow::request` and `::service`; the store keeps what they decided.

use crate::StoreError;
use jx555_lang::types::Date;
use jx555_workflow::clock::Moment;
use jx555_workflow::request::{Action, Request, State};
use jx555_workflow::service::{Approval, Connection, Provider};
use serde::{Deserialize, Serialize};

/// How a request came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// The enterprise's own portal.
    Portal,
    /// A call to the 96871 hotline, recorded by an operator.
    Hotline,
    /// Another system, through the API.
    Api,
}

impl Channel {
    /// Its name on the pages.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Portal => "企业端",
            Channel::Hotline => "96871热线",
            Channel::Api => "接口",
        }
    }
}

/// A request to raise.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// The request as it starts (待受理, routed to its hub).
    pub request: Request,
    /// What the enterprise asks, in its words.
    pub text: String,
    /// How it came in.
    pub channel: Channel,
    /// The caller's phone, for a hotline call.
    pub caller: Option<String>,
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRequest {
    /// Its number.
    pub id: i64,
    /// The request.
    pub request: Request,
    /// What was asked.
    pub text: String,
    /// How it came in.
    pub channel: Channel,
    /// The caller's phone (hotline).
    pub caller: Option<String>,
    /// The account that raised it.
    pub raised_by: String,
}

/// One step of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEvent {
    /// When, Beijing time.
    pub at: Moment,
    /// Who.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// What was done, with its text.
    pub action: Action,
    /// The state before.
    pub from: State,
    /// The state after.
    pub to: State,
}

/// A request's history as another system (or the demo) recorded it: raised by one account, then
/// each step by its actor at its moment, with the request after it.
#[derive(Debug, Clone)]
pub struct History {
    /// The request as raised.
    pub new: NewRequest,
    /// Who raised it.
    pub raised_by: crate::audit::Actor,
    /// Each step: who, what, the request after it, when.
    pub steps: Vec<(crate::audit::Actor, Action, Request, Moment)>,
}

/// Which requests to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// Routed to this hub.
    pub hub: Option<String>,
    /// Of this enterprise.
    pub enterprise: Option<String>,
    /// Dispatched to this department or provider.
    pub assignee: Option<String>,
    /// Only those not yet answered or closed.
    pub open: bool,
    /// Raised on or after this day.
    pub since: Option<Date>,
    /// Raised before this day.
    pub until: Option<Date>,
}

/// The store's service desk. Part of every [`crate::Store`].
pub trait Desk {
    /// Raises a request (audited `request.raise`, object `request:<id>`). Its number.
    fn raise(&mut self, new: &NewRequest) -> Result<i64, StoreError>;
    /// Stores requests with their whole histories in one transaction, each raise and step audited
    /// under its own actor (a legacy desk's records, or the demo's year). How many.
    fn load_history(&mut self, list: &[History]) -> Result<usize, StoreError>;
    /// The requests passing the filter, by number.
    fn requests(&self, filter: &RequestFilter) -> Result<Vec<StoredRequest>, StoreError>;
    /// One request and its steps.
    fn request(&self, id: i64) -> Result<Option<(StoredRequest, Vec<RequestEvent>)>, StoreError>;
    /// Records a step `jx555_workflow::request::step` allowed: `next` replaces the request if it is
    /// still as `before` (a concurrent change is refused, not overwritten), with its event and an
    /// audit entry (`request.<action>`).
    fn record_request_step(
        &mut self,
        id: i64,
        before: &Request,
        action: &Action,
        next: &Request,
        at: Moment,
    ) -> Result<(), StoreError>;
    /// The provider registry, by name.
    fn providers(&self) -> Result<Vec<Provider>, StoreError>;
    /// Adds or updates providers, all or none (audited `providers.import`). How many were new and
    /// how many updated.
    fn save_providers(&mut self, list: &[Provider]) -> Result<(usize, usize), StoreError>;
    /// Records utility connections, all or none; one already recorded (same enterprise, utility and
    /// confirmation) refuses the lot (audited `connections.import`). How many.
    fn add_connections(&mut self, list: &[Connection]) -> Result<usize, StoreError>;
    /// The utility connections confirmed in `year` (all with None).
    fn connections(&self, year: Option<i32>) -> Result<Vec<Connection>, StoreError>;
    /// Records project approvals, all or none; a project already recorded refuses the lot (audited
    /// `approvals.import`). How many.
    fn add_approvals(&mut self, list: &[Approval]) -> Result<usize, StoreError>;
    /// The project approvals given in `year` (all with None).
    fn approvals(&self, year: Option<i32>) -> Result<Vec<Approval>, StoreError>;
    /// Keeps a file with a request (audited `request.attach`, the digest its SHA-256). Its number.
    fn attach_to_request(
        &mut self,
        request: i64,
        file: &crate::cases::NewAttachment,
    ) -> Result<i64, StoreError>;
    /// A request's files, without their bytes.
    fn request_attachments(
        &self,
        request: i64,
    ) -> Result<Vec<crate::cases::Attachment>, StoreError>;
    /// One file of a request, with its bytes.
    fn request_attachment(
        &self,
        request: i64,
        id: i64,
    ) -> Result<Option<(crate::cases::Attachment, Vec<u8>)>, StoreError>;
    /// Year by year: the hubs that accepted a request, the enterprises that raised one.
    fn yearly_reach(&self) -> Result<Vec<Reach>, StoreError>;
}

/// The desk's reach in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    /// The year.
    pub year: i32,
    /// County hubs that accepted a request.
    pub county_hubs: u64,
    /// Whether the city hub accepted one.
    pub city_hub: bool,
    /// Enterprises that raised a request.
    pub enterprises: u64,
}

/// The desk's measures of the pack's targets (`jx555_workflow::service::targets`), by target and
/// year: the city hub and county hubs at work, providers registered by the year's end, enterprises served, the
/// year's longest connection in working hours and longest approval in days (as `reading` counts
/// them). An event whose clock runs past the calendar is an error naming the year.
pub fn measured(
    store: &dyn crate::Store,
    levels: &jx555_workflow::request::Levels,
    cal: &jx555_workflow::calendar::Calendar,
    reading: jx555_workflow::service::DayReading,
) -> Result<std::collections::BTreeMap<(String, i32), rust_decimal::Decimal>, StoreError> {
    use jx555_workflow::service::{approval_days, connection_minutes, targets as t};
    use rust_decimal::Decimal;
    let mut out = std::collections::BTreeMap::new();
    let refused = |e: jx555_workflow::calendar::NotLoaded| StoreError::Refused(e.to_string());
    for r in store.yearly_reach()? {
        out.insert(
            (t::COUNTY_HUBS.to_string(), r.year),
            Decimal::from(r.county_hubs),
        );
        out.insert(
            (t::CITY_HUBS.to_string(), r.year),
            Decimal::from(u8::from(r.city_hub)),
        );
        out.insert(
            (t::ENTERPRISES_SERVED.to_string(), r.year),
            Decimal::from(r.enterprises),
        );
    }
    let providers = store.providers()?;
    if let Some(first) = providers.iter().map(|p| p.registered.year).min() {
        let last = out
            .keys()
            .map(|(_, y)| *y)
            .max()
            .unwrap_or(first)
            .max(first);
        for year in first..=last {
            let n = providers
                .iter()
                .filter(|p| p.registered.year <= year)
                .count();
            out.insert((t::PROVIDERS.to_string(), year), Decimal::from(n));
        }
    }
    for c in store.connections(None)? {
        let hours = Decimal::from(connection_minutes(&c, levels, cal).map_err(refused)?)
            / Decimal::from(60);
        let e = out
            .entry((t::CONNECTION_HOURS.to_string(), c.confirmed.date.year))
            .or_insert(hours);
        *e = (*e).max(hours);
    }
    for a in store.approvals(None)? {
        let days = Decimal::from(approval_days(&a, reading, cal).map_err(refused)?);
        let e = out
            .entry((t::APPROVAL_DAYS.to_string(), a.approved.year))
            .or_insert(days);
        *e = (*e).max(days);
    }
    Ok(out)
}

/// The desk's steps as the web, the API and the command line take them: checked by
/// `jx555_workflow::request` for the account, then kept by the store under its name.
pub mod steps {
    use super::{Channel, NewRequest, StoredRequest};
    use crate::audit::Actor;
    use crate::{Store, StoreError};
    use jx555_workflow::access::{Principal, Role, Scope};
    use jx555_workflow::calendar::Calendar;
    use jx555_workflow::clock::Moment;
    use jx555_workflow::request::{
        self, Action, Category, Difficulty, Levels, Request, State, hub_for, party,
    };

    /// The longest text of a request or an answer, in bytes.
    pub const MAX_TEXT: usize = 2000;

    fn refused<T>(why: impl Into<String>) -> Result<T, StoreError> {
        Err(StoreError::Refused(why.into()))
    }

    fn act_as(store: &mut dyn Store, p: &Principal) {
        store.set_actor(Actor {
            name: p.name.clone(),
            role: p.role.code().into(),
        });
    }

    /// What is raised: the enterprise (and its county, from the facts), the help, the tags, the
    /// text, and for a hotline call the caller's phone.
    #[derive(Debug, Clone)]
    pub struct Raise {
        /// The enterprise (统一社会信用代码).
        pub enterprise: String,
        /// Its county per the facts (None: a city-level unit, routed to the city hub).
        pub county: Option<String>,
        /// 四帮.
        pub category: Category,
        /// 破六难.
        pub tags: Vec<Difficulty>,
        /// What is asked.
        pub text: String,
        /// The caller's phone (hotline).
        pub caller: Option<String>,
    }

    /// Raises a request as `p`: an enterprise's staff for their own enterprise (from the portal, or
    /// through the API), the hotline for a caller's enterprise with the caller's phone. Routed to
    /// the enterprise's county hub, or the city's. Its number.
    pub fn raise(
        store: &mut dyn Store,
        p: &Principal,
        r: Raise,
        via_api: bool,
        now: Moment,
    ) -> Result<i64, StoreError> {
        let channel = match (p.role, &p.scope) {
            (Role::EnterpriseStaff | Role::EnterpriseAdmin, Scope::Enterprise(u)) => {
                if *u != r.enterprise {
                    return refused("企业只能为本企业提出诉求");
                }
                if via_api {
                    Channel::Api
                } else {
                    Channel::Portal
                }
            }
            (Role::Hotline, _) => {
                let phone = r.caller.as_deref().unwrap_or("").trim();
                if phone.len() < 5
                    || phone.len() > 20
                    || !phone.chars().all(|c| c.is_ascii_digit() || c == '-')
                {
                    return refused("请填写来电号码（数字，可含 -）");
                }
                Channel::Hotline
            }
            _ => return refused("只有企业和 96871 坐席可以提出诉求"),
        };
        let text = r.text.trim();
        if text.is_empty() {
            return refused("请写明诉求内容");
        }
        if text.len() > MAX_TEXT {
            return refused(format!("诉求内容不超过 {MAX_TEXT} 字节"));
        }
        let mut tags = r.tags;
        tags.sort();
        tags.dedup();
        let request = Request {
            state: State::Submitted,
            category: r.category,
            tags,
            enterprise: r.enterprise,
            hub: hub_for(r.county.as_deref()),
            assignee: None,
            submitted: now,
            accepted: None,
            resolved: None,
            pauses: Vec::new(),
            rating: None,
            escalated: false,
            reopened: 0,
        };
        act_as(store, p);
        store.raise(&NewRequest {
            request,
            text: text.to_string(),
            channel,
            caller: r.caller.filter(|_| channel == Channel::Hotline),
        })
    }

    /// Takes `action` on request `id` as `p` at `now`: the request must be in `p`'s sight (else it
    /// is not there), `request::step` must allow it, a dispatch must name a provider of the
    /// registry or a department. The request after, or why not.
    #[allow(clippy::too_many_arguments)]
    pub fn act(
        store: &mut dyn Store,
        p: &Principal,
        id: i64,
        action: &Action,
        now: Moment,
        levels: &Levels,
        cal: &Calendar,
        departments: &[String],
    ) -> Result<StoredRequest, StoreError> {
        let not_there = || StoreError::Refused(format!("没有第 {id} 号诉求"));
        let (stored, _) = store
            .request(id)?
            .filter(|(s, _)| request::sees(p, &s.request))
            .ok_or_else(not_there)?;
        let who = party(p).ok_or_else(not_there)?;
        if let Action::Ask(t)
        | Action::Supplement(t)
        | Action::Resolve(t)
        | Action::Reopen(t)
        | Action::Escalate(t)
        | Action::Rate(_, t) = action
            && t.len() > MAX_TEXT
        {
            return refused(format!("内容不超过 {MAX_TEXT} 字节"));
        }
        if let Action::Dispatch(to) = action {
            let known =
                departments.contains(to) || store.providers()?.iter().any(|x| x.uscc == *to);
            if !known {
                return refused(format!("{to:?} 既不是责任单位，也不是登记的服务供给机构"));
            }
        }
        let next = request::step(&stored.request, &who, action, now, levels, cal)
            .map_err(|r| StoreError::Refused(format!("未办理：{r}（第 {id} 号诉求）")))?;
        act_as(store, p);
        store.record_request_step(id, &stored.request, action, &next, now)?;
        Ok(StoredRequest {
            request: next,
            ..stored
        })
    }
}
