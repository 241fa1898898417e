//! The single-process driver: instantiate a module with WASI, call its
//! `_start` (or an exported function), and carry the call through
//! suspensions — fuel slices are simply resumed; "blocked" reports
//! ([`BlockedOn`]) are waited out through the [`crate::HostEnv`] and then
//! resumed, which calls the blocked host function again.
//!
//! The pieces ([`drive`], [`parse_args`]) are public so that the process
//! layer can reuse them with its own scheduling.

use crate::blocked::{BlockedOn, Yielded};
use crate::ctx::WasiCtx;
use crate::linker::add_to_linker;
use wasiproc_engine::{
    CallOutcome, Config, Engine, Error, Func, Linker, Module, Resource, ResourceLimiter, Store,
    StoreLimits, Suspension, Trap, Val, ValType,
};

/// `max_memory` of one store: its memories, tables and stacks count
/// against one budget (the store's [`ResourceLimiter`]).
struct MemoryBudget {
    max: usize,
    used: usize,
}

impl MemoryBudget {
    fn take(&mut self, current: usize, desired: usize) -> bool {
        let more = desired.saturating_sub(current);
        match self.used.checked_add(more) {
            Some(u) if u <= self.max => {
                self.used = u;
                true
            }
            _ => false,
        }
    }
}

impl ResourceLimiter for MemoryBudget {
    fn memory_growing(&mut self, current: usize, desired: usize, _max: Option<usize>) -> bool {
        self.take(current, desired)
    }
    fn table_growing(&mut self, current: usize, desired: usize, _max: Option<usize>) -> bool {
        self.take(current, desired)
    }
    fn stack_growing(&mut self, current: usize, desired: usize) -> bool {
        self.take(current, desired)
    }
    fn memory_reservation(&mut self) -> Option<usize> {
        Some(self.max)
    }
    fn growth_failed(&mut self, _r: Resource, current: usize, desired: usize) {
        self.used = self.used.saturating_sub(desired.saturating_sub(current));
    }
    fn released(&mut self, _r: Resource, bytes: usize) {
        self.used = self.used.saturating_sub(bytes);
    }
}

/// What to run and under which limits.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Total fuel budget; `None` runs unmetered.
    pub fuel: Option<u64>,
    /// Most bytes the store may hold: its memories, tables and stacks in all.
    pub max_memory: Option<usize>,
    /// Call this export instead of `_start`.
    pub invoke: Option<String>,
    /// Arguments for [`RunOptions::invoke`], parsed by the parameter types.
    pub invoke_args: Vec<String>,
    /// Replace NaN results with the canonical NaN (used by [`run`], which
    /// builds the engine).
    pub canonicalize_nans: bool,
}

/// How a run ended without an error.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// The guest exited with this code (`proc_exit`, or 0 when `_start`
    /// returned).
    Exited(i32),
    /// The invoked function returned these values.
    Returned(Vec<Val>),
}

/// Why a run failed.
#[derive(Debug)]
pub enum RunError {
    /// The module is invalid, could not be linked, or the call was wrong.
    Engine(Error),
    /// The guest trapped.
    Trap(Trap),
    /// A "blocked" report could not be waited out.
    Wait(String),
    /// A usage problem: missing export, bad argument for `--invoke`.
    Usage(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Engine(e) => write!(f, "{e}"),
            RunError::Trap(t) => write!(f, "wasm trap: {t}"),
            RunError::Wait(m) | RunError::Usage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RunError {}

impl From<Error> for RunError {
    fn from(e: Error) -> Self {
        match e {
            Error::Trap(t) => RunError::Trap(t),
            e => RunError::Engine(e),
        }
    }
}

/// Drives a call to completion: resumes after fuel slices, and after each
/// "blocked" report calls `on_blocked` (which waits for the condition) and
/// resumes. An exit is returned as `Err(RunError::Engine(Error::Exit(code)))`
/// untouched, so callers decide what an exit means.
pub fn drive<T>(
    store: &mut Store<T>,
    first: Result<CallOutcome, Error>,
    mut on_blocked: impl FnMut(&mut Store<T>, &BlockedOn) -> Result<(), String>,
) -> Result<Vec<Val>, RunError> {
    let mut outcome = first?;
    loop {
        match outcome {
            CallOutcome::Finished(vals) => return Ok(vals),
            CallOutcome::Suspended(Suspension::OutOfSlice) => outcome = store.resume()?,
            CallOutcome::Suspended(Suspension::Blocked(why)) => {
                if why.is::<Yielded>() {
                    // sched_yield: nothing else to run; it succeeds at once.
                    outcome = store.resume_with(&[Val::I32(0)])?;
                    continue;
                }
                let on = match why.downcast::<BlockedOn>() {
                    Ok(on) => on,
                    Err(_) => {
                        store.cancel_suspended();
                        return Err(RunError::Wait(
                            "a host function blocked for a reason this driver does not know".into(),
                        ));
                    }
                };
                if *on == BlockedOn::Yield {
                    // sched_yield: nothing else to run; it succeeds at once.
                    outcome = store.resume_with(&[Val::I32(0)])?;
                    continue;
                }
                if let Err(e) = on_blocked(store, &on) {
                    store.cancel_suspended();
                    return Err(RunError::Wait(e));
                }
                outcome = store.resume()?;
            }
        }
    }
}

/// Parses command-line strings as arguments of the given types (integers
/// in decimal, or hex with `0x`; floats as Rust parses them).
pub fn parse_args(types: &[ValType], args: &[String]) -> Result<Vec<Val>, String> {
    if types.len() != args.len() {
        return Err(format!(
            "the function takes {} arguments, {} given",
            types.len(),
            args.len()
        ));
    }
    fn int(s: &str) -> Option<i128> {
        let (neg, digits) = match s.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, s),
        };
        let v = match digits.strip_prefix("0x") {
            Some(h) => i128::from_str_radix(h, 16).ok()?,
            None => digits.parse::<i128>().ok()?,
        };
        Some(if neg { -v } else { v })
    }
    types
        .iter()
        .zip(args)
        .map(|(t, s)| {
            let bad = || format!("cannot parse {s:?} as {t}");
            Ok(match t {
                ValType::I32 => {
                    let v = int(s).ok_or_else(bad)?;
                    if v < i32::MIN as i128 || v > u32::MAX as i128 {
                        return Err(bad());
                    }
                    Val::I32(v as i32)
                }
                ValType::I64 => {
                    let v = int(s).ok_or_else(bad)?;
                    if v < i64::MIN as i128 || v > u64::MAX as i128 {
                        return Err(bad());
                    }
                    Val::I64(v as i64)
                }
                ValType::F32 => Val::from_f32(s.parse().map_err(|_| bad())?),
                ValType::F64 => Val::from_f64(s.parse().map_err(|_| bad())?),
                _ => return Err(format!("cannot pass a {t} from the command line")),
            })
        })
        .collect()
}

