//! Multi-file projects under `tests/fixtures/projects/` (SPEC §9): every
//! module is checked and its facts joined; the `# error:` marks of every file
//! must be exactly what the module pass and the project pass report.

mod common;

use std::path::{Path, PathBuf};

use async_task_ownership::project::{check_project, module_facts, ModuleFacts};
use async_task_ownership::{check_source, Diagnostic, Report, Settings};

fn py_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            py_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

/// `app/scheduler.py` → `app.scheduler`; `app/__init__.py` → `app`.
fn module_name(rel: &str) -> String {
    let dotted = rel.trim_end_matches(".py").replace('/', ".");
    dotted.trim_end_matches(".__init__").to_string()
}

struct Project {
    files: Vec<(String, String)>,
    reports: Vec<Report>,
    facts: Vec<ModuleFacts>,
}

fn load(name: &str) -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/projects")
        .join(name);
    let mut paths = Vec::new();
    py_files(&root, &mut paths);
    let settings = Settings::default();
    let mut project = Project {
        files: Vec::new(),
        reports: Vec::new(),
        facts: Vec::new(),
    };
    for p in paths {
        let rel = p
            .strip_prefix(&root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        let source = std::fs::read_to_string(&p).expect("utf-8");
        let parsed = ruff_python_parser::parse_module(&source).expect("fixture parses");
        let result = check_source(&source, &rel, &settings);
        project.facts.push(module_facts(
            &parsed,
            &source,
            &rel,
            &module_name(&rel),
            &settings,
        ));
        project.reports.push(result.report);
        project.files.push((rel, source));
    }
    project
}

fn differences(name: &str) -> Vec<String> {
    let mut project = load(name);
    let joined = check_project(&project.facts, &Settings::default());
    for d in joined.diagnostics {
        let i = project
            .files
            .iter()
            .position(|(p, _)| *p == d.path)
            .expect("known file");
        project.reports[i].diagnostics.push(d.diagnostic);
    }
    let mut diffs = Vec::new();
    for ((path, source), report) in project.files.iter().zip(&project.reports) {
        for d in common::differences(source, report) {
            diffs.push(format!("{name}/{path}: {d}"));
        }
    }
    diffs
}

#[test]
fn projects_report_exactly_their_marks() {
    // Every project under `tests/fixtures/projects/`: a new one is checked
    // without being listed here.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("projects folder")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 17, "projects found: {names:?}");
    let mut all = Vec::new();
    for name in &names {
        all.extend(differences(name));
    }
    assert!(
        all.is_empty(),
        "marks and reports differ:\n{}",
        all.join("\n")
    );
}

#[test]
fn lifetimes_name_start_and_stop() {
    let project = load("wired");
    let joined = check_project(&project.facts, &Settings::default());
    let lifetime = joined.lifetimes.first().expect("the scheduler's lifetime");
    assert_eq!(lifetime.class, "Scheduler");
    assert_eq!(lifetime.started.len(), 1);
    assert_eq!(lifetime.started[0].path, "app/main.py");
    assert_eq!(lifetime.started[0].line, 8);
    assert_eq!(lifetime.stopped[0].line, 10);
    assert_eq!(
        lifetime.stopped[0].shape,
        Some(async_task_ownership::project::LifespanShape::LifespanAfterYield)
    );
}

#[test]
fn every_assignment_of_a_holder_is_a_start() {
    // `self.listener = Listener()` in `open`, `reattach` and `send`: three
    // starts of one holder (not only the last one met), one stop.
    let project = load("assigned_thrice");
    let joined = check_project(&project.facts, &Settings::default());
    let lifetime = joined.lifetimes.first().expect("the listener's lifetime");
    assert_eq!(lifetime.class, "Listener");
    let started: Vec<(&str, u32)> = lifetime
        .started
        .iter()
        .map(|s| (s.path.as_str(), s.line))
        .collect();
    assert_eq!(
        started,
        [
            ("app/connection.py", 13),
            ("app/connection.py", 17),
            ("app/connection.py", 21)
        ]
    );
    assert_eq!(lifetime.stopped.len(), 1);
    assert_eq!(lifetime.stopped[0].function, "Connection.close");
    assert!(joined.diagnostics.is_empty(), "{:?}", joined.diagnostics);
}

#[test]
fn a_method_that_hands_the_slot_to_a_module_helper_stops_it() {
    // `stop()` awaits `cancel_and_wait({self._task})`, a function of the
    // module: the lifespan's `scheduler.stop()` after `yield` stops it.
    let project = load("helper_stop");
    let joined = check_project(&project.facts, &Settings::default());
    let lifetime = joined.lifetimes.first().expect("the scheduler's lifetime");
    assert_eq!(lifetime.class, "Scheduler");
    assert_eq!(lifetime.stopped.len(), 1);
    assert_eq!(lifetime.stopped[0].path, "app/main.py");
    assert_eq!(lifetime.stopped[0].line, 10);
}

#[test]
fn a_method_that_hands_the_helper_other_jobs_does_not_stop_the_task() {
    // `refresh()` calls the same helper as `stop()`, with other jobs.
    let project = load("helper_other_arg");
    let joined = check_project(&project.facts, &Settings::default());
    let lifetime = joined.lifetimes.first().expect("the scheduler's lifetime");
    assert_eq!(lifetime.class, "Scheduler");
    assert!(lifetime.stopped.is_empty(), "{:?}", lifetime.stopped);
}

#[test]
fn not_wired_names_the_start_call() {
    let project = load("not_wired");
    let joined = check_project(&project.facts, &Settings::default());
    let d: &Diagnostic = &joined.diagnostics[0].diagnostic;
    assert_eq!(joined.diagnostics[0].secondary_paths, ["app/main.py"]);
    assert_eq!(d.secondary.len(), 1);
    assert!(d.message.contains("`Scheduler`"), "{}", d.message);
    assert!(d.message.contains("`stop()`"), "{}", d.message);
}

#[test]
fn self_holders_and_aliases_are_followed() {
    let project = load("self_holder");
    let joined = check_project(&project.facts, &Settings::default());
    let lifetime = joined
        .lifetimes
        .first()
        .expect("followed through self.scheduler");
    assert_eq!(lifetime.started[0].function, "Service.on_startup");
    assert_eq!(
        lifetime.stopped[0].shape,
        Some(async_task_ownership::project::LifespanShape::ShutdownHandler)
    );

    let project = load("alias");
    let joined = check_project(&project.facts, &Settings::default());
    let by_file: Vec<(&str, usize)> = joined
        .lifetimes
        .iter()
        .map(|l| (l.path.as_str(), l.stopped.len()))
        .collect();
    assert_eq!(by_file, [("app/jobs.py", 0), ("app/scheduler.py", 1)]);
    assert_eq!(
        joined.lifetimes[1].stopped[0].shape,
        Some(async_task_ownership::project::LifespanShape::Atexit)
    );
}

#[test]
fn async_with_enters_and_exits_the_owner() {
    let project = load("async_with");
    let joined = check_project(&project.facts, &Settings::default());
    let lifetime = joined.lifetimes.first().expect("started by `async with`");
    assert_eq!(lifetime.started[0].function, "serve");
    assert_eq!(lifetime.stopped.len(), 1);
    assert!(joined.diagnostics.is_empty());
}
