//! Robustness of the library against hostile or unusual input: no input may
//! make `check_source` panic or overflow the stack. Every result is either a
//! clean report or a list of syntax errors.
//!
//! Invalid UTF-8 (and binary files named `.py`) are the caller's concern: the
//! entry points take `&str`, which cannot hold invalid UTF-8, so decoding a
//! file (and reporting one that is not UTF-8) is the driver's job and is tested
//! with the CLI. Here we only check that valid UTF-8 full of control characters
//! and NULs (what a lossily decoded binary file looks like) is handled.
//!
//! Deep inputs run on a thread with a small (2 MiB) stack — the default of
//! spawned threads — to prove that neither the analysis nor dropping the parsed
//! tree recurses without bound. A 100,000-deep *statement* nest cannot be
//! written: each level needs one more column of indentation, so it would take
//! n(n+1)/2 ≈ 5 GB of source; statements nest 5,000 deep here (12.5 MB) and
//! 100,000 long in flat and `elif` chains.

use async_task_ownership::{check_source, Kind, Settings, SourceReport};
use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

/// The stack of a thread spawned with the default size.
const SMALL_STACK: usize = 2 << 20;
/// The deep nesting of expressions at module level.
const DEEP: usize = 100_000;
/// The nesting inside a spawn call, which the analysis walks.
const IN_SPAWN: usize = 5_000;
/// The nesting of expressions in seven contexts of a method (on a tiny stack,
/// so that any walk that recurses without the guard overflows).
const IN_METHOD: usize = 20_000;
/// A stack small enough that 20,000 frames of any recursion overflow it.
const TINY_STACK: usize = 512 << 10;
/// The nesting of statements (each level one more column of indentation).
const DEEP_STATEMENTS: usize = 5_000;

fn check(source: &str) -> SourceReport {
    check_source(source, "robust.py", &Settings::default())
}

/// Runs `check_source` on a thread with a 2 MiB stack.
fn check_on_small_stack(source: String) -> SourceReport {
    check_on_stack(source, SMALL_STACK)
}

fn check_on_stack(source: String, stack_size: usize) -> SourceReport {
    std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(stack_size)
        .spawn(move || check_source(&source, "deep.py", &Settings::default()))
        .expect("spawn a thread")
        .join()
        .expect("check_source panicked")
}

/// Set in the child process that [`isolated`] starts.
const CHILD_ENV: &str = "ASYNC_TASK_OWNERSHIP_ROBUSTNESS_CHILD";

/// Runs `body` in a child process (this test binary, filtered to `test`) so
/// that a stack overflow, which aborts the whole process, fails only this test
/// and shows what the child printed.
fn isolated(module: &str, function: &str, body: impl FnOnce()) {
    if std::env::var_os(CHILD_ENV).is_some() {
        body();
        return;
    }
    // `module_path!()` starts with the crate's name, which test names omit.
    let test = match module.split_once("::") {
        Some((_, inner)) => format!("{inner}::{function}"),
        None => function.to_string(),
    };
    let exe = std::env::current_exe().expect("the test binary");
    let out = std::process::Command::new(exe)
        .args([test.as_str(), "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD_ENV, "1")
        .output()
        .expect("run the test in a child process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: String = {
        let chars: Vec<char> = stderr.chars().collect();
        chars[chars.len().saturating_sub(3000)..].iter().collect()
    };
    assert!(
        out.status.success(),
        "`{test}` failed in a child process ({}); stderr:\n{tail}",
        out.status
    );
    assert!(
        stdout.contains("1 passed"),
        "`{test}` did not run:\n{stdout}"
    );
}

/// A `#[test]` whose body runs in a child process (see [`isolated`]).
macro_rules! isolated_test {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            $crate::isolated(module_path!(), stringify!($name), || $body);
        }
    };
}

/// A result is a clean report, or syntax errors and an empty report.
fn assert_consistent(result: &SourceReport) {
    if !result.syntax_errors.is_empty() {
        assert!(result.report.diagnostics.is_empty());
        assert!(result.report.inventory.is_empty());
    }
}

/// Parsed without a syntax error (`label` names the case).
fn assert_parsed(result: &SourceReport, label: &str) {
    assert!(
        result.syntax_errors.is_empty(),
        "{label}: {:?}",
        &result.syntax_errors[..1]
    );
}

/// Parsed without a syntax error, and the one spawn site found.
fn assert_one_task(result: &SourceReport, label: &str) {
    assert_parsed(result, label);
    assert_eq!(result.report.inventory.len(), 1, "{label}");
}

