//! The findings the rule can report, with their stable names and alias codes.

use serde::{Deserialize, Serialize};

/// One finding of ASYNC-TASK-OWNERSHIP (the names of SPEC §2–§4 and §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The task is discarded right where it is spawned.
    Dangling,
    /// The task is bound to a local that the function never awaits or hands on.
    UnawaitedLocal,
    /// No function of the owner cancels or awaits the task.
    NoShutdown,
    /// The owner cancels the task but never awaits it afterwards.
    CancelNotAwaited,
    /// The owner awaits the cancelled task without handling `CancelledError`.
    CancelledErrorEscapes,
    /// A new task replaces the slot without checking or cancelling the old one.
    UnguardedRestart,
    /// Tasks are added to a long-lived collection that is never pruned.
    UnboundedCollection,
    /// The task body catches `CancelledError` inside a loop and carries on.
    SwallowsCancellation,
    /// Nobody can ever see the task fail.
    SilentFailure,
    /// The project starts the owner but never calls its shutdown method.
    ShutdownNotWired,
}

impl Kind {
    /// Every kind, in the order of the specification.
    pub const ALL: [Kind; 10] = [
        Kind::Dangling,
        Kind::UnawaitedLocal,
        Kind::NoShutdown,
        Kind::CancelNotAwaited,
        Kind::CancelledErrorEscapes,
        Kind::UnguardedRestart,
        Kind::UnboundedCollection,
        Kind::SwallowsCancellation,
        Kind::SilentFailure,
        Kind::ShutdownNotWired,
    ];

    /// The kebab-case name used in messages, settings and fixtures (`no-shutdown`).
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Dangling => "dangling",
            Kind::UnawaitedLocal => "unawaited-local",
            Kind::NoShutdown => "no-shutdown",
            Kind::CancelNotAwaited => "cancel-not-awaited",
            Kind::CancelledErrorEscapes => "cancelled-error-escapes",
            Kind::UnguardedRestart => "unguarded-restart",
            Kind::UnboundedCollection => "unbounded-collection",
            Kind::SwallowsCancellation => "swallows-cancellation",
            Kind::SilentFailure => "silent-failure",
            Kind::ShutdownNotWired => "shutdown-not-wired",
        }
    }

    /// The short alias code (`ATO101`), accepted by Ruff's `# noqa` parser.
    pub const fn code(self) -> &'static str {
        match self {
            Kind::Dangling => "ATO101",
            Kind::UnawaitedLocal => "ATO102",
            Kind::NoShutdown => "ATO201",
            Kind::CancelNotAwaited => "ATO202",
            Kind::CancelledErrorEscapes => "ATO203",
            Kind::UnguardedRestart => "ATO204",
            Kind::UnboundedCollection => "ATO205",
            Kind::SwallowsCancellation => "ATO301",
            Kind::SilentFailure => "ATO302",
            Kind::ShutdownNotWired => "ATO401",
        }
    }

    /// Parses a kind from its name (`no-shutdown`) or alias code (`ATO201`),
    /// case-insensitively.
    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(text) || k.code().eq_ignore_ascii_case(text))
    }

    /// How serious the finding is, for the inventory's risk column.
    pub const fn risk(self) -> Risk {
        match self {
            Kind::Dangling
            | Kind::UnawaitedLocal
            | Kind::SwallowsCancellation
            | Kind::SilentFailure => Risk::High,
            Kind::NoShutdown
            | Kind::CancelNotAwaited
            | Kind::UnguardedRestart
            | Kind::UnboundedCollection
            | Kind::ShutdownNotWired => Risk::Medium,
            Kind::CancelledErrorEscapes => Risk::Low,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The risk of one spawn site: the highest risk of its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// No findings.
    None,
    /// The task is stopped, but its stopper misbehaves (e.g. `CancelledError` leaks).
    Low,
    /// The task can outlive its owner or leak memory.
    Medium,
    /// The task can vanish, hang shutdown or fail unseen.
    High,
}

impl Risk {
    /// The lower-case name (`none`, `low`, `medium`, `high`).
    pub const fn name(self) -> &'static str {
        match self {
            Risk::None => "none",
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}
