//! Bounds-checked access to guest linear memory. Every read or write a WASI
//! function makes goes through [`GuestMemory`]; an out-of-range pointer or
//! length becomes [`WasiError::MemoryOutOfBounds`] (a trap), never a panic.

use crate::errno::{Errno, WasiError, WasiResult};

/// A guest's linear memory, borrowed for the length of one WASI call.
#[derive(Debug)]
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

/// One `iovec`/`ciovec`: a buffer in guest memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoVec {
    /// Guest address of the buffer.
    pub ptr: u32,
    /// Length in bytes.
    pub len: u32,
}

impl<'a> GuestMemory<'a> {
    /// Wraps the bytes of a linear memory.
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes }
    }

    /// The memory's size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True when the memory has no bytes (the module exports no memory).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn range(&self, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start + len as usize;
        if end > self.bytes.len() {
            return Err(WasiError::MemoryOutOfBounds);
        }
        Ok(start..end)
    }

    /// The `len` bytes at `ptr`.
    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    /// The `len` bytes at `ptr`, mutably.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    /// Copies `data` to `ptr`.
    pub fn write_bytes(&mut self, ptr: u32, data: &[u8]) -> WasiResult<()> {
        let len = u32::try_from(data.len()).map_err(|_| WasiError::MemoryOutOfBounds)?;
        self.slice_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }

    fn array<const N: usize>(&self, ptr: u32) -> WasiResult<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.slice(ptr, N as u32)?);
        Ok(a)
    }

    /// Reads a byte.
    pub fn read_u8(&self, ptr: u32) -> WasiResult<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }

    /// Reads a little-endian `u16`.
    pub fn read_u16(&self, ptr: u32) -> WasiResult<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }

    /// Reads a little-endian `u32`.
    pub fn read_u32(&self, ptr: u32) -> WasiResult<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }

    /// Reads a little-endian `u64`.
    pub fn read_u64(&self, ptr: u32) -> WasiResult<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    /// Writes a byte.
    pub fn write_u8(&mut self, ptr: u32, v: u8) -> WasiResult<()> {
        self.write_bytes(ptr, &[v])
    }

    /// Writes a little-endian `u16`.
    pub fn write_u16(&mut self, ptr: u32, v: u16) -> WasiResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }

    /// Writes a little-endian `u32`.
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }

    /// Writes a little-endian `u64`.
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }

    /// Reads a UTF-8 string of `len` bytes; invalid UTF-8 is [`Errno::Ilseq`].
    pub fn read_str(&self, ptr: u32, len: u32) -> WasiResult<String> {
        let bytes = self.slice(ptr, len)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => Err(Errno::Ilseq.into()),
        }
    }

    /// Reads an array of `len` iovecs at `ptr`, checking that each buffer
    /// lies inside the memory.
    pub fn iovecs(&self, ptr: u32, len: u32) -> WasiResult<Vec<IoVec>> {
        let total = len.checked_mul(8).ok_or(WasiError::MemoryOutOfBounds)?;
        self.range(ptr, total)?;
        let mut out = Vec::new();
        // Bounded by the guest's memory (checked above), but still fallible.
        out.try_reserve_exact(len as usize)
            .map_err(|_| WasiError::from(Errno::Nomem))?;
        for i in 0..len {
            let v = IoVec {
                ptr: self.read_u32(ptr + i * 8)?,
                len: self.read_u32(ptr + i * 8 + 4)?,
            };
            self.range(v.ptr, v.len)?;
            out.push(v);
        }
        Ok(out)
    }

    /// The first non-empty buffer of an iovec array, or an empty one. Reads
    /// and writes use one buffer per call, as wasmtime does; callers loop.
    pub fn first_nonempty(&self, ptr: u32, len: u32) -> WasiResult<IoVec> {
        Ok(self
            .iovecs(ptr, len)?
            .into_iter()
            .find(|v| v.len > 0)
            .unwrap_or(IoVec { ptr: 0, len: 0 }))
    }
}
