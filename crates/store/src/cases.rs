//! Award cases as the store keeps them: a released run's lines on their path to payment, each
//! transition an event and an audit entry in one transaction. The path's rules are
//! `jx555_workflow::case`; the store only keeps what `step` decided.

use crate::StoreError;
use jx555_workflow::case::{Action, Case, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A case to create when a run is released.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// The line's place in the run.
    pub line: usize,
    /// The rule's pack.
    pub pack: String,
    /// The rule.
    pub rule: String,
    /// The record the award is for.
    pub subject: String,
    /// The case as it starts.
    pub case: Case,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCase {
    /// Its number.
    pub id: i64,
    /// The run it was released from.
    pub run: i64,
    /// The line's place in that run.
    pub line: usize,
    /// The rule's pack.
    pub pack: String,
    /// The rule.
    pub rule: String,
    /// The record the award is for.
    pub subject: String,
    /// The case.
    pub case: Case,
    /// When it last changed (UTC, ISO 8601).
    pub updated_at: String,
}

/// One transition of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// When (UTC, ISO 8601).
    pub at: String,
    /// Who.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// What was done, with what it needed.
    pub action: Action,
    /// The state before.
    pub from: State,
    /// The state after.
    pub to: State,
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Of this run.
    pub run: Option<i64>,
    /// In this state.
    pub state: Option<State>,
    /// Of this enterprise.
    pub enterprise: Option<String>,
    /// Of this county.
    pub county: Option<String>,
    /// Led by this department.
    pub department: Option<String>,
}

/// The store's cases. Part of every [`crate::Store`].
pub trait Cases {
    /// Releases a stored run (发布): its cases are created, once; only a run under the packs as
    /// written, one run per year. Audited `run.release`. How many cases.
    fn release(&mut self, run: i64, cases: &[NewCase]) -> Result<usize, StoreError>;
    /// The cases passing the filter, by number.
    fn cases(&self, filter: &CaseFilter) -> Result<Vec<StoredCase>, StoreError>;
    /// One case and its history.
    fn case(&self, id: i64) -> Result<Option<(StoredCase, Vec<CaseEvent>)>, StoreError>;
    /// The newest `limit` events of the cases passing the filter, newest first, with their case's
    /// number: a payee's messages (站内信), a reviewer's recent activity.
    fn events(
        &self,
        filter: &CaseFilter,
        limit: usize,
    ) -> Result<Vec<(i64, CaseEvent)>, StoreError>;
    /// Records a transition that `jx555_workflow::case::step` allowed: `next` replaces the case if it
    /// is still in `from` (a concurrent change is refused, not overwritten), with its event and an
    /// audit entry (`case.<action>`, object `case:<id>`, digest of the action).
    fn record_step(
        &mut self,
        id: i64,
        from: State,
        action: &Action,
        next: &Case,
    ) -> Result<(), StoreError>;
    /// Publishes a 公示 batch: the publication (with the audit log's checkpoint as it stands) and
    /// each case's step to it, all in one transaction (audited `publication.create` and a
    /// `case.Publicize` per case). Its number.
    fn publish(&mut self, new: &NewPublication, steps: &[Step]) -> Result<i64, StoreError>;
    /// Every 公示 batch, newest first.
    fn publications(&self) -> Result<Vec<Publication>, StoreError>;
    /// One 公示 batch and its cases.
    fn publication(&self, id: i64) -> Result<Option<(Publication, Vec<StoredCase>)>, StoreError>;
    /// Makes the payment batches of one fund, one per payer of the parts (`{fund}（{payer}）`): each
    /// part into its payer's batch and each case's step, in one transaction (audited `batch.create`
    /// per batch, the audit checkpoint of that moment kept). Their numbers.
    fn make_batches(
        &mut self,
        fund: &str,
        parts: &[NewPart],
        steps: &[Step],
    ) -> Result<Vec<i64>, StoreError>;
    /// Records a batch paid with its voucher: its parts paid, or failed for the cases in `failed`
    /// (with the reason), then each case's step (paid once all its parts are, or failed), each
    /// payment into the ledger, in one transaction (audited `batch.paid`).
    fn settle_batch(
        &mut self,
        id: i64,
        voucher: &str,
        failed: &BTreeMap<i64, String>,
        steps: &[Step],
    ) -> Result<(), StoreError>;
    /// A case's payment parts, in the order they were batched.
    fn parts(&self, case: i64) -> Result<Vec<Part>, StoreError>;
    /// A batch's payment parts, by case.
    fn batch_parts(&self, batch: i64) -> Result<BTreeMap<i64, Part>, StoreError>;
    /// Keeps a file with a case (audited `case.attach`, the digest its SHA-256). Its number.
    fn attach(&mut self, case: i64, file: &NewAttachment) -> Result<i64, StoreError>;
    /// A case's files, without their bytes.
    fn attachments(&self, case: i64) -> Result<Vec<Attachment>, StoreError>;
    /// One file of a case, with its bytes.
    fn attachment(&self, case: i64, id: i64) -> Result<Option<(Attachment, Vec<u8>)>, StoreError>;
    /// Every payment batch, newest first.
    fn batches(&self) -> Result<Vec<Batch>, StoreError>;
    /// Each case's 就高不重复 key (its line's exclusivity key), for the cases that have one.
    fn exclusive_keys(&self) -> Result<BTreeMap<i64, String>, StoreError>;
    /// One payment batch and its cases (those that failed included).
    fn batch(&self, id: i64) -> Result<Option<(Batch, Vec<StoredCase>)>, StoreError>;
}

