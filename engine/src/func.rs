//! Calling functions: host functions ([`Caller`], [`HostError`], typed
//! wrappers), untyped and typed calls into Wasm, and resumable calls.

use crate::engine::{Engine, TypeId};
use crate::error::{Error, Trap};
use crate::exec::{self, ExecState, Frame, Step, Suspended, Suspension};
use crate::prelude::*;
use crate::store::{AsContext, AsContextMut, Extern, Func, FuncEntity, FuncKind, Store};
use crate::value::{FuncType, Val, ValType};
use alloc::sync::Arc;
use core::any::Any;
use core::marker::PhantomData;

/// How a host function can fail or stop the guest.
pub enum HostError {
    /// Trap the guest.
    Trap(Trap),
    /// End the instance with an exit code (WASI `proc_exit`).
    Exit(i32),
    /// The host function cannot finish now. The call is suspended and the
    /// value is handed to whoever drives the store (e.g. a scheduler); when
    /// the store is resumed, the host function is called again with the same
    /// arguments.
    Blocked(Box<dyn Any + Send>),
}

impl core::fmt::Debug for HostError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HostError::Trap(t) => write!(f, "Trap({t})"),
            HostError::Exit(c) => write!(f, "Exit({c})"),
            HostError::Blocked(_) => f.write_str("Blocked(..)"),
        }
    }
}

impl From<Trap> for HostError {
    fn from(t: Trap) -> Self {
        HostError::Trap(t)
    }
}

impl HostError {
    /// A host trap with a message.
    pub fn trap(message: impl Into<String>) -> Self {
        HostError::Trap(Trap::host(message))
    }
}

type HostCallback<T> =
    dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), HostError> + Send + Sync;

/// A host function: its signature and the closure that implements it.
pub struct HostFunc<T> {
    pub(crate) ty: FuncType,
    pub(crate) type_id: TypeId,
    /// Interpreter slots a call needs from its base: the larger of the
    /// parameters' and the results' (a `v128` takes two).
    pub(crate) slots: u32,
    pub(crate) call: Box<HostCallback<T>>,
}

impl<T> HostFunc<T> {
    pub(crate) fn new(
        engine: &Engine,
        ty: FuncType,
        call: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), HostError>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        let type_id = engine.intern(&ty);
        let slots = crate::value::slot_count(ty.params())
            .max(crate::value::slot_count(ty.results())) as u32;
        HostFunc {
            ty,
            type_id,
            slots,
            call: Box::new(call),
        }
    }
}

/// What a host function sees of its caller: the store (with the embedder's
/// data) and the calling instance's exports.
pub struct Caller<'a, T> {
    store: &'a mut Store<T>,
    instance: Option<u32>,
}

impl<'a, T> Caller<'a, T> {
    pub(crate) fn new(store: &'a mut Store<T>, instance: Option<u32>) -> Self {
        Caller { store, instance }
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// The calling instance (`None` for a call from the embedder).
    #[inline]
    pub fn instance(&self) -> Option<crate::instance::Instance> {
        Some(crate::instance::Instance {
            store: self.store.inner.id,
            index: self.instance?,
        })
    }

    /// An export of the calling instance (typically its "memory").
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let index = self.instance?;
        crate::instance::Instance {
            store: self.store.inner.id,
            index,
        }
        .get_export(&*self.store, name)
    }

    /// Fuel consumed by the store so far.
    pub fn fuel_consumed(&self) -> u64 {
        self.store.fuel_consumed()
    }

    /// Remaining total fuel of the store (`u64::MAX` without metering).
    pub fn fuel_left(&self) -> u64 {
        if self.store.inner.fuel.enabled() {
            self.store.inner.fuel.total()
        } else {
            u64::MAX
        }
    }

    /// Charges `amount` of fuel for host work done on the guest's behalf
    /// (work proportional to a size the guest chose). Past the store's
    /// total budget nothing is charged and the result is an "out of fuel"
    /// trap for the host function to return. Without metering it is free.
    pub fn consume_fuel(&mut self, amount: u64) -> Result<(), Trap> {
        if self.store.inner.fuel.charge_host(amount) {
            Ok(())
        } else {
            Err(Trap::new(crate::error::TrapKind::OutOfFuel))
        }
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.store
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self.store
    }
}

/// The result of a call that may be suspended.
#[derive(Debug)]
pub enum CallOutcome {
    /// The call finished with these results.
    Finished(Vec<Val>),
    /// The call stopped; continue it with [`Store::resume`].
    Suspended(Suspension),
}

