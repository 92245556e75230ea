//! The engine's semantics, each case taken from a sentence of 嘉政发〔2020〕8号.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use jx555_engine::run::{LineMode, Status};
use jx555_engine::{EngineError, Ledger, Request};
use support::*;

fn recognitions(
    rows: &[(&str, &str, &str, &str, i64)],
) -> Vec<(&'static str, arrow::array::ArrayRef)> {
    let col = |i: usize| {
        text(
            &rows
                .iter()
                .map(|r| [r.0, r.1, r.2, r.3][i])
                .collect::<Vec<_>>(),
        )
    };
    vec![
        ("id", col(0)),
        ("uscc", col(1)),
        ("kind", col(2)),
        ("level", col(3)),
        ("year", ints(&rows.iter().map(|r| r.4).collect::<Vec<_>>())),
    ]
}

/// （六）对国家级、省级……“专精特新”小巨人企业分别给予150万元、50万元的奖励。
#[test]
fn recognitions_pay_by_level() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1", "E2", "E3"]))
        .with(
            "recognitions",
            recognitions(&[
                ("R1", "E1", "专精特新小巨人", "national", 2021),
                ("R2", "E2", "单项冠军", "provincial", 2021),
                ("R3", "E3", "隐形冠军", "municipal", 2021),
                ("R4", "E3", "专精特新小巨人", "national", 2020),
            ]),
        )
        .facts();
    let p = example();
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    let lines: Vec<_> = r
        .lines
        .iter()
        .filter(|l| l.rule.id == "单项冠军等认定奖励")
        .collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(
        (lines[0].subject.as_str(), lines[0].payable),
        ("R1", 150 * WAN)
    );
    assert_eq!(
        (lines[1].subject.as_str(), lines[1].payable),
        ("R2", 50 * WAN)
    );
    assert_eq!(lines[0].enterprise.as_deref(), Some("E1"));
    assert_eq!(lines[0].county.as_deref(), Some("南湖区"));
    assert_eq!(lines[0].rule.citation.clause, "（六）");
    assert!(lines[0].rule.citation.sentence.contains("150万元、50万元"));
    let stats = r
        .stats
        .iter()
        .find(|s| s.rule == "单项冠军等认定奖励")
        .unwrap();
    assert_eq!(
        (stats.evaluated, stats.eligible, stats.payable),
        (4, 2, 200 * WAN)
    );
}

/// 就高不重复 with 补差: provincial 50万 in 2021, national 150万 in 2022 → 100万 in 2022.
#[test]
fn a_higher_level_later_tops_up_the_difference() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "recognitions",
            recognitions(&[
                ("R1", "E1", "专精特新小巨人", "provincial", 2021),
                ("R2", "E1", "专精特新小巨人", "national", 2022),
            ]),
        )
        .facts();
    let p = example();
    let runs = run_years(&[&p], &facts, 2021..=2022);
    let paid = |i: usize| {
        runs[i]
            .lines
            .iter()
            .filter(|l| l.rule.id == "单项冠军等认定奖励")
            .map(|l| (l.subject.clone(), l.payable))
            .collect::<Vec<_>>()
    };
    assert_eq!(paid(0), vec![("R1".to_string(), 50 * WAN)]);
    assert_eq!(paid(1), vec![("R2".to_string(), 100 * WAN)]);
    let line = runs[1].lines.iter().find(|l| l.subject == "R2").unwrap();
    assert_eq!(line.topped_up_from, Some(50 * WAN));
    assert_eq!(line.after_caps, Some(150 * WAN));
}

/// 就高不重复 within one year: of two lines for the same achievement only the highest pays; the
/// other is kept and points at the winner.
#[test]
fn only_the_highest_of_the_same_achievement_pays() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "recognitions",
            recognitions(&[
                ("R1", "E1", "单项冠军", "provincial", 2021),
                ("R2", "E1", "单项冠军", "national", 2021),
            ]),
        )
        .facts();
    let p = example();
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    let r1 = r.lines.iter().position(|l| l.subject == "R1").unwrap();
    let r2 = r.lines.iter().position(|l| l.subject == "R2").unwrap();
    assert_eq!(r.lines[r1].status, Status::Superseded { by: r2 });
    assert_eq!(r.lines[r1].payable, 0);
    assert_eq!(r.lines[r2].payable, 150 * WAN);
    assert_eq!(r.total(), 150 * WAN);
}

