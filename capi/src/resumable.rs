//! The wasiproc extension for fuel (`include/wasiproc.h`): fuel metering of
//! an engine, a store's total fuel, and calls with a fuel budget that stop
//! when it is spent and can be resumed with more.
//!
//! A budgeted call is the engine's resumable call
//! (`Func::call_resumable` / `Store::resume`) with the store's fuel slice
//! set to the budget for the duration of the call or of one resumption; the
//! slice is turned off again before the C call returns, so
//! `wasm_func_call` keeps running to completion. A store's total fuel
//! (`wasiproc_store_set_fuel`) is a hard limit: spending it traps with
//! "out of fuel"; spending a budget suspends. The engine keeps one
//! suspended call per store, so a second budgeted call (or a
//! `wasm_func_call`) on a store with a pending one fails with a trap saying
//! so until the pending one is finished or deleted.

use crate::engine_store::{StoreCell, cell_of, wasm_config_t, wasm_store_t};
use crate::func::func_of;
use crate::reference::{wasm_func_t, wasm_trap_t};
use crate::trap::{new_trap, trap_from_error};
use crate::val::{Ctx, wasm_val_t};
use crate::vec::wasm_val_vec_t;
use crate::{drop_c, guard, into_c};
use std::ptr;
use std::rc::Rc;
use wasiproc_engine::{CallOutcome, Error, Suspension, Val, ValType};

/// A call that spent its fuel budget before finishing.
pub struct wasiproc_resumable_t {
    cell: Rc<StoreCell>,
    /// The called function's result types.
    results: Vec<ValType>,
    /// The store's consumed fuel when the call started.
    start: u64,
    /// The store's consumed fuel when the call ended (finished or trapped).
    end: Option<u64>,
}

impl Drop for wasiproc_resumable_t {
    fn drop(&mut self) {
        if self.end.is_none() {
            self.cell.with(|s| s.cancel_suspended());
        }
    }
}

/// Turns fuel metering on or off for engines made with `config`. Metering
/// must be on for every other fuel call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_config_consume_fuel(config: *mut wasm_config_t, enable: bool) {
    guard(
        || (),
        || {
            // SAFETY: `config` is null or a valid config.
            if let Some(c) = unsafe { config.as_mut() } {
                c.config.consume_fuel(enable);
            }
        },
    )
}

/// Sets the store's remaining total fuel. `false` for null or when the
/// engine does not meter fuel.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_store_set_fuel(store: *mut wasm_store_t, fuel: u64) -> bool {
    guard(
        || false,
        // SAFETY: `store` is null or a valid store.
        || match unsafe { cell_of(store) } {
            Some(cell) => cell.with(|s| s.set_fuel(fuel).is_ok()),
            None => false,
        },
    )
}

/// The store's remaining total fuel into `*out`. `false` for null or when
/// the engine does not meter fuel.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_store_get_fuel(
    store: *const wasm_store_t,
    out: *mut u64,
) -> bool {
    guard(
        || false,
        // SAFETY: `store` null or valid, `out` null or writable.
        || match (unsafe { cell_of(store) }, unsafe { out.as_mut() }) {
            (Some(cell), Some(out)) => match cell.with(|s| s.get_fuel()) {
                Ok(f) => {
                    *out = f;
                    true
                }
                Err(_) => false,
            },
            _ => false,
        },
    )
}

/// Fuel the store has consumed so far (0 without metering or for null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_store_fuel_consumed(store: *const wasm_store_t) -> u64 {
    guard(
        || 0,
        // SAFETY: `store` is null or a valid store.
        || unsafe { cell_of(store) }.map_or(0, |cell| cell.with(|s| s.fuel_consumed())),
    )
}

/// The caller's results vector as a slice, if it has room for `n` values.
///
/// # Safety
/// `results` is null or a valid vector the caller lets us write.
unsafe fn results_arg<'a>(results: *mut wasm_val_vec_t, n: usize) -> Option<&'a mut [wasm_val_t]> {
    // SAFETY: by the contract.
    match unsafe { results.as_mut() } {
        // SAFETY: the caller's vector of `size` values.
        Some(r) if !r.data.is_null() && r.size >= n => {
            // SAFETY: the caller's vector holds `size` values.
            Some(unsafe { std::slice::from_raw_parts_mut(r.data, r.size) })
        }
        _ if n == 0 => Some(&mut []),
        _ => None,
    }
}

