//! The superinstructions and three-address selects added from the CoreMark,
//! sha256 and sieve pair profiles (benches/README.md, "Copies and fusions").
//!
//! Each fused function has a *twin*: the same operators, with an
//! independent one moved between the two halves of the pair so that the
//! pass cannot fuse them. Both must give the same results and traps and,
//! with metering, consume the same fuel, also when run in fuel slices of
//! every small size (which stops and resumes them at each fuel check).
//! Each test also checks that the fused function really uses the form and
//! the twin does not.

mod common;

use common::{disassembly, run_sliced, trap_kind};
use wasiproc_engine::*;

/// The outcome of one call: its results or the kind of its trap.
#[derive(Debug, PartialEq)]
enum Outcome {
    Values(Vec<Val>),
    Trap(TrapKind),
}

/// Calls `f` (every function here has one i32 result).
fn run(store: &mut Store<()>, f: Func, args: &[Val]) -> Outcome {
    let mut out = [Val::I32(0)];
    match f.call(&mut *store, args, &mut out) {
        Ok(()) => Outcome::Values(out.to_vec()),
        Err(e) => Outcome::Trap(trap_kind(e)),
    }
}

/// Checks `fused` (defined function 0 of `wat`, export "fused") against
/// its twin (function 1, export "twin") on every argument list of `inputs`,
/// with and without fuel metering; `form` is the superinstruction the fused
/// function must contain (`count` times) and the twin must not. Memory 0,
/// when there is one, is compared after every call. Returns the outcomes of
/// the fused function (metering off), for checks against a model.
fn same_as_twin(wat: &str, form: &str, count: usize, inputs: &[Vec<Val>]) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for fuel in [false, true] {
        let mut config = Config::new();
        config.consume_fuel(fuel);
        let engine = Engine::new(&config);
        let (module, mut store, inst) = common::instantiate(&engine, wat);
        let fused_text = disassembly(&module, 0..1);
        let twin_text = disassembly(&module, 1..2);
        let pattern = format!("{form} {{");
        assert_eq!(
            fused_text.matches(&pattern).count(),
            count,
            "fused:\n{fused_text}"
        );
        assert!(!twin_text.contains(&pattern), "twin:\n{twin_text}");
        let fused = inst.get_func(&store, "fused").unwrap();
        let twin = inst.get_func(&store, "twin").unwrap();
        let memory = inst.get_memory(&store, "m");
        let snapshot = |store: &Store<()>| {
            memory.map(|m| {
                let mut bytes = vec![0u8; 65536];
                m.read(store, 0, &mut bytes).unwrap();
                bytes
            })
        };
        for args in inputs {
            if fuel {
                store.set_fuel(1_000_000).unwrap();
            }
            let initial = snapshot(&store);
            let before = store.fuel_consumed();
            let got = run(&mut store, fused, args);
            let fused_fuel = store.fuel_consumed() - before;
            let fused_memory = snapshot(&store);
            if let (Some(m), Some(initial)) = (memory, &initial) {
                m.write(&mut store, 0, initial).unwrap();
            }
            let before = store.fuel_consumed();
            let want = run(&mut store, twin, args);
            let twin_fuel = store.fuel_consumed() - before;
            assert_eq!(got, want, "args {args:?}, fuel {fuel}");
            assert_eq!(fused_memory, snapshot(&store), "args {args:?}");
            if fuel {
                assert_eq!(fused_fuel, twin_fuel, "args {args:?}");
                assert!(fused_fuel > 0);
                if let Outcome::Values(want) = &got {
                    for slice in 1..=9 {
                        if let (Some(m), Some(initial)) = (memory, &initial) {
                            m.write(&mut store, 0, initial).unwrap();
                        }
                        store.set_fuel(1_000_000).unwrap();
                        let (values, _) = run_sliced(&mut store, fused, args, slice);
                        store.set_fuel_slice(None).unwrap();
                        assert_eq!(&values, want, "args {args:?}, slice {slice}");
                    }
                }
            } else {
                outcomes.push(got);
            }
        }
    }
    outcomes
}

fn i32s(outcomes: &[Outcome]) -> Vec<u32> {
    outcomes
        .iter()
        .map(|o| match o {
            Outcome::Values(v) => match v[..] {
                [Val::I32(x)] => x as u32,
                ref other => panic!("{other:?}"),
            },
            Outcome::Trap(t) => panic!("trap {t:?}"),
        })
        .collect()
}

fn args3(list: &[(u32, u32, u32)]) -> Vec<Vec<Val>> {
    list.iter()
        .map(|&(a, b, c)| vec![Val::I32(a as i32), Val::I32(b as i32), Val::I32(c as i32)])
        .collect()
}

const SAMPLES: [(u32, u32, u32); 6] = [
    (0, 0, 0),
    (1, 2, 3),
    (0xffff_ffff, 1, 31),
    (0x8000_0000, 0x7fff_ffff, 5),
    (0x1234_5678, 0x9abc_def0, 33),
    (12345, 0xffff_0001, 0xffff_fff0),
];

/// A module of two functions `(param a b c) (result i32)` with locals
/// `x y w`, whose bodies are `fused` and `twin`, each ending with
/// `x ^ (y * 3) ^ (w * 7)` on the stack.
fn arith_module(fused: &str, twin: &str) -> String {
    let tail = "(i32.xor (local.get $x) (i32.xor (i32.mul (local.get $y) (i32.const 3)) \
                (i32.mul (local.get $w) (i32.const 7))))";
    let f = |name: &str, body: &str| {
        format!(
            "(func (export \"{name}\") (param $a i32) (param $b i32) (param $c i32) (result i32)
               (local $x i32) (local $y i32) (local $w i32) {body} {tail})"
        )
    };
    format!("(module {} {})", f("fused", fused), f("twin", twin))
}

/// The statement the twins move between the two halves of a pair: no
/// superinstruction starts or ends with a variable rotation.
const ROTL: &str = "(local.set $w (i32.rotl (local.get $a) (local.get $c)))";

fn model(x: u32, y: u32, w: u32) -> u32 {
    x ^ y.wrapping_mul(3) ^ w.wrapping_mul(7)
}

/// Checks the pair `first; second` (two `local.set`s of `x` then `y`)
/// against its twin, which moves [`ROTL`] between them, and the result
/// against [`model`] with `x, y` from `expect(a, b, c)`.
fn check_pair(first: &str, second: &str, form: &str, expect: impl Fn(u32, u32, u32) -> (u32, u32)) {
    let wat = arith_module(
        &format!("{first} {second} {ROTL}"),
        &format!("{first} {ROTL} {second}"),
    );
    let got = i32s(&same_as_twin(&wat, form, 1, &args3(&SAMPLES)));
    for (&(a, b, c), got) in SAMPLES.iter().zip(got) {
        let (x, y) = expect(a, b, c);
        assert_eq!(got, model(x, y, a.rotate_left(c)), "{form} on {a} {b} {c}");
    }
}

