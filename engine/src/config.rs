//! Engine configuration.

use wasmparser::WasmFeatures;

/// The post-2.0 proposals the engine implements; each has its own switch
/// (`Config::wasm_*`) and all are on by default.
const IMPLEMENTED_PROPOSALS: WasmFeatures = WasmFeatures::EXTENDED_CONST
    .union(WasmFeatures::TAIL_CALL)
    .union(WasmFeatures::MULTI_MEMORY)
    .union(WasmFeatures::MEMORY64)
    .union(WasmFeatures::WIDE_ARITHMETIC)
    .union(WasmFeatures::CUSTOM_PAGE_SIZES)
    .union(WasmFeatures::FUNCTION_REFERENCES)
    .union(WasmFeatures::GC_TYPES)
    .union(WasmFeatures::GC)
    .union(WasmFeatures::SIMD)
    .union(WasmFeatures::RELAXED_SIMD)
    .union(WasmFeatures::EXCEPTIONS)
    .union(WasmFeatures::LEGACY_EXCEPTIONS);

/// How an [`crate::Engine`] translates and runs code. Fixed once the engine exists.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) consume_fuel: bool,
    pub(crate) canonicalize_nans: bool,
    pub(crate) max_call_depth: usize,
    pub(crate) max_stack_slots: usize,
    pub(crate) lazy_translation: bool,
    /// Bytes of freed linear-memory blocks kept for reuse (0: none).
    pub(crate) memory_pool: usize,
    /// The enabled proposals beyond Wasm 2.0 (a subset of `IMPLEMENTED_PROPOSALS`).
    pub(crate) proposals: WasmFeatures,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            consume_fuel: false,
            canonicalize_nans: false,
            max_call_depth: 100_000,
            max_stack_slots: 16 * 1024 * 1024,
            lazy_translation: true,
            memory_pool: 0,
            proposals: IMPLEMENTED_PROPOSALS,
        }
    }
}

impl Config {
    /// A configuration with the defaults: no fuel metering, NaNs as the CPU
    /// makes them, 100,000 nested calls, 16 Mi value-stack slots, lazy
    /// translation.
    pub fn new() -> Self {
        Self::default()
    }

    /// Meter execution with fuel. Code is translated with a fuel charge at
    /// every function entry, loop header and `else` arm, so metering must be
    /// chosen before modules are compiled.
    pub fn consume_fuel(&mut self, on: bool) -> &mut Self {
        self.consume_fuel = on;
        self
    }

    /// Replace every NaN produced by float arithmetic with the canonical NaN,
    /// so float results are the same on every CPU.
    pub fn canonicalize_nans(&mut self, on: bool) -> &mut Self {
        self.canonicalize_nans = on;
        self
    }

