//! A memory block the engine's pool hands out again is all zero, whatever
//! wrote the memory that held it before: a guest's stores (plain, fused,
//! SIMD, bulk), its data segments, a store after `memory.grow`, a store to a
//! second memory, or the host. A memory nobody accessed goes back to the
//! pool without being looked at (`store/linear.rs`), so every way of
//! writing must mark the memory as touched; each case here writes one way
//! only. Every case checks that the second store really got the first
//! one's block (the same address), so the check cannot pass on a fresh
//! block.

use wasiproc_engine::*;

/// A pool large enough for a few blocks.
const POOL: usize = 16 << 20;

/// One writer: the module, and what runs after instantiation (the guest's
/// export `w` if named, else the host's write through `host`).
struct Case {
    name: &'static str,
    wat: &'static str,
    call: Option<&'static str>,
    host: Option<fn(&Memory, &mut Store<()>)>,
}

const CASES: &[Case] = &[
    Case {
        name: "i32.store",
        wat: r#"(module (memory (export "memory") 1)
          (func (export "w") (i32.store (i32.const 100) (i32.const -1))))"#,
        call: Some("w"),
        host: None,
    },
    Case {
        name: "i64.store8 at the last byte",
        wat: r#"(module (memory (export "memory") 1)
          (func (export "w") (i64.store8 (i32.const 65535) (i64.const 7))))"#,
        call: Some("w"),
        host: None,
    },
    Case {
        name: "a store in a loop (fused forms)",
        wat: r#"(module (memory (export "memory") 1)
          (func (export "w") (local $i i32)
            (loop $l
              (f64.store (i32.shl (local.get $i) (i32.const 3))
                (f64.add (f64.load (i32.shl (local.get $i) (i32.const 3))) (f64.const 1.5)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))))"#,
        call: Some("w"),
        host: None,
    },
    Case {
        name: "memory.fill",
        wat: r#"(module (memory (export "memory") 1)
          (func (export "w") (memory.fill (i32.const 1000) (i32.const 9) (i32.const 300))))"#,
        call: Some("w"),
        host: None,
    },
    Case {
        name: "memory.copy",
        wat: r#"(module (memory (export "memory") 1) (data (i32.const 0) "x")
          (func (export "w") (memory.copy (i32.const 5000) (i32.const 0) (i32.const 1))))"#,
        call: Some("w"),
        host: None,
    },
    Case {
        name: "memory.init",
        wat: r#"(module (memory (export "memory") 1) (data $d "abc")
          (func (export "w") (memory.init $d (i32.const 7000) (i32.const 0) (i32.const 3))))"#,
        call: Some("w"),
        host: None,
    },
    Case {
        name: "an active data segment",
        wat: r#"(module (memory (export "memory") 1) (data (i32.const 40000) "data"))"#,
        call: None,
        host: None,
    },
    Case {
        name: "v128.store",
        wat: r#"(module (memory (export "memory") 1)
          (func (export "w") (v128.store (i32.const 64) (v128.const i32x4 1 2 3 4))))"#,
        call: Some("w"),
        host: None,
    },
    Case {
        name: "a store after memory.grow",
        wat: r#"(module (memory (export "memory") 1)
          (func (export "w")
            (drop (memory.grow (i32.const 1)))
            (i32.store (i32.const 70000) (i32.const 5))))"#,
        call: Some("w"),
        host: None,
    },
    Case {
        name: "a store to a second memory",
        wat: r#"(module (memory 1) (memory (export "memory") 1)
          (func (export "w") (i32.store 1 (i32.const 12) (i32.const 3))))"#,
        call: Some("w"),
        host: None,
    },
    Case {
        name: "Memory::write",
        wat: r#"(module (memory (export "memory") 1))"#,
        call: None,
        host: Some(|m, s| m.write(&mut *s, 30000, b"host").unwrap()),
    },
    Case {
        name: "Memory::data_mut",
        wat: r#"(module (memory (export "memory") 1))"#,
        call: None,
        host: Some(|m, s| m.data_mut(s)[65535] = 1),
    },
];

