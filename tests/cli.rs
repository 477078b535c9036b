//! The `async-task-ownership` binary, run as a real process: exit codes,
//! output formats, noqa, syntax errors, unreadable files, stdin, output order,
//! discovery and the `rule` command.

mod cli_support;

use std::io::Read;
use std::process::Stdio;

use cli_support::{cmd, json, project, stderr, stdout, write, CLEAN, DANGLING};
use predicates::prelude::*;
use serde_json::Value;

// ---------------------------------------------------------------------------
// Help, version, rule
// ---------------------------------------------------------------------------

#[test]
fn help_and_version_on_every_command() {
    let dir = project(&[]);
    for args in [
        vec!["--help"],
        vec!["check", "--help"],
        vec!["audit", "--help"],
        vec!["rule", "--help"],
    ] {
        cmd(dir.path())
            .args(&args)
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Usage: async-task-ownership"));
    }
    for args in [
        vec!["--version"],
        vec!["check", "--version"],
        vec!["audit", "--version"],
        vec!["rule", "--version"],
    ] {
        cmd(dir.path())
            .args(&args)
            .assert()
            .code(0)
            .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
    }
}

#[test]
fn the_hidden_parse_only_flag_is_not_in_the_help() {
    let dir = project(&[]);
    cmd(dir.path())
        .args(["check", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--parse-only").not());
}

#[test]
fn usage_errors_exit_2() {
    let dir = project(&[]);
    cmd(dir.path()).assert().code(2);
    cmd(dir.path())
        .args(["check", "--output-format", "xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'xml'"));
}

#[test]
fn rule_prints_the_rule_documentation() {
    let dir = project(&[]);
    let output = cmd(dir.path()).arg("rule").output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let doc = async_task_ownership::rule::RULE.doc;
    assert_eq!(stdout(&output).trim_end(), doc.trim_end());
}

#[test]
fn rule_lists_the_kinds() {
    let dir = project(&[]);
    let output = cmd(dir.path())
        .args(["rule", "--kinds"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for kind in async_task_ownership::Kind::ALL {
        assert!(text.contains(kind.code()), "{text}");
        assert!(text.contains(kind.name()), "{text}");
    }
}

// ---------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------

#[test]
fn exit_0_when_nothing_is_found() {
    let dir = project(&[("app.py", CLEAN)]);
    cmd(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout("All checks passed!\n")
        .stderr("");
}

#[test]
fn exit_0_on_an_empty_directory() {
    let dir = project(&[]);
    cmd(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout("All checks passed!\n");
}

#[test]
fn exit_1_when_a_diagnostic_is_found() {
    let dir = project(&[("app.py", DANGLING)]);
    cmd(dir.path())
        .args(["check", "--output-format", "concise"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "app.py:3:5: ATO101 [dangling] ",
        ))
        .stdout(predicate::str::ends_with("Found 1 error.\n"));
}

#[test]
fn exit_zero_turns_diagnostics_into_success_but_keeps_them() {
    let dir = project(&[("app.py", DANGLING)]);
    cmd(dir.path())
        .args(["check", "--exit-zero", "--output-format", "concise"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ATO101 [dangling]"));
}

#[test]
fn exit_zero_does_not_hide_errors() {
    let dir = project(&[("app.py", DANGLING)]);
    write(dir.path(), "latin1.py", b"x = '\xe9'\n");
    cmd(dir.path())
        .args(["check", "--exit-zero", "--output-format", "concise"])
        .assert()
        .code(2);
}

#[test]
fn exit_2_on_a_missing_path_and_the_other_paths_are_still_checked() {
    let dir = project(&[("app.py", DANGLING)]);
    cmd(dir.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "missing.py",
            "app.py",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: failed to read missing.py: ",
        ))
        .stdout(predicate::str::contains("app.py:3:5: ATO101 [dangling]"));
}

#[test]
fn exit_2_on_a_bad_configuration() {
    let dir = project(&[
        ("app.py", DANGLING),
        (
            "pyproject.toml",
            "[tool.async-task-ownership]\nselekt = [\"dangling\"]\n",
        ),
    ]);
    cmd(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with("error: "));
}

// ---------------------------------------------------------------------------
// Unreadable and non-UTF-8 files, syntax errors
// ---------------------------------------------------------------------------

#[test]
fn a_non_utf8_file_is_reported_on_stderr_and_the_run_goes_on() {
    let dir = project(&[("a_first.py", DANGLING), ("z_last.py", DANGLING)]);
    write(dir.path(), "m_latin1.py", b"name = '\xe9t\xe9'\n");
    let output = cmd(dir.path())
        .args(["check", "--output-format", "concise"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: failed to read m_latin1.py: invalid UTF-8 at byte 8\n"
    );
    let out = stdout(&output);
    assert!(out.contains("a_first.py:3:5: ATO101"), "{out}");
    assert!(out.contains("z_last.py:3:5: ATO101"), "{out}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_reported_and_the_run_goes_on() {
    // A dangling symlink fails to open for every user (root included).
    let dir = project(&[("app.py", DANGLING)]);
    std::os::unix::fs::symlink(dir.path().join("nowhere.py"), dir.path().join("broken.py"))
        .expect("symlink");
    let output = cmd(dir.path())
        .args(["check", "--output-format", "concise"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.starts_with("error: failed to read broken.py: "),
        "{err}"
    );
    assert!(stdout(&output).contains("app.py:3:5: ATO101"));
}

#[test]
fn a_syntax_error_is_an_invalid_syntax_diagnostic_and_the_run_goes_on() {
    let dir = project(&[
        (
            "broken.py",
            "import asyncio\ndef f(:\n    asyncio.create_task(g())\n",
        ),
        ("fine.py", DANGLING),
    ]);
    let output = cmd(dir.path())
        .args(["check", "--output-format", "json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "");
    let all = json(&output);
    let all = all.as_array().expect("an array");
    let broken: Vec<&Value> = all
        .iter()
        .filter(|d| {
            d["filename"]
                .as_str()
                .is_some_and(|f| f.ends_with("broken.py"))
        })
        .collect();
    assert!(!broken.is_empty());
    // The rule does not run on a file with syntax errors (as in Ruff).
    for d in &broken {
        assert_eq!(d["code"], "invalid-syntax");
        assert_eq!(d["kind"], Value::Null);
        assert_eq!(d["noqa_row"], Value::Null);
    }
    assert_eq!(
        broken[0]["location"],
        serde_json::json!({"row": 2, "column": 7})
    );
    assert!(all.iter().any(|d| d["alias"] == "ATO101"
        && d["filename"]
            .as_str()
            .is_some_and(|f| f.ends_with("fine.py"))));
}

#[test]
fn invalid_syntax_in_the_text_formats() {
    let dir = project(&[("broken.py", "x = (\n")]);
    cmd(dir.path())
        .args(["check", "--output-format", "concise"])
        .assert()
        .code(1)
        .stdout("broken.py:2:1: invalid-syntax: unexpected EOF while parsing\nFound 1 error.\n");
    cmd(dir.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "invalid-syntax: unexpected EOF while parsing\n --> broken.py:2:1\n",
        ));
}

#[test]
fn parse_only_prints_nothing_and_exits_0() {
    let dir = project(&[("app.py", DANGLING), ("broken.py", "x = (\n")]);
    cmd(dir.path())
        .args(["check", "--parse-only"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
}

#[test]
fn deep_expressions_do_not_overflow_the_stack() {
    let mut source = String::from("import asyncio\nx = ");
    source.push_str(&"(".repeat(20_000));
    source.push('1');
    source.push_str(&")".repeat(20_000));
    source.push_str("\ny = 1");
    source.push_str(&" + 1".repeat(100_000));
    source.push('\n');
    source.push_str(DANGLING);
    let dir = project(&[("deep.py", &source)]);
    cmd(dir.path())
        .args(["check", "--output-format", "concise"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("deep.py:6:5: ATO101"));
}

// ---------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------

#[test]
fn full_output_shows_the_source_and_the_help() {
    let dir = project(&[("app.py", DANGLING)]);
    let output = cmd(dir.path()).arg("check").output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ATO101 [dangling] "), "{text}");
    assert_eq!(lines[1], " --> app.py:3:5");
    assert!(
        text.contains("3 |     asyncio.create_task(g())\n"),
        "{text}"
    );
    assert!(
        text.contains("  |     ^^^^^^^^^^^^^^^^^^^^^^^^\n"),
        "{text}"
    );
    assert!(text.contains("\nhelp: "), "{text}");
    assert!(text.ends_with("\n\nFound 1 error.\n"), "{text}");
}

#[test]
fn json_follows_ruffs_schema() {
    let dir = project(&[("app.py", DANGLING)]);
    let output = cmd(dir.path())
        .args(["check", "--output-format", "json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let value = json(&output);
    let all = value.as_array().expect("an array");
    assert_eq!(all.len(), 1);
    let d = &all[0];
    assert_eq!(d["code"], "ASYNC-TASK-OWNERSHIP");
    assert_eq!(d["alias"], "ATO101");
    assert_eq!(d["name"], "async-task-ownership");
    assert_eq!(d["kind"], "dangling");
    assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(d["help"].as_str().is_some_and(|m| !m.is_empty()));
    let filename = d["filename"].as_str().expect("a filename");
    assert!(std::path::Path::new(filename).is_absolute(), "{filename}");
    assert!(filename.ends_with("app.py"));
    assert_eq!(d["location"], serde_json::json!({"row": 3, "column": 5}));
    assert_eq!(
        d["end_location"],
        serde_json::json!({"row": 3, "column": 29})
    );
    assert_eq!(d["fix"], Value::Null);
    assert_eq!(d["cell"], Value::Null);
    assert_eq!(d["noqa_row"], 3);
    assert_eq!(d["severity"], "error");
    assert!(d["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://") && u.ends_with("#dangling")));
}

#[test]
fn json_is_an_empty_array_when_nothing_is_found() {
    let dir = project(&[("app.py", CLEAN)]);
    let output = cmd(dir.path())
        .args(["check", "--output-format", "json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(json(&output), serde_json::json!([]));
}

#[test]
fn json_lines_has_one_object_per_line() {
    let dir = project(&[("a.py", DANGLING), ("b.py", DANGLING)]);
    let output = cmd(dir.path())
        .args(["check", "--output-format", "json-lines"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let objects: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(objects.len(), 2);
    assert!(objects[0]["filename"]
        .as_str()
        .is_some_and(|f| f.ends_with("a.py")));
    assert!(objects[1]["filename"]
        .as_str()
        .is_some_and(|f| f.ends_with("b.py")));
    assert!(objects.iter().all(|o| o["alias"] == "ATO101"));
}

#[test]
fn github_writes_workflow_commands() {
    let dir = project(&[("app.py", DANGLING)]);
    let output = cmd(dir.path())
        .args(["check", "--output-format", "github"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    let prefix = "::error title=async-task-ownership (ATO101),file=app.py,line=3,col=5,endLine=3,endColumn=29::app.py:3:5: ATO101 [dangling] ";
    assert!(lines[0].starts_with(prefix), "{text}");
}

#[test]
fn sarif_is_valid_sarif_with_the_rule_metadata() {
    let dir = project(&[("app.py", DANGLING)]);
    let output = cmd(dir.path())
        .args(["check", "--output-format", "sarif"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let sarif = json(&output);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("sarif-2.1.0")));
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "async-task-ownership");
    let rules = driver["rules"].as_array().expect("rules");
    for meta in async_task_ownership::rule::kinds() {
        let rule = rules
            .iter()
            .find(|r| r["id"] == meta.code)
            .unwrap_or_else(|| panic!("a rule for {}", meta.code));
        assert_eq!(rule["name"], meta.name);
        assert_eq!(rule["shortDescription"]["text"], meta.summary);
        assert_eq!(rule["helpUri"], meta.url);
    }
    let results = runs[0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(r["ruleId"], "ATO101");
    assert_eq!(r["level"], "error");
    let index = r["ruleIndex"].as_u64().expect("a rule index") as usize;
    assert_eq!(rules[index]["id"], "ATO101");
    let location = &r["locations"][0]["physicalLocation"];
    let uri = location["artifactLocation"]["uri"].as_str().expect("a uri");
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/app.py"),
        "{uri}"
    );
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 29})
    );
}

#[test]
fn sarif_without_results_still_lists_the_rules() {
    let dir = project(&[("app.py", CLEAN)]);
    let output = cmd(dir.path())
        .args(["check", "--output-format", "sarif"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let sarif = json(&output);
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    assert!(sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .is_some_and(|r| r.len() >= 10));
}

#[test]
fn statistics_count_per_kind() {
    let dir = project(&[("a.py", DANGLING), ("b.py", DANGLING), ("c.py", "x = (\n")]);
    let output = cmd(dir.path())
        .args(["check", "--statistics"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "2\tATO101\tdangling\n1\t\tinvalid-syntax\nFound 3 errors.\n"
    );
    let output = cmd(dir.path())
        .args(["check", "--statistics", "--output-format", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        json(&output),
        serde_json::json!([
            {"code": "ATO101", "name": "dangling", "count": 2},
            {"code": "invalid-syntax", "name": "invalid-syntax", "count": 1},
        ])
    );
}

// ---------------------------------------------------------------------------
// noqa
// ---------------------------------------------------------------------------

fn concise(dir: &std::path::Path) -> (Option<i32>, String) {
    let output = cmd(dir)
        .args(["check", "--output-format", "concise"])
        .output()
        .expect("runs");
    (output.status.code(), stdout(&output))
}

#[test]
fn noqa_suppresses_bare_rule_code_and_alias_code() {
    for comment in [
        "# noqa",
        "# noqa: ASYNC-TASK-OWNERSHIP",
        "# noqa: ATO101",
        "# NOQA:ato101",
        "# noqa: E501, ATO101",
        "# type: ignore # noqa: ATO101",
    ] {
        let source =
            format!("import asyncio\nasync def f():\n    asyncio.create_task(g())  {comment}\n");
        let dir = project(&[("app.py", &source)]);
        let (code, out) = concise(dir.path());
        assert_eq!(code, Some(0), "`{comment}` should suppress: {out}");
        assert_eq!(out, "All checks passed!\n");
    }
}

#[test]
fn noqa_naming_other_codes_suppresses_nothing() {
    for comment in ["# noqa: E501", "# noqa: ATO201", "# noqa: RUF006"] {
        let source =
            format!("import asyncio\nasync def f():\n    asyncio.create_task(g())  {comment}\n");
        let dir = project(&[("app.py", &source)]);
        let (code, out) = concise(dir.path());
        assert_eq!(code, Some(1), "`{comment}` should not suppress: {out}");
        assert!(out.contains("app.py:3:5: ATO101 [dangling]"), "{out}");
    }
}

// ---------------------------------------------------------------------------
// stdin
// ---------------------------------------------------------------------------

#[test]
fn stdin_with_a_file_name() {
    let dir = project(&[]);
    cmd(dir.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "app/service.py",
            "-",
        ])
        .write_stdin(DANGLING)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "app/service.py:3:5: ATO101 [dangling] ",
        ));
}

#[test]
fn stdin_without_a_file_name_is_dash() {
    let dir = project(&[]);
    cmd(dir.path())
        .args(["check", "--output-format", "concise", "-"])
        .write_stdin(DANGLING)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("-:3:5: ATO101 [dangling] "));
}

#[test]
fn stdin_that_is_not_utf8_is_an_error() {
    let dir = project(&[]);
    cmd(dir.path())
        .args(["check", "--stdin-filename", "x.py", "-"])
        .write_stdin(b"x = '\xff'\n".to_vec())
        .assert()
        .code(2)
        .stderr("error: failed to read x.py: invalid UTF-8 at byte 5\n");
}

#[test]
fn stdin_uses_per_file_ignores_and_test_scope_of_its_name() {
    let dir = project(&[(
        "pyproject.toml",
        "[tool.async-task-ownership]\nper-file-ignores = { \"scripts/*\" = [\"dangling\"] }\n",
    )]);
    cmd(dir.path())
        .args(["check", "--stdin-filename", "scripts/once.py", "-"])
        .write_stdin(DANGLING)
        .assert()
        .code(0);
}

// ---------------------------------------------------------------------------
// Order and parallelism
// ---------------------------------------------------------------------------

#[test]
fn output_order_does_not_depend_on_the_thread_count() {
    let mut files = Vec::new();
    for i in 0..40 {
        // Two diagnostics per file, and a varying amount of work.
        let mut source = String::from("import asyncio\n");
        source.push_str(&"x = 1\n".repeat(i * 37 % 200));
        source.push_str(
            "async def f():\n    asyncio.create_task(g())\n    asyncio.ensure_future(h())\n",
        );
        files.push((format!("pkg{}/mod_{:02}.py", i % 3, (i * 7) % 40), source));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    let dir = project(&refs);
    let run = |threads: &str| {
        let output = cmd(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--output-format", "concise"])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1));
        stdout(&output)
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(one, two);
    assert_eq!(one, run("4"));
    // Sorted by path, then position.
    let keys: Vec<(String, u32, u32)> = one
        .lines()
        .filter(|l| l.contains(": ATO"))
        .map(|l| {
            let mut parts = l.splitn(4, ':');
            let path = parts.next().expect("path").to_string();
            let row = parts.next().expect("row").parse().expect("a row");
            let col = parts.next().expect("col").parse().expect("a column");
            (path, row, col)
        })
        .collect();
    assert_eq!(keys.len(), 80);
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

// ---------------------------------------------------------------------------
// Broken pipe
// ---------------------------------------------------------------------------

#[test]
fn a_closed_pipe_exits_quietly() {
    let mut source = String::from("import asyncio\nasync def f():\n");
    source.push_str(&"    asyncio.create_task(g())\n".repeat(3000));
    let dir = project(&[("app.py", &source)]);
    let mut child = std::process::Command::new(cli_support::bin())
        .current_dir(dir.path())
        .args(["check"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    // Read a little, then close the pipe, as `| head -1` does.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0_u8; 16];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert_eq!(err, "");
}

// ---------------------------------------------------------------------------
// Discovery
// ---------------------------------------------------------------------------

#[test]
fn discovery_respects_gitignore_hidden_and_environment_folders() {
    let dir = project(&[
        (".gitignore", "generated/\n*_pb2.py\n"),
        ("app/main.py", DANGLING),
        ("app/stub.pyi", DANGLING),
        ("app/api_pb2.py", DANGLING),
        ("app/notes.txt", DANGLING),
        ("generated/client.py", DANGLING),
        (".hidden/x.py", DANGLING),
        (".venv/lib/x.py", DANGLING),
        ("venv/lib/x.py", DANGLING),
        ("node_modules/x.py", DANGLING),
        ("__pycache__/x.py", DANGLING),
        ("build/lib/x.py", DANGLING),
        ("dist/x.py", DANGLING),
        ("lib/site-packages/x.py", DANGLING),
        ("tests/test_main.py", DANGLING),
    ]);
    cmd(dir.path())
        .args(["check", "--show-files"])
        .assert()
        .code(0)
        .stdout("app/main.py\ntests/test_main.py\n");
    let (code, out) = concise(dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(out.matches("ATO101").count(), 2, "{out}");
}

#[test]
fn no_respect_gitignore_reads_ignored_files() {
    let dir = project(&[
        (".gitignore", "generated/\n"),
        ("generated/client.py", DANGLING),
    ]);
    cmd(dir.path())
        .args(["check", "--show-files", "--no-respect-gitignore"])
        .assert()
        .code(0)
        .stdout("generated/client.py\n");
}

#[test]
fn exclude_and_extend_exclude() {
    let dir = project(&[
        ("app/main.py", DANGLING),
        ("legacy/old.py", DANGLING),
        ("app/migrations/0001.py", DANGLING),
        ("build/x.py", DANGLING),
    ]);
    cmd(dir.path())
        .args([
            "check",
            "--show-files",
            "--extend-exclude",
            "legacy,migrations",
        ])
        .assert()
        .code(0)
        .stdout("app/main.py\n");
    // `--exclude` replaces the defaults (as in Ruff), so `build/` is walked.
    cmd(dir.path())
        .args(["check", "--show-files", "--exclude", "legacy"])
        .assert()
        .code(0)
        .stdout("app/main.py\napp/migrations/0001.py\nbuild/x.py\n");
    // A path glob, relative to the project root.
    cmd(dir.path())
        .args([
            "check",
            "--show-files",
            "--extend-exclude",
            "app/migrations/*.py",
        ])
        .assert()
        .code(0)
        .stdout("app/main.py\nlegacy/old.py\n");
}

#[test]
fn explicit_files_are_always_checked() {
    let dir = project(&[
        (".gitignore", "generated/\n"),
        ("generated/client.py", DANGLING),
        ("build/x.py", DANGLING),
        ("app/stub.pyi", DANGLING),
    ]);
    cmd(dir.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "generated/client.py",
            "build/x.py",
            "app/stub.pyi",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("generated/client.py:3:5: ATO101"))
        .stdout(predicate::str::contains("build/x.py:3:5: ATO101"))
        .stdout(predicate::str::contains("app/stub.pyi:3:5: ATO101"));
}

#[test]
fn a_file_given_twice_is_checked_once() {
    let dir = project(&[("app.py", DANGLING)]);
    let (_, out) = {
        let output = cmd(dir.path())
            .args([
                "check",
                "--output-format",
                "concise",
                "app.py",
                ".",
                "./app.py",
            ])
            .output()
            .expect("runs");
        (output.status.code(), stdout(&output))
    };
    assert_eq!(out.matches("ATO101").count(), 1, "{out}");
}

// ---------------------------------------------------------------------------
// audit
// ---------------------------------------------------------------------------

#[test]
fn audit_lists_healthy_and_broken_sites() {
    let dir = project(&[("app.py", DANGLING), ("tests/test_app.py", CLEAN)]);
    let output = cmd(dir.path()).arg("audit").output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let md = stdout(&output);
    assert!(md.contains("**Total spawn sites found**: 2"), "{md}");
    assert!(md.contains("- **Production code**: 1"), "{md}");
    assert!(md.contains("- **Test code**: 1"), "{md}");
    assert!(
        md.contains("- **With findings**: 1 (1 production, 0 test)"),
        "{md}"
    );
    assert!(md.contains("**FILE**: `app.py`  \n**LINE**: 3  \n"), "{md}");
    assert!(md.contains("**FILE**: `tests/test_app.py`"), "{md}");
    assert!(
        md.contains("❌ All tasks have ownership — `app.py:3`"),
        "{md}"
    );
    assert!(md.contains("✅ No risk of memory leaks"), "{md}");
    assert!(md.contains("## Conclusion"), "{md}");
    assert!(md.contains("AUDIT COMPLETE - 1 FIX REQUIRED"), "{md}");
}

#[test]
fn audit_marks_suppressed_findings_and_drops_ignored_kinds() {
    let source = "import asyncio\nasync def f():\n    asyncio.create_task(g())  # noqa: ATO101\n";
    let dir = project(&[("app.py", source)]);
    let md = stdout(&cmd(dir.path()).arg("audit").output().expect("runs"));
    assert!(
        md.contains("(suppressed here by `# noqa` or `per-file-ignores`)"),
        "{md}"
    );
    let md = stdout(
        &cmd(dir.path())
            .args(["audit", "--ignore", "dangling"])
            .output()
            .expect("runs"),
    );
    assert!(
        md.contains("**Result**: All spawn sites are properly controlled."),
        "{md}"
    );
    assert!(md.contains("✅ All tasks have ownership"), "{md}");
}

#[test]
fn audit_does_not_say_a_swallowing_body_misses_cancelled_error() {
    // The loop's `except BaseException` keeps the task going on a cancel.
    let swallowing = "import asyncio\nclass C:\n    def __init__(self):\n        self._t = None\n    async def _loop(self):\n        try:\n            while True:\n                try:\n                    await step()\n                except BaseException:\n                    pass\n        except Exception:\n            pass\n    def start(self):\n        if self._t is None:\n            self._t = asyncio.create_task(self._loop())\n    async def stop(self):\n        self._t.cancel()\n        await asyncio.gather(self._t, return_exceptions=True)\n";
    let plain = swallowing.replace("BaseException", "Exception");
    let dir = project(&[("swallowing.py", swallowing), ("plain.py", plain.as_str())]);
    let md = stdout(&cmd(dir.path()).arg("audit").output().expect("runs"));
    // The swallowing body's handlers are listed without the claim.
    assert_eq!(
        md.matches("its body handles `Exception` (lines 10, 12)")
            .count(),
        2,
        "{md}"
    );
    assert_eq!(
        md.matches(
            "its body handles `Exception` (lines 10, 12), which does not catch `CancelledError`"
        )
        .count(),
        1,
        "{md}"
    );
}

#[test]
fn audit_records_say_what_the_analysis_saw() {
    // A slot handed to a function of another module; a task returned to
    // the caller; a set pruned by its callback and never stopped; a body
    // whose `except BaseException` catches cancellation too.
    let handed = "import asyncio\nfrom lib import cancel_and_wait\nclass Pool:\n    def start(self):\n        if self._main is None:\n            self._main = asyncio.create_task(work())\n    async def aclose(self):\n        await cancel_and_wait(self._main)\n";
    let returned = "import asyncio\nasync def body():\n    pass\ndef spawn():\n    return asyncio.create_task(body())\n";
    let pruned = "import asyncio\nasync def work():\n    pass\nclass Hub:\n    def __init__(self):\n        self._tasks = set()\n    def spawn(self):\n        task = asyncio.create_task(work())\n        self._tasks.add(task)\n        task.add_done_callback(self._tasks.discard)\n";
    let broad = "import asyncio\nasync def body():\n    try:\n        await step()\n    except BaseException:\n        pass\nasync def run():\n    await asyncio.create_task(body())\n";
    let dir = project(&[
        ("handed.py", handed),
        ("returned.py", returned),
        ("pruned.py", pruned),
        ("broad.py", broad),
    ]);
    let md = stdout(&cmd(dir.path()).arg("audit").output().expect("runs"));
    assert!(
        md.contains("Handed to a call this module does not define in `Pool.aclose` (line 8): it may be stopped there"),
        "{md}"
    );
    // Only the pruned set's task is said to run on, and (never awaited, no handler) is unseen.
    assert_eq!(md.matches("nobody sees it fail").count(), 1, "{md}");
    assert_eq!(
        md.matches("it runs until the process exits").count(),
        1,
        "{md}"
    );
    assert!(
        md.contains("The reference is dropped when the task is done or replaced"),
        "{md}"
    );
    assert!(!md.contains("cleared after stopping"), "{md}");
    assert!(
        md.contains("its body handles `Exception` (line 5)  "),
        "{md}"
    );
    assert!(!md.contains("(line 5), which does not catch"), "{md}");
}

#[test]
fn audit_reasoning_follows_the_order_of_cancel_and_await() {
    // Awaited, then cancelled on a timeout: no wait after the cancel. A
    // task nothing holds but a done-callback that logs its failure is seen
    // failing.
    let late = "import asyncio\nasync def run(coro):\n    task = asyncio.create_task(coro)\n    try:\n        await asyncio.wait_for(asyncio.shield(task), 1)\n    except asyncio.TimeoutError:\n        task.cancel()\n";
    let logged = "import asyncio, logging\ndef log_result(task):\n    try:\n        task.result()\n    except Exception:\n        logging.exception('failed')\ndef fire(coro):\n    task = asyncio.ensure_future(coro)\n    task.add_done_callback(log_result)\n";
    let dir = project(&[("late.py", late), ("logged.py", logged)]);
    let md = stdout(&cmd(dir.path()).arg("audit").output().expect("runs"));
    assert!(!md.contains("cancels it and then waits for it"), "{md}");
    assert!(
        md.contains("the cancelling function does not wait for it afterwards"),
        "{md}"
    );
    assert!(md.contains("2 of 2 tasks can be seen failing"), "{md}");
    assert!(md.contains("✅ No risk of silent failures"), "{md}");
}

#[test]
fn audit_reasoning_of_a_task_handed_on_does_not_contradict_its_verdict() {
    // Cancelled by its owner and handed to a function of another module: no
    // finding, so the reasoning must not say that nobody waits for it or
    // observes its failures.
    let src = "import asyncio\nfrom lib import drain\nasync def work():\n    await asyncio.sleep(1)\nclass Scanner:\n    def __init__(self):\n        self._workers = []\n    def stop(self):\n        for w in self._workers:\n            w.cancel()\n    async def scan(self):\n        self._workers.append(asyncio.create_task(work()))\n        await drain(self._workers)\n";
    let dir = project(&[("scan.py", src)]);
    let md = stdout(&cmd(dir.path()).arg("audit").output().expect("runs"));
    assert!(md.contains("NONE - PROPERLY CONTROLLED"), "{md}");
    assert!(!md.contains("never waits for it"), "{md}");
    assert!(!md.contains("Nobody observes its failures"), "{md}");
    assert!(
        md.contains("Its owner cancels it, and hands it to code outside this module in `Scanner.scan` (line 13)"),
        "{md}"
    );
    assert!(
        md.contains("the code it is handed to in `Scanner.scan` (line 13) may"),
        "{md}"
    );
}

#[test]
fn audit_without_spawn_sites() {
    let dir = project(&[("app.py", "x = 1\n")]);
    let output = cmd(dir.path()).arg("audit").output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let md = stdout(&output);
    assert!(md.contains("**Total spawn sites found**: 0"), "{md}");
    assert!(md.contains("AUDIT COMPLETE - NO FIXES REQUIRED"), "{md}");
}

#[test]
fn audit_reports_unreadable_files_and_syntax_errors() {
    let dir = project(&[("app.py", DANGLING), ("broken.py", "x = (\n")]);
    write(dir.path(), "latin1.py", b"x = '\xe9'\n");
    let output = cmd(dir.path()).arg("audit").output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: failed to read latin1.py: invalid UTF-8 at byte 5\n"
    );
    let md = stdout(&output);
    assert!(
        md.contains("**Not audited (syntax errors)**: `broken.py`"),
        "{md}"
    );
    assert!(md.contains("**FILE**: `app.py`"), "{md}");
}

#[test]
fn audit_json_is_the_inventory_with_paths() {
    let dir = project(&[("app.py", DANGLING)]);
    let output = cmd(dir.path())
        .args(["audit", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    assert_eq!(report["summary"]["spawn_sites"], 1);
    assert_eq!(report["summary"]["with_findings"], 1);
    let task = &report["tasks"][0];
    assert_eq!(task["path"], "app.py");
    assert_eq!(task["line"], 3);
    assert_eq!(task["column"], 5);
    assert_eq!(task["owner"]["kind"], "discarded");
    assert_eq!(task["findings"], serde_json::json!(["dangling"]));
    assert_eq!(task["risk"], "high");
    assert_eq!(task["scope"], "production");
    assert_eq!(task["diagnostics"][0]["code"], "ATO101");
}

#[test]
fn long_lists_are_cut_in_the_text_but_whole_in_the_json() {
    // A slot twelve methods cancel: the diagnostic names five of them and
    // points at five cancels, the Markdown audit names ten places, and the
    // JSON audit lists all twelve.
    let mut src = String::from(
        "import asyncio\nclass C:\n    def start(self):\n        if self._t:\n            return\n        self._t = asyncio.create_task(w())\n",
    );
    for i in 0..12 {
        src.push_str(&format!(
            "    def stop{i}(self):\n        self._t.cancel()\n"
        ));
    }
    let dir = project(&[("app.py", &src)]);
    let full = stdout(
        &cmd(dir.path())
            .args(["check", "--output-format", "json"])
            .output()
            .expect("runs"),
    );
    let diags: serde_json::Value = serde_json::from_str(&full).expect("json");
    let message = diags[0]["message"].as_str().expect("message");
    assert!(
        message.contains(
            "`stop0()`, `stop1()`, `stop2()`, `stop3()`, `stop4()` and 7 other functions"
        ),
        "{message}"
    );
    let md = stdout(&cmd(dir.path()).arg("audit").output().expect("runs"));
    assert!(
        md.contains("`C.stop9` (line 26) and 2 other places"),
        "{md}"
    );
    assert!(!md.contains("`C.stop10`"), "{md}");
    let report = json(
        &cmd(dir.path())
            .args(["audit", "--format", "json"])
            .output()
            .expect("runs"),
    );
    let cancelled = &report["tasks"][0]["shutdown"]["cancelled_at"];
    assert_eq!(cancelled.as_array().map(Vec::len), Some(12), "{cancelled}");
}

// ---------------------------------------------------------------------------
// Secondary locations
// ---------------------------------------------------------------------------

/// `self._task` is cancelled in `stop()` (13:9) but never awaited: a
/// `cancel-not-awaited` at the spawn (10:26) with the cancel as a secondary
/// location.
const CANCEL_NOT_AWAITED: &str = "import asyncio\n\n\nclass Worker:\n    def __init__(self):\n        self._task = None\n\n    async def start(self):\n        if self._task is None:\n            self._task = asyncio.create_task(self._run())\n\n    async def stop(self):\n        self._task.cancel()\n\n    async def _run(self):\n        try:\n            await asyncio.sleep(1)\n        except Exception:\n            pass\n";

#[test]
fn secondary_locations_in_every_format() {
    let dir = project(&[("worker.py", CANCEL_NOT_AWAITED)]);
    let run = |format: &str| {
        let output = cmd(dir.path())
            .args(["check", "--output-format", format])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1));
        output
    };

    let value = json(&run("json"));
    let d = &value[0];
    assert_eq!(d["code"], "ASYNC-TASK-OWNERSHIP");
    assert_eq!(d["alias"], "ATO202");
    assert_eq!(d["kind"], "cancel-not-awaited");
    assert_eq!(d["location"], serde_json::json!({"row": 10, "column": 26}));
    let secondary = d["secondary"].as_array().expect("secondary locations");
    assert_eq!(secondary.len(), 1);
    assert_eq!(
        secondary[0]["location"],
        serde_json::json!({"row": 13, "column": 9})
    );
    let label = secondary[0]["label"].as_str().expect("a label");
    assert!(!label.is_empty());

    let sarif = json(&run("sarif"));
    let related = sarif["runs"][0]["results"][0]["relatedLocations"]
        .as_array()
        .expect("related locations");
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["message"]["text"], label);
    assert_eq!(related[0]["physicalLocation"]["region"]["startLine"], 13);
    assert_eq!(related[0]["physicalLocation"]["region"]["startColumn"], 9);

    // `full` draws the secondary location with its label under the source.
    let text = stdout(&run("full"));
    assert!(text.contains(" --> worker.py:10:26\n"), "{text}");
    assert!(
        text.contains("13 |         self._task.cancel()\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("   |         ---------- {label}\n")),
        "{text}"
    );
}

/// The project pass (SPEC §9) counts a stop method called on a receiver no
/// module can name, in any module of the run, as a possible stop of every
/// owner with that method — but not in a module whose name another file of
/// the run has (the join leaves such modules out: it cannot tell them apart).
#[test]
fn a_stop_called_on_an_unnamed_receiver_counts_once_its_module_is_joined() {
    const SCHEDULER: &str = "import asyncio\n\n\nclass Scheduler:\n    def __init__(self):\n        self._task = None\n\n    def start(self):\n        self._task = asyncio.create_task(self._loop())\n\n    async def stop(self):\n        self._task.cancel()\n        await self._task\n\n    async def _loop(self):\n        await asyncio.sleep(60)\n\n\nscheduler = Scheduler()\n";
    const MAIN: &str =
        "from app.scheduler import scheduler\n\n\ndef startup():\n    scheduler.start()\n";
    const CLEANUP: &str =
        "import app.scheduler\n\n\nasync def close_all(things):\n    for t in things:\n        await t.stop()\n";
    let base = [
        ("app/__init__.py", ""),
        ("app/scheduler.py", SCHEDULER),
        ("app/main.py", MAIN),
    ];
    let not_wired = |extra: &[(&str, &str)]| {
        let mut files = base.to_vec();
        files.extend_from_slice(extra);
        let dir = project(&files);
        let output = cmd(dir.path())
            .args(["check", "--output-format", "concise", "."])
            .output()
            .expect("runs");
        stdout(&output).contains("[shutdown-not-wired]")
    };
    // Started, never stopped.
    assert!(not_wired(&[]));
    // `t.stop()` in a module of its own: possibly the scheduler's stop.
    assert!(!not_wired(&[("app/cleanup.py", CLEANUP)]));
    // The same call in two scripts both named `cleanup`: left out.
    assert!(not_wired(&[
        ("scripts/cleanup.py", CLEANUP),
        ("tools/cleanup.py", CLEANUP)
    ]));
    // One of them alone is joined again.
    assert!(!not_wired(&[("scripts/cleanup.py", CLEANUP)]));
}
