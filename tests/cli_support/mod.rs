//! Shared helpers of the CLI tests: the binary, temporary projects, and the
//! simplest source with a diagnostic.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The simplest module with a diagnostic: a `dangling` task at 3:5.
pub const DANGLING: &str = "import asyncio\nasync def f():\n    asyncio.create_task(g())\n";

/// A module with a spawn site and no finding.
pub const CLEAN: &str = "import asyncio\nasync def f():\n    await asyncio.create_task(g())\n";

/// The path of the `async-task-ownership` binary, built once per test run.
///
/// Cargo builds a binary for the integration tests of its own package only,
/// and this package is the root one, so the tests build it themselves (a
/// no-op when it is fresh) in the profile they were built in.
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test executable's path");
        // target/<profile>/deps/cli-<hash>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the target directory")
            .to_path_buf();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = std::process::Command::new(cargo);
        build
            .args([
                "build",
                "--quiet",
                "-p",
                "async_task_ownership_cli",
                "--bin",
                "async-task-ownership",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo build runs");
        assert!(status.success(), "building the binary failed");
        profile_dir.join(format!(
            "async-task-ownership{}",
            std::env::consts::EXE_SUFFIX
        ))
    })
}

/// A command running the binary in `dir`, with colours off.
pub fn cmd(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(bin());
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RAYON_NUM_THREADS");
    cmd
}

/// A temporary project holding `files` (path, contents).
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, contents) in files {
        write(dir.path(), path, contents.as_bytes());
    }
    dir
}

/// Writes `bytes` to `root/path`, creating the directories.
pub fn write(root: &Path, path: &str, bytes: &[u8]) {
    let path = root.join(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create the directories");
    }
    std::fs::write(path, bytes).expect("write the file");
}

/// Standard output as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// Standard error as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 output")
}

/// Parses standard output as JSON.
pub fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("valid JSON on stdout")
}

/// The repository root (where `examples/` is).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