fn assert_clean_empty(result: &SourceReport) {
    assert!(
        result.syntax_errors.is_empty(),
        "{:?}",
        result.syntax_errors
    );
    assert!(result.report.diagnostics.is_empty());
    assert!(result.report.inventory.is_empty());
}

/// The 1-based (line, column in characters) of a byte offset.
fn line_column(source: &str, offset: TextSize) -> (usize, usize) {
    let lc = LineIndex::from_source_text(source).line_column(offset, source);
    (lc.line.get(), lc.column.get())
}

/// The (line, column in characters) of the first `needle`, counted by hand.
fn expected_position(source: &str, needle: &str) -> (usize, usize) {
    let offset = source.find(needle).expect("needle in source");
    let before = &source[..offset];
    let before = before.strip_prefix('\u{feff}').unwrap_or(before);
    // Python's line terminators: `\r\n`, `\n` and a lone `\r`.
    let normalized = before.replace("\r\n", "\n").replace('\r', "\n");
    let line = normalized.matches('\n').count() + 1;
    let column = normalized.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Exactly one `dangling` diagnostic, reported at the first `needle`.
fn assert_one_dangling_at(source: &str, needle: &str) {
    let result = check(source);
    assert!(
        result.syntax_errors.is_empty(),
        "{:?}",
        result.syntax_errors
    );
    let diags = &result.report.diagnostics;
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].kind, Kind::Dangling);
    let offset = source.find(needle).expect("needle in source");
    assert_eq!(
        diags[0].range.start(),
        TextSize::try_from(offset).expect("fits")
    );
    let expected = expected_position(source, needle);
    assert_eq!(line_column(source, diags[0].range.start()), expected);
    let record = &result.report.inventory[0];
    assert_eq!(
        (record.line as usize, record.column as usize),
        expected,
        "inventory position"
    );
}

/// The spawn is reported without a noqa, and suppressed with each noqa form.
fn assert_noqa_works(source: &str, spawn_line: &str) {
    for noqa in [
        "  # noqa",
        "  # noqa: ATO101",
        "  # NOQA: ASYNC-TASK-OWNERSHIP",
    ] {
        let suppressed = source.replacen(spawn_line, &format!("{spawn_line}{noqa}"), 1);
        assert_ne!(suppressed, source, "spawn line present");
        let result = check(&suppressed);
        assert!(
            result.syntax_errors.is_empty(),
            "{:?}",
            result.syntax_errors
        );
        assert!(
            result.report.diagnostics.is_empty(),
            "{noqa:?} should suppress: {:#?}",
            result.report.diagnostics
        );
        assert_eq!(result.report.inventory.len(), 1, "inventory keeps the site");
    }
}

const SIMPLE: &str = "import asyncio\n\nasync def main():\n    asyncio.create_task(work())\n";

// --- Unusual but ordinary files -------------------------------------------

#[test]
fn empty_file() {
    assert_clean_empty(&check(""));
}

#[test]
fn whitespace_only_files() {
    for source in [
        "\n", "\n\n\n", "   ", "\t\n  \n", "\r\n\r\n", "\r\r", "\x0c\n",
    ] {
        assert_clean_empty(&check(source));
    }
}

#[test]
fn only_comments() {
    let source = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# asyncio.create_task(work())\n    # indented comment\n# noqa\n#";
    assert_clean_empty(&check(source));
    assert_clean_empty(&check(&source.replace('\n', "\r\n")));
}

#[test]
fn only_a_docstring() {
    assert_clean_empty(&check("\"\"\"asyncio.create_task(work())\"\"\"\n"));
}

#[test]
fn utf8_bom() {
    let source = format!("\u{feff}{SIMPLE}");
    assert_one_dangling_at(&source, "asyncio.create_task");
    assert_noqa_works(&source, "asyncio.create_task(work())");
    // The BOM alone, and before a spawn on the first line.
    assert_clean_empty(&check("\u{feff}"));
    let first_line = "\u{feff}import asyncio; asyncio.create_task(work())\n";
    let result = check(first_line);
    assert!(
        result.syntax_errors.is_empty(),
        "{:?}",
        result.syntax_errors
    );
    for d in &result.report.diagnostics {
        assert_eq!(
            line_column(first_line, d.range.start()),
            expected_position(first_line, "asyncio.create_task")
        );
    }
    assert_eq!(result.report.inventory.len(), 1);
    for r in &result.report.inventory {
        assert_eq!((r.line, r.column), (1, 17), "the BOM is not a column");
    }
}

#[test]
fn crlf_line_endings() {
    let source = SIMPLE.replace('\n', "\r\n");
    assert_one_dangling_at(&source, "asyncio.create_task");
    assert_noqa_works(&source, "asyncio.create_task(work())");
}

