//! Fuel accounting of a store: a total budget and a per-slice budget.

/// Fuel state. With metering off every method is a no-op and fuel is unlimited.
#[derive(Debug, Clone)]
pub(crate) struct FuelState {
    enabled: bool,
    /// Remaining total fuel.
    total: u64,
    consumed: u64,
    /// The slice's length, when `sliced` (two fields rather than an
    /// `Option`, whose tag would take 8 bytes: the state stays 48 bytes).
    slice: u64,
    sliced: bool,
    /// Remaining fuel in the current slice.
    slice_left: u64,
    /// A spent slice is refilled in place, without suspending, while
    /// `consumed` is below this (0: never; see [`FuelState::set_renewal`]).
    renew_below: u64,
    /// Slices refilled in place so far, wrapping (a `u32` beside `enabled`
    /// keeps the state, and a process's entry, as small as before).
    renewed: u32,
}

/// What a block that the budget cannot pay for should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FuelShortfall {
    /// The total budget is spent: trap.
    OutOfFuel,
    /// The slice is spent: suspend before the block.
    EndOfSlice,
}

impl FuelState {
    pub(crate) fn new(enabled: bool) -> Self {
        FuelState {
            enabled,
            total: u64::MAX,
            consumed: 0,
            slice: u64::MAX,
            sliced: false,
            slice_left: u64::MAX,
            renew_below: 0,
            renewed: 0,
        }
    }

    /// Lets a spent slice be refilled in place while `consumed` is below
    /// `below` and no host function has been called since (`call_host`
    /// ends it): for an embedder whose scheduler would resume this store
    /// at once with a fresh slice, having changed nothing.
    pub(crate) fn set_renewal(&mut self, below: u64) {
        self.renew_below = below;
    }

    /// Ends in-place renewal until the next [`FuelState::set_renewal`].
    #[inline]
    pub(crate) fn stop_renewal(&mut self) {
        self.renew_below = 0;
    }

    /// Slices refilled in place so far, wrapping.
    pub(crate) fn renewed(&self) -> u32 {
        self.renewed
    }

    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    pub(crate) fn set_total(&mut self, total: u64) {
        self.total = total;
    }

    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    pub(crate) fn consumed(&self) -> u64 {
        self.consumed
    }

    pub(crate) fn set_slice(&mut self, slice: Option<u64>) {
        self.slice = slice.unwrap_or(u64::MAX);
        self.sliced = slice.is_some();
        self.refill_slice();
    }

    /// Starts a new slice (at call start and at every resume).
    pub(crate) fn refill_slice(&mut self) {
        self.slice_left = self.slice;
    }

    /// Fuel the interpreter may spend before it must come back here.
    pub(crate) fn budget(&self) -> u64 {
        self.total.min(self.slice_left)
    }

    /// Records `used` fuel spent out of the last [`FuelState::budget`].
    pub(crate) fn commit(&mut self, used: u64) {
        self.total -= used;
        self.slice_left -= used;
        self.consumed += used;
    }

    /// Charges `amount` for host work done on the guest's behalf (a host
    /// function's work proportional to a guest-chosen size). Returns false,
    /// charging nothing, when the total budget cannot pay for it; the slice
    /// may go to zero (the guest then stops at its next charge).
    pub(crate) fn charge_host(&mut self, amount: u64) -> bool {
        if !self.enabled {
            return true;
        }
        if self.total < amount {
            return false;
        }
        self.total -= amount;
        self.slice_left = self.slice_left.saturating_sub(amount);
        self.consumed += amount;
        true
    }

    /// The threaded handlers' slice renewal: when committing `spent`
    /// ([`FuelState::commit`]) and then charging a block of `amount` that
    /// the rest of the budget cannot pay ([`FuelState::charge_slow`]) would
    /// renew the slice in place, does exactly that and returns the new
    /// [`FuelState::budget`]. Otherwise changes nothing and returns `None`:
    /// the caller steps out to the interpreter loop, whose slow path makes
    /// those calls itself (a block larger than a fresh slice, the end of a
    /// slice, the end of the fuel: rare).
    ///
    /// Tested on the uncommitted values and written once, so that the
    /// caller (a cold handler path) needs no call and saves no register.
    #[inline(always)]
    pub(crate) fn try_renew(&mut self, spent: u64, amount: u64) -> Option<u64> {
        let total = self.total - spent;
        let slice_left = self.slice_left - spent;
        let consumed = self.consumed + spent;
        // `charge_slow` after `commit` renews when the total can pay, the
        // slice cannot pay and is not fresh, and renewal is allowed.
        let renews = self.enabled
            && self.sliced
            && total >= amount
            && slice_left < amount
            && slice_left != self.slice
            && consumed < self.renew_below;
        if !renews {
            return None;
        }
        let total = total - amount;
        let slice_left = self.slice.saturating_sub(amount);
        self.total = total;
        self.slice_left = slice_left;
        self.consumed = consumed + amount;
        self.renewed = self.renewed.wrapping_add(1);
        Some(total.min(slice_left))
    }

    /// Charges a block of `amount` that exceeds the budget, if it may run.
    /// A block always runs at the start of a fresh slice, so a block larger
    /// than the slice cannot stall a process.
    pub(crate) fn charge_slow(&mut self, amount: u64) -> Result<(), FuelShortfall> {
        if self.total < amount {
            return Err(FuelShortfall::OutOfFuel);
        }
        let fresh = !self.sliced || self.slice_left == self.slice;
        if self.slice_left < amount && !fresh {
            if self.consumed >= self.renew_below {
                return Err(FuelShortfall::EndOfSlice);
            }
            // What suspending and being resumed at once would do: a fresh
            // slice (`Store::resume`), then this charge again, which a
            // fresh slice always takes once the total can pay.
            self.renewed = self.renewed.wrapping_add(1);
            self.refill_slice();
        }
        self.total -= amount;
        self.slice_left = self.slice_left.saturating_sub(amount);
        self.consumed += amount;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::FuelState;

    /// The fields a charge may change, for comparing two states.
    fn key(f: &FuelState) -> (u64, u64, u64, u32) {
        (f.total, f.consumed, f.slice_left, f.renewed)
    }

    /// `try_renew` renews exactly when `commit` + `charge_slow` would renew
    /// in place, leaving the same state and budget, and otherwise changes
    /// nothing.
    #[test]
    fn try_renew_is_commit_and_charge_slow_when_that_renews() {
        let mut renewals = 0;
        let mut declined = 0;
        for slice in [None, Some(1u64), Some(5), Some(10)] {
            for total in [0u64, 3, 9, 20, 40] {
                for spent in 0..=12u64 {
                    for amount in 0..=12u64 {
                        for renew_below in [0u64, 5, 100] {
                            let mut base = FuelState::new(true);
                            base.set_total(total);
                            base.set_slice(slice);
                            base.set_renewal(renew_below);
                            if spent > base.budget() {
                                continue;
                            }
                            let mut general = base.clone();
                            general.commit(spent);
                            let paid = general.charge_slow(amount).is_ok();
                            let renewed = general.renewed != base.renewed;
                            let mut fast = base.clone();
                            match fast.try_renew(spent, amount) {
                                Some(budget) => {
                                    renewals += 1;
                                    assert!(paid && renewed);
                                    assert_eq!(key(&fast), key(&general));
                                    assert_eq!(budget, general.budget());
                                }
                                None => {
                                    declined += 1;
                                    assert!(!renewed);
                                    assert_eq!(key(&fast), key(&base));
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(renewals > 0 && declined > 0);
    }
}