#[test]
fn two_additions_in_a_row() {
    check_pair(
        "(local.set $x (i32.add (local.get $a) (local.get $b)))",
        "(local.set $y (i32.add (local.get $x) (local.get $c)))",
        "I32Add2",
        |a, b, c| {
            let x = a.wrapping_add(b);
            (x, x.wrapping_add(c))
        },
    );
}

#[test]
fn multiply_then_add_of_the_product_in_either_order() {
    let mul = "(local.set $x (i32.mul (local.get $a) (local.get $b)))";
    // The product as the addition's second operand, then its first.
    for add in [
        "(local.set $y (i32.add (local.get $c) (local.get $x)))",
        "(local.set $y (i32.add (local.get $x) (local.get $c)))",
    ] {
        check_pair(mul, add, "I32MulAdd", |a, b, c| {
            let x = a.wrapping_mul(b);
            (x, x.wrapping_add(c))
        });
    }
    // The product added to itself: both operands of the addition.
    let add = "(local.set $y (i32.add (local.get $x) (local.get $x)))";
    check_pair(mul, add, "I32MulAdd", |a, b, _| {
        let x = a.wrapping_mul(b);
        (x, x.wrapping_add(x))
    });
}

#[test]
fn add_then_add_of_a_constant() {
    check_pair(
        "(local.set $x (i32.add (local.get $a) (local.get $b)))",
        "(local.set $y (i32.add (local.get $x) (i32.const -7)))",
        "I32AddAddImm",
        |a, b, _| {
            let x = a.wrapping_add(b);
            (x, x.wrapping_sub(7))
        },
    );
}

#[test]
fn add_of_a_constant_then_mask() {
    check_pair(
        "(local.set $x (i32.add (local.get $a) (i32.const -58)))",
        "(local.set $y (i32.and (local.get $x) (i32.const 0xff00)))",
        "I32AddImmAndImm",
        |a, _, _| {
            let x = a.wrapping_sub(58);
            (x, x & 0xff00)
        },
    );
}

#[test]
fn xor_then_mask() {
    check_pair(
        "(local.set $x (i32.xor (local.get $a) (local.get $b)))",
        "(local.set $y (i32.and (local.get $x) (i32.const 0xffff)))",
        "I32XorAndImm",
        |a, b, _| {
            let x = a ^ b;
            (x, x & 0xffff)
        },
    );
}

/// A counted loop whose counter is stepped by a constant and compared with
/// a constant at its back edge; the twin steps it at the top.
#[test]
fn a_counter_stepped_and_compared_with_constants() {
    let f = |name: &str, body: &str| {
        format!(
            "(func (export \"{name}\") (param $a i32) (param $b i32) (param $c i32) (result i32)
               (local $i i32)
               (loop $l {body})
               (i32.xor (local.get $a) (i32.mul (local.get $i) (i32.const 1000))))"
        )
    };
    let step = "(local.set $i (i32.add (local.get $i) (i32.const 3)))";
    let work = "(local.set $a (i32.rotl (local.get $a) (local.get $b)))";
    let test = "(br_if $l (i32.ne (local.get $i) (i32.const 300)))";
    let wat = format!(
        "(module {} {})",
        f("fused", &format!("{work} {step} {test}")),
        f("twin", &format!("{step} {work} {test}"))
    );
    let got = i32s(&same_as_twin(
        &wat,
        "I32AddImmBrI32NeImm",
        1,
        &args3(&SAMPLES),
    ));
    for (&(a, b, _), got) in SAMPLES.iter().zip(got) {
        let mut x = a;
        for _ in 0..100 {
            x = x.rotate_left(b);
        }
        assert_eq!(got, x ^ 300_000);
    }
}

/// A loop that ends by moving a value between locals and branching on
/// another (`CopyBrIfNez`), or leaves through a test for zero
/// (`CopyBrIfEqz`); the twins move the copy up.
#[test]
fn a_copy_then_a_conditional_branch() {
    let f = |name: &str, body: &str| {
        format!(
            "(func (export \"{name}\") (param $a i32) (param $b i32) (param $n i32) (result i32)
               (local $t i32)
               (block $done (loop $l {body}))
               (i32.add (local.get $a) (i32.mul (local.get $b) (i32.const 31))))"
        )
    };
    let save = "(local.set $t (local.get $a))";
    let add = "(local.set $a (i32.add (local.get $a) (local.get $b)))";
    let count = "(local.set $n (i32.sub (local.get $n) (i32.const 1)))";
    let moved = "(local.set $b (local.get $t))";
    for (test, form) in [
        ("(br_if $l (local.get $n))", "CopyBrIfNez"),
        (
            "(br_if $done (i32.eqz (local.get $n))) (br $l)",
            "CopyBrIfEqz",
        ),
    ] {
        let wat = format!(
            "(module {} {})",
            f("fused", &format!("{save} {add} {count} {moved} {test}")),
            f("twin", &format!("{save} {add} {moved} {count} {test}"))
        );
        let inputs = args3(&[(0, 1, 1), (1, 1, 10), (5, 3, 40), (7, 0xffff_fff0, 3)]);
        let got = i32s(&same_as_twin(&wat, form, 1, &inputs));
        for (args, got) in inputs.iter().zip(got) {
            let [Val::I32(a), Val::I32(b), Val::I32(n)] = args[..] else {
                unreachable!()
            };
            let (mut a, mut b) = (a as u32, b as u32);
            for _ in 0..n {
                (a, b) = (a.wrapping_add(b), a);
            }
            assert_eq!(got, a.wrapping_add(b.wrapping_mul(31)), "{form} {args:?}");
        }
    }
}

