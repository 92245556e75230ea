//! Three rules of the example pack written by hand over the demo Jiaxing's Arrow columns: the floor the
//! benchmark compares with, and the reference the agreement test checks the engine against.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Decimal128Type, Int64Type};
use jx555_facts::Dataset;

/// Calls `pay(rule, table row, fen)` for every line of 升规连续三年奖励 (0), 小微企业园增容补助 (1) and
/// 单项冠军等认定奖励 (2) in `year`.
pub fn visit(data: &Dataset, year: i64, mut pay: impl FnMut(usize, usize, i64)) {
    let table = |name: &str| data.table(name).expect("table");
    let e = table("enterprises");
    let manufacturing = e
        .column_by_name("manufacturing")
        .expect("column")
        .as_boolean();
    let above = table("enterprise_years")
        .column_by_name("above_scale")
        .expect("column")
        .as_boolean();
    let years = (jx555_facts::demo::YEARS.end() - jx555_facts::demo::YEARS.start() + 1) as usize;
    let last = (year - jx555_facts::demo::YEARS.start()) as usize;
    for i in 0..e.num_rows() {
        let row = |k: usize| above.value(years * i + k);
        // Above scale in the last three years, and not yet in the first year of the data (2018).
        if manufacturing.value(i) && !row(0) && (last - 2..=last).all(row) {
            pay(0, i, 30_000_000);
        }
    }
    let parks = table("parks");
    let dec = |c: &str| {
        parks
            .column_by_name(c)
            .expect("column")
            .as_primitive::<Decimal128Type>()
            .clone()
    };
    let (land, before, after) = (
        dec("land_area"),
        dec("floor_area_before"),
        dec("floor_area_after"),
    );
    let py = parks
        .column_by_name("year")
        .expect("column")
        .as_primitive::<Int64Type>();
    for i in 0..parks.num_rows() {
        // Areas have six decimals: 150元 per m² above 2.0 is (m² × 10⁶) × 150 / 10⁴ fen, at most 500万.
        let base = land.value(i) * 2;
        if py.value(i) == year && after.value(i) >= base {
            let fen = (after.value(i) - before.value(i).max(base)) * 150 / 10_000;
            pay(
                1,
                i,
                i64::try_from(fen.min(500_000_000)).unwrap_or(i64::MAX),
            );
        }
    }
    let r = table("recognitions");
    let kind = r.column_by_name("kind").expect("column").as_string::<i32>();
    let level = r
        .column_by_name("level")
        .expect("column")
        .as_string::<i32>();
    let ry = r
        .column_by_name("year")
        .expect("column")
        .as_primitive::<Int64Type>();
    for i in 0..r.num_rows() {
        if ry.value(i) == year
            && matches!(kind.value(i), "单项冠军" | "隐形冠军" | "专精特新小巨人")
            && level.is_valid(i)
        {
            match level.value(i) {
                "national" => pay(2, i, 150_000_000),
                "provincial" => pay(2, i, 50_000_000),
                _ => {}
            }
        }
    }
}

/// The rules `visit` computes, in its order.
pub const RULES: [&str; 3] = [
    "升规连续三年奖励",
    "小微企业园增容补助",
    "单项冠军等认定奖励",
];
