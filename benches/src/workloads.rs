//! The CPU workloads of `shared/workloads` (see its README.md): the five
//! one-line workloads and CoreMark, with the sizes used here and what each
//! prints at that size.
//!
//! The `Full` lines are the README's; the `Quick` and `Bench` lines were
//! produced by native `gcc -O2` builds of `shared/workloads/src/*.c` and
//! agree with both engines. CoreMark is checked by the CRCs it validates
//! itself (the same for any iteration count with the 2K performance seeds).

use crate::Output;
use std::path::PathBuf;

/// Which size of a workload to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Small enough for a Criterion iteration (a few to tens of milliseconds).
    Bench,
    /// `compare --quick`: about an eighth of the work of `Full`.
    Quick,
    /// The size of the README's comparisons (~0.2–4 s per workload in wasmi).
    Full,
}

/// One size of a workload: its argument and the line it prints.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// The single command-line argument.
    pub arg: &'static str,
    /// What the guest prints (without the newline).
    pub expected: &'static str,
}

/// How a workload's output is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Stdout is exactly the case's `expected` line and a newline.
    Exact,
    /// Every line of the case's `expected` is a whole line of stdout
    /// (CoreMark prints timing lines that differ between runs).
    Lines,
}

/// A workload module and its sizes.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    /// The module is `NAME.wasm` in [`dir`].
    pub name: &'static str,
    /// How the output is checked.
    pub check: Check,
    /// The arguments after the module name; `SIZE` stands for the case's
    /// argument.
    pub args: &'static [&'static str],
    /// Criterion size.
    pub bench: Case,
    /// `--quick` size.
    pub quick: Case,
    /// README size.
    pub full: Case,
}

impl Workload {
    /// The case for `size`.
    pub fn case(&self, size: Size) -> Case {
        match size {
            Size::Bench => self.bench,
            Size::Quick => self.quick,
            Size::Full => self.full,
        }
    }

    /// The path of the module.
    pub fn path(&self) -> PathBuf {
        dir().join(format!("{}.wasm", self.name))
    }

    /// Reads the module.
    pub fn wasm(&self) -> Result<Vec<u8>, String> {
        let path = self.path();
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    }

    /// The guest's argv for `size`: the module name, then the arguments
    /// with the size in place of `SIZE`.
    pub fn argv(&self, size: Size) -> Vec<&'static str> {
        let arg = self.case(size).arg;
        std::iter::once(self.name)
            .chain(self.args.iter().map(|a| if *a == SIZE { arg } else { *a }))
            .collect()
    }

    /// Checks a run's output at `size`; the error says what was wrong.
    pub fn verify(&self, out: &Output, size: Size) -> Result<(), String> {
        let expected = self.case(size).expected;
        match self.check {
            Check::Exact => out.check(expected),
            Check::Lines => out.check_lines(expected.lines()),
        }
    }
}

/// The placeholder for the size in [`Workload::args`].
const SIZE: &str = "SIZE";

/// The single size argument of the one-line workloads.
const ONE_ARG: &[&str] = &[SIZE];

const fn case(arg: &'static str, expected: &'static str) -> Case {
    Case { arg, expected }
}

/// CoreMark's lines for `N` iterations of the 2K performance run: the CRCs
/// it validates for these seeds at any iteration count, and the count.
macro_rules! coremark_lines {
    ($n:literal) => {
        concat!(
            "seedcrc          : 0xe9f5\n[0]crclist       : 0xe714\n",
            "[0]crcmatrix     : 0x1fd7\n[0]crcstate      : 0x8e3a\n",
            "Iterations       : ",
            $n
        )
    };
}

