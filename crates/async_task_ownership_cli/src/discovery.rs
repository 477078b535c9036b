//! Which files to check: explicit file arguments always, and the `.py` files
//! under directory arguments found by the `ignore` crate's walker (the one
//! ripgrep uses), which respects `.gitignore`, `.ignore` and git's exclude
//! files and skips hidden entries. `exclude` globs (by default Ruff's list:
//! `.venv`, `venv`, `node_modules`, `__pycache__`, `build`, `dist`,
//! `site-packages`, …) prune the walk. Stubs (`.pyi`) are skipped.
//!
//! The walk is parallel (listing directories and matching ignore files is
//! not free: sequential, it was 6% of a whole run); the list is sorted, so
//! the output order does not depend on the thread count.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use crate::config::{is_excluded, normalize_owned, slash_path, slash_str, Config};

/// One file to check.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// The path as walked (relative to the current directory when the
    /// argument was), used to open the file.
    pub path: PathBuf,
    /// The path as printed: relative to the current directory when below it.
    pub display: String,
    /// The absolute path (for JSON and SARIF).
    pub absolute: PathBuf,
    /// The path relative to the project root, `/`-separated (for test scope
    /// and per-file ignores).
    pub relative: String,
}

/// The files found, and the arguments that could not be read.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Sorted by display path, without duplicates.
    pub files: Vec<FileEntry>,
    /// `failed to read PATH: reason` messages.
    pub errors: Vec<String>,
    /// Problems that do not stop the run (a malformed `.gitignore` line).
    pub warnings: Vec<String>,
}

/// Describes `path` for the current directory `cwd` and the project `config`.
pub fn entry(path: &Path, cwd: &Path, config: &Config) -> FileEntry {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let absolute = normalize_owned(absolute);
    let display = match below(&absolute, cwd) {
        Some(rel) => slash_path(rel),
        None => slash_path(path),
    };
    let relative = match below(&absolute, &config.root) {
        Some(rel) => slash_path(rel),
        None => display.clone(),
    };
    FileEntry {
        path: path.to_path_buf(),
        display,
        absolute,
        relative,
    }
}

/// `path` relative to `base` when it is strictly below it. A byte prefix
/// followed by a separator answers most paths (both are absolute and
/// normalized); anything else is left to [`Path::strip_prefix`], which
/// compares component by component (a few times slower, for every file of
/// a run).
fn below<'p>(path: &'p Path, base: &Path) -> Option<&'p Path> {
    let (p, b) = (
        path.as_os_str().as_encoded_bytes(),
        base.as_os_str().as_encoded_bytes(),
    );
    let sep = std::path::MAIN_SEPARATOR as u8;
    if p.len() > b.len() + 1
        && p.starts_with(b)
        && p[b.len()] == sep
        && b.last().is_some_and(|&c| c != sep)
        && p[b.len() + 1] != sep
    {
        if let Some(text) = path.as_os_str().to_str() {
            // Cut just after a separator (ASCII): a valid `str`.
            return Some(Path::new(&text[b.len() + 1..]));
        }
    }
    match path.strip_prefix(base) {
        Ok(rel) if !rel.as_os_str().is_empty() => Some(rel),
        _ => None,
    }
}

fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
}

/// Finds the files to check under `paths` (`-` is left to the caller).
pub fn discover(paths: &[PathBuf], cwd: &Path, config: &Config) -> Discovery {
    let mut found = Discovery::default();
    for path in paths {
        if path.as_os_str() == "-" {
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => found
                .errors
                .push(format!("failed to read {}: {}", path.display(), e)),
            Ok(meta) if !meta.is_dir() => found.files.push(entry(path, cwd, config)),
            Ok(_) => walk(path, cwd, config, &mut found),
        }
    }
    found.files.sort_by(|a, b| a.display.cmp(&b.display));
    found.files.dedup_by(|a, b| a.absolute == b.absolute);
    found
}

fn walk(root: &Path, cwd: &Path, config: &Config, found: &mut Discovery) {
    let respect = config.respect_gitignore;
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(true)
        .parents(respect)
        .ignore(respect)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .require_git(false)
        .follow_links(false);
    let filter_cwd = cwd.to_path_buf();
    let exclude_root = config.root.clone();
    let exclude = config.exclude.clone();
    builder.filter_entry(move |e| {
        if e.depth() == 0 {
            return true;
        }
        // A file that is not Python is never checked: whether `exclude`
        // names it does not matter (most files of a source tree).
        if !e.file_type().is_some_and(|t| t.is_dir()) && !is_python(e.path()) {
            return true;
        }
        let absolute = filter_cwd.join(e.path());
        // `below` answers most paths without `strip_prefix`'s walk over
        // components, and where it answers it agrees with it.
        let relative = match below(&absolute, &exclude_root) {
            Some(rel) => slash_str(rel),
            None => match absolute.strip_prefix(&exclude_root) {
                Ok(rel) => slash_str(rel),
                Err(_) => slash_str(e.path()),
            },
        };
        !is_excluded(&exclude, &relative)
    });
    // The walk runs on as many threads as there are cores (as Ruff's does);
    // the caller sorts what it finds, so the order does not depend on them.
    let files = std::sync::Mutex::new(Vec::new());
    let errors = std::sync::Mutex::new(Vec::new());
    let warnings = std::sync::Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        Box::new(|result| {
            match result {
                Ok(e) => {
                    let is_file = e.file_type().is_some_and(|t| t.is_file() || t.is_symlink());
                    if e.depth() > 0 && is_file && is_python(e.path()) {
                        let found = entry(e.path(), cwd, config);
                        lock(&files).push(found);
                    }
                }
                Err(err) => {
                    if err.io_error().is_some() {
                        lock(&errors).push(format!("failed to read {err}"));
                    } else {
                        lock(&warnings).push(err.to_string());
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    let mut errors = errors.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut warnings = warnings.into_inner().unwrap_or_else(|e| e.into_inner());
    errors.sort();
    warnings.sort();
    found
        .files
        .extend(files.into_inner().unwrap_or_else(|e| e.into_inner()));
    found.errors.extend(errors);
    found.warnings.extend(warnings);
}

/// Locks a mutex, ignoring poisoning (a panicking walker thread leaves a
/// list that is still valid).
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-prefix path agrees with `Path::strip_prefix` wherever it
    /// answers, and leaves everything else to it.
    #[test]
    fn below_agrees_with_strip_prefix() {
        let cases = [
            ("/a/b/c.py", "/a/b"),
            ("/a/b/c/d.py", "/a/b"),
            ("/a/bc/d.py", "/a/b"),
            ("/a/b", "/a/b"),
            ("/a/b/", "/a/b"),
            ("/a/b//c.py", "/a/b"),
            ("/a/b/c.py", "/a/b/"),
            ("/a/b/c.py", "/"),
            ("/x/c.py", "/a/b"),
            ("/a/b/c.py", "/a/./b"),
            ("/a/b/é.py", "/a/b"),
        ];
        for (path, base) in cases {
            let (path, base) = (Path::new(path), Path::new(base));
            let expected = match path.strip_prefix(base) {
                Ok(rel) if !rel.as_os_str().is_empty() => Some(rel),
                _ => None,
            };
            assert_eq!(below(path, base), expected, "{path:?} below {base:?}");
        }
        assert_eq!(
            below(Path::new("/a/b/c/d.py"), Path::new("/a/b")),
            Some(Path::new("c/d.py"))
        );
        assert_eq!(below(Path::new("/a/bc/d.py"), Path::new("/a/b")), None);
    }
}
