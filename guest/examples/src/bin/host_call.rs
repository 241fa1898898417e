//! Uses an import module of the embedder's (docs/embedding.md): the
//! functions `embedder.add` and `embedder.log` are not WASI; a host that
//! runs this program with wasiproc's Run API defines them for every process
//! (`Run::host_func`). `host_call.wasm` spawns `host_call.wasm child`,
//! which calls both, prints what they returned and exits 0 when `add`
//! added; the parent passes the child's exit code on.

use wasiproc_guest::Command;

#[link(wasm_import_module = "embedder")]
unsafe extern "C" {
    /// `a + b`, computed by the host.
    fn add(a: i32, b: i32) -> i32;
    /// Hands the host `len` bytes at `ptr`; returns the pid the host saw.
    fn log(ptr: *const u8, len: usize) -> i32;
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("child") {
        // SAFETY: the embedder defines both with these signatures; `log`
        // only reads the `len` bytes at `ptr`, which are a live string.
        let (sum, pid) = unsafe {
            let sum = add(40, 2);
            let msg = format!("child computed {sum} on the host");
            (sum, log(msg.as_ptr(), msg.len()))
        };
        println!("child: add(40, 2) = {sum}; the host saw pid {pid}");
        std::process::exit(if sum == 42 { 0 } else { 1 });
    }
    let mut child = Command::new("host_call.wasm")
        .arg("child")
        .spawn()
        .unwrap_or_else(|e| {
            eprintln!("host_call: cannot spawn the child: {e}");
            std::process::exit(1)
        });
    let status = child.wait().unwrap_or_else(|e| {
        eprintln!("host_call: cannot wait for the child: {e}");
        std::process::exit(1)
    });
    println!("parent: child {} ended: {status}", child.id());
    std::process::exit(status.code().unwrap_or(1));
}
