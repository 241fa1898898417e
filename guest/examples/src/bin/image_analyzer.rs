//! Analyzes every file in `/input` (format and size from its header, byte
//! count, FNV-1a checksum), writes `/output/report.txt`, then tries things
//! outside its grants and prints one line per attempt:
//! `denied: <what> (<errno or reason>)`, or `ALLOWED: <what>` (exit 1).
//!
//! Meant to be spawned by `image_analyzer_parent.wasm` with `/input`
//! read-only and `/output` read-write.

use examples_common::Fnv1a64;
use std::fs;
use std::io::{self, Write};
use wasiproc_guest::Command;

/// `(format, width, height)` from the first bytes of an image file.
fn describe(b: &[u8]) -> (&'static str, Option<(u32, u32)>) {
    let be32 = |i: usize| {
        b.get(i..i + 4)
            .map(|s| u32::from_be_bytes(s.try_into().unwrap()))
    };
    let le32 = |i: usize| {
        b.get(i..i + 4)
            .map(|s| u32::from_le_bytes(s.try_into().unwrap()))
    };
    let le16 = |i: usize| {
        b.get(i..i + 2)
            .map(|s| u32::from(u16::from_le_bytes(s.try_into().unwrap())))
    };
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        ("png", be32(16).zip(be32(20)))
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        ("gif", le16(6).zip(le16(8)))
    } else if b.starts_with(b"BM") {
        ("bmp", le32(18).zip(le32(22)))
    } else if b.starts_with(b"\xff\xd8\xff") {
        ("jpeg", None)
    } else if b.len() > 2 && b[0] == b'P' && (b'1'..=b'6').contains(&b[1]) {
        // Netpbm: "P3 <width> <height> ..." (comments are not handled).
        let text = String::from_utf8_lossy(&b[2..b.len().min(64)]);
        let mut nums = text.split_ascii_whitespace().map(|s| s.parse::<u32>());
        let dims = match (nums.next(), nums.next()) {
            (Some(Ok(w)), Some(Ok(h))) => Some((w, h)),
            _ => None,
        };
        ("netpbm", dims)
    } else {
        ("unknown", None)
    }
}

/// `errno N` for an error that carries one, else its message (std's
/// preopen lookup fails without asking the host, with no errno).
fn why(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => format!("errno {n}"),
        None => e.to_string(),
    }
}

fn analyze() -> io::Result<usize> {
    let mut names: Vec<String> = fs::read_dir("/input")?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut report = String::from("file\tformat\tsize\tbytes\tfnv1a64\n");
    for name in &names {
        let bytes = fs::read(format!("/input/{name}"))?;
        let (format, dims) = describe(&bytes);
        let size = dims.map_or("?".to_string(), |(w, h)| format!("{w}x{h}"));
        let mut sum = Fnv1a64::new();
        sum.update(&bytes);
        report += &format!(
            "{name}\t{format}\t{size}\t{}\t{:016x}\n",
            bytes.len(),
            sum.hash()
        );
    }
    fs::File::create("/output/report.txt")?.write_all(report.as_bytes())?;
    Ok(names.len())
}

fn main() {
    match analyze() {
        Ok(n) => println!("analyzed {n} files into /output/report.txt"),
        Err(e) => {
            eprintln!("image_analyzer: analysis failed: {e}");
            std::process::exit(1);
        }
    }

    // Every one of these must fail.
    let attempts: Vec<(&str, io::Result<()>)> = vec![
        ("read /etc/passwd", fs::read("/etc/passwd").map(drop)),
        ("read /secret.txt", fs::read("/secret.txt").map(drop)),
        (
            "read /input/../secret.txt",
            fs::read("/input/../secret.txt").map(drop),
        ),
        (
            "read /output/../secret.txt",
            fs::read("/output/../secret.txt").map(drop),
        ),
        ("write /input/x", fs::write("/input/x", b"x")),
        (
            "spawn image_analyzer.wasm",
            Command::new("image_analyzer.wasm").spawn().map(drop),
        ),
    ];
    let mut escaped = false;
    for (what, result) in attempts {
        match result {
            Err(e) => println!("denied: {what} ({})", why(&e)),
            Ok(()) => {
                println!("ALLOWED: {what}");
                escaped = true;
            }
        }
    }
    std::process::exit(if escaped { 1 } else { 0 });
}