/// One case's step as `jx555_workflow::case::step` allowed it: the case, the state it was read in,
/// the action, the case after.
pub type Step = (i64, State, Action, Case);

/// A file to keep with a case.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// Its name as uploaded.
    pub name: String,
    /// Its type (`application/pdf`, `image/jpeg`, `image/png`).
    pub mime: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// A file kept with a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Its number.
    pub id: i64,
    /// Its name as uploaded.
    pub name: String,
    /// Its type.
    pub mime: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// When (UTC, ISO 8601) and by whom.
    pub uploaded: (String, String),
}

/// A payment batch (支付批次).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// Its number.
    pub id: i64,
    /// The fund it pays from (专项资金).
    pub fund: String,
    /// When it was made (UTC, ISO 8601).
    pub created_at: String,
    /// When it was recorded paid, and the voucher number.
    pub paid: Option<(String, String)>,
    /// The audit log's checkpoint when it was made.
    pub checkpoint: crate::audit::Checkpoint,
}

/// A payment of (part of) a case to put in a batch: the case, who pays, how much (fen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPart {
    /// The case.
    pub case: i64,
    /// The payer (拨付主体): `市财政` or a county's `…财政`.
    pub payer: String,
    /// The amount, in fen.
    pub amount: i64,
}

/// A payment part in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// The case.
    pub case: i64,
    /// The batch.
    pub batch: i64,
    /// The payer.
    pub payer: String,
    /// The amount, in fen.
    pub amount: i64,
    /// Paid, failed (with the reason), or neither yet.
    pub outcome: PartOutcome,
}

/// Where a payment part stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartOutcome {
    /// In an unsettled batch.
    Pending,
    /// Paid with its batch.
    Paid,
    /// Returned by the bank, with the reason.
    Failed(String),
}

/// A 公示 batch to publish.
#[derive(Debug, Clone)]
pub struct NewPublication {
    /// The lead department publishing it.
    pub department: String,
    /// The last working day of its period.
    pub ends: jx555_lang::types::Date,
    /// Whom to call or write about it (the notice prints it).
    pub contact: String,
}

/// A 公示 batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// Its number.
    pub id: i64,
    /// The lead department.
    pub department: String,
    /// When it was published (UTC, ISO 8601).
    pub created_at: String,
    /// The last working day for objections.
    pub ends: jx555_lang::types::Date,
    /// Whom to contact.
    pub contact: String,
    /// The audit log's checkpoint when it was published: a reader can check a copy of the log
    /// against it.
    pub checkpoint: crate::audit::Checkpoint,
}