/// 就高不重复 without top-up across years: an achievement already paid is not paid again.
#[test]
fn without_top_up_a_paid_achievement_is_not_paid_again() {
    let policy = EXAMPLE.replace(
        "exclusive 强链认定 by (r.enterprise, r.kind) top_up",
        "exclusive 强链认定 by (r.enterprise, r.kind)",
    );
    let p = pack(&policy);
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "recognitions",
            recognitions(&[
                ("R1", "E1", "专精特新小巨人", "provincial", 2021),
                ("R2", "E1", "专精特新小巨人", "national", 2022),
            ]),
        )
        .facts();
    let runs = run_years(&[&p], &facts, 2021..=2022);
    let line = runs[1].lines.iter().find(|l| l.subject == "R2").unwrap();
    assert_eq!((line.payable, &line.status), (0, &Status::AlreadyPaid));
}

fn years_of(
    uscc: &str,
    rows: &[(i64, bool, &str, &str, &str)],
) -> Vec<(&'static str, arrow::array::ArrayRef)> {
    let n = rows.len();
    vec![
        ("uscc", text(&vec![uscc; n])),
        ("year", ints(&rows.iter().map(|r| r.0).collect::<Vec<_>>())),
        (
            "above_scale",
            flags(&rows.iter().map(|r| r.1).collect::<Vec<_>>()),
        ),
        (
            "revenue",
            money(&rows.iter().map(|r| r.2).collect::<Vec<_>>()),
        ),
        (
            "tax_paid",
            money(&rows.iter().map(|r| r.3).collect::<Vec<_>>()),
        ),
        (
            "local_contribution",
            money(&rows.iter().map(|r| r.4).collect::<Vec<_>>()),
        ),
        ("private500_rank", ints(&vec![0; n])),
    ]
}

/// （六）对2019年（含）以后升规且连续三年在规的制造业企业给予30万元的奖励 — once.
#[test]
fn three_years_above_scale_since_2019_pays_once() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "enterprise_years",
            years_of(
                "E1",
                &[
                    (2018, false, "1000", "1", "1"),
                    (2019, true, "3000", "1", "1"),
                    (2020, true, "3000", "1", "1"),
                    (2021, true, "3000", "1", "1"),
                    (2022, true, "3000", "1", "1"),
                ],
            ),
        )
        .facts();
    let p = example();
    let runs = run_years(&[&p], &facts, 2020..=2022);
    let of = |i: usize| {
        runs[i]
            .lines
            .iter()
            .filter(|l| l.rule.id == "升规连续三年奖励")
            .map(|l| (l.payable, l.status.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(of(0), vec![]);
    assert_eq!(of(1), vec![(30 * WAN, Status::Payable)]);
    assert_eq!(of(2), vec![(0, Status::AlreadyPaid)]);
}

/// An enterprise above scale since before 2019 does not qualify.
#[test]
fn above_scale_before_2019_does_not_qualify() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "enterprise_years",
            years_of(
                "E1",
                &[
                    (2018, true, "3000", "1", "1"),
                    (2019, true, "3000", "1", "1"),
                    (2020, true, "3000", "1", "1"),
                    (2021, true, "3000", "1", "1"),
                ],
            ),
        )
        .facts();
    let p = example();
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    assert!(r.lines.iter().all(|l| l.rule.id != "升规连续三年奖励"));
}

/// （六）营业收入首次突破50亿元……且当年实缴税收增速超10%（含）……当年增长超10%部分形成的地方贡献全部奖励。
/// Tax 1亿 → 1.2亿 (20%), local contribution 3000万: the part above 10% growth is 0.1/1.2 of this
/// year's tax, so 3000万 × 0.1 / 1.2 = 250万.
#[test]
fn first_crossing_with_tax_growth_rewards_the_local_contribution_of_the_excess() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1", "E2"]))
        .with(
            "enterprise_years",
            [
                years_of(
                    "E1",
                    &[
                        (2020, true, "4000000000", "100000000", "25000000"),
                        (2021, true, "5200000000", "120000000", "30000000"),
                    ],
                ),
                years_of(
                    "E2",
                    &[
                        (2020, true, "4000000000", "100000000", "25000000"),
                        (2021, true, "5200000000", "108200000", "30000000"),
                    ],
                ),
            ]
            .into_iter()
            .fold(Vec::new(), concat_columns),
        )
        .facts();
    let p = example();
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    let lines: Vec<_> = r
        .lines
        .iter()
        .filter(|l| l.rule.id == "强链企业地方贡献奖励")
        .collect();
    assert_eq!(lines.len(), 1, "E2's tax grew 8.2%: {lines:#?}");
    assert_eq!(lines[0].subject, "E1");
    assert_eq!(lines[0].payable, 250 * WAN);
    // A year later revenue is no longer crossing 50亿 for the first time.
}

