//! The path of one award line, from release to money in the bank: a case (奖补事项) and the one table
//! of its transitions. Pure: [`step`] says what a case becomes when a principal takes an action, or
//! why not; the store persists the new case and its audit entry together.
//!
//! ```text
//! 免申即享: Pushed ─confirm─> Ready                 (or ─decline─> Declined)
//! 申报:     Open ─apply─> Applied ─first review─> FirstPassed ─decide─> Ready
//!                          └─return─> Returned ─apply─┘
//! Ready ─publicize─> Publicized (objections held and answered) ─batch─> InBatch ─paid─> Paid
//!                                          └─uphold: withdraw─> Withdrawn          └─failed─> PaymentFailed
//!                                                                     PaymentFailed ─correct─> Corrected ─batch─┘
//! ```

use crate::access::{Principal, Role, Scope};
use jx555_lang::types::Date;
use serde::{Deserialize, Serialize};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum State {
    /// 待确认: an automatic award pushed to its enterprise.
    Pushed,
    /// 已放弃: the enterprise declined it.
    Declined,
    /// 待申报: a review line awaiting its application.
    Open,
    /// 待初审: applied for.
    Applied,
    /// 退回补正: returned to the applicant with a reason.
    Returned,
    /// 待审核: passed the first review.
    FirstPassed,
    /// 待公示: confirmed (or decided) with an account to pay.
    Ready,
    /// 公示中 (or its period over): published in a 公示 batch.
    Publicized,
    /// 已撤销: withdrawn on an objection upheld.
    Withdrawn,
    /// 拨付中: in a payment batch.
    InBatch,
    /// 已拨付: paid (the ledger holds it).
    Paid,
    /// 拨付失败: the bank returned it (a closed account).
    PaymentFailed,
    /// 已更正: the account corrected after a failed payment; for a later batch.
    Corrected,
}

impl State {
    /// The state's name as the pages show it.
    pub fn name(self) -> &'static str {
        match self {
            State::Pushed => "待确认",
            State::Declined => "已放弃",
            State::Open => "待申报",
            State::Applied => "待初审",
            State::Returned => "退回补正",
            State::FirstPassed => "待审核",
            State::Ready => "待公示",
            State::Publicized => "公示中",
            State::Withdrawn => "已撤销",
            State::InBatch => "拨付中",
            State::Paid => "已拨付",
            State::PaymentFailed => "拨付失败",
            State::Corrected => "已更正账户",
        }
    }
}

/// How the amount of a case is settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Path {
    /// 免申即享: the computed amount, confirmed by the enterprise.
    Push,
    /// Applied for and decided: up to `cap` (fen) when the rule states one; 一事一议 needs the number
    /// of the meeting decision and has no cap.
    Review {
        /// The rule's cap for this line, in fen.
        cap: Option<i64>,
        /// 一事一议.
        case_by_case: bool,
    },
}

/// The bank account an award is paid to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// 开户行.
    pub bank: String,
    /// 账号: digits only.
    pub number: String,
    /// 户名: must be the payee's name.
    pub holder: String,
}

/// One award line released for action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Where it stands.
    pub state: State,
    /// How its amount is settled.
    pub path: Path,
    /// The enterprise (统一社会信用代码); `None` for a park or organisation, whose lead department acts
    /// for it.
    pub enterprise: Option<String>,
    /// The payee's name (户名 must match it).
    pub payee: String,
    /// Its county; `None` for a city-level unit (the lead department does the first review).
    pub county: Option<String>,
    /// The rule's lead department (牵头单位).
    pub department: String,
    /// The amount to pay, in fen: computed for a push; for a review, what the decided amount pays
    /// under the rule (until decided `None`).
    pub amount: Option<i64>,
    /// The amount decided on review (核定金额), in fen, as the department wrote it: the rule's
    /// multipliers and caps turn it into `amount` (the caller re-evaluates; see `jx555_engine::Decisions`).
    #[serde(default)]
    pub decided: Option<i64>,
    /// The account confirmed or applied with.
    pub account: Option<Account>,
    /// The last working day of its 公示 period.
    pub publication_ends: Option<Date>,
    /// Objections not yet answered.
    pub open_objections: u32,
    /// What was paid, in fen, once paid.
    pub paid: Option<i64>,
}

