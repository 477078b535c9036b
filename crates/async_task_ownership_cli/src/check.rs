//! Checking files in parallel.
//!
//! Files are checked on a rayon pool whose worker threads have a 256 MiB
//! stack: deep Python expressions overflow small stacks when the tree is
//! walked or dropped, so both the parse and the drop of the tree happen on
//! those threads. Each file is read once into the thread's buffer (reused from
//! file to file), parsed, checked and its tree dropped; only the
//! diagnostics (with their positions) and, when the output needs it, the
//! source travel back. Results keep the input order, which is sorted, so the
//! output does not depend on the thread count.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;

use async_task_ownership::project::{MethodNames, MethodUnion, ModuleFacts};
use async_task_ownership::{Kind, Risk, SecondaryLocation, Settings, TaskRecord};
use rayon::prelude::*;
use ruff_python_ast::PySourceType;
use ruff_source_file::LineIndex;
use ruff_text_size::TextRange;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::Config;
use crate::discovery::FileEntry;

/// The stack of each worker thread.
pub const WORKER_STACK_SIZE: usize = 256 * 1024 * 1024;

/// Where a file's text comes from.
#[derive(Debug)]
pub enum Text {
    /// Read the file at this path.
    Path(PathBuf),
    /// Already read from standard input.
    Stdin(Vec<u8>),
}

/// One file to check.
#[derive(Debug)]
pub struct Input {
    /// Its paths.
    pub entry: FileEntry,
    /// Its text.
    pub text: Text,
}

/// What to do with each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Parse only; run no rule, keep nothing.
    ParseOnly,
    /// Run the rule; keep the source for rendering when `keep_source`.
    Check {
        /// Whether the output format prints source lines.
        keep_source: bool,
    },
}

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub row: usize,
    /// 1-based column in characters.
    pub column: usize,
}

/// A diagnostic ready to print: the rule's, or a syntax error.
#[derive(Debug, Clone)]
pub struct Message {
    /// The kind; `None` for a syntax error.
    pub kind: Option<Kind>,
    /// What is wrong.
    pub body: String,
    /// What to do instead (rule diagnostics only).
    pub help: Option<String>,
    /// The range in the source.
    pub range: TextRange,
    /// Where it starts.
    pub start: Position,
    /// Where it ends.
    pub end: Position,
    /// Locations that explain it.
    pub secondary: Vec<Secondary>,
}

/// A labelled secondary location.
#[derive(Debug, Clone)]
pub struct Secondary {
    /// The range in the source.
    pub range: TextRange,
    /// Where it starts.
    pub start: Position,
    /// Where it ends.
    pub end: Position,
    /// What happens there.
    pub label: String,
}

impl Message {
    /// The code printed for the message: the kind's alias code, or `invalid-syntax`.
    pub fn code(&self) -> &'static str {
        self.kind.map_or("invalid-syntax", Kind::code)
    }
}

/// The result of checking one file.
#[derive(Debug)]
pub struct FileResult {
    /// Its paths.
    pub entry: FileEntry,
    /// The source and its line index, when the output format needs them.
    pub source: Option<SourceText>,
    /// Diagnostics, sorted by position.
    pub messages: Vec<Message>,
    /// One record per spawn site.
    pub inventory: Vec<TaskRecord>,
    /// Whether the file had syntax errors (the rule did not run).
    pub syntax_errors: bool,
    /// Facts for the project-level pass (absent for stdin and parse-only).
    pub facts: Option<ModuleFacts>,
    /// For a file whose classes own tasks (the project pass may report in
    /// it): the length and hash of its text. The text is not kept (it was
    /// most of a run's peak memory); the join reads the few files it reports
    /// in again and checks they did not change.
    pub fingerprint: Option<Fingerprint>,
}

/// The length and hash of a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Fingerprint {
    fn of(text: &str) -> Fingerprint {
        use std::hash::{Hash, Hasher};
        // It tells an edit from no edit, not an attacker's text from
        // another: FxHash (several times faster than SipHash over the
        // owner modules' megabytes) with the length is enough.
        let mut hasher = rustc_hash::FxHasher::default();
        text.hash(&mut hasher);
        Fingerprint {
            len: text.len(),
            hash: hasher.finish(),
        }
    }
}