fn concat_columns(
    mut acc: Vec<(&'static str, arrow::array::ArrayRef)>,
    next: Vec<(&'static str, arrow::array::ArrayRef)>,
) -> Vec<(&'static str, arrow::array::ArrayRef)> {
    if acc.is_empty() {
        return next;
    }
    for (a, (_, b)) in acc.iter_mut().zip(next) {
        a.1 = arrow::compute::concat(&[a.1.as_ref(), b.as_ref()]).unwrap();
    }
    acc
}

fn organisations(rows: &[(&str, &str, i64)]) -> Vec<(&'static str, arrow::array::ArrayRef)> {
    let n = rows.len();
    vec![
        ("id", text(&rows.iter().map(|r| r.0).collect::<Vec<_>>())),
        ("name", text(&vec!["机构"; n])),
        ("kind", text(&rows.iter().map(|r| r.1).collect::<Vec<_>>())),
        ("county", text(&vec!["秀洲区"; n])),
        ("year", ints(&rows.iter().map(|r| r.2).collect::<Vec<_>>())),
        ("city_registered", flags(&vec![true; n])),
        ("legal_person", flags(&vec![true; n])),
        ("assessed", flags(&vec![true; n])),
        ("approved_amount", dec(&vec![None; n])),
    ]
}

/// （三）对先进制造业产业集群发展促进机构连续三年每年给予100万元补助.
#[test]
fn a_promotion_body_is_paid_three_years_then_no_more() {
    let facts = World::default()
        .with(
            "organisations",
            organisations(&[("O1", "集群发展促进机构", 2021)]),
        )
        .facts();
    let p = example();
    let runs = run_years(&[&p], &facts, 2020..=2024);
    let paid: Vec<i64> = runs
        .iter()
        .map(|r| {
            r.lines
                .iter()
                .filter(|l| l.rule.id == "集群促进机构补助")
                .map(|l| l.payable)
                .sum()
        })
        .collect();
    assert_eq!(paid, vec![0, 100 * WAN, 100 * WAN, 100 * WAN, 0]);
    let last = runs[4]
        .lines
        .iter()
        .find(|l| l.rule.id == "集群促进机构补助")
        .unwrap();
    assert_eq!(last.status, Status::Expired);
}

/// （十）小微企业园运维机构……给予一次性50万元: once, checked against the ledger.
#[test]
fn a_one_off_award_is_paid_once() {
    let facts = World::default()
        .with(
            "organisations",
            organisations(&[("O1", "小微园运维机构", 2021)]),
        )
        .facts();
    let p = example();
    let runs = run_years(&[&p], &facts, 2021..=2022);
    let of = |i: usize| {
        runs[i]
            .lines
            .iter()
            .find(|l| l.rule.id == "小微园运维机构奖励")
            .map(|l| l.payable)
    };
    assert_eq!((of(0), of(1)), (Some(50 * WAN), Some(0)));
}

fn parks(rows: &[(&str, &str, &str, &str)]) -> Vec<(&'static str, arrow::array::ArrayRef)> {
    let n = rows.len();
    vec![
        ("id", text(&rows.iter().map(|r| r.0).collect::<Vec<_>>())),
        ("name", text(&vec!["园区"; n])),
        ("county", text(&vec!["海宁市"; n])),
        ("year", ints(&vec![2021; n])),
        (
            "land_area",
            dec(&rows.iter().map(|r| Some(r.1)).collect::<Vec<_>>()),
        ),
        (
            "floor_area_before",
            dec(&rows.iter().map(|r| Some(r.2)).collect::<Vec<_>>()),
        ),
        (
            "floor_area_after",
            dec(&rows.iter().map(|r| Some(r.3)).collect::<Vec<_>>()),
        ),
    ]
}

/// （十）超过2.0部分折算成建筑面积，按照150元/平方米给予补助，最高补助不超过500万元.
/// 150元 × 8,333.33 m² = 1,249,999.50元, to the fen; 40,000 m² above 2.0 would be 600万, capped at 500万.
#[test]
fn micro_park_density_award_is_exact_and_capped() {
    let facts = World::default()
        .with(
            "parks",
            parks(&[
                ("P1", "10000", "15000", "28333.33"),
                ("P2", "10000", "15000", "60000"),
                ("P3", "10000", "15000", "19999.99"),
            ]),
        )
        .facts();
    let p = example();
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    let of = |id: &str| {
        r.lines
            .iter()
            .find(|l| l.subject == id)
            .map(|l| (l.gross, l.after_caps, l.payable))
    };
    assert_eq!(
        of("P1"),
        Some((Some(124_999_950), Some(124_999_950), 124_999_950))
    );
    assert_eq!(
        of("P2"),
        Some((Some(600 * WAN), Some(500 * WAN), 500 * WAN))
    );
    assert_eq!(of("P3"), None);
}

fn parcels(
    rows: &[(&str, &str, &str, Option<&str>)],
) -> Vec<(&'static str, arrow::array::ArrayRef)> {
    let n = rows.len();
    vec![
        ("id", text(&rows.iter().map(|r| r.0).collect::<Vec<_>>())),
        ("uscc", text(&vec!["E1"; n])),
        ("year", ints(&vec![2021; n])),
        (
            "area",
            dec(&rows.iter().map(|r| Some(r.1)).collect::<Vec<_>>()),
        ),
        (
            "far",
            dec(&rows.iter().map(|r| Some(r.2)).collect::<Vec<_>>()),
        ),
        ("completed", flags(&vec![true; n])),
        (
            "approved_amount",
            dec(&rows.iter().map(|r| r.3).collect::<Vec<_>>()),
        ),
    ]
}

/// （十八）容积率高于1.5的，每增加0.1……给予最高100万元: review up to the cap; 1.8 is exactly 3 steps.
#[test]
fn review_lines_carry_their_cap_and_never_pay_above_it() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "land_parcels",
            parcels(&[
                ("L1", "10000", "1.8", None),
                ("L2", "10000", "1.8", Some("800000")),
                ("L3", "10000", "2.5", Some("1200000")),
                ("L4", "10000", "1.59", Some("1")),
            ]),
        )
        .facts();
    let p = example();
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    let of = |id: &str| {
        r.lines
            .iter()
            .find(|l| l.subject == id)
            .map(|l| (l.mode.clone(), l.payable, l.status.clone()))
    };
    assert_eq!(
        of("L1"),
        Some((
            LineMode::Review {
                cap: Some(100 * WAN),
                approved: None
            },
            0,
            Status::Flagged
        ))
    );
    assert_eq!(
        of("L2"),
        Some((
            LineMode::Review {
                cap: Some(100 * WAN),
                approved: Some(80 * WAN)
            },
            80 * WAN,
            Status::Payable
        ))
    );
    assert_eq!(
        of("L3"),
        Some((
            LineMode::Review {
                cap: Some(100 * WAN),
                approved: Some(100 * WAN)
            },
            100 * WAN,
            Status::Payable
        ))
    );
    assert_eq!(of("L4"), None, "1.59 is less than one step above 1.5");
}

