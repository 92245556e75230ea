//! A synthetic Jiaxing, for demos and benchmarks: the same seed gives the same data, byte for byte.
//!
//! Enterprises are spread over the 9 counties; their industries are drawn so that the clusters' output
//! shares follow the 2019 column of 附件2 (现代纺织 2545亿, 化工新材料 1198亿, 新能源 550亿, 智能家居 440亿,
//! 汽车制造 364亿, 集成电路 70亿); revenue and tax are heavy-tailed; a few percent have recognitions, projects
//! and parcels; there are micro parks and organisations. Integer arithmetic only, so every platform draws
//! the same numbers.

use crate::cell::with_check_char;
use crate::import::{Dataset, Problem, RawTable, validate};
use crate::model::COUNTIES;

/// The years of history generated.
pub const YEARS: std::ops::RangeInclusive<i64> = 2018..=2025;

/// A seeded generator (splitmix64): the demo's, and the desk demo's.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 for 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// True `per_thousand` times in a thousand.
    pub fn chance(&mut self, per_thousand: u64) -> bool {
        self.below(1000) < per_thousand
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Heavy-tailed yuan: each doubling half as likely, with jitter.
    fn heavy(&mut self, base_yuan: u64) -> u64 {
        let mut v = base_yuan;
        while self.chance(500) && v < u64::MAX / 4 {
            v *= 2;
        }
        v / 2 + self.below(v.max(1))
    }
}

/// Cluster or emerging industry, its 2019 output (亿元) as weight, and industry codes in it.
const SECTORS: &[(&str, &str, u64, &[&str])] = &[
    (
        "cluster",
        "现代纺织",
        2545,
        &["1711", "1751", "2822", "2823"],
    ),
    (
        "cluster",
        "化工新材料",
        1198,
        &["2614", "2619", "2651", "2661"],
    ),
    ("cluster", "新能源", 550, &["3825", "3841", "3849"]),
    ("cluster", "智能家居", 440, &["2110", "3856", "3874"]),
    ("cluster", "汽车制造", 364, &["3611", "3612", "3660"]),
    ("emerging", "集成电路", 70, &["3973", "3974"]),
    ("emerging", "生命健康", 40, &["2710", "2720", "3581"]),
    ("emerging", "航空航天", 20, &["3963"]),
    ("other", "", 1500, &["3099", "3512", "3824", "1811"]),
];

const CHAIN_OF: &[(&str, &str)] = &[
    ("现代纺织", "时尚链"),
    ("新能源", "能源链"),
    ("集成电路", "数字链"),
    ("汽车制造", "绿色链"),
    ("生命健康", "健康链"),
];

const COUNTY_CODES: [&str; 9] = [
    "330402", "330411", "330421", "330482", "330424", "330481", "330483", "330402", "330482",
];

const RECOGNITIONS: &[&str] = &[
    "单项冠军",
    "隐形冠军",
    "专精特新小巨人",
    "首台套",
    "首批次",
    "首版次",
];
const LEVELS: &[&str] = &[
    "national",
    "provincial",
    "provincial",
    "municipal",
    "municipal",
    "municipal",
];
const ORG_KINDS: &[&str] = &["转型升级示范区", "集群发展促进机构", "小微园运维机构"];

fn table(name: &str, headers: &[&str], rows: Vec<Vec<String>>) -> RawTable {
    RawTable {
        source: format!("demo/{name}"),
        name: name.to_string(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows.into(),
    }
}

/// A valid 统一社会信用代码 for enterprise `i` of a county.
fn uscc(i: usize, county: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut org = String::new();
    let mut n = i;
    for _ in 0..9 {
        org.insert(0, ALPHABET[n % 31] as char);
        n /= 31;
    }
    with_check_char(&format!("91{}{org}", COUNTY_CODES[county]))
}

/// A plausible company name for enterprise `i` (synthetic: two characters from a list of those
/// Chinese firms favour, a trade word by sector), drawn without the generator so the data's numbers
/// do not depend on it; the sequence number keeps names distinct.
fn name(i: usize, sector: &str) -> String {
    const FIRST: &[char] = &[
        '华', '嘉', '恒', '宏', '正', '新', '永', '盛', '协', '瑞', '金', '天', '锦', '明', '浙',
        '禾', '汇', '通', '兴', '源', '博', '康', '荣', '海',
    ];
    const SECOND: &[char] = &[
        '达', '丰', '泰', '昌', '鑫', '诚', '远', '力', '和', '信', '升', '晟', '润', '安', '美',
        '凯', '豪', '腾', '越', '邦', '立', '星', '宇', '辰',
    ];
    let trade = match sector {
        "现代纺织" => "纺织",
        "化工新材料" => "新材料",
        "新能源" => "新能源",
        "智能家居" => "家居",
        "汽车制造" => "汽车零部件",
        "集成电路" => "微电子",
        "生命健康" => "生物医药",
        "航空航天" => "航空科技",
        _ => "实业",
    };
    let h = i.wrapping_mul(2_654_435_761);
    format!(
        "嘉兴{}{}{trade}有限公司（{i}）",
        FIRST[h % FIRST.len()],
        SECOND[(h / FIRST.len()) % SECOND.len()]
    )
}

fn yuan(v: u64) -> String {
    format!("{}.{:02}", v / 100, v % 100)
}

/// The rows the second stream adds to or rewrites.
struct Rows<'a> {
    ents: &'a mut [Vec<String>],
    years: &'a mut [Vec<String>],
    recs: &'a mut Vec<Vec<String>>,
    projs: &'a mut Vec<Vec<String>>,
    parks: &'a mut Vec<Vec<String>>,
    orgs: &'a mut Vec<Vec<String>>,
}

