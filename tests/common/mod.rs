//! Shared helpers of the fixture-driven tests: reading `# error: KIND` marks
//! and rendering diagnostics for snapshots.

#![allow(dead_code)]

use std::collections::BTreeMap;

use async_task_ownership::{Kind, Report};
use ruff_source_file::LineIndex;

/// `line → kinds` from the `# error: KIND, KIND` marks of a fixture.
pub fn marks(source: &str) -> BTreeMap<u32, Vec<String>> {
    let mut out = BTreeMap::new();
    for (i, line) in source.lines().enumerate() {
        if let Some(pos) = line.find("# error:") {
            let kinds: Vec<String> = line[pos + "# error:".len()..]
                .split('#')
                .next()
                .unwrap_or("")
                .split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect();
            for k in &kinds {
                assert!(
                    Kind::parse(k).is_some(),
                    "line {}: unknown kind `{k}` in mark",
                    i + 1
                );
            }
            let mut kinds = kinds;
            kinds.sort();
            out.insert(i as u32 + 1, kinds);
        }
    }
    out
}

/// `line → kinds` of the diagnostics of a report.
pub fn reported(source: &str, report: &Report) -> BTreeMap<u32, Vec<String>> {
    let index = LineIndex::from_source_text(source);
    let mut out: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for d in &report.diagnostics {
        let line = index.line_index(d.range.start()).get() as u32;
        out.entry(line).or_default().push(d.kind.name().to_string());
    }
    for kinds in out.values_mut() {
        kinds.sort();
    }
    out
}

/// The differences between marks and reports, one line each.
pub fn differences(source: &str, report: &Report) -> Vec<String> {
    let expected = marks(source);
    let actual = reported(source, report);
    let lines: Vec<&str> = source.lines().collect();
    let mut diffs = Vec::new();
    let all: std::collections::BTreeSet<u32> =
        expected.keys().chain(actual.keys()).copied().collect();
    for line in all {
        let e = expected.get(&line).cloned().unwrap_or_default();
        let a = actual.get(&line).cloned().unwrap_or_default();
        if e != a {
            diffs.push(format!(
                "line {line}: expected {e:?}, reported {a:?}    | {}",
                lines.get(line as usize - 1).map_or("", |l| l.trim())
            ));
        }
    }
    diffs
}

/// A readable rendering of every diagnostic: location, kind, message, the
/// source line, secondary locations and help.
pub fn render(name: &str, source: &str, report: &Report) -> String {
    let index = LineIndex::from_source_text(source);
    let lines: Vec<&str> = source.lines().collect();
    let mut out = String::new();
    for d in &report.diagnostics {
        let lc = index.line_column(d.range.start(), source);
        out.push_str(&format!(
            "{name}:{}:{}: {} [{}] {}\n",
            lc.line,
            lc.column,
            d.kind.code(),
            d.kind.name(),
            d.message
        ));
        out.push_str(&format!(
            "  | {}\n",
            lines.get(lc.line.get() - 1).map_or("", |l| l.trim_end())
        ));
        for s in &d.secondary {
            let sl = index.line_column(s.range.start(), source);
            out.push_str(&format!("  = {}:{}: {}\n", sl.line, sl.column, s.label));
        }
        out.push_str(&format!("  help: {}\n", d.help));
    }
    if report.diagnostics.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}
