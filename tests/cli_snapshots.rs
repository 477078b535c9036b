//! Snapshots of the bundled example project (`examples/`): the `full` and
//! `concise` diagnostics and the Markdown audit, as a user sees them after
//! the README's first command.

mod cli_support;

use cli_support::{cmd, json, repo, stdout};

fn run(args: &[&str]) -> (Option<i32>, String) {
    let output = cmd(repo()).args(args).output().expect("runs");
    assert_eq!(cli_support::stderr(&output), "");
    (output.status.code(), stdout(&output))
}

#[test]
fn example_full() {
    let (code, out) = run(&["check", "examples/"]);
    assert_eq!(code, Some(1));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("example_full", out);
    });
}

#[test]
fn example_concise() {
    let (code, out) = run(&["check", "--output-format", "concise", "examples/"]);
    assert_eq!(code, Some(1));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("example_concise", out);
    });
}

#[test]
fn example_audit_markdown() {
    let (code, out) = run(&["audit", "examples/"]);
    assert_eq!(code, Some(0));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("example_audit", out);
    });
}

#[test]
fn example_audit_json_has_the_same_data() {
    let output = cmd(repo())
        .args(["audit", "--format", "json", "examples/"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    let tasks = report["tasks"].as_array().expect("tasks");
    let summary = &report["summary"];
    assert_eq!(summary["spawn_sites"].as_u64(), Some(tasks.len() as u64));
    let test = tasks.iter().filter(|t| t["scope"] == "test").count() as u64;
    assert_eq!(summary["test"].as_u64(), Some(test));
    assert_eq!(
        summary["production"].as_u64(),
        Some(tasks.len() as u64 - test)
    );
    let with_findings = tasks
        .iter()
        .filter(|t| t["findings"].as_array().is_some_and(|f| !f.is_empty()))
        .count() as u64;
    assert_eq!(summary["with_findings"].as_u64(), Some(with_findings));
    for t in tasks {
        // A TaskRecord, with the path of its file.
        let path = t["path"].as_str().expect("a path");
        assert!(
            path.starts_with("examples/") && path.ends_with(".py"),
            "{path}"
        );
        for key in [
            "line",
            "column",
            "api",
            "spawned_in",
            "purpose",
            "owner",
            "lifetime",
            "shutdown",
            "exception_control",
            "scope",
            "findings",
            "risk",
            "diagnostics",
        ] {
            assert!(t.get(key).is_some(), "missing `{key}` in {t}");
        }
        let findings = t["findings"].as_array().expect("findings").len();
        let diagnostics = t["diagnostics"].as_array().expect("diagnostics").len();
        assert_eq!(findings, diagnostics, "{t}");
    }
    // The healthy scheduler and the broken worker of the example.
    assert!(tasks
        .iter()
        .any(|t| t["path"] == "examples/app/scheduler.py"
            && t["risk"] == "none"
            && t["owner"]["kind"] == "attribute"));
    assert!(tasks.iter().any(|t| t["path"] == "examples/app/worker.py"
        && t["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|k| k == "dangling"))));
    assert!(tasks
        .iter()
        .any(|t| t["path"] == "examples/tests/test_worker.py" && t["scope"] == "test"));
}

#[test]
fn example_has_healthy_and_broken_tasks() {
    let (_, out) = run(&["check", "--output-format", "concise", "examples/"]);
    for needle in [
        "examples/app/worker.py:46:9: ATO101 [dangling]",
        "ATO202 [cancel-not-awaited]",
        "ATO205 [unbounded-collection]",
    ] {
        assert!(out.contains(needle), "{needle} in {out}");
    }
    assert!(!out.contains("scheduler.py"), "{out}");
    assert!(!out.contains("test_worker.py"), "{out}");
    assert!(!out.contains("generated/"), "{out}");
}

/// SPEC §9 in the driver: a project that starts its scheduler in the
/// lifespan and never stops it. `check` reports `shutdown-not-wired` at the
/// spawn with the start call named; the audit says where it is started and
/// that its shutdown is not wired.
#[test]
fn project_not_wired_check_and_audit() {
    let dir = "tests/fixtures/projects/not_wired";
    let (code, out) = run(&["check", "--output-format", "concise", dir]);
    assert_eq!(code, Some(1));
    assert!(out.contains("ATO401 [shutdown-not-wired]"), "{out}");
    assert!(
        out.contains("started at tests/fixtures/projects/not_wired/app/main.py:8"),
        "{out}"
    );
    // The full format shows the spawn line: the join read the owner's file
    // again (its text is not kept while the other files are checked).
    let (code, full) = run(&["check", dir]);
    assert_eq!(code, Some(1));
    assert!(
        full.contains("17 |         self._task = asyncio.create_task(self._loop())"),
        "{full}"
    );
    let (code, audit) = run(&["audit", dir]);
    assert_eq!(code, Some(0));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("project_not_wired_audit", audit);
    });
}

/// A single file on standard input gets the one-module result: no join.
#[test]
fn stdin_gets_the_one_module_result() {
    let source =
        std::fs::read_to_string(repo().join("tests/fixtures/projects/not_wired/app/scheduler.py"))
            .expect("fixture");
    let output = cmd(repo())
        .args(["check", "--output-format", "concise", "-"])
        .write_stdin(source)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}
