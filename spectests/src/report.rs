//! The outcome of running one script: counts and the failures in detail.

use std::fmt;

/// One assertion (or setup directive) that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The script's name, as given to [`crate::run_wast`].
    pub file: String,
    /// 1-based line of the directive.
    pub line: usize,
    /// 1-based column of the directive.
    pub col: usize,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for Failure {
    /// Formats as `file:line:col: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// Counts of one script's assertions and the failures among them.
///
/// Every `assert_*` directive is one count, passed or failed. Other
/// directives (`module`, `register`, `invoke`, ...) are not counted when they
/// succeed, but one that fails is counted as a failure, since the assertions
/// after it cannot be trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The script's name.
    pub name: String,
    /// Assertions that held.
    pub passed: usize,
    /// Assertions or directives that failed; equals `failures.len()`.
    pub failed: usize,
    /// Every failure, in script order.
    pub failures: Vec<Failure>,
}

impl Report {
    /// An empty report for the script `name`.
    pub fn new(name: &str) -> Self {
        Report {
            name: name.to_string(),
            ..Report::default()
        }
    }

    /// Counts one assertion that held.
    pub fn pass(&mut self) {
        self.passed += 1;
    }

    /// Counts one failure at a 1-based line and column.
    pub fn fail(&mut self, line: usize, col: usize, message: impl Into<String>) {
        self.failed += 1;
        self.failures.push(Failure {
            file: self.name.clone(),
            line,
            col,
            message: message.into(),
        });
    }

    /// True when nothing failed.
    pub fn is_ok(&self) -> bool {
        self.failed == 0
    }

    /// The one-line summary `name: N passed, M failed`.
    pub fn summary_line(&self) -> String {
        format!(
            "{}: {} passed, {} failed",
            self.name, self.passed, self.failed
        )
    }
}

/// Totals over several reports: `(passed, failed)`.
pub fn totals<'a>(reports: impl IntoIterator<Item = &'a Report>) -> (usize, usize) {
    reports
        .into_iter()
        .fold((0, 0), |(p, f), r| (p + r.passed, f + r.failed))
}

/// The closing line `N passed, M failed` for a whole run.
pub fn totals_line<'a>(reports: impl IntoIterator<Item = &'a Report>) -> String {
    let (passed, failed) = totals(reports);
    format!("{passed} passed, {failed} failed")
}
