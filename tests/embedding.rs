//! `docs/embedding.md` (and the library's README), run. Every ```rust block of
//! the doc is here verbatim
//! (up to indentation) in a `doc_*` module, so it compiles and the tests below
//! call it; a test checks that the doc and this file still agree. Then the
//! `host_linter` example is built and run on a temporary file.

use std::path::{Path, PathBuf};
use std::process::Command;

const DOC: &str = include_str!("../docs/embedding.md");
const CRATE_README: &str = include_str!("../crates/async_task_ownership/README.md");
const THIS_FILE: &str = include_str!("embedding.rs");

/// A module with one `print()` call before a dangling task and one after it.
const HOST_SAMPLE: &str = r#"import asyncio


async def notify(order_id):
    print("notifying", order_id)


async def handle(order_id):
    asyncio.create_task(notify(order_id))
    print("handled", order_id)
"#;

// ---- the doc's blocks, in the doc's order --------------------------------

mod doc_readme {
    use async_task_ownership::{check_source, Settings};

    pub fn report(source: &str, path: &str) {
        let result = check_source(source, path, &Settings::default());
        for d in &result.report.diagnostics {
            println!("{path} {:?}: {} {}", d.range, d.kind.code(), d.message);
        }
    }
}

mod doc_run {
    use async_task_ownership::{check_module, Report, Settings};
    use ruff_python_parser::{parse_module, ParseError};

    /// The host parses once; its own checks and the rule share the tree.
    pub fn lint(source: &str, path: &str, settings: &Settings) -> Result<Report, ParseError> {
        let parsed = parse_module(source)?;
        // ... the host's own checks walk `parsed.syntax()` here ...
        Ok(check_module(parsed.syntax(), source, path, settings))
    }
}

mod doc_check_source {
    use async_task_ownership::{check_source, Settings};

    /// Diagnostic codes of one file, or its syntax errors.
    pub fn codes(source: &str, path: &str) -> Result<Vec<&'static str>, Vec<String>> {
        let result = check_source(source, path, &Settings::default());
        if !result.syntax_errors.is_empty() {
            return Err(result
                .syntax_errors
                .into_iter()
                .map(|e| e.message)
                .collect());
        }
        Ok(result
            .report
            .diagnostics
            .iter()
            .map(|d| d.kind.code())
            .collect())
    }
}

mod doc_map {
    use async_task_ownership::Diagnostic;
    use ruff_source_file::LineIndex;
    use ruff_text_size::TextSize;

    /// A host's diagnostic: 1-based line and column (in characters).
    #[derive(Debug)]
    pub struct HostDiagnostic {
        pub code: &'static str,
        pub message: String,
        pub help: String,
        pub url: &'static str,
        pub start: (usize, usize),
        pub end: (usize, usize),
        pub notes: Vec<((usize, usize), String)>,
    }

    fn line_column(index: &LineIndex, source: &str, offset: TextSize) -> (usize, usize) {
        let at = index.line_column(offset, source);
        (at.line.get(), at.column.get())
    }

    pub fn to_host(d: &Diagnostic, source: &str, index: &LineIndex) -> HostDiagnostic {
        HostDiagnostic {
            code: d.kind.code(),
            message: format!("[{}] {}", d.kind.name(), d.message),
            help: d.help.clone(),
            url: async_task_ownership::rule::kind_metadata(d.kind).url,
            start: line_column(index, source, d.range.start()),
            end: line_column(index, source, d.range.end()),
            notes: d
                .secondary
                .iter()
                .map(|s| (line_column(index, source, s.range.start()), s.label.clone()))
                .collect(),
        }
    }
}

mod doc_lsp {
    use ruff_source_file::{LineIndex, PositionEncoding};
    use ruff_text_size::TextSize;

    /// An LSP `Position`: 0-based line and UTF-16 code unit.
    pub fn lsp_position(index: &LineIndex, source: &str, offset: TextSize) -> (u32, u32) {
        let at = index.source_location(offset, source, PositionEncoding::Utf16);
        let line = u32::try_from(at.line.to_zero_indexed()).unwrap_or(u32::MAX);
        let character = u32::try_from(at.character_offset.to_zero_indexed()).unwrap_or(u32::MAX);
        (line, character)
    }
}

mod doc_settings_literal {
    use async_task_ownership::{Kind, PythonVersion, Settings};

