//! Every fixture under `tests/fixtures/` is checked two ways: the lines marked
//! `# error: KIND` must be exactly the lines (and kinds) reported, and the
//! rendered diagnostics are snapshotted under `snapshots/`.

mod common;

use std::path::Path;

use async_task_ownership::{check_source, Settings};

fn fixture_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fixtures exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    files
}

#[test]
fn marks_match_reports() {
    let files = fixture_files();
    assert!(files.len() >= 5, "expected the fixture files");
    let mut failures = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).expect("fixture is UTF-8");
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let result = check_source(&source, &name, &Settings::default());
        assert!(
            result.syntax_errors.is_empty(),
            "{name}: {:?}",
            result.syntax_errors
        );
        for d in common::differences(&source, &result.report) {
            failures.push(format!("{name}: {d}"));
        }
    }
    assert!(
        failures.is_empty(),
        "marks and reports differ:\n{}",
        failures.join("\n")
    );
}

#[test]
fn snapshots() {
    for path in fixture_files() {
        let source = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let result = check_source(&source, &name, &Settings::default());
        let rendered = common::render(&name, &source, &result.report);
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("fixture__{}", name.trim_end_matches(".py")), rendered);
        });
    }
}

#[test]
fn every_fixture_spawn_is_in_the_inventory() {
    // Each marked line is a spawn site or a handler; every diagnostic at a
    // spawn call has an inventory record at the same place.
    for path in fixture_files() {
        let source = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let result = check_source(&source, "", &Settings::default());
        for d in &result.report.diagnostics {
            if d.kind == async_task_ownership::Kind::SwallowsCancellation {
                continue;
            }
            assert!(
                result
                    .report
                    .inventory
                    .iter()
                    .any(|r| r.range == d.range && r.findings.contains(&d.kind)),
                "{}: diagnostic {:?} has no inventory record",
                path.display(),
                d.message
            );
        }
    }
}