/// Exactly 3 steps at 容积率 1.8 (binary floating point gives 2), and a per-project cap across years.
#[test]
fn steps_are_exact_and_caps_per_key_hold_across_years() {
    let policy = "## （十八）强化土地要素保障\n\n每增加0.1容积率给予奖励。\n\n```rule\n\
        rule 提容档数 for land_parcel l {\n  let 档数 = floor((l.far - 1.5) / 0.1)\n  when 有档: 档数 >= 1\n  award 档数 * 10万\n  cap 45万 per l.enterprise\n  department 市自然资源和规划局\n}\n```\n";
    let p = pack(policy);
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "land_parcels",
            parcels(&[("L1", "10000", "1.8", None), ("L2", "10000", "1.7", None)]),
        )
        .facts();
    let runs = run_years(&[&p], &facts, 2021..=2022);
    let amounts = |i: usize| {
        runs[i]
            .lines
            .iter()
            .map(|l| (l.subject.clone(), l.after_caps, l.payable))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        amounts(0),
        vec![
            ("L1".into(), Some(30 * WAN), 30 * WAN),
            ("L2".into(), Some(20 * WAN), 15 * WAN)
        ]
    );
    // The next year the enterprise's 45万 is used up.
    assert_eq!(
        amounts(1),
        vec![
            ("L1".into(), Some(30 * WAN), 0),
            ("L2".into(), Some(20 * WAN), 0)
        ]
    );
    assert_eq!(runs[1].lines[0].status, Status::CapReached);
}