/// Formats a result value the way `--invoke` prints it.
pub fn format_val(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(_) => format!("{}", v.f32().unwrap_or_default()),
        Val::F64(_) => format!("{}", v.f64().unwrap_or_default()),
        Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) | Val::NullAnyRef => {
            "null".into()
        }
        Val::FuncRef(Some(_)) => "<funcref>".into(),
        Val::ExternRef(Some(_)) => "<externref>".into(),
        Val::V128(x) => format!("0x{x:032x}"),
        Val::ExnRef(Some(_)) => "<exnref>".into(),
    }
}

/// Compiles and runs `wasm` with the WASI context `ctx` in one store,
/// waiting out blocked calls through the context's host environment.
pub fn run(wasm: &[u8], ctx: WasiCtx, opts: &RunOptions) -> Result<RunOutcome, RunError> {
    let mut config = Config::new();
    config
        .consume_fuel(opts.fuel.is_some())
        .canonicalize_nans(opts.canonicalize_nans);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wasm)?;
    run_module(&engine, &module, ctx, opts)
}

/// Runs a compiled module (see [`run`]).
pub fn run_module(
    engine: &Engine,
    module: &Module,
    ctx: WasiCtx,
    opts: &RunOptions,
) -> Result<RunOutcome, RunError> {
    let mut store = Store::new(engine, ctx);
    if let Some(fuel) = opts.fuel {
        store.set_fuel(fuel)?;
    }
    if let Some(max) = opts.max_memory {
        store.set_limits(StoreLimits {
            memory_bytes: max,
            ..StoreLimits::default()
        });
        store.set_limiter(MemoryBudget { max, used: 0 });
    }
    let mut linker = Linker::new(engine);
    add_to_linker(&mut linker, |c: &mut WasiCtx| c)?;
    let instance = match linker.instantiate(&mut store, module) {
        Ok(i) => i,
        Err(Error::Exit(code)) => return Ok(RunOutcome::Exited(code)),
        Err(e) => return Err(e.into()),
    };
    let wait = |store: &mut Store<WasiCtx>, on: &BlockedOn| store.data_mut().host.wait(on);
    let call = |store: &mut Store<WasiCtx>, f: Func, args: &[Val]| {
        let first = f.call_resumable(&mut *store, args);
        drive(store, first, wait)
    };
    let exited = |r: Result<Vec<Val>, RunError>| match r {
        Err(RunError::Engine(Error::Exit(code))) => Ok(Err(code)),
        Err(e) => Err(e),
        Ok(v) => Ok(Ok(v)),
    };
    match &opts.invoke {
        Some(name) => {
            if let Some(init) = instance.get_func(&store, "_initialize")
                && let Err(code) = exited(call(&mut store, init, &[]))?
            {
                return Ok(RunOutcome::Exited(code));
            }
            let f = instance.get_func(&store, name).ok_or_else(|| {
                RunError::Usage(format!("the module exports no function {name:?}"))
            })?;
            let ty = f.ty(&store);
            let args = parse_args(ty.params(), &opts.invoke_args).map_err(RunError::Usage)?;
            match exited(call(&mut store, f, &args))? {
                Ok(vals) => Ok(RunOutcome::Returned(vals)),
                Err(code) => Ok(RunOutcome::Exited(code)),
            }
        }
        None => {
            let Some(start) = instance.get_func(&store, "_start") else {
                return Ok(RunOutcome::Exited(0));
            };
            match exited(call(&mut store, start, &[]))? {
                Ok(_) => Ok(RunOutcome::Exited(0)),
                Err(code) => Ok(RunOutcome::Exited(code)),
            }
        }
    }
}
