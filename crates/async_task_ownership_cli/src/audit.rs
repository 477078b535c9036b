//! The `audit` report: the library's inventory (one [`TaskRecord`] per spawn
//! site) written as the manual audit it automates — a summary, one section
//! per spawn site, an architecture assessment, a compliance checklist whose
//! boxes follow from the findings, recommendations and a conclusion — or as
//! JSON with the same data.
//!
//! Everything here is presentation: the verdicts, owners, lifetimes and
//! shutdown lines come from the library; this module only puts them in words.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use async_task_ownership::{
    rule, CancelledErrorHandling, Kind, Lifetime, Owner, Risk, Scope, Site, TaskRecord,
};
use serde::Serialize;

use crate::check::{FileResult, Message};

/// One spawn site with its file and the diagnostics reported for it.
struct Entry<'a> {
    path: &'a str,
    record: &'a TaskRecord,
    messages: Vec<&'a Message>,
}

impl Entry<'_> {
    fn has_findings(&self) -> bool {
        !self.record.findings.is_empty()
    }

    fn has(&self, kinds: &[Kind]) -> bool {
        self.record.findings.iter().any(|k| kinds.contains(k))
    }

    /// Whether nobody may see the task fail: `silent-failure`, or a task
    /// nothing holds (`dangling`, `unawaited-local`) that nothing observes
    /// either (a done-callback that logs its exception does).
    fn fails_unseen(&self) -> bool {
        let ec = &self.record.exception_control;
        let observed = ec.awaited
            || !ec.observing_callbacks.is_empty()
            || ec.body_handlers.as_ref().is_some_and(|h| !h.is_empty());
        self.has(&[Kind::SilentFailure])
            || (self.has(&[Kind::Dangling, Kind::UnawaitedLocal]) && !observed)
    }

    fn location(&self) -> String {
        format!("{}:{}", self.path, self.record.line)
    }
}

fn entries(files: &[FileResult]) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    for file in files {
        for record in &file.inventory {
            // A diagnostic belongs to the spawn site it is reported at, or
            // (`swallows-cancellation`) that it names as a secondary location.
            let messages = file
                .messages
                .iter()
                .filter(|m| {
                    m.kind.is_some_and(|k| record.findings.contains(&k))
                        && (m.range == record.range
                            || m.secondary.iter().any(|s| s.range == record.range))
                })
                .collect();
            out.push(Entry {
                path: &file.entry.display,
                record,
                messages,
            });
        }
    }
    out
}

/// Counts for the summary.
#[derive(Debug, Default, Serialize)]
struct Summary {
    files: usize,
    files_with_syntax_errors: Vec<String>,
    spawn_sites: usize,
    production: usize,
    test: usize,
    with_findings: usize,
    with_findings_production: usize,
    with_findings_test: usize,
    healthy: usize,
    by_risk: BTreeMap<&'static str, usize>,
    by_kind: BTreeMap<&'static str, usize>,
}

fn summary(files: &[FileResult], entries: &[Entry<'_>]) -> Summary {
    let mut s = Summary {
        files: files.len(),
        files_with_syntax_errors: files
            .iter()
            .filter(|f| f.syntax_errors)
            .map(|f| f.entry.display.clone())
            .collect(),
        spawn_sites: entries.len(),
        ..Summary::default()
    };
    for e in entries {
        let test = e.record.scope == Scope::Test;
        if test {
            s.test += 1;
        } else {
            s.production += 1;
        }
        if e.has_findings() {
            s.with_findings += 1;
            if test {
                s.with_findings_test += 1;
            } else {
                s.with_findings_production += 1;
            }
        } else {
            s.healthy += 1;
        }
        *s.by_risk.entry(e.record.risk.name()).or_default() += 1;
        for k in &e.record.findings {
            *s.by_kind.entry(k.name()).or_default() += 1;
        }
    }
    s
}

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

#[derive(Serialize)]
struct RecordJson<'a> {
    path: &'a str,
    #[serde(flatten)]
    record: &'a TaskRecord,
    diagnostics: Vec<DiagnosticJson<'a>>,
}

