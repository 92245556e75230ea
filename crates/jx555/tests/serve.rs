//! `jx555 serve --demo`, the README's main command, on a loopback port: it fills a database with the
//! demo, evaluates 2023 and answers a browser's request for the dashboard.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{jx555, repo, temp, text};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(port: u16, path: &str) -> String {
    request(port, "GET", path, "", "")
}

/// One HTTP/1.1 request with a cookie and a form body; the whole answer, headers included.
fn request(port: u16, method: &str, path: &str, cookie: &str, form: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// The session cookie an answer sets.
fn set_cookie(answer: &str) -> String {
    answer
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap_or_else(|| panic!("no cookie set: {answer}"))
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn serve_demo_answers_with_the_dashboard() {
    let tmp = temp();
    let db = tmp.path().join("demo.db");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_jx555"))
            .args([
                "serve",
                "--demo",
                "--enterprises",
                "500",
                "--demo-requests",
                "2000",
                "--db",
            ])
            .arg(&db)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .current_dir(repo())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // The demo accounts, printed once: name and password.
    let mut lines =
        std::io::BufRead::lines(std::io::BufReader::new(server.0.stdout.take().unwrap()));
    let mut said = String::new();
    let accounts: Vec<(String, String)> = lines
        .by_ref()
        .map(Result::unwrap)
        .inspect(|l| {
            said.push_str(l);
            said.push('\n');
        })
        .filter(|l| l.starts_with("  demo-"))
        .take(12)
        .map(|l| {
            let mut w = l.split_whitespace();
            (w.next().unwrap().to_string(), w.next().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        accounts.len(),
        12,
        "one demo account per role (and the city's hub beside a county's)"
    );
    // The opinion's period in order: 2020–2024 approved into the ledger, 2025 released into cases.
    for year in 2020..=2024 {
        let id = year - 2019;
        assert!(
            said.contains(&format!("{year}年度：第 {id} 号测算")),
            "{said}"
        );
    }
    assert!(
        said.contains("第 6 号测算（2025年度）已发布") && said.contains("已审定"),
        "{said}"
    );
    // The rest of what it prints is read (and dropped), as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "serve did not listen"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let page = get(port, "/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("最新兑现测算：第 6 号（2025年度）"), "{page}");
    let api = get(port, "/api/v1/packs");
    assert!(api.contains("\"jiaxing-555-2020\""), "{api}");
    // Anonymous visitors are sent to the login page; the county reviewer logs in and sees its county.
    let runs = get(port, "/runs/1");
    assert!(
        runs.starts_with("HTTP/1.1 303") && runs.contains("location: /login?next="),
        "{runs}"
    );
    let form = get(port, "/login");
    let cookie = set_cookie(&form);
    let pat = "name=\"csrf\" value=\"";
    let at = form.find(pat).unwrap() + pat.len();
    let csrf = &form[at..at + 64];
    let (name, password) = accounts.iter().find(|(n, _)| n == "demo-county").unwrap();
    let login = request(
        port,
        "POST",
        "/login",
        &cookie,
        &format!("name={name}&password={password}&next=%2Fruns%2F1&csrf={csrf}"),
    );
    assert!(
        login.starts_with("HTTP/1.1 303") && login.contains("location: /runs/1"),
        "{login}"
    );
    let run = request(port, "GET", "/runs/1", &set_cookie(&login), "");
    assert!(run.starts_with("HTTP/1.1 200"), "{run}");
    assert!(
        run.contains("县区审核员") && run.contains("范围内的明细与合计"),
        "{run}"
    );
    // The desk's demo year: the county hub's queue holds open requests; the public summary counts.
    let form = get(port, "/login");
    let at = form.find(pat).unwrap() + pat.len();
    let (name, password) = accounts.iter().find(|(n, _)| n == "demo-hub").unwrap();
    let login = request(
        port,
        "POST",
        "/login",
        &set_cookie(&form),
        &format!(
            "name={name}&password={password}&next=%2Frequests&csrf={}",
            &form[at..at + 64]
        ),
    );
    let queue = request(port, "GET", "/requests", &set_cookie(&login), "");
    assert!(
        queue.starts_with("HTTP/1.1 200") && queue.contains("href=\"/requests/"),
        "{queue}"
    );
    let public = get(port, "/service");
    assert!(
        public.contains("按枢纽") && public.contains("按时受理率"),
        "{public}"
    );
}

#[test]
fn serve_without_a_database_says_what_to_do() {
    let tmp = temp();
    let db = tmp.path().join("none.db");
    let out = jx555(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--addr",
        "127.0.0.1:1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--demo"), "{}", text(&out));
    assert!(!db.exists(), "no database is created by a refused serve");
}

#[test]
fn the_desks_clock_settings_are_checked_before_serving() {
    for (args, says) in [
        (vec!["--at-risk-percent", "0"], "--at-risk-percent"),
        (
            vec!["--desk-day-start", "20", "--desk-day-hours", "8"],
            "--desk-day-start",
        ),
        (vec!["--resolve-days", "3,0,10,5"], "--resolve-days"),
    ] {
        let mut all = vec!["serve", "--demo", "--db", "/nonexistent/x.db"];
        all.extend(args);
        let out = jx555(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        assert!(text(&out).contains(says), "{}", text(&out));
    }
}
