//! The rule's metadata as data, so a host linter can register the rule and
//! render `explain`-style help without copying strings.

use crate::{Kind, RULE_CODE, RULE_NAME};

/// Metadata of the rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleMetadata {
    /// `ASYNC-TASK-OWNERSHIP`.
    pub code: &'static str,
    /// `async-task-ownership`.
    pub name: &'static str,
    /// One line.
    pub summary: &'static str,
    /// The whole rule documentation (Markdown).
    pub doc: &'static str,
    /// A stable URL of the documentation.
    pub url: &'static str,
}

/// The rule.
pub const RULE: RuleMetadata = RuleMetadata {
    code: RULE_CODE,
    name: RULE_NAME,
    summary: "Every background task needs an owner that stops it and hears about its failures",
    doc: include_str!("../../../docs/rules/async-task-ownership.md"),
    url: "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md",
};

/// Metadata of one kind.
#[derive(Debug, Clone, Copy)]
pub struct KindMetadata {
    /// The kind.
    pub kind: Kind,
    /// Its name (`no-shutdown`).
    pub name: &'static str,
    /// Its alias code (`ATO201`).
    pub code: &'static str,
    /// One line.
    pub summary: &'static str,
    /// The URL of its section in the documentation.
    pub url: &'static str,
}

/// One-line description of `kind`.
pub const fn summary(kind: Kind) -> &'static str {
    match kind {
        Kind::Dangling => "The task is discarded where it is spawned: nothing keeps it alive, stops it or sees it fail",
        Kind::UnawaitedLocal => "The task is bound to a local that the function never awaits, returns or hands on",
        Kind::NoShutdown => "No function of the owner cancels or awaits the task",
        Kind::CancelNotAwaited => "The owner cancels the task but never awaits it afterwards",
        Kind::CancelledErrorEscapes => "The owner awaits the cancelled task without handling `CancelledError`",
        Kind::UnguardedRestart => "A new task replaces the slot without checking or cancelling the old one",
        Kind::UnboundedCollection => "Tasks are added to a long-lived collection that is never pruned",
        Kind::SwallowsCancellation => "The task body catches `CancelledError` inside a loop and carries on",
        Kind::SilentFailure => "Nobody can ever see the task fail",
        Kind::ShutdownNotWired => "The project starts the owner but never calls its shutdown",
    }
}

const fn url(kind: Kind) -> &'static str {
    match kind {
        Kind::Dangling => "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md#dangling",
        Kind::UnawaitedLocal => "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md#unawaited-local",
        Kind::NoShutdown => "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md#no-shutdown",
        Kind::CancelNotAwaited => "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md#cancel-not-awaited",
        Kind::CancelledErrorEscapes => "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md#cancelled-error-escapes",
        Kind::UnguardedRestart => "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md#unguarded-restart",
        Kind::UnboundedCollection => "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md#unbounded-collection",
        Kind::SwallowsCancellation => "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md#swallows-cancellation",
        Kind::SilentFailure => "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md#silent-failure",
        Kind::ShutdownNotWired => "https://github.com/async-task-ownership/async-task-ownership/blob/main/docs/rules/async-task-ownership.md#shutdown-not-wired",
    }
}

/// Metadata of `kind`.
pub const fn kind_metadata(kind: Kind) -> KindMetadata {
    KindMetadata {
        kind,
        name: kind.name(),
        code: kind.code(),
        summary: summary(kind),
        url: url(kind),
    }
}

/// Metadata of every kind, in SPEC order.
pub fn kinds() -> impl Iterator<Item = KindMetadata> {
    Kind::ALL.into_iter().map(kind_metadata)
}
