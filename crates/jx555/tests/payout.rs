//! End to end on a small committed dataset (tests/data/payout-2021) whose payout was worked out by hand
//! from the policy text: import, evaluate 2021 under the bundled Jiaxing pack, write the payout list, and
//! find exactly these lines (rules by their titles, as the list shows them).

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{jx555, temp, text};

/// (clause, rule title, subject, yuan), worked out by hand.
const EXPECTED: &[(&str, &str, &str, &str)] = &[
    // （三）对先进制造业产业集群发展促进机构连续三年每年给予100万元补助。
    ("（三）", "产业集群发展促进机构补助", "O1", "1000000.00"),
    // （六）营业收入首次突破50亿元（45亿→52亿），税收 1亿→1.2亿 增速20%≥10%：超10%部分形成的地方贡献
    // 3000万 × (20% − 10%) / (1 + 20%) = 250万。
    (
        "（六）",
        "首次入围民营500强或营业收入首次突破：增长超10%部分的地方贡献",
        "91330482MA2B0000CJ",
        "2500000.00",
    ),
    // （六）国家级、省级……“专精特新”小巨人企业分别给予150万元、50万元的奖励。
    (
        "（六）",
        "单项冠军、隐形冠军、专精特新小巨人奖励",
        "R1",
        "1500000.00",
    ),
    (
        "（六）",
        "单项冠军、隐形冠军、专精特新小巨人奖励",
        "R2",
        "500000.00",
    ),
    // （六）2019年（含）以后升规且连续三年在规（2019–2021）的制造业企业给予30万元的奖励。
    (
        "（六）",
        "2019年以后升规且连续三年在规",
        "91330402MA2B0000AG",
        "300000.00",
    ),
    // （十）超过2.0部分折算成建筑面积（28333.33 − 20000 = 8333.33 m²），按照150元/平方米：1249999.50元。
    ("（十）", "小微企业园增加容积率补助", "P1", "1249999.50"),
    // （十）小微企业园第三方运维机构，经考核合格，给予一次性50万元。
    ("（十）", "小微企业园第三方运维机构奖励", "O2", "500000.00"),
    // （十一）市内首台（套）20万元。
    (
        "（十一）",
        "首台（套）、首批次、首版次奖励",
        "R3",
        "200000.00",
    ),
    // （十八）容积率1.8，高于1.5三档，核定80万元，不超过最高100万元。
    ("（十八）", "出让用地提高容积率奖励", "L1", "800000.00"),
];

#[test]
fn the_hand_worked_payout_of_2021() {
    let tmp = temp();
    let d = tmp.path();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/payout-2021");
    let db = d.join("t.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = jx555(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out));
    };
    run(&["import", data, "--db", db, "--pack", "policies/example-555"]);
    run(&["evaluate", "--year", "2021", "--db", db]);
    let reports = d.join("reports");
    run(&[
        "report",
        "1",
        "--db",
        db,
        "--out",
        reports.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(reports.join("兑现清单-2021年-第1号.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut paid: Vec<(String, String, String, String)> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[11] != "0.00")
        .map(|r| {
            (
                r[1].to_string(),
                r[2].to_string(),
                r[4].to_string(),
                r[11].to_string(),
            )
        })
        .collect();
    paid.sort();
    // 制造业增加值占GDP比重在40%以上: entered as an indicator, 42% in 2021.
    let targets = jx555(&["targets", "--year", "2021", "--db", db]);
    let targets = text(&targets);
    assert!(
        targets.contains("当前 42%") && targets.contains("已达成"),
        "{targets}"
    );
    let mut expected: Vec<(String, String, String, String)> = EXPECTED
        .iter()
        .map(|(c, r, s, y)| (c.to_string(), r.to_string(), s.to_string(), y.to_string()))
        .collect();
    expected.sort();
    assert_eq!(paid, expected);

    // Once approved, the 终期评估 of 2021 pays out exactly these lines: 8,549,999.50元 is 855.00万 half up,
    // reaching three enterprises (R1–R3 are theirs; the park, land and organisations are not enterprises).
    let review = |out: &str| {
        let o = jx555(&[
            "review", "--from", "2021", "--to", "2021", "--db", db, "--out", out,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        text(&o)
    };
    let before = review(d.join("before.xlsx").to_str().unwrap());
    assert!(
        before.contains("兑现合计 0.00万元，惠及企业 0 家"),
        "{before}"
    );
    run(&["approve", "1", "--db", db]);
    let book = d.join("评估.xlsx");
    let after = review(book.to_str().unwrap());
    assert!(
        after.contains("兑现合计 855.00万元，惠及企业 3 家"),
        "{after}"
    );
    assert!(
        after.contains("（十八）｜出让用地提高容积率奖励｜1｜80.00万元"),
        "{after}"
    );
    assert!(after.contains("2021｜855.00万元"), "{after}");
    use calamine::Reader;
    let sheets = calamine::open_workbook_auto(&book).unwrap().sheet_names();
    assert!(sheets.contains(&"目标".to_string()) && sheets.contains(&"按条款".to_string()));
}
