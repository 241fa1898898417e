//! Resolved branches (`isa::Instr::resolve_branches`): every branch target
//! is a distance in bytes from the instruction holding it (a fused
//! instruction, a `br_table` entry), flagged when it leads past a
//! `ConsumeFuel`. A switch-dispatch loop (the shape of a C bytecode interpreter), run
//! with and without metering, lazily and eagerly, computes its result, and
//! every body it translated keeps the invariant the threaded handlers rely
//! on (`Module::branches_resolved`).

mod common;

use common::{call, disassembly};
use wasiproc_engine::{Config, Engine, Linker, Module, Store};

/// A register VM in miniature: `run(n)` interprets a program of byte
/// opcodes from memory in a `loop` around a `br_table` (with a default and
/// entries that carry a value, which need copies), ending cases with a
/// branch back to the loop (an `i64.store` then `br`: the fused
/// `I64StoreBr`), a `br_if` and an `if`/`else`.
const VM: &str = r#"(module
  (memory (export "m") 1)
  ;; program: 0 add, 1 double, 2 sub-if-odd, 3 jump back while r1 != 0, 4 halt
  (data (i32.const 0) "\00\01\02\00\03\04")
  (func (export "run") (param $n i64) (result i64)
    (local $pc i32) (local $op i32) (local $m i32)
    ;; r1 at m, acc at m + 8
    (local.set $m (i32.const 64))
    (i64.store (local.get $m) (local.get $n))
    (i64.store offset=8 (local.get $m) (i64.const 0))
    (block $halt
      (loop $next
        (local.set $op (i32.load8_u (local.get $pc)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (block $jump
          (block $odd
            (block $double
              (block $add
                (br_table $add $double $odd $jump $halt (local.get $op)))
              ;; add: acc += r1
              (i64.store offset=8 (local.get $m)
                (i64.add (i64.load offset=8 (local.get $m)) (i64.load (local.get $m))))
              (br $next))
            ;; double: acc *= 2, kept mod 2^20
            (i64.store offset=8 (local.get $m)
              (i64.and (i64.shl (i64.load offset=8 (local.get $m)) (i64.const 1))
                (i64.const 0xfffff)))
            (br $next))
          ;; odd: acc -= 1 when odd, else acc += 3
          (if (i64.eqz (i64.and (i64.load offset=8 (local.get $m)) (i64.const 1)))
            (then (i64.store offset=8 (local.get $m)
              (i64.add (i64.load offset=8 (local.get $m)) (i64.const 3))))
            (else (i64.store offset=8 (local.get $m)
              (i64.sub (i64.load offset=8 (local.get $m)) (i64.const 1)))))
          (br $next))
        ;; jump: r1 -= 1; back to 0 while r1 != 0
        (i64.store (local.get $m) (i64.sub (i64.load (local.get $m)) (i64.const 1)))
        (br_if $next (i64.eqz (i64.load (local.get $m))))
        (local.set $pc (i32.const 0))
        (br $next)))
    (i64.load offset=8 (local.get $m)))
  ;; A br_table whose entries carry a value to blocks of different heights
  ;; (entries that go through copy stubs) and to the function (a return).
  (func (export "pick") (param $i i32) (result i32)
    (block $r (result i32)
      (block $b (result i32)
        (block $a (result i32)
          (i32.const 10)
          (br_table $a $b $r 3 (local.get $i)))
        (i32.const 1)
        (i32.add))
      (i32.const 2)
      (i32.add))))"#;

/// The VM's result, computed directly.
fn expected(n: i64) -> i64 {
    let (mut r1, mut acc) = (n, 0i64);
    let mut pc = 0;
    let program = [0u8, 1, 2, 0, 3, 4];
    loop {
        match program[pc] {
            0 => acc += r1,
            1 => acc = (acc << 1) & 0xfffff,
            2 => acc = if acc & 1 == 0 { acc + 3 } else { acc - 1 },
            3 => {
                r1 -= 1;
                if r1 != 0 {
                    pc = 0;
                    continue;
                }
            }
            _ => return acc,
        }
        pc += 1;
    }
}

#[test]
fn a_switch_loop_runs_and_every_branch_target_is_resolved() {
    for fuel in [false, true] {
        for lazy in [true, false] {
            let mut config = Config::new();
            config.consume_fuel(fuel).lazy_translation(lazy);
            let engine = Engine::new(&config);
            let module = Module::new(&engine, wat::parse_str(VM).unwrap()).unwrap();
            let mut store = Store::new(&engine, ());
            if fuel {
                store.set_fuel(u64::MAX).unwrap();
            }
            let inst = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            for n in [1i64, 2, 7, 300] {
                let got: i64 = call(&inst, &mut store, "run", n).unwrap();
                assert_eq!(got, expected(n), "n={n} fuel={fuel} lazy={lazy}");
            }
            for (i, want) in [(0, 13), (1, 12), (2, 10), (3, 10), (-1, 10)] {
                let got: i32 = call(&inst, &mut store, "pick", i).unwrap();
                assert_eq!(got, want, "pick({i}) fuel={fuel} lazy={lazy}");
            }
            assert!(module.branches_resolved(), "fuel={fuel} lazy={lazy}");
            let text = disassembly(&module, 0..2);
            assert!(text.contains("I64StoreBr"), "not fused:\n{text}");
            assert!(text.contains("BrTable"), "{text}");
        }
    }
}

/// Displayed targets are indexes of the body again, whatever the
/// distance and the fuel flag: with metering on, the loop's back edges name
/// the `ConsumeFuel` at the loop header.
#[test]
fn disassembly_shows_targets_as_indexes() {
    let (module, _store, _inst) = common::instantiate_fuel(true, VM);
    let text = disassembly(&module, 0..1);
    let lines: Vec<&str> = text.lines().skip(1).collect();
    let mut back_edges = 0;
    for line in &lines {
        let Some(at) = line.find("target: ") else {
            continue;
        };
        let digits: String = line[at + 8..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let target: usize = digits.parse().unwrap();
        let named = lines[target];
        assert!(
            named.starts_with(&format!("{target:5}:")),
            "{line} -> {named}"
        );
        if line.contains("Br {") && named.contains("ConsumeFuel") {
            back_edges += 1;
        }
    }
    assert!(back_edges >= 3, "{text}");
}
