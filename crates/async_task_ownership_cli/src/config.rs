//! Configuration: the `[tool.async-task-ownership]` table of the nearest
//! `pyproject.toml`, an `async-task-ownership.toml`, or `--config PATH`, then
//! the command-line flags on top.
//!
//! Keys are the library's [`Settings`] (kebab-case) plus the driver's own
//! (`select`, `ignore`, `exclude`, `extend-exclude`, `per-file-ignores`).
//! Unknown keys and bad values are errors that name the file, the key (with
//! its line when it can be found) and what is allowed: a typo in a linter's
//! configuration must not silently turn a check off.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use async_task_ownership::{Kind, PythonVersion, Settings, RULE_CODE, RULE_NAME};
use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::args::FileArgs;

/// The name of the standalone configuration file.
pub const CONFIG_FILE: &str = "async-task-ownership.toml";
/// The table of `pyproject.toml` that holds the configuration.
pub const PYPROJECT_TABLE: &str = "tool.async-task-ownership";

/// Directories and files skipped by default (Ruff's list); `exclude` replaces
/// it, `extend-exclude` adds to it.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// The keys accepted in a configuration file, in documentation order.
const KEYS: &[&str] = &[
    "enabled",
    "extra-spawn-functions",
    "extra-loop-names",
    "extra-owning-callees",
    "test-paths",
    "target-version",
    "select",
    "ignore",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "respect-gitignore",
];

/// The configuration file's table, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
struct Options {
    enabled: Option<Vec<String>>,
    extra_spawn_functions: Option<Vec<String>>,
    extra_loop_names: Option<Vec<String>>,
    extra_owning_callees: Option<Vec<String>>,
    test_paths: Option<Vec<String>>,
    target_version: Option<String>,
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
    extend_exclude: Option<Vec<String>>,
    per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    respect_gitignore: Option<bool>,
}

/// The resolved configuration of one run.
#[derive(Debug)]
pub struct Config {
    /// The configuration file that was read, if any.
    pub file: Option<PathBuf>,
    /// The directory that relative globs are resolved against: the
    /// configuration file's directory, else the current directory (absolute).
    pub root: PathBuf,
    /// The library's settings, `enabled` already narrowed by select/ignore.
    pub settings: Settings,
    /// Files and directories to skip while walking.
    pub exclude: GlobSet,
    /// The same globs, as written.
    pub exclude_globs: Vec<String>,
    /// Kinds ignored in files matching a glob.
    pub per_file_ignores: Vec<PerFileIgnore>,
    /// Whether `.gitignore` and friends are read.
    pub respect_gitignore: bool,
}

/// Kinds ignored in the files that match a glob.
#[derive(Debug)]
pub struct PerFileIgnore {
    /// The glob as written.
    pub glob: String,
    matcher: GlobMatcher,
    /// The kinds ignored.
    pub kinds: Vec<Kind>,
}

impl Config {
    /// The kinds ignored for `relative` by `per-file-ignores`.
    pub fn ignored_kinds(&self, relative: &str) -> Vec<Kind> {
        let name = relative.rsplit('/').next().unwrap_or(relative);
        let mut kinds: Vec<Kind> = self
            .per_file_ignores
            .iter()
            .filter(|p| p.matcher.is_match(relative) || p.matcher.is_match(name))
            .flat_map(|p| p.kinds.iter().copied())
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

impl std::fmt::Display for Config {
    /// `--show-settings`: the resolved configuration, one key per line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |v: &[String]| format!("{v:?}");
        let file = self
            .file
            .as_ref()
            .map_or_else(|| "(none)".to_string(), |p| p.display().to_string());
        writeln!(f, "config-file = {file}")?;
        writeln!(f, "root = {}", self.root.display())?;
        let s = &self.settings;
        let enabled: Vec<String> = s.enabled.iter().map(|k| k.name().to_string()).collect();
        writeln!(f, "enabled = {}", list(&enabled))?;
        writeln!(
            f,
            "extra-spawn-functions = {}",
            list(&s.extra_spawn_functions)
        )?;
        writeln!(f, "extra-loop-names = {}", list(&s.extra_loop_names))?;
        writeln!(
            f,
            "extra-owning-callees = {}",
            list(&s.extra_owning_callees)
        )?;
        writeln!(f, "test-paths = {}", list(&s.test_paths))?;
        writeln!(f, "target-version = \"{}\"", s.target_version)?;
        writeln!(f, "exclude = {}", list(&self.exclude_globs))?;
        writeln!(f, "respect-gitignore = {}", self.respect_gitignore)?;
        writeln!(f, "per-file-ignores = {{")?;
        for p in &self.per_file_ignores {
            let kinds: Vec<String> = p.kinds.iter().map(|k| k.name().to_string()).collect();
            writeln!(f, "  {:?} = {}", p.glob, list(&kinds))?;
        }
        writeln!(f, "}}")
    }
}

/// Whether `relative` or its file name matches a glob of `set`.
pub fn is_excluded(set: &GlobSet, relative: &str) -> bool {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    set.is_match(relative) || set.is_match(name)
}

/// `path` with `/` separators.
pub fn slash_path(path: &Path) -> String {
    slash_str(path).into_owned()
}

/// [`slash_path`], borrowed where the path already has `/` separators (a
/// valid UTF-8 path on a system that separates with `/`).
pub fn slash_str(path: &Path) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let text = path.to_string_lossy();
    let slash = std::path::MAIN_SEPARATOR == '/';
    match text {
        Cow::Borrowed(text) if slash => Cow::Borrowed(text.strip_prefix("./").unwrap_or(text)),
        text => {
            let text = text.strip_prefix("./").unwrap_or(&text);
            Cow::Owned(if slash {
                text.to_string()
            } else {
                text.replace(std::path::MAIN_SEPARATOR, "/")
            })
        }
    }
}

