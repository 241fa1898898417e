//! A small kit for WAT guests of the hostile and load tests: every import a
//! test may need, line-buffered printing (`$str`, `$int`, `$flush`: one
//! `fd_write` per line, so lines of different processes never interleave)
//! and a string table. Memory below 4096 belongs to the kit.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Every import a WAT guest of the CLI tests may call, by the same names in
/// all of them.
pub const IMPORTS: &str = r#"
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_process" "spawn_config_new" (func $cfg_new (param i32) (result i32)))
  (import "wasi_process" "spawn_config_drop" (func $cfg_drop (param i32) (result i32)))
  (import "wasi_process" "spawn_config_arg" (func $cfg_arg (param i32 i32 i32) (result i32)))
  (import "wasi_process" "spawn_config_env" (func $cfg_env (param i32 i32 i32) (result i32)))
  (import "wasi_process" "spawn_config_dir" (func $cfg_dir (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_process" "spawn_config_fd" (func $cfg_fd (param i32 i32 i32) (result i32)))
  (import "wasi_process" "spawn_config_allow" (func $cfg_allow (param i32 i32 i32) (result i32)))
  (import "wasi_process" "spawn_config_limit" (func $cfg_limit (param i32 i32 i64) (result i32)))
  (import "wasi_process" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "wasi_process" "wait" (func $wait (param i32 i32 i32) (result i32)))
  (import "wasi_process" "kill" (func $kill (param i32) (result i32)))
  (import "wasi_process" "pipe" (func $pipe (param i32 i32) (result i32)))
  (import "wasi_process" "getppid" (func $getppid (param i32) (result i32)))
  (import "wasi_process" "getpid" (func $getpid (param i32) (result i32)))
"#;

/// Kit functions. Scratch: 0..16 iovec and count, 16..64 digits, 64..128
/// out-parameters ($spawn_cfg: pid at 64; $new_cfg: handle at 68; $pipe2:
/// fds at 72/76; $wait_pid: status at 80..96), 128..2048 the line buffer.
const KIT: &str = r#"
  (global $cur (mut i32) (i32.const 128))
  (func $print (param $fd i32) (param $p i32) (param $l i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $l))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $str (param $p i32) (param $l i32)
    (memory.copy (global.get $cur) (local.get $p) (local.get $l))
    (global.set $cur (i32.add (global.get $cur) (local.get $l))))
  (func $int (param $v i64)
    (local $p i32)
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then
        (i32.store8 (global.get $cur) (i32.const 45))
        (global.set $cur (i32.add (global.get $cur) (i32.const 1)))
        (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
    (local.set $p (i32.const 64))
    (loop $l
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $l (i64.ne (local.get $v) (i64.const 0))))
    (call $str (local.get $p) (i32.sub (i32.const 64) (local.get $p))))
  (func $i32 (param $v i32) (call $int (i64.extend_i32_s (local.get $v))))
  (func $flush
    (i32.store8 (global.get $cur) (i32.const 10))
    (call $print (i32.const 1) (i32.const 128)
      (i32.sub (i32.add (global.get $cur) (i32.const 1)) (i32.const 128)))
    (global.set $cur (i32.const 128)))
  (func $new_cfg (result i32)
    (drop (call $cfg_new (i32.const 68)))
    (i32.load (i32.const 68)))
  ;; Spawns the module named at (p, l): its pid, or minus the errno.
  (func $spawn_cfg (param $cfg i32) (param $p i32) (param $l i32) (result i32)
    (local $e i32)
    (local.set $e (call $spawn (local.get $cfg) (local.get $p) (local.get $l) (i32.const 64)))
    (if (result i32) (local.get $e)
      (then (i32.sub (i32.const 0) (local.get $e)))
      (else (i32.load (i32.const 64)))))
  ;; Waits for pid (-1: any); the status is at 80 (pid), 84 (kind), 88 (value).
  (func $wait_pid (param $pid i32) (result i32)
    (call $wait (local.get $pid) (i32.const 0) (i32.const 80)))
  ;; Appends "status PID KIND VALUE" for the last wait and flushes.
  (func $say_status
    (call $str (i32.const 2048) (i32.const 7))
    (call $i32 (i32.load (i32.const 80)))
    (call $str (i32.const 2055) (i32.const 1))
    (call $i32 (i32.load (i32.const 84)))
    (call $str (i32.const 2055) (i32.const 1))
    (call $int (i64.load (i32.const 88)))
    (call $flush))
  (data (i32.const 2048) "status  ")
"#;

/// A table of string literals, placed in memory from a base offset.
pub struct Strings {
    data: Vec<(u32, String)>,
    next: u32,
}

impl Strings {
    /// An empty table from offset `base`.
    pub fn new(base: u32) -> Self {
        Strings {
            data: Vec::new(),
            next: base,
        }
    }

    /// `(i32.const PTR) (i32.const LEN)` of a string literal.
    pub fn s(&mut self, text: &str) -> String {
        let at = self.next;
        self.next += text.len() as u32;
        self.data.push((at, text.to_string()));
        format!("(i32.const {at}) (i32.const {})", text.len())
    }

    /// The first free offset after the table.
    pub fn free(&self) -> u32 {
        self.next.div_ceil(16) * 16
    }

    /// The data segments of the table.
    pub fn segments(&self) -> String {
        let mut data = String::new();
        for (at, text) in &self.data {
            let esc: String = text
                .bytes()
                .map(|b| match b {
                    b'"' | b'\\' => format!("\\{b:02x}"),
                    32..=126 => (b as char).to_string(),
                    _ => format!("\\{b:02x}"),
                })
                .collect();
            data.push_str(&format!("  (data (i32.const {at}) \"{esc}\")\n"));
        }
        data
    }
}

/// Compiles the WAT `text` and writes it to `dir/name`; returns its path.
pub fn write_wat(dir: &Path, name: &str, text: &str) -> PathBuf {
    let wasm = wat::parse_str(text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
    let path = dir.join(name);
    std::fs::write(&path, wasm).unwrap();
    path
}

/// A guest module under construction: string literals go to a table from
/// offset 4096.
pub struct Guest {
    strings: Strings,
}

impl Default for Guest {
    fn default() -> Self {
        Self::new()
    }
}

impl Guest {
    /// A guest with an empty string table.
    pub fn new() -> Self {
        Guest {
            strings: Strings::new(4096),
        }
    }

    /// `(i32.const PTR) (i32.const LEN)` of a string literal.
    pub fn s(&mut self, text: &str) -> String {
        self.strings.s(text)
    }

    /// `(call $str ...)` of a literal.
    pub fn put(&mut self, text: &str) -> String {
        format!("(call $str {})", self.s(text))
    }

    /// A line with a literal and an i32 expression.
    pub fn say(&mut self, label: &str, expr: &str) -> String {
        format!("{} (call $i32 {expr}) (call $flush)", self.put(label))
    }

    /// The first free offset after the string table.
    pub fn free(&self) -> u32 {
        self.strings.free()
    }

    /// The module's text: kit, `pages` of memory, then `body` (functions,
    /// globals, data; it must export `_start`).
    pub fn module(&self, pages: u32, body: &str) -> String {
        let data = self.strings.segments();
        format!(
            "(module\n{IMPORTS}\n  (memory (export \"memory\") {pages})\n{KIT}\n{data}\n{body}\n)"
        )
    }

    /// Writes the compiled module to `dir/name` and returns its path.
    pub fn write(&self, dir: &Path, name: &str, pages: u32, body: &str) -> PathBuf {
        write_wat(dir, name, &self.module(pages, body))
    }
}

/// `--allow-command NAME=PATH` arguments for `modules`.
pub fn allow(modules: &[(&str, &Path)]) -> Vec<String> {
    let mut v = Vec::new();
    for (name, path) in modules {
        v.push("--allow-command".to_string());
        v.push(format!("{name}={}", path.display()));
    }
    v
}

/// The arguments of `wasiproc`: `flags`, `--allow-command` for `modules`,
/// then the root module.
pub fn cmdline(flags: &[&str], modules: &[(&str, &Path)], root: &Path) -> Vec<String> {
    let mut v: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    v.extend(allow(modules));
    v.push(root.display().to_string());
    v
}