/// The cases a run's lines become when it is released: an automatic award (or one whose amount the
/// facts already decide) is pushed to its payee for confirmation; a line for review, 一事一议 or an
/// amount the document leaves open waits for its application. Lines that pay nothing (superseded,
/// paid before, expired, at a cap, missing a fact) are not released. The payee is named from the
/// facts (the enterprise, or the park or organisation itself).
pub fn release_plan(run: &jx555_engine::Run, facts: &jx555_engine::FactIndex) -> Vec<NewCase> {
    use jx555_engine::LineMode;
    use jx555_engine::summary::Standing;
    use jx555_workflow::case::Path;
    run.lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let (state, path, amount) = match (l.standing(), &l.mode) {
                (Standing::Payable, LineMode::Review { cap, .. }) => (
                    State::Pushed,
                    Path::Review {
                        cap: *cap,
                        case_by_case: false,
                    },
                    Some(l.payable),
                ),
                (Standing::Payable, _) if l.payable > 0 => {
                    (State::Pushed, Path::Push, Some(l.payable))
                }
                (Standing::Review, LineMode::Review { cap, .. }) => (
                    State::Open,
                    Path::Review {
                        cap: *cap,
                        case_by_case: false,
                    },
                    None,
                ),
                (Standing::CaseByCase, _) => (
                    State::Open,
                    Path::Review {
                        cap: None,
                        case_by_case: true,
                    },
                    None,
                ),
                (Standing::Pending, _) => (
                    State::Open,
                    Path::Review {
                        cap: None,
                        case_by_case: false,
                    },
                    None,
                ),
                _ => return None,
            };
            Some(NewCase {
                line: i,
                pack: l.rule.pack.clone(),
                rule: l.rule.id.clone(),
                subject: l.subject.clone(),
                case: Case {
                    state,
                    path,
                    enterprise: l.enterprise.clone(),
                    payee: facts.payee(l.rule.subject_kind, &l.subject, l.enterprise.as_deref()),
                    county: l.county.clone(),
                    department: l.rule.departments.first().cloned().unwrap_or_default(),
                    amount,
                    decided: None,
                    account: None,
                    publication_ends: None,
                    open_objections: 0,
                    paid: None,
                },
            })
        })
        .collect()
}

/// The fund (专项资金) a case's rule pays from, as the packs name it.
pub fn fund_of(packs: &[&jx555_lang::ir::Pack], c: &StoredCase) -> String {
    packs
        .iter()
        .filter(|p| p.manifest.id == c.pack)
        .find_map(|p| p.rule(&c.rule))
        .and_then(|r| r.fund.clone())
        .unwrap_or_else(|| "未指定".to_string())
}

/// Who pays a case out (拨付主体) when its cost is not shared: the treasury of its county, or the
/// city's for a city-level unit.
pub fn payer(c: &StoredCase) -> String {
    match &c.case.county {
        Some(county) => format!("{county}财政"),
        None => "市财政".to_string(),
    }
}