/// Whether [`normalize`] leaves `path` as it is: no `.` or `..` component,
/// no repeated or trailing separator.
fn is_normal(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    let sep = std::path::MAIN_SEPARATOR as u8;
    bytes.first() != Some(&b'.')
        && bytes.last() != Some(&sep)
        && !bytes
            .windows(2)
            .any(|w| w[0] == sep && (w[1] == sep || w[1] == b'.'))
}

/// [`normalize`], keeping the path it is given when there is nothing to
/// remove (most paths) instead of copying it.
pub fn normalize_owned(path: PathBuf) -> PathBuf {
    if is_normal(&path) {
        path
    } else {
        normalize(&path)
    }
}

/// Removes `.` components and resolves `..` lexically.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    // Most paths have nothing to remove: no `.` or `..` component, no
    // repeated or trailing separator. They are returned as they are instead
    // of being taken apart and put together again.
    if is_normal(path) {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Finds, reads and resolves the configuration for `args`.
pub fn load(args: &FileArgs) -> Result<Config> {
    let cwd = std::env::current_dir().context("failed to read the current directory")?;
    let found = if args.isolated {
        None
    } else if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read `{}`", path.display()))?;
        Some((path.clone(), text))
    } else {
        discover(&start_dir(args, &cwd))?.map(|(path, text)| {
            // Name the file relative to the current directory when below it.
            let shown = path
                .strip_prefix(&cwd)
                .map_or_else(|_| path.clone(), Path::to_path_buf);
            (shown, text)
        })
    };

    let (file, root, options) = match found {
        None => (None, cwd.clone(), Options::default()),
        Some((path, text)) => {
            let options = parse_file(&path, &text)?;
            let root = normalize(&cwd.join(&path))
                .parent()
                .map_or_else(|| cwd.clone(), Path::to_path_buf);
            (Some(path), root, options)
        }
    };
    resolve(options, args, file, root)
}

/// Where the search for a configuration file starts: the first path's
/// directory (or `--stdin-filename`'s), else the current directory.
fn start_dir(args: &FileArgs, cwd: &Path) -> PathBuf {
    let first = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .or(args.stdin_filename.as_ref());
    let Some(first) = first else {
        return cwd.to_path_buf();
    };
    let path = normalize(&cwd.join(first));
    if path.is_dir() {
        path
    } else {
        path.parent()
            .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
    }
}

/// The nearest `async-task-ownership.toml`, or `pyproject.toml` with a
/// `[tool.async-task-ownership]` table, in `dir` or its ancestors.
fn discover(dir: &Path) -> Result<Option<(PathBuf, String)>> {
    for ancestor in dir.ancestors() {
        let standalone = ancestor.join(CONFIG_FILE);
        if standalone.is_file() {
            let text = std::fs::read_to_string(&standalone)
                .with_context(|| format!("failed to read `{}`", standalone.display()))?;
            return Ok(Some((standalone, text)));
        }
        let pyproject = ancestor.join("pyproject.toml");
        if pyproject.is_file() {
            let text = std::fs::read_to_string(&pyproject)
                .with_context(|| format!("failed to read `{}`", pyproject.display()))?;
            // A pyproject.toml without our table is not ours: keep looking.
            // (The substring test only avoids parsing unrelated files.)
            let has_table = text.contains("async-task-ownership");
            if has_table {
                let doc = parse_toml(&pyproject, &text)?;
                if pyproject_table(&doc).is_some() {
                    return Ok(Some((pyproject, text)));
                }
            }
        }
    }
    Ok(None)
}

