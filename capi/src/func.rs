//! Functions: `wasm_func_new`, `wasm_func_new_with_env`, type and arity,
//! and `wasm_func_call`.
//!
//! A host function's callback gets an args vector it must not keep and a
//! results vector already sized and typed (null references) that it fills.
//! A trap it returns is raised in the calling Wasm code with the trap's
//! message. During the callback every C API call on the store's objects is
//! allowed, including calling other functions. The env finalizer runs when
//! the store is dropped (the function lives as long as its store: a table
//! may still hold it after every handle is deleted).

use crate::engine_store::{EStore, StoreCell, cell_of, wasm_store_t};
use crate::reference::{Family, RefKind, borrow, wasm_func_t, wasm_ref_t};
use crate::trap::{new_trap, trap_from_error, trap_message};
use crate::types::{wasm_externtype_t, wasm_functype_t};
use crate::val::{Ctx, val_delete, wasm_val_t};
use crate::vec::wasm_val_vec_t;
use crate::{drop_c, guard, into_c};
use std::ffi::c_void;
use std::ptr;
use std::rc::Rc;
use wasiproc_engine::{AsContextMut, Caller, Func, FuncType, HostError, Val};

/// `own wasm_trap_t* (*)(const wasm_val_vec_t* args, own wasm_val_vec_t* results)`.
pub type wasm_func_callback_t =
    Option<unsafe extern "C" fn(*const wasm_val_vec_t, *mut wasm_val_vec_t) -> *mut wasm_ref_t>;
/// The same with the env pointer given at creation as first argument.
pub type wasm_func_callback_with_env_t = Option<
    unsafe extern "C" fn(
        *mut c_void,
        *const wasm_val_vec_t,
        *mut wasm_val_vec_t,
    ) -> *mut wasm_ref_t,
>;

/// The C side of a host function: its callback, env and env finalizer.
struct HostEnv {
    callback: Callback,
    env: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
}

#[derive(Clone, Copy)]
enum Callback {
    Plain(unsafe extern "C" fn(*const wasm_val_vec_t, *mut wasm_val_vec_t) -> *mut wasm_ref_t),
    Env(
        unsafe extern "C" fn(
            *mut c_void,
            *const wasm_val_vec_t,
            *mut wasm_val_vec_t,
        ) -> *mut wasm_ref_t,
    ),
}

// SAFETY: the engine asks host functions to be Send + Sync because Rust
// stores may move between threads. The env pointer and callback are the
// embedder's; the standard makes a store (and so its functions) usable from
// one thread at a time, which is all this needs.
unsafe impl Send for HostEnv {}
// SAFETY: see `Send`; the library never touches `env` itself.
unsafe impl Sync for HostEnv {}

impl Drop for HostEnv {
    fn drop(&mut self) {
        if let Some(f) = self.finalizer {
            // SAFETY: the finalizer was given for this env, to be called once.
            unsafe { f(self.env) };
        }
    }
}

