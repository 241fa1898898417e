//! Network as a capability, through the real binary: `--tcplisten`
//! listeners, connections accepted by a parent and handed to worker
//! children (`examples/src/bin/net_server.rs`, `net_worker.rs`), a child
//! without a socket, and the recorded server run replayed with no network.
//! Only 127.0.0.1 is used; ports are chosen free by the test.

mod common;

use common::{examples, ok, run_args, scratch, stderr, stdout, wasiproc};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn example(name: &str) -> String {
    examples().join(name).display().to_string()
}

/// A port of 127.0.0.1 that was free a moment ago (the system's pick).
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// Whether some socket listens on 127.0.0.1:`port` (read from
/// /proc/net/tcp, so that checking does not connect and use up an accept).
fn listening(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let want = format!("0100007F:{port:04X}");
    table.lines().skip(1).any(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        cols.get(1) == Some(&want.as_str()) && cols.get(3) == Some(&"0A")
    })
}

/// Starts `wasiproc run --tcplisten 127.0.0.1:PORT <args>` on a free port
/// and waits until it listens; picks another port if the chosen one was
/// taken in between.
fn start_server(args: &[String]) -> (Child, u16) {
    for _ in 0..5 {
        let port = free_port();
        let mut child = wasiproc()
            .arg("run")
            .arg("--tcplisten")
            .arg(format!("127.0.0.1:{port}"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn wasiproc");
        let start = Instant::now();
        loop {
            if listening(port) {
                return (child, port);
            }
            if let Some(status) = child.try_wait().expect("try_wait") {
                let mut err = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut err);
                assert!(
                    err.contains("cannot listen on"),
                    "wasiproc ended before listening ({status}): {err}"
                );
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "wasiproc never listened on port {port}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    panic!("no free port after 5 tries");
}

/// One client: connects, sends `request I\n`, reads the answer to the end.
fn client(port: u16, i: usize) -> Vec<u8> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    s.write_all(format!("request {i}\n").as_bytes())
        .expect("send the request");
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).expect("read the answer");
    answer
}

fn expected_answer(i: usize) -> String {
    let line = format!("request {i}");
    format!("HELLO {} ({} bytes)\n", line.to_uppercase(), line.len())
}

fn server_args(trace: &Path, n: usize) -> Vec<String> {
    vec![
        "--record".into(),
        trace.display().to_string(),
        "--allow-command".into(),
        format!("net_worker.wasm={}", example("net_worker.wasm")),
        example("net_server.wasm"),
        n.to_string(),
        "probe".into(),
    ]
}

/// What the probe child (spawned without a socket) reports: every socket
/// call on a number that is not open is EBADF (8); on stdout, which is open
/// but not a socket, ENOTSOCK (57).
const PROBE: &str = "probe fd 3: accept 8 recv 8 send 8 shutdown 8\n\
                     probe fd 1: accept 57 recv 57 send 57 shutdown 57\n\
                     probe fd 1000: accept 8 recv 8 send 8 shutdown 8\n";

#[test]
fn a_forking_server_answers_100_concurrent_clients_and_replays_without_network() {
    const N: usize = 100;
    let dir = scratch("sockets-server");
    let trace: PathBuf = dir.join("server.trace");
    let (server, port) = start_server(&server_args(&trace, N));
    let clients: Vec<_> = (0..N)
        .map(|i| std::thread::spawn(move || (i, client(port, i))))
        .collect();
    for c in clients {
        let (i, answer) = c.join().expect("client thread");
        assert_eq!(
            String::from_utf8_lossy(&answer),
            expected_answer(i),
            "client {i}"
        );
    }
    let out = server.wait_with_output().expect("wait wasiproc");
    let recorded = ok(&out);
    assert!(recorded.starts_with(PROBE), "{recorded}");
    assert!(
        recorded.contains("net_server: probe exited(0)\n"),
        "{recorded}"
    );
    assert!(
        recorded.ends_with(&format!(
            "net_server: {N} connections, all workers succeeded\n"
        )),
        "{recorded}"
    );
    // Every request reached a worker exactly once, each on its own connection.
    let mut seen: Vec<usize> = recorded
        .lines()
        .filter_map(|l| {
            l.strip_prefix("worker ")?
                .split_once(": request ")?
                .1
                .parse()
                .ok()
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..N).collect::<Vec<_>>());
    assert_eq!(recorded.matches("conn ").count(), N);

    // The replay opens no socket: it succeeds while the test itself holds
    // the recorded port, and gives the same bytes.
    let _held = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("hold the port");
    let replay = run_args(&["replay".into(), trace.display().to_string()]);
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    assert_eq!(replay.stdout, out.stdout, "replayed stdout differs");
    assert_eq!(replay.stderr, out.stderr, "replayed stderr differs");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_program_without_a_granted_socket_has_no_network() {
    let o = run_args(&["run".into(), example("net_worker.wasm"), "probe".into()]);
    assert_eq!(ok(&o), PROBE);
}

#[test]
fn a_listener_that_cannot_be_bound_is_an_error_before_the_run() {
    let held = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = held.local_addr().unwrap().port();
    let o = run_args(&[
        "run".into(),
        "--tcplisten".into(),
        format!("127.0.0.1:{port}"),
        example("net_worker.wasm"),
        "probe".into(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn a_child_given_the_listener_accepts_on_its_own() {
    const N: usize = 4;
    let args = vec![
        "--allow-command".into(),
        format!("net_worker.wasm={}", example("net_worker.wasm")),
        example("net_server.wasm"),
        N.to_string(),
        "listener".into(),
    ];
    let (server, port) = start_server(&args);
    let clients: Vec<_> = (0..N)
        .map(|i| std::thread::spawn(move || (i, client(port, i))))
        .collect();
    for c in clients {
        let (i, answer) = c.join().expect("client thread");
        assert_eq!(
            String::from_utf8_lossy(&answer),
            expected_answer(i),
            "client {i}"
        );
    }
    let out = ok(&server.wait_with_output().expect("wait wasiproc"));
    // The child accepted all N connections itself, one after the other.
    for i in 0..N {
        assert!(
            out.contains(&format!("worker accept.{i}: request ")),
            "{out}"
        );
    }
    assert!(
        out.ends_with("net_server: the worker given the listener exited(0)\n"),
        "{out}"
    );
}
