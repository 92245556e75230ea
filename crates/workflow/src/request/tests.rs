use super::*;
use jx555_lang::types::Date;
use proptest::prelude::*;

const UI: &str = "91330402MA2B000011";

fn m(s: &str, h: u32, min: u32) -> Moment {
    Moment::at(Date::parse(s).unwrap(), h, min)
}

fn request() -> Request {
    Request {
        state: State::Submitted,
        category: Category::Appeal,
        tags: vec![Difficulty::Payment],
        enterprise: UI.into(),
        hub: "南湖区".into(),
        assignee: None,
        submitted: m("2025-09-30", 17, 0),
        accepted: None,
        resolved: None,
        pauses: vec![],
        rating: None,
        escalated: false,
        reopened: 0,
    }
}

fn hub() -> Party {
    Party::Hub("南湖区".into())
}
fn ent() -> Party {
    Party::Enterprise(UI.into())
}
fn provider() -> Party {
    Party::Assignee("嘉兴某律师事务所".into())
}

#[test]
fn one_request_from_the_hotline_to_its_rating_with_a_reopen_and_an_escalation() {
    let cal = Calendar::bundled().unwrap();
    let lv = Levels::default();
    let go = |r: &Request, p: &Party, a: Action, at: Moment| step(r, p, &a, at, &lv, &cal).unwrap();
    let no = |r: &Request, p: &Party, a: Action, at: Moment| {
        step(r, p, &a, at, &lv, &cal).unwrap_err().to_string()
    };
    let r = request();
    // Raised at 17:00 before 国庆: acceptance is due at 17:00 on 10-9, the first working day after.
    let due = lv
        .acceptance(&r)
        .due(&lv.day, &cal, m("2025-10-01", 9, 0))
        .unwrap();
    assert_eq!(due, m("2025-10-09", 17, 0));
    assert!(
        no(
            &r,
            &Party::Supervisor("南湖区".into()),
            Action::Escalate("慢".into()),
            m("2025-10-09", 16, 0)
        )
        .contains("尚未超过")
    );
    assert!(
        no(
            &r,
            &Party::Hub("秀洲区".into()),
            Action::Accept,
            m("2025-10-09", 9, 0)
        )
        .contains("您不能")
    );
    let r = go(
        &r,
        &Party::Supervisor("南湖区".into()),
        Action::Escalate("逾期未受理".into()),
        m("2025-10-10", 9, 0),
    );
    assert!(r.escalated);
    let r = go(&r, &hub(), Action::Accept, m("2025-10-10", 10, 0));
    let r = go(
        &r,
        &hub(),
        Action::Dispatch("嘉兴某律师事务所".into()),
        m("2025-10-10", 11, 0),
    );
    assert!(
        no(
            &r,
            &Party::Assignee("别家".into()),
            Action::Start,
            m("2025-10-10", 12, 0)
        )
        .contains("您不能")
    );
    let r = go(&r, &provider(), Action::Start, m("2025-10-10", 13, 0));
    let r = go(
        &r,
        &provider(),
        Action::Ask("请提供合同".into()),
        m("2025-10-10", 14, 0),
    );
    let r = go(
        &r,
        &ent(),
        Action::Supplement("已上传合同".into()),
        m("2025-10-13", 14, 0),
    );
    // The pause (10-10 14:00 to 10-13 14:00, the worked Saturday 10-11 included) is 16 working hours.
    let clock = lv.resolution(&r).unwrap();
    assert_eq!(
        clock.used(&lv.day, &cal, m("2025-10-13", 14, 0)).unwrap(),
        4 * 60
    );
    let r = go(
        &r,
        &provider(),
        Action::Resolve("已协助催收".into()),
        m("2025-10-14", 10, 0),
    );
    let r = go(
        &r,
        &ent(),
        Action::Reopen("对方仍未付款".into()),
        m("2025-10-15", 10, 0),
    );
    assert_eq!((r.state, r.reopened), (State::InProgress, 1));
    let r = go(
        &r,
        &provider(),
        Action::Resolve("已申请支付令".into()),
        m("2025-10-20", 10, 0),
    );
    assert!(
        no(
            &r,
            &ent(),
            Action::Reopen("还有问题".into()),
            m("2025-11-03", 10, 0)
        )
        .contains("超过 5 个工作日")
    );
    assert!(
        no(
            &r,
            &ent(),
            Action::Rate(6, "".into()),
            m("2025-10-21", 10, 0)
        )
        .contains("1 到 5")
    );
    let r = go(
        &r,
        &ent(),
        Action::Rate(5, "满意".into()),
        m("2025-10-21", 10, 0),
    );
    assert_eq!(
        (r.state, r.rating.clone()),
        (State::Closed, Some((5, "满意".into())))
    );
}

