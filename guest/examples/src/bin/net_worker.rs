//! `net_server`'s worker: reads one request line from the connection its
//! parent passed as descriptor 3 and answers `HELLO <LINE IN UPPER CASE>
//! (<N> bytes)`, then closes it. Prints `worker I: <line>` to stdout.
//!
//! `net_worker.wasm accept N`, given the listener itself as descriptor 3,
//! accepts N connections and serves them one after the other (`worker
//! accept.I: <line>`).
//!
//! `net_worker.wasm probe`, spawned without a socket, calls every socket
//! function on descriptor 3 (not open), 1 (stdout, not a socket) and 1000
//! and prints what each answered: a process that was passed no socket has
//! no network.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::FromRawFd;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    #[link_name = "sock_accept"]
    fn raw_sock_accept(fd: i32, flags: i32, out_fd: i32) -> i32;
    #[link_name = "sock_recv"]
    fn raw_sock_recv(fd: i32, iovs: i32, n: i32, flags: i32, out_len: i32, out_flags: i32) -> i32;
    #[link_name = "sock_send"]
    fn raw_sock_send(fd: i32, iovs: i32, n: i32, flags: i32, out_len: i32) -> i32;
    #[link_name = "sock_shutdown"]
    fn raw_sock_shutdown(fd: i32, how: i32) -> i32;
}

fn probe() {
    let mut buf = [0u8; 16];
    let iov: [u32; 2] = [buf.as_mut_ptr() as u32, buf.len() as u32];
    let mut out = [0u32; 2];
    let iov_ptr = iov.as_ptr() as i32;
    let o0 = out.as_mut_ptr() as i32;
    let o1 = o0 + 4;
    for fd in [3, 1, 1000] {
        // SAFETY: every pointer names a live local of the right size.
        let (a, r, s, d) = unsafe {
            (
                raw_sock_accept(fd, 0, o0),
                raw_sock_recv(fd, iov_ptr, 1, 0, o0, o1),
                raw_sock_send(fd, iov_ptr, 1, 0, o0),
                raw_sock_shutdown(fd, 3),
            )
        };
        println!("probe fd {fd}: accept {a} recv {r} send {s} shutdown {d}");
    }
}

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_default();
    if arg == "probe" {
        probe();
        return;
    }
    if arg == "accept" {
        let n: u64 = std::env::args()
            .nth(2)
            .and_then(|a| a.parse().ok())
            .unwrap_or(1);
        // SAFETY: descriptor 3 is the listener the parent passed, owned by
        // nothing else in this program.
        let listener = unsafe { TcpListener::from_raw_fd(3) };
        for i in 0..n {
            match listener.accept() {
                Ok((conn, _)) => serve(conn, &format!("accept.{i}")),
                Err(e) => {
                    eprintln!("worker: accept: {e}");
                    std::process::exit(4);
                }
            }
        }
        return;
    }
    // SAFETY: descriptor 3 is the connection the parent passed, owned by
    // nothing else in this program.
    serve(unsafe { TcpStream::from_raw_fd(3) }, &arg);
}

/// Reads one request line from `conn`, answers it and closes it.
fn serve(conn: TcpStream, arg: &str) {
    let mut reader = BufReader::new(&conn);
    let mut line = String::new();
    if let Err(e) = reader.read_line(&mut line) {
        eprintln!("worker {arg}: read: {e}");
        std::process::exit(2);
    }
    let line = line.trim_end_matches(['\r', '\n']);
    println!("worker {arg}: {line}");
    let answer = format!("HELLO {} ({} bytes)\n", line.to_uppercase(), line.len());
    if let Err(e) = (&conn).write_all(answer.as_bytes()) {
        eprintln!("worker {arg}: write: {e}");
        std::process::exit(3);
    }
}
