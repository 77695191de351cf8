//! `nnlab serve` as a user starts it: it prints its address, answers there (its own page only),
//! and refuses a port it cannot have with exit status 2 and a hint. The API itself is tested in
//! nnlab-serve's `api` and `browser` tests.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};

use common::{nnlab, text};

/// `GET path` with the given Host header; the status line and the body.
fn get(address: &str, path: &str, host: &str) -> (String, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

/// Starts `nnlab serve ARGS --port 0` and returns it with the address it printed.
fn start(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nnlab"))
        .arg("serve")
        .args(args)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "nnlab playground: http://127.0.0.1:PORT/  (Ctrl-C stops it)"
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, address)
}

#[test]
fn serve_prints_its_address_and_answers_there() {
    let (mut child, address) = start(&[]);
    let (status, page) = get(&address, "/", &address);
    let (options_status, options) = get(&address, "/api/options", &address);
    let (foreign, _) = get(&address, "/api/options", "attacker.example");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("nnlab"), "the page");
    assert!(
        options_status.contains("200") && options.contains("\"presets\""),
        "{options}"
    );
    assert!(
        foreign.contains("403"),
        "another host name is refused: {foreign}"
    );
}

#[test]
fn on_every_address_only_the_allowed_names_are_answered() {
    let (mut child, address) = start(&["--host", "0.0.0.0", "--allow-host", "lab.local"]);
    let port = address.rsplit(':').next().unwrap().to_string();
    let (named, _) = get(&address, "/api/options", &format!("lab.local:{port}"));
    let (local, _) = get(&address, "/api/options", &format!("localhost:{port}"));
    let (rebound, _) = get(&address, "/api/options", &format!("evil.example:{port}"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        named.contains("200") && local.contains("200"),
        "{named} {local}"
    );
    assert!(
        rebound.contains("403"),
        "a rebound name is refused: {rebound}"
    );
}

#[test]
fn a_busy_port_is_refused_with_a_hint() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(&["serve", "--port", &port], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let message = text(&out.stderr);
    assert!(
        message.contains(&format!("--port {port}: cannot listen on 127.0.0.1:{port}"))
            && message.contains("try --port 0"),
        "{message}"
    );
}
