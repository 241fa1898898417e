//! Benchmarks and the workload runner.
