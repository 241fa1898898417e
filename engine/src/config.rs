//! Engine configuration.

/// How an [`crate::Engine`] translates and runs code. Fixed once the engine exists.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) consume_fuel: bool,
    pub(crate) canonicalize_nans: bool,
    pub(crate) max_call_depth: usize,
    pub(crate) max_stack_slots: usize,
    pub(crate) lazy_translation: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            consume_fuel: false,
            canonicalize_nans: false,
            max_call_depth: 100_000,
            max_stack_slots: 16 * 1024 * 1024,
            lazy_translation: true,
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

    /// Whether fuel metering is on.
    pub fn fuel_enabled(&self) -> bool {
        self.consume_fuel
    }
}