fn is_pyproject(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "pyproject.toml")
}

fn parse_toml(path: &Path, text: &str) -> Result<toml::Table> {
    toml::from_str::<toml::Table>(text).map_err(|e| {
        anyhow::anyhow!(
            "failed to parse `{}`: {}",
            path.display(),
            e.to_string().trim_end()
        )
    })
}

fn pyproject_table(doc: &toml::Table) -> Option<&toml::Value> {
    doc.get("tool")?.as_table()?.get("async-task-ownership")
}

/// Parses a configuration file: the `[tool.async-task-ownership]` table of a
/// `pyproject.toml`, or the top level of any other file.
fn parse_file(path: &Path, text: &str) -> Result<Options> {
    let doc = parse_toml(path, text)?;
    let (table, section) = if is_pyproject(path) {
        match pyproject_table(&doc) {
            None => return Ok(Options::default()),
            Some(toml::Value::Table(t)) => (t.clone(), Some(PYPROJECT_TABLE)),
            Some(_) => bail!(
                "invalid configuration in `{}`: `{PYPROJECT_TABLE}` must be a table",
                path.display()
            ),
        }
    } else {
        (doc, None)
    };
    let place = |key: &str| {
        let mut s = match section {
            Some(section) => format!("`{key}` in `[{section}]` of `{}`", path.display()),
            None => format!("`{key}` in `{}`", path.display()),
        };
        if let Some(line) = key_line(text, section, key) {
            let _ = write!(s, " (line {line})");
        }
        s
    };

    for key in table.keys() {
        if !KEYS.contains(&key.as_str()) {
            bail!(
                "invalid configuration: unknown key {}\n  allowed keys: {}",
                place(key),
                KEYS.join(", ")
            );
        }
    }
    serde_path_to_error::deserialize::<_, Options>(toml::Value::Table(table))
        .map_err(|e| {
            let key = e
                .path()
                .iter()
                .next()
                .map_or_else(|| "?".to_string(), |s| s.to_string());
            let message = e.inner().message().replace("a sequence", "a list");
            let at = if e.path().iter().count() > 1 {
                format!(" (at `{}`)", e.path())
            } else {
                String::new()
            };
            anyhow::anyhow!(
                "invalid configuration: bad value for {}: {message}{at}",
                place(&key)
            )
        })
        .and_then(|options| {
            validate(&options).map_err(|(key, message)| {
                anyhow::anyhow!(
                    "invalid configuration: bad value for {}: {message}",
                    place(key)
                )
            })?;
            Ok(options)
        })
}

/// Checks the values that serde cannot: kinds, versions and globs.
fn validate(o: &Options) -> std::result::Result<(), (&'static str, String)> {
    for (key, list) in [
        ("enabled", &o.enabled),
        ("select", &o.select),
        ("ignore", &o.ignore),
    ] {
        for item in list.iter().flatten() {
            parse_selector(item).map_err(|m| (key, m))?;
        }
    }
    if let Some(v) = &o.target_version {
        v.parse::<PythonVersion>()
            .map_err(|m| ("target-version", m))?;
    }
    for (key, list) in [
        ("exclude", &o.exclude),
        ("extend-exclude", &o.extend_exclude),
        ("test-paths", &o.test_paths),
    ] {
        for glob in list.iter().flatten() {
            Glob::new(glob).map_err(|e| (key, format!("invalid glob `{glob}`: {}", e.kind())))?;
        }
    }
    for (glob, kinds) in o.per_file_ignores.iter().flatten() {
        Glob::new(glob).map_err(|e| {
            (
                "per-file-ignores",
                format!("invalid glob `{glob}`: {}", e.kind()),
            )
        })?;
        for kind in kinds {
            parse_selector(kind).map_err(|m| ("per-file-ignores", format!("`{glob}`: {m}")))?;
        }
    }
    Ok(())
}

/// The 1-based line where `key` is set, searched after the section header.
fn key_line(text: &str, section: Option<&str>, key: &str) -> Option<usize> {
    let mut in_section = section.is_none();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            let header = t.trim_start_matches('[').trim_end_matches(']').trim();
            match section {
                Some(section) => {
                    if header == format!("{section}.{key}") {
                        return Some(i + 1);
                    }
                    in_section = header == section;
                }
                None => {
                    if header == key {
                        return Some(i + 1);
                    }
                    in_section = false;
                }
            }
            continue;
        }
        if !in_section {
            continue;
        }
        let rest = t
            .strip_prefix(key)
            .or_else(|| t.strip_prefix(&format!("\"{key}\"")));
        if rest.is_some_and(|r| r.trim_start().starts_with('=')) {
            return Some(i + 1);
        }
    }
    None
}