/// Multipliers apply in the order written, and 市区共担 splits what is paid.
#[test]
fn multipliers_apply_in_order_and_cost_is_shared() {
    let policy = "## （七）实施强链项目\n\n对强链投资项目采取退坡机制进行综合奖补，单个项目最高奖补2000万元。\n\n```rule\n\
        param 退坡: year -> percent = { 2021 => 100%, 2022 => 80%, _ => 50% }\n\
        rule 强链示例 for project p {\n  when 强链: p.kind == 强链项目\n  award p.investment * 5%\n  cap 100万\n  scale 退坡: 退坡[year]\n  scale 系数: if p.enterprise.performance_leader then 1.5 else 1\n  cost_share city 60%\n  department 市经信局\n}\n```\n";
    let p = pack(policy);
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "enterprise_years",
            vec![
                ("uscc", text(&["E1", "E1"])),
                ("year", ints(&[2021, 2022])),
                ("performance_leader", flags(&[false, true])),
            ],
        )
        .with(
            "projects",
            vec![
                ("id", text(&["P1"])),
                ("uscc", text(&["E1"])),
                ("kind", text(&["强链项目"])),
                ("investment", money(&["30000000"])),
            ],
        )
        .facts();
    let r21 = run(&[&p], &facts, &Ledger::default(), 2021);
    let r22 = run(&[&p], &facts, &Ledger::default(), 2022);
    // 3000万 × 5% = 150万, capped at 100万 before the taper: 2021 100万; 2022 × 80% × 1.5 = 120万.
    assert_eq!(r21.lines[0].payable, 100 * WAN);
    assert_eq!(r22.lines[0].payable, 120 * WAN);
    assert_eq!(
        (r22.lines[0].city_share, r22.lines[0].county_share),
        (Some(72 * WAN), Some(48 * WAN))
    );
}

/// （七）一事一议 and 分档定额 without tiers are flagged, never given an amount.
#[test]
fn case_by_case_and_pending_lines_are_flagged_without_amount() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "projects",
            vec![
                ("id", text(&["P1"])),
                ("uscc", text(&["E1"])),
                ("kind", text(&["强链项目"])),
                ("global_leader", flags(&[true])),
                ("funds_arrived", money(&["1500000000"])),
                ("foreign_usd", dec(&[Some("0")])),
            ],
        )
        .facts();
    let p = example();
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    let modes: Vec<_> = r
        .lines
        .iter()
        .map(|l| {
            (
                l.rule.id.as_str(),
                l.mode.clone(),
                l.payable,
                l.status.clone(),
            )
        })
        .collect();
    assert!(
        modes.contains(&("强链项目一事一议", LineMode::CaseByCase, 0, Status::Flagged)),
        "{modes:#?}"
    );
    assert!(modes.iter().any(|m| m.0 == "强链投资项目综合奖补"
        && matches!(m.1, LineMode::Pending { .. })
        && m.2 == 0));
}

/// 本意见……有效期至2025年12月31日: a year outside the window is an error naming it.
#[test]
fn a_year_outside_the_validity_is_an_error() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .facts();
    let p = example();
    let err = jx555_engine::evaluate(&Request {
        packs: &[&p],
        facts: &facts,
        ledger: &Ledger::default(),
        year: 2026,
        overrides: &[],
    })
    .unwrap_err();
    assert!(matches!(err, EngineError::OutsideValidity { .. }));
    assert!(err.to_string().contains("2025-12-31"), "{err}");
}

/// A rule that reads a column the facts lack is an error naming table, column and rule; nothing is computed.
#[test]
fn a_missing_column_is_named() {
    let mut batches = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .batches();
    let years = batches
        .iter_mut()
        .find(|(n, _)| *n == "enterprise_years")
        .unwrap();
    let i = years.1.schema().index_of("local_contribution").unwrap();
    years.1.remove_column(i);
    let facts = jx555_engine::FactIndex::from_batches(&batches).unwrap();
    let p = example();
    let err = jx555_engine::evaluate(&Request {
        packs: &[&p],
        facts: &facts,
        ledger: &Ledger::default(),
        year: 2021,
        overrides: &[],
    })
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("enterprise_years")
            && text.contains("local_contribution")
            && text.contains("强链企业地方贡献奖励"),
        "{text}"
    );
}

