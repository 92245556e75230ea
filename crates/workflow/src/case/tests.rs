use super::*;
use proptest::prelude::*;

const UI: &str = "91330402MA2B000011";

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn who(role: Role, scope: &str) -> Principal {
    Principal {
        name: format!("{role:?}"),
        role,
        scope: Scope::of(role, scope).unwrap(),
    }
}

fn staff() -> Principal {
    who(Role::EnterpriseStaff, UI)
}
fn county() -> Principal {
    who(Role::CountyReviewer, "南湖区")
}
fn dept() -> Principal {
    who(Role::DepartmentReviewer, "市经信局")
}
fn finance() -> Principal {
    who(Role::Finance, "")
}

fn account() -> Account {
    Account {
        bank: "中国工商银行嘉兴分行".into(),
        number: "1204060009000123456".into(),
        holder: "甲公司".into(),
    }
}

fn case(path: Path) -> Case {
    Case {
        state: if path == Path::Push {
            State::Pushed
        } else {
            State::Open
        },
        amount: (path == Path::Push).then_some(30_000_000),
        decided: None,
        path,
        enterprise: Some(UI.into()),
        payee: "甲公司".into(),
        county: Some("南湖区".into()),
        department: "市经信局".into(),
        account: None,
        publication_ends: None,
        open_objections: 0,
        paid: None,
    }
}

fn go(c: &Case, p: &Principal, a: Action, today: &str) -> Case {
    step(c, p, &a, day(today)).unwrap_or_else(|e| panic!("{a:?} by {p:?}: {e}"))
}

fn no(c: &Case, p: &Principal, a: Action, today: &str) -> String {
    step(c, p, &a, day(today)).unwrap_err().0
}

#[test]
fn a_pushed_award_is_confirmed_publicized_objected_to_and_paid() {
    let c = case(Path::Push);
    let wrong = Account {
        holder: "乙公司".into(),
        ..account()
    };
    assert!(no(&c, &staff(), Action::Confirm(wrong), "2026-03-02").contains("户名"));
    assert!(
        no(
            &c,
            &who(Role::EnterpriseStaff, "91330402MA2B000029"),
            Action::Confirm(account()),
            "2026-03-02"
        )
        .contains("您不能")
    );
    let c = go(&c, &staff(), Action::Confirm(account()), "2026-03-02");
    assert_eq!(c.state, State::Ready);
    let c = go(
        &c,
        &dept(),
        Action::Publicize(day("2026-03-09")),
        "2026-03-02",
    );
    let c = go(
        &c,
        &county(),
        Action::Object("重复申报".into()),
        "2026-03-05",
    );
    assert!(
        no(
            &c,
            &who(Role::Auditor, ""),
            Action::Object("x".into()),
            "2026-03-05"
        )
        .contains("您不能")
    );
    assert!(no(&c, &finance(), Action::AddToBatch, "2026-03-10").contains("异议"));
    let c = go(
        &c,
        &dept(),
        Action::Dismiss("经核实不重复".into()),
        "2026-03-06",
    );
    assert!(no(&c, &finance(), Action::AddToBatch, "2026-03-09").contains("公示期未满"));
    assert!(no(&c, &county(), Action::Object("晚了".into()), "2026-03-10").contains("公示期已过"));
    let c = go(&c, &finance(), Action::AddToBatch, "2026-03-10");
    let c = go(&c, &finance(), Action::RecordPaid, "2026-03-12");
    assert_eq!((c.state, c.paid), (State::Paid, Some(30_000_000)));
    assert!(no(&c, &finance(), Action::RecordPaid, "2026-03-13").contains("已拨付"));
}

#[test]
fn a_review_line_is_applied_returned_decided_within_its_cap() {
    let c = case(Path::Review {
        cap: Some(10_000_000),
        case_by_case: false,
    });
    let c = go(&c, &staff(), Action::Apply(account()), "2026-03-02");
    assert!(
        no(
            &c,
            &who(Role::CountyReviewer, "秀洲区"),
            Action::PassFirstReview,
            "2026-03-03"
        )
        .contains("您不能")
    );
    let c = go(
        &c,
        &county(),
        Action::Return("缺少验收报告".into()),
        "2026-03-03",
    );
    assert_eq!(c.state, State::Returned);
    let c = go(&c, &staff(), Action::Apply(account()), "2026-03-04");
    let c = go(&c, &county(), Action::PassFirstReview, "2026-03-05");
    let over = Action::Decide {
        amount: 10_000_001,
        reason: "按投资额".into(),
        meeting: None,
    };
    assert!(no(&c, &dept(), over, "2026-03-06").contains("上限 100000.00 元"));
    let c = go(
        &c,
        &dept(),
        Action::Decide {
            amount: 8_000_000,
            reason: "按投资额核定".into(),
            meeting: None,
        },
        "2026-03-06",
    );
    assert_eq!((c.state, c.amount), (State::Ready, Some(8_000_000)));
}