/// The opinion's years, each of which has subjects of every clause.
const OPINION_YEARS: std::ops::RangeInclusive<u64> = 2020..=2025;

/// Every kind the catalog names in every year of the opinion, so each clause has subjects each
/// year: recognitions, projects, parks and organisations beyond the first pass's few kinds and
/// years, some enterprises holding several recognitions in one year (就高不重复) or rising in level
/// across years (补差), enterprises first crossing 50亿 or rising in the 民营500强 with their tax, and
/// the emerging industries the first pass leaves out. A generator of its own (the seed's other
/// stream), so the first pass draws what it drew before; only those few enterprises' years change.
fn extend_to_every_clause(n: usize, seed: u64, t: Rows) {
    const KINDS: &[&str] = &[
        "单项冠军",
        "隐形冠军",
        "专精特新小巨人",
        "首台套",
        "首批次",
        "首版次",
        "绿色设计示范",
        "质量奖",
        "驰名商标",
        "驰名商标司法认定",
        "商标品牌示范",
        "智能制造示范",
        "智能工厂",
        "数字车间",
        "服务型制造示范",
        "工业技术软件化示范",
        "百网万品电商平台",
        "百网万品产品",
        "百网万品网店",
        "百网万品服务机构",
        "共享制造示范",
        "优秀企业家",
    ];
    const ORGS: &[&str] = &[
        "集群培育平台",
        "转型升级示范区",
        "集群发展促进机构",
        "新兴产业示范区",
        "未来产业先导区",
        "高质量发展示范园区",
        "小微园运维机构",
        "小微园服务联盟",
        "设计机构",
        "创新企业研究院",
        "制造业创新中心",
        "产业创新服务综合体",
        "生产性服务业功能区",
    ];
    const PROJECTS: &[&str] = &[
        "强链项目",
        "重大招引项目",
        "核心技术目录项目",
        "更芯换代",
        "产业基础再造",
        "智能制造技改",
    ];
    const YI: u64 = 100_000_000 * 100;
    if t.ents.is_empty() {
        return;
    }
    let mut rng = Rng(seed ^ 0x5555_5555_5555_5555);
    // The first three of a kind in a year are one of each level, so every level's clause has one.
    let level = |j: u64, rng: &mut Rng| match j {
        0 => "national".to_string(),
        1 => "provincial".to_string(),
        2 => "municipal".to_string(),
        _ => rng.pick(LEVELS).to_string(),
    };
    let enterprise = |rng: &mut Rng| rng.below(t.ents.len() as u64) as usize;
    for y in OPINION_YEARS {
        // Recognitions of every kind, about one enterprise in four hundred a year.
        for kind in KINDS {
            for j in 0..(n / 4000).max(3) as u64 {
                let e = t.ents[enterprise(&mut rng)][0].clone();
                let item = if kind.starts_with('首') && rng.chance(500) {
                    format!("产品{}", rng.below(1000))
                } else {
                    String::new()
                };
                let mut push = |level: &str, y: u64, item: &str| {
                    let k = t.recs.len();
                    t.recs.push(vec![
                        format!("R{k:07}"),
                        e.clone(),
                        kind.to_string(),
                        level.to_string(),
                        y.to_string(),
                        String::new(),
                        String::new(),
                        item.to_string(),
                    ]);
                };
                // A third of the national ones rose from provincial a year or two before (the higher
                // is paid the difference).
                if (j == 0 || j >= 3) && rng.chance(330) {
                    let earlier = y - 1 - rng.below(2);
                    push("provincial", earlier, &item);
                    push("national", y, &item);
                } else {
                    let l = level(j, &mut rng);
                    push(&l, y, &item);
                }
                // Some hold a second honour of the 强链 kinds the same year (就高不重复 between them).
                if rng.chance(100) {
                    let l = level(3, &mut rng);
                    push(&l, y, "");
                }
            }
        }
        // Organisations of every kind, a few each.
        for kind in ORGS {
            for j in 0..(n / 6000).max(3) as u64 {
                let k = t.orgs.len();
                let lvl = level(j, &mut rng);
                let county = rng.pick(&COUNTIES).to_string();
                let granted = if *kind == "生产性服务业功能区" {
                    yuan(rng.heavy(100_000_000))
                } else {
                    String::new()
                };
                let approved = if rng.chance(600) {
                    yuan(rng.heavy(300_000_000))
                } else {
                    String::new()
                };
                t.orgs.push(vec![
                    format!("O{:05}", 50_000 + k),
                    format!("嘉兴{county}{kind}（{k}）"),
                    kind.to_string(),
                    lvl,
                    county,
                    y.to_string(),
                    if rng.chance(700) { "是" } else { "否" }.into(),
                    "是".into(),
                    if rng.chance(800) { "是" } else { "否" }.into(),
                    granted,
                    approved,
                ]);
            }
        }
        // Projects of every kind, with design fees and approved amounts where clauses need them;
        // each year's first 强链项目 is a world or industry leader's with 10亿 or more arrived, and
        // each year's second 产业基础再造 project is a 绩效评价领跑企业's, still to be reviewed (its
        // subsidy ×1.5, （二十一）).
        let per = t.years.len() / t.ents.len();
        for kind in PROJECTS {
            for j in 0..(n / 3000).max(3) {
                let k = t.projs.len();
                let owner = enterprise(&mut rng);
                let e = t.ents[owner][0].clone();
                let leader = *kind == "强链项目" && j == 0;
                let performance_leader = *kind == "产业基础再造" && j == 1;
                if performance_leader {
                    for row in &mut t.years[owner * per..(owner + 1) * per] {
                        if row[1] == y.to_string() {
                            row[9] = "是".into();
                        }
                    }
                }
                let arrived = if leader {
                    10 * YI + rng.heavy(5 * YI)
                } else {
                    rng.heavy(2_000_000_000)
                };
                t.projs.push(vec![
                    format!("P{k:07}"),
                    e,
                    format!("{kind}项目{k}"),
                    kind.to_string(),
                    String::new(),
                    y.to_string(),
                    yuan(rng.heavy(5_000_000_000).max(arrived)),
                    yuan(arrived),
                    "0".into(),
                    if leader || rng.chance(50) {
                        "是"
                    } else {
                        "否"
                    }
                    .into(),
                    format!("{}%", 10 * (1 + rng.below(10))),
                    if *kind == "更芯换代" {
                        // The first a design fee over 100万 (the design firm's award).
                        yuan(rng.heavy(100_000_000) + if j == 0 { 100_000_000 } else { 0 })
                    } else {
                        String::new()
                    },
                    if rng.chance(600) && !performance_leader {
                        yuan(rng.heavy(500_000_000))
                    } else {
                        String::new()
                    },
                ]);
            }
        }
        // 小微企业园 that raised their floor area this year, most past a floor-area ratio of 2.
        for _ in 0..(n / 5000).max(1) {
            let k = t.parks.len();
            let county = rng.pick(&COUNTIES).to_string();
            let land = 10_000 + rng.below(40_000);
            let before = land + rng.below(land);
            let after = 2 * land + rng.below(land);
            t.parks.push(vec![
                format!("K{:05}", 50_000 + k),
                format!("嘉兴{county}小微企业园{k}"),
                county,
                y.to_string(),
                land.to_string(),
                before.to_string(),
                after.to_string(),
                String::new(),
            ]);
        }
        // One enterprise first crosses 50亿 this year with its tax up 20%, and one in the
        // 民营500强 rises in rank with its tax up 12% (地方贡献奖励, both groups of the sentence).
        let crossing = enterprise(&mut rng);
        let rising = enterprise(&mut rng);
        let emerging: Vec<usize> = (0..t.ents.len())
            .filter(|&i| !t.ents[i][6].is_empty())
            .collect();
        let first_yi = (!emerging.is_empty()).then(|| *rng.pick(&emerging));
        let mut rewrite = |e: usize,
                           revenue: &dyn Fn(u64) -> u64,
                           tax: &dyn Fn(u64) -> u64,
                           rank: &dyn Fn(u64) -> String| {
            for row in &mut t.years[e * per..(e + 1) * per] {
                let year: u64 = row[1].parse().unwrap_or(2018);
                let (r, x) = (revenue(year), tax(year));
                row[2] = "是".into();
                row[3] = yuan(r);
                row[4] = yuan(r * 9 / 10);
                row[5] = yuan(r / 4);
                row[6] = yuan(x);
                row[7] = yuan(x * 4 / 10);
                row[8] = rank(year);
            }
        };
        rewrite(
            crossing,
            &|year| {
                if year < y {
                    46 * YI + (year - 2018) * YI / 2
                } else {
                    52 * YI + (year - y) * YI
                }
            },
            &|year| if year < y { 15 * YI / 10 } else { 18 * YI / 10 },
            &|_| String::new(),
        );
        rewrite(
            rising,
            &|year| 300 * YI + (year - 2018) * 10 * YI,
            &|year| if year < y { 6 * YI } else { 6 * YI * 112 / 100 },
            &|year| (480 - 10 * (year - 2018)).to_string(),
        );
        // And one of an emerging industry reaches 1亿 of revenue for the first time.
        if let Some(e) = first_yi {
            rewrite(
                e,
                &|year| {
                    if year < y {
                        8 * YI / 10 + (year - 2018) * YI / 100
                    } else {
                        105 * YI / 100
                    }
                },
                &|year| if year < y { 4 * YI / 100 } else { 5 * YI / 100 },
                &|_| String::new(),
            );
        }
    }
    // The emerging industries the first pass leaves out, on some enterprises of no sector.
    for row in t
        .ents
        .iter_mut()
        .filter(|r| r[5].is_empty() && r[6].is_empty())
        .step_by(97)
    {
        row[6] = (if rng.chance(500) {
            "人工智能"
        } else {
            "氢能源"
        })
        .to_string();
    }
}