/// Floating point money is refused at the door, naming table and column.
#[test]
fn floating_point_money_is_refused() {
    let batch = jx555_engine::facts::batch(vec![
        ("uscc", text(&["E1"])),
        ("year", ints(&[2021])),
        (
            "revenue",
            std::sync::Arc::new(arrow::array::Float64Array::from(vec![1.5]))
                as arrow::array::ArrayRef,
        ),
    ])
    .unwrap();
    let e = jx555_engine::facts::batch(enterprises(&["E1"])).unwrap();
    let err =
        jx555_engine::FactIndex::from_batches(&[("enterprises", e), ("enterprise_years", batch)])
            .unwrap_err();
    assert!(
        err.to_string().contains("enterprise_years") && err.to_string().contains("revenue"),
        "{err}"
    );
}

/// A record that points at an unknown enterprise is refused with its row.
#[test]
fn a_child_of_an_unknown_enterprise_is_refused() {
    let e = jx555_engine::facts::batch(enterprises(&["E1"])).unwrap();
    let r = jx555_engine::facts::batch(recognitions(&[
        ("R1", "E1", "单项冠军", "national", 2021),
        ("R2", "E9", "单项冠军", "national", 2021),
    ]))
    .unwrap();
    let err = jx555_engine::FactIndex::from_batches(&[("enterprises", e), ("recognitions", r)])
        .unwrap_err();
    assert!(
        err.to_string().contains("row 2") && err.to_string().contains("E9"),
        "{err}"
    );
}

/// （五）专项资金不低于70%用于推进产业链建设: checked over the run.
#[test]
fn the_chain_share_principle_is_checked() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "recognitions",
            recognitions(&[("R1", "E1", "单项冠军", "national", 2021)]),
        )
        .with(
            "organisations",
            organisations(&[("O1", "小微园运维机构", 2021)]),
        )
        .facts();
    let p = example();
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    let c = &r.principles[0];
    assert_eq!((c.fund_total, c.tagged), (200 * WAN, 150 * WAN));
    assert_eq!(c.holds, Some(true));
}

/// Money is never negative in these facts: a negative amount is refused with its table, column and row.
#[test]
fn a_negative_amount_is_refused() {
    let mut batches = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .batches();
    let years = jx555_engine::facts::batch(vec![
        ("uscc", text(&["E1", "E1"])),
        ("year", ints(&[2020, 2021])),
        ("revenue", money(&["100", "-5.00"])),
    ])
    .unwrap();
    batches.retain(|(n, _)| *n != "enterprise_years");
    batches.push(("enterprise_years", years));
    let err = jx555_engine::FactIndex::from_batches(&batches)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("enterprise_years")
            && err.contains("row 2")
            && err.contains("revenue")
            && err.contains("negative"),
        "{err}"
    );
}

/// A table the rules read that is not given at all is named as missing.
#[test]
fn a_missing_table_is_named() {
    let batches: Vec<_> = World::default()
        .batches()
        .into_iter()
        .filter(|(n, _)| *n != "parks")
        .collect();
    let facts = jx555_engine::FactIndex::from_batches(&batches).unwrap();
    let p = example();
    let err = jx555_engine::evaluate(&Request {
        packs: &[&p],
        facts: &facts,
        ledger: &Ledger::default(),
        year: 2021,
        overrides: &[],
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("table parks") && err.contains("missing"),
        "{err}"
    );
}

/// 单个项目最高…: a cap per subject per year is a cap per key with the year in the key.
#[test]
fn a_cap_per_subject_per_year_resets_each_year() {
    let policy = "## （六）培育强链企业\n\n对企业给予奖励。\n\n```rule\n\
        rule 甲 for recognition r {\n  award 80万\n  cap 100万 per (r.enterprise, year)\n  department 市经信局\n}\n```\n";
    let p = pack(policy);
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "recognitions",
            recognitions(&[
                ("R1", "E1", "单项冠军", "national", 2021),
                ("R2", "E1", "隐形冠军", "national", 2021),
            ]),
        )
        .facts();
    let runs = run_years(&[&p], &facts, 2021..=2022);
    let paid = |i: usize| runs[i].lines.iter().map(|l| l.payable).collect::<Vec<_>>();
    assert_eq!(paid(0), vec![80 * WAN, 20 * WAN]);
    assert_eq!(paid(1), vec![80 * WAN, 20 * WAN]);
}