#[derive(Serialize)]
struct DiagnosticJson<'a> {
    code: &'static str,
    kind: Option<&'static str>,
    message: &'a str,
    help: Option<&'a str>,
    row: usize,
    column: usize,
}

#[derive(Serialize)]
struct AuditJson<'a> {
    summary: Summary,
    tasks: Vec<RecordJson<'a>>,
}

/// `audit --format json`: the summary and every [`TaskRecord`] with its path
/// and diagnostics.
pub fn write_json(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    let entries = entries(files);
    let report = AuditJson {
        summary: summary(files, &entries),
        tasks: entries
            .iter()
            .map(|e| RecordJson {
                path: e.path,
                record: e.record,
                diagnostics: e
                    .messages
                    .iter()
                    .map(|m| DiagnosticJson {
                        code: m.code(),
                        kind: m.kind.map(Kind::name),
                        message: &m.body,
                        help: m.help.as_deref(),
                        row: m.start.row,
                        column: m.start.column,
                    })
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

// ---------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------

/// `audit` (Markdown), shaped like a manual task audit.
pub fn write_markdown(
    out: &mut dyn Write,
    paths: &[String],
    files: &[FileResult],
) -> io::Result<()> {
    let entries = entries(files);
    let summary = summary(files, &entries);
    let mut md = String::new();
    let _ = markdown(&mut md, paths, &summary, &entries);
    out.write_all(md.as_bytes())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// How many places a line of the report names before it counts the rest
/// (the JSON report lists them all).
const MAX_SITES: usize = 10;

fn sites(sites: &[Site]) -> String {
    let mut s = sites
        .iter()
        .take(MAX_SITES)
        .map(|s| format!("`{}` (line {})", s.function, s.line))
        .collect::<Vec<_>>()
        .join(", ");
    match sites.len().saturating_sub(MAX_SITES) {
        0 => {}
        1 => s.push_str(" and 1 other place"),
        n => {
            let _ = write!(s, " and {n} other places");
        }
    }
    s
}

fn lines(lines: &[u32]) -> String {
    let words: Vec<String> = lines.iter().map(u32::to_string).collect();
    match words.len() {
        1 => format!("line {}", words[0]),
        _ => format!("lines {}", words.join(", ")),
    }
}

fn risk_badge(risk: Risk, findings: &[Kind], scope: Scope) -> String {
    let names = findings
        .iter()
        .map(|k| format!("`{}`", k.name()))
        .collect::<Vec<_>>()
        .join(", ");
    match risk {
        Risk::None if scope == Scope::Test => "✅ **NONE - TEST CODE, PROPERLY CONTROLLED**".into(),
        Risk::None => "✅ **NONE - PROPERLY CONTROLLED**".into(),
        Risk::Low => format!("⚠️ **LOW** - {names}"),
        Risk::Medium => format!("⚠️ **MEDIUM** - {names}"),
        Risk::High => format!("❌ **HIGH** - {names}"),
    }
}

fn purpose(r: &TaskRecord) -> String {
    let mut s = match &r.purpose.coroutine {
        Some(c) => format!("Runs `{c}`"),
        None => "Runs an awaitable that is not a call (its body is not known here)".into(),
    };
    if let Some(doc) = &r.purpose.doc {
        let _ = write!(s, ": {}", doc.trim_end_matches('.'));
    }
    if let Some(line) = r.purpose.defined_at {
        let _ = write!(s, " (defined at line {line})");
    }
    s.push('.');
    s
}

fn lifetime(l: &Lifetime) -> String {
    match l {
        Lifetime::Statement => "Until the end of the spawning statement".into(),
        Lifetime::Function { name } => format!("Until `{name}` returns"),
        Lifetime::Object { class } => format!("As long as an object of class `{class}`"),
        Lifetime::Module => "As long as the module: the whole process".into(),
        Lifetime::Unknown => "Unknown: nothing here holds the task".into(),
        Lifetime::Application { stopped, .. } if stopped.is_empty() => format!(
            "Application lifetime, but shutdown is not wired: {}",
            l.describe().trim_start_matches("application: ")
        ),
        Lifetime::Application { .. } => format!(
            "Application lifetime, its shutdown wired into the application's lifecycle: {}",
            l.describe().trim_start_matches("application: ")
        ),
    }
}

fn shutdown_lines(r: &TaskRecord) -> Vec<String> {
    let sh = &r.shutdown;
    let mut v = Vec::new();
    if !sh.cancelled_at.is_empty() {
        v.push(format!(
            "Cancelled with `.cancel()` in {}",
            sites(&sh.cancelled_at)
        ));
    }
    if !sh.awaited_at.is_empty() {
        v.push(format!("Awaited in {}", sites(&sh.awaited_at)));
    }
    match sh.cancelled_error {
        CancelledErrorHandling::Suppressed => {
            v.push("`CancelledError` from the cancelled task is suppressed where it is awaited".into());
        }
        CancelledErrorHandling::Escapes => v.push(
            "`CancelledError` from the cancelled task escapes to the caller of the stopping function"
                .into(),
        ),
        CancelledErrorHandling::NotApplicable => {}
    }
    if !sh.cleared_at.is_empty() {
        v.push(format!("Reference cleared in {}", sites(&sh.cleared_at)));
    }
    if !sh.handed_on_at.is_empty() {
        v.push(format!(
            "Handed to a call this module does not define in {}: it may be stopped there",
            sites(&sh.handed_on_at)
        ));
    }
    if v.is_empty() {
        v.push(match &r.owner {
            Owner::Inline if sh.returns_early => "Awaited where it is spawned, by an \
                `asyncio.wait` that may return first (`return_when`, `timeout`): if still \
                pending then, it outlives the statement"
                .into(),
            Owner::Inline => "Awaited where it is spawned: it cannot outlive the statement".into(),
            Owner::Transferred { to } => {
                format!("Handed on ({to}): stopping it is the receiver's job")
            }
            Owner::Discarded => "None: nothing holds the task, so nothing can stop it".into(),
            _ => "None: no function of its owner cancels or awaits it".into(),
        });
    }
    v
}

fn exception_control(r: &TaskRecord) -> String {
    let ec = &r.exception_control;
    let mut parts = Vec::new();
    if ec.awaited {
        parts.push("awaited by its owner, which receives its exception".to_string());
    }
    if !ec.observing_callbacks.is_empty() {
        parts.push(format!(
            "observed by a done-callback ({})",
            lines(&ec.observing_callbacks)
        ));
    }
    match &ec.body_handlers {
        // The body also catches `CancelledError` somewhere (the finding
        // names where): these handlers are not said to miss it.
        Some(h)
            if !h.is_empty()
                && (r.findings.contains(&Kind::SwallowsCancellation) || ec.body_handles_cancel) =>
        {
            parts.push(format!("its body handles `Exception` ({})", lines(h)))
        }
        Some(h) if !h.is_empty() => parts.push(format!(
            "its body handles `Exception` ({}), which does not catch `CancelledError`",
            lines(h)
        )),
        Some(_) => parts.push("its body has no handler for `Exception`".into()),
        None if r.purpose.defined_at.is_some() => parts.push(
            "its body is not read as the task's (a decorator or a factory stands between)".into(),
        ),
        None => parts.push("its body is not defined in this module".into()),
    }
    let observed = ec.awaited
        || !ec.observing_callbacks.is_empty()
        || ec.body_handlers.as_ref().is_some_and(|h| !h.is_empty());
    let mut s = parts.join("; ");
    if let Some(first) = s.get(..1) {
        s = first.to_uppercase() + &s[1..];
    }
    if !observed && ec.body_handlers.is_some() && !matches!(r.owner, Owner::Transferred { .. }) {
        s.push_str(" — nobody sees it fail");
    }
    s
}

fn reasoning(e: &Entry<'_>) -> Vec<String> {
    let r = e.record;
    let mut v = Vec::new();
    v.push(match &r.owner {
        Owner::Discarded => {
            "Nothing keeps a reference to the task: the event loop holds tasks only \
             weakly, so it can be garbage-collected while it runs, and nobody can stop it or \
             see it fail"
                .to_string()
        }
        Owner::Inline if r.shutdown.returns_early => "The task is awaited where it is spawned, \
             by an `asyncio.wait` that may return before it ends: a task still pending then \
             outlives the spawning statement"
            .to_string(),
        Owner::Inline => "The task is awaited where it is spawned, so it cannot outlive the \
             spawning statement"
            .to_string(),
        Owner::Local { name, function } => {
            format!("The task is held by local `{name}` of `{function}`")
        }
        Owner::Attribute { class, attr } => {
            format!("The task is stored in `self.{attr}`, so every `{class}` object owns its task")
        }
        Owner::Collection { holder, name } => {
            format!("The task is kept in collection `{name}` of {holder}")
        }
        Owner::Module { name } => {
            format!("The task is bound to module-level `{name}` and lives as long as the process")
        }
        Owner::Transferred { to } => format!(
            "The task is handed on ({to}); whoever receives it is responsible for it, so it is \
             not judged here"
        ),
    });
    let sh = &r.shutdown;
    let long_lived = matches!(
        r.owner,
        Owner::Attribute { .. } | Owner::Collection { .. } | Owner::Module { .. }
    );
    // An await after a cancel is what sets how its `CancelledError` is met.
    let awaited_after_cancel = sh.cancelled_error != CancelledErrorHandling::NotApplicable;
    if !sh.cancelled_at.is_empty() && !sh.awaited_at.is_empty() && awaited_after_cancel {
        v.push(
            "Its owner cancels it and then waits for it, so shutdown does not return while the \
             task still runs"
                .into(),
        );
    } else if !sh.cancelled_at.is_empty() && !sh.awaited_at.is_empty() {
        v.push(
            "Its owner waits for it and cancels it, but the cancelling function does not wait for \
             it afterwards: the task may still run when that function returns"
                .into(),
        );
    } else if !sh.cancelled_at.is_empty() && !sh.handed_on_at.is_empty() {
        v.push(format!(
            "Its owner cancels it, and hands it to code outside this module in {}, which is not \
             followed: whether that waits for it is not judged here",
            sites(&sh.handed_on_at)
        ));
    } else if !sh.cancelled_at.is_empty() {
        v.push("Its owner cancels it but never waits for it: shutdown returns while the task may still run".into());
    } else if !sh.awaited_at.is_empty() {
        v.push("Its owner waits for it to finish on its own".into());
    } else if !sh.handed_on_at.is_empty() {
        v.push(
            "Its owner hands it to code outside this module, which is not followed: whether \
             that stops it is not judged here"
                .into(),
        );
    } else if long_lived {
        v.push(
            "No function of its owner cancels or awaits it: it runs until the process exits".into(),
        );
    }
    match sh.cancelled_error {
        CancelledErrorHandling::Suppressed => v.push(
            "The `CancelledError` raised by awaiting the cancelled task is suppressed, so the \
             caller of the stopping function is not cancelled by mistake"
                .into(),
        ),
        CancelledErrorHandling::Escapes => v.push(
            "The `CancelledError` raised by awaiting the cancelled task reaches the caller of the \
             stopping function, where it looks like its own cancellation"
                .into(),
        ),
        CancelledErrorHandling::NotApplicable => {}
    }
    if !sh.cleared_at.is_empty() && !sh.cancelled_at.is_empty() {
        v.push(
            "The reference is cleared after stopping, so a later start creates a fresh task".into(),
        );
    } else if !sh.cleared_at.is_empty() {
        v.push("The reference is dropped when the task is done or replaced".into());
    }
    let ec = &r.exception_control;
    if ec.awaited {
        v.push("Its failures reach the code that awaits it".into());
    } else if !ec.observing_callbacks.is_empty() {
        v.push(format!(
            "A done-callback ({}) observes its failures",
            lines(&ec.observing_callbacks)
        ));
    } else if ec.body_handlers.as_ref().is_some_and(|h| !h.is_empty()) && ec.body_handles_cancel {
        v.push(
            "Its body handles errors itself (a handler that also catches `CancelledError`)".into(),
        );
    } else if ec.body_handlers.as_ref().is_some_and(|h| !h.is_empty()) {
        v.push("Its body handles errors itself, and cancellation still propagates (`except Exception` does not catch `CancelledError`)".into());
    } else if ec.body_handlers.is_some() && !sh.handed_on_at.is_empty() {
        v.push(format!(
            "No code of this module observes its failures; the code it is handed to in {} may",
            sites(&sh.handed_on_at)
        ));
    } else if ec.body_handlers.is_some()
        && !matches!(r.owner, Owner::Inline | Owner::Transferred { .. })
    {
        v.push("Nobody observes its failures: an exception would surface only as \"Task exception was never retrieved\" when the task is collected".into());
    }
    if r.scope == Scope::Test {
        v.push(
            "Test code: judged like production code (exclude it with `per-file-ignores` if wanted)"
                .into(),
        );
    }
    for m in &e.messages {
        v.push(format!(
            "`{}` [{}]: {}",
            m.code(),
            m.kind.map_or("", Kind::name),
            m.body
        ));
    }
    if !e.has_findings() {
        v.push("No risk of a task leak, a zombie task or a silent failure".into());
    }
    v
}

fn action(e: &Entry<'_>) -> String {
    if !e.has_findings() {
        return if e.record.scope == Scope::Test {
            "✅ **SAFE AS IS - NO FIX NEEDED (TEST CODE)**".into()
        } else {
            "✅ **SAFE AS IS - NO FIX NEEDED**".into()
        };
    }
    let mut s = String::from("🔧 **FIX NEEDED**");
    let mut seen: Vec<&str> = Vec::new();
    for kind in &e.record.findings {
        match e.messages.iter().find(|m| m.kind == Some(*kind)) {
            Some(m) => {
                let help = m.help.as_deref().unwrap_or_default();
                if !seen.contains(&help) {
                    seen.push(help);
                    let _ = write!(s, "\n- {help}");
                }
            }
            // Suppressed by `# noqa` or `per-file-ignores`: the inventory
            // still lists the finding.
            None => {
                let _ = write!(
                    s,
                    "\n- `{}` [{}]: {} (suppressed here by `# noqa` or `per-file-ignores`)",
                    kind.code(),
                    kind.name(),
                    rule::summary(*kind)
                );
            }
        }
    }
    s
}

/// The compliance checklist: each item is violated by these kinds.
const CHECKLIST: &[(&str, &[Kind])] = &[
    (
        "No uncontrolled background tasks",
        &[Kind::Dangling, Kind::UnawaitedLocal, Kind::NoShutdown],
    ),
    (
        "All tasks have ownership",
        &[Kind::Dangling, Kind::UnawaitedLocal],
    ),
    (
        "All tasks have explicit lifecycle",
        &[
            Kind::NoShutdown,
            Kind::UnguardedRestart,
            Kind::ShutdownNotWired,
        ],
    ),
    (
        "All tasks have guaranteed shutdown",
        &[
            Kind::NoShutdown,
            Kind::CancelNotAwaited,
            Kind::CancelledErrorEscapes,
            Kind::SwallowsCancellation,
            Kind::ShutdownNotWired,
        ],
    ),
    (
        "All tasks have exception control",
        &[Kind::Dangling, Kind::UnawaitedLocal, Kind::SilentFailure],
    ),
    (
        "No risk of memory leaks",
        &[Kind::UnboundedCollection, Kind::UnguardedRestart],
    ),
    (
        "No risk of zombie tasks",
        &[
            Kind::NoShutdown,
            Kind::CancelNotAwaited,
            Kind::SwallowsCancellation,
            Kind::UnguardedRestart,
            Kind::ShutdownNotWired,
        ],
    ),
    (
        "No risk of silent failures",
        &[Kind::Dangling, Kind::UnawaitedLocal, Kind::SilentFailure],
    ),
];

fn owner_class(o: &Owner) -> &'static str {
    match o {
        Owner::Discarded => "discarded",
        Owner::Inline => "awaited inline",
        Owner::Local { .. } => "held by a local",
        Owner::Attribute { .. } => "owned by an attribute slot",
        Owner::Collection { .. } => "kept in a collection",
        Owner::Module { .. } => "owned by a module-level name",
        Owner::Transferred { .. } => "handed on",
    }
}

fn markdown(
    md: &mut String,
    paths: &[String],
    s: &Summary,
    entries: &[Entry<'_>],
) -> std::fmt::Result {
    let max_risk = entries
        .iter()
        .map(|e| e.record.risk)
        .max()
        .unwrap_or(Risk::None);
    let quoted: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();

    writeln!(md, "# ASYNC-TASK-OWNERSHIP — BACKGROUND TASK AUDIT REPORT")?;
    writeln!(md)?;
    writeln!(md, "Audited paths: {}  ", quoted.join(", "))?;
    writeln!(md, "Rule: `ASYNC-TASK-OWNERSHIP` — {}", rule::RULE.summary)?;
    writeln!(md)?;
    writeln!(md, "## Summary")?;
    writeln!(md)?;
    writeln!(md, "**Total spawn sites found**: {}", s.spawn_sites)?;
    writeln!(md, "- **Production code**: {}", s.production)?;
    writeln!(md, "- **Test code**: {}", s.test)?;
    writeln!(
        md,
        "- **With findings**: {} ({} production, {} test)",
        s.with_findings, s.with_findings_production, s.with_findings_test
    )?;
    writeln!(md, "- **Healthy**: {}", s.healthy)?;
    writeln!(md)?;
    writeln!(
        md,
        "**Files audited**: {}",
        s.files - s.files_with_syntax_errors.len()
    )?;
    if !s.files_with_syntax_errors.is_empty() {
        writeln!(md)?;
        writeln!(
            md,
            "**Not audited (syntax errors)**: {}",
            s.files_with_syntax_errors
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    writeln!(md)?;
    if s.with_findings == 0 {
        if s.spawn_sites == 0 {
            writeln!(md, "**Result**: No spawn sites found. No fixes required.")?;
        } else {
            writeln!(
                md,
                "**Result**: All spawn sites are properly controlled. No fixes required."
            )?;
        }
    } else {
        let risks: Vec<String> = [Risk::High, Risk::Medium, Risk::Low]
            .into_iter()
            .filter_map(|r| {
                let n = s.by_risk.get(r.name()).copied().unwrap_or(0);
                (n > 0).then(|| format!("{n} {} risk", r.name()))
            })
            .collect();
        writeln!(
            md,
            "**Result**: {} of {} need attention ({}).",
            s.with_findings,
            plural(s.spawn_sites, "spawn site", "spawn sites"),
            risks.join(", ")
        )?;
    }
    writeln!(md)?;
    writeln!(md, "---")?;
    writeln!(md)?;

    writeln!(md, "## Detailed Findings")?;
    writeln!(md)?;
    if entries.is_empty() {
        writeln!(md, "No spawn sites (`asyncio.create_task`, `ensure_future`, `loop.create_task`, …) were found.")?;
        writeln!(md)?;
        writeln!(md, "---")?;
        writeln!(md)?;
    }
    for (i, e) in entries.iter().enumerate() {
        let r = e.record;
        let scope = match r.scope {
            Scope::Production => "Production Code",
            Scope::Test => "Test Code",
        };
        let what = r
            .purpose
            .coroutine
            .as_deref()
            .map_or_else(String::new, |c| format!(" spawns `{c}`"));
        writeln!(
            md,
            "### Instance {}: {scope} - `{}`{what}",
            i + 1,
            r.spawned_in
        )?;
        writeln!(md)?;
        writeln!(md, "**FILE**: `{}`  ", e.path)?;
        writeln!(md, "**LINE**: {}  ", r.line)?;
        writeln!(md, "**SPAWN API**: `{}`  ", r.api)?;
        writeln!(md, "**TASK PURPOSE**: {}  ", purpose(r))?;
        writeln!(md, "**OWNER**: {}  ", r.owner.describe())?;
        let mut life = lifetime(&r.lifetime);
        if r.shutdown.returns_early {
            life.push_str(", or longer if still pending when the wait returns");
        }
        writeln!(md, "**LIFETIME**: {life}  ")?;
        writeln!(md, "**SHUTDOWN BEHAVIOR**:")?;
        for line in shutdown_lines(r) {
            writeln!(md, "- {line}")?;
        }
        writeln!(md)?;
        writeln!(md, "**EXCEPTION CONTROL**: {}  ", exception_control(r))?;
        writeln!(
            md,
            "**SCOPE**: {}",
            match r.scope {
                Scope::Production => "production",
                Scope::Test => "test",
            }
        )?;
        writeln!(md)?;
        writeln!(md, "**RISK**: {}", risk_badge(r.risk, &r.findings, r.scope))?;
        writeln!(md)?;
        writeln!(md, "**ACTION**: {}", action(e))?;
        writeln!(md)?;
        writeln!(md, "**REASONING**:")?;
        for (n, line) in reasoning(e).iter().enumerate() {
            writeln!(md, "{}. {line}", n + 1)?;
        }
        writeln!(md)?;
        writeln!(md, "---")?;
        writeln!(md)?;
    }

    writeln!(md, "## Architecture Assessment")?;
    writeln!(md)?;
    let state = match max_risk {
        Risk::None => "✅ HEALTHY",
        Risk::Low => "⚠️ MOSTLY HEALTHY",
        Risk::Medium => "⚠️ NEEDS ATTENTION",
        Risk::High => "❌ AT RISK",
    };
    writeln!(md, "### Current State: {state}")?;
    writeln!(md)?;
    let mut owners: BTreeMap<&str, usize> = BTreeMap::new();
    for e in entries {
        *owners.entry(owner_class(&e.record.owner)).or_default() += 1;
    }
    let owners: Vec<String> = owners.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let long_lived: Vec<&Entry<'_>> = entries
        .iter()
        .filter(|e| {
            matches!(
                e.record.owner,
                Owner::Attribute { .. } | Owner::Collection { .. } | Owner::Module { .. }
            )
        })
        .collect();
    let stopped = long_lived
        .iter()
        .filter(|e| {
            !e.record.shutdown.cancelled_at.is_empty() || !e.record.shutdown.awaited_at.is_empty()
        })
        .count();
    let clean_shutdown = long_lived
        .iter()
        .filter(|e| {
            !e.record.shutdown.cancelled_at.is_empty()
                && !e.record.shutdown.awaited_at.is_empty()
                && e.record.shutdown.cancelled_error == CancelledErrorHandling::Suppressed
        })
        .count();
    let observed = entries.iter().filter(|e| !e.fails_unseen()).count();
    writeln!(
        md,
        "1. **Spawn sites**: {} in {} ({} production, {} test)",
        s.spawn_sites,
        plural(
            entries
                .iter()
                .map(|e| e.path)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            "file",
            "files"
        ),
        s.production,
        s.test
    )?;
    writeln!(
        md,
        "2. **Ownership**: {}",
        if owners.is_empty() {
            "no tasks".to_string()
        } else {
            owners.join(", ")
        }
    )?;
    writeln!(
        md,
        "3. **Explicit lifecycle**: {stopped} of {} long-lived tasks are cancelled or awaited by their owner",
        long_lived.len()
    )?;
    writeln!(
        md,
        "4. **Guaranteed shutdown**: {clean_shutdown} of {} long-lived tasks are cancelled, awaited and have `CancelledError` handled",
        long_lived.len()
    )?;
    writeln!(
        md,
        "5. **Exception control**: {observed} of {} tasks can be seen failing",
        s.spawn_sites
    )?;
    if s.by_kind.is_empty() {
        writeln!(md, "6. **Findings**: none")?;
    } else {
        let kinds: Vec<String> = Kind::ALL
            .iter()
            .filter_map(|k| {
                s.by_kind
                    .get(k.name())
                    .map(|n| format!("`{}` {} ×{n}", k.code(), k.name()))
            })
            .collect();
        writeln!(md, "6. **Findings**: {}", kinds.join(", "))?;
    }
    writeln!(md)?;

    writeln!(md, "### Compliance Check")?;
    writeln!(md)?;
    for (item, kinds) in CHECKLIST {
        let offenders: Vec<String> = entries
            .iter()
            .filter(|e| {
                // The failure items ask whether anybody sees it fail.
                if kinds.contains(&Kind::SilentFailure) {
                    e.fails_unseen()
                } else {
                    e.has(kinds)
                }
            })
            .map(|e| format!("`{}`", e.location()))
            .collect();
        if offenders.is_empty() {
            writeln!(md, "✅ {item}  ")?;
        } else {
            writeln!(md, "❌ {item} — {}  ", offenders.join(", "))?;
        }
    }
    writeln!(md)?;
    writeln!(md, "---")?;
    writeln!(md)?;

    writeln!(md, "## Recommendations")?;
    writeln!(md)?;
    if s.with_findings == 0 {
        writeln!(md, "### Current Implementation: ACCEPT AS IS")?;
        writeln!(md)?;
        writeln!(md, "No changes recommended.")?;
    } else {
        writeln!(md, "### Fix, by finding")?;
        writeln!(md)?;
        for kind in Kind::ALL {
            let with: Vec<&Entry<'_>> = entries.iter().filter(|e| e.has(&[kind])).collect();
            if with.is_empty() {
                continue;
            }
            let at: Vec<String> = with.iter().map(|e| format!("`{}`", e.location())).collect();
            writeln!(
                md,
                "- **`{}` {}** ({}): {}. See {}.",
                kind.code(),
                kind.name(),
                at.join(", "),
                rule::summary(kind),
                rule::kind_metadata(kind).url
            )?;
        }
    }
    writeln!(md)?;
    writeln!(md, "### The pattern to keep")?;
    writeln!(md)?;
    writeln!(md, "1. Store the task reference on its owner (`self._task`, or a set pruned by `add_done_callback(self._tasks.discard)`)")?;
    writeln!(md, "2. Provide explicit `start()` and `stop()` methods; `start()` refuses to replace a running task")?;
    writeln!(md, "3. Cancel in `stop()` with `task.cancel()`, then await it under `contextlib.suppress(asyncio.CancelledError)`")?;
    writeln!(
        md,
        "4. Handle `Exception` in the task body (log it), never `CancelledError`"
    )?;
    writeln!(md, "5. Call `stop()` from the application's shutdown (the lifespan after `yield`); on Python 3.11+ prefer `asyncio.TaskGroup` for tasks with a bounded scope")?;
    writeln!(md)?;
    writeln!(md, "---")?;
    writeln!(md)?;

    writeln!(md, "## Conclusion")?;
    writeln!(md)?;
    if s.with_findings == 0 {
        writeln!(md, "**Status**: ✅ **AUDIT COMPLETE - NO FIXES REQUIRED**")?;
        writeln!(md)?;
        if s.spawn_sites > 0 {
            writeln!(md, "All spawn sites are properly controlled with clear ownership, explicit lifecycle management, guaranteed shutdown and exception control.")?;
        } else {
            writeln!(md, "The audited code starts no background tasks.")?;
        }
    } else {
        writeln!(
            md,
            "**Status**: ❌ **AUDIT COMPLETE - {} REQUIRED**",
            if s.with_findings == 1 {
                "1 FIX".to_string()
            } else {
                format!("{} FIXES", s.with_findings)
            }
        )?;
        writeln!(md)?;
        writeln!(
            md,
            "{} of {} can leak, outlive their owner, hang shutdown or fail unseen; the sections above name the lines and the fix.",
            s.with_findings,
            plural(s.spawn_sites, "spawn site", "spawn sites")
        )?;
    }
    writeln!(md)?;
    writeln!(md, "**Spawn sites**: {}  ", s.spawn_sites)?;
    writeln!(md, "**With findings**: {}  ", s.with_findings)?;
    let level = match max_risk {
        Risk::None => "None",
        Risk::Low => "Low",
        Risk::Medium => "Medium",
        Risk::High => "High",
    };
    writeln!(md, "**Risk Level**: {level}")?;
    Ok(())
}