/// A file's text with its line index.
#[derive(Debug)]
pub struct SourceText {
    /// The text.
    pub text: String,
    /// Its line starts.
    pub index: LineIndex,
}

/// The outcome for one file.
#[derive(Debug)]
pub enum Outcome {
    /// Checked (possibly with syntax errors).
    Checked(Box<FileResult>),
    /// Not checked: `failed to read PATH: reason`, or an internal error.
    Failed(String),
}

/// Builds the worker pool (`RAYON_NUM_THREADS` sets its size).
pub fn pool() -> anyhow::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_SIZE)
        .thread_name(|i| format!("check-{i}"))
        .build()
        .map_err(|e| anyhow::anyhow!("failed to start the worker threads: {e}"))
}

/// What checking the inputs gives.
pub struct Checks {
    /// Each input's outcome, in input order.
    pub outcomes: Vec<Outcome>,
    /// The methods called on receivers the modules cannot name, of every
    /// module whose name no other file of the run has, one union per worker
    /// (for the project pass; see [`join_project`]).
    pub unresolved: Vec<MethodUnion>,
}

thread_local! {
    /// The worker's share of [`Checks::unresolved`]. A module's names are
    /// added here by the analysis, instead of being kept with the module's
    /// facts until the join: thousands of small strings kept for the whole
    /// run, and read again by the join one module at a time, cost 5% of a
    /// check of the corpus.
    static UNRESOLVED: std::cell::RefCell<MethodUnion> =
        std::cell::RefCell::new(MethodUnion::new());
}

/// Checks every input on `pool`, keeping the input order.
pub fn run(pool: &rayon::ThreadPool, inputs: Vec<Input>, config: &Config, mode: Mode) -> Checks {
    // Module names of the run, for the project pass: a call on a name of a
    // module outside the run (`os.path.join`) cannot start or stop an owner.
    // Parse-only runs no rule and needs none. The files are named on the
    // workers, each asking whether a directory is a package once (not once
    // per file) and remembering the directory of the file before.
    let with_init = Packages::with_init(inputs.iter().filter_map(|i| match &i.text {
        Text::Path(path) => Some(path.as_path()),
        Text::Stdin(_) => None,
    }));
    let modules: Vec<String> = pool.install(|| {
        inputs
            .par_iter()
            .map_init(
                || Packages::new(&with_init),
                |packages, i| match (&i.text, mode) {
                    (Text::Stdin(_), _) | (_, Mode::ParseOnly) => String::new(),
                    (Text::Path(path), Mode::Check { .. }) => packages.module_name(path),
                },
            )
            .collect()
    });
    let mut count: FxHashMap<&str, u32> = FxHashMap::default();
    for m in &modules {
        *count.entry(m.as_str()).or_default() += 1;
    }
    let project = Project {
        shared: count
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(m, _)| *m)
            .collect(),
        modules: count,
    };
    let project = &project;
    let outcomes = pool.install(|| {
        inputs
            .into_par_iter()
            .zip(modules.par_iter())
            .map(|(input, module)| {
                let display = input.entry.display.clone();
                std::panic::catch_unwind(AssertUnwindSafe(|| {
                    check_one(input, module, project, config, mode)
                }))
                .unwrap_or_else(|_| {
                    Outcome::Failed(format!("internal error while checking {display}"))
                })
            })
            .collect()
    });
    // Each worker's names (the join asks each for the few it needs: no
    // merge of thousands of names).
    let unresolved = pool.broadcast(|_| UNRESOLVED.with_borrow_mut(std::mem::take));
    Checks {
        outcomes,
        unresolved,
    }
}

/// A file's bytes as UTF-8 text, or why they are not. `simdutf8`'s
/// validation (the `compat` flavour, which reports where the text stops
/// being UTF-8 as the standard library does) is about twice as fast on
/// source code, which every file goes through.
fn text_of(bytes: &[u8]) -> Result<&str, String> {
    simdutf8::compat::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))
}

/// A file's bytes as an owned UTF-8 text.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    text_of(&bytes).map(str::to_owned)
}