#[test]
fn case_by_case_needs_its_meeting_decision_and_has_no_cap() {
    let c = case(Path::Review {
        cap: None,
        case_by_case: true,
    });
    let c = go(&c, &staff(), Action::Apply(account()), "2026-03-02");
    let c = go(&c, &county(), Action::PassFirstReview, "2026-03-03");
    let decide = |meeting: Option<&str>| Action::Decide {
        amount: 50_000_000_000,
        reason: "重大项目".into(),
        meeting: meeting.map(str::to_string),
    };
    assert!(no(&c, &dept(), decide(None), "2026-03-04").contains("会议纪要文号"));
    let c = go(
        &c,
        &dept(),
        decide(Some("嘉政办纪〔2026〕12号")),
        "2026-03-04",
    );
    assert_eq!(c.amount, Some(50_000_000_000));
}

#[test]
fn a_failed_payment_is_corrected_and_paid_in_a_later_batch() {
    let mut c = case(Path::Push);
    c = go(&c, &staff(), Action::Confirm(account()), "2026-03-02");
    c = go(
        &c,
        &dept(),
        Action::Publicize(day("2026-03-09")),
        "2026-03-02",
    );
    c = go(&c, &finance(), Action::AddToBatch, "2026-03-10");
    c = go(
        &c,
        &finance(),
        Action::RecordFailed("账户已销户".into()),
        "2026-03-12",
    );
    assert!(no(&c, &finance(), Action::AddToBatch, "2026-03-13").contains("不能"));
    let new = Account {
        number: "6222020000000000001".into(),
        ..account()
    };
    c = go(
        &c,
        &staff(),
        Action::CorrectAccount(new.clone()),
        "2026-03-13",
    );
    c = go(&c, &finance(), Action::AddToBatch, "2026-03-14");
    c = go(&c, &finance(), Action::RecordPaid, "2026-03-16");
    assert_eq!((c.paid, c.account), (Some(30_000_000), Some(new)));
}

#[test]
fn a_park_is_confirmed_by_its_lead_department_and_first_reviewed_there_when_city_level() {
    let mut c = case(Path::Push);
    c.enterprise = None;
    c.county = None;
    c.payee = "甲公司".into();
    assert!(no(&c, &staff(), Action::Confirm(account()), "2026-03-02").contains("您不能"));
    let c = go(&c, &dept(), Action::Confirm(account()), "2026-03-02");
    assert_eq!(c.state, State::Ready);
}