impl Func {
    /// Creates a host function with an explicit signature.
    pub fn new<T>(
        store: &mut Store<T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), HostError> + Send + Sync + 'static,
    ) -> Func {
        let host = HostFunc::new(&store.inner.engine, ty, f);
        Func::from_host(store, Arc::new(host))
    }

    /// Creates a host function from a Rust closure whose parameter and result
    /// types give the signature.
    pub fn wrap<T, Params, Results>(
        store: &mut Store<T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let host = f.into_host_func(&store.inner.engine);
        Func::from_host(store, Arc::new(host))
    }

    pub(crate) fn from_host<T>(store: &mut Store<T>, host: Arc<HostFunc<T>>) -> Func {
        let ty = host.type_id;
        store.hosts.push(host);
        let h = store.hosts.len() as u32 - 1;
        store.inner.funcs.push(FuncEntity {
            ty,
            kind: FuncKind::Host(h),
        });
        Func {
            store: store.inner.id,
            index: store.inner.funcs.len() as u32 - 1,
        }
    }

    /// The function's signature where the store keeps it: its module's
    /// type, or the host function's (no lock on the engine's registry,
    /// no copy, unlike [`Func::ty`]).
    fn sig<'s, T>(&self, store: &'s Store<T>) -> &'s FuncType {
        store.check(self.store);
        match store.inner.funcs[self.index as usize].kind {
            FuncKind::Host(h) => &store.hosts[h as usize].ty,
            FuncKind::Wasm { instance, index } => {
                let m = &store.inner.instances[instance as usize].module;
                m.func_type(m.num_imported_funcs + index)
            }
        }
    }

    fn check_params<'s, T>(
        &self,
        store: &'s Store<T>,
        params: &[Val],
    ) -> Result<&'s FuncType, Error> {
        let ty = self.sig(store);
        if params.len() != ty.params().len() {
            return Err(Error::usage(format!(
                "expected {} arguments, got {}",
                ty.params().len(),
                params.len()
            )));
        }
        for (p, t) in params.iter().zip(ty.params()) {
            if p.ty() != *t {
                return Err(Error::usage(format!(
                    "argument type mismatch: expected {t}, got {p:?}"
                )));
            }
            if let Val::FuncRef(Some(f)) = p {
                store.check(f.store);
            }
            if let Val::ExnRef(Some(e)) = p {
                store.check(e.store);
            }
        }
        // Typed references (function references): a `(ref $t)` parameter
        // takes only a non-null function of type `$t` (or a subtype); the
        // code behind it calls without checking again.
        if ty.params().iter().any(|t| t.is_ref()) {
            let id = store.inner.funcs[self.index as usize].ty;
            if let Some(exact) = store.inner.engine.exact_params(id) {
                for (i, (p, want)) in params.iter().zip(exact.iter()).enumerate() {
                    if let Some(want) = want
                        && !store.inner.ref_matches(p, *want)
                    {
                        return Err(Error::usage(format!(
                            "argument {i} ({p:?}) is not of the parameter's type {want:?}"
                        )));
                    }
                }
            }
        }
        Ok(ty)
    }

    /// Calls the function to completion. Fuel slices are ignored (the call
    /// simply goes on); a host function that blocks makes the call fail with
    /// [`Error::Blocked`] — use [`Func::call_resumable`] where hosts may block.
    pub fn call<T>(
        &self,
        mut ctx: impl AsContextMut<Data = T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), Error> {
        let store = ctx.as_context_mut();
        let want = self.check_params(store, params)?.results().len();
        if results.len() != want {
            return Err(Error::usage(format!(
                "expected room for {} results, got {}",
                want,
                results.len()
            )));
        }
        let mut outcome = self.call_resumable(&mut *store, params)?;
        loop {
            match outcome {
                CallOutcome::Finished(vals) => {
                    results.copy_from_slice(&vals);
                    return Ok(());
                }
                CallOutcome::Suspended(Suspension::OutOfSlice) => outcome = store.resume()?,
                CallOutcome::Suspended(Suspension::Blocked(_)) => {
                    store.cancel_suspended();
                    return Err(Error::Blocked);
                }
            }
        }
    }

    /// Calls the function; it may stop early with [`CallOutcome::Suspended`]
    /// (fuel slice used up, or a host function blocked), to be continued with
    /// [`Store::resume`].
    pub fn call_resumable<T>(
        &self,
        mut ctx: impl AsContextMut<Data = T>,
        params: &[Val],
    ) -> Result<CallOutcome, Error> {
        let store = ctx.as_context_mut();
        self.check_params(store, params)?;
        if store.suspended.is_some() {
            return Err(Error::usage(
                "the store has a suspended call: resume or cancel it first",
            ));
        }
        store.inner.fuel.refill_slice();
        let mut state = store.spare.take().unwrap_or_default();
        state.frames.clear();
        state.results.clear();
        state.results.extend_from_slice(self.sig(&*store).results());
        let entity = store.inner.funcs[self.index as usize];
        match entity.kind {
            FuncKind::Host(h) => {
                let n = store.hosts[h as usize].slots as usize;
                if let Err(kind) =
                    crate::store::grow_slots(&mut store.inner, &mut state.slots, n, false)
                {
                    store.park(state);
                    return Err(kind.into());
                }
                crate::value::write_vals(params, &mut state.slots);
                match exec::call_host(store, h, &mut state.slots, 0, None) {
                    Ok(()) => Ok(CallOutcome::Finished(finish(store, state))),
                    Err(crate::func::HostError::Blocked(why)) => {
                        store.suspended = Some(Suspended::Host {
                            func: h,
                            params: params.to_vec(),
                            results: store.hosts[h as usize].ty.results().to_vec(),
                            state,
                        });
                        Ok(CallOutcome::Suspended(Suspension::Blocked(why)))
                    }
                    Err(e) => {
                        store.park(state);
                        Err(host_error(e))
                    }
                }
            }
            FuncKind::Wasm { instance, index } => {
                let module = store.inner.instances[instance as usize].module.clone();
                let code = &module.code[index as usize];
                // (`execute` checks the frame again with the code it runs.)
                let need = (code.current().1 as usize).max(16);
                if let Err(kind) =
                    crate::store::grow_slots(&mut store.inner, &mut state.slots, need, false)
                {
                    store.park(state);
                    return Err(kind.into());
                }
                crate::value::write_vals(params, &mut state.slots);
                state.slots[code.num_params as usize..code.num_locals as usize].fill(0);
                state.current = Some(Frame {
                    instance,
                    func: index,
                    pc: 0,
                    fp: 0,
                });
                run(store, state)
            }
        }
    }

    /// A typed view of the function, checked against its signature.
    pub fn typed<P: WasmParams, R: WasmResults>(
        &self,
        ctx: impl AsContext,
    ) -> Result<TypedFunc<P, R>, Error> {
        let ty = self.ty(ctx);
        if ty.params() != P::types().as_slice() || ty.results() != R::types().as_slice() {
            return Err(Error::usage(format!(
                "function type mismatch: the function is {ty}"
            )));
        }
        Ok(TypedFunc {
            func: *self,
            _marker: PhantomData,
        })
    }
}