#[test]
fn lone_cr_line_endings() {
    let source = SIMPLE.replace('\n', "\r");
    assert_one_dangling_at(&source, "asyncio.create_task");
    assert_noqa_works(&source, "asyncio.create_task(work())");
}

#[test]
fn mixed_line_endings() {
    let source =
        "import asyncio\r\n\rasync def main():\n    x = 1\r    asyncio.create_task(work())\r\n";
    assert_one_dangling_at(source, "asyncio.create_task");
    assert_noqa_works(source, "asyncio.create_task(work())");
}

#[test]
fn no_trailing_newline() {
    let source = SIMPLE.trim_end();
    assert_one_dangling_at(source, "asyncio.create_task");
    assert_noqa_works(source, "asyncio.create_task(work())");
}

#[test]
fn tabs() {
    // Indented with a tab, and a tab before the spawn on its line: one column each.
    let source = "import asyncio\n\nasync def main():\n\tx = 1;\tasyncio.create_task(work())\n";
    assert_one_dangling_at(source, "asyncio.create_task");
    assert_eq!(expected_position(source, "asyncio.create_task"), (4, 9));
    assert_noqa_works(source, "asyncio.create_task(work())");
    // Nested blocks indented with tabs.
    let nested =
        "import asyncio\n\nclass C:\n\tasync def main(self):\n\t\tif True:\n\t\t\tasyncio.create_task(work())\n";
    assert_one_dangling_at(nested, "asyncio.create_task");
    assert_noqa_works(nested, "asyncio.create_task(work())");
}

#[test]
fn non_ascii_before_a_diagnostic() {
    // Two-, three- and four-byte characters (the last two UTF-16 units) in an
    // identifier and strings before the spawn on the same line: columns count
    // characters, not bytes.
    let source = "import asyncio\n\nasync def главная():\n    données = \"héllo 日本語 🎉🐍\"; ñ = '𝔘'; asyncio.create_task(trabajo_ñ())\n";
    let (line, column) = expected_position(source, "asyncio.create_task");
    assert_eq!(line, 4);
    assert_eq!(column, 40);
    // 57 bytes precede the spawn on its line, 39 characters.
    let line_start = source.rfind("\n    données").expect("line") + 1;
    assert_eq!(
        source.find("asyncio.create_task").expect("spawn") - line_start,
        57
    );
    assert_one_dangling_at(source, "asyncio.create_task");
    assert_noqa_works(
        source,
        "données = \"héllo 日本語 🎉🐍\"; ñ = '𝔘'; asyncio.create_task(trabajo_ñ())",
    );
    // Non-ASCII names of the task, its coroutine and its owner.
    let names = "import asyncio\n\nclass Ведущий:\n    async def старт(self):\n        задача = asyncio.create_task(работа())\n";
    let result = check(names);
    assert!(
        result.syntax_errors.is_empty(),
        "{:?}",
        result.syntax_errors
    );
    assert_eq!(result.report.inventory.len(), 1);
    let r = &result.report.inventory[0];
    assert_eq!(
        (r.line as usize, r.column as usize),
        expected_position(names, "asyncio.create_task")
    );
    for d in &result.report.diagnostics {
        assert_eq!(
            line_column(names, d.range.start()),
            expected_position(names, "asyncio.create_task")
        );
    }
}

#[test]
fn non_ascii_on_earlier_lines_and_in_comments() {
    let source = "# コメント 🎉\nimport asyncio\n\"\"\"Док\nстрока 𝔘\"\"\"\n\nasync def main():  # ünïcödé\n    asyncio.create_task(work())\n";
    assert_one_dangling_at(source, "asyncio.create_task");
    assert_noqa_works(source, "asyncio.create_task(work())");
}

#[test]
fn control_characters_and_nuls() {
    // What a binary file named `.py` looks like once decoded lossily: NULs,
    // control characters, replacement characters. Syntax errors, no panic.
    let all_ascii: String = (0u8..128).map(char::from).collect();
    assert_consistent(&check(&all_ascii));
    let nul = "import asyncio\0\nasync def main():\n    asyncio.create_task(work())\0\n";
    assert_consistent(&check(nul));
    // A deterministic pseudo-random "binary" file, decoded lossily.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20 {
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        let result = check(&text);
        assert_consistent(&result);
        assert!(!result.syntax_errors.is_empty());
    }
}

// --- A 10 MB module ---------------------------------------------------------

