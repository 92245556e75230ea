//! Import from real files: round trips, and one file per validation rule that breaks it.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use jx555_facts::cell::with_check_char;
use jx555_facts::{Problem, csv_io, demo, validate};
use jx555_lang::pack::catalog;
use tempfile::TempDir;

/// A fresh folder, removed when the test ends.
fn dir() -> TempDir {
    tempfile::tempdir().unwrap()
}

fn e1() -> String {
    with_check_char("91330402MA2B00001")
}

fn e2() -> String {
    with_check_char("91330481MA2B00002")
}

/// A small valid folder; `change` edits one file's text before it is written.
fn folder(change: &dyn Fn(&str, String) -> String) -> TempDir {
    let d = dir();
    let files = [
        (
            "enterprises.csv",
            format!(
                "\u{feff}uscc,name,county,industry\n{},甲公司,南湖区,1711\n{},乙公司,海宁市,3825\n",
                e1(),
                e2()
            ),
        ),
        (
            "enterprise_years.csv",
            format!(
                "统一社会信用代码,年度,规上企业,营业收入（万元）,实缴税收\n{0},2020,是,5000,1000000\n{0},2021,是,6000.5,1200000\n",
                e1()
            ),
        ),
        (
            "recognitions.csv",
            format!(
                "id,uscc,kind,level,year\nR1,{},单项冠军,national,2021\n",
                e2()
            ),
        ),
    ];
    for (f, text) in files {
        std::fs::write(d.path().join(f), change(f, text)).unwrap();
    }
    d
}

fn problems(change: &dyn Fn(&str, String) -> String) -> Vec<Problem> {
    let raw = csv_io::read_folder(folder(change).path()).unwrap();
    let cat = catalog::parse(
        jx555_lang::source::FileId(0),
        include_str!("../../../policies/example-555/catalog.toml"),
    )
    .unwrap();
    validate(&raw, Some(&cat)).err().unwrap_or_default()
}

fn edit(
    file: &'static str,
    from: &'static str,
    to: &'static str,
) -> impl Fn(&str, String) -> String {
    move |f: &str, text: String| {
        if f == file {
            text.replacen(from, to, 1)
        } else {
            text
        }
    }
}

#[test]
fn a_valid_folder_imports_with_chinese_headers_bom_and_wan() {
    let raw = csv_io::read_folder(folder(&|_, t| t).path()).unwrap();
    let data = validate(&raw, None).unwrap();
    assert_eq!(data.enterprises(), 2);
    let csv = csv_io::to_csv(&data);
    let years = &csv
        .iter()
        .find(|(n, _)| *n == "enterprise_years")
        .unwrap()
        .1;
    assert!(
        years.contains("60005000.00"),
        "6000.5万元 is 60,005,000.00元: {years}"
    );
    let ents = &csv.iter().find(|(n, _)| *n == "enterprises").unwrap().1;
    assert!(
        ents.contains(",是,"),
        "manufacturing is read off the industry code: {ents}"
    );
}

/// A name that a spreadsheet would run as a formula is written with a leading `'` and read back
/// as it was: exported facts are safe to open, and import the same.
#[test]
fn a_formula_in_a_name_is_neutralised_and_round_trips() {
    let formula = "=HYPERLINK(\"http://evil.example\",\"点击\")";
    let d = folder(&edit(
        "enterprises.csv",
        "甲公司",
        "\"=HYPERLINK(\"\"http://evil.example\"\",\"\"点击\"\")\"",
    ));
    let data = validate(&csv_io::read_folder(d.path()).unwrap(), None).unwrap();
    let csv = csv_io::to_csv(&data);
    let ents = &csv.iter().find(|(n, _)| *n == "enterprises").unwrap().1;
    assert!(ents.contains("\"'=HYPERLINK("), "{ents}");
    let out = dir();
    csv_io::write_folder(&data, out.path()).unwrap();
    let again = validate(&csv_io::read_folder(out.path()).unwrap(), None).unwrap();
    assert_eq!(csv_io::hash(&again), csv_io::hash(&data));
    let names = again
        .table("enterprises")
        .unwrap()
        .column_by_name("name")
        .unwrap()
        .clone();
    let names = arrow::array::AsArray::as_string::<i32>(names.as_ref());
    assert_eq!(names.value(0), formula);
}