    /// Most nested Wasm calls before trapping with "call stack exhausted".
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = depth.max(1);
        self
    }

    /// Most value-stack slots (8 bytes each) one call tree may use before
    /// trapping with "call stack exhausted".
    pub fn max_stack_slots(&mut self, slots: usize) -> &mut Self {
        self.max_stack_slots = slots.max(1024);
        self
    }

    /// Translate each function body on its first call (the default) instead
    /// of all of them in [`crate::Module::new`].
    ///
    /// Either way `Module::new` validates the whole module first, so an
    /// invalid module is refused before anything runs; lazily, it then only
    /// notes where each body is, which makes start-up of large programs
    /// (most of whose functions never run) several times faster.
    /// Translation is deterministic and costs no fuel: fuel counts the
    /// guest's Wasm operators only, so a run meters and stops (fuel slices,
    /// suspensions) exactly alike in both modes. A module shared between
    /// threads translates each function once (threads calling it at the
    /// same time wait for the first). [`crate::Module::validate`] always
    /// translates everything.
    pub fn lazy_translation(&mut self, on: bool) -> &mut Self {
        self.lazy_translation = on;
        self
    }

    /// Keep up to `bytes` of freed linear-memory blocks (a block's whole
    /// size counts, and at most 64 blocks) for reuse by later memories of
    /// this engine's stores; 0, the default, frees every block when its
    /// store is dropped. A block is cleared before it is kept (only its
    /// chunks that are not zero are written), so a new memory is all zero
    /// and nothing a guest wrote outlives its store. Spawning many small
    /// short-lived instances then skips the allocator's `calloc` (or
    /// `mmap` and `munmap`) per memory; the cost is up to `bytes` of host
    /// memory held after the stores that used it are gone.
    pub fn memory_pool(&mut self, bytes: usize) -> &mut Self {
        self.memory_pool = bytes;
        self
    }

    /// Turn every implemented proposal beyond Wasm 2.0 on (the default) or
    /// off. With all off the engine accepts exactly Wasm 2.0 without SIMD,
    /// which the wasm-v2 specification scripts expect (they assert, for
    /// example, that a second memory is invalid).
    pub fn wasm_proposals(&mut self, on: bool) -> &mut Self {
        self.proposals = if on {
            IMPLEMENTED_PROPOSALS
        } else {
            WasmFeatures::empty()
        };
        self
    }

    /// Extended constant expressions: `i32/i64.add/sub/mul` in global
    /// initialisers and segment offsets (on by default).
    pub fn wasm_extended_const(&mut self, on: bool) -> &mut Self {
        self.proposal(WasmFeatures::EXTENDED_CONST, on)
    }

    /// Tail calls: `return_call` and `return_call_indirect` (and
    /// `return_call_ref` with function references), which replace the
    /// calling function in its frame: tail recursion runs in constant stack
    /// space (on by default).
    pub fn wasm_tail_call(&mut self, on: bool) -> &mut Self {
        self.proposal(WasmFeatures::TAIL_CALL, on)
    }

    /// Multiple memories: a module may define and import several memories;
    /// loads, stores, `memory.*` and data segments name one (on by default).
    pub fn wasm_multi_memory(&mut self, on: bool) -> &mut Self {
        self.proposal(WasmFeatures::MULTI_MEMORY, on)
    }

    /// 64-bit memories (memory64): i64 addresses, sizes and lengths. Such a
    /// memory still holds at most 4 GiB here. The proposal's 64-bit tables
    /// are not implemented: a module with one fails to compile with an
    /// "unsupported" error (on by default).
    pub fn wasm_memory64(&mut self, on: bool) -> &mut Self {
        self.proposal(WasmFeatures::MEMORY64, on)
    }

    /// Custom page sizes: a memory may have one-byte pages (on by default).
    pub fn wasm_custom_page_sizes(&mut self, on: bool) -> &mut Self {
        self.proposal(WasmFeatures::CUSTOM_PAGE_SIZES, on)
    }

    /// Wide arithmetic: `i64.add128`, `i64.sub128`, `i64.mul_wide_s/u` (on
    /// by default).
    pub fn wasm_wide_arithmetic(&mut self, on: bool) -> &mut Self {
        self.proposal(WasmFeatures::WIDE_ARITHMETIC, on)
    }

    /// Typed function references: `(ref $t)` types, `call_ref`,
    /// `return_call_ref`, `ref.as_non_null`, `br_on_null`, `br_on_non_null`,
    /// non-nullable locals, table initialisers (on by default).
    pub fn wasm_function_references(&mut self, on: bool) -> &mut Self {
        self.proposal(WasmFeatures::FUNCTION_REFERENCES, on)
    }

    /// The type system of the GC proposal, which Wasm 3.0's type rules
    /// need: recursion groups, declared subtypes (checked by
    /// `call_indirect` and when linking), struct and array *types*. The
    /// GC instructions (`struct.*`, `array.*`, `ref.i31`, casts) are not
    /// supported: a module using them fails to compile with an
    /// "unsupported" error; so the only values of the `any` hierarchy are
    /// null references ([`crate::ValType::AnyRef`]) (on by default).
    pub fn wasm_gc_types(&mut self, on: bool) -> &mut Self {
        self.proposal(WasmFeatures::GC_TYPES.union(WasmFeatures::GC), on)
    }

    /// Fixed-width SIMD: the `v128` type and its operators (on by
    /// default). A `v128` value occupies two adjacent 64-bit slots of the
    /// interpreter's frames. Turning it off also turns relaxed SIMD off.
    pub fn wasm_simd(&mut self, on: bool) -> &mut Self {
        if !on {
            self.proposal(WasmFeatures::RELAXED_SIMD, false);
        }
        self.proposal(WasmFeatures::SIMD, on)
    }

    /// Relaxed SIMD (on by default; needs [`Config::wasm_simd`]). Each
    /// relaxed operator gives one fixed, platform-independent result,
    /// documented in `docs/determinism.md` ("Relaxed SIMD"), so runs are
    /// reproducible on every machine.
    pub fn wasm_relaxed_simd(&mut self, on: bool) -> &mut Self {
        self.proposal(WasmFeatures::RELAXED_SIMD, on)
    }

    /// Exception handling: tags, `throw`, `throw_ref`, `try_table` and the
    /// `exnref` type, and the legacy encoding LLVM still emits (`try`,
    /// `catch`, `catch_all`, `delegate`, `rethrow`). An exception no
    /// handler catches ends the call with [`crate::TrapKind::UncaughtException`]
    /// (on by default).
    pub fn wasm_exceptions(&mut self, on: bool) -> &mut Self {
        self.proposal(
            WasmFeatures::EXCEPTIONS.union(WasmFeatures::LEGACY_EXCEPTIONS),
            on,
        )
    }

    /// Turns one proposal's features on or off.
    fn proposal(&mut self, features: WasmFeatures, on: bool) -> &mut Self {
        self.proposals.set(features, on);
        self
    }

    /// The features wasmparser validates and decodes with: Wasm 2.0 without
    /// SIMD, plus the enabled proposals.
    pub(crate) fn wasm_features(&self) -> WasmFeatures {
        WasmFeatures::WASM2.difference(WasmFeatures::SIMD) | self.proposals
    }

    /// Whether fuel metering is on.
    pub fn fuel_enabled(&self) -> bool {
        self.consume_fuel
    }
}
