//! # wasiproc-spectests
//!
//! Runs WebAssembly specification scripts (`.wast`) against
//! `wasiproc-engine` and reports, per script, how many assertions passed and
//! which failed, with `file:line:col` and a message.
//!
//! Every directive of the wasm-v2 scripts is supported: modules (text,
//! `binary`, `quote`), module definitions and `module instance`, `register`,
//! `invoke`, `get`, `assert_return` (with `nan:canonical`/`nan:arithmetic`
//! and reference results), `assert_trap` on calls and on instantiation (the
//! form `assert_uninstantiable` took in newer scripts), `assert_exhaustion`,
//! `assert_invalid`, `assert_malformed` and `assert_unlinkable`; and, for
//! exception handling, `assert_exception` (the call ends with an uncaught
//! exception). Scripts
//! import from the standard `spectest` host module ([`spectest_host`]).
//!
//! ```
//! use wasiproc_spectests::{RunOptions, run_wast};
//! let script = r#"
//!     (module (func (export "add") (param i32 i32) (result i32)
//!         local.get 0 local.get 1 i32.add))
//!     (assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
//! "#;
//! let report = run_wast("add.wast", script, &RunOptions::default());
//! assert_eq!((report.passed, report.failed), (1, 0));
//! ```

#![deny(missing_docs)]

pub mod report;
mod runner;
pub mod spectest_host;
pub mod suite;
pub mod values;

pub use report::{Failure, Report, totals, totals_line};

/// How to run a script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Build the engine with fuel metering (`Config::consume_fuel`) and give
    /// the store `u64::MAX` fuel, so the metered code paths are exercised
    /// without running out.
    pub fuel: bool,
    /// Translate every function body in `Module::new`
    /// (`Config::lazy_translation(false)`) instead of on first call.
    pub eager: bool,
    /// Enable the proposals beyond Wasm 2.0 that the engine implements
    /// (`Config::wasm_proposals`). Off for the wasm-v2 scripts, which assert
    /// that some of those features are invalid; on for wasm-v3 and the
    /// proposal directories.
    pub proposals: bool,
    /// With `proposals`, these proposals stay off (by directory name, e.g.
    /// `"multi-memory"`): a proposal's scripts assert that what later
    /// proposals allow is invalid (memory64's scripts: a second memory).
    pub without: Vec<String>,
}

/// The proposals [`RunOptions::without`] can switch off, by directory name.
pub const SWITCHABLE_PROPOSALS: &[&str] = &[
    "extended-const",
    "tail-call",
    "multi-memory",
    "memory64",
    "wide-arithmetic",
    "custom-page-sizes",
    "function-references",
    "gc-types",
    "simd",
    "relaxed-simd",
    "exceptions",
];

/// Runs one `.wast` script and reports its assertions.
///
/// `name` is used in failure locations (`name:line:col`); `source` is the
/// script text. A script that does not parse is one failure at the parse
/// error. Each directive runs even if earlier ones failed; a panic inside
/// the engine is caught and recorded as a failure of its directive.
pub fn run_wast(name: &str, source: &str, options: &RunOptions) -> Report {
    runner::run(name, source, options)
}
