//! Cheap guards of the packaging files; the real tests are
//! `scripts/test-pip-install.sh` and `scripts/test-pre-commit.sh`.

const PYPROJECT: &str = include_str!("../pyproject.toml");
const HOOKS: &str = include_str!("../.pre-commit-hooks.yaml");

#[test]
fn pyproject_version_is_the_workspace_version() {
    let pyproject: toml::Table = toml::from_str(PYPROJECT).expect("valid TOML");
    assert_eq!(
        pyproject["project"]["version"].as_str(),
        Some(env!("CARGO_PKG_VERSION")),
        "pyproject.toml's [project] version must follow [workspace.package] version"
    );
    assert_eq!(
        pyproject["project"]["name"].as_str(),
        Some("async-task-ownership")
    );
    let maturin = &pyproject["tool"]["maturin"];
    assert_eq!(maturin["bindings"].as_str(), Some("bin"));
    assert_eq!(
        maturin["manifest-path"].as_str(),
        Some("crates/async_task_ownership_cli/Cargo.toml")
    );
}

#[test]
fn root_pyproject_has_no_configuration_table() {
    // The command reads the nearest pyproject.toml *with* this table: one here
    // would configure every checkout of this repository, examples included.
    let pyproject: toml::Table = toml::from_str(PYPROJECT).expect("valid TOML");
    let tool = pyproject["tool"].as_table().expect("[tool]");
    assert!(
        !tool.contains_key("async-task-ownership"),
        "the root pyproject.toml must not have [tool.async-task-ownership]"
    );
}

#[test]
fn pre_commit_hook_runs_the_check_command() {
    assert!(HOOKS.contains("- id: async-task-ownership\n"), "{HOOKS}");
    assert!(HOOKS.contains("\n  entry: async-task-ownership check\n"));
    assert!(HOOKS.contains("\n  language: python\n"));
    assert!(HOOKS.contains("\n  types: [python]\n"));
}
