//! Ledger keys are the stored identities of achievements and capped pools: canonical values, pinned
//! here so that a change of their form (which would orphan every stored key) fails a test.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use jx555_engine::Ledger;
use jx555_engine::run::Status;
use support::*;

/// Two rules that pay one project, each “单个项目最高奖补2000万元”.
const TWO_CLAUSES: &str = "## （七）实施强链项目\n\n对强链投资项目采取退坡机制进行综合奖补，单个项目最高奖补2000万元。\n\n```rule\n\
    rule 强链投资 for project p {\n  when 强链: p.kind == 强链项目\n  award 1500万\n  cap 2000万 per (p.enterprise, p.name)\n  department 市经信局\n}\n```\n\n\
    ## （十一）实施产业基础再造\n\n实施工业强基工程项目计划，单个项目最高给予2000万元的补助。\n\n```rule\n\
    rule 工业强基 for project p {\n  when 强链: p.kind == 强链项目\n  award 1500万\n  cap 2000万 per (p.enterprise, p.name)\n  department 市经信局\n}\n```\n";

fn one_project() -> jx555_engine::FactIndex {
    World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "projects",
            vec![
                ("id", text(&["P1"])),
                ("uscc", text(&["E1"])),
                ("kind", text(&["强链项目"])),
                ("name", text(&["二期|扩建"])),
            ],
        )
        .facts()
}

/// A project paid under two clauses gets at most the one cap in all: the cap per key is a pool of the
/// pack, whichever rule pays — in one year and across years.
#[test]
fn two_rules_share_a_cap_per_key() {
    let p = pack(TWO_CLAUSES);
    let facts = one_project();
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    let paid: Vec<i64> = r.lines.iter().map(|l| l.payable).collect();
    assert_eq!(paid, vec![1500 * WAN, 500 * WAN]);
    let next = run(&[&p], &facts, &Ledger::new(Ledger::entries_of(&r)), 2022);
    assert!(
        next.lines
            .iter()
            .all(|l| l.payable == 0 && l.status == Status::CapReached)
    );
}

/// The keys of one line of each kind, as stored.
#[test]
fn keys_are_pinned() {
    let p = pack(TWO_CLAUSES);
    let r = run(&[&p], &one_project(), &Ledger::default(), 2021);
    // A cap per key: the pack and the values (the project's `|` escaped), not the rule or its step.
    assert_eq!(r.lines[0].cap_keys[0].key, "example-555|E1|二期\\|扩建");
    assert_eq!(r.lines[1].cap_keys[0].key, r.lines[0].cap_keys[0].key);

    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "recognitions",
            vec![
                ("id", text(&["R1"])),
                ("uscc", text(&["E1"])),
                ("kind", text(&["专精特新小巨人"])),
                ("level", text(&["national"])),
                ("year", ints(&[2021])),
            ],
        )
        .facts();
    let r = run(&[&example()], &facts, &Ledger::default(), 2021);
    let line = r.lines.iter().find(|l| l.exclusive.is_some()).unwrap();
    // An exclusivity key: the group and the values (the enterprise's id, the kind).
    assert_eq!(
        line.exclusive.as_deref(),
        Some("强链认定|E1|专精特新小巨人")
    );
}

/// Two rules of one exclusivity group for the same recognition, with the amounts given.
fn rivals(first: &str, second: &str) -> jx555_lang::ir::Pack {
    pack(&format!(
        "## （六）培育强链企业\n\n对国家级、省级制造业“单项冠军”“隐形冠军”“专精特新”小巨人企业分别给予150万元、50万元的奖励。\n\n```rule\n\
         rule 甲 for recognition r {{\n  when 当年: r.year == year\n  award {first}\n  exclusive 认定 by r.enterprise\n  department 市经信局\n}}\n\
         rule 乙 for recognition r {{\n  when 当年: r.year == year\n  award {second}\n  exclusive 认定 by r.enterprise\n  department 市经信局\n}}\n```\n"
    ))
}

fn one_recognition() -> jx555_engine::FactIndex {
    World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "recognitions",
            vec![
                ("id", text(&["R1"])),
                ("uscc", text(&["E1"])),
                ("kind", text(&["单项冠军"])),
                ("level", text(&["national"])),
                ("year", ints(&[2021])),
            ],
        )
        .facts()
}

/// Rules 甲 and 乙 compete for one recognition with these amounts: whether `winner` pays `paid` and
/// the other points at it.
fn contest(first: &str, second: &str, winner: &str, loser: &str, paid: i64) {
    let r = run(
        &[&rivals(first, second)],
        &one_recognition(),
        &Ledger::default(),
        2021,
    );
    let at = |rule: &str| r.lines.iter().position(|l| l.rule.id == rule).unwrap();
    assert_eq!(r.lines[at(winner)].payable, paid);
    assert_eq!(
        r.lines[at(loser)].status,
        Status::Superseded { by: at(winner) }
    );
    assert_eq!(r.total(), paid);
}

/// 就高不重复 with equal amounts: the first rule in pack order pays, the other points at it.
#[test]
fn a_tie_goes_to_the_first_rule_in_pack_order() {
    contest("50万", "50万", "甲", "乙", 50 * WAN);
}

/// What competes is the amount after the rule's own caps: 600万 capped at 100万 loses to 200万.
#[test]
fn the_amount_after_caps_competes() {
    contest("600万\n  cap 100万", "200万", "乙", "甲", 200 * WAN);
}