impl HostEnv {
    /// Runs the C callback for a call from Wasm.
    fn call(
        &self,
        mut caller: Caller<'_, crate::engine_store::StoreData>,
        ty: &FuncType,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), HostError> {
        let store: &mut EStore = caller.as_context_mut();
        // SAFETY: the store is running this call, so its cell is alive.
        let cell = unsafe { StoreCell::from_store(store) };
        let mut ctx = Ctx { cell: &cell, store };
        let args = wasm_val_vec_t::from_vec(params.iter().map(|v| ctx.val_to_c(*v)).collect());
        let mut out = wasm_val_vec_t::from_vec(vec![wasm_val_t::blank(); results.len()]);
        let store_ptr: *mut EStore = ctx.store;
        // While C runs, C API calls on this store use the borrow the engine lent us.
        let trap = cell.lend(store_ptr, || {
            // SAFETY: `args` and `out` are valid vectors for the callback's duration.
            unsafe {
                match self.callback {
                    Callback::Plain(f) => f(&args, &mut out),
                    Callback::Env(f) => f(self.env, &args, &mut out),
                }
            }
        });
        let mut ctx = Ctx {
            cell: &cell,
            // SAFETY: the callback has returned, so the borrow lent to it is ours again.
            store: unsafe { &mut *store_ptr },
        };
        let mut outcome = Ok(());
        if !trap.is_null() {
            // SAFETY: the callback returned an own trap (or another own reference).
            let message = unsafe { trap_message(trap) }
                .unwrap_or_else(|| "host function returned an invalid trap".to_string());
            // SAFETY: the callback returned an own handle; we release it.
            unsafe { drop_c(trap) };
            outcome = Err(HostError::trap(message));
        } else {
            // SAFETY: `out` is our vector; the callback wrote values into it.
            let vals = unsafe { out.as_slice() };
            for ((slot, v), t) in results.iter_mut().zip(vals).zip(ty.results()) {
                // SAFETY: `v` is one of the values of `out`, which the callback filled.
                match unsafe { ctx.val_from_c(v, *t) } {
                    Ok(val) => *slot = val,
                    Err(e) => {
                        outcome = Err(HostError::trap(format!("host function result: {e}")));
                        break;
                    }
                }
            }
        }
        for mut v in [args, out] {
            // SAFETY: both vectors are own vectors made above.
            for val in unsafe { v.take() } {
                // SAFETY: both vectors are own vectors built above; each value is own.
                unsafe { val_delete(val) };
            }
        }
        outcome
    }
}

unsafe fn new_func(
    store: *mut wasm_store_t,
    ty: *const wasm_functype_t,
    callback: Option<Callback>,
    env: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
) -> *mut wasm_func_t {
    let host = HostEnv {
        callback: match callback {
            Some(c) => c,
            None => Callback::Plain(null_callback),
        },
        env,
        finalizer,
    };
    // SAFETY: `store` and `ty` are null or valid.
    let (Some(cell), Some(ty), Some(_)) = (
        unsafe { cell_of(store) },
        unsafe { ty.as_ref() }.and_then(wasm_externtype_t::func_type),
        callback,
    ) else {
        // The function never existed: the env was not taken, so no finalizer.
        std::mem::forget(host);
        return ptr::null_mut();
    };
    let f = cell.with(|s| {
        let fty = ty.clone();
        Func::new(s, ty, move |caller, params, results| {
            host.call(caller, &fty, params, results)
        })
    });
    wasm_ref_t::in_store(cell, RefKind::Func(f))
}

/// Never called: stands in for a null callback in a function that is not created.
unsafe extern "C" fn null_callback(
    _: *const wasm_val_vec_t,
    _: *mut wasm_val_vec_t,
) -> *mut wasm_ref_t {
    ptr::null_mut()
}

/// Creates a host function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_func_new(
    store: *mut wasm_store_t,
    ty: *const wasm_functype_t,
    callback: wasm_func_callback_t,
) -> *mut wasm_func_t {
    guard(ptr::null_mut, || {
        // SAFETY: forwarded contract.
        unsafe {
            new_func(
                store,
                ty,
                callback.map(Callback::Plain),
                ptr::null_mut(),
                None,
            )
        }
    })
}

/// Creates a host function whose callback receives `env`; `finalizer(env)`
/// runs when the store is dropped.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_func_new_with_env(
    store: *mut wasm_store_t,
    ty: *const wasm_functype_t,
    callback: wasm_func_callback_with_env_t,
    env: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
) -> *mut wasm_func_t {
    guard(ptr::null_mut, || {
        // SAFETY: forwarded contract.
        unsafe { new_func(store, ty, callback.map(Callback::Env), env, finalizer) }
    })
}

/// The function and its store.
///
/// # Safety
/// `f` is null or a valid handle.
pub(crate) unsafe fn func_of<'a>(f: *const wasm_func_t) -> Option<(&'a Rc<StoreCell>, Func)> {
    // SAFETY: by the contract.
    match unsafe { borrow(f, Family::Func) } {
        Some(wasm_ref_t {
            store: Some(cell),
            kind: RefKind::Func(func),
        }) => Some((cell, *func)),
        _ => None,
    }
}