/// Runs one step of a budgeted call: `step` starts or resumes it with the
/// slice set to `fuel`. Returns the engine's outcome, the slice turned off.
fn with_budget(
    cell: &Rc<StoreCell>,
    fuel: u64,
    step: impl FnOnce(&mut crate::engine_store::EStore) -> Result<CallOutcome, Error>,
) -> Result<CallOutcome, Error> {
    cell.with(|s| {
        s.set_fuel_slice(Some(fuel))?;
        let outcome = step(&mut *s);
        // Cannot fail: metering is on (the line above succeeded).
        let _ = s.set_fuel_slice(None);
        outcome
    })
}

/// What a step of a budgeted call came to, for C.
enum Settled {
    /// Finished: results written.
    Finished,
    /// Budget spent: the call waits.
    Pending,
    /// Trapped or failed: this trap.
    Trap(*mut wasm_trap_t),
}

fn settle(
    cell: &Rc<StoreCell>,
    outcome: Result<CallOutcome, Error>,
    results: &mut [wasm_val_t],
) -> Settled {
    match outcome {
        Ok(CallOutcome::Finished(vals)) => {
            cell.with(|store| {
                let mut ctx = Ctx { cell, store };
                for (slot, v) in results.iter_mut().zip(vals) {
                    *slot = ctx.val_to_c(v);
                }
            });
            Settled::Finished
        }
        Ok(CallOutcome::Suspended(Suspension::OutOfSlice)) => Settled::Pending,
        Ok(CallOutcome::Suspended(Suspension::Blocked(_))) => {
            // C host functions never block; refuse rather than leave it hanging.
            cell.with(|s| s.cancel_suspended());
            Settled::Trap(new_trap(
                "a host function blocked a budgeted call".into(),
                Vec::new(),
            ))
        }
        Err(e) => Settled::Trap(trap_from_error(&e)),
    }
}

/// Calls `f` with at most `fuel` fuel (at least 1; the engine charges per
/// block, so a call may overshoot by part of one block). Returns NULL with
/// `*resumable` set to NULL and `results` filled when the call finished;
/// NULL with an own `*resumable` when the budget ran out first (resume it
/// with [`wasiproc_resumable_resume`]); an own trap (and `*resumable`
/// NULL) when it trapped — including "out of fuel" when the store's total
/// fuel ran out — or could not start (no fuel metering, null or wrong
/// arguments, another call pending on the store, a call from inside a host
/// callback).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_func_call_with_fuel(
    f: *const wasm_func_t,
    args: *const wasm_val_vec_t,
    results: *mut wasm_val_vec_t,
    fuel: u64,
    resumable: *mut *mut wasiproc_resumable_t,
) -> *mut wasm_trap_t {
    guard(
        || new_trap("internal error in the C API".into(), Vec::new()),
        || {
            let fail = |m: &str| new_trap(format!("wasiproc_func_call_with_fuel: {m}"), Vec::new());
            if resumable.is_null() {
                return fail("null resumable output pointer");
            }
            // SAFETY: `resumable` is writable; cleared so it is never stale.
            unsafe { resumable.write(ptr::null_mut()) };
            // SAFETY: `f` is null or a valid handle.
            let Some((cell, func)) = (unsafe { func_of(f) }) else {
                return fail("not a function");
            };
            if fuel == 0 {
                return fail("the fuel budget must be at least 1");
            }
            if cell.in_callback() {
                return fail("not available inside a host callback");
            }
            let ty = cell.with(|s| func.ty(&*s));
            // SAFETY: `args` is null or a valid vector of valid values.
            let args = match unsafe { args.as_ref() } {
                // SAFETY: as above.
                Some(a) => unsafe { a.as_slice() },
                None => &[],
            };
            // SAFETY: `results` is null or a valid, writable vector.
            let Some(out) = (unsafe { results_arg(results, ty.results().len()) }) else {
                return fail("too little room for the results");
            };
            if crate::types::has_v128(&ty) {
                return fail(crate::types::V128_ERROR);
            }
            if args.len() != ty.params().len() {
                return fail(&format!(
                    "the function takes {} arguments, got {}",
                    ty.params().len(),
                    args.len()
                ));
            }
            let params = cell.with(|store| {
                let mut ctx = Ctx { cell, store };
                args.iter()
                    .zip(ty.params())
                    // SAFETY: the caller's values are valid.
                    .map(|(a, t)| unsafe { ctx.val_from_c(a, *t) })
                    .collect::<Result<Vec<Val>, _>>()
            });
            let params = match params {
                Ok(p) => p,
                Err(e) => return fail(&e.to_string()),
            };
            let start = cell.with(|s| s.fuel_consumed());
            let outcome = with_budget(cell, fuel, |s| func.call_resumable(s, &params));
            match settle(cell, outcome, out) {
                Settled::Finished => ptr::null_mut(),
                Settled::Trap(t) => t,
                Settled::Pending => {
                    let handle = into_c(wasiproc_resumable_t {
                        cell: Rc::clone(cell),
                        results: ty.results().to_vec(),
                        start,
                        end: None,
                    });
                    // SAFETY: `resumable` is writable (checked above).
                    unsafe { resumable.write(handle) };
                    ptr::null_mut()
                }
            }
        },
    )
}