    pub fn settings() -> Settings {
        Settings {
            enabled: vec![Kind::Dangling, Kind::NoShutdown, Kind::SilentFailure],
            extra_spawn_functions: vec!["myapp.tasks.spawn".to_string()],
            target_version: PythonVersion {
                major: 3,
                minor: 11,
            },
            ..Settings::default()
        }
    }
}

mod doc_settings_toml {
    use async_task_ownership::Settings;

    /// The host's configuration file, with the rule's settings in a table of it.
    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct HostConfig {
        pub line_length: Option<u32>,
        #[serde(default)]
        pub async_task_ownership: Settings,
    }

    pub fn host_config(text: &str) -> Result<HostConfig, toml::de::Error> {
        toml::from_str(text)
    }
}

mod doc_settings_pyproject {
    use async_task_ownership::Settings;

    /// Keys of the command's `[tool.async-task-ownership]` table that are not
    /// the library's: file selection and the `select`/`ignore` syntax.
    pub const COMMAND_KEYS: [&str; 6] = [
        "select",
        "ignore",
        "exclude",
        "extend-exclude",
        "per-file-ignores",
        "respect-gitignore",
    ];

    /// The library's settings from a `pyproject.toml` written for the command.
    pub fn settings_from_pyproject(text: &str) -> Result<Settings, toml::de::Error> {
        let document: toml::Table = toml::from_str(text)?;
        let mut table = document
            .get("tool")
            .and_then(|tool| tool.get("async-task-ownership"))
            .and_then(|value| value.as_table())
            .cloned()
            .unwrap_or_default();
        for key in COMMAND_KEYS {
            table.remove(key);
        }
        table.try_into()
    }
}

mod doc_inventory {
    use async_task_ownership::{Owner, Report, Risk, Scope};

    /// One line per spawn site, healthy ones included.
    pub fn inventory_lines(path: &str, report: &Report) -> Vec<String> {
        let mut lines = Vec::new();
        for task in &report.inventory {
            let codes: Vec<&str> = task.findings.iter().map(|kind| kind.code()).collect();
            let cancelled: Vec<u32> = task.shutdown.cancelled_at.iter().map(|s| s.line).collect();
            let scope = if task.scope == Scope::Test {
                "test"
            } else {
                "production"
            };
            lines.push(format!(
                "{path}:{}:{} {} in {}: owner {}, lifetime {}, cancelled at {cancelled:?}, \
                 awaited {}, {scope} code, risk {} {codes:?}",
                task.line,
                task.column,
                task.api,
                task.spawned_in,
                task.owner.describe(),
                task.lifetime.describe(),
                task.exception_control.awaited,
                task.risk.name(),
            ));
        }
        lines
    }

    /// Spawn sites whose tasks live in a `self.<attr>` slot and carry a risk.
    pub fn risky_attributes(report: &Report) -> Vec<(String, String, Risk)> {
        let mut found = Vec::new();
        for task in &report.inventory {
            if let Owner::Attribute { class, attr } = &task.owner {
                if task.risk > Risk::None {
                    found.push((class.clone(), attr.clone(), task.risk));
                }
            }
        }
        found
    }

    /// The inventory as JSON (the shape `async-task-ownership audit --format json` embeds).
    pub fn inventory_json(report: &Report) -> serde_json::Result<String> {
        serde_json::to_string_pretty(&report.inventory)
    }
}

mod doc_register {
    use async_task_ownership::rule::{kinds, RULE};

    /// An entry of the host's rule table.
    #[derive(Debug)]
    pub struct HostRule {
        pub code: &'static str,
        pub name: &'static str,
        pub summary: &'static str,
        pub url: &'static str,
        pub group: &'static str,
    }

    /// One host rule per kind, under the group `ASYNC-TASK-OWNERSHIP`.
    pub fn register(table: &mut Vec<HostRule>) {
        for kind in kinds() {
            table.push(HostRule {
                code: kind.code,
                name: kind.name,
                summary: kind.summary,
                url: kind.url,
                group: RULE.code,
            });
        }
    }
}

mod doc_explain {
    use async_task_ownership::rule::{kind_metadata, RULE};
    use async_task_ownership::Kind;

