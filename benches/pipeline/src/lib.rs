//! What the pipeline's stages share: buffered stdin/stdout and line
//! splitting over bytes (the input need not be UTF-8).

use std::io::{self, BufRead, BufWriter, Read, Write};

/// The buffer size of every stage's reads and writes.
pub const BUF: usize = 64 * 1024;

/// Buffered stdin.
pub fn input() -> io::BufReader<io::Stdin> {
    io::BufReader::with_capacity(BUF, io::stdin())
}

/// Buffered stdout.
pub fn output() -> BufWriter<io::Stdout> {
    BufWriter::with_capacity(BUF, io::stdout())
}

/// Calls `each` with every line of `input` (without its newline; a last
/// line without one counts too).
pub fn for_each_line(
    mut input: impl BufRead,
    mut each: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        each(&line)?;
    }
}

/// Copies `input` to `out` in [`BUF`]-sized chunks.
pub fn copy(mut input: impl Read, out: &mut impl Write) -> io::Result<u64> {
    let mut buf = vec![0u8; BUF];
    let mut total = 0;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            return Ok(total);
        }
        out.write_all(&buf[..n])?;
        total += n as u64;
    }
}

/// Runs a stage's body; on an error prints it with the stage's name and
/// exits 1.
pub fn stage(name: &str, body: impl FnOnce() -> io::Result<()>) {
    if let Err(e) = body() {
        eprintln!("{name}: {e}");
        std::process::exit(1);
    }
}
