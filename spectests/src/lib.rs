//! Spec test runner.