/// A linked-list walk whose back edge branches on the loaded next pointer
/// (`I32LoadBrIfNez`); a pointer out of bounds traps at the load.
#[test]
fn a_load_then_a_branch_on_the_loaded_value() {
    // Nodes (value, next) at 16 -> 32 -> 48 -> 0, and one at 64 pointing
    // to 65532, whose next pointer (at 65536) is out of bounds.
    let data = r#"(data (i32.const 16) "\05\00\00\00\20\00\00\00")
        (data (i32.const 32) "\07\00\00\00\30\00\00\00")
        (data (i32.const 48) "\0b\00\00\00\00\00\00\00")
        (data (i32.const 64) "\0d\00\00\00\fc\ff\00\00")"#;
    let f = |name: &str, body: &str| {
        format!(
            "(func (export \"{name}\") (param $p i32) (result i32) (local $s i32) (local $v i32)
               (loop $l {body})
               (local.get $s))"
        )
    };
    let value = "(local.set $v (i32.load (local.get $p)))";
    let sum = "(local.set $s (i32.add (i32.mul (local.get $s) (i32.const 3)) (local.get $v)))";
    let next = "(local.tee $p (i32.load offset=4 (local.get $p)))";
    let wat = format!(
        r#"(module (memory (export "m") 1) {data} {} {})"#,
        f("fused", &format!("{value} {sum} {next} (br_if $l)")),
        f("twin", &format!("{value} {next} {sum} (br_if $l)"))
    );
    let inputs: Vec<Vec<Val>> = [16, 32, 48, 64, 65532]
        .iter()
        .map(|&p| vec![Val::I32(p)])
        .collect();
    let got = same_as_twin(&wat, "I32LoadBrIfNez", 1, &inputs);
    let sums = |list: &[u32]| list.iter().fold(0u32, |s, v| s * 3 + v) as i32;
    assert_eq!(got[0], Outcome::Values(vec![Val::I32(sums(&[5, 7, 11]))]));
    assert_eq!(got[1], Outcome::Values(vec![Val::I32(sums(&[7, 11]))]));
    assert_eq!(got[2], Outcome::Values(vec![Val::I32(11)]));
    // 64 -> 65532, whose next pointer traps in the fused load.
    assert_eq!(got[3], Outcome::Trap(TrapKind::MemoryOutOfBounds));
    assert_eq!(got[4], Outcome::Trap(TrapKind::MemoryOutOfBounds));
}

/// A load followed by a store (`I32LoadStore`), and a load followed by the
/// addition of a constant (`I32LoadAddImm`): results, memory, and a load or
/// a store out of bounds trapping with what came before it done.
#[test]
fn a_load_then_a_store_or_an_addition() {
    let f = |name: &str, body: &str| {
        format!(
            "(func (export \"{name}\") (param $a i32) (param $b i32) (param $c i32) (result i32)
               (local $x i32) (local $y i32) (local $w i32)
               (i32.store offset=12 (local.get $b) (local.get $c))
               {body}
               (i32.xor (local.get $x) (i32.xor (local.get $y) (local.get $w))))"
        )
    };
    let load = "(local.set $x (i32.load offset=8 (local.get $a)))";
    let store = "(i32.store offset=4 (local.get $b) (local.get $x))";
    let wat = format!(
        r#"(module (memory (export "m") 1) (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
           {} {})"#,
        f("fused", &format!("{load} {store} {ROTL}")),
        f("twin", &format!("{load} {ROTL} {store}"))
    );
    // In bounds (a load of bytes 8..12 or of the word stored at b + 12),
    // a load out of bounds, a store out of bounds.
    let inputs = args3(&[(0, 100, 7), (100, 96, 9), (65530, 200, 1), (0, 65530, 3)]);
    let got = same_as_twin(&wat, "I32LoadStore", 1, &inputs);
    assert_eq!(got[0], Outcome::Values(vec![Val::I32(0x0c0b_0a09)]));
    // x = the 9 stored at 96 + 12 = 108 (a + 8).
    assert_eq!(
        got[1],
        Outcome::Values(vec![Val::I32(9 ^ 100i32.rotate_left(9))])
    );
    assert_eq!(got[2], Outcome::Trap(TrapKind::MemoryOutOfBounds));
    // The first store (b + 12) is already out of bounds for b = 65530.
    assert_eq!(got[3], Outcome::Trap(TrapKind::MemoryOutOfBounds));

    // The fused store at b + 65000: in bounds for b = 530, not for 540
    // (the load's result then stays unobserved: the call traps).
    let wat_store = wat
        .replace("offset=12", "offset=0")
        .replace("offset=4", "offset=65000");
    let got = same_as_twin(
        &wat_store,
        "I32LoadStore",
        1,
        &args3(&[(0, 530, 7), (0, 540, 7)]),
    );
    assert_eq!(got[0], Outcome::Values(vec![Val::I32(0x0c0b_0a09)]));
    assert_eq!(got[1], Outcome::Trap(TrapKind::MemoryOutOfBounds));

    let add = "(local.set $y (i32.add (local.get $x) (i32.const -3)))";
    let wat = format!(
        r#"(module (memory (export "m") 1) (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
           {} {})"#,
        f("fused", &format!("{load} {add} {ROTL}")),
        f("twin", &format!("{load} {ROTL} {add}"))
    );
    let inputs = args3(&[(0, 100, 7), (4, 100, 2), (65530, 200, 1)]);
    let got = same_as_twin(&wat, "I32LoadAddImm", 1, &inputs);
    let x = 0x0c0b_0a09u32;
    assert_eq!(
        got[0],
        Outcome::Values(vec![Val::I32((x ^ x.wrapping_sub(3)) as i32)])
    );
    let x = 0x100f_0e0du32;
    assert_eq!(
        got[1],
        Outcome::Values(vec![Val::I32(
            (x ^ x.wrapping_sub(3) ^ 4u32.rotate_left(2)) as i32
        )])
    );
    assert_eq!(got[2], Outcome::Trap(TrapKind::MemoryOutOfBounds));
}

