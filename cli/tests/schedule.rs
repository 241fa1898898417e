//! `--schedule`: random and PCT schedules are inputs of a run — the same
//! schedule gives the same interleaving, output and trace; other seeds give
//! other interleavings (on race_atomicity.wasm, whose output shows a
//! garbled line under some); a recorded schedule replays exactly.

mod common;

use common::{examples, p, run_args, scratch, stdout};

/// `wasiproc run` of race_atomicity.wasm with `extra` flags first.
fn atomicity(extra: &[String]) -> std::process::Output {
    let bin = examples();
    let mut args = vec!["run".to_string(), "--deterministic".to_string()];
    args.extend(extra.iter().cloned());
    args.push("--allow-command".into());
    args.push(format!(
        "race_atomicity.wasm={}",
        p(&bin.join("race_atomicity.wasm"))
    ));
    args.push(p(&bin.join("race_atomicity.wasm")));
    run_args(&args)
}

#[test]
fn the_same_schedule_gives_the_same_run_and_other_seeds_other_interleavings() {
    let dir = scratch("schedule-same");
    let fifo = atomicity(&[]);
    assert_eq!(fifo.status.code(), Some(0), "{}", stdout(&fifo));
    assert_eq!(stdout(&fifo), "8 messages intact\n");
    let mut timelines = std::collections::BTreeSet::new();
    let mut failed = 0;
    for seed in 0..24u64 {
        let mut outs = Vec::new();
        for round in 0..2 {
            let events = dir.join(format!("{seed}-{round}.json"));
            let o = atomicity(&[
                format!("--schedule=random:{seed}"),
                format!("--trace-events={}", p(&events)),
            ]);
            outs.push((o.status.code(), o.stdout, std::fs::read(&events).unwrap()));
        }
        assert_eq!(outs[0], outs[1], "seed {seed} differs between two runs");
        let (code, out, events) = outs.swap_remove(0);
        if code != Some(0) {
            failed += 1;
            assert!(
                String::from_utf8_lossy(&out).starts_with("atomicity violation: line "),
                "{}",
                String::from_utf8_lossy(&out)
            );
        }
        timelines.insert(events);
    }
    // Each seed interleaves differently, and some of them break the program.
    assert_eq!(timelines.len(), 24);
    assert!(failed > 0 && failed < 24, "{failed} of 24 seeds failed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pct_schedules_are_reproducible_too() {
    let a = atomicity(&["--schedule=pct:5:3:200000".into()]);
    let b = atomicity(&["--schedule=pct:5:3:200000".into()]);
    assert_eq!((a.status.code(), &a.stdout), (b.status.code(), &b.stdout));
    let bad = atomicity(&["--schedule=pct:5:0".into()]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_recorded_schedule_is_replayed_exactly() {
    let dir = scratch("schedule-replay");
    // A seed whose schedule garbles a line: the replay must garble it too.
    let seed = (0..200u64)
        .find(|s| atomicity(&[format!("--schedule=random:{s}")]).status.code() == Some(1))
        .expect("a failing seed among 200");
    let trace = dir.join("run.trace");
    let rec = atomicity(&[
        format!("--schedule=random:{seed}"),
        format!("--record={}", p(&trace)),
    ]);
    assert_eq!(rec.status.code(), Some(1));
    let args = vec!["replay".to_string(), "--verify".into(), p(&trace)];
    let rep = run_args(&args);
    assert_eq!(rep.status.code(), Some(0), "{}", common::stderr(&rep));
    assert_eq!(rep.stdout, rec.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}