/// The tables of a synthetic Jiaxing of `n` enterprises, as files would hold them.
pub fn raw(n: usize, seed: u64) -> Vec<RawTable> {
    let mut rng = Rng(seed);
    let total_weight: u64 = SECTORS.iter().map(|s| s.2).sum();
    let (mut ents, mut years, mut recs, mut projs, mut parcels) =
        (vec![], vec![], vec![], vec![], vec![]);
    for i in 0..n {
        let county = rng.below(9) as usize;
        let mut w = rng.below(total_weight);
        let sector = SECTORS
            .iter()
            .find(|s| {
                if w < s.2 {
                    true
                } else {
                    w -= s.2;
                    false
                }
            })
            .unwrap_or(&SECTORS[0]);
        let industry = rng.pick(sector.3).to_string();
        let id = uscc(i, county);
        let (cluster, emerging) = match sector.0 {
            "cluster" => (sector.1, ""),
            "emerging" => ("", sector.1),
            _ => ("", ""),
        };
        let chain = CHAIN_OF
            .iter()
            .find(|(s, _)| *s == sector.1)
            .map_or("", |(_, c)| c);
        ents.push(vec![
            id.clone(),
            name(i, sector.1),
            COUNTIES[county].to_string(),
            industry,
            String::new(),
            cluster.into(),
            emerging.into(),
            chain.into(),
        ]);

        // Revenue in fen: most enterprises are small; about one in twenty is above scale (2000万).
        let mut revenue = rng.heavy(80_000_000) * 10;
        let mut tax = revenue / (15 + rng.below(20));
        let leader = rng.chance(20);
        for year in YEARS {
            let above = revenue >= 2_000_000_000;
            let rank = if revenue > 50_000_000_000_000 {
                (1 + rng.below(500)).to_string()
            } else {
                String::new()
            };
            years.push(vec![
                id.clone(),
                year.to_string(),
                if above { "是" } else { "否" }.into(),
                yuan(revenue),
                yuan(revenue * 9 / 10),
                yuan(revenue / 4),
                yuan(tax),
                yuan(tax * 4 / 10),
                rank,
                if leader { "是" } else { "否" }.into(),
            ]);
            revenue = revenue / 100 * (92 + rng.below(20));
            tax = tax / 100 * (88 + rng.below(30));
        }
        if rng.chance(30) {
            let k = recs.len();
            recs.push(vec![
                format!("R{k:07}"),
                id.clone(),
                rng.pick(RECOGNITIONS).to_string(),
                rng.pick(LEVELS).to_string(),
                (2019 + rng.below(5)).to_string(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        if rng.chance(20) {
            let k = projs.len();
            let kind = if rng.chance(600) {
                "强链项目"
            } else {
                "更芯换代"
            };
            projs.push(vec![
                format!("P{k:07}"),
                id.clone(),
                format!("示例项目{k}"),
                kind.into(),
                String::new(),
                (2019 + rng.below(5)).to_string(),
                yuan(rng.heavy(5_000_000_000)),
                yuan(rng.heavy(2_000_000_000)),
                "0".into(),
                if rng.chance(20) { "是" } else { "否" }.into(),
                format!("{}%", 10 * (1 + rng.below(10))),
                String::new(),
                String::new(),
            ]);
        }
        if rng.chance(15) {
            let k = parcels.len();
            let far = 100 + rng.below(200);
            parcels.push(vec![
                format!("L{k:07}"),
                id.clone(),
                (2019 + rng.below(5)).to_string(),
                format!("{}", 5_000 + rng.below(50_000)),
                format!("{}.{:02}", far / 100, far % 100),
                if rng.chance(700) { "是" } else { "否" }.into(),
                String::new(),
            ]);
        }
    }
    let mut parks: Vec<Vec<String>> = (0..(n / 500).max(1))
        .map(|k| {
            let land = 10_000 + rng.below(40_000);
            let before = land + rng.below(land);
            let after = before + rng.below(2 * land);
            vec![
                format!("K{k:05}"),
                format!("示例小微企业园{k}"),
                rng.pick(&COUNTIES).to_string(),
                (2019 + rng.below(5)).to_string(),
                land.to_string(),
                before.to_string(),
                after.to_string(),
                String::new(),
            ]
        })
        .collect();
    let mut orgs: Vec<Vec<String>> = (0..(n / 1000).max(3))
        .map(|k| {
            let approved = if rng.chance(500) {
                yuan(rng.heavy(200_000_000))
            } else {
                String::new()
            };
            vec![
                format!("O{k:05}"),
                format!("示例机构{k}"),
                rng.pick(ORG_KINDS).to_string(),
                String::new(),
                rng.pick(&COUNTIES).to_string(),
                (2019 + rng.below(5)).to_string(),
                if rng.chance(700) { "是" } else { "否" }.into(),
                "是".into(),
                if rng.chance(800) { "是" } else { "否" }.into(),
                String::new(),
                approved,
            ]
        })
        .collect();
    extend_to_every_clause(
        n,
        seed,
        Rows {
            ents: &mut ents,
            years: &mut years,
            recs: &mut recs,
            projs: &mut projs,
            parks: &mut parks,
            orgs: &mut orgs,
        },
    );
    vec![
        table(
            "enterprises",
            &[
                "uscc",
                "name",
                "county",
                "industry",
                "manufacturing",
                "cluster",
                "emerging",
                "chain",
            ],
            ents,
        ),
        table(
            "enterprise_years",
            &[
                "uscc",
                "year",
                "above_scale",
                "revenue",
                "output",
                "value_added",
                "tax_paid",
                "local_contribution",
                "private500_rank",
                "performance_leader",
            ],
            years,
        ),
        table(
            "recognitions",
            &[
                "id",
                "uscc",
                "kind",
                "level",
                "year",
                "granted_amount",
                "approved_amount",
                "item",
            ],
            recs,
        ),
        table(
            "projects",
            &[
                "id",
                "uscc",
                "name",
                "kind",
                "level",
                "year",
                "investment",
                "funds_arrived",
                "foreign_usd",
                "global_leader",
                "progress",
                "design_fee",
                "approved_amount",
            ],
            projs,
        ),
        table(
            "parks",
            &[
                "id",
                "name",
                "county",
                "year",
                "land_area",
                "floor_area_before",
                "floor_area_after",
                "approved_amount",
            ],
            parks,
        ),
        table(
            "organisations",
            &[
                "id",
                "name",
                "kind",
                "level",
                "county",
                "year",
                "city_registered",
                "legal_person",
                "assessed",
                "granted_amount",
                "approved_amount",
            ],
            orgs,
        ),
        table(
            "land_parcels",
            &[
                "id",
                "uscc",
                "year",
                "area",
                "far",
                "completed",
                "approved_amount",
            ],
            parcels,
        ),
    ]
}

/// The synthetic Jiaxing, validated.
pub fn generate(n: usize, seed: u64) -> Result<Dataset, Vec<Problem>> {
    validate(&raw(n, seed), None)
}