/// `select` with its first operand in a local or a constant, and its result
/// going to a local, runs in three-address form (`SelectTo`, `SelectImm`)
/// without copies, including when the destination is also an operand;
/// constants that do not fit 32 bits keep the two-address form.
#[test]
fn selects_in_three_address_form() {
    let wat = r#"(module
        (func (export "to_local") (param $a i32) (param $b i32) (param $c i32) (result i32)
          (local $x i32)
          (local.set $x (select (local.get $a) (local.get $b) (local.get $c)))
          (i32.add (local.get $x) (i32.mul (local.get $a) (i32.const 3))))
        (func (export "into_rhs") (param $a i32) (param $b i32) (param $c i32) (result i32)
          (local.set $b (select (local.get $a) (local.get $b) (local.get $c)))
          (i32.add (local.get $b) (i32.mul (local.get $a) (i32.const 3))))
        (func (export "into_cond") (param $a i32) (param $b i32) (param $c i32) (result i32)
          (local.set $c (select (local.get $a) (local.get $b) (local.get $c)))
          (i32.add (local.get $c) (i32.mul (local.get $b) (i32.const 3))))
        (func (export "imm") (param $a i32) (param $b i32) (param $c i32) (result i32)
          (local.set $a (select (i32.const 0x7fff_fff0) (local.get $a) (local.get $c)))
          (i32.add (local.get $a) (local.get $b)))
        (func (export "imm64") (param $a i64) (param $c i32) (result i64)
          (select (i64.const 0xffff_ffff) (local.get $a) (local.get $c)))
        (func (export "wide64") (param $a i64) (param $c i32) (result i64)
          (select (i64.const -2) (local.get $a) (local.get $c)))
        (func (export "stack") (param $a i64) (param $b i64) (param $c i32) (result i64)
          (select (i64.add (local.get $a) (local.get $b)) (local.get $b) (local.get $c))))"#;
    let (module, mut store, inst) = common::instantiate(&Engine::default(), wat);
    let text = disassembly(&module, 0..7);
    assert_eq!(text.matches("SelectTo {").count(), 4, "{text}");
    assert_eq!(text.matches("SelectImm {").count(), 2, "{text}");
    assert_eq!(text.matches("Select {").count(), 1, "{text}");
    // The results go straight to the locals: no copy is left.
    assert!(!disassembly(&module, 0..4).contains("Copy"), "{text}");
    let mut f3 = |name: &str, a: i32, b: i32, c: i32| {
        common::call::<(i32, i32, i32), i32>(&inst, &mut store, name, (a, b, c)).unwrap()
    };
    for (a, b) in [(5, 9), (-1, 0x7fff_ffff), (0, 0)] {
        for c in [0, 1, -1, 2] {
            let pick = if c != 0 { a } else { b };
            let m = |x: i32, y: i32| x.wrapping_add(y.wrapping_mul(3));
            assert_eq!(f3("to_local", a, b, c), m(pick, a));
            assert_eq!(f3("into_rhs", a, b, c), m(pick, a));
            assert_eq!(f3("into_cond", a, b, c), m(pick, b));
            let imm = if c != 0 { 0x7fff_fff0 } else { a };
            assert_eq!(f3("imm", a, b, c), imm.wrapping_add(b));
        }
    }
    for a in [0i64, -5, 1 << 40] {
        for c in [0, 3] {
            let got: i64 = common::call(&inst, &mut store, "imm64", (a, c)).unwrap();
            assert_eq!(got, if c != 0 { 0xffff_ffff } else { a });
            let got: i64 = common::call(&inst, &mut store, "wide64", (a, c)).unwrap();
            assert_eq!(got, if c != 0 { -2 } else { a });
            let got: i64 = common::call(&inst, &mut store, "stack", (a, 7i64, c)).unwrap();
            assert_eq!(got, if c != 0 { a + 7 } else { 7 });
        }
    }
}

/// `i32.eqz` whose result an `i32.add` takes as either operand
/// (`I32EqzAdd`: sieve's branch-free count of unmarked entries).
#[test]
fn eqz_then_add_of_its_result_in_either_order() {
    let eqz = "(local.set $x (i32.eqz (local.get $a)))";
    for add in [
        "(local.set $y (i32.add (local.get $b) (local.get $x)))",
        "(local.set $y (i32.add (local.get $x) (local.get $b)))",
    ] {
        check_pair(eqz, add, "I32EqzAdd", |a, b, _| {
            let x = (a == 0) as u32;
            (x, b.wrapping_add(x))
        });
    }
    // The result added to itself.
    let add = "(local.set $y (i32.add (local.get $x) (local.get $x)))";
    check_pair(eqz, add, "I32EqzAdd", |a, _, _| {
        let x = (a == 0) as u32;
        (x, x + x)
    });
}

/// Two `i64.add`s in a row (`I64Add2`), the second reading the first's
/// result, with carries across bit 32.
#[test]
fn two_i64_additions_in_a_row() {
    let f = |name: &str, body: &str| {
        format!(
            "(func (export \"{name}\") (param $a i32) (param $b i32) (param $c i32) (result i32)
               (local $p i64) (local $q i64) (local $x i64) (local $y i64) (local $w i32)
               (local.set $p (i64.or (i64.shl (i64.extend_i32_u (local.get $a)) (i64.const 32))
                                     (i64.extend_i32_u (local.get $b))))
               (local.set $q (i64.mul (i64.extend_i32_u (local.get $c)) (i64.const 0x1_0000_0003)))
               {body}
               (i32.xor (i32.wrap_i64 (i64.xor (local.get $x) (i64.shr_u (local.get $y) (i64.const 29))))
                        (i32.mul (local.get $w) (i32.const 7))))"
        )
    };
    let first = "(local.set $x (i64.add (local.get $p) (local.get $q)))";
    let second = "(local.set $y (i64.add (local.get $x) (local.get $p)))";
    let wat = format!(
        "(module {} {})",
        f("fused", &format!("{first} {second} {ROTL}")),
        f("twin", &format!("{first} {ROTL} {second}"))
    );
    let got = i32s(&same_as_twin(&wat, "I64Add2", 1, &args3(&SAMPLES)));
    for (&(a, b, c), got) in SAMPLES.iter().zip(got) {
        let p = ((a as u64) << 32) | b as u64;
        let q = (c as u64).wrapping_mul(0x1_0000_0003);
        let x = p.wrapping_add(q);
        let y = x.wrapping_add(p);
        let want = ((x ^ (y >> 29)) as u32) ^ a.rotate_left(c).wrapping_mul(7);
        assert_eq!(got, want, "{a} {b} {c}");
    }
}

/// A module of two functions `(param a b c) (result i32)` with memory "m"
/// (bytes 0..16 are 1..=16, byte 3 is 0), locals `x y w`, whose bodies
/// are `fused` and `twin`, each ending with `x ^ y ^ w`.
fn memory_module(fused: &str, twin: &str) -> String {
    let f = |name: &str, body: &str| {
        format!(
            "(func (export \"{name}\") (param $a i32) (param $b i32) (param $c i32) (result i32)
               (local $x i32) (local $y i32) (local $w i32)
               {body}
               (i32.xor (local.get $x) (i32.xor (local.get $y) (local.get $w))))"
        )
    };
    format!(
        r#"(module (memory (export "m") 1)
             (data (i32.const 0) "\01\02\03\00\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
             (data (i32.const 65532) "\10\00\00\00")
             {} {})"#,
        f("fused", fused),
        f("twin", twin)
    )
}