/// Values outside a column's range are refused with the column and the reason: money beyond what
/// the store holds, a rank of 0, a negative area or floor-area ratio, a progress over 100%.
#[test]
fn values_out_of_range_are_refused() {
    let p = problems(&edit("enterprise_years.csv", "6000.5", "200000000000000"));
    assert!(one(&p).reason.contains("数值过大"), "{p:#?}");
    let ranked = |rank: &'static str| {
        move |f: &str, t: String| match f {
            "enterprise_years.csv" => t
                .replacen("实缴税收\n", "实缴税收,private500_rank\n", 1)
                .replacen(",1000000\n", &format!(",1000000,{rank}\n"), 1)
                .replacen(",1200000\n", ",1200000,\n", 1),
            _ => t,
        }
    };
    assert!(problems(&ranked("3")).is_empty());
    assert!(one(&problems(&ranked("0"))).reason.contains("名次从 1 起"));
    let cols = jx555_facts::model::tables();
    let parcels = cols.iter().find(|t| t.name == "land_parcels").unwrap();
    let area = parcels.columns.iter().find(|c| c.name == "area").unwrap();
    let far = parcels.columns.iter().find(|c| c.name == "far").unwrap();
    let dec = |s: &str| jx555_facts::cell::Cell::Decimal(s.parse().unwrap());
    use jx555_facts::model::in_range;
    assert!(
        in_range("land_parcels", area, &dec("-1"))
            .unwrap_err()
            .contains("不能为负")
    );
    assert!(in_range("land_parcels", far, &dec("-0.5")).is_err());
    assert!(in_range("land_parcels", far, &dec("2.5")).is_ok());
    let projects = cols.iter().find(|t| t.name == "projects").unwrap();
    let progress = projects
        .columns
        .iter()
        .find(|c| c.name == "progress")
        .unwrap();
    assert!(
        in_range("projects", progress, &dec("1.5"))
            .unwrap_err()
            .contains("100%")
    );
    let indicators = cols.iter().find(|t| t.name == "indicators").unwrap();
    let value = indicators
        .columns
        .iter()
        .find(|c| c.name == "value")
        .unwrap();
    assert!(
        in_range("indicators", value, &dec("-0.05")).is_ok(),
        "a growth rate may fall"
    );
}