/// The lines of `from..=to` that needed a decision and never had one, for the 终期评估: of a year
/// released into cases, each review, 一事一议 or pending case still awaiting its application or a
/// review (with where it stopped); of a year approved directly, each such line of the approved run.
pub fn undecided(
    store: &dyn crate::Store,
    from: i32,
    to: i32,
) -> Result<Vec<jx555_engine::review::Open>, StoreError> {
    use jx555_engine::review::Open;
    use jx555_engine::summary::Standing;
    let needs_decision = |s: Standing| {
        matches!(
            s,
            Standing::Review | Standing::CaseByCase | Standing::Pending
        )
    };
    let runs = store.runs()?;
    let in_period = |year: i32| (from..=to).contains(&year);
    let mut cases_of: BTreeMap<i64, Vec<StoredCase>> = BTreeMap::new();
    for c in store.cases(&CaseFilter::default())? {
        cases_of.entry(c.run).or_default().push(c);
    }
    let mut out = Vec::new();
    for info in runs.iter().filter(|r| in_period(r.year)) {
        let released = cases_of.remove(&info.id);
        if released.is_none() && info.approved_at.is_none() {
            continue;
        }
        let (_, run) = store.run(info.id)?;
        let open = |l: &jx555_engine::AwardLine, state: Option<String>| Open {
            year: info.year,
            pack: l.rule.pack.clone(),
            rule: l.rule.id.clone(),
            standing: l.standing(),
            state,
        };
        match released {
            Some(cases) => out.extend(cases.iter().filter_map(|c| {
                let l = run.lines.get(c.line)?;
                let waiting = matches!(
                    c.case.state,
                    State::Open | State::Applied | State::Returned | State::FirstPassed
                );
                (waiting && needs_decision(l.standing()))
                    .then(|| open(l, Some(c.case.state.name().to_string())))
            })),
            None => out.extend(
                run.lines
                    .iter()
                    .filter(|l| needs_decision(l.standing()))
                    .map(|l| open(l, None)),
            ),
        }
    }
    Ok(out)
}

/// The batch steps of the award path, as the web and the command line take them: each case
/// stepped by `jx555_workflow::case::step` for `p`, then kept by the store in one transaction
/// under `p`'s name.
pub mod steps {
    use super::{CaseFilter, NewPart, NewPublication, PartOutcome, Step, StoredCase};
    use crate::audit::Actor;
    use crate::{Store, StoreError};
    use jx555_lang::types::Date;
    use jx555_workflow::access::{Principal, Scope};
    use jx555_workflow::calendar::Calendar;
    use jx555_workflow::case::{Action, State, step};
    use std::collections::BTreeMap;

    /// What deciding `fen` on case `c` pays under its rule, and where its line then stands: the
    /// run's year evaluated again with every amount decided on the run's live cases (this one at
    /// `fen`) in place of the facts' approved amounts, so the rule's multipliers, its caps (per key
    /// and across years, from what the ledger paid), 就高不重复 and 补差 apply to the decision as to
    /// any computed amount.
    pub fn decided_payable(
        store: &dyn Store,
        packs: &[&jx555_lang::ir::Pack],
        facts: &jx555_engine::FactIndex,
        c: &StoredCase,
        fen: i64,
    ) -> Result<(i64, jx555_engine::summary::Standing), StoreError> {
        let info = store
            .runs()?
            .into_iter()
            .find(|r| r.id == c.run)
            .ok_or(StoreError::NoRun(c.run))?;
        let mut decided = jx555_engine::Decisions::default();
        let filter = CaseFilter {
            run: Some(c.run),
            ..CaseFilter::default()
        };
        for o in store.cases(&filter)? {
            let live = !matches!(o.case.state, State::Declined | State::Withdrawn);
            if let (true, Some(x)) = (live && o.id != c.id, o.case.decided) {
                decided.insert(&o.pack, &o.rule, &o.subject, x);
            }
        }
        decided.insert(&c.pack, &c.rule, &c.subject, fen);
        let ledger = store.ledger()?;
        let req = jx555_engine::Request {
            packs,
            facts,
            ledger: &ledger,
            year: info.year,
            // A released run is never a what-if; its settings (市区共担's shares) hold.
            overrides: &info.settings,
        };
        let run = jx555_engine::evaluate_decided(&req, &decided)
            .map_err(|e| StoreError::Refused(format!("按规则重新测算未成：{e}")))?;
        run.lines
            .iter()
            .find(|l| l.rule.pack == c.pack && l.rule.id == c.rule && l.subject == c.subject)
            .map(|l| (l.payable, l.standing()))
            .ok_or_else(|| {
                StoreError::Refused(format!(
                    "按现有事实，{} 不再符合 {} 的条件，不能核定",
                    c.subject, c.rule
                ))
            })
    }

    fn act_as(store: &mut dyn Store, p: &Principal) {
        store.set_actor(Actor {
            name: p.name.clone(),
            role: p.role.code().into(),
        });
    }