/// `i32.load8_u` whose byte selects between 0 and a value
/// (`I32Load8USelectZero`, sieve's count), and a load out of bounds.
#[test]
fn a_byte_load_then_a_select_of_zero_on_it() {
    let load = "(local.set $x (i32.load8_u offset=1 (local.get $a)))";
    let select = "(local.set $y (select (i32.const 0) (local.get $b) (local.get $x)))";
    let wat = memory_module(
        &format!("{load} {select} {ROTL}"),
        &format!("{load} {ROTL} {select}"),
    );
    // Bytes 2 (3), 3 (0), 65535 (0) and 65536 (out of bounds).
    let inputs = args3(&[(1, 77, 3), (2, 77, 5), (65534, 9, 1), (65535, 9, 1)]);
    let got = same_as_twin(&wat, "I32Load8USelectZero", 1, &inputs);
    assert_eq!(
        got[0],
        Outcome::Values(vec![Val::I32(3 ^ 1u32.rotate_left(3) as i32)])
    );
    assert_eq!(
        got[1],
        Outcome::Values(vec![Val::I32(77 ^ 2u32.rotate_left(5) as i32)])
    );
    assert_eq!(
        got[2],
        Outcome::Values(vec![Val::I32(9 ^ 65534u32.rotate_left(1) as i32)])
    );
    assert_eq!(got[3], Outcome::Trap(TrapKind::MemoryOutOfBounds));
}

/// A pointer loaded and a byte loaded through it (`I32LoadLoad8U`,
/// CoreMark's list walks); the first or the second load out of bounds.
#[test]
fn a_pointer_load_then_a_byte_load_through_it() {
    let first = "(local.set $x (i32.load offset=4 (local.get $a)))";
    let second = "(local.set $y (i32.load8_u offset=2 (local.get $x)))";
    let wat = memory_module(
        &format!("{first} {second} {ROTL}"),
        &format!("{first} {ROTL} {second}"),
    );
    // Word at 4 = 0x08070605: byte 0x08070607 is out of bounds (the
    // second load traps); at 65528 + 4 = 16, byte 18 is 0; at 65530 the
    // first load is out of bounds.
    let inputs = args3(&[(0, 0, 0), (65528, 1, 2), (65530, 0, 0)]);
    let got = same_as_twin(&wat, "I32LoadLoad8U", 1, &inputs);
    assert_eq!(got[0], Outcome::Trap(TrapKind::MemoryOutOfBounds));
    assert_eq!(
        got[1],
        Outcome::Values(vec![Val::I32(16 ^ 65528u32.rotate_left(2) as i32)])
    );
    assert_eq!(got[2], Outcome::Trap(TrapKind::MemoryOutOfBounds));
    // Through a pointer in bounds: word at 12 = 0x100f0e0d -> (write 5 there).
    let wat2 = wat.replace(
        r#"(data (i32.const 65532) "\10\00\00\00")"#,
        r#"(data (i32.const 65532) "\10\00\00\00") (data (i32.const 32) "\00\00\00\00\06\00\00\00")"#,
    );
    let got = same_as_twin(&wat2, "I32LoadLoad8U", 1, &args3(&[(32, 0, 4)]));
    // x = 6, y = byte 8 = 9.
    assert_eq!(
        got[0],
        Outcome::Values(vec![Val::I32(6 ^ 9 ^ 32u32.rotate_left(4) as i32)])
    );
}

/// A copy followed by a branch on a comparison with a constant
/// (`CopyBrI32NeImm`, CoreMark's state machine), in a counted loop.
#[test]
fn a_copy_then_a_compare_with_a_constant_and_branch() {
    let f = |name: &str, tail: &str| {
        format!(
            "(func (export \"{name}\") (param $a i32) (param $b i32) (param $c i32) (result i32)
               (local $i i32) (local $prev i32) (local $s i32) (local $w i32)
               (loop $l
                 (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 3)) (local.get $a)))
                 (local.set $i (i32.add (local.get $i) (local.get $b)))
                 {tail})
               (i32.xor (local.get $s)
                 (i32.xor (i32.shl (local.get $prev) (i32.const 1)) (local.get $w))))"
        )
    };
    let copy = "(local.set $prev (local.get $s))";
    let rotl = "(local.set $w (i32.rotl (local.get $a) (local.get $i)))";
    let test = "(br_if $l (i32.ne (local.get $i) (i32.const -12)))";
    let wat = format!(
        "(module {} {})",
        f("fused", &format!("{rotl} {copy} {test}")),
        f("twin", &format!("{copy} {rotl} {test}"))
    );
    // i steps by b to -12: b = -1, -3, -4, -12 (12, 4, 3, 1 iterations).
    let inputs = args3(&[
        (5, -1i32 as u32, 0),
        (7, -3i32 as u32, 0),
        (1, -4i32 as u32, 0),
        (9, -12i32 as u32, 0),
    ]);
    let got = i32s(&same_as_twin(&wat, "CopyBrI32NeImm", 1, &inputs));
    for ((a, step), got) in [(5u32, 1u32), (7, 3), (1, 4), (9, 12)].into_iter().zip(got) {
        // 12 / step iterations; the copy sees the final sum; the rotation
        // is by the final i, -12 (20 mod 32).
        let s = (0..12 / step).fold(0u32, |s, _| s.wrapping_mul(3).wrapping_add(a));
        assert_eq!(got, s ^ (s << 1) ^ a.rotate_left(20), "{a} {step}");
    }
}

