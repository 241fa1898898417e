//! An order violation between parent and child (an example bug for
//! `wasiproc explore`). The parent spawns a child that writes its
//! configuration to /data/config, then reads that file itself without
//! waiting for the child: it assumes the child ran first.
//!
//! The parent does some work of its own first (about 50,000 fuel), so under
//! the default FIFO schedule, which alternates the two every slice, the
//! child (about 30,000 fuel) has written the file by then. A schedule that
//! runs the parent far enough ahead makes it print `order violation:
//! /data/config is not written yet` to stderr and exit 1.
//!
//! Run: `wasiproc run --dir DIR::/data --allow-command
//! race_order.wasm=examples/bin/race_order.wasm examples/bin/race_order.wasm`.

use wasiproc_guest::Command;

const CONFIG: &str = "/data/config";

fn main() {
    if std::env::args().nth(1).as_deref() == Some("child") {
        std::fs::write(CONFIG, "mode=fast\n").expect("write /data/config");
        return;
    }
    let _ = std::fs::remove_file(CONFIG);
    let mut child = Command::new("race_order.wasm")
        .arg("child")
        .dir("/data", "/data", false)
        .spawn()
        .expect("spawn the child");
    std::hint::black_box(examples_common::busy(3_000));
    let outcome = std::fs::read_to_string(CONFIG);
    child.wait().expect("wait for the child");
    match outcome {
        Ok(text) => println!("config: {}", text.trim()),
        Err(_) => {
            eprintln!("order violation: {CONFIG} is not written yet");
            std::process::exit(1);
        }
    }
}
