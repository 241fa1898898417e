//! Host functions of the embedder, added to every process of a run as a
//! custom import module ([`crate::Run::host_func`]).

use crate::Pid;
use crate::data::ProcData;
use std::sync::Arc;
use wasiproc_engine::{AsContext, AsContextMut, Caller, Extern, FuncType, HostError, Val};

/// The closure behind a host function.
pub(crate) type HostFn =
    dyn Fn(HostCall<'_>, &[Val], &mut [Val]) -> Result<(), HostError> + Send + Sync;

/// A host function waiting to be defined in a run's linker.
#[derive(Clone)]
pub(crate) struct HostFuncDef {
    pub module: String,
    pub name: String,
    pub ty: FuncType,
    pub f: Arc<HostFn>,
}

/// What a host function sees of the process that called it: its pid and
/// its exported linear memory (`memory`), accessed with bounds checks.
pub struct HostCall<'a> {
    caller: Caller<'a, ProcData>,
}

/// A guest pointer that does not fit the caller's memory (or a caller
/// without an exported `memory`), as a trap of the calling process.
fn out_of_bounds() -> HostError {
    HostError::trap("host function: guest memory access out of bounds")
}

impl<'a> HostCall<'a> {
    pub(crate) fn new(caller: Caller<'a, ProcData>) -> Self {
        HostCall { caller }
    }

    /// The calling process.
    pub fn pid(&self) -> Pid {
        self.caller.data().pid
    }

    /// Its parent.
    pub fn parent(&self) -> Pid {
        self.caller.data().ppid
    }

    /// Fuel the calling process has consumed so far.
    pub fn fuel_consumed(&self) -> u64 {
        self.caller.fuel_consumed()
    }

    fn memory(&self) -> Result<wasiproc_engine::Memory, HostError> {
        match self.caller.get_export("memory") {
            Some(Extern::Memory(m)) => Ok(m),
            _ => Err(out_of_bounds()),
        }
    }

    /// Copies `len` bytes at `ptr` out of the caller's memory; the range is
    /// checked before anything is allocated.
    pub fn read_memory(&self, ptr: u32, len: u32) -> Result<Vec<u8>, HostError> {
        let mem = self.memory()?;
        let data = mem.data(self.caller.as_context());
        let end = (ptr as usize)
            .checked_add(len as usize)
            .ok_or_else(out_of_bounds)?;
        let src = data.get(ptr as usize..end).ok_or_else(out_of_bounds)?;
        let mut out = Vec::new();
        out.try_reserve_exact(src.len())
            .map_err(|_| HostError::trap("host function: out of memory"))?;
        out.extend_from_slice(src);
        Ok(out)
    }

    /// Copies `bytes` into the caller's memory at `ptr` (checked first:
    /// nothing is written unless all of it fits).
    pub fn write_memory(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), HostError> {
        let mem = self.memory()?;
        let data = mem.data_mut(self.caller.as_context_mut());
        let end = (ptr as usize)
            .checked_add(bytes.len())
            .ok_or_else(out_of_bounds)?;
        data.get_mut(ptr as usize..end)
            .ok_or_else(out_of_bounds)?
            .copy_from_slice(bytes);
        Ok(())
    }
}