/// All workloads, in the README's order, CoreMark last.
pub const WORKLOADS: [Workload; 6] = [
    Workload {
        check: Check::Exact,
        args: ONE_ARG,
        name: "fib",
        bench: case("30", "fib n=30 checksum=832040"),
        quick: case("35", "fib n=35 checksum=9227465"),
        full: case("39", "fib n=39 checksum=63245986"),
    },
    Workload {
        check: Check::Exact,
        args: ONE_ARG,
        name: "sieve",
        bench: case("1", "sieve reps=1 checksum=544510421787"),
        quick: case("4", "sieve reps=4 checksum=15087972675271175608"),
        full: case("30", "sieve reps=30 checksum=14233916147900722660"),
    },
    Workload {
        check: Check::Exact,
        args: ONE_ARG,
        name: "matmul",
        bench: case(
            "120",
            "matmul n=120 sum=3.587515569e+01 checksum=e0dcb8a6bb9f6db3",
        ),
        quick: case(
            "300",
            "matmul n=300 sum=4.057024104e+02 checksum=0971dc6e5ba416ab",
        ),
        full: case(
            "600",
            "matmul n=600 sum=-1.745676523e+03 checksum=2056dd25bdf186c5",
        ),
    },
    Workload {
        check: Check::Exact,
        args: ONE_ARG,
        name: "sha256",
        bench: case(
            "1",
            "sha256 mib=1 checksum=7b6ff00e2ddfdfa73f3ba2ba7814dd5ed254f21c24f50698e88be661151c87e3",
        ),
        quick: case(
            "4",
            "sha256 mib=4 checksum=6abf8ce288c231f95468bbd16a93327f3ae9a74d56e3aeccef291d9beca3d8f4",
        ),
        full: case(
            "32",
            "sha256 mib=32 checksum=136968ed30a34d416fedccf03173a378ca1cd4fec3f58c439c593cff2b905792",
        ),
    },
    Workload {
        check: Check::Exact,
        args: ONE_ARG,
        name: "bcvm",
        bench: case("10000", "bcvm n=10000 checksum=849666 prefix=59542"),
        quick: case("25000", "bcvm n=25000 checksum=2344161 prefix=59542"),
        full: case("200000", "bcvm n=200000 checksum=22938602 prefix=59542"),
    },
    // The README's invocation: seeds 0x0 0x0 0x66, iterations, 7 (all
    // algorithms), 1, 2000-byte data; run at a fixed count so every runtime
    // does the same work.
    Workload {
        check: Check::Lines,
        args: &["0x0", "0x0", "0x66", SIZE, "7", "1", "2000"],
        name: "coremark",
        bench: case("10", coremark_lines!("10")),
        quick: case("400", coremark_lines!("400")),
        full: case("3000", coremark_lines!("3000")),
    },
];

/// The workload by name.
pub fn by_name(name: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name)
}

/// The directory holding the workload modules: `$WASIPROC_WORKLOADS` if set,
/// else `shared/workloads/wasm` beside the repository.
pub fn dir() -> PathBuf {
    match std::env::var_os("WASIPROC_WORKLOADS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/workloads/wasm"),
    }
}

/// True when every workload module is present.
pub fn available() -> bool {
    WORKLOADS.iter().all(|w| w.path().is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{wasiproc_run, wasmi_run};

    #[test]
    fn table_is_consistent() {
        for w in &WORKLOADS {
            for size in [Size::Bench, Size::Quick, Size::Full] {
                let c = w.case(size);
                assert!(w.argv(size).contains(&c.arg), "{c:?}");
                match w.check {
                    Check::Exact => {
                        assert!(c.expected.starts_with(&format!("{} ", w.name)), "{c:?}");
                        assert!(c.expected.contains(&format!("={} ", c.arg)), "{c:?}");
                    }
                    Check::Lines => {
                        let count = format!("Iterations       : {}", c.arg);
                        assert!(c.expected.lines().any(|l| l == count), "{c:?}");
                    }
                }
            }
            assert_eq!(by_name(w.name).map(|x| x.name), Some(w.name));
        }
    }

    /// The smallest real workload run, on both engines (skipped when the
    /// modules are not beside the repository).
    #[test]
    fn fib_runs_on_both_engines() {
        let w = by_name("fib").unwrap();
        let Ok(wasm) = w.wasm() else {
            eprintln!("skipped: {} not found", w.path().display());
            return;
        };
        let argv = ["fib", "20"];
        let want = "fib n=20 checksum=6765";
        for fuel in [false, true] {
            let engine = wasiproc_run::engine(fuel);
            let module = wasiproc_engine::Module::new(&engine, &wasm).unwrap();
            let out = wasiproc_run::run(&engine, &module, &argv, fuel).unwrap();
            out.check(want).unwrap();
        }
        let engine = wasmi_run::engine();
        let module = wasmi::Module::new(&engine, &wasm).unwrap();
        wasmi_run::run(&engine, &module, &argv)
            .unwrap()
            .check(want)
            .unwrap();
    }
}