fn host_error(e: HostError) -> Error {
    match e {
        HostError::Trap(t) => Error::Trap(t),
        HostError::Exit(c) => Error::Exit(c),
        HostError::Blocked(_) => Error::Blocked,
    }
}

/// Reads the outermost results from the state and parks the state for reuse.
fn finish<T>(store: &mut Store<T>, state: ExecState) -> Vec<Val> {
    let id = store.inner.id;
    let mut at = 0;
    let vals = state
        .results
        .iter()
        .map(|t| {
            let v = Val::read_slots(*t, &state.slots, at, id);
            at += t.slots();
            v
        })
        .collect();
    store.park(state);
    vals
}

/// Runs a prepared state and files the outcome.
fn run<T>(store: &mut Store<T>, mut state: ExecState) -> Result<CallOutcome, Error> {
    match exec::execute(store, &mut state) {
        Ok(Step::Done) => Ok(CallOutcome::Finished(finish(store, state))),
        Ok(Step::Suspend(why)) => {
            store.suspended = Some(Suspended::Wasm { state, at: None });
            Ok(CallOutcome::Suspended(why))
        }
        Ok(Step::Blocked(why, at)) => {
            store.suspended = Some(Suspended::Wasm {
                state,
                at: Some(at),
            });
            Ok(CallOutcome::Suspended(Suspension::Blocked(why)))
        }
        Err(e) => {
            state.frames.clear();
            store.park(state);
            Err(e)
        }
    }
}

