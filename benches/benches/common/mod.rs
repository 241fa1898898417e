//! The criterion settings shared by the bench targets.

use criterion::Criterion;
use std::time::Duration;

/// `samples` samples after a 0.5 s warm-up, about 2 s of measurement.
pub fn config(samples: usize) -> Criterion {
    Criterion::default()
        .sample_size(samples)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}
