//! Exit statuses, as Ruff's: 0 no diagnostics, 1 diagnostics, 2 an error.

use std::process::ExitCode;

/// How the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing found (or `--exit-zero`, or a closed output pipe).
    Success,
    /// Diagnostics were found.
    Failure,
    /// Bad configuration, an unreadable path or a non-UTF-8 file.
    Error,
}

impl ExitStatus {
    /// An error wins over diagnostics.
    pub fn of(errors: bool, diagnostics: bool) -> Self {
        if errors {
            ExitStatus::Error
        } else if diagnostics {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::from(0),
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}
