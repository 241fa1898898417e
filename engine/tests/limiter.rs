//! The store's resource limiter: asked before every memory, table and stack
//! growth (instantiation included), in bytes; a refusal is an error at
//! instantiation, -1 from `memory.grow`/`table.grow`, and a "memory limit
//! exceeded" trap for a stack.

mod common;

use std::sync::{Arc, Mutex};
use wasiproc_engine::*;

/// What the limiter saw, and its budget.
#[derive(Debug, Default)]
struct Seen {
    asks: Vec<(Resource, usize, usize, Option<usize>)>,
    failed: usize,
    released: usize,
    /// Bytes counted.
    used: usize,
}

/// Counts every byte it allows against `budget`.
struct Budget {
    budget: usize,
    seen: Arc<Mutex<Seen>>,
}

impl Budget {
    fn ask(&mut self, r: Resource, current: usize, desired: usize, max: Option<usize>) -> bool {
        let mut s = self.seen.lock().unwrap();
        s.asks.push((r, current, desired, max));
        let more = desired - current;
        if s.used + more > self.budget {
            return false;
        }
        s.used += more;
        true
    }
}

impl ResourceLimiter for Budget {
    fn memory_growing(&mut self, current: usize, desired: usize, max: Option<usize>) -> bool {
        self.ask(Resource::Memory, current, desired, max)
    }
    fn table_growing(&mut self, current: usize, desired: usize, max: Option<usize>) -> bool {
        self.ask(Resource::Table, current, desired, max)
    }
    fn stack_growing(&mut self, current: usize, desired: usize) -> bool {
        self.ask(Resource::Stack, current, desired, None)
    }
    fn growth_failed(&mut self, _r: Resource, current: usize, desired: usize) {
        let mut s = self.seen.lock().unwrap();
        s.failed += 1;
        s.used -= desired - current;
    }
    fn released(&mut self, _r: Resource, bytes: usize) {
        let mut s = self.seen.lock().unwrap();
        s.released += bytes;
        s.used -= bytes;
    }
}

fn limited(wat: &str, budget: usize) -> (Store<()>, Result<Instance, Error>, Arc<Mutex<Seen>>) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let seen = Arc::new(Mutex::new(Seen::default()));
    store.set_limiter(Budget {
        budget,
        seen: seen.clone(),
    });
    let instance = Linker::new(&engine).instantiate(&mut store, &module);
    (store, instance, seen)
}

#[test]
fn instantiation_asks_for_the_memory_and_every_table_in_bytes() {
    let wat = r#"(module (memory 2 5) (table 10 funcref) (table 3 7 externref)
        (table 0 funcref))"#;
    let (_store, inst, seen) = limited(wat, 1 << 20);
    inst.unwrap();
    let s = seen.lock().unwrap();
    assert_eq!(
        s.asks,
        [
            (Resource::Table, 0, 80, None),
            (Resource::Table, 0, 24, Some(56)),
            (Resource::Table, 0, 0, None),
            (Resource::Memory, 0, 2 * PAGE_SIZE, Some(5 * PAGE_SIZE)),
        ]
    );
    assert_eq!(s.used, 2 * PAGE_SIZE + 104);
}

#[test]
fn a_refused_table_or_memory_fails_instantiation_naming_the_limit() {
    let tables = "(table 10000000 funcref)".repeat(10);
    let (_store, inst, seen) = limited(&format!("(module {tables})"), 64 * 1024);
    let err = inst.unwrap_err();
    assert!(matches!(err, Error::Limit(_)), "{err}");
    assert!(err.to_string().contains("memory limit"), "{err}");
    assert_eq!(
        seen.lock().unwrap().asks.len(),
        1,
        "stops at the first table"
    );
    assert_eq!(seen.lock().unwrap().used, 0);

    let (_store, inst, _) = limited("(module (memory 2))", PAGE_SIZE);
    let err = inst.unwrap_err();
    assert!(err.to_string().contains("memory limit"), "{err}");
}

