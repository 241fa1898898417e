//! Benchmarks and the workload runner.
//!
//! The pieces shared by the Criterion benches (`benches/`) and the
//! side-by-side `compare` binary: the workload table with verified expected
//! outputs ([`workloads`]), running a WASI module to completion with output
//! captured in memory on wasiproc ([`wasiproc_run`]) and on wasmi
//! ([`wasmi_run`], with a minimal preview1 shim), the large-module
//! fixture ([`fixtures`]), and the process-layer scenarios of the `process`
//! bench and the `procmem` binary ([`process_run`]).

pub mod fixtures;
pub mod process_run;
pub mod wasiproc_run;
pub mod wasmi_run;
pub mod workloads;

/// What a run of a WASI command produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The exit code (`proc_exit`, or 0 when `_start` returned).
    pub exit_code: i32,
    /// Everything written to descriptor 1.
    pub stdout: Vec<u8>,
    /// Everything written to descriptor 2.
    pub stderr: Vec<u8>,
}

impl Output {
    /// Checks that the run exited with 0 and printed exactly `line` and a
    /// newline; the error describes what happened instead.
    pub fn check(&self, line: &str) -> Result<(), String> {
        let want = format!("{line}\n");
        if self.exit_code == 0 && self.stdout == want.as_bytes() {
            return Ok(());
        }
        Err(format!(
            "expected exit 0 and stdout {want:?}; got exit {} and stdout {:?}, stderr {:?}",
            self.exit_code,
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(&self.stderr),
        ))
    }

    /// Checks that the run exited with 0 and that each of `lines` is a
    /// whole line of its stdout; the error names the first one missing.
    pub fn check_lines<'a>(&self, lines: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
        let stdout = String::from_utf8_lossy(&self.stdout);
        let missing = lines
            .into_iter()
            .find(|want| !stdout.lines().any(|l| l == *want));
        match missing {
            None if self.exit_code == 0 => Ok(()),
            _ => Err(format!(
                "expected exit 0 and the line {:?} in stdout; got exit {} and stdout {stdout:?}, stderr {:?}",
                missing.unwrap_or(""),
                self.exit_code,
                String::from_utf8_lossy(&self.stderr),
            )),
        }
    }
}

/// The WAT of a tiny WASI command: `_start` writes `hi\n` to stdout with one
/// `fd_write` and returns.
pub const TINY_WASI_WAT: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (func (export "_start")
    ;; one iovec at 0: base 16, length 3; bytes written go to 8
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#;

/// The WAT of a tiny module without imports: `_start` sums 0..100 in a loop
/// into a global.
pub const TINY_BARE_WAT: &str = r#"
(module
  (global $sum (mut i32) (i32.const 0))
  (memory 1)
  (func (export "_start") (local $i i32)
    (loop $l
      (global.set $sum (i32.add (global.get $sum) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))))
"#;

/// The binary of [`TINY_WASI_WAT`].
pub fn tiny_wasi_wasm() -> Vec<u8> {
    wat::parse_str(TINY_WASI_WAT).expect("TINY_WASI_WAT is valid")
}

/// The binary of [`TINY_BARE_WAT`].
pub fn tiny_bare_wasm() -> Vec<u8> {
    wat::parse_str(TINY_BARE_WAT).expect("TINY_BARE_WAT is valid")
}

/// The median of some durations (the mean of the middle two for an even count).
pub fn median(times: &[std::time::Duration]) -> std::time::Duration {
    assert!(!times.is_empty(), "median of nothing");
    let mut v = times.to_vec();
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

/// The geometric mean of positive numbers (`None` for none).
pub fn geomean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    Some((xs.iter().map(|x| x.ln()).sum::<f64>() / xs.len() as f64).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn median_and_geomean() {
        let ms = Duration::from_millis;
        assert_eq!(median(&[ms(3), ms(1), ms(2)]), ms(2));
        assert_eq!(
            median(&[ms(4), ms(1), ms(2), ms(3)]),
            Duration::from_micros(2500)
        );
        assert!((geomean(&[2.0, 8.0]).unwrap() - 4.0).abs() < 1e-12);
        assert_eq!(geomean(&[]), None);
    }

    #[test]
    fn output_check() {
        let out = Output {
            exit_code: 0,
            stdout: b"ok\n".to_vec(),
            stderr: vec![],
        };
        assert!(out.check("ok").is_ok());
        assert!(out.check("no").is_err());
        let exited = Output {
            exit_code: 1,
            ..out
        };
        assert!(exited.check("ok").is_err());
    }

    #[test]
    fn tiny_modules_on_both_engines() {
        let wasi = tiny_wasi_wasm();
        let engine = wasiproc_run::engine(false);
        let module = wasiproc_engine::Module::new(&engine, &wasi).unwrap();
        let out = wasiproc_run::run(&engine, &module, &["tiny"], false).unwrap();
        out.check("hi").unwrap();

        let engine = wasmi_run::engine();
        let module = wasmi::Module::new(&engine, &wasi).unwrap();
        let out = wasmi_run::run(&engine, &module, &["tiny"]).unwrap();
        out.check("hi").unwrap();

        let bare = tiny_bare_wasm();
        let engine = wasiproc_run::engine(true);
        let module = wasiproc_engine::Module::new(&engine, &bare).unwrap();
        let out = wasiproc_run::run(&engine, &module, &["bare"], true).unwrap();
        assert_eq!(out, Output::default());
    }
}