/// Parses a kind selector: a kind name (`dangling`), an alias code
/// (`ATO101`), a code prefix (`ATO`, `ATO2`), `ALL` or the rule's code.
pub fn parse_selector(text: &str) -> std::result::Result<Vec<Kind>, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("ALL")
        || t.eq_ignore_ascii_case(RULE_CODE)
        || t.eq_ignore_ascii_case(RULE_NAME)
    {
        return Ok(Kind::ALL.to_vec());
    }
    if let Some(kind) = Kind::parse(t) {
        return Ok(vec![kind]);
    }
    let upper = t.to_ascii_uppercase();
    if upper.starts_with("ATO") {
        let kinds: Vec<Kind> = Kind::ALL
            .into_iter()
            .filter(|k| k.code().starts_with(&upper))
            .collect();
        if !kinds.is_empty() {
            return Ok(kinds);
        }
    }
    Err(format!(
        "unknown kind `{t}`: expected a kind name ({}), an alias code ({}), a code prefix \
         such as `ATO2`, `ALL` or `{RULE_CODE}`",
        Kind::ALL.map(Kind::name).join(", "),
        Kind::ALL.map(Kind::code).join(", "),
    ))
}

fn selectors(list: &[String], what: &str) -> Result<Vec<Kind>> {
    let mut kinds = Vec::new();
    for item in list {
        kinds.extend(parse_selector(item).map_err(|m| anyhow::anyhow!("{what}: {m}"))?);
    }
    Ok(kinds)
}

fn build_globset(globs: &[String], what: &str) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(make_glob(glob).map_err(|m| anyhow::anyhow!("{what}: {m}"))?);
    }
    builder
        .build()
        .map_err(|e| anyhow::anyhow!("{what}: {}", e.kind()))
}

fn make_glob(glob: &str) -> std::result::Result<Glob, String> {
    let trimmed = glob.strip_prefix("./").unwrap_or(glob);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    GlobBuilder::new(trimmed)
        .build()
        .map_err(|e| format!("invalid glob `{glob}`: {}", e.kind()))
}