/// A loop that is exactly sieve's marking triple (`I32Store8ImmIdxAddBrI32LeU`)
/// iterates inside its handler, paying the loop header's fuel per
/// iteration: against a twin that stores a local (no triple), the same
/// results, stores, traps (a store out of bounds mid-loop), fuel, fuel
/// slices, and out-of-fuel points for every small budget.
#[test]
fn a_loop_of_the_marking_triple_alone_pays_and_stops_like_its_twin() {
    let f = |name: &str, value: &str| {
        format!(
            "(func (export \"{name}\") (param $base i32) (param $j i32) (param $step i32)
               (param $lim i32) (result i32) (local $one i32)
               (local.set $one (i32.const 1))
               (loop $l
                 (i32.store8 (i32.add (local.get $base) (local.get $j)) {value})
                 (br_if $l (i32.le_u (local.tee $j (i32.add (local.get $j) (local.get $step)))
                                     (local.get $lim))))
               (local.get $j))"
        )
    };
    let wat = format!(
        r#"(module (memory (export "m") 1) {} {})"#,
        f("fused", "(i32.const 1)"),
        f("twin", "(local.get $one)")
    );
    let args = |list: &[(i32, i32, i32, i32)]| -> Vec<Vec<Val>> {
        list.iter()
            .map(|&(a, b, c, d)| vec![Val::I32(a), Val::I32(b), Val::I32(c), Val::I32(d)])
            .collect()
    };
    // Runs of 11, 1 and 4 iterations (the last wrapping the address), and
    // one whose third store is out of bounds.
    let inputs = args(&[
        (100, 0, 3, 30),
        (200, 7, 5, 3),
        (-16, 16, 8, 40),
        (65530, 0, 4, 100),
    ]);
    let got = same_as_twin(&wat, "I32Store8ImmIdxAddBrI32LeU", 1, &inputs);
    assert_eq!(got[0], Outcome::Values(vec![Val::I32(33)]));
    assert_eq!(got[1], Outcome::Values(vec![Val::I32(12)]));
    assert_eq!(got[2], Outcome::Values(vec![Val::I32(48)]));
    assert_eq!(got[3], Outcome::Trap(TrapKind::MemoryOutOfBounds));

    // Every total budget up to past the run's need: the same outcome
    // (results or "out of fuel"), fuel consumed and stores.
    let mut config = Config::new();
    config.consume_fuel(true);
    let (module, mut store, inst) = common::instantiate(&Engine::new(&config), &wat);
    // The loop is the triple alone: its back edge targets the loop
    // header's `ConsumeFuel`, just before it.
    let text = disassembly(&module, 0..1);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let at = lines
        .iter()
        .position(|l| l.contains("I32Store8ImmIdxAddBrI32LeU {"))
        .unwrap();
    let pc = |line: &str| line.split(':').next().unwrap().to_string();
    assert!(lines[at - 1].contains("ConsumeFuel"), "{text}");
    assert!(
        lines[at].ends_with(&format!("target: {} }}", pc(lines[at - 1]))),
        "{text}"
    );
    let memory = inst.get_memory(&store, "m").unwrap();
    let outcome = |store: &mut Store<()>, name: &str, budget: u64| {
        memory.write(&mut *store, 0, &[0u8; 256]).unwrap();
        store.set_fuel(budget).unwrap();
        let before = store.fuel_consumed();
        let f = inst.get_func(&*store, name).unwrap();
        let got = run(
            store,
            f,
            &[Val::I32(100), Val::I32(0), Val::I32(3), Val::I32(30)],
        );
        let mut bytes = [0u8; 256];
        memory.read(&*store, 0, &mut bytes).unwrap();
        (got, store.fuel_consumed() - before, bytes)
    };
    let mut finished = false;
    for budget in 1..400 {
        let fused = outcome(&mut store, "fused", budget);
        let twin = outcome(&mut store, "twin", budget);
        assert_eq!(fused, twin, "budget {budget}");
        finished |= matches!(fused.0, Outcome::Values(_));
    }
    assert!(finished, "no budget was enough");
}

/// An `i32.xor` with a constant, then a shift right of its result by a
/// constant (`I32XorImmShrUImm`, CoreMark's CRC); shift amounts of 32 and
/// more are taken mod 32.
#[test]
fn xor_with_a_constant_then_shift() {
    for (shift, k) in [("7", 7), ("33", 1)] {
        check_pair(
            "(local.set $x (i32.xor (local.get $a) (i32.const -24575)))",
            &format!("(local.set $y (i32.shr_u (local.get $x) (i32.const {shift})))"),
            "I32XorImmShrUImm",
            |a, _, _| {
                let x = a ^ 0xffff_a001;
                (x, x >> k)
            },
        );
    }
}

/// A 16-bit load, then a mask of a value by a 16-bit constant
/// (`I32Load16UAndImm`, CoreMark's matrix and state code), of the loaded
/// value or of another; and a load out of bounds.
#[test]
fn a_16_bit_load_then_a_mask() {
    let load = "(local.set $x (i32.load16_u offset=2 (local.get $a)))";
    for (and, of_loaded) in [
        (
            "(local.set $y (i32.and (local.get $x) (i32.const 0x8181)))",
            true,
        ),
        (
            "(local.set $y (i32.and (local.get $b) (i32.const 0xff00)))",
            false,
        ),
    ] {
        let wat = memory_module(
            &format!("{load} {and} {ROTL}"),
            &format!("{load} {ROTL} {and}"),
        );
        let inputs = args3(&[(4, 0x1234_5678, 3), (65532, 1, 1), (65533, 1, 1)]);
        let got = i32s(&same_as_twin(&wat, "I32Load16UAndImm", 1, &inputs[..2]));
        for (&(a, b, c), got) in [(4u32, 0x1234_5678u32, 3u32), (65532, 1, 1)]
            .iter()
            .zip(got)
        {
            // Bytes 6, 7 are 7, 8; bytes 65534, 65535 are 0 (65533 + 2
            // reaches past the end: the last input traps).
            let x = if a == 4 { 0x0807 } else { 0 };
            let y = if of_loaded { x & 0x8181 } else { b & 0xff00 };
            assert_eq!(got, x ^ y ^ a.rotate_left(c), "{a}");
        }
        let got = same_as_twin(&wat, "I32Load16UAndImm", 1, &inputs[2..]);
        assert_eq!(got[0], Outcome::Trap(TrapKind::MemoryOutOfBounds));
    }
}

/// A constant set, then a copy (`Const64Copy`, CoreMark's state machine),
/// also of the constant just set.
#[test]
fn a_constant_then_a_copy() {
    let set = "(local.set $x (i32.const 12345))";
    check_pair(
        set,
        "(local.set $y (local.get $a))",
        "Const64Copy",
        |a, _, _| (12345, a),
    );
    check_pair(
        set,
        "(local.set $y (local.get $x))",
        "Const64Copy",
        |_, _, _| (12345, 12345),
    );
}

/// The address of an element of a register file indexed by a byte of the
/// bytecode, `base + 32 + (byte << 3)` (`I32AddImmLoad8UShlAdd`, bcvm's
/// `&r[i->a]`), the base wrapping, and the byte load out of bounds. The
/// twin shifts by `$y`, set to 3 in both (no `I32ShlImm`, same fuel).
#[test]
fn a_byte_indexed_element_address() {
    let addr = |shift: &str| {
        format!(
            "(local.set $y (i32.const 3))
             (local.set $x (i32.add (i32.add (local.get $b) (i32.const 32))
               (i32.shl (i32.load8_u offset=1 (local.get $a)) {shift})))"
        )
    };
    let wat = memory_module(
        &format!("{} {ROTL}", addr("(i32.const 3)")),
        &format!("{} {ROTL}", addr("(local.get $y)")),
    );
    // Byte 1 is 2, byte 65535 is 0; 65535 + 1 and 2^32 - 1 + 1 are out of bounds.
    let inputs = args3(&[
        (0, 5, 1),
        (0, 0xffff_ffe0, 2),
        (65534, 7, 3),
        (65535, 7, 3),
        (0xffff_ffff, 7, 3),
    ]);
    let got = same_as_twin(&wat, "I32AddImmLoad8UShlAdd", 1, &inputs);
    let rotl = |a: u32, c: u32| a.rotate_left(c) as i32;
    assert_eq!(
        got[0],
        Outcome::Values(vec![Val::I32((5 + 32 + 16) ^ 3 ^ rotl(0, 1))])
    );
    assert_eq!(got[1], Outcome::Values(vec![Val::I32(16 ^ 3 ^ rotl(0, 2))]));
    assert_eq!(
        got[2],
        Outcome::Values(vec![Val::I32(39 ^ 3 ^ rotl(65534, 3))])
    );
    assert_eq!(got[3], Outcome::Trap(TrapKind::MemoryOutOfBounds));
    assert_eq!(got[4], Outcome::Trap(TrapKind::MemoryOutOfBounds));
}

