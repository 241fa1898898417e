//! `netbench`: requests per second of the example network server
//! (`examples/bin/net_server.wasm`, which hands each accepted connection to
//! a `net_worker.wasm` child) under `wasiproc run --tcplisten`, beside the
//! same handler compiled natively as a plain forking server
//! (`fixtures/net/forking_server.c`, built here with `cc -O2`).
//!
//! Each measurement starts a server on a free port of 127.0.0.1 that
//! serves exactly `--requests` connections, then runs C client threads
//! (`--clients`, e.g. `1,16`) that each connect, send `request I\n`, read
//! the answer to its end and check it, until all requests are done. The
//! time is from the first connect to the last answer. Only loopback is
//! used. See benches/README.md ("netbench").

use clap::Parser;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Requests/s of net_server.wasm under wasiproc vs a native forking server")]
struct Args {
    /// Requests (connections) per measurement.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Concurrent clients, comma-separated.
    #[arg(long, default_value = "1,16", value_delimiter = ',')]
    clients: Vec<usize>,
    /// Runs per configuration; the best is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The wasiproc binary (default: target/release/wasiproc of this repository).
    #[arg(long)]
    wasiproc: Option<PathBuf>,
    /// Where net_server.wasm and net_worker.wasm are (default: examples/bin;
    /// build them with guest/build.sh).
    #[arg(long)]
    examples: Option<PathBuf>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ has a parent")
        .to_path_buf()
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// Whether something listens on 127.0.0.1:`port` (from /proc/net/tcp, so
/// the check does not use up one of the server's accepts).
fn listening(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let want = format!("0100007F:{port:04X}");
    table.lines().skip(1).any(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        cols.get(1) == Some(&want.as_str()) && cols.get(3) == Some(&"0A")
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Server {
    Native,
    Wasiproc,
    WasiprocRecord,
}

impl Server {
    fn name(self) -> &'static str {
        match self {
            Server::Native => "native fork",
            Server::Wasiproc => "wasiproc",
            Server::WasiprocRecord => "wasiproc --record",
        }
    }
}

struct Setup {
    native: PathBuf,
    wasiproc: PathBuf,
    examples: PathBuf,
    trace: PathBuf,
}

/// Starts the server under `/usr/bin/time`, which writes the CPU seconds
/// (user, system) of the server and of every process it reaped to `cpu`.
fn start(setup: &Setup, which: Server, port: u16, n: usize, cpu: &Path) -> Child {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f").arg("%U %S").arg("-o").arg(cpu);
    match which {
        Server::Native => {
            cmd.arg(&setup.native)
                .arg(port.to_string())
                .arg(n.to_string());
        }
        Server::Wasiproc | Server::WasiprocRecord => {
            let c = &mut cmd;
            c.arg(&setup.wasiproc).arg("run");
            if which == Server::WasiprocRecord {
                c.arg("--record").arg(&setup.trace);
            }
            c.arg("--tcplisten")
                .arg(format!("127.0.0.1:{port}"))
                .arg("--allow-command")
                .arg(format!(
                    "net_worker.wasm={}",
                    setup.examples.join("net_worker.wasm").display()
                ))
                .arg(setup.examples.join("net_server.wasm"))
                .arg(n.to_string());
        }
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the server");
    let t = Instant::now();
    while !listening(port) {
        if let Ok(Some(st)) = child.try_wait() {
            panic!("{} ended before listening: {st}", which.name());
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "server never listened"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

fn answer_of(i: usize) -> Vec<u8> {
    let line = format!("request {i}");
    format!("HELLO {} ({} bytes)\n", line.to_uppercase(), line.len()).into_bytes()
}

/// Serves `n` requests with `clients` threads; returns the seconds taken
/// and the server's CPU seconds (its own and its reaped children's).
fn measure(setup: &Setup, which: Server, n: usize, clients: usize) -> (f64, f64) {
    let port = free_port();
    let cpu = setup.trace.with_extension("cpu");
    let mut server = start(setup, which, port, n, &cpu);
    let next = Arc::new(AtomicUsize::new(0));
    let t = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let next = next.clone();
            std::thread::spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return;
                    }
                    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
                    s.write_all(format!("request {i}\n").as_bytes())
                        .expect("send");
                    let mut got = Vec::new();
                    s.read_to_end(&mut got).expect("receive");
                    assert_eq!(got, answer_of(i), "answer to request {i}");
                }
            })
        })
        .collect();
    for th in threads {
        th.join().expect("client");
    }
    let secs = t.elapsed().as_secs_f64();
    let st = server.wait().expect("wait for the server");
    assert!(st.success(), "{} failed: {st}", which.name());
    let times = std::fs::read_to_string(&cpu).expect("the CPU times");
    let cpu_secs = times
        .split_whitespace()
        .filter_map(|t| t.parse::<f64>().ok())
        .sum();
    (secs, cpu_secs)
}

fn build_native(out: &Path) -> PathBuf {
    let src = root().join("benches/fixtures/net/forking_server.c");
    let bin = out.join("forking_server");
    let st = Command::new("cc")
        .args(["-O2", "-o"])
        .arg(&bin)
        .arg(&src)
        .status()
        .expect("run cc");
    assert!(st.success(), "cc {} failed", src.display());
    bin
}

fn main() {
    let args = Args::parse();
    let tmp = std::env::temp_dir().join(format!("netbench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let setup = Setup {
        native: build_native(&tmp),
        wasiproc: args
            .wasiproc
            .unwrap_or_else(|| root().join("target/release/wasiproc")),
        examples: args.examples.unwrap_or_else(|| root().join("examples/bin")),
        trace: tmp.join("net.trace"),
    };
    println!(
        "{} requests per measurement, best of {} runs; requests/s, and the server's CPU time \
         per request (its own and its children's, user + system) in µs",
        args.requests, args.runs
    );
    println!(
        "{:>8}  {:>12}  {:>12}  {:>18}  {:>7}  {:>9}  |  {:>6}  {:>8}  {:>8}",
        "clients",
        "native fork",
        "wasiproc",
        "wasiproc --record",
        "ratio",
        "ratio rec",
        "cpu nat",
        "cpu wasi",
        "cpu rec"
    );
    for &c in &args.clients {
        // The best requests/s of the runs, and the least CPU per request.
        let best = |which| {
            (0..args.runs.max(1))
                .map(|_| measure(&setup, which, args.requests, c.max(1)))
                .fold((0.0f64, f64::MAX), |(rps, cpu), (secs, cpu_secs)| {
                    (
                        rps.max(args.requests as f64 / secs),
                        cpu.min(cpu_secs * 1e6 / args.requests as f64),
                    )
                })
        };
        let (native, cn) = best(Server::Native);
        let (wasi, cw) = best(Server::Wasiproc);
        let (rec, cr) = best(Server::WasiprocRecord);
        println!(
            "{c:>8}  {native:>12.0}  {wasi:>12.0}  {rec:>18.0}  {:>6.2}x  {:>8.2}x  |  {cn:>7.0}  {cw:>8.0}  {cr:>8.0}",
            wasi / native,
            rec / native
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