/// 就高不重复 across packs evaluated together: the group is shared, the highest line wins.
#[test]
fn exclusivity_spans_packs_evaluated_together() {
    let other_policy = "## （一）其他政策\n\n对小巨人企业给予80万元奖励。\n\n```rule\n\
        rule 他策小巨人 for recognition r {\n  when 小巨人: r.kind == 专精特新小巨人\n  award 80万\n  exclusive 强链认定 by (r.enterprise, r.kind) top_up\n  department 市经信局\n}\n```\n";
    let mut other = pack(other_policy);
    other.manifest.id = "other-policy".into();
    let p = example();
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "recognitions",
            recognitions(&[("R1", "E1", "专精特新小巨人", "provincial", 2021)]),
        )
        .facts();
    let r = run(&[&p, &other], &facts, &Ledger::default(), 2021);
    let paid: Vec<_> = r
        .lines
        .iter()
        .map(|l| (l.rule.pack.as_str(), l.payable, l.status.clone()))
        .collect();
    assert_eq!(
        paid,
        vec![
            ("example-555", 0, Status::Superseded { by: 1 }),
            ("other-policy", 80 * WAN, Status::Payable)
        ]
    );
}

/// Projects P1–P3 of E1 (a 绩效评价领跑企业), E2 and E1 under a 强链投资 rule: reviewed up to 2000万,
/// the approved amount ×1.5 for a leader, capped at 2000万 per project; `approved` their facts' amounts.
fn investment(approved: &[Option<&str>]) -> (jx555_lang::ir::Pack, jx555_engine::FactIndex) {
    let p = pack(
        "### （七）实施强链项目\n\n对强链投资项目，单个项目最高奖补2000万元。\n\n```rule\nrule 强链投资 for project p {\n  when 强链: p.kind == 强链项目\n  review up to 2000万 approved p.approved_amount\n  scale 投资补助系数: if p.enterprise.performance_leader then 1.5 else 1\n  cap 2000万 per p\n  department 市经信局\n}\n```\n",
    );
    let facts = World::default()
        .with("enterprises", enterprises(&["E1", "E2"]))
        .with(
            "enterprise_years",
            vec![
                ("uscc", text(&["E1", "E2"])),
                ("year", ints(&[2021, 2021])),
                ("performance_leader", flags(&[true, false])),
            ],
        )
        .with(
            "projects",
            vec![
                ("id", text(&["P1", "P2", "P3"])),
                ("uscc", text(&["E1", "E2", "E1"])),
                ("kind", text(&["强链项目", "强链项目", "强链项目"])),
                ("year", ints(&[2021, 2021, 2021])),
                ("approved_amount", dec(approved)),
            ],
        )
        .facts();
    (p, facts)
}

/// （二十一）对重点行业绩效评价领跑企业投资补助系数提升至1.5: a review rule without an award scales the
/// approved amount, and its caps hold after the multiplier.
#[test]
fn the_approved_amount_goes_through_the_multipliers_and_caps() {
    let (p, facts) = investment(&[Some("6000000"), Some("6000000"), Some("16000000")]);
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    let paid = |id: &str| r.lines.iter().find(|l| l.subject == id).map(|l| l.payable);
    assert_eq!(paid("P1"), Some(900 * WAN), "600万 × 1.5");
    assert_eq!(paid("P2"), Some(600 * WAN));
    assert_eq!(
        paid("P3"),
        Some(2000 * WAN),
        "1600万 × 1.5 is 2400万, capped at 2000万"
    );
}

