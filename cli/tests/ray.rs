//! contrib/ray/explore_ray.py against a local Ray head with 2 CPUs: the
//! shards it submits as Ray tasks, merged, report exactly what one
//! `wasiproc explore` reports over the same seeds (the same summary text,
//! the same traces, which replay the failures).
//!
//! `ray` comes from the Python that has it, or from a venv this test makes
//! under the target directory (`pip install ray`, once). The head is
//! started with its own temporary directory and port, and `ray stop` runs
//! however the test ends.

mod common;

use common::{examples, p, root, scratch, stderr, stdout, wasiproc};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The target directory (where the venv goes).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root().join(t) })
        .unwrap_or_else(|| root().join("target"))
}

fn imports_ray(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import ray"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A Python that can `import ray`, and the directory of its `ray` script.
fn python_with_ray() -> (PathBuf, PathBuf) {
    let system = PathBuf::from("python3");
    if imports_ray(&system) {
        let out = Command::new("python3")
            .args([
                "-c",
                "import sys, os; print(os.path.dirname(sys.executable))",
            ])
            .output()
            .expect("python3");
        return (
            system,
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()),
        );
    }
    let venv = target_dir().join("ray-venv");
    let python = venv.join("bin/python");
    if !imports_ray(&python) {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv");
        assert!(made.success(), "cannot create {}", venv.display());
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "ray"])
            .status()
            .expect("pip install ray");
        assert!(pip.success(), "pip install ray failed");
    }
    (python, venv.join("bin"))
}

/// Stops the Ray head however the test ends.
struct Head {
    ray: PathBuf,
}

impl Drop for Head {
    fn drop(&mut self) {
        let _ = Command::new(&self.ray).args(["stop", "--force"]).output();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The explore arguments of one example.
fn explore_args(name: &str, data: &Path, flags: &[&str]) -> Vec<String> {
    let bin = examples();
    let module = format!("{name}.wasm");
    let mut a: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    a.push(format!("--dir={}::/data", p(data)));
    a.push(format!(
        "--allow-command={module}={}",
        p(&bin.join(&module))
    ));
    a.push(p(&bin.join(&module)));
    a
}

fn check(o: &Output, what: &str) {
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{what}: exit {:?}\n{}\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

#[test]
fn the_ray_driver_reports_what_one_machine_reports() {
    let (python, bin) = python_with_ray();
    let dir = scratch("ray");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let (one, cluster) = (dir.join("one"), dir.join("cluster"));
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&cluster).unwrap();
    // A short path: Ray's socket names must fit in 107 bytes.
    let temp = PathBuf::from(format!("/tmp/wpray{}", std::process::id()));
    let port = free_port();
    let head = Head {
        ray: bin.join("ray"),
    };
    let started = Command::new(&head.ray)
        .args([
            "start",
            "--head",
            "--num-cpus=2",
            "--include-dashboard=false",
        ])
        .arg(format!("--port={port}"))
        .arg(format!("--temp-dir={}", p(&temp)))
        .arg("--disable-usage-stats")
        .output()
        .expect("ray start");
    assert!(started.status.success(), "ray start: {}", stderr(&started));
    let driver = root().join("contrib/ray/explore_ray.py");
    let wp = env!("CARGO_BIN_EXE_wasiproc");
    for (name, flags) in [
        ("race_atomicity", &["--runs=60", "--all"][..]),
        ("race_lost_update", &["--runs=200", "--minimize"][..]),
    ] {
        let args = explore_args(name, &data, flags);
        let single = wasiproc()
            .arg("explore")
            .args(["--keep", "keep"])
            .args(&args)
            .current_dir(&one)
            .output()
            .expect("wasiproc explore");
        check(&single, "single machine");
        let merged = Command::new(&python)
            .arg(&driver)
            .arg(format!("--address=127.0.0.1:{port}"))
            .args(["--shards=4", "--keep=keep", "--wasiproc", wp, "--"])
            .args(&args)
            .current_dir(&cluster)
            .env("RAY_ADDRESS", format!("127.0.0.1:{port}"))
            .output()
            .expect("the ray driver");
        check(&merged, "ray driver");
        assert_eq!(stdout(&merged), stdout(&single), "{}", stderr(&merged));
        assert_eq!(merged.status.code(), single.status.code());
        assert!(
            stdout(&single).contains("failure: seed "),
            "{}",
            stdout(&single)
        );
        let names = |d: &Path| {
            let mut v: Vec<String> = std::fs::read_dir(d.join("keep"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let kept = names(&cluster);
        assert_eq!(kept, names(&one));
        // A trace that came back from a Ray worker replays its failure.
        let r = wasiproc()
            .args(["replay", "--verify"])
            .arg(cluster.join("keep").join(&kept[0]))
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
        std::fs::remove_dir_all(one.join("keep")).unwrap();
        std::fs::remove_dir_all(cluster.join("keep")).unwrap();
    }
    drop(head);
    let _ = std::fs::remove_dir_all(&temp);
    let _ = std::fs::remove_dir_all(&dir);
}