fn check_one(
    input: Input,
    module: &str,
    project: &Project,
    config: &Config,
    mode: Mode,
) -> Outcome {
    let from_stdin = matches!(input.text, Text::Stdin(_));
    let (buffer, len) = match input.text {
        Text::Stdin(bytes) => {
            let len = bytes.len();
            (bytes, len)
        }
        Text::Path(path) => match read(&path) {
            Ok(read) => read,
            Err(e) => {
                return Outcome::Failed(format!("failed to read {}: {e}", input.entry.display))
            }
        },
    };
    let source = match text_of(buffer.get(..len).unwrap_or_default()) {
        Ok(source) => source,
        Err(reason) => {
            let failed = format!("failed to read {}: {reason}", input.entry.display);
            recycle(buffer);
            return Outcome::Failed(failed);
        }
    };
    let outcome = check_text(
        input.entry,
        source,
        from_stdin,
        module,
        project,
        config,
        mode,
    );
    // Only a result that shows the text keeps a copy of it; the buffer goes
    // back to the thread for the next file.
    let result = match outcome {
        Checked::Keep(mut result) => {
            if let Some(s) = &mut result.source {
                s.text = source.to_string();
            }
            result
        }
        Checked::Done(result) => result,
    };
    recycle(buffer);
    Outcome::Checked(result)
}