/// A module that only has a memory of `pages` pages, to take a block.
fn reader(pages: u32) -> String {
    format!(r#"(module (memory (export "memory") {pages}))"#)
}

#[test]
fn a_pooled_block_is_zero_whatever_wrote_it() {
    for fuel in [false, true] {
        let mut config = Config::new();
        config.consume_fuel(fuel).memory_pool(POOL);
        let engine = Engine::new(&config);
        for case in CASES {
            let (written_at, pages) = {
                let module = Module::new(&engine, wat::parse_str(case.wat).unwrap()).unwrap();
                let mut store = Store::new(&engine, ());
                if fuel {
                    store.set_fuel(1_000_000).unwrap();
                }
                let inst = Linker::new(&engine)
                    .instantiate(&mut store, &module)
                    .unwrap();
                if let Some(name) = case.call {
                    let f = inst.get_typed_func::<(), ()>(&store, name).unwrap();
                    f.call(&mut store, ()).unwrap();
                }
                let memory = inst.get_memory(&store, "memory").unwrap();
                if let Some(write) = case.host {
                    write(&memory, &mut store);
                }
                let data = memory.data(&store);
                assert!(
                    data.iter().any(|&b| b != 0),
                    "{}: the writer wrote nothing",
                    case.name
                );
                (data.as_ptr(), memory.size(&store))
            };
            // The writer's store is dropped: its memories went to the pool.
            let module = Module::new(&engine, wat::parse_str(reader(pages)).unwrap()).unwrap();
            let mut store = Store::new(&engine, ());
            let inst = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            let data = inst.get_memory(&store, "memory").unwrap().data(&store);
            assert_eq!(
                data.as_ptr(),
                written_at,
                "{} (fuel {fuel}): the reader got another block",
                case.name
            );
            assert!(
                data.iter().all(|&b| b == 0),
                "{} (fuel {fuel}): a written byte came back from the pool",
                case.name
            );
        }
    }
}

/// A guest that only reads its memory, then one that never accesses it:
/// both give their block back for reuse, and it is zero.
#[test]
fn blocks_of_memories_read_or_never_accessed_come_back_zero() {
    let mut config = Config::new();
    config.memory_pool(POOL);
    let engine = Engine::new(&config);
    let wat = r#"(module (memory (export "memory") 1)
      (func (export "r") (result i32) (i32.load (i32.const 8)))
      (func (export "nothing")))"#;
    for export in ["r", "nothing"] {
        let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = inst.get_func(&store, export).unwrap();
        let mut out = vec![Val::I32(0); f.ty(&store).results().len()];
        f.call(&mut store, &[], &mut out).unwrap();
        let at = inst
            .get_memory(&store, "memory")
            .unwrap()
            .data(&store)
            .as_ptr();
        drop(store);
        let mut store = Store::new(&engine, ());
        let inst = Linker::new(&engine)
            .instantiate(
                &mut store,
                &Module::new(&engine, wat::parse_str(reader(1)).unwrap()).unwrap(),
            )
            .unwrap();
        let data = inst.get_memory(&store, "memory").unwrap().data(&store);
        assert_eq!(data.as_ptr(), at, "{export}: the block was not reused");
        assert!(data.iter().all(|&b| b == 0), "{export}");
    }
}

/// `Store::reset` empties a store as a new one would be: its memory goes
/// to the pool, fuel and limits are a new store's, and the same module
/// instantiated again starts from its initial state.
#[test]
fn a_reset_store_is_as_new() {
    let mut config = Config::new();
    config.consume_fuel(true).memory_pool(POOL);
    let engine = Engine::new(&config);
    let wat = r#"(module (memory (export "memory") 1)
      (global $g (mut i32) (i32.const 5))
      (func (export "w") (result i32)
        (i32.store (i32.const 8) (i32.const 77))
        (global.set $g (i32.add (global.get $g) (i32.const 1)))
        (global.get $g)))"#;
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, 7u32);
    store.set_fuel(10_000).unwrap();
    for round in 0..3 {
        let inst = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let w = inst.get_typed_func::<(), i32>(&store, "w").unwrap();
        assert_eq!(w.call(&mut store, ()).unwrap(), 6, "round {round}");
        assert_eq!(store.memory_bytes(), 65536);
        assert!(store.fuel_consumed() > 0);
        let pooled = engine.pooled_memory_bytes();
        store.reset();
        let stale = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = w.call(&mut store, ());
        }));
        assert!(
            stale.is_err(),
            "a handle of before is foreign to the reset store"
        );
        assert!(
            engine.pooled_memory_bytes() > pooled,
            "the memory went to the pool"
        );
        assert_eq!(store.memory_bytes(), 0);
        assert_eq!(store.fuel_consumed(), 0);
        let new = Store::new(&engine, 0u32);
        assert_eq!(
            store.get_fuel().unwrap(),
            new.get_fuel().unwrap(),
            "a new store's fuel"
        );
        assert_eq!(*store.data(), 7, "the data is kept");
        store.set_fuel(10_000).unwrap();
    }
}