/// An amount decided on review (核定金额) stands where the facts' approved amount would: the 1.5
/// multiplier raises it, the cap per project holds after it and across years (what the ledger paid
/// counts), and a line with no approved amount in the facts becomes payable at the decided amount.
#[test]
fn a_decided_amount_goes_through_the_multipliers_and_caps_as_an_approved_one() {
    let (p, facts) = investment(&[None, Some("6000000"), None]);
    let req = jx555_engine::Request {
        packs: &[&p],
        facts: &facts,
        ledger: &Ledger::default(),
        year: 2021,
        overrides: &[],
    };
    let id = p.manifest.id.clone();
    let mut decided = jx555_engine::Decisions::default();
    decided.insert(&id, "强链投资", "P1", 600 * WAN);
    decided.insert(&id, "强链投资", "P2", 500 * WAN);
    let r = jx555_engine::evaluate_decided(&req, &decided).unwrap();
    let line = |id: &str| r.lines.iter().find(|l| l.subject == id).unwrap();
    assert_eq!(line("P1").payable, 900 * WAN, "decided 600万 × 1.5");
    assert_eq!(
        line("P2").payable,
        500 * WAN,
        "the decision replaces the facts' 600万"
    );
    assert_eq!(line("P3").payable, 0, "not decided: still to review");
    assert_eq!(
        line("P3").standing(),
        jx555_engine::summary::Standing::Review
    );
    // 1600万 decided for a leader is 2400万, capped at 2000万; with 1500万 paid before, 500万 is left.
    decided.insert(&id, "强链投资", "P3", 1600 * WAN);
    let r = jx555_engine::evaluate_decided(&req, &decided).unwrap();
    assert_eq!(
        r.lines.iter().find(|l| l.subject == "P3").unwrap().payable,
        2000 * WAN
    );
    let before = run(&[&p], &facts, &Ledger::default(), 2021);
    let mut paid = before.clone();
    for l in &mut paid.lines {
        if l.subject == "P3" {
            l.payable = 1500 * WAN;
            l.status = jx555_engine::Status::Payable;
        }
    }
    paid.year = 2020;
    let ledger = Ledger::new(Ledger::entries_of(&paid));
    let r = jx555_engine::evaluate_decided(
        &jx555_engine::Request {
            ledger: &ledger,
            ..req
        },
        &decided,
    )
    .unwrap();
    assert_eq!(
        r.lines.iter().find(|l| l.subject == "P3").unwrap().payable,
        500 * WAN,
        "the cap per project counts what was paid"
    );
}

/// 市区共担 with the shares not fixed by the document: no split until a run sets the county's share.
#[test]
fn a_pending_share_splits_nothing_until_a_run_sets_it() {
    let p = pack(
        "### （十）\n\n经考核合格，一次性补助50万元。\n\n```rule\nparam 市级承担比例: county -> percent = pending \"市区共担的比例未在本文件中规定\"\n\nrule 联盟补助 for organisation o {\n  when 当年: o.year == year\n  award 50万\n  cost_share city 市级承担比例[o.county]\n  department 市经信局\n}\n```\n",
    );
    let facts = World::default()
        .with(
            "organisations",
            vec![
                ("id", text(&["O1", "O2"])),
                ("kind", text(&["小微园运维机构", "小微园运维机构"])),
                ("county", text(&["南湖区", "海宁市"])),
                ("year", ints(&[2021, 2021])),
            ],
        )
        .facts();
    let r = run(&[&p], &facts, &Ledger::default(), 2021);
    assert!(
        r.lines
            .iter()
            .all(|l| l.city_share.is_none() && l.payable == 50 * WAN)
    );
    let set = [jx555_engine::Override {
        param: "市级承担比例".into(),
        key: Some("南湖区".into()),
        value: jx555_lang::types::Value::Percent(rust_decimal::Decimal::new(6, 1)),
    }];
    let r = jx555_engine::evaluate(&Request {
        packs: &[&p],
        facts: &facts,
        ledger: &Ledger::default(),
        year: 2021,
        overrides: &set,
    })
    .unwrap();
    let of = |id: &str| r.lines.iter().find(|l| l.subject == id).unwrap();
    assert_eq!(
        (of("O1").city_share, of("O1").county_share),
        (Some(30 * WAN), Some(20 * WAN))
    );
    assert_eq!(of("O2").city_share, None, "海宁市's share is still not set");
}

/// `evaluate` sees only the ledger's earlier years itself: given the whole ledger, with the year's own
/// approved lines in it, a year evaluates as it did before its approval.
#[test]
fn evaluate_applies_the_ledger_of_earlier_years_itself() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "recognitions",
            recognitions(&[("R1", "E1", "专精特新小巨人", "national", 2021)]),
        )
        .facts();
    let p = example();
    let first = run(&[&p], &facts, &Ledger::default(), 2021);
    assert!(first.total() > 0);
    let whole = Ledger::new(Ledger::entries_of(&first));
    assert_eq!(run(&[&p], &facts, &whole, 2021), first);
}