    fn each(
        cases: &[StoredCase],
        p: &Principal,
        action: &Action,
        today: Date,
    ) -> Result<Vec<Step>, StoreError> {
        cases
            .iter()
            .map(|c| {
                step(&c.case, p, action, today)
                    .map(|next| (c.id, c.case.state, action.clone(), next))
                    .map_err(|r| StoreError::Refused(format!("第 {} 号奖补事项：{r}", c.id)))
            })
            .collect()
    }

    /// 公示: every ready case of `p`'s department, for `days` working days from `today` on the
    /// official calendar. The 公示's number, how many cases, its last day.
    pub fn publish_ready(
        store: &mut dyn Store,
        p: &Principal,
        calendar: &Calendar,
        today: Date,
        days: u32,
        contact: &str,
    ) -> Result<(i64, usize, Date), StoreError> {
        let Scope::Department(department) = &p.scope else {
            return Err(StoreError::Refused(
                "只有牵头单位的部门审核员可以发起公示".into(),
            ));
        };
        if contact.trim().is_empty() {
            return Err(StoreError::Refused("请填写联系人及电话".into()));
        }
        let ends = calendar
            .add_working_days(today, days.clamp(1, 30))
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        let ready = store.cases(&CaseFilter {
            state: Some(State::Ready),
            department: Some(department.clone()),
            ..CaseFilter::default()
        })?;
        if ready.is_empty() {
            return Err(StoreError::Refused("本部门没有待公示的奖补事项".into()));
        }
        let steps = each(&ready, p, &Action::Publicize(ends), today)?;
        act_as(store, p);
        let id = store.publish(
            &NewPublication {
                department: department.clone(),
                ends,
                contact: contact.trim().to_string(),
            },
            &steps,
        )?;
        Ok((id, steps.len(), ends))
    }

    /// Why a case may not be paid yet under 就高不重复 (结语): another case of the same run pays the
    /// same achievement (the same exclusivity key) — one still undecided, or one paying more (or
    /// as much and numbered first). The lower is withdrawn (`Supersede`) by its department; only
    /// then is the other clear. By case number.
    pub fn held(cases: &[StoredCase], keys: &BTreeMap<i64, String>) -> BTreeMap<i64, String> {
        let live = |c: &StoredCase| !matches!(c.case.state, State::Declined | State::Withdrawn);
        let mut by_key: BTreeMap<(i64, &str), Vec<&StoredCase>> = BTreeMap::new();
        for c in cases.iter().filter(|c| live(c)) {
            if let Some(k) = keys.get(&c.id) {
                by_key.entry((c.run, k.as_str())).or_default().push(c);
            }
        }
        let mut out = BTreeMap::new();
        for group in by_key.values().filter(|g| g.len() > 1) {
            for c in group {
                let other = group.iter().filter(|o| o.id != c.id).find(|o| {
                    match (o.case.amount, c.case.amount) {
                        (None, _) => true,
                        (Some(a), Some(b)) => a > b || (a == b && o.id < c.id),
                        (Some(_), None) => false,
                    }
                });
                if let Some(o) = other {
                    out.insert(
                        c.id,
                        match o.case.amount {
                            None => format!(
                                "就高不重复：同一成果另有第 {} 号奖补事项尚未核定金额，待其核定后只付较高者",
                                o.id
                            ),
                            Some(_) => format!(
                                "就高不重复：同一成果由第 {} 号奖补事项支付（金额不低于本项），本项应撤销",
                                o.id
                            ),
                        },
                    );
                }
            }
        }
        out
    }