#[test]
fn ten_megabyte_module() {
    let mut source = String::from("import asyncio\n\n\nasync def work(n):\n    return n\n");
    let mut spawns = 0usize;
    let mut i = 0usize;
    while source.len() < 10 * 1024 * 1024 {
        match i % 3 {
            0 => {
                source.push_str(&format!(
                    "\n\nasync def f{i}():\n    \"\"\"Runs {i}.\"\"\"\n    asyncio.create_task(work({i}))\n"
                ));
                spawns += 1;
            }
            1 => {
                source.push_str(&format!(
                    "\n\nclass C{i}:\n    async def start(self):\n        self._task = asyncio.create_task(work({i}))\n\n    async def stop(self):\n        self._task.cancel()\n"
                ));
                spawns += 1;
            }
            _ => {
                source.push_str(&format!(
                    "\n\nasync def g{i}():\n    t = asyncio.ensure_future(work({i}))\n    u = asyncio.get_running_loop().create_task(work({i}))\n    await t\n    await u\n"
                ));
                spawns += 2;
            }
        }
        i += 1;
    }
    let result = check_source(&source, "big.py", &Settings::default());
    assert!(
        result.syntax_errors.is_empty(),
        "{:?}",
        result.syntax_errors
    );
    assert_eq!(result.report.inventory.len(), spawns);
    // The bare spawns of the `f` functions are all reported.
    let dangling = result
        .report
        .diagnostics
        .iter()
        .filter(|d| d.kind == Kind::Dangling)
        .count();
    assert_eq!(dangling, i.div_ceil(3));
    // Positions stay right at the end of the file.
    let last = result.report.inventory.last().expect("records");
    let lines = LineIndex::from_source_text(&source);
    let lc = lines.line_column(last.range.start(), &source);
    assert_eq!(
        (last.line as usize, last.column as usize),
        (lc.line.get(), lc.column.get())
    );
    assert_eq!(lines.line_count(), source.matches('\n').count() + 1);
}

// --- Deep expressions ---------------------------------------------------------

/// Expression shapes nested `n` deep.
///
/// Nested f-strings stop at 10,000: the parser takes time quadratic in their
/// depth (0.6 s at 20,000 in release, minutes at 100,000 in debug).
fn shape(name: &str, n: usize) -> String {
    let n = if name == "fstrings" { n.min(10_000) } else { n };
    let r = |s: &str| s.repeat(n);
    match name {
        "lists" => format!("{}{}", r("["), r("]")),
        "dicts" => format!("{}1{}", r("{1: "), r("}")),
        "sets" => format!("{}a{}", r("{"), r("}")),
        "tuples" => format!("{}a{}", r("("), r(",)")),
        "subscripts" => format!("{}0{}", r("a["), r("]")),
        "subscript_chain" => format!("a{}", r("[0]")),
        "nots" => format!("{}a", r("not ")),
        "minus" => format!("{}a", r("-")),
        "attributes" => format!("a{}", r(".b")),
        "binops" => format!("a{}", r(" + a")),
        "right_binops" => format!("{}a{}", r("a ** ("), r(")")),
        "boolops" => format!("{}a{}", r("(a or "), r(")")),
        "compares" => format!("{}a{}", r("(a < "), r(")")),
        "call_chain" => format!("f{}", r("()")),
        "call_args" => format!("{}{}", r("f("), r(")")),
        "keyword_args" => format!("{}1{}", r("f(x="), r(")")),
        "starred" => format!("{}a{}", r("f(*"), r(")")),
        "ifexp" => format!("{}c", r("a if b else ")),
        "ifexp_test" => format!("{}c{}", r("(a if "), r(" else b)")),
        "lambdas" => format!("{}a", r("lambda: ")),
        "walrus" => format!("{}1{}", r("(a := "), r(")")),
        "generators" => format!("{}a{}", r("(x for x in "), r(")")),
        "list_comps" => format!("{}a{}", r("[x for x in "), r("]")),
        "slices" => format!("{}0{}", r("a[1:"), r("]")),
        "fstrings" => format!("{}a{}", r("f\"{"), r("}\"")),
        "awaits" => format!("{}a{}", r("(await "), r(")")),
        "copy_calls" => format!("{}a{}", r("list("), r(")")),
        "values_chain" => format!("a{}", r(".values()")),
        other => panic!("unknown shape {other}"),
    }
}

const SHAPES: &[&str] = &[
    "lists",
    "dicts",
    "sets",
    "tuples",
    "subscripts",
    "subscript_chain",
    "nots",
    "minus",
    "attributes",
    "binops",
    "right_binops",
    "boolops",
    "compares",
    "call_chain",
    "call_args",
    "keyword_args",
    "starred",
    "ifexp",
    "ifexp_test",
    "lambdas",
    "walrus",
    "generators",
    "list_comps",
    "slices",
    "fstrings",
    "awaits",
    "copy_calls",
    "values_chain",
];

