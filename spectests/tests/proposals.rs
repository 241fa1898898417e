//! wasm-v3 and the proposal directories: every file of a directory the engine
//! implements must pass, with and without fuel; in wasm-v3 every file but
//! those listed in `V3_NOT_YET` (files that need a proposal still missing).

use wasiproc_spectests::suite;

/// Proposal directories whose every file passes.
const COMPLETE: &[&str] = &[
    "extended-const",
    "tail-call",
    "multi-memory",
    "wide-arithmetic",
    "custom-page-sizes",
    "function-references",
    "memory64",
    "simd",
    "relaxed-simd",
    "exceptions",
];

/// Proposal directories whose every file passes but these, which need a
/// proposal still missing.
const PARTIAL: &[(&str, &[&str])] = &[];

/// wasm-v3 files that need a proposal the engine does not implement yet.
const V3_NOT_YET: &[&str] = &[];

fn check_dir(dir: &str, skip: &[&str]) {
    let mut failed = Vec::new();
    for fuel in [false, true] {
        let scripts = suite::directory_scripts(dir).expect("a bundled directory");
        assert!(!scripts.is_empty(), "{dir} has no scripts");
        let scripts: Vec<(String, &str)> = scripts
            .into_iter()
            .filter(|(name, _)| !skip.contains(&name.as_str()))
            .map(|(name, text)| (format!("{dir}/{name}"), text))
            .collect();
        for report in suite::run_scripts(&scripts, &suite::directory_options(dir, fuel)) {
            if !report.is_ok() {
                let first: Vec<String> = report
                    .failures
                    .iter()
                    .take(5)
                    .map(|f| f.to_string())
                    .collect();
                failed.push(format!(
                    "{} (fuel: {fuel})\n{}",
                    report.summary_line(),
                    first.join("\n")
                ));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn complete_proposal_directories_pass() {
    for dir in COMPLETE {
        check_dir(dir, &[]);
    }
    for (dir, skip) in PARTIAL {
        check_dir(dir, skip);
    }
}

#[test]
fn wasm_v3_passes_but_for_missing_proposals() {
    check_dir("wasm-v3", V3_NOT_YET);
}