/// A quote never closed is named where it began; a path that is missing, a loop of links or a FIFO
/// each gets its own message (and a FIFO is never opened, so nothing waits for a writer).
#[test]
fn unreadable_inputs_say_what_they_are() {
    let d = folder(&edit("enterprises.csv", ",甲公司,", ",\"甲公司,"));
    let e = csv_io::read_folder(d.path()).unwrap_err().to_string();
    assert!(e.contains("第1行（文件第2行）有一个引号没有闭合"), "{e}");
    let missing = jx555_facts::read_input(&d.path().join("nothing"))
        .unwrap_err()
        .to_string();
    assert!(missing.ends_with("does not exist"), "{missing}");
    assert_eq!(missing.matches("exist").count(), 1, "said once: {missing}");
    #[cfg(unix)]
    {
        let a = d.path().join("a.csv");
        std::os::unix::fs::symlink(d.path().join("b.csv"), &a).unwrap();
        std::os::unix::fs::symlink(&a, d.path().join("b.csv")).unwrap();
        let e = jx555_facts::read_input(&a).unwrap_err().to_string();
        assert!(e.contains("loop of symbolic links"), "{e}");
        let fifo = dir();
        let made = std::process::Command::new("mkfifo")
            .arg(fifo.path().join("enterprises.csv"))
            .status()
            .unwrap();
        assert!(made.success());
        let e = jx555_facts::read_input(fifo.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }
}

/// A file of many bad rows lists the first 1,000 problems and counts the rest.
#[test]
fn problems_past_the_limit_are_counted_not_kept() {
    let d = dir();
    let rows: String = (0..1500)
        .map(|i| format!("{},公司{i},上城区,1711\n", e1()))
        .collect();
    std::fs::write(
        d.path().join("enterprises.csv"),
        format!("uscc,name,county,industry\n{rows}"),
    )
    .unwrap();
    let problems = validate(&csv_io::read_folder(d.path()).unwrap(), None).unwrap_err();
    assert_eq!(problems.len(), jx555_facts::import::MAX_PROBLEMS + 1);
    let last = problems.last().unwrap().to_string();
    assert!(
        last.starts_with("另有 ") && last.contains("未列出"),
        "{last}"
    );
}

/// A megabyte in a text cell or a header is refused, and echoed in the message only in part.
#[test]
fn huge_cells_and_headers_are_bounded() {
    let name = "名".repeat(1_000_000);
    let p = problems(&|f: &str, t: String| match f {
        "enterprises.csv" => t.replacen("甲公司", &name, 1),
        _ => t,
    });
    let p = one(&p);
    assert!(p.reason.contains("文字过长"), "{}", p.reason);
    assert!(
        p.to_string().len() < 1000,
        "the message does not carry the cell"
    );
    let header = "x".repeat(1_000_000);
    let p = problems(&|f: &str, t: String| match f {
        "recognitions.csv" => t
            .replacen("year\n", &format!("year,{header}\n"), 1)
            .replacen(",2021\n", ",2021,1\n", 1),
        _ => t,
    });
    assert!(
        one(&p).to_string().len() < 2000,
        "{}",
        &one(&p).to_string()[..200]
    );
}

/// A small workbook that declares five million rows is refused before it is read (calamine would
/// allocate for all of them).
#[test]
fn a_workbook_declaring_millions_of_rows_is_refused() {
    use std::io::Write;
    let d = dir();
    let path = d.path().join("big.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    zip.start_file(
        "xl/worksheets/sheet1.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(br#"<?xml version="1.0"?><worksheet><dimension ref="A1:C5000000"/><sheetData/></worksheet>"#)
        .unwrap();
    zip.finish().unwrap();
    let e = jx555_facts::read_input(&path).unwrap_err().to_string();
    assert!(e.contains("5000000 行") && e.contains("上限"), "{e}");
}

fn one(ps: &[Problem]) -> &Problem {
    assert_eq!(ps.len(), 1, "{ps:#?}");
    &ps[0]
}

#[test]
fn a_bad_uscc_checksum_is_refused() {
    let bad = {
        let mut s = e1();
        s.pop();
        s + if e1().ends_with('0') { "1" } else { "0" }
    };
    let ps = problems(&move |f: &str, t: String| {
        if f == "enterprises.csv" {
            t.replacen(&e1(), &bad, 1)
        } else {
            t
        }
    });
    // The changed uscc also orphans the enterprise-years rows of e1: both are reported.
    let p = ps.iter().find(|p| p.table == "enterprises").unwrap();
    assert_eq!((p.row, p.column.as_deref()), (Some(1), Some("uscc")));
    assert!(p.reason.contains("校验位"));
    assert!(
        ps.iter()
            .any(|p| p.table == "enterprise_years" && p.reason.contains("没有这家企业"))
    );
}

#[test]
fn a_county_outside_jiaxing_is_refused() {
    let p = one(&problems(&edit("enterprises.csv", "海宁市", "上城区"))).clone();
    assert_eq!(
        (p.row, p.column.as_deref(), p.value.as_deref()),
        (Some(2), Some("county"), Some("上城区"))
    );
}

#[test]
fn an_unknown_industry_code_is_refused() {
    let p = one(&problems(&edit("enterprises.csv", ",3825", ",9999"))).clone();
    assert_eq!(
        (p.column.as_deref(), p.value.as_deref()),
        (Some("industry"), Some("9999"))
    );
}

#[test]
fn negative_money_is_refused() {
    let p = one(&problems(&edit(
        "enterprise_years.csv",
        "1200000",
        "-1200000",
    )))
    .clone();
    assert_eq!(
        (p.table.as_str(), p.row, p.column.as_deref()),
        ("enterprise_years", Some(2), Some("tax_paid"))
    );
}

#[test]
fn an_impossible_year_is_refused() {
    let p = one(&problems(&edit("recognitions.csv", ",2021", ",2921"))).clone();
    assert_eq!(
        (p.column.as_deref(), p.value.as_deref()),
        (Some("year"), Some("2921"))
    );
}

#[test]
fn a_duplicate_key_is_refused() {
    let p = one(&problems(&edit("enterprise_years.csv", ",2021,", ",2020,"))).clone();
    assert_eq!((p.table.as_str(), p.row), ("enterprise_years", Some(2)));
    assert!(p.reason.contains("第1行"));
}

#[test]
fn a_record_of_an_unknown_enterprise_is_refused() {
    let other = with_check_char("91330421MA2B00009");
    let ps = problems(&move |f: &str, t: String| {
        if f == "recognitions.csv" {
            t.replacen(&e2(), &other, 1)
        } else {
            t
        }
    });
    let p = one(&ps);
    assert_eq!(
        (p.table.as_str(), p.column.as_deref()),
        ("recognitions", Some("uscc"))
    );
}

#[test]
fn a_kind_or_level_outside_the_catalog_is_refused() {
    let ps = problems(&edit(
        "recognitions.csv",
        "单项冠军,national",
        "冠军企业,nation",
    ));
    assert_eq!(ps.len(), 2, "{ps:#?}");
    assert!(
        ps.iter().any(|p| p.column.as_deref() == Some("kind"))
            && ps.iter().any(|p| p.column.as_deref() == Some("level"))
    );
}

#[test]
fn headers_that_are_not_the_model_are_refused() {
    let ps = problems(&edit("recognitions.csv", "id,uscc,kind", "编号X,uscc,kind"));
    assert!(
        ps.iter().any(|p| p.column.as_deref() == Some("编号X")),
        "{ps:#?}"
    );
    assert!(
        ps.iter().any(|p| p.reason.contains("缺少必填列 id")),
        "{ps:#?}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let ps = problems(&|f: &str, t: String| match f {
        "enterprises.csv" => t
            .replacen("海宁市", "上城区", 1)
            .replacen(",1711", ",0000", 1),
        "recognitions.csv" => t.replacen(",2021", ",1800", 1),
        _ => t,
    });
    assert_eq!(ps.len(), 3, "{ps:#?}");
}

#[test]
fn a_file_that_is_not_utf8_is_an_io_error() {
    let tmp = dir();
    let d = tmp.path();
    std::fs::write(d.join("enterprises.csv"), b"uscc,name\n\xb9\xab\xcb\xbe\n").unwrap();
    let err = csv_io::read_folder(d).unwrap_err().to_string();
    assert!(err.contains("UTF-8"), "{err}");
}

#[test]
fn demo_data_round_trips_byte_for_byte() {
    let a = demo::generate(500, 7).unwrap();
    let d = dir();
    csv_io::write_folder(&a, d.path()).unwrap();
    let b = validate(&csv_io::read_folder(d.path()).unwrap(), None).unwrap();
    assert_eq!(csv_io::to_csv(&a), csv_io::to_csv(&b));
    assert_eq!(
        csv_io::to_csv(&a),
        csv_io::to_csv(&demo::generate(500, 7).unwrap()),
        "same seed, same bytes"
    );
    assert_ne!(
        csv_io::to_csv(&a),
        csv_io::to_csv(&demo::generate(500, 8).unwrap())
    );
}

#[test]
fn demo_data_is_spread_like_jiaxing() {
    let data = demo::generate(5000, 1).unwrap();
    let ents = &csv_io::to_csv(&data)[0].1;
    for county in jx555_facts::model::COUNTIES {
        assert!(ents.contains(county), "{county} has no enterprise");
    }
    let textiles = ents.matches(",现代纺织,").count();
    let chips = ents.matches(",集成电路,").count();
    assert!(textiles > 10 * chips, "textiles {textiles}, chips {chips}");
}

/// A workbook saved by LibreOffice Calc (tests/data/facts-small.xlsx, made from facts-small.fods with
/// `soffice --headless --convert-to xlsx`): Chinese sheet names and headers, numbers as spreadsheet
/// numbers, 万元.
#[test]
fn an_xlsx_written_by_a_spreadsheet_program_imports() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts-small.xlsx");
    let raw = jx555_facts::read_input(&path).unwrap();
    let data = validate(&raw, None).unwrap_or_else(|p| panic!("{}", csv_io::report(&p)));
    assert_eq!(data.enterprises(), 2);
    let csv = csv_io::to_csv(&data);
    let years = &csv
        .iter()
        .find(|(n, _)| *n == "enterprise_years")
        .unwrap()
        .1;
    assert!(
        years.contains(",2021,是,60005000.00,"),
        "6000.5万元 exactly: {years}"
    );
    assert!(
        years.contains(",1234567.89,"),
        "money typed as a number stays exact: {years}"
    );
    let recs = &csv.iter().find(|(n, _)| *n == "recognitions").unwrap().1;
    assert!(recs.contains("R1,") && recs.contains(",2021,"), "{recs}");
}