/// What can be done to a case (with what the doing needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// 意愿确认: accept the award to this account (with the 信用承诺 given).
    Confirm(Account),
    /// Decline the award, with a reason.
    Decline(String),
    /// 申报: apply, with a statement and the account.
    Apply(Account),
    /// 退回补正, with a reason.
    Return(String),
    /// 初审通过.
    PassFirstReview,
    /// 审核: the amount (fen) and the reason; for 一事一议 the meeting decision's number.
    Decide {
        /// The amount decided, in fen.
        amount: i64,
        /// Why.
        reason: String,
        /// 会议纪要文号 (一事一议).
        meeting: Option<String>,
    },
    /// 公示 until the given last working day.
    Publicize(Date),
    /// 异议, with a reason (by a named person).
    Object(String),
    /// An objection upheld: the line amended to a new amount, or withdrawn (`None`).
    Uphold(Option<i64>),
    /// An objection dismissed, with a reason.
    Dismiss(String),
    /// Into a payment batch.
    AddToBatch,
    /// The bank paid it.
    RecordPaid,
    /// The bank returned it, with the reason.
    RecordFailed(String),
    /// A new account after a failed payment.
    CorrectAccount(Account),
    /// 就高不重复: withdrawn because another case pays the same achievement (the same exclusivity
    /// key of the same run) at least as much; that case's number and the reason. Whether it does is
    /// the store's to check: it knows the other cases.
    Supersede {
        /// The case that pays the achievement.
        by: i64,
        /// Why, as the department writes it.
        reason: String,
    },
}

/// The kinds of [`Action`], as the transition table names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// [`Action::Confirm`].
    Confirm,
    /// [`Action::Decline`].
    Decline,
    /// [`Action::Apply`].
    Apply,
    /// [`Action::Return`].
    Return,
    /// [`Action::PassFirstReview`].
    PassFirstReview,
    /// [`Action::Decide`].
    Decide,
    /// [`Action::Publicize`].
    Publicize,
    /// [`Action::Object`].
    Object,
    /// [`Action::Uphold`] with a new amount.
    Amend,
    /// [`Action::Uphold`] withdrawing the line.
    Withdraw,
    /// [`Action::Dismiss`].
    Dismiss,
    /// [`Action::AddToBatch`].
    AddToBatch,
    /// [`Action::RecordPaid`].
    RecordPaid,
    /// [`Action::RecordFailed`].
    RecordFailed,
    /// [`Action::CorrectAccount`].
    CorrectAccount,
    /// [`Action::Supersede`].
    Supersede,
}

impl Action {
    /// The action's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Action::Confirm(_) => Kind::Confirm,
            Action::Decline(_) => Kind::Decline,
            Action::Apply(_) => Kind::Apply,
            Action::Return(_) => Kind::Return,
            Action::PassFirstReview => Kind::PassFirstReview,
            Action::Decide { .. } => Kind::Decide,
            Action::Publicize(_) => Kind::Publicize,
            Action::Object(_) => Kind::Object,
            Action::Uphold(Some(_)) => Kind::Amend,
            Action::Uphold(None) => Kind::Withdraw,
            Action::Dismiss(_) => Kind::Dismiss,
            Action::AddToBatch => Kind::AddToBatch,
            Action::RecordPaid => Kind::RecordPaid,
            Action::RecordFailed(_) => Kind::RecordFailed,
            Action::CorrectAccount(_) => Kind::CorrectAccount,
            Action::Supersede { .. } => Kind::Supersede,
        }
    }
}