#[test]
fn memory_grow_and_table_grow_ask_and_see_minus_one_when_refused() {
    let wat = r#"(module (memory 1) (table 0 funcref)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "tgrow") (param i32) (result i32)
          (table.grow 0 (ref.null func) (local.get 0))))"#;
    let (mut store, inst, seen) = limited(wat, 4 * PAGE_SIZE);
    let inst = inst.unwrap();
    let grow = inst.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let tgrow = inst.get_typed_func::<i32, i32>(&store, "tgrow").unwrap();
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
    assert!(seen.lock().unwrap().asks.contains(&(
        Resource::Memory,
        PAGE_SIZE,
        3 * PAGE_SIZE,
        None
    )));
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "over the budget");
    assert_eq!(tgrow.call(&mut store, 100).unwrap(), 0);
    assert!(
        seen.lock()
            .unwrap()
            .asks
            .contains(&(Resource::Table, 0, 800, None))
    );
    assert_eq!(tgrow.call(&mut store, 1 << 20).unwrap(), -1);
    // With trapping growth, a refusal traps instead.
    store.set_limits(StoreLimits {
        trap_on_grow_failure: true,
        ..StoreLimits::default()
    });
    let err = grow.call(&mut store, 1).unwrap_err();
    assert_eq!(common::trap_kind(err), TrapKind::MemoryLimit);
}

const RECURSE: &str = r#"(module
  (func $down (export "down") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (i64.const 1) (call $down (i64.sub (local.get 0) (i64.const 1))))))))"#;

#[test]
fn stack_growth_is_counted_and_a_refusal_traps_with_memory_limit() {
    let (mut store, inst, seen) = limited(RECURSE, 256 * 1024);
    let down = inst
        .unwrap()
        .get_typed_func::<i64, i64>(&store, "down")
        .unwrap();
    assert_eq!(down.call(&mut store, 100).unwrap(), 100);
    let counted = seen.lock().unwrap().used;
    assert!(counted > 0);
    assert_eq!(counted, store.stack_bytes(), "every stack byte is counted");
    let err = down.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(common::trap_kind(err), TrapKind::MemoryLimit);
    let s = seen.lock().unwrap();
    assert!(s.used <= 256 * 1024);
    assert_eq!(s.used, store.stack_bytes());
    assert!(
        s.asks.iter().all(|a| a.0 == Resource::Stack),
        "{:?}",
        s.asks
    );
    drop(s);
    // The store stays usable.
    assert_eq!(down.call(&mut store, 1000).unwrap(), 1000);
}

#[test]
fn a_host_function_calling_back_in_gives_back_the_stack_it_frees() {
    let wat = r#"(module
      (import "host" "again" (func $again (param i64) (result i64)))
      (func $down (export "down") (param i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0))
          (then (i64.const 0))
          (else (i64.add (i64.const 1) (call $down (i64.sub (local.get 0) (i64.const 1)))))))
      (func (export "outer") (param i64) (result i64) (call $again (local.get 0))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let seen = Arc::new(Mutex::new(Seen::default()));
    store.set_limiter(Budget {
        budget: 64 << 20,
        seen: seen.clone(),
    });
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "again",
            |mut c: Caller<'_, ()>, n: i64| -> Result<i64, HostError> {
                let down = c
                    .get_export("down")
                    .and_then(Extern::into_func)
                    .expect("down");
                let mut out = [Val::I64(0)];
                down.call(&mut c, &[Val::I64(n)], &mut out)
                    .map_err(|_| HostError::trap("inner call failed"))?;
                Ok(out[0].i64().unwrap_or(0))
            },
        )
        .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let outer = inst.get_typed_func::<i64, i64>(&store, "outer").unwrap();
    for _ in 0..20 {
        assert_eq!(outer.call(&mut store, 5000).unwrap(), 5000);
    }
    let s = seen.lock().unwrap();
    assert!(s.released > 0, "a second state was freed and given back");
    assert_eq!(
        s.used,
        store.stack_bytes(),
        "the count matches what is held"
    );
}