    /// Whether case `id` may be withdrawn in favour of case `by` (就高不重复): the same run and
    /// exclusivity key, `by` live and paying at least as much. The reason when not.
    pub fn may_supersede(store: &dyn Store, id: i64, by: i64) -> Result<(), StoreError> {
        let no = |why: String| Err(StoreError::Refused(why));
        if id == by {
            return no("不能由本项取代本项".into());
        }
        let keys = store.exclusive_keys()?;
        let read = |n: i64| -> Result<StoredCase, StoreError> {
            Ok(store
                .case(n)?
                .ok_or_else(|| StoreError::Refused(format!("没有第 {n} 号奖补事项")))?
                .0)
        };
        let (me, other) = (read(id)?, read(by)?);
        if me.run != other.run || !keys.contains_key(&id) || keys.get(&id) != keys.get(&by) {
            return no(format!(
                "第 {by} 号奖补事项与本项不是同一成果（就高不重复的键不同），不能以其撤销本项"
            ));
        }
        if matches!(other.case.state, State::Declined | State::Withdrawn) {
            return no(format!(
                "第 {by} 号奖补事项已{}，不能以其撤销本项",
                other.case.state.name()
            ));
        }
        match (other.case.amount, me.case.amount) {
            (Some(a), Some(b)) if a < b => no(format!(
                "第 {by} 号奖补事项金额低于本项：就高不重复应撤销较低的一项"
            )),
            (None, _) => no(format!("第 {by} 号奖补事项尚未核定金额，待其核定后再比较")),
            _ => Ok(()),
        }
    }

    /// The cases `p` may put in a payment batch today, by fund (`fund_of` names a case's: [`super::fund_of`]).
    pub fn cleared(
        store: &dyn Store,
        p: &Principal,
        today: Date,
        fund_of: &dyn Fn(&StoredCase) -> String,
    ) -> Result<BTreeMap<String, Vec<Step>>, StoreError> {
        let mut out: BTreeMap<String, Vec<Step>> = BTreeMap::new();
        let all = store.cases(&CaseFilter::default())?;
        let held = held(&all, &store.exclusive_keys()?);
        for c in all.into_iter().filter(|c| !held.contains_key(&c.id)) {
            if let Ok(next) = step(&c.case, p, &Action::AddToBatch, today) {
                out.entry(fund_of(&c)).or_default().push((
                    c.id,
                    c.case.state,
                    Action::AddToBatch,
                    next,
                ));
            }
        }
        Ok(out)
    }

    /// The payment parts of a case cleared for payment, from its run's `line`: under 市区共担 (the
    /// line states the city's share, and the case has a county) the city's share paid by 市财政 and
    /// the county's by its county's treasury; otherwise the whole by its treasury
    /// ([`super::payer`]). A payer's part already paid (a case batched again after a failed
    /// payment) is left out.
    pub fn parts_for(
        store: &dyn Store,
        c: &StoredCase,
        line: Option<&jx555_engine::AwardLine>,
    ) -> Result<Vec<NewPart>, StoreError> {
        let amount = c.case.amount.unwrap_or(0);
        let split: Vec<(String, i64)> =
            match (line.and_then(|l| l.shares_of(amount)), &c.case.county) {
                (Some((city, county)), Some(name)) => {
                    vec![("市财政".into(), city), (format!("{name}财政"), county)]
                }
                _ => vec![(super::payer(c), amount)],
            };
        // Only a case batched before has parts.
        let paid: Vec<String> = if c.case.state == State::Corrected {
            store
                .parts(c.id)?
                .into_iter()
                .filter(|p| p.outcome == PartOutcome::Paid)
                .map(|p| p.payer)
                .collect()
        } else {
            Vec::new()
        };
        Ok(split
            .into_iter()
            .filter(|(payer, a)| *a > 0 && !paid.contains(payer))
            .map(|(payer, amount)| NewPart {
                case: c.id,
                payer,
                amount,
            })
            .collect())
    }