/// Continues a pending call with `fuel` more fuel (at least 1). Returns
/// NULL when it finished (`results` filled, [`wasiproc_resumable_finished`]
/// now true) or ran out of budget again (still pending); an own trap when
/// it trapped (the call is then over) or the resumption was refused (null
/// handle, a call already over, no room for the results, a host callback
/// running: the call stays as it was).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_resumable_resume(
    r: *mut wasiproc_resumable_t,
    fuel: u64,
    results: *mut wasm_val_vec_t,
) -> *mut wasm_trap_t {
    guard(
        || new_trap("internal error in the C API".into(), Vec::new()),
        || {
            let fail = |m: &str| new_trap(format!("wasiproc_resumable_resume: {m}"), Vec::new());
            // SAFETY: `r` is null or a valid handle.
            let Some(r) = (unsafe { r.as_mut() }) else {
                return fail("null handle");
            };
            if r.end.is_some() {
                return fail("the call is over");
            }
            if fuel == 0 {
                return fail("the fuel budget must be at least 1");
            }
            if r.cell.in_callback() {
                return fail("not available inside a host callback");
            }
            // SAFETY: `results` is null or a valid, writable vector.
            let Some(out) = (unsafe { results_arg(results, r.results.len()) }) else {
                return fail("too little room for the results");
            };
            let cell = Rc::clone(&r.cell);
            let outcome = with_budget(&cell, fuel, |s| s.resume());
            let settled = settle(&cell, outcome, out);
            if !matches!(settled, Settled::Pending) {
                r.end = Some(cell.with(|s| s.fuel_consumed()));
            }
            match settled {
                Settled::Trap(t) => t,
                Settled::Finished | Settled::Pending => ptr::null_mut(),
            }
        },
    )
}

/// True once the call finished or trapped (false for null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_resumable_finished(r: *const wasiproc_resumable_t) -> bool {
    guard(
        || false,
        // SAFETY: `r` is null or a valid handle.
        || unsafe { r.as_ref() }.is_some_and(|r| r.end.is_some()),
    )
}

/// Fuel the call has consumed since it started (0 for null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_resumable_fuel_consumed(r: *const wasiproc_resumable_t) -> u64 {
    guard(
        || 0,
        // SAFETY: `r` is null or a valid handle.
        || match unsafe { r.as_ref() } {
            Some(r) => {
                let now = r.end.unwrap_or_else(|| r.cell.with(|s| s.fuel_consumed()));
                now.saturating_sub(r.start)
            }
            None => 0,
        },
    )
}

/// Deletes the handle; a pending call is abandoned (its store can run
/// other calls again).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_resumable_delete(r: *mut wasiproc_resumable_t) {
    // SAFETY: `r` is null or an own handle.
    guard(|| (), || unsafe { drop_c(r) })
}