/// Merges the file's options and the flags into a [`Config`].
fn resolve(o: Options, args: &FileArgs, file: Option<PathBuf>, root: PathBuf) -> Result<Config> {
    let mut settings = Settings::default();

    // Kinds: the file's `select` (or `enabled`) minus its `ignore`; then a
    // `--select` starts over, and `--ignore` removes.
    let mut enabled = match o.select.as_ref().or(o.enabled.as_ref()) {
        Some(list) => selectors(list, "select")?,
        None => Kind::ALL.to_vec(),
    };
    let file_ignore = selectors(o.ignore.as_deref().unwrap_or_default(), "ignore")?;
    enabled.retain(|k| !file_ignore.contains(k));
    if let Some(select) = &args.select {
        enabled = selectors(select, "invalid value for `--select`")?;
    }
    let flag_ignore = selectors(&args.ignore, "invalid value for `--ignore`")?;
    enabled.retain(|k| !flag_ignore.contains(k));
    enabled.sort();
    enabled.dedup();
    settings.enabled = enabled;

    if let Some(v) = o.extra_spawn_functions {
        settings.extra_spawn_functions = v;
    }
    settings
        .extra_spawn_functions
        .extend(args.extra_spawn_function.iter().cloned());
    if let Some(v) = o.extra_loop_names {
        settings.extra_loop_names = v;
    }
    settings
        .extra_loop_names
        .extend(args.extra_loop_name.iter().cloned());
    if let Some(v) = o.extra_owning_callees {
        settings.extra_owning_callees = v;
    }
    settings
        .extra_owning_callees
        .extend(args.extra_owning_callee.iter().cloned());
    if let Some(v) = o.test_paths {
        settings.test_paths = v;
    }
    for glob in &args.test_path {
        make_glob(glob).map_err(|m| anyhow::anyhow!("invalid value for `--test-path`: {m}"))?;
        settings.test_paths.push(glob.clone());
    }
    if let Some(v) = &args.target_version {
        settings.target_version = v
            .parse()
            .map_err(|m| anyhow::anyhow!("invalid value for `--target-version`: {m}"))?;
    } else if let Some(v) = &o.target_version {
        // Validated while parsing the file.
        settings.target_version = v.parse().map_err(|m: String| anyhow::anyhow!(m))?;
    }

    let mut exclude: Vec<String> = match (&args.exclude, &o.exclude) {
        (Some(flag), _) => flag.clone(),
        (None, Some(file)) => file.clone(),
        (None, None) => DEFAULT_EXCLUDE.iter().map(|s| (*s).to_string()).collect(),
    };
    exclude.extend(o.extend_exclude.iter().flatten().cloned());
    exclude.extend(args.extend_exclude.iter().cloned());
    let exclude_globs = exclude.clone();
    let exclude = build_globset(&exclude, "invalid exclude glob")?;

    let mut per_file_ignores = Vec::new();
    for (glob, kinds) in o.per_file_ignores.iter().flatten() {
        per_file_ignores.push(PerFileIgnore {
            glob: glob.clone(),
            matcher: make_glob(glob)
                .map_err(|m| anyhow::anyhow!("per-file-ignores: {m}"))?
                .compile_matcher(),
            kinds: selectors(kinds, "per-file-ignores")?,
        });
    }
    for entry in &args.per_file_ignores {
        let Some((glob, kinds)) = entry.rsplit_once(':') else {
            bail!(
                "invalid value for `--per-file-ignores`: `{entry}`: expected `GLOB:KIND,KIND` \
                 (for example `tests/**:ATO101,unawaited-local`)"
            );
        };
        let kinds: Vec<String> = kinds.split(',').map(str::to_string).collect();
        per_file_ignores.push(PerFileIgnore {
            glob: glob.to_string(),
            matcher: make_glob(glob)
                .map_err(|m| anyhow::anyhow!("invalid value for `--per-file-ignores`: {m}"))?
                .compile_matcher(),
            kinds: selectors(&kinds, "invalid value for `--per-file-ignores`")?,
        });
    }

    Ok(Config {
        file,
        root,
        settings,
        exclude,
        exclude_globs,
        per_file_ignores,
        respect_gitignore: !args.no_respect_gitignore && o.respect_gitignore.unwrap_or(true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_accept_names_codes_and_prefixes() {
        assert_eq!(parse_selector("dangling"), Ok(vec![Kind::Dangling]));
        assert_eq!(parse_selector("ato101"), Ok(vec![Kind::Dangling]));
        assert_eq!(
            parse_selector("ATO1"),
            Ok(vec![Kind::Dangling, Kind::UnawaitedLocal])
        );
        assert_eq!(parse_selector("ALL").map(|k| k.len()), Ok(10));
        assert!(parse_selector("nope").is_err());
        assert!(parse_selector("ATO9").is_err());
    }

    #[test]
    fn paths_are_normalized_lexically() {
        for (path, normal) in [
            ("/work/app/main.py", "/work/app/main.py"),
            ("app/core/tasks.py", "app/core/tasks.py"),
            ("", ""),
            ("/", "/"),
            ("/work/./app/../lib/x.py", "/work/lib/x.py"),
            ("./app//main.py", "app/main.py"),
            ("/work/app/", "/work/app"),
            ("/work/.hidden/x.py", "/work/.hidden/x.py"),
            ("../up/x.py", "../up/x.py"),
            ("/work/app/.", "/work/app"),
        ] {
            assert_eq!(normalize(Path::new(path)), PathBuf::from(normal), "{path}");
            // The owned form gives the same path.
            assert_eq!(
                normalize_owned(PathBuf::from(path)),
                PathBuf::from(normal),
                "{path}"
            );
        }
    }

    #[test]
    fn paths_are_spelled_with_slashes_borrowed_where_they_can_be() {
        for (path, text) in [
            ("app/main.py", "app/main.py"),
            ("./app/main.py", "app/main.py"),
            ("/work/app/main.py", "/work/app/main.py"),
            ("", ""),
        ] {
            let slashed = slash_str(Path::new(path));
            assert_eq!(slashed, text, "{path}");
            if std::path::MAIN_SEPARATOR == '/' {
                assert!(
                    matches!(slashed, std::borrow::Cow::Borrowed(_)),
                    "{path}: copied"
                );
            }
            assert_eq!(slash_path(Path::new(path)), text, "{path}");
        }
    }

    #[test]
    fn key_lines_are_found_in_the_section() {
        let text = "[tool.ruff]\nexclude = []\n\n[tool.async-task-ownership]\nexclude = [\"x\"]\n";
        assert_eq!(key_line(text, Some(PYPROJECT_TABLE), "exclude"), Some(5));
        assert_eq!(key_line("select = []\n", None, "select"), Some(1));
    }
}