    /// The payment batches of a fund's cleared cases, one per payer ([`parts_for`]): their numbers,
    /// and how many cases went in.
    pub fn batch_fund(
        store: &mut dyn Store,
        p: &Principal,
        today: Date,
        fund: &str,
        fund_of: &dyn Fn(&StoredCase) -> String,
    ) -> Result<(Vec<i64>, usize), StoreError> {
        let steps = cleared(store, p, today, fund_of)?
            .remove(fund)
            .unwrap_or_default();
        if steps.is_empty() {
            return Err(StoreError::Refused(format!("{fund} 没有可拨付的奖补事项")));
        }
        let ids: std::collections::BTreeSet<i64> = steps.iter().map(|s| s.0).collect();
        let mut runs: BTreeMap<i64, jx555_engine::Run> = BTreeMap::new();
        let mut parts = Vec::new();
        for c in store
            .cases(&CaseFilter::default())?
            .iter()
            .filter(|c| ids.contains(&c.id))
        {
            if let std::collections::btree_map::Entry::Vacant(v) = runs.entry(c.run) {
                v.insert(store.run(c.run)?.1);
            }
            let line = runs.get(&c.run).and_then(|r| r.lines.get(c.line));
            parts.extend(parts_for(store, c, line)?);
        }
        act_as(store, p);
        Ok((store.make_batches(fund, &parts, &steps)?, steps.len()))
    }

    /// A batch recorded paid with its voucher; the cases in `failed` (with the bank's reason) as
    /// failed. How many were paid.
    pub fn settle(
        store: &mut dyn Store,
        p: &Principal,
        today: Date,
        batch: i64,
        voucher: &str,
        mut failed: BTreeMap<i64, String>,
    ) -> Result<usize, StoreError> {
        if voucher.trim().is_empty() {
            return Err(StoreError::Refused("请填写凭证号".into()));
        }
        let (_, cases) = store
            .batch(batch)?
            .ok_or_else(|| StoreError::Refused(format!("没有第 {batch} 批支付批次")))?;
        let parts = store.batch_parts(batch)?;
        let pending = |c: &StoredCase| {
            parts
                .get(&c.id)
                .is_some_and(|x| x.outcome == PartOutcome::Pending)
        };
        let mut steps = Vec::new();
        let mut returned = BTreeMap::new();
        let mut paid = 0;
        for c in cases.iter().filter(|c| pending(c)) {
            let in_batch = c.case.state == State::InBatch;
            match failed.remove(&c.id) {
                Some(reason) => {
                    if in_batch {
                        let a = Action::RecordFailed(reason.clone());
                        steps.extend(each(std::slice::from_ref(c), p, &a, today)?);
                    }
                    returned.insert(c.id, reason);
                }
                None => {
                    paid += 1;
                    // Paid once every payer's latest part is: this one, and the others before.
                    let mut latest: BTreeMap<String, PartOutcome> = BTreeMap::new();
                    for x in store.parts(c.id)? {
                        latest.insert(x.payer, x.outcome);
                    }
                    if let Some(this) = parts.get(&c.id) {
                        latest.insert(this.payer.clone(), PartOutcome::Paid);
                    }
                    if in_batch && latest.values().all(|o| *o == PartOutcome::Paid) {
                        steps.extend(each(
                            std::slice::from_ref(c),
                            p,
                            &Action::RecordPaid,
                            today,
                        )?);
                    }
                }
            }
        }
        if let Some(other) = failed.keys().next() {
            return Err(StoreError::Refused(format!(
                "第 {other} 号奖补事项不在本批次中"
            )));
        }
        act_as(store, p);
        store.settle_batch(batch, voucher.trim(), &returned, &steps)?;
        Ok(paid)
    }

