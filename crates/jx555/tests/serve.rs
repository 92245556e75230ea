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
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
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
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_jx555"))
            .args(["serve", "--demo", "--enterprises", "500", "--db"])
            .arg(&db)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .current_dir(repo())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
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
    assert!(page.contains("最新兑现测算：第 1 号（2023年度）"), "{page}");
    let api = get(port, "/api/v1/packs");
    assert!(api.contains("\"jiaxing-555-2020\""), "{api}");
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