thread_local! {
    /// A buffer for file contents, reused from file to file: a fresh buffer
    /// per file costs an allocation and page faults on every large file.
    /// Its length is the longest file read into it (plus one): every byte
    /// is initialized, so a file needs no zeroing unless it is longer.
    static BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Buffers above this size are not kept for the next file.
const MAX_KEPT_BUFFER: usize = 4 * 1024 * 1024;

/// Reads a whole file into the thread's buffer, returned with the file's
/// length (the buffer may be longer: its bytes past the file are another
/// file's). One `statx` for the size, then `read` until end of file
/// (`read_to_end` would ask the size again, and the position, with two
/// more system calls per file, and probe for the end with one more read).
/// The buffer grows, zeroed, only for a file longer than every one before
/// it on this thread (zeroing the growth over the previous file, file after
/// file, was 1 ms of CPU time on the corpus).
fn read(path: &std::path::Path) -> std::io::Result<(Vec<u8>, usize)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut bytes = BUFFER.with(std::cell::Cell::take);
    let size = file.metadata().map(|m| m.len() as usize).unwrap_or(0);
    // One byte more than the size: a read that returns the whole size with
    // room to spare has met the end of the file, and no further read is
    // needed to learn it. (A file that grows just after that read is read
    // as it was, as it would be if it grew just after a last, empty read.)
    if bytes.len() <= size {
        bytes.resize(size.saturating_add(1), 0);
    }
    let mut len = 0;
    loop {
        if len == bytes.len() {
            // The file grew since its size was asked: read on.
            bytes.resize(len.saturating_mul(2).max(64), 0);
        }
        match file.read(&mut bytes[len..]) {
            Ok(0) => break,
            Ok(n) => {
                len += n;
                if len == size && len < bytes.len() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((bytes, len))
}

/// Gives a buffer back for the next file.
fn recycle(bytes: Vec<u8>) {
    if bytes.capacity() <= MAX_KEPT_BUFFER {
        BUFFER.with(|b| b.set(bytes));
    }
}

/// A result, and whether it keeps the file's text (filled in by the caller).
enum Checked {
    Keep(Box<FileResult>),
    Done(Box<FileResult>),
}

fn check_text(
    entry: FileEntry,
    source: &str,
    from_stdin: bool,
    module: &str,
    project: &Project,
    config: &Config,
    mode: Mode,
) -> Checked {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let Mode::Check { keep_source } = mode else {
        drop(parsed);
        return Checked::Done(Box::new(FileResult {
            entry,
            source: None,
            messages: Vec::new(),
            inventory: Vec::new(),
            syntax_errors: false,
            facts: None,
            fingerprint: None,
        }));
    };

    // Most files have nothing to show, and the rest a few messages: their
    // positions are counted, not looked up in an index of every line.
    let lines = async_task_ownership::lines::Lines::new(source);
    let position = |offset| {
        let lc = lines.line_column(offset);
        Position {
            row: lc.line.get(),
            column: lc.column.get(),
        }
    };
    let mut messages = Vec::new();
    let mut inventory = Vec::new();
    let mut facts: Option<ModuleFacts> = None;
    let syntax_errors = !parsed.errors().is_empty();
    if syntax_errors {
        for error in parsed.errors() {
            messages.push(Message {
                kind: None,
                body: error.error.to_string(),
                help: None,
                range: error.location,
                start: position(error.location.start()),
                end: position(error.location.end()),
                secondary: Vec::new(),
            });
        }
    } else {
        let settings: &Settings = &config.settings;
        let report = if from_stdin {
            async_task_ownership::check_module(parsed.syntax(), source, &entry.relative, settings)
        } else {
            let is_project = |m: &str| project.modules.contains_key(m);
            // The join needs the union of the unresolved names only, over
            // the modules it joins: it leaves out every module whose name
            // another file has, so only theirs stay with their facts.
            let shared = project.shared.contains(module);
            let mut own = MethodUnion::new();
            let (report, mut f) = UNRESOLVED.with_borrow_mut(|worker| {
                async_task_ownership::check_module_with_facts_into(
                    &parsed,
                    source,
                    &entry.relative,
                    module,
                    settings,
                    &is_project,
                    if shared { &mut own } else { worker },
                )
            });
            f.unresolved_methods = own.iter().collect();
            let useful = !f.owners.is_empty()
                || !f.calls.is_empty()
                || !f.instances.is_empty()
                || !f.unresolved_methods.is_empty();
            if useful {
                facts = Some(f);
            }
            report
        };
        // Most files have no diagnostic: their per-file ignores are not matched.
        let ignored = if report.diagnostics.is_empty() {
            Vec::new()
        } else {
            config.ignored_kinds(&entry.relative)
        };
        for d in report.diagnostics {
            if ignored.contains(&d.kind) {
                continue;
            }
            let secondary = d
                .secondary
                .into_iter()
                .map(|SecondaryLocation { range, label }| Secondary {
                    range,
                    start: position(range.start()),
                    end: position(range.end()),
                    label,
                })
                .collect();
            messages.push(Message {
                kind: Some(d.kind),
                body: d.message,
                help: Some(d.help),
                range: d.range,
                start: position(d.range.start()),
                end: position(d.range.end()),
                secondary,
            });
        }
        inventory = report.inventory;
        // Kinds turned off by `select`/`ignore` are not findings of this run
        // (`# noqa` and `per-file-ignores` only hide the diagnostic).
        for record in &mut inventory {
            record.findings.retain(|k| settings.is_enabled(*k));
            record.risk = record
                .findings
                .iter()
                .map(|k| k.risk())
                .max()
                .unwrap_or(Risk::None);
        }
    }
    // The tree is dropped here, on the worker's large stack.
    drop(parsed);
    messages.sort_by_key(|m| (m.start, m.end, m.kind));
    let keep_source = keep_source && !messages.is_empty();
    // Owners may get a project-level diagnostic later.
    let fingerprint = facts
        .as_ref()
        .is_some_and(|f| !f.owners.is_empty())
        .then(|| Fingerprint::of(source));
    let result = Box::new(FileResult {
        entry,
        // Only files with something to show keep their text (the caller
        // moves it in).
        source: keep_source.then(|| SourceText {
            text: String::new(),
            index: LineIndex::from_source_text(source),
        }),
        messages,
        inventory,
        syntax_errors,
        facts,
        fingerprint,
    });
    if keep_source {
        Checked::Keep(result)
    } else {
        Checked::Done(result)
    }
}

/// Drops `value` on a detached thread (or here, if no thread starts: the
/// closure that owns it is dropped with the error).
fn drop_elsewhere<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("drop".to_string())
        .spawn(move || drop(value));
}

/// Names modules, remembering each directory's dotted package name.
///
/// A directory is a package when it has an `__init__.py`: known without a
/// `stat` when discovery found that file, asked of the file system
/// otherwise (once per directory). Keys are the paths' bytes (hashing a
/// `Path` goes component by component).
struct Packages<'p, 'w> {
    /// Directories whose `__init__.py` is among the files of the run.
    with_init: &'w FxHashSet<&'p std::ffi::OsStr>,
    /// A directory's dotted name, or `None` when it is not a package.
    prefix: FxHashMap<&'p std::ffi::OsStr, Option<String>>,
    /// The directory of the last file named, and its dotted name.
    last: Option<(&'p std::ffi::OsStr, Option<String>)>,
}

/// The dotted names of the modules of a run (looked up for every import
/// of every module).
type ModuleSet<'m> = FxHashSet<&'m str>;

/// The modules of a run.
struct Project<'m> {
    /// Every module's name, with the number of files that have it.
    modules: FxHashMap<&'m str, u32>,
    /// The names that more than one file has.
    shared: ModuleSet<'m>,
}

impl<'p, 'w> Packages<'p, 'w> {
    /// The directories whose `__init__.py` is among `files`.
    fn with_init(
        files: impl Iterator<Item = &'p std::path::Path>,
    ) -> FxHashSet<&'p std::ffi::OsStr> {
        let mut with_init = FxHashSet::default();
        for path in files {
            if path.file_name().is_some_and(|n| n == "__init__.py") {
                if let Some(dir) = path.parent() {
                    with_init.insert(dir.as_os_str());
                }
            }
        }
        with_init
    }

    fn new(with_init: &'w FxHashSet<&'p std::ffi::OsStr>) -> Self {
        Packages {
            with_init,
            prefix: FxHashMap::default(),
            last: None,
        }
    }

    fn is_package(&self, dir: &std::path::Path) -> bool {
        self.with_init.contains(dir.as_os_str()) || dir.join("__init__.py").is_file()
    }

    /// The dotted name of a directory that is a package (every enclosing
    /// package directory, outermost first), `None` when it is not one.
    fn prefix(&mut self, dir: &'p std::path::Path) -> Option<&str> {
        let key = dir.as_os_str();
        if !self.prefix.contains_key(key) {
            let name = match dir.file_name() {
                Some(name) if !key.is_empty() && self.is_package(dir) => {
                    let name = name.to_string_lossy();
                    Some(match dir.parent().and_then(|up| self.prefix(up)) {
                        Some(outer) => format!("{outer}.{name}"),
                        None => name.into_owned(),
                    })
                }
                _ => None,
            };
            self.prefix.insert(key, name);
        }
        self.prefix.get(key).and_then(Option::as_deref)
    }

    /// The dotted module name of a file: its stem, prefixed by every
    /// enclosing directory that is a package (has an `__init__.py`).
    fn module_name(&mut self, path: &'p std::path::Path) -> String {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default();
        let init = stem == "__init__";
        // Files come sorted: most share the directory of the file before.
        let prefix = match path.parent() {
            Some(dir) => {
                let key = dir.as_os_str();
                if self.last.as_ref().is_none_or(|(last, _)| *last != key) {
                    let prefix = self.prefix(dir).map(str::to_string);
                    self.last = Some((key, prefix));
                }
                self.last.as_ref().and_then(|(_, prefix)| prefix.as_deref())
            }
            None => None,
        };
        match (prefix, init) {
            (Some(prefix), true) => prefix.to_string(),
            (Some(prefix), false) => {
                let mut name = String::with_capacity(prefix.len() + 1 + stem.len());
                name.push_str(prefix);
                name.push('.');
                name.push_str(&stem);
                name
            }
            (None, true) => String::new(),
            (None, false) => stem.into_owned(),
        }
    }
}

/// The project-level pass (SPEC §9) over every checked file: joins their
/// facts and adds `shutdown-not-wired` diagnostics and application lifetimes.
/// The files it reports in are read again (their text was not kept); one
/// that changed since it was checked is left out, with an error returned.
/// `keep_source`: whether the output prints source lines (then a file that
/// gets a diagnostic keeps its text).
///
/// `unresolved` is [`Checks::unresolved`]: the join sees it as the facts of
/// one more module, with a name of its own, so that a stop method called on
/// a receiver no module can name still counts as a possible stop of every
/// owner with that method (as it would, module by module).
pub fn join_project(
    files: &mut [FileResult],
    unresolved: Vec<MethodUnion>,
    config: &Config,
    keep_source: bool,
) -> Vec<String> {
    let mut errors = Vec::new();
    let mut facts: Vec<ModuleFacts> = files.iter_mut().filter_map(|f| f.facts.take()).collect();
    if facts.is_empty() {
        drop_elsewhere(unresolved);
        return errors;
    }
    // Of the unions, the join looks up only the owners' stop methods.
    let unions = unresolved;
    let unresolved: MethodNames = {
        let stops: Vec<&str> = facts
            .iter()
            .flat_map(|f| &f.owners)
            .flat_map(|o| &o.stop_methods)
            .map(String::as_str)
            .collect();
        unions
            .iter()
            .flat_map(|union| stops.iter().copied().filter(|stop| union.contains(stop)))
            .collect()
    };
    drop_elsewhere(unions);
    if !unresolved.is_empty() {
        let mut module = String::from("<unresolved>");
        while facts.iter().any(|f| f.module == module) {
            module.push('_');
        }
        facts.push(ModuleFacts {
            module,
            unresolved_methods: unresolved,
            ..ModuleFacts::default()
        });
    }
    let project = async_task_ownership::project::check_project(&facts, &config.settings);
    // Freeing thousands of modules' facts is work the rest of the run need
    // not wait for: a thread of its own does it.
    drop_elsewhere(facts);
    if project.lifetimes.is_empty() && project.diagnostics.is_empty() {
        return errors;
    }
    // The files the join reports in: a few of thousands.
    let reported: FxHashSet<&str> = project.lifetimes.iter().map(|l| l.path.as_str()).collect();
    for file in files.iter_mut() {
        if !reported.contains(file.entry.relative.as_str()) {
            continue;
        }
        let relative = file.entry.relative.clone();
        if file.source.is_none() {
            match reread(file) {
                Ok(source) => file.source = Some(source),
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            }
        }
        let Some(src) = &file.source else {
            continue;
        };
        let mut report = async_task_ownership::Report {
            diagnostics: Vec::new(),
            inventory: std::mem::take(&mut file.inventory),
        };
        project.apply_to(&relative, &src.text, &mut report);
        file.inventory = report.inventory;
        let ignored = config.ignored_kinds(&relative);
        for d in report.diagnostics {
            if ignored.contains(&d.kind) || !config.settings.is_enabled(d.kind) {
                continue;
            }
            let position = |offset| {
                let lc = src.index.line_column(offset, &src.text);
                Position {
                    row: lc.line.get(),
                    column: lc.column.get(),
                }
            };
            // Start calls in other files are named in the message.
            let pd = project
                .diagnostics
                .iter()
                .find(|p| p.path == relative && p.diagnostic.range == d.range);
            let mut elsewhere = Vec::new();
            let mut secondary = Vec::new();
            for (i, s) in d.secondary.into_iter().enumerate() {
                let path = pd
                    .and_then(|p| p.secondary_paths.get(i))
                    .cloned()
                    .unwrap_or_default();
                if path == relative {
                    secondary.push(Secondary {
                        range: s.range,
                        start: position(s.range.start()),
                        end: position(s.range.end()),
                        label: s.label,
                    });
                } else if let Some(l) = project
                    .lifetimes
                    .iter()
                    .find(|l| l.path == relative && l.range == d.range)
                    .and_then(|l| l.started.iter().find(|st| st.path == path))
                {
                    elsewhere.push(format!("{}:{}", l.path, l.line));
                }
            }
            let mut body = d.message;
            if !elsewhere.is_empty() {
                elsewhere.dedup();
                body.push_str(&format!(" (started at {})", elsewhere.join(", ")));
            }
            file.messages.push(Message {
                kind: Some(d.kind),
                body,
                help: Some(d.help),
                range: d.range,
                start: position(d.range.start()),
                end: position(d.range.end()),
                secondary,
            });
        }
        file.messages.sort_by_key(|m| (m.start, m.end, m.kind));
        if !keep_source || file.messages.is_empty() {
            file.source = None;
        }
    }
    errors
}

/// Reads a checked file again, for the project pass; an error if it cannot
/// be read or is not the text that was checked.
fn reread(file: &FileResult) -> Result<SourceText, String> {
    let display = &file.entry.display;
    let bytes =
        std::fs::read(&file.entry.path).map_err(|e| format!("failed to read {display}: {e}"))?;
    let text = decode(bytes).map_err(|reason| format!("failed to read {display}: {reason}"))?;
    if file.fingerprint != Some(Fingerprint::of(&text)) {
        return Err(format!(
            "{display} changed while it was checked; its project-level results are left out"
        ));
    }
    Ok(SourceText {
        index: LineIndex::from_source_text(&text),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result_for(path: &std::path::Path, checked: &str) -> FileResult {
        FileResult {
            entry: FileEntry {
                path: path.to_path_buf(),
                display: "app/owner.py".to_string(),
                absolute: path.to_path_buf(),
                relative: "app/owner.py".to_string(),
            },
            source: None,
            messages: Vec::new(),
            inventory: Vec::new(),
            syntax_errors: false,
            facts: None,
            fingerprint: Some(Fingerprint::of(checked)),
        }
    }

    #[test]
    fn modules_are_named_by_their_package_directories() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = dir.path();
        for (file, text) in [
            ("app/__init__.py", ""),
            ("app/core/__init__.py", ""),
            ("app/core/tasks.py", ""),
            ("app/main.py", ""),
            ("scripts/run.py", ""),
            // A package whose `__init__.py` is not among the files checked
            // (excluded): still a package, asked of the file system.
            ("lib/__init__.py", ""),
            ("lib/util.py", ""),
        ] {
            let path = root.join(file);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&path, text).map_err(|e| e.to_string())?;
        }
        let checked: Vec<PathBuf> = [
            "app/__init__.py",
            "app/core/__init__.py",
            "app/core/tasks.py",
            "app/main.py",
            "scripts/run.py",
            "lib/util.py",
        ]
        .iter()
        .map(|f| root.join(f))
        .collect();
        let with_init = Packages::with_init(checked.iter().map(PathBuf::as_path));
        let mut packages = Packages::new(&with_init);
        let names: Vec<String> = checked.iter().map(|p| packages.module_name(p)).collect();
        assert_eq!(
            names,
            [
                "app",
                "app.core",
                "app.core.tasks",
                "app.main",
                "run",
                "lib.util"
            ]
        );
        // Relative paths name alike.
        let relative = std::path::Path::new("top.py");
        assert_eq!(
            Packages::new(&FxHashSet::default()).module_name(relative),
            "top"
        );
        Ok(())
    }

    #[test]
    fn files_are_read_whole_through_the_reused_buffer() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        // Sizes up and down, so that the buffer left by one file is longer
        // or shorter than the next, and a file of a whole buffer's length.
        let sizes = [0usize, 1, 5000, 3, 70_000, 0, 4096, 12, 70_001];
        for (i, size) in sizes.into_iter().enumerate() {
            let text: Vec<u8> = (0..size).map(|k| b'a' + ((k + i) % 26) as u8).collect();
            let path = dir.path().join(format!("f{i}.py"));
            std::fs::write(&path, &text).map_err(|e| e.to_string())?;
            let (buffer, len) = read(&path).map_err(|e| e.to_string())?;
            assert_eq!(len, size, "file {i}");
            assert!(buffer.len() > len, "file {i}: room past the file");
            assert!(buffer[..len] == text[..], "file {i}: other bytes");
            recycle(buffer);
        }
        Ok(())
    }

    #[test]
    fn the_join_reads_an_unchanged_file_again() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("owner.py");
        std::fs::write(&path, "a = 1\nb = 2\n").map_err(|e| e.to_string())?;
        let source = reread(&result_for(&path, "a = 1\nb = 2\n"))?;
        assert_eq!(source.text, "a = 1\nb = 2\n");
        assert_eq!(source.index.line_count(), 3);
        Ok(())
    }

    #[test]
    fn the_join_leaves_out_a_file_that_changed_or_vanished() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("owner.py");
        // Same length, other text.
        std::fs::write(&path, "a = 2\n").map_err(|e| e.to_string())?;
        let changed = reread(&result_for(&path, "a = 1\n")).err();
        assert_eq!(
            changed.as_deref(),
            Some(
                "app/owner.py changed while it was checked; its project-level results are left out"
            )
        );
        std::fs::remove_file(&path).map_err(|e| e.to_string())?;
        let gone = reread(&result_for(&path, "a = 1\n"))
            .err()
            .unwrap_or_default();
        assert!(gone.starts_with("failed to read app/owner.py: "), "{gone}");
        Ok(())
    }
}