/// Shapes on which the analysis once took time quadratic in the depth (see
/// `regression_quadratic_key_of`): a chain of element accesses or copies
/// (`a[0][0]…`, `list(list(…))`, `a.values().values()…`). Fixed (key_of
/// remembers its answer for the nodes of long chains); kept as the list the
/// regression test walks at full depth.
const QUADRATIC: &[&str] = &["subscript_chain", "copy_calls", "values_chain"];

/// The depth at which the many-shape tests walk a shape: the long-chain shapes
/// at most `cap`, to keep the debug-build run short (the regression test walks
/// them at full depth).
fn analysed_depth(name: &str, n: usize, cap: usize) -> usize {
    if QUADRATIC.contains(&name) {
        n.min(cap)
    } else {
        n
    }
}

/// The shape as a module-level statement (in an `async def` for `await`).
fn at_module_level(name: &str, n: usize) -> String {
    if name == "awaits" {
        format!("async def main():\n    x = {}\n", shape(name, n))
    } else {
        format!("x = {}\n", shape(name, n))
    }
}

/// The shape as the argument of a spawn's coroutine call, which the analysis walks.
fn in_spawn(name: &str, n: usize) -> String {
    let n = analysed_depth(name, n, IN_SPAWN);
    format!(
        "import asyncio\n\n\nasync def main():\n    asyncio.create_task(f({}))\n",
        shape(name, n)
    )
}

/// The shape bound to a slot, returned, awaited and passed around in a method,
/// the contexts in which the analysis classifies values.
fn in_method(name: &str, n: usize) -> String {
    let e = shape(name, analysed_depth(name, n, 1_000));
    format!(
        "import asyncio\n\n\nclass C:\n    async def start(self, p):\n        self.x = {e}\n        self._tasks.add({e})\n        self._task = asyncio.create_task(f({e}))\n        self._task.add_done_callback({e})\n        await asyncio.gather({e})\n        for t in {e}:\n            t.cancel()\n        return {e}\n\n    async def stop(self):\n        self._task.cancel()\n        await self._task\n"
    )
}

fn check_deep_in_method(name: &str, n: usize) {
    let result = check_on_stack(in_method(name, n), TINY_STACK);
    assert_consistent(&result);
    assert_one_task(&result, name);
}

fn check_deep_module_level(name: &str) {
    let result = check_on_small_stack(at_module_level(name, DEEP));
    assert_consistent(&result);
    // The parser accepts every one of these shapes.
    assert_parsed(&result, name);
}

fn check_deep_in_spawn(name: &str, n: usize) {
    let result = check_on_small_stack(in_spawn(name, n));
    assert_consistent(&result);
    assert_one_task(&result, name);
    assert_eq!(result.report.diagnostics.len(), 1, "{name}");
    assert_eq!(result.report.diagnostics[0].kind, Kind::Dangling, "{name}");
}

macro_rules! deep_tests {
    ($($shape:ident),* $(,)?) => {
        mod deep_100k_module_level {
            $(
                isolated_test! {
                    fn $shape() {
                        super::check_deep_module_level(stringify!($shape));
                    }
                }
            )*
        }
        mod deep_5k_in_spawn {
            $(
                isolated_test! {
                    fn $shape() {
                        super::check_deep_in_spawn(stringify!($shape), super::IN_SPAWN);
                    }
                }
            )*
        }
        mod deep_100k_in_spawn {
            $(
                isolated_test! {
                    fn $shape() {
                        super::check_deep_in_spawn(stringify!($shape), super::DEEP);
                    }
                }
            )*
        }
        mod deep_20k_in_method {
            $(
                isolated_test! {
                    fn $shape() {
                        super::check_deep_in_method(stringify!($shape), super::IN_METHOD);
                    }
                }
            )*
        }
    };
}

deep_tests!(
    lists,
    dicts,
    sets,
    tuples,
    subscripts,
    subscript_chain,
    nots,
    minus,
    attributes,
    binops,
    right_binops,
    boolops,
    compares,
    call_chain,
    call_args,
    keyword_args,
    starred,
    ifexp,
    ifexp_test,
    lambdas,
    walrus,
    generators,
    list_comps,
    slices,
    fstrings,
    awaits,
    copy_calls,
    values_chain,
);

#[test]
fn every_shape_has_a_test() {
    // `deep_tests!` lists the same names as `SHAPES`; a typo fails here.
    for name in SHAPES {
        assert!(!shape(name, 2).is_empty());
    }
}