    /// A batch recorded paid from the finance system's return file: every line of the batch there
    /// once with its amount to the fen, nothing else, one voucher; then as [`settle`]. Every
    /// mismatch is named by row; one and nothing is recorded. How many were paid.
    pub fn settle_from(
        store: &mut dyn Store,
        p: &Principal,
        today: Date,
        batch: i64,
        lines: &[jx555_facts::settlement::Settled],
    ) -> Result<usize, StoreError> {
        let (_, cases) = store
            .batch(batch)?
            .ok_or_else(|| StoreError::Refused(format!("没有第 {batch} 批支付批次")))?;
        let parts = store.batch_parts(batch)?;
        let open: BTreeMap<i64, i64> = cases
            .iter()
            .filter_map(|c| parts.get(&c.id))
            .filter(|x| x.outcome == PartOutcome::Pending)
            .map(|x| (x.case, x.amount))
            .collect();
        let mut problems = Vec::new();
        let mut seen = BTreeMap::new();
        let voucher = lines.first().map(|l| l.voucher.clone()).unwrap_or_default();
        for l in lines {
            let at = format!("第{}行（第 {} 号奖补事项）", l.row, l.case);
            match open.get(&l.case) {
                None => problems.push(format!("{at}：不在本批次待拨付的事项中")),
                Some(amount) if *amount != l.amount => problems.push(format!(
                    "{at}：金额 {} 元与批次中的 {} 元不符",
                    rust_decimal::Decimal::new(l.amount, 2),
                    rust_decimal::Decimal::new(*amount, 2)
                )),
                Some(_) => {}
            }
            if let Some(first) = seen.insert(l.case, l.row) {
                problems.push(format!("{at}：与第{first}行重复"));
            }
            if l.voucher != voucher {
                problems.push(format!(
                    "{at}：凭证号 {} 与第1行的 {voucher} 不同",
                    l.voucher
                ));
            }
        }
        for id in open.keys().filter(|id| !seen.contains_key(id)) {
            problems.push(format!("第 {id} 号奖补事项在批次中，但回单中没有"));
        }
        if !problems.is_empty() {
            return Err(StoreError::Refused(format!(
                "回单与第 {batch} 批不符，未记录任何拨付：\n{}",
                problems.join("\n")
            )));
        }
        let failed = lines
            .iter()
            .filter_map(|l| l.failed.clone().map(|r| (l.case, r)))
            .collect();
        settle(store, p, today, batch, &voucher, failed)
    }
}

#[cfg(test)]
mod tests {
    use super::steps::held;
    use super::*;
    use jx555_workflow::case::Path;

    fn case(id: i64, run: i64, state: State, amount: Option<i64>) -> StoredCase {
        StoredCase {
            id,
            run,
            line: 0,
            pack: "p".into(),
            rule: "r".into(),
            subject: "s".into(),
            case: Case {
                state,
                path: Path::Push,
                enterprise: Some("E".into()),
                payee: "甲公司".into(),
                county: None,
                department: "市经信局".into(),
                amount,
                decided: None,
                account: None,
                publication_ends: None,
                open_objections: 0,
                paid: None,
            },
            updated_at: String::new(),
        }
    }

    #[test]
    fn the_same_achievement_is_held_for_the_higher_or_the_undecided() {
        let keys: BTreeMap<i64, String> = [(1, "k"), (2, "k"), (3, "k"), (4, "other"), (5, "k")]
            .into_iter()
            .map(|(i, k)| (i, k.to_string()))
            .collect();
        // 1 pays 300万, 2 is a review line not yet decided, 3 pays 500万, 5 is of another run.
        let cases = vec![
            case(1, 7, State::Publicized, Some(300)),
            case(2, 7, State::Applied, None),
            case(3, 7, State::Ready, Some(500)),
            case(4, 7, State::Ready, Some(100)),
            case(5, 8, State::Ready, Some(900)),
        ];
        let h = held(&cases, &keys);
        assert!(
            h[&1].contains("第 2 号") || h[&1].contains("第 3 号"),
            "{h:?}"
        );
        assert!(
            h[&3].contains("第 2 号") && h[&3].contains("尚未核定"),
            "{h:?}"
        );
        assert!(!h.contains_key(&4) && !h.contains_key(&5), "{h:?}");
        // Once the review line is decided lower and withdrawn, the higher (3) is clear and 1 is held.
        let mut decided = cases.clone();
        decided[1].case.state = State::Withdrawn;
        let h = held(&decided, &keys);
        assert!(!h.contains_key(&3), "{h:?}");
        assert!(h[&1].contains("第 3 号"), "{h:?}");
        // Equal amounts: the one numbered first is paid.
        let mut equal = decided.clone();
        equal[0].case.amount = Some(500);
        let h = held(&equal, &keys);
        assert!(!h.contains_key(&1) && h[&3].contains("第 1 号"), "{h:?}");
    }
}