#[test]
fn parquet_round_trips_through_the_same_validation() {
    let a = demo::generate(300, 5).unwrap();
    let d = dir();
    jx555_facts::parquet_io::write_folder(&a, d.path()).unwrap();
    let b = validate(&jx555_facts::read_input(d.path()).unwrap(), None).unwrap();
    assert_eq!(csv_io::to_csv(&a), csv_io::to_csv(&b));
}

#[test]
fn an_unknown_file_kind_is_an_io_error() {
    let d = dir();
    let p = d.path().join("facts.json");
    std::fs::write(&p, "{}").unwrap();
    assert!(
        jx555_facts::read_input(&p)
            .unwrap_err()
            .to_string()
            .contains(".json")
    );
}

/// A CSV file is read a batch of rows at a time while the batch before is checked: a table of more
/// rows than a batch gives the same dataset, and the same problems, as the file read whole, a
/// duplicate key, a bad cell and an unknown enterprise past the first batch included.
#[test]
fn a_file_read_in_batches_validates_as_read_whole() {
    use jx555_facts::import::validate_input;
    let data = demo::generate(8_000, 3).unwrap();
    let d = dir();
    csv_io::write_folder(&data, d.path()).unwrap();
    let mut told: Vec<(String, usize, usize)> = Vec::new();
    let streamed = |told: &mut Vec<(String, usize, usize)>| {
        let input = jx555_facts::open_input(d.path()).unwrap();
        validate_input(input, None, &mut |t, done, expected| {
            told.push((t.to_string(), done, expected));
        })
        .unwrap()
    };
    let whole = || validate(&jx555_facts::read_input(d.path()).unwrap(), None);
    assert_eq!(
        csv_io::to_csv(&streamed(&mut told).unwrap()),
        csv_io::to_csv(&data),
        "read in batches, the same facts"
    );
    // The rows checked are told batch by batch, rising to the table's rows.
    let years: Vec<(usize, usize)> = told
        .iter()
        .filter(|(t, _, _)| t == "enterprise_years")
        .map(|(_, done, expected)| (*done, *expected))
        .collect();
    let rows = data.table("enterprise_years").unwrap().num_rows();
    assert!(years.len() > 2, "{years:?}");
    assert!(years.windows(2).all(|w| w[0].0 <= w[1].0), "{years:?}");
    assert!(years.iter().all(|(done, expected)| done <= expected));
    assert_eq!(years.last(), Some(&(rows, rows)));
    let path = d.path().join("enterprise_years.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    assert_eq!(lines.len() - 1, rows);
    assert!(rows > 60_000, "{rows} rows: more than a batch");
    let mut cells: Vec<String> = lines[60_000].split(',').map(String::from).collect();
    cells[1] = "明年".into();
    lines[60_000] = cells.join(",");
    lines.push(lines[2].clone());
    let stranger = with_check_char("91330402MA2B99999");
    lines.push(lines[3].replacen(&lines[3][..18], &stranger, 1));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let problems = streamed(&mut Vec::new()).unwrap_err();
    assert_eq!(problems, whole().unwrap_err(), "the same problems");
    let at = |row: usize| problems.iter().find(|p| p.row == Some(row));
    assert_eq!(at(60_000).and_then(|p| p.column.as_deref()), Some("year"));
    assert!(
        at(rows + 1).is_some_and(|p| p.reason == "与第2行重复"),
        "{problems:?}"
    );
    assert!(
        at(rows + 2).is_some_and(|p| p.reason.contains("企业表中没有这家企业")),
        "{problems:?}"
    );
}