/// The same address from a 4-byte load (`I32AddImmLoadShlAdd`, bcvm's
/// jump `code + i->imm`), its shift wrapping, and the load out of bounds.
#[test]
fn a_word_indexed_element_address() {
    let addr = |shift: &str| {
        format!(
            "(local.set $y (i32.const 3))
             (local.set $x (i32.add (i32.add (local.get $b) (i32.const 32))
               (i32.shl (i32.load offset=1 (local.get $a)) {shift})))"
        )
    };
    let wat = memory_module(
        &format!("{} {ROTL}", addr("(i32.const 3)")),
        &format!("{} {ROTL}", addr("(local.get $y)")),
    );
    // Bytes 1..5 are 02 03 00 05; the word at 65532 is 16.
    let inputs = args3(&[(0, 5, 1), (65531, 7, 2), (65532, 7, 3)]);
    let got = same_as_twin(&wat, "I32AddImmLoadShlAdd", 1, &inputs);
    let rotl = |a: u32, c: u32| a.rotate_left(c) as i32;
    let x = 37u32.wrapping_add(0x0500_0302u32 << 3);
    assert_eq!(
        got[0],
        Outcome::Values(vec![Val::I32((x ^ 3) as i32 ^ rotl(0, 1))])
    );
    assert_eq!(
        got[1],
        Outcome::Values(vec![Val::I32((39 + 128) ^ 3 ^ rotl(65531, 2))])
    );
    assert_eq!(got[2], Outcome::Trap(TrapKind::MemoryOutOfBounds));
}

/// An 8-byte element of a register file read through a byte of the
/// bytecode, `mem[base + 32 + byte * 8]` as i64 and as f64
/// (`I32AddImmLoad8ULoadIdx8`, bcvm's `r[i->b]`), and each of the two
/// loads out of bounds. The twin shifts by `$y`, as above.
#[test]
fn a_byte_indexed_element_load() {
    for (load, result) in [
        ("i64.load", "(i32.wrap_i64 (local.get $v))"),
        (
            "f64.load",
            "(i32.wrap_i64 (i64.reinterpret_f64 (local.get $v)))",
        ),
    ] {
        let ty = &load[..3];
        let body = |shift: &str| {
            format!(
                "(local.set $y (i32.const 3))
                 (local.set $v ({load} (i32.add (i32.add (local.get $b) (i32.const 32))
                   (i32.shl (i32.load8_u offset=1 (local.get $a)) {shift}))))
                 (local.set $x {result}) {ROTL}"
            )
        };
        let wat = memory_module(&body("(i32.const 3)"), &body("(local.get $y)"))
            .replace("(local $w i32)", &format!("(local $w i32) (local $v {ty})"));
        // Byte 1 is 2, byte 3 is 0; the word at 65532 is 16.
        let inputs = args3(&[
            (0, 0xffff_ffe0, 1), // mem[16]: bytes 16.. are zero
            (2, 65496, 2),       // mem[65528]: 16 << 32 | 0
            (0, 65496, 3),       // mem[65544]: the second load traps
            (65535, 0, 4),       // the byte load traps
            (0, 0xffff_ffd0, 5), // base + 16 wraps to 0: bytes 1 2 3 0
        ]);
        let got = same_as_twin(&wat, "I32AddImmLoad8ULoadIdx8", 1, &inputs);
        let rotl = |a: u32, c: u32| a.rotate_left(c) as i32;
        assert_eq!(
            got[0],
            Outcome::Values(vec![Val::I32(3 ^ rotl(0, 1))]),
            "{load}"
        );
        assert_eq!(
            got[1],
            Outcome::Values(vec![Val::I32(3 ^ rotl(2, 2))]),
            "{load}"
        );
        assert_eq!(got[2], Outcome::Trap(TrapKind::MemoryOutOfBounds), "{load}");
        assert_eq!(got[3], Outcome::Trap(TrapKind::MemoryOutOfBounds), "{load}");
        assert_eq!(
            got[4],
            Outcome::Values(vec![Val::I32(0x0003_0201 ^ 3 ^ rotl(0, 5))]),
            "{load}"
        );
    }
}