impl<T> Store<T> {
    /// Continues a call that a host function suspended by reporting
    /// "blocked", with `results` as that host function's return values: it
    /// is not called again. Fails (leaving the call suspended) when the call
    /// did not stop at a host function or the values do not fit its type.
    pub fn resume_with(&mut self, results: &[Val]) -> Result<CallOutcome, Error> {
        let Some(suspended) = self.suspended.take() else {
            return Err(Error::usage("no suspended call to resume"));
        };
        self.inner.fuel.refill_slice();
        match suspended {
            Suspended::Wasm { mut state, at } => {
                if let Err(e) = exec::complete_host_call(self, &mut state, at, results) {
                    self.suspended = Some(Suspended::Wasm { state, at });
                    return Err(e);
                }
                run(self, state)
            }
            Suspended::Host {
                func,
                params,
                results: types,
                mut state,
            } => {
                if types.len() != results.len()
                    || types.iter().zip(results).any(|(t, v)| v.ty() != *t)
                {
                    self.suspended = Some(Suspended::Host {
                        func,
                        params,
                        results: types,
                        state,
                    });
                    return Err(Error::usage("results do not fit the host function's type"));
                }
                crate::value::write_vals(results, &mut state.slots);
                Ok(CallOutcome::Finished(finish(self, state)))
            }
        }
    }

    /// Continues a suspended call with a fresh fuel slice.
    pub fn resume(&mut self) -> Result<CallOutcome, Error> {
        let Some(suspended) = self.suspended.take() else {
            return Err(Error::usage("no suspended call to resume"));
        };
        self.inner.fuel.refill_slice();
        match suspended {
            Suspended::Wasm { state, .. } => run(self, state),
            Suspended::Host {
                func,
                params,
                results,
                mut state,
            } => {
                crate::value::write_vals(&params, &mut state.slots);
                match exec::call_host(self, func, &mut state.slots, 0, None) {
                    Ok(()) => Ok(CallOutcome::Finished(finish(self, state))),
                    Err(HostError::Blocked(why)) => {
                        self.suspended = Some(Suspended::Host {
                            func,
                            params,
                            results,
                            state,
                        });
                        Ok(CallOutcome::Suspended(Suspension::Blocked(why)))
                    }
                    Err(e) => {
                        self.park(state);
                        Err(host_error(e))
                    }
                }
            }
        }
    }
}

/// A Rust type that corresponds to a Wasm value type.
pub trait WasmTy: Sized + Send + 'static {
    /// The Wasm type.
    fn ty() -> ValType;
    /// Converts from a value already checked to be of type [`WasmTy::ty`].
    fn from_val(v: &Val) -> Self;
    /// Converts into a value.
    fn into_val(self) -> Val;
}

macro_rules! wasm_ty {
    ($t:ty, $vt:ident, |$v:ident| $from:expr, |$s:ident| $into:expr) => {
        impl WasmTy for $t {
            fn ty() -> ValType {
                ValType::$vt
            }
            fn from_val($v: &Val) -> Self {
                $from
            }
            fn into_val(self) -> Val {
                let $s = self;
                $into
            }
        }
    };
}

wasm_ty!(i32, I32, |v| v.i32().unwrap_or_default(), |s| Val::I32(s));
wasm_ty!(u32, I32, |v| v.i32().unwrap_or_default() as u32, |s| {
    Val::I32(s as i32)
});
wasm_ty!(i64, I64, |v| v.i64().unwrap_or_default(), |s| Val::I64(s));
wasm_ty!(u64, I64, |v| v.i64().unwrap_or_default() as u64, |s| {
    Val::I64(s as i64)
});
wasm_ty!(
    f32,
    F32,
    |v| v.f32().unwrap_or_default(),
    |s| Val::from_f32(s)
);
wasm_ty!(
    f64,
    F64,
    |v| v.f64().unwrap_or_default(),
    |s| Val::from_f64(s)
);
wasm_ty!(
    Option<Func>,
    FuncRef,
    |v| match v {
        Val::FuncRef(f) => *f,
        _ => None,
    },
    |s| Val::FuncRef(s)
);
wasm_ty!(
    Option<crate::value::ExternRef>,
    ExternRef,
    |v| match v {
        Val::ExternRef(r) => *r,
        _ => None,
    },
    |s| Val::ExternRef(s)
);

/// Parameter lists of typed calls: `()`, a single [`WasmTy`], or tuples.
pub trait WasmParams: Sized {
    /// The parameter types.
    fn types() -> Vec<ValType>;
    /// The values.
    fn into_vals(self) -> Vec<Val>;
}