isolated_test! {
    fn deep_unclosed_brackets() {
        // 100,000 open brackets never closed: syntax errors, no crash.
        for open in ["[", "(", "{", "f(", "a[", "not (", "lambda: ("] {
            let result = check_on_small_stack(format!("x = {}\n", open.repeat(DEEP)));
            assert_consistent(&result);
            assert!(!result.syntax_errors.is_empty(), "{open}");
        }
    }
}

isolated_test! {
    fn deep_check_module_on_small_stack() {
        // A host that parsed the tree itself calls `check_module` from a thread
        // with a small stack. (Dropping the tree is the host's business: it is
        // dropped here on a thread with a big stack.)
        let source = in_spawn("attributes", DEEP);
        let parsed =
            ruff_python_parser::parse_unchecked_source(&source, ruff_python_ast::PySourceType::Python);
        assert!(parsed.errors().is_empty());
        let report = std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(SMALL_STACK)
                .spawn_scoped(s, || {
                    async_task_ownership::check_module(
                        parsed.syntax(),
                        &source,
                        "deep.py",
                        &Settings::default(),
                    )
                })
                .expect("spawn a thread")
                .join()
                .expect("check_module panicked")
        });
        assert_eq!(report.inventory.len(), 1);
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(move || drop(parsed))
            .expect("spawn a thread")
            .join()
            .expect("drop");
    }
}

// --- Deep and long statements -------------------------------------------------

/// `n` nested blocks inside `async def main()`, one more space of indentation
/// per level, with a spawn in a coroutine in the innermost block.
fn nested_statements(kind: &str, n: usize) -> String {
    let mut source = String::from("import asyncio\n\n\nasync def main():\n");
    let mut closers = Vec::new();
    for level in 1..=n {
        let indent = " ".repeat(level);
        let (head, close) = match kind {
            "if" => ("if a:".to_string(), None),
            "else" => (
                "if a:\n".to_string() + &indent + " pass\n" + &indent + "else:",
                None,
            ),
            "for" => ("for x in y:".to_string(), None),
            "async_for" => ("async for x in y:".to_string(), None),
            "while" => ("while a:".to_string(), None),
            "with" => ("with a as b:".to_string(), None),
            "async_with" => ("async with a as b:".to_string(), None),
            "try" => (
                "try:".to_string(),
                Some(format!("{indent}except E:\n{indent} pass\n")),
            ),
            "try_finally" => (
                "try:".to_string(),
                Some(format!("{indent}finally:\n{indent} pass\n")),
            ),
            "async_def" => (format!("async def f{level}():"), None),
            "class" => (format!("class C{level}:"), None),
            "mixed" => (
                match level % 6 {
                    0 => "if a:".to_string(),
                    1 => "for x in y:".to_string(),
                    2 => "while a:".to_string(),
                    3 => "with a:".to_string(),
                    4 => format!("async def f{level}():"),
                    _ => format!("class C{level}:"),
                },
                None,
            ),
            other => panic!("unknown statement kind {other}"),
        };
        source.push_str(&indent);
        source.push_str(&head);
        source.push('\n');
        closers.push(close);
    }
    // The spawn in a coroutine (a spawn directly in a class body is no spawn site).
    source.push_str(&" ".repeat(n + 1));
    source.push_str("async def inner():\n");
    source.push_str(&" ".repeat(n + 2));
    source.push_str("asyncio.create_task(work())\n");
    for close in closers.into_iter().rev().flatten() {
        source.push_str(&close);
    }
    source
}

fn check_nested_statements(kind: &str) {
    let kind = kind.trim_end_matches('_');
    let source = nested_statements(kind, DEEP_STATEMENTS);
    let result = check_on_small_stack(source);
    assert_consistent(&result);
    if result.syntax_errors.is_empty() {
        assert_eq!(result.report.inventory.len(), 1, "{kind}");
    }
}

macro_rules! deep_statement_tests {
    ($($kind:ident),* $(,)?) => {
        mod deep_5k_statements {
            $(
                isolated_test! {
                    fn $kind() {
                        super::check_nested_statements(stringify!($kind));
                    }
                }
            )*
        }
    };
}

deep_statement_tests!(
    if_,
    else_,
    for_,
    async_for,
    while_,
    with,
    async_with,
    try_,
    try_finally,
    async_def,
    class,
    mixed,
);

#[test]
fn nested_statements_shallow_sanity() {
    // The generator yields valid code whose innermost spawn is seen.
    for kind in [
        "if",
        "else",
        "for",
        "async_for",
        "while",
        "with",
        "async_with",
        "try",
        "try_finally",
        "async_def",
        "class",
        "mixed",
    ] {
        let source = nested_statements(kind, 7);
        let result = check(&source);
        assert!(result.syntax_errors.is_empty(), "{kind}: {source}");
        assert_eq!(result.report.inventory.len(), 1, "{kind}: {source}");
    }
}