    /// `explain ATO101`, `explain dangling` or `explain ASYNC-TASK-OWNERSHIP`.
    pub fn explain(code: &str) -> Option<String> {
        if code.eq_ignore_ascii_case(RULE.code) || code.eq_ignore_ascii_case(RULE.name) {
            return Some(format!("{}\n\n{}\n", RULE.summary, RULE.doc));
        }
        let kind = Kind::parse(code)?;
        let meta = kind_metadata(kind);
        let mut text = format!(
            "{} ({}) of {}\n\n{}.\n\nRisk: {}. Documentation: {}\n",
            meta.code,
            meta.name,
            RULE.code,
            meta.summary,
            kind.risk().name(),
            meta.url
        );
        if let Some(section) = section(RULE.doc, meta.name) {
            text.push('\n');
            text.push_str(section);
        }
        Some(text)
    }

    /// The `## <kind-name>` section of the rule doc, up to the next `## ` heading.
    fn section<'a>(doc: &'a str, name: &str) -> Option<&'a str> {
        let start = doc.find(&format!("\n## {name}\n"))? + 1;
        let rest = &doc[start..];
        let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
        Some(&rest[..end])
    }
}

mod doc_project {
    use async_task_ownership::project::{check_project, module_facts, ProjectReport};
    use async_task_ownership::Settings;

    /// `files`: `(path, dotted module name, source)` of every module of one run.
    pub fn project_pass(files: &[(&str, &str, &str)], settings: &Settings) -> ProjectReport {
        let mut facts = Vec::new();
        for (path, module_name, source) in files {
            if let Ok(parsed) = ruff_python_parser::parse_module(source) {
                facts.push(module_facts(&parsed, source, path, module_name, settings));
            }
        }
        check_project(&facts, settings)
    }
}

// ---- checks ---------------------------------------------------------------

/// The ```rust blocks of the doc (fenced exactly so; ```rust,ignore is not
/// compiled and not checked).
fn rust_blocks(doc: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in doc.lines().enumerate() {
        match &mut current {
            None if line.trim_end() == "```rust" => current = Some((i + 1, String::new())),
            Some((start, text)) => {
                if line.trim_end() == "```" {
                    blocks.push((*start, std::mem::take(text)));
                    current = None;
                } else {
                    text.push_str(line);
                    text.push('\n');
                }
            }
            None => {}
        }
    }
    blocks
}

