//! Configuration: `pyproject.toml`, `async-task-ownership.toml`, `--config`,
//! the flags that override them, and the errors for unknown keys and bad
//! values.

mod cli_support;

use cli_support::{cmd, project, stderr, stdout, DANGLING};
use predicates::prelude::*;

/// A module with a `dangling` task (ATO101) and an `unawaited-local` (ATO102).
const TWO_KINDS: &str = "import asyncio\n\
async def f():\n    asyncio.create_task(g())\n\
async def h():\n    t = asyncio.create_task(g())\n";

fn concise(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = cmd(dir)
        .args(["check", "--output-format", "concise"])
        .args(args)
        .output()
        .expect("runs");
    (output.status.code(), stdout(&output), stderr(&output))
}

#[test]
fn pyproject_table_is_read() {
    let dir = project(&[
        ("app.py", DANGLING),
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.async-task-ownership]\nignore = [\"dangling\"]\n",
        ),
    ]);
    let (code, out, err) = concise(dir.path(), &[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (Some(0), "All checks passed!\n", "")
    );
}

#[test]
fn the_nearest_pyproject_is_found_from_the_first_path() {
    let dir = project(&[
        ("service/app/main.py", DANGLING),
        (
            "service/pyproject.toml",
            "[tool.async-task-ownership]\nignore = [\"ATO101\"]\n",
        ),
    ]);
    let (code, _, _) = concise(dir.path(), &["service/app"]);
    assert_eq!(code, Some(0));
    cmd(dir.path())
        .args(["check", "--show-settings", "service/app"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("service/pyproject.toml"));
}

#[test]
fn a_pyproject_without_the_table_is_skipped() {
    let dir = project(&[
        ("pkg/app.py", DANGLING),
        ("pkg/pyproject.toml", "[project]\nname = \"pkg\"\n"),
        (
            "pyproject.toml",
            "[tool.async-task-ownership]\nignore = [\"dangling\"]\n",
        ),
    ]);
    let (code, _, _) = concise(dir.path(), &["pkg"]);
    assert_eq!(code, Some(0));
}

#[test]
fn standalone_config_file_is_read() {
    let dir = project(&[
        ("app.py", DANGLING),
        ("async-task-ownership.toml", "ignore = [\"ATO1\"]\n"),
    ]);
    let (code, _, _) = concise(dir.path(), &[]);
    assert_eq!(code, Some(0));
}

#[test]
fn config_flag_reads_the_given_file() {
    let dir = project(&[
        ("app.py", DANGLING),
        ("ci/strict.toml", "select = [\"dangling\"]\n"),
        (
            "ci/pyproject.toml",
            "[tool.async-task-ownership]\nignore = [\"dangling\"]\n",
        ),
        (
            "pyproject.toml",
            "[tool.async-task-ownership]\nignore = [\"dangling\"]\n",
        ),
    ]);
    let (code, out, _) = concise(dir.path(), &["--config", "ci/strict.toml"]);
    assert_eq!(code, Some(1), "{out}");
    let (code, _, _) = concise(dir.path(), &["--config", "ci/pyproject.toml"]);
    assert_eq!(code, Some(0));
    let (code, _, _) = concise(dir.path(), &["--isolated"]);
    assert_eq!(code, Some(1));
}

#[test]
fn a_missing_config_file_is_an_error() {
    let dir = project(&[("app.py", DANGLING)]);
    let (code, out, err) = concise(dir.path(), &["--config", "nope.toml"]);
    assert_eq!(code, Some(2));
    assert_eq!(out, "");
    assert!(
        err.starts_with("error: failed to read `nope.toml`"),
        "{err}"
    );
}

#[test]
fn select_and_ignore_flags() {
    let dir = project(&[("app.py", TWO_KINDS)]);
    let (code, out, _) = concise(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(out.contains("ATO101") && out.contains("ATO102"), "{out}");

    let (_, out, _) = concise(dir.path(), &["--select", "unawaited-local"]);
    assert!(!out.contains("ATO101") && out.contains("ATO102"), "{out}");

    let (_, out, _) = concise(dir.path(), &["--select", "ATO101"]);
    assert!(out.contains("ATO101") && !out.contains("ATO102"), "{out}");

    let (_, out, _) = concise(dir.path(), &["--ignore", "ATO1"]);
    assert_eq!(out, "All checks passed!\n");

    let (_, out, _) = concise(dir.path(), &["--select", "ALL", "--ignore", "dangling"]);
    assert!(!out.contains("ATO101") && out.contains("ATO102"), "{out}");
}

#[test]
fn select_flag_overrides_the_file() {
    let dir = project(&[
        ("app.py", TWO_KINDS),
        (
            "pyproject.toml",
            "[tool.async-task-ownership]\nselect = [\"ATO102\"]\n",
        ),
    ]);
    let (_, out, _) = concise(dir.path(), &[]);
    assert!(!out.contains("ATO101") && out.contains("ATO102"), "{out}");
    let (_, out, _) = concise(dir.path(), &["--select", "dangling"]);
    assert!(out.contains("ATO101") && !out.contains("ATO102"), "{out}");
}

#[test]
fn enabled_is_the_librarys_setting() {
    let dir = project(&[
        ("app.py", TWO_KINDS),
        (
            "pyproject.toml",
            "[tool.async-task-ownership]\nenabled = [\"unawaited-local\"]\n",
        ),
    ]);
    let (_, out, _) = concise(dir.path(), &[]);
    assert!(!out.contains("ATO101") && out.contains("ATO102"), "{out}");
}

#[test]
fn per_file_ignores_from_the_file_and_the_flag() {
    let dir = project(&[
        ("tests/test_app.py", DANGLING),
        ("app/main.py", DANGLING),
        ("scripts/once.py", DANGLING),
        (
            "pyproject.toml",
            "[tool.async-task-ownership.per-file-ignores]\n\"tests/**\" = [\"ATO101\"]\n",
        ),
    ]);
    let (_, out, _) = concise(dir.path(), &[]);
    assert!(!out.contains("tests/test_app.py"), "{out}");
    assert!(out.contains("app/main.py:3:5: ATO101"), "{out}");
    assert!(out.contains("scripts/once.py:3:5: ATO101"), "{out}");

    let (_, out, _) = concise(dir.path(), &["--per-file-ignores", "scripts/*:dangling"]);
    assert!(!out.contains("scripts/once.py"), "{out}");
    assert!(out.contains("app/main.py:3:5: ATO101"), "{out}");
    // A glob without a slash matches the file name.
    let (_, out, _) = concise(dir.path(), &["--per-file-ignores", "main.py:ALL"]);
    assert!(!out.contains("app/main.py"), "{out}");
}

#[test]
fn settings_flags_reach_the_library() {
    let source = "from myapp.tasks import spawn\nasync def f():\n    spawn(work())\n";
    let dir = project(&[("app.py", source)]);
    let (code, _, _) = concise(dir.path(), &[]);
    assert_eq!(code, Some(0));
    let (code, out, _) = concise(dir.path(), &["--extra-spawn-function", "myapp.tasks.spawn"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("app.py:3:5: ATO101"), "{out}");
}

#[test]
fn show_settings_prints_the_resolved_configuration() {
    let dir = project(&[(
        "pyproject.toml",
        "[tool.async-task-ownership]\ntarget-version = \"3.12\"\nextra-loop-names = [\"ev\"]\n",
    )]);
    cmd(dir.path())
        .args([
            "check",
            "--show-settings",
            "--extra-loop-name",
            "reactor",
            "--ignore",
            "ATO4",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("target-version = \"3.12\""))
        .stdout(predicate::str::contains(
            "extra-loop-names = [\"ev\", \"reactor\"]",
        ))
        .stdout(predicate::str::contains("shutdown-not-wired").not());
    cmd(dir.path())
        .args(["check", "--show-settings", "--target-version", "py313"])
        .assert()
        .stdout(predicate::str::contains("target-version = \"3.13\""));
}

// ---------------------------------------------------------------------------
// Errors: each names the file, the key and what is allowed
// ---------------------------------------------------------------------------

fn config_error(file: &str, contents: &str) -> String {
    let dir = project(&[("app.py", DANGLING), (file, contents)]);
    let output = cmd(dir.path()).arg("check").output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    stderr(&output)
}

#[test]
fn an_unknown_key_names_the_file_the_key_and_the_allowed_keys() {
    let err = config_error(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.async-task-ownership]\ntarget-version = \"3.11\"\nselekt = [\"dangling\"]\n",
    );
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("pyproject.toml"), "{err}");
    assert!(err.contains("unknown key `selekt`"), "{err}");
    assert!(err.contains("[tool.async-task-ownership]"), "{err}");
    assert!(err.contains("(line 6)"), "{err}");
    assert!(
        err.contains("allowed keys: enabled, extra-spawn-functions"),
        "{err}"
    );
    assert!(err.contains("select"), "{err}");
}

#[test]
fn an_unknown_key_in_the_standalone_file() {
    let err = config_error("async-task-ownership.toml", "exlude = [\"x\"]\n");
    assert!(err.contains("async-task-ownership.toml"), "{err}");
    assert!(err.contains("unknown key `exlude`"), "{err}");
    assert!(err.contains("extend-exclude"), "{err}");
}

#[test]
fn a_bad_target_version_names_the_key_and_the_allowed_forms() {
    let err = config_error(
        "pyproject.toml",
        "[tool.async-task-ownership]\ntarget-version = \"2.7\"\n",
    );
    assert!(err.contains("pyproject.toml"), "{err}");
    assert!(err.contains("`target-version`"), "{err}");
    assert!(err.contains("(line 2)"), "{err}");
    assert!(err.contains("`3.N`"), "{err}");
}

#[test]
fn a_bad_kind_lists_the_kinds() {
    let err = config_error(
        "pyproject.toml",
        "[tool.async-task-ownership]\nignore = [\"danglin\"]\n",
    );
    assert!(err.contains("`ignore`"), "{err}");
    assert!(err.contains("unknown kind `danglin`"), "{err}");
    assert!(err.contains("dangling, unawaited-local"), "{err}");
    assert!(err.contains("ATO101"), "{err}");
}

#[test]
fn a_value_of_the_wrong_type_names_the_key() {
    let err = config_error(
        "pyproject.toml",
        "[tool.async-task-ownership]\nextra-spawn-functions = \"myapp.spawn\"\n",
    );
    assert!(err.contains("`extra-spawn-functions`"), "{err}");
    assert!(err.contains("expected a list"), "{err}");

    let err = config_error(
        "pyproject.toml",
        "[tool.async-task-ownership]\nper-file-ignores = { \"tests/*\" = \"ATO101\" }\n",
    );
    assert!(err.contains("`per-file-ignores`"), "{err}");
}

#[test]
fn a_bad_glob_names_the_key() {
    let err = config_error(
        "pyproject.toml",
        "[tool.async-task-ownership]\nextend-exclude = [\"src/[\"]\n",
    );
    assert!(err.contains("`extend-exclude`"), "{err}");
    assert!(err.contains("invalid glob `src/[`"), "{err}");
}

#[test]
fn invalid_toml_names_the_file_and_the_line() {
    let err = config_error("pyproject.toml", "[tool.async-task-ownership\nselect = 1\n");
    assert!(err.contains("failed to parse"), "{err}");
    assert!(err.contains("pyproject.toml"), "{err}");
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn bad_flag_values_are_errors() {
    let dir = project(&[("app.py", DANGLING)]);
    for (args, needle) in [
        (vec!["--select", "nope"], "`--select`"),
        (vec!["--ignore", "ATO9"], "`--ignore`"),
        (vec!["--target-version", "2.7"], "`--target-version`"),
        (vec!["--per-file-ignores", "tests"], "`--per-file-ignores`"),
        (
            vec!["--per-file-ignores", "tests/*:nope"],
            "`--per-file-ignores`",
        ),
    ] {
        let output = cmd(dir.path())
            .arg("check")
            .args(&args)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = stderr(&output);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