isolated_test! {
    fn long_statement_chains() {
        let n = DEEP;
        // 100,000 `elif`s, then the spawn in the `else`.
        let mut elifs =
            String::from("import asyncio\n\nasync def main():\n    if a == 0:\n        pass\n");
        for i in 1..n {
            elifs.push_str(&format!("    elif a == {i}:\n        pass\n"));
        }
        elifs.push_str("    else:\n        asyncio.create_task(work())\n");
        // 100,000 statements in one body, 100,000 decorators, 100,000 `except`s,
        // 100,000 `case`s.
        let flat = format!(
            "import asyncio\n\nasync def main():\n{}    asyncio.create_task(work())\n",
            "    x = 1\n".repeat(n)
        );
        let decorators = format!(
            "import asyncio\n\n{}async def main():\n    asyncio.create_task(work())\n",
            "@d\n".repeat(n)
        );
        let excepts = format!(
            "import asyncio\n\nasync def main():\n    try:\n        asyncio.create_task(work())\n{}",
            "    except E:\n        pass\n".repeat(n)
        );
        let cases = format!(
            "import asyncio\n\nasync def main():\n    match a:\n{}        case _:\n            asyncio.create_task(work())\n",
            "        case 1:\n            pass\n".repeat(n)
        );
        for (label, source) in [
            ("elifs", elifs),
            ("flat", flat),
            ("decorators", decorators),
            ("excepts", excepts),
            ("cases", cases),
        ] {
            let result = check_on_small_stack(source);
            assert_one_task(&result, label);
        }
    }
}

isolated_test! {
    fn deep_patterns() {
        // Nested `match` patterns, 100,000 deep.
        for pattern in [
            format!("{}x{}", "[".repeat(DEEP), "]".repeat(DEEP)),
            format!("{}x{}", "C(".repeat(DEEP), ")".repeat(DEEP)),
            format!("{}x{}", "{1: ".repeat(DEEP), "}".repeat(DEEP)),
            format!("{}x{}", "(".repeat(DEEP), ")".repeat(DEEP)),
        ] {
            let source = format!(
                "import asyncio\n\nasync def main():\n    match a:\n        case {pattern}:\n            asyncio.create_task(work())\n"
            );
            let result = check_on_small_stack(source);
            assert_consistent(&result);
            assert_one_task(&result, &pattern[..10]);
        }
    }
}

isolated_test! {
    fn deep_type_annotations() {
        let ann = format!("{}int{}", "list[".repeat(DEEP), "]".repeat(DEEP));
        let source = format!(
            "import asyncio\n\nasync def main(x: {ann}) -> {ann}:\n    y: {ann} = asyncio.create_task(work())\n"
        );
        let result = check_on_small_stack(source);
        assert_consistent(&result);
        assert_one_task(&result, "type annotations");
    }
}

// --- Syntax errors ------------------------------------------------------------

/// A syntax error in every kind of statement.
const SYNTAX_ERRORS: &[(&str, &str)] = &[
    ("if", "if x\n    pass\n"),
    ("elif", "if x:\n    pass\nelif:\n    pass\n"),
    ("else", "if x:\n    pass\nelse\n    pass\n"),
    ("for", "for in y:\n    pass\n"),
    (
        "async for",
        "async def f():\n    async for x in :\n        pass\n",
    ),
    ("while", "while:\n    pass\n"),
    ("with", "with open(x) as :\n    pass\n"),
    (
        "async with",
        "async def f():\n    async with a as (:\n        pass\n",
    ),
    ("try", "try:\n    pass\n"),
    ("except", "try:\n    pass\nexcept (:\n    pass\n"),
    ("finally", "try:\n    pass\nfinally\n    pass\n"),
    ("def", "def f(:\n    pass\n"),
    ("async def", "async def f(x y):\n    pass\n"),
    ("class", "class C(:\n    pass\n"),
    ("match", "match x:\n    case :\n        pass\n"),
    ("case", "match x:\n    case 1 +:\n        pass\n"),
    ("return", "def f():\n    return )\n"),
    ("import", "import\n"),
    ("from import", "from . import\n"),
    ("assign", "x = = 1\n"),
    ("annotated assign", "x: = 1\n"),
    ("augmented assign", "x += \n"),
    ("lambda", "f = lambda x: \n"),
    ("decorator", "@\ndef f():\n    pass\n"),
    ("del", "del\n"),
    ("assert", "assert\n"),
    ("raise", "raise from x\n"),
    ("global", "global\n"),
    ("nonlocal", "def f():\n    nonlocal\n"),
    ("pass", "pass pass\n"),
    ("break", "for x in y:\n    break 1\n"),
    ("continue", "for x in y:\n    continue 1\n"),
    ("type alias", "type X = \n"),
    ("await", "async def f():\n    await\n"),
    ("yield", "def f():\n    x = yield from\n"),
    ("expression", "f(\n"),
    ("string", "x = 'abc\n"),
    ("triple-quoted string", "x = \"\"\"abc\n"),
    ("f-string", "x = f'{'\n"),
    ("missing indent", "def f():\npass\n"),
    ("unexpected indent", "x = 1\n    y = 2\n"),
    ("dedent", "if x:\n        a\n    b\n"),
    ("print statement", "print 'x'\n"),
    ("walrus", "(x.y := 1)\n"),
    ("starred", "f(**x=1)\n"),
    ("async", "async x = 1\n"),
    ("unclosed bracket", "x = [1, 2\n"),
    ("stray closer", "x = 1)\n"),
];