#[test]
fn a_clock_into_an_unloaded_year_is_refused_naming_it() {
    let cal = Calendar::bundled().unwrap();
    let lv = Levels::default();
    let mut r = request();
    r.submitted = m("2026-12-31", 16, 0);
    let e = step(
        &r,
        &Party::Supervisor("南湖区".into()),
        &Action::Escalate("x".into()),
        m("2027-01-04", 9, 0),
        &lv,
        &cal,
    )
    .unwrap_err();
    assert!(
        matches!(e, Refusal::Calendar(NotLoaded { year: 2027, .. })),
        "{e}"
    );
}

fn party() -> impl Strategy<Value = Party> {
    prop_oneof![
        Just(hub()),
        Just(Party::Hub("秀洲区".into())),
        Just(ent()),
        Just(Party::Enterprise("other".into())),
        Just(provider()),
        Just(Party::Supervisor("南湖区".into())),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Accept),
        Just(Action::Dispatch("嘉兴某律师事务所".into())),
        Just(Action::Start),
        Just(Action::Ask("q".into())),
        Just(Action::Supplement("a".into())),
        Just(Action::Resolve("done".into())),
        (0u8..7).prop_map(|s| Action::Rate(s, String::new())),
        Just(Action::Reopen("again".into())),
        Just(Action::Escalate("late".into())),
    ]
}

/// An action with the party who would normally take it, and now and then anyone: the walks reach
/// every state and try every wrong hand.
fn move_() -> impl Strategy<Value = (Party, Action)> {
    let natural = action().prop_map(|a| {
        let by = match a.kind() {
            Kind::Accept | Kind::Dispatch => hub(),
            Kind::Start | Kind::Ask | Kind::Resolve => provider(),
            Kind::Supplement | Kind::Rate | Kind::Reopen => ent(),
            Kind::Escalate => Party::Supervisor("南湖区".into()),
        };
        (by, a)
    });
    prop_oneof![4 => natural, 1 => (party(), action())]
}

proptest! {
    /// Whatever is tried: nothing leaves 已关闭; the clock is paused exactly while waiting for the
    /// enterprise; a step outside the table is refused; time only moves on.
    #[test]
    fn walks_keep_the_desk_rules(walk in prop::collection::vec((move_(), 0u32..600), 1..50)) {
        let cal = Calendar::bundled().unwrap();
        let lv = Levels::default();
        let mut r = request();
        r.submitted = m("2026-03-02", 9, 0);
        let mut now = r.submitted;
        for ((p, a), minutes) in walk {
            now = lv.day.add(&cal, now, u64::from(minutes)).unwrap();
            let row = TRANSITIONS.iter().find(|x| x.from == r.state && x.kind == a.kind());
            let allowed = row.is_some_and(|x| is(&p, x.by, &r));
            if let Ok(next) = step(&r, &p, &a, now, &lv, &cal) {
                prop_assert!(allowed, "{:?} by {:?} in {:?}", a, p, r.state);
                prop_assert!(r.state != State::Closed);
                let paused = next.pauses.last().is_some_and(|x| x.1.is_none());
                prop_assert_eq!(paused, next.state == State::AwaitingEnterprise);
                r = next;
            }
        }
    }
}
