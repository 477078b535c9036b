//! The examples of `docs/rules/async-task-ownership.md` are run: every
//! ```python block is a module whose `# error: KIND` marks must be exactly
//! what the rule reports (Biome's habit: the doc cannot drift from the rule).

mod common;

use async_task_ownership::{check_source, rule, Kind, Settings};

fn python_blocks(doc: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in doc.lines().enumerate() {
        match &mut current {
            None if line.trim_end() == "```python" => current = Some((i + 1, String::new())),
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

#[test]
fn doc_examples_report_exactly_their_marks() {
    let blocks = python_blocks(rule::RULE.doc);
    assert!(blocks.len() >= 10, "the rule doc has an example per kind");
    let mut failures = Vec::new();
    for (line, source) in &blocks {
        let result = check_source(source, "example.py", &Settings::default());
        assert!(
            result.syntax_errors.is_empty(),
            "block at doc line {line}: {:?}",
            result.syntax_errors
        );
        for d in common::differences(source, &result.report) {
            failures.push(format!("block at doc line {line}: {d}"));
        }
    }
    assert!(
        failures.is_empty(),
        "doc examples differ:\n{}",
        failures.join("\n")
    );
}

#[test]
fn doc_has_a_section_per_kind() {
    for kind in Kind::ALL {
        assert!(
            rule::RULE.doc.contains(&format!("\n## {}\n", kind.name())),
            "no `## {}` section",
            kind.name()
        );
    }
}

#[test]
fn every_kind_with_a_single_module_example_is_shown_flagged() {
    let blocks = python_blocks(rule::RULE.doc);
    let all_marks: String = blocks.iter().map(|(_, s)| s.as_str()).collect();
    for kind in Kind::ALL {
        if kind == Kind::ShutdownNotWired {
            continue; // a project-level kind: its example spans two modules
        }
        assert!(
            all_marks.contains(kind.name()),
            "no flagged example of {}",
            kind.name()
        );
    }
}