/// The function's type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_func_type(f: *const wasm_func_t) -> *mut wasm_functype_t {
    // SAFETY: `f` is null or a valid handle.
    guard(ptr::null_mut, || match unsafe { func_of(f) } {
        Some((cell, func)) => {
            let ty = cell.with(|s| func.ty(&*s));
            into_c(wasm_externtype_t::from_engine(
                &wasiproc_engine::ExternType::Func(ty),
            ))
        }
        None => ptr::null_mut(),
    })
}

/// Number of parameters.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_func_param_arity(f: *const wasm_func_t) -> usize {
    // SAFETY: `f` is null or a valid handle.
    guard(
        || 0,
        || match unsafe { func_of(f) } {
            Some((cell, func)) => cell.with(|s| func.ty(&*s).params().len()),
            None => 0,
        },
    )
}

/// Number of results.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_func_result_arity(f: *const wasm_func_t) -> usize {
    // SAFETY: `f` is null or a valid handle.
    guard(
        || 0,
        || match unsafe { func_of(f) } {
            Some((cell, func)) => cell.with(|s| func.ty(&*s).results().len()),
            None => 0,
        },
    )
}

/// Calls the function. `args` holds one value per parameter; `results` must
/// have room for one value per result and receives them (references as own
/// handles). Returns null on success, else an own trap (also for wrong
/// argument counts or types, with a message saying so).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_func_call(
    f: *const wasm_func_t,
    args: *const wasm_val_vec_t,
    results: *mut wasm_val_vec_t,
) -> *mut wasm_ref_t {
    guard(
        || new_trap("internal error in the C API".into(), Vec::new()),
        || {
            // SAFETY: `f` is null or a valid handle.
            let Some((cell, func)) = (unsafe { func_of(f) }) else {
                return new_trap("wasm_func_call: not a function".into(), Vec::new());
            };
            // SAFETY: `args` and `results` are null or valid vectors.
            let args = match unsafe { args.as_ref() } {
                // SAFETY: `args` is null or a valid vector of valid values.
                Some(a) => unsafe { a.as_slice() },
                None => &[],
            };
            // SAFETY: `results` is null or a valid vector the caller lets us write.
            let results = match unsafe { results.as_mut() } {
                Some(r) if !r.data.is_null() => {
                    // SAFETY: the caller's vector of `size` values.
                    unsafe { std::slice::from_raw_parts_mut(r.data, r.size) }
                }
                _ => &mut [],
            };
            cell.with(|store| {
                let ty = func.ty(&*store);
                if args.len() != ty.params().len() || results.len() < ty.results().len() {
                    return new_trap(
                        format!(
                            "wasm_func_call: the function takes {} arguments and gives {} results, \
                             got {} arguments and room for {} results",
                            ty.params().len(),
                            ty.results().len(),
                            args.len(),
                            results.len()
                        ),
                        Vec::new(),
                    );
                }
                if crate::types::has_v128(&ty) {
                    return new_trap(
                        format!("wasm_func_call: {}", crate::types::V128_ERROR),
                        Vec::new(),
                    );
                }
                let mut ctx = Ctx { cell, store };
                let mut params = Vec::with_capacity(args.len());
                for (a, t) in args.iter().zip(ty.params()) {
                    // SAFETY: the caller's values are valid.
                    match unsafe { ctx.val_from_c(a, *t) } {
                        Ok(v) => params.push(v),
                        Err(e) => return new_trap(format!("wasm_func_call: {e}"), Vec::new()),
                    }
                }
                let mut out: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
                if let Err(e) = func.call(&mut *ctx.store, &params, &mut out) {
                    return trap_from_error(&e);
                }
                for (slot, v) in results.iter_mut().zip(out) {
                    *slot = ctx.val_to_c(v);
                }
                ptr::null_mut()
            })
        },
    )
}