/// Lines without indentation, blank lines dropped.
fn normalized(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_rust_block_of_the_docs_is_compiled_here() {
    let here = normalized(THIS_FILE);
    let mut missing = Vec::new();
    for (name, doc, at_least) in [
        ("docs/embedding.md", DOC, 10),
        ("crates/async_task_ownership/README.md", CRATE_README, 1),
    ] {
        let blocks = rust_blocks(doc);
        assert!(
            blocks.len() >= at_least,
            "{name}: found only {} ```rust blocks",
            blocks.len()
        );
        for (line, block) in blocks {
            if !here.contains(&normalized(&block)) {
                missing.push(format!("{name}:{line}:\n{block}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "these blocks are not in tests/embedding.rs (copy them into a `doc_*` module):\n\n{}",
        missing.join("\n")
    );
}

#[test]
fn readme_use() {
    doc_readme::report(HOST_SAMPLE, "app.py");
}

#[test]
fn run_and_map_diagnostics() {
    use async_task_ownership::Settings;
    use ruff_source_file::LineIndex;

    let report = doc_run::lint(HOST_SAMPLE, "app.py", &Settings::default()).expect("parses");
    assert_eq!(report.diagnostics.len(), 1);
    let index = LineIndex::from_source_text(HOST_SAMPLE);
    let d = doc_map::to_host(&report.diagnostics[0], HOST_SAMPLE, &index);
    assert_eq!(d.code, "ATO101");
    assert!(d.message.starts_with("[dangling] "), "{}", d.message);
    assert!(!d.help.is_empty());
    assert_eq!(d.start, (9, 5));
    assert_eq!(d.end, (9, 42));
    assert!(d.url.ends_with("#dangling"));
    assert!(d.notes.is_empty());
    // The inventory's own line and column agree with the host's mapping.
    assert_eq!(report.inventory[0].line, 9);
    assert_eq!(report.inventory[0].column, 5);

    assert!(doc_run::lint("def f(:\n", "bad.py", &Settings::default()).is_err());
}

#[test]
fn map_secondary_locations_and_lsp_positions() {
    use async_task_ownership::{Kind, Settings};
    use ruff_source_file::LineIndex;

    let source = "import asyncio\n\n\nclass Worker:\n    def start(self):\n        \
                  self._task = asyncio.create_task(self._run())\n\n    \
                  async def stop(self):\n        self._task.cancel()\n\n    \
                  async def _run(self):\n        # é\n        await asyncio.sleep(1)\n";
    let report = doc_run::lint(source, "worker.py", &Settings::default()).expect("parses");
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.kind == Kind::CancelNotAwaited)
        .expect("cancel-not-awaited");
    let index = LineIndex::from_source_text(source);
    let host = doc_map::to_host(d, source, &index);
    assert_eq!(host.start, (6, 22));
    assert_eq!(host.notes.len(), 1, "{host:?}");
    assert_eq!(host.notes[0].0, (9, 9));
    assert_eq!(
        doc_lsp::lsp_position(&index, source, d.range.start()),
        (5, 21)
    );
}

#[test]
fn settings_from_literal_toml_and_pyproject() {
    use async_task_ownership::{Kind, PythonVersion, Settings};

    let literal = doc_settings_literal::settings();
    assert_eq!(literal.enabled.len(), 3);
    assert!(literal.target_version.has_task_group());
    assert_eq!(literal.test_paths, Settings::default().test_paths);

    let config = doc_settings_toml::host_config(
        "line-length = 100\n\n[async-task-ownership]\nenabled = [\"dangling\", \"no-shutdown\"]\n\
         target-version = \"3.12\"\n",
    )
    .expect("valid");
    assert_eq!(config.line_length, Some(100));
    assert_eq!(
        config.async_task_ownership.enabled,
        vec![Kind::Dangling, Kind::NoShutdown]
    );
    assert_eq!(
        config.async_task_ownership.target_version,
        PythonVersion {
            major: 3,
            minor: 12
        }
    );
    let defaults = doc_settings_toml::host_config("line-length = 88\n").expect("valid");
    assert_eq!(defaults.async_task_ownership, Settings::default());
    let typo = doc_settings_toml::host_config("[async-task-ownership]\nenabeld = []\n")
        .expect_err("unknown keys are errors");
    assert!(typo.to_string().contains("enabeld"), "{typo}");

    // The example project's pyproject.toml, written for the command.
    let pyproject = "[project]\nname = \"x\"\n\n[tool.async-task-ownership]\n\
                     target-version = \"3.11\"\nextend-exclude = [\"generated\"]\n\
                     select = [\"ATO1\"]\ntest-paths = [\"tests/**\"]\n";
    let settings = doc_settings_pyproject::settings_from_pyproject(pyproject).expect("valid");
    assert!(settings.target_version.has_task_group());
    assert_eq!(settings.test_paths, vec!["tests/**".to_string()]);
    let none = doc_settings_pyproject::settings_from_pyproject("[project]\nname = \"x\"\n")
        .expect("valid");
    assert_eq!(none, Settings::default());
}

#[test]
fn read_the_inventory() {
    use async_task_ownership::{Risk, Settings};

    let source = "import asyncio\n\n\nclass Worker:\n    def start(self):\n        \
                  self._task = asyncio.create_task(self._run())\n\n    \
                  async def _run(self):\n        await asyncio.sleep(1)\n\n\n\
                  async def main():\n    await asyncio.create_task(asyncio.sleep(0))\n";
    let report = doc_run::lint(source, "worker.py", &Settings::default()).expect("parses");
    let lines = doc_inventory::inventory_lines("worker.py", &report);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].starts_with("worker.py:6:22 asyncio.create_task in Worker.start: owner "));
    assert!(lines[0].contains("ATO201"), "{}", lines[0]);
    assert!(lines[1].contains("risk none []"), "{}", lines[1]);
    let risky = doc_inventory::risky_attributes(&report);
    assert_eq!(risky.len(), 1);
    assert_eq!(risky[0].0, "Worker");
    assert_eq!(risky[0].1, "_task");
    assert!(risky[0].2 > Risk::None);
    let json: serde_json::Value =
        serde_json::from_str(&doc_inventory::inventory_json(&report).expect("serializes"))
            .expect("JSON");
    assert_eq!(json[0]["owner"]["kind"], "attribute");
    assert_eq!(json[0]["findings"][0], "no-shutdown");
}

#[test]
fn register_and_explain() {
    let mut table = Vec::new();
    doc_register::register(&mut table);
    assert_eq!(table.len(), async_task_ownership::Kind::ALL.len());
    assert_eq!(table[0].code, "ATO101");
    assert_eq!(table[0].name, "dangling");
    assert_eq!(table[0].group, "ASYNC-TASK-OWNERSHIP");
    assert!(table
        .iter()
        .all(|r| !r.summary.is_empty() && r.url.contains('#')));

    let help = doc_explain::explain("ato205").expect("known code");
    assert!(help.starts_with("ATO205 (unbounded-collection) of ASYNC-TASK-OWNERSHIP"));
    assert!(help.contains("\n## unbounded-collection\n"), "{help}");
    assert!(
        !help.contains("\n## swallows-cancellation"),
        "one section only"
    );
    assert!(doc_explain::explain("dangling").is_some());
    assert!(doc_explain::explain("ASYNC-TASK-OWNERSHIP")
        .expect("the rule")
        .contains("## What it does"));
    assert!(doc_explain::explain("E501").is_none());
    // The last kind's section ends at the next `## ` heading too.
    let last = doc_explain::explain("ATO401").expect("known code");
    assert!(last.contains("\n## shutdown-not-wired\n"));
    assert!(!last.contains("## Owners and spawn sites"));
}

#[test]
fn check_source_without_a_parser() {
    assert_eq!(
        doc_check_source::codes(HOST_SAMPLE, "app.py"),
        Ok(vec!["ATO101"])
    );
    let errors = doc_check_source::codes("def f(:\n", "bad.py").expect_err("syntax error");
    assert!(!errors.is_empty());
}

#[test]
fn project_pass_reports_an_owner_that_is_started_and_never_stopped() {
    use async_task_ownership::{Kind, Settings};

    let worker = "import asyncio\n\n\nclass Worker:\n    async def start(self):\n        \
                  self._task = asyncio.create_task(self._run())\n\n    \
                  async def stop(self):\n        self._task.cancel()\n        \
                  try:\n            await self._task\n        \
                  except asyncio.CancelledError:\n            pass\n\n    \
                  async def _run(self):\n        await asyncio.sleep(1)\n";
    let main = "from app.worker import Worker\n\nworker = Worker()\n\n\n\
                async def startup():\n    await worker.start()\n";
    let files = [
        ("app/worker.py", "app.worker", worker),
        ("app/main.py", "app.main", main),
    ];
    let settings = Settings::default();
    let report = doc_project::project_pass(&files, &settings);
    assert_eq!(report.diagnostics.len(), 1, "{report:#?}");
    let found = &report.diagnostics[0];
    assert_eq!(found.path, "app/worker.py");
    assert_eq!(found.diagnostic.kind, Kind::ShutdownNotWired);
    assert_eq!(found.secondary_paths, vec!["app/main.py".to_string()]);

    // The same project with the shutdown wired: nothing to report.
    let wired = format!("{main}\n\nasync def shutdown():\n    await worker.stop()\n");
    let files = [
        ("app/worker.py", "app.worker", worker),
        ("app/main.py", "app.main", wired.as_str()),
    ];
    assert!(doc_project::project_pass(&files, &settings)
        .diagnostics
        .is_empty());
}

// ---- the example ----------------------------------------------------------

/// Builds the `host_linter` example (a no-op when fresh) in the profile these
/// tests were built in, and returns its path.
fn host_linter() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    // target/<profile>/deps/embedding-<hash>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the target directory")
        .to_path_buf();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args([
            "build",
            "--quiet",
            "-p",
            "async_task_ownership",
            "--example",
            "host_linter",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo build runs");
    assert!(status.success(), "building the host_linter example failed");
    profile_dir
        .join("examples")
        .join(format!("host_linter{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn host_linter_example_lists_its_own_and_the_rules_diagnostics_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("app.py");
    std::fs::write(&file, HOST_SAMPLE).expect("write");
    let host_linter = host_linter();
    let output = Command::new(&host_linter)
        .arg(&file)
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let path = file.display().to_string();
    // Positions and codes are the contract; message wording is not.
    let prefixes: Vec<String> = stdout
        .lines()
        .map(|line| line.split(" [").next().unwrap_or(line).to_string())
        .map(|line| line.split(" `print()`").next().unwrap_or(&line).to_string())
        .collect();
    assert_eq!(
        prefixes,
        [
            format!("{path}:5:5: HOST001"),
            format!("{path}:9:5: ATO101"),
            format!("{path}:10:5: HOST001"),
            "Found 3 diagnostics.".to_string(),
        ],
        "{stdout}"
    );
    assert!(stdout.contains(": ATO101 [dangling] "), "{stdout}");

    // A file without findings: exit 0.
    std::fs::write(&file, "import asyncio\n").expect("write");
    let clean = Command::new(&host_linter)
        .arg(&file)
        .output()
        .expect("the example runs");
    assert_eq!(clean.status.code(), Some(0));
}
