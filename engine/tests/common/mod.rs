//! Helpers shared by the engine's integration tests.
#![allow(dead_code)]

use wasiproc_engine::*;

/// Compiles `wat` for `engine` and instantiates it without imports; the
/// instantiation's result is returned as is (a start function may trap).
pub fn load(engine: &Engine, wat: &str) -> (Module, Store<()>, Result<Instance, Error>) {
    let module = Module::new(engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine).instantiate(&mut store, &module);
    (module, store, instance)
}

/// [`load`], expecting the instantiation to succeed.
pub fn instantiate(engine: &Engine, wat: &str) -> (Module, Store<()>, Instance) {
    let (module, store, instance) = load(engine, wat);
    (module, store, instance.unwrap())
}

/// [`instantiate`] on an engine that meters fuel when `fuel` is set, with
/// 1,000,000 fuel in the store then.
pub fn instantiate_fuel(fuel: bool, wat: &str) -> (Module, Store<()>, Instance) {
    let mut config = Config::new();
    config.consume_fuel(fuel);
    let (module, mut store, instance) = instantiate(&Engine::new(&config), wat);
    if fuel {
        store.set_fuel(1_000_000).unwrap();
    }
    (module, store, instance)
}

/// wide-arithmetic: exports `add`, `sub` (`i64.add128`/`i64.sub128` of
/// two (low, high) pairs), `mul_s` and `mul_u` (`i64.mul_wide_s/u`).
pub const WIDE_ARITH_FUNCS: &str = r#"
      (func (export "add") (param i64 i64 i64 i64) (result i64 i64)
        (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (func (export "sub") (param i64 i64 i64 i64) (result i64 i64)
        (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (func (export "mul_s") (param i64 i64) (result i64 i64)
        (i64.mul_wide_s (local.get 0) (local.get 1)))
      (func (export "mul_u") (param i64 i64) (result i64 i64)
        (i64.mul_wide_u (local.get 0) (local.get 1)))"#;

/// The kind of a trap.
pub fn trap_kind(e: Error) -> TrapKind {
    e.as_trap().expect("a trap").kind()
}

/// The disassembly of the defined functions `funcs` of `module`, one after
/// the other.
pub fn disassembly(module: &Module, funcs: std::ops::Range<u32>) -> String {
    funcs.map(|i| module.disassemble(i).unwrap()).collect()
}

/// Calls export `name` of `inst` with `params`.
pub fn call<P: WasmParams, R: WasmResults>(
    inst: &Instance,
    store: &mut Store<()>,
    name: &str,
    params: P,
) -> Result<R, Error> {
    let f = inst.get_typed_func::<P, R>(&*store, name).unwrap();
    f.call(store, params)
}

/// Runs `f(args)` resumably with a fuel slice of `slice`, resuming until it
/// finishes; returns its results and the number of slices.
pub fn run_sliced<T>(store: &mut Store<T>, f: Func, args: &[Val], slice: u64) -> (Vec<Val>, u64) {
    store.set_fuel_slice(Some(slice)).unwrap();
    let mut outcome = f.call_resumable(&mut *store, args).unwrap();
    let mut slices = 0;
    loop {
        match outcome {
            CallOutcome::Finished(v) => return (v, slices),
            CallOutcome::Suspended(Suspension::OutOfSlice) => {
                slices += 1;
                outcome = store.resume().unwrap();
            }
            CallOutcome::Suspended(other) => panic!("unexpected suspension {other:?}"),
        }
    }
}