#[test]
fn files_are_the_payees_while_applying_and_pdf_jpeg_or_png() {
    let c = case(Path::Review {
        cap: None,
        case_by_case: false,
    });
    assert!(may_attach(&c, &staff()));
    assert!(!may_attach(&c, &county()) && !may_attach(&c, &dept()));
    let pushed = case(Path::Push);
    assert!(
        !may_attach(&pushed, &staff()),
        "an automatic award needs no files"
    );
    assert_eq!(attachment_type(b"%PDF-1.7 ..."), Some("application/pdf"));
    assert_eq!(
        attachment_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
        Some("image/jpeg")
    );
    assert_eq!(attachment_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
    assert_eq!(attachment_type(b"MZ\x90\x00 an exe named .pdf"), None);
    assert_eq!(attachment_type(b"<html>"), None);
}

// Random walks: whatever is tried, by whomever, in whatever order, no case is paid twice, none is
// paid without its amount settled (confirmed, or decided within its cap) and a finished 公示 with no
// open objection, and every action whose (state, kind, actor) is not in the table is refused.

fn principals() -> Vec<Principal> {
    vec![
        staff(),
        who(Role::EnterpriseAdmin, UI),
        who(Role::EnterpriseStaff, "91330402MA2B000029"),
        county(),
        who(Role::CountyReviewer, "秀洲区"),
        dept(),
        who(Role::DepartmentReviewer, "市科技局"),
        finance(),
        who(Role::Auditor, ""),
        who(Role::SystemAdmin, ""),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    let acct = prop_oneof![
        Just(account()),
        Just(Account {
            holder: "乙公司".into(),
            ..account()
        })
    ];
    prop_oneof![
        acct.clone().prop_map(Action::Confirm),
        Just(Action::Decline("不需要".into())),
        acct.clone().prop_map(Action::Apply),
        Just(Action::Return("补正".into())),
        Just(Action::PassFirstReview),
        (
            0i64..20_000_000,
            prop::option::of(Just("纪要1号".to_string()))
        )
            .prop_map(|(amount, meeting)| {
                Action::Decide {
                    amount,
                    reason: "核定".into(),
                    meeting,
                }
            }),
        (1i32..20)
            .prop_map(|d| Action::Publicize(Date::from_days(day("2026-03-01").to_days() + d))),
        Just(Action::Object("异议".into())),
        prop::option::of(0i64..40_000_000).prop_map(Action::Uphold),
        Just(Action::Dismiss("驳回".into())),
        Just(Action::AddToBatch),
        Just(Action::RecordPaid),
        Just(Action::RecordFailed("退回".into())),
        acct.prop_map(Action::CorrectAccount),
        Just(Action::Supersede {
            by: 2,
            reason: "同一项目另案支付更高金额".into()
        }),
    ]
}

/// An action with the principal who would normally take it (index into [`principals`]), and now
/// and then anyone at all: the walks reach every state, and try every wrong hand.
fn move_() -> impl Strategy<Value = (usize, Action)> {
    let natural = action().prop_map(|a| {
        let by = match a.kind() {
            Kind::Confirm | Kind::Decline | Kind::Apply | Kind::CorrectAccount => 0,
            Kind::Return | Kind::PassFirstReview | Kind::Object => 3,
            Kind::Decide
            | Kind::Publicize
            | Kind::Amend
            | Kind::Withdraw
            | Kind::Dismiss
            | Kind::Supersede => 5,
            Kind::AddToBatch | Kind::RecordPaid | Kind::RecordFailed => 7,
        };
        (by, a)
    });
    prop_oneof![4 => natural, 1 => (0usize..10, action())]
}

fn path() -> impl Strategy<Value = Path> {
    prop_oneof![
        Just(Path::Push),
        prop::option::of(1i64..15_000_000).prop_map(|cap| Path::Review {
            cap,
            case_by_case: false
        }),
        Just(Path::Review {
            cap: None,
            case_by_case: true
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_walk_pays_twice_or_pays_what_was_not_settled(
        start in path(),
        walk in prop::collection::vec((move_(), 0i32..3), 1..60),
    ) {
        let people = principals();
        let mut c = case(start);
        let mut today = day("2026-03-01");
        let mut settled = false;
        let mut paid = 0;
        for ((who, a), wait) in walk {
            today = Date::from_days(today.to_days() + wait);
            let p = &people[who];
            let row = TRANSITIONS.iter().find(|r| r.from == c.state && r.kind == a.kind());
            let in_table = row.is_some_and(|r| is(p, r.by, &c));
            let result = step(&c, p, &a, today);
            prop_assert!(in_table || result.is_err(), "{:?} by {:?} in {:?}", a, p, c.state);
            match result {
                Ok(next) => {
                    let row = row.expect("a step is in the table");
                    prop_assert!(is(p, row.by, &c), "{:?} by {:?}", a, p);
                    prop_assert_eq!(next.state, row.to);
                    if matches!(a, Action::Confirm(_) | Action::Decide { .. }) {
                        settled = true;
                    }
                    if let (Path::Review { cap: Some(cap), .. }, Some(amount)) = (&next.path, next.amount) {
                        prop_assert!(amount <= *cap);
                    }
                    if a == Action::AddToBatch && c.state == State::Publicized {
                        prop_assert!(c.publication_ends.is_some_and(|e| today > e));
                        prop_assert_eq!(c.open_objections, 0);
                        prop_assert!(settled);
                    }
                    if next.state == State::Paid {
                        paid += 1;
                        prop_assert!(settled && next.paid == next.amount && next.paid > Some(0));
                        prop_assert!(next.account.as_ref().is_some_and(|x| x.holder == next.payee));
                    }
                    c = next;
                }
                Err(_) => {
                    // Refused: nothing changed (the case is kept as it was).
                }
            }
        }
        prop_assert!(paid <= 1);
    }
}