/// Who acts on a case: the payee (its enterprise's accounts, or for a park or organisation its lead
/// department), the first reviewer (its county's reviewer, or for a city-level unit its lead
/// department), the lead department, finance, anyone signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The enterprise, or the lead department on behalf of a unit without an account.
    Payee,
    /// The county reviewer of the case's county.
    FirstReviewer,
    /// A reviewer of the rule's lead department.
    Department,
    /// 财政.
    Finance,
    /// Anyone signed in (an objection carries a real name).
    Anyone,
}

/// One row of the transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// From this state …
    pub from: State,
    /// … this action …
    pub kind: Kind,
    /// … by this actor …
    pub by: Actor,
    /// … leads here (if its preconditions hold).
    pub to: State,
}

const fn t(from: State, kind: Kind, by: Actor, to: State) -> Transition {
    Transition { from, kind, by, to }
}

use Actor as A;
use Kind as K;
use State as S;

/// Every transition. A (state, action) not here is refused.
pub const TRANSITIONS: &[Transition] = &[
    t(S::Pushed, K::Confirm, A::Payee, S::Ready),
    t(S::Pushed, K::Decline, A::Payee, S::Declined),
    t(S::Open, K::Apply, A::Payee, S::Applied),
    t(S::Returned, K::Apply, A::Payee, S::Applied),
    t(S::Applied, K::Return, A::FirstReviewer, S::Returned),
    t(
        S::Applied,
        K::PassFirstReview,
        A::FirstReviewer,
        S::FirstPassed,
    ),
    t(S::FirstPassed, K::Return, A::Department, S::Returned),
    t(S::FirstPassed, K::Decide, A::Department, S::Ready),
    t(S::Ready, K::Publicize, A::Department, S::Publicized),
    t(S::Publicized, K::Object, A::Anyone, S::Publicized),
    t(S::Publicized, K::Amend, A::Department, S::Publicized),
    t(S::Publicized, K::Withdraw, A::Department, S::Withdrawn),
    t(S::Publicized, K::Dismiss, A::Department, S::Publicized),
    t(S::Publicized, K::AddToBatch, A::Finance, S::InBatch),
    t(S::Corrected, K::AddToBatch, A::Finance, S::InBatch),
    t(S::InBatch, K::RecordPaid, A::Finance, S::Paid),
    t(S::InBatch, K::RecordFailed, A::Finance, S::PaymentFailed),
    t(S::PaymentFailed, K::CorrectAccount, A::Payee, S::Corrected),
    // 就高不重复 between cases of one run: before payment, the lower is withdrawn.
    t(S::Pushed, K::Supersede, A::Department, S::Withdrawn),
    t(S::Open, K::Supersede, A::Department, S::Withdrawn),
    t(S::Applied, K::Supersede, A::Department, S::Withdrawn),
    t(S::Returned, K::Supersede, A::Department, S::Withdrawn),
    t(S::FirstPassed, K::Supersede, A::Department, S::Withdrawn),
    t(S::Ready, K::Supersede, A::Department, S::Withdrawn),
    t(S::Publicized, K::Supersede, A::Department, S::Withdrawn),
];

/// The kinds of action `p` may try on `case` now (the table's rows from its state whose actor `p`
/// is): what a page offers. Preconditions (a finished 公示, an open objection) are checked on the try.
pub fn available(case: &Case, p: &Principal) -> Vec<Kind> {
    TRANSITIONS
        .iter()
        .filter(|r| r.from == case.state && is(p, r.by, case))
        .map(|r| r.kind)
        .collect()
}

/// Whether `p` may add files (申报材料) to `case`: its payee, while the application is being made
/// or corrected (待申报, 退回补正) or awaits its first review.
pub fn may_attach(case: &Case, p: &Principal) -> bool {
    matches!(case.state, State::Open | State::Returned | State::Applied)
        && is(p, Actor::Payee, case)
}

/// The largest file an application may carry, in bytes (20 MB).
pub const MAX_ATTACHMENT: usize = 20 * 1024 * 1024;

