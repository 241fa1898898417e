//! `tpipe PATTERN`: runs `tcat | tgrep PATTERN | tsort | tuniq -c` as four
//! wasiproc child processes connected by pipes: tcat reads this program's
//! stdin, tuniq writes to its stdout. Exits 1 if a stage fails.

use wasiproc_guest::{Child, Command, Stdio};

fn spawn(cmd: &mut Command, name: &str) -> Child {
    cmd.spawn().unwrap_or_else(|e| {
        eprintln!("tpipe: cannot spawn {name}: {e}");
        std::process::exit(1)
    })
}

fn main() {
    let pat = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: tpipe PATTERN");
        std::process::exit(2)
    });
    let mut cat = spawn(Command::new("tcat.wasm").stdout(Stdio::piped()), "tcat");
    let mut grep = spawn(
        Command::new("tgrep.wasm")
            .arg(&pat)
            .stdin(Stdio::from(cat.stdout.take().expect("piped")))
            .stdout(Stdio::piped()),
        "tgrep",
    );
    let mut sort = spawn(
        Command::new("tsort.wasm")
            .stdin(Stdio::from(grep.stdout.take().expect("piped")))
            .stdout(Stdio::piped()),
        "tsort",
    );
    let mut uniq = spawn(
        Command::new("tuniq.wasm")
            .arg("-c")
            .stdin(Stdio::from(sort.stdout.take().expect("piped"))),
        "tuniq",
    );
    let mut failed = false;
    for (name, child) in [
        ("tcat", &mut cat),
        ("tgrep", &mut grep),
        ("tsort", &mut sort),
        ("tuniq", &mut uniq),
    ] {
        match child.wait() {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!("tpipe: {name} {s}");
                failed = true;
            }
            Err(e) => {
                eprintln!("tpipe: waiting for {name}: {e}");
                failed = true;
            }
        }
    }
    std::process::exit(i32::from(failed));
}
