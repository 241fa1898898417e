//! `wasiproc explore` on the example bugs (guest/examples/src/bin/race_*.rs):
//! each is found, its trace and minimised trace replay the failure, the
//! summary does not depend on --jobs, shards add up to the whole, the
//! locked control never fails.

mod common;

use common::{examples, p, run_args, scratch, stderr, stdout};
use std::path::Path;

/// `wasiproc explore FLAGS... --allow-command NAME.wasm=... [--dir D::/data] NAME.wasm ARGS`.
fn explore(name: &str, data: Option<&Path>, flags: &[&str], args: &[&str]) -> std::process::Output {
    let bin = examples();
    let module = format!("{name}.wasm");
    let mut a: Vec<String> = vec!["explore".into()];
    a.extend(flags.iter().map(|s| s.to_string()));
    if let Some(d) = data {
        a.push(format!("--dir={}::/data", p(d)));
    }
    a.push(format!(
        "--allow-command={module}={}",
        p(&bin.join(&module))
    ));
    a.push(p(&bin.join(&module)));
    a.extend(args.iter().map(|s| s.to_string()));
    run_args(&a)
}

/// The failing seeds a text summary lists.
fn failing_seeds(summary: &str) -> Vec<u64> {
    summary
        .lines()
        .filter_map(|l| l.strip_prefix("failure: seed "))
        .map(|l| l.split(':').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn a_lost_update_is_found_minimised_and_replayed() {
    let dir = scratch("explore-lost");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let keep = dir.join("keep");
    let flags = ["--runs=400", "--minimize", "--keep", &p(&keep)];
    let one = explore(
        "race_lost_update",
        Some(&data),
        &[&flags[..], &["--jobs=1"]].concat(),
        &[],
    );
    let two = explore(
        "race_lost_update",
        Some(&data),
        &[&flags[..], &["--jobs=2"]].concat(),
        &[],
    );
    assert_eq!(one.status.code(), Some(1), "{}", stderr(&one));
    // The same summary whatever the number of workers.
    assert_eq!(stdout(&one), stdout(&two));
    let text = stdout(&one);
    let seeds = failing_seeds(&text);
    assert_eq!(seeds.len(), 1, "{text}");
    assert!(
        text.contains("stdout: lost update: counter is 1, expected 2"),
        "{text}"
    );
    // The grant itself was never written: each run had its own copy.
    assert_eq!(std::fs::read_dir(&data).unwrap().count(), 0);
    let line = text
        .lines()
        .find(|l| l.contains("minimized: "))
        .expect(&text);
    let kept: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let from: usize = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!((1..=3).contains(&kept) && kept < from, "{line}");
    for trace in [
        keep.join(format!("seed-{}.trace", seeds[0])),
        keep.join(format!("seed-{}.min.trace", seeds[0])),
    ] {
        let r = run_args(&["replay".into(), "--verify".into(), p(&trace)]);
        assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
        assert_eq!(stdout(&r), "lost update: counter is 1, expected 2\n");
        let plain = run_args(&["replay".into(), p(&trace)]);
        assert_eq!(plain.status.code(), Some(1));
    }
    // The minimised schedule, given to `run`, fails the same way.
    let schedule = line.rsplit(": ").next().unwrap();
    let bin = examples();
    let run = run_args(&[
        "run".into(),
        "--deterministic".into(),
        format!("--schedule={schedule}"),
        format!("--dir={}::/data", p(&data)),
        format!(
            "--allow-command=race_lost_update.wasm={}",
            p(&bin.join("race_lost_update.wasm"))
        ),
        p(&bin.join("race_lost_update.wasm")),
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(stdout(&run), "lost update: counter is 1, expected 2\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shards_add_up_to_the_whole_and_json_says_the_same() {
    let dir = scratch("explore-shards");
    let whole = explore(
        "race_atomicity",
        None,
        &["--runs=120", "--all", "--json"],
        &[],
    );
    let json: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    let seeds = |v: &serde_json::Value| -> Vec<u64> {
        v["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["seed"].as_u64().unwrap())
            .collect()
    };
    let all = seeds(&json);
    assert_eq!(json["schedules"], 120);
    assert!(!all.is_empty() && all.len() < 120, "{all:?}");
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    let mut union = Vec::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let o = explore(
            "race_atomicity",
            None,
            &["--runs=120", "--all", "--json", "--shard", shard],
            &[],
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["schedules"], 40);
        union.extend(seeds(&v));
    }
    union.sort();
    assert_eq!(union, all);
    // Text and JSON agree; without --all only the first failure is reported.
    let first = explore("race_atomicity", None, &["--runs=120"], &[]);
    let text = stdout(&first);
    assert_eq!(failing_seeds(&text), vec![all[0]]);
    assert!(
        text.contains(&format!("schedules: {}, failing: 1", all[0] + 1)),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_other_bugs_are_found_and_the_locked_control_never_fails() {
    let dir = scratch("explore-others");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    // A deadlock, with a grant whose preopened directory is still open when
    // the run stops: its traces replay (closing it is recorded).
    let keep = dir.join("keep");
    let dl = explore(
        "race_deadlock",
        Some(&data),
        &["--runs=500", "--minimize", "--keep", &p(&keep)],
        &[],
    );
    let text = stdout(&dl);
    assert!(
        text.contains(": error: deadlock: every process is blocked"),
        "{text}"
    );
    let seed = failing_seeds(&text)[0];
    for name in [
        format!("seed-{seed}.trace"),
        format!("seed-{seed}.min.trace"),
    ] {
        let r = run_args(&["replay".into(), "--verify".into(), p(&keep.join(name))]);
        assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
        assert!(stderr(&r).contains("replay verified: "), "{}", stderr(&r));
    }

    let order = explore(
        "race_order",
        Some(&data),
        &[
            "--runs=500",
            "--strategy=pct:2",
            "--fail-on=stderr:^order violation: ",
        ],
        &[],
    );
    assert!(
        stdout(&order).contains(": exit code 1\n"),
        "{}",
        stdout(&order)
    );
    let at = explore(
        "race_atomicity",
        None,
        &["--runs=500", "--fail-on=stdout-differs"],
        &[],
    );
    assert!(
        stdout(&at).contains("stdout: atomicity violation"),
        "{}",
        stdout(&at)
    );
    let control = explore(
        "race_lost_update",
        Some(&data),
        &["--runs=600"],
        &["locked"],
    );
    assert_eq!(control.status.code(), Some(0), "{}", stdout(&control));
    assert!(
        stdout(&control).contains("schedules: 600, failing: 0"),
        "{}",
        stdout(&control)
    );
    // A pattern the failing runs' stderr does not match finds nothing.
    let other = explore(
        "race_order",
        Some(&data),
        &[
            "--runs=100",
            "--strategy=pct:2",
            "--fail-on=stderr:panicked",
        ],
        &[],
    );
    assert_eq!(other.status.code(), Some(0), "{}", stdout(&other));
    let _ = std::fs::remove_dir_all(&dir);
}