/// The type of an application's file, read from its first bytes (not its name): PDF, JPEG or PNG.
pub fn attachment_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// How many working days a stage may take before its case is overdue: settings, not policy. The
/// clock of a case starts when it entered its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// 意愿确认 (and correcting an account), by the payee.
    pub confirm: u32,
    /// 补正 of a returned application, by the applicant.
    pub correct: u32,
    /// 初审, by the county.
    pub first_review: u32,
    /// 审核, by the department.
    pub decision: u32,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            confirm: 10,
            correct: 10,
            first_review: 5,
            decision: 10,
        }
    }
}

impl Deadlines {
    /// The working days a case in `state` has, when someone is waited for.
    pub fn of(&self, state: State) -> Option<u32> {
        match state {
            State::Pushed | State::PaymentFailed => Some(self.confirm),
            State::Returned => Some(self.correct),
            State::Applied => Some(self.first_review),
            State::FirstPassed => Some(self.decision),
            _ => None,
        }
    }
}

/// Why an action was refused, in words for the person who tried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

fn refuse<T>(why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(why.into()))
}

/// Whether `p` is the `actor` of `case`.
fn is(p: &Principal, actor: Actor, case: &Case) -> bool {
    let department = || p.scope == Scope::Department(case.department.clone());
    match actor {
        Actor::Payee => match &case.enterprise {
            Some(u) => {
                matches!(p.role, Role::EnterpriseStaff | Role::EnterpriseAdmin)
                    && p.scope == Scope::Enterprise(u.clone())
            }
            None => p.role == Role::DepartmentReviewer && department(),
        },
        Actor::FirstReviewer => match &case.county {
            Some(c) => p.role == Role::CountyReviewer && p.scope == Scope::County(c.clone()),
            None => p.role == Role::DepartmentReviewer && department(),
        },
        Actor::Department => p.role == Role::DepartmentReviewer && department(),
        Actor::Finance => p.role == Role::Finance,
        // Read-only and account-only roles object to nothing.
        Actor::Anyone => !matches!(p.role, Role::Auditor | Role::SystemAdmin),
    }
}

fn account_fits(a: &Account, case: &Case) -> Result<(), Refusal> {
    if a.holder.trim() != case.payee.trim() {
        return refuse(format!(
            "户名“{}”与收款单位“{}”不一致",
            a.holder, case.payee
        ));
    }
    let n = a.number.trim();
    if !(8..=32).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_digit()) {
        return refuse("账号应为 8–32 位数字");
    }
    if a.bank.trim().is_empty() {
        return refuse("请填写开户行");
    }
    Ok(())
}

fn reason(r: &str) -> Result<(), Refusal> {
    if r.trim().is_empty() {
        refuse("请写明理由")
    } else {
        Ok(())
    }
}