/// Pairs whose second part may or may not read the first's result: each
/// form with the result as the second part's left operand, as its right
/// one, as both, and not at all.
#[test]
fn pairs_reading_the_first_result_in_any_position() {
    type Model = fn(u32, u32, u32) -> (u32, u32);
    let cases: [(&str, &str, &str, Model); 14] = [
        (
            "(i32.add (local.get $a) (local.get $b))",
            "(i32.add (local.get $x) (local.get $c))",
            "I32Add2",
            |a, b, c| {
                let x = a.wrapping_add(b);
                (x, x.wrapping_add(c))
            },
        ),
        (
            "(i32.add (local.get $a) (local.get $b))",
            "(i32.add (local.get $c) (local.get $x))",
            "I32Add2",
            |a, b, c| {
                let x = a.wrapping_add(b);
                (x, c.wrapping_add(x))
            },
        ),
        (
            "(i32.add (local.get $a) (local.get $b))",
            "(i32.add (local.get $x) (local.get $x))",
            "I32Add2",
            |a, b, _| {
                let x = a.wrapping_add(b);
                (x, x.wrapping_add(x))
            },
        ),
        (
            "(i32.add (local.get $a) (local.get $b))",
            "(i32.add (local.get $c) (local.get $b))",
            "I32Add2",
            |a, b, c| (a.wrapping_add(b), c.wrapping_add(b)),
        ),
        (
            "(i32.rotl (local.get $a) (i32.const 7))",
            "(i32.xor (local.get $x) (local.get $b))",
            "I32RotlImmXor",
            |a, b, _| {
                let x = a.rotate_left(7);
                (x, x ^ b)
            },
        ),
        (
            "(i32.rotl (local.get $a) (i32.const 7))",
            "(i32.xor (local.get $b) (local.get $x))",
            "I32RotlImmXor",
            |a, b, _| {
                let x = a.rotate_left(7);
                (x, b ^ x)
            },
        ),
        (
            "(i32.rotl (local.get $a) (i32.const 7))",
            "(i32.xor (local.get $x) (local.get $x))",
            "I32RotlImmXor",
            |a, _, _| (a.rotate_left(7), 0),
        ),
        (
            "(i32.rotl (local.get $a) (i32.const 7))",
            "(i32.xor (local.get $b) (local.get $c))",
            "I32RotlImmXor",
            |a, b, c| (a.rotate_left(7), b ^ c),
        ),
        (
            "(i32.add (local.get $a) (i32.const 100))",
            "(i32.add (local.get $x) (i32.const -3))",
            "I32AddImm2",
            |a, _, _| {
                let x = a.wrapping_add(100);
                (x, x.wrapping_sub(3))
            },
        ),
        (
            "(i32.add (local.get $a) (i32.const 100))",
            "(i32.add (local.get $b) (i32.const -3))",
            "I32AddImm2",
            |a, b, _| (a.wrapping_add(100), b.wrapping_sub(3)),
        ),
        (
            "(i32.add (local.get $a) (local.get $b))",
            "(i32.add (local.get $c) (i32.const 9))",
            "I32AddAddImm",
            |a, b, c| (a.wrapping_add(b), c.wrapping_add(9)),
        ),
        (
            "(i32.xor (local.get $a) (i32.const 0x1234))",
            "(i32.shr_u (local.get $x) (i32.const 3))",
            "I32XorImmShrUImm",
            |a, _, _| {
                let x = a ^ 0x1234;
                (x, x >> 3)
            },
        ),
        (
            "(i32.xor (local.get $a) (i32.const 0x1234))",
            "(i32.shr_u (local.get $b) (i32.const 3))",
            "I32XorImmShrUImm",
            |a, b, _| (a ^ 0x1234, b >> 3),
        ),
        (
            "(i32.add (local.get $a) (i32.const 5))",
            "(i32.and (local.get $b) (i32.const 0xff0))",
            "I32AddImmAndImm",
            |a, b, _| (a.wrapping_add(5), b & 0xff0),
        ),
    ];
    for (first, second, form, expect) in cases {
        check_pair(
            &format!("(local.set $x {first})"),
            &format!("(local.set $y {second})"),
            form,
            expect,
        );
    }
}

/// A copy then an addition of a constant to the copy or to another slot
/// (`CopyI32AddImm`), and to the copy's own slot.
#[test]
fn a_copy_then_an_addition_to_it_or_to_another() {
    for (second, copy_read) in [
        (
            "(local.set $y (i32.add (local.get $x) (i32.const 8)))",
            true,
        ),
        (
            "(local.set $y (i32.add (local.get $b) (i32.const 8)))",
            false,
        ),
        (
            "(local.set $x (i32.add (local.get $x) (i32.const 8)))",
            true,
        ),
    ] {
        let overwrite = second.starts_with("(local.set $x");
        check_pair(
            "(local.set $x (local.get $a))",
            second,
            "CopyI32AddImm",
            |a, b, _| {
                let v = if copy_read { a } else { b }.wrapping_add(8);
                if overwrite { (v, 0) } else { (a, v) }
            },
        );
    }
}

/// matmul's `c[j] += a * b[j]` as one instruction, with the element read
/// at `b + offset` (`F64MulLoadAddStore`) or at a wrapping `b + 8`
/// (`F64LoadWrapMulAddStore`); each access out of bounds in turn. The
/// twin reads and writes `c` through a second local holding the same
/// address, which the fusion rules do not take for the same slot.
#[test]
fn a_multiply_accumulate_into_memory() {
    for (element, form) in [
        ("(f64.load offset=8 (local.get $b))", "F64MulLoadAddStore"),
        (
            "(f64.load (i32.add (local.get $b) (i32.const 8)))",
            "F64LoadWrapMulAddStore",
        ),
    ] {
        let f = |name: &str, at: &str| {
            format!(
                "(func (export \"{name}\") (param $a i32) (param $b i32) (param $c i32) (result i32)
                   (local $k f64) (local $c2 i32)
                   (local.set $k (f64.convert_i32_s (local.get $a)))
                   (local.set $c2 (local.get $c))
                   (f64.store (local.get $c)
                     (f64.add (f64.mul (local.get $k) {element}) (f64.load (local.get {at}))))
                   (i32.wrap_i64 (i64.shr_u (i64.load (local.get $c)) (i64.const 32))))"
            )
        };
        // f64 1.5 at 8, 2.0 at 16, 3.0 at 24, 4.0 at 65528.
        let wat = format!(
            r#"(module (memory (export "m") 1)
                 (data (i32.const 8) "\00\00\00\00\00\00\f8\3f\00\00\00\00\00\00\00\40\00\00\00\00\00\00\08\40")
                 (data (i32.const 65528) "\00\00\00\00\00\00\10\40")
                 {} {})"#,
            f("fused", "$c"),
            f("twin", "$c2")
        );
        let inputs = args3(&[
            (3, 0, 16),            // 2.0 + 3 * 1.5 = 6.5 at 16
            (-2i32 as u32, 8, 24), // 3.0 - 2 * 6.5 (stored at 16 above) = -10.0 at 24
            (1, 65520, 65528),     // 4.0 + 1 * 4.0 = 8.0 at 65528
            (1, 65524, 16),        // the element load is out of bounds
            (1, 0, 65530),         // the accumulator load is out of bounds
            (1, 0xffff_fff8, 16),  // b + 8 wraps to 0 (0.0): in bounds only wrapped; 6.5 at 16
        ]);
        let got = same_as_twin(&wat, form, 1, &inputs);
        let high = |v: f64| Outcome::Values(vec![Val::I32((v.to_bits() >> 32) as i32)]);
        assert_eq!(got[0], high(6.5), "{form}");
        assert_eq!(got[1], high(-10.0), "{form}");
        assert_eq!(got[2], high(8.0), "{form}");
        assert_eq!(got[3], Outcome::Trap(TrapKind::MemoryOutOfBounds), "{form}");
        assert_eq!(got[4], Outcome::Trap(TrapKind::MemoryOutOfBounds), "{form}");
        if form == "F64LoadWrapMulAddStore" {
            assert_eq!(got[5], high(6.5), "{form}");
        } else {
            assert_eq!(got[5], Outcome::Trap(TrapKind::MemoryOutOfBounds), "{form}");
        }
    }
}