#[test]
fn syntax_error_in_every_statement_kind() {
    let spawn = "import asyncio\n\nasync def main():\n    asyncio.create_task(work())\n";
    for (kind, snippet) in SYNTAX_ERRORS {
        // Alone, after a spawn, before a spawn, and indented inside a function.
        let indented: String = snippet
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>();
        let variants = [
            snippet.to_string(),
            format!("{spawn}{snippet}"),
            format!("{snippet}\n{spawn}"),
            format!(
                "import asyncio\n\nasync def main():\n    asyncio.create_task(work())\n{indented}"
            ),
            snippet.replace('\n', "\r\n"),
        ];
        for source in &variants {
            let result = check_on_small_stack(source.clone());
            assert!(
                !result.syntax_errors.is_empty(),
                "{kind}: no syntax error in {source:?}"
            );
            assert_consistent(&result);
            for e in &result.syntax_errors {
                assert!(!e.message.is_empty());
                assert!(e.range.end().to_usize() <= source.len(), "{kind}: {e:?}");
            }
        }
    }
}

#[test]
fn every_prefix_of_a_fixture() {
    // Every truncation of a real file: a result or syntax errors, no panic.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/owners.py");
    let source = std::fs::read_to_string(path).expect("fixture");
    let mut cut = 0;
    while cut < source.len() {
        if source.is_char_boundary(cut) {
            assert_consistent(&check(&source[..cut]));
        }
        cut += 7;
    }
}

isolated_test! {
    fn deep_compound_statements_on_one_line() {
        // `if a: if a: …` is a syntax error; the parser's recovery may still nest
        // the statements. Syntax errors, no crash.
        for head in [
            "if a: ",
            "while a: ",
            "for x in y: ",
            "with a: ",
            "def f(): ",
            "async def f(): ",
            "class C: ",
            "try: ",
            "match a: case 1: ",
            "@d ",
        ] {
            let source = format!("{}asyncio.create_task(work())\n", head.repeat(DEEP));
            let result = check_on_small_stack(source);
            assert_consistent(&result);
            assert!(!result.syntax_errors.is_empty(), "{head}");
        }
    }
}

// --- Regressions ----------------------------------------------------------------

isolated_test! {
    /// Found by these tests: binding `self.x` to a deep `or`/`and` or
    /// conditional expression overflowed the stack in the analysis
    /// (`facts::Walker::classify_value` recursed without the stack guard).
    fn regression_deep_bound_value() {
        for value in [shape("boolops", DEEP), shape("ifexp", DEEP)] {
            let source = format!(
                "import asyncio\n\n\nclass C:\n    async def start(self):\n        self.x = {value}\n        self._task = asyncio.create_task(work())\n"
            );
            assert_consistent(&check_on_small_stack(source));
        }
    }
}

isolated_test! {
    /// Found by these tests: the analysis took time quadratic in the length of
    /// a chain of element accesses or copies in a spawn's argument
    /// (`facts::Walker::expr_inner` called `key_of` at every level of the
    /// chain, and `key_of` walked down to its bottom): about 80 s at 100,000
    /// `list(` in a release build, 0.24 s since `key_of` remembers long chains.
    fn regression_quadratic_key_of() {
        for name in QUADRATIC {
            let source = format!(
                "import asyncio\n\n\nasync def main():\n    asyncio.create_task(f({}))\n",
                shape(name, DEEP)
            );
            let result = check_on_small_stack(source);
            assert!(result.syntax_errors.is_empty());
            assert_eq!(result.report.inventory.len(), 1);
        }
    }
}