/// Result lists of typed calls and host functions: `()`, a single
/// [`WasmTy`], or tuples.
pub trait WasmResults: Sized {
    /// The result types.
    fn types() -> Vec<ValType>;
    /// Converts from values already checked against [`WasmResults::types`].
    fn from_vals(vals: &[Val]) -> Self;
    /// Writes the values.
    fn write_vals(self, out: &mut [Val]);
}

impl<A: WasmTy> WasmParams for A {
    fn types() -> Vec<ValType> {
        vec![A::ty()]
    }
    fn into_vals(self) -> Vec<Val> {
        vec![self.into_val()]
    }
}

impl<A: WasmTy> WasmResults for A {
    fn types() -> Vec<ValType> {
        vec![A::ty()]
    }
    fn from_vals(vals: &[Val]) -> Self {
        A::from_val(&vals[0])
    }
    fn write_vals(self, out: &mut [Val]) {
        out[0] = self.into_val();
    }
}

macro_rules! tuples {
    ($($n:tt $t:ident),*) => {
        impl<$($t: WasmTy),*> WasmParams for ($($t,)*) {
            fn types() -> Vec<ValType> { vec![$($t::ty()),*] }
            #[allow(clippy::unused_unit)]
            fn into_vals(self) -> Vec<Val> { vec![$(self.$n.into_val()),*] }
        }
        impl<$($t: WasmTy),*> WasmResults for ($($t,)*) {
            fn types() -> Vec<ValType> { vec![$($t::ty()),*] }
            #[allow(unused_variables, clippy::unused_unit)]
            fn from_vals(vals: &[Val]) -> Self { ($($t::from_val(&vals[$n]),)*) }
            #[allow(unused_variables)]
            fn write_vals(self, out: &mut [Val]) { $(out[$n] = self.$n.into_val();)* }
        }
    };
}

tuples!();
tuples!(0 A, 1 B);
tuples!(0 A, 1 B, 2 C);
tuples!(0 A, 1 B, 2 C, 3 D);

/// What a host closure may return: results, or results with a [`HostError`].
pub trait HostReturn: Sized {
    /// The result types.
    fn types() -> Vec<ValType>;
    /// Writes the results or reports the error.
    fn into_results(self, out: &mut [Val]) -> Result<(), HostError>;
}

impl<R: WasmResults> HostReturn for R {
    fn types() -> Vec<ValType> {
        R::types()
    }
    fn into_results(self, out: &mut [Val]) -> Result<(), HostError> {
        self.write_vals(out);
        Ok(())
    }
}

impl<R: WasmResults> HostReturn for Result<R, HostError> {
    fn types() -> Vec<ValType> {
        R::types()
    }
    fn into_results(self, out: &mut [Val]) -> Result<(), HostError> {
        self?.write_vals(out);
        Ok(())
    }
}

/// Closures `Fn(Caller<T>, A1, .., An) -> R` usable as host functions.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    /// Builds the host function.
    fn into_host_func(self, engine: &Engine) -> HostFunc<T>;
}

macro_rules! into_func {
    ($($a:ident)*) => {
        impl<T, F, R, $($a,)*> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: HostReturn,
            $($a: WasmTy,)*
        {
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn into_host_func(self, engine: &Engine) -> HostFunc<T> {
                let ty = FuncType::new(vec![$($a::ty()),*], R::types());
                HostFunc::new(engine, ty, move |caller, params, results| {
                    let mut it = params.iter();
                    $(let $a = $a::from_val(it.next().expect("checked arity"));)*
                    (self)(caller, $($a),*).into_results(results)
                })
            }
        }
    };
}

into_func!();
into_func!(A1);
into_func!(A1 A2);
into_func!(A1 A2 A3);
into_func!(A1 A2 A3 A4);
into_func!(A1 A2 A3 A4 A5);
into_func!(A1 A2 A3 A4 A5 A6);
into_func!(A1 A2 A3 A4 A5 A6 A7);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12);

/// A function with a statically known signature.
#[derive(Debug)]
pub struct TypedFunc<P, R> {
    func: Func,
    _marker: PhantomData<fn(P) -> R>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<P: WasmParams, R: WasmResults> TypedFunc<P, R> {
    /// Calls the function to completion (see [`Func::call`]).
    pub fn call<T>(&self, mut ctx: impl AsContextMut<Data = T>, params: P) -> Result<R, Error> {
        let vals = params.into_vals();
        let mut out = vec![Val::I32(0); R::types().len()];
        self.func.call(ctx.as_context_mut(), &vals, &mut out)?;
        Ok(R::from_vals(&out))
    }

    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }
}