/// What `case` becomes when `p` takes `action` on `today`, or why it may not. The transition must be
/// in [`TRANSITIONS`] for the case's state and the action, `p` must be its actor for this case, and
/// the action's preconditions must hold: an account in the payee's name, a decision within the cap
/// (or with its meeting number), a 公示 period over with no open objection before a batch.
pub fn step(case: &Case, p: &Principal, action: &Action, today: Date) -> Result<Case, Refusal> {
    let kind = action.kind();
    let Some(row) = TRANSITIONS
        .iter()
        .find(|r| r.from == case.state && r.kind == kind)
    else {
        return refuse(format!(
            "“{}”的奖补事项不能{}",
            case.state.name(),
            verb(kind)
        ));
    };
    if !is(p, row.by, case) {
        return refuse(format!("您不能对这一奖补事项{}", verb(kind)));
    }
    let mut next = case.clone();
    next.state = row.to;
    match action {
        Action::Confirm(a) | Action::Apply(a) | Action::CorrectAccount(a) => {
            account_fits(a, case)?;
            next.account = Some(a.clone());
        }
        Action::Decline(r) | Action::Return(r) | Action::Dismiss(r) | Action::RecordFailed(r) => {
            reason(r)?;
            if kind == Kind::Dismiss {
                next.open_objections = open(case)? - 1;
            }
        }
        Action::PassFirstReview | Action::RecordPaid => {}
        Action::Supersede { reason: why, .. } => reason(why)?,
        Action::Decide {
            amount,
            reason: why,
            meeting,
        } => {
            reason(why)?;
            if matches!(
                case.path,
                Path::Review {
                    case_by_case: true,
                    ..
                }
            ) && meeting.as_deref().is_none_or(|m| m.trim().is_empty())
            {
                return refuse("一事一议须写明会议纪要文号");
            }
            next.amount = Some(within_cap(case, *amount)?);
            next.decided = next.amount;
        }
        Action::Publicize(ends) => {
            if *ends <= today {
                return refuse("公示期须在今天之后结束");
            }
            next.publication_ends = Some(*ends);
        }
        Action::Object(r) => {
            reason(r)?;
            if case.publication_ends.is_none_or(|e| today > e) {
                return refuse("公示期已过，不能再提出异议");
            }
            next.open_objections = case.open_objections + 1;
        }
        Action::Uphold(amend) => {
            next.open_objections = open(case)? - 1;
            if let Some(a) = amend {
                next.amount = Some(match case.path {
                    // An amended push stays within what the policy computed.
                    Path::Push if *a < 0 || case.amount.is_some_and(|c| *a > c) => {
                        return refuse("修改后的金额应在 0 与计算金额之间");
                    }
                    Path::Push => *a,
                    Path::Review { .. } => within_cap(case, *a)?,
                });
                if matches!(case.path, Path::Review { .. }) {
                    next.decided = next.amount;
                }
            }
        }
        Action::AddToBatch => {
            if case.state == State::Publicized {
                match case.publication_ends {
                    Some(e) if today > e => {}
                    _ => return refuse("公示期未满，不能拨付"),
                }
                if case.open_objections > 0 {
                    return refuse("有未处理的异议，不能拨付");
                }
            }
            if case.amount.is_none_or(|a| a <= 0) {
                return refuse("金额为零，无需拨付");
            }
            if case.account.is_none() {
                return refuse("没有收款账户");
            }
        }
    }
    if kind == Kind::RecordPaid {
        next.paid = case.amount;
    }
    Ok(next)
}

fn open(case: &Case) -> Result<u32, Refusal> {
    match case.open_objections {
        0 => refuse("没有待处理的异议"),
        n => Ok(n),
    }
}

/// A decided amount: not negative, and within the line's cap when the rule states one.
fn within_cap(case: &Case, amount: i64) -> Result<i64, Refusal> {
    match case.path {
        _ if amount < 0 => refuse("金额不能为负"),
        Path::Review { cap: Some(cap), .. } if amount > cap => refuse(format!(
            "核定金额 {} 元超过本条款的上限 {} 元",
            yuan(amount),
            yuan(cap)
        )),
        _ => Ok(amount),
    }
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// What an action is called on a button and in a refusal.
pub fn verb(kind: Kind) -> &'static str {
    match kind {
        Kind::Confirm => "确认",
        Kind::Decline => "放弃",
        Kind::Apply => "申报",
        Kind::Return => "退回",
        Kind::PassFirstReview => "初审通过",
        Kind::Decide => "核定金额",
        Kind::Publicize => "公示",
        Kind::Object => "提出异议",
        Kind::Amend => "修改金额",
        Kind::Withdraw => "撤销",
        Kind::Dismiss => "驳回异议",
        Kind::AddToBatch => "列入拨付批次",
        Kind::RecordPaid => "登记已拨付",
        Kind::RecordFailed => "登记拨付失败",
        Kind::CorrectAccount => "更正账户",
        Kind::Supersede => "就高不重复撤销",
    }
}

#[cfg(test)]
mod tests;
