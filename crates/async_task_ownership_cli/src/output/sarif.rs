//! SARIF 2.1.0, shaped as Ruff's: one run whose driver lists a rule per kind
//! (id = alias code, with summary, help and URL) and one result per
//! diagnostic, secondary locations as `relatedLocations`.

use std::io::{self, Write};
use std::path::Path;

use async_task_ownership::{rule, Kind, RULE_CODE};
use serde_json::{json, Value};

use crate::check::{FileResult, Message, Position};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn write_sarif(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    let mut rules: Vec<Value> = rule::kinds()
        .map(|k| {
            json!({
                "id": k.code,
                "name": k.name,
                "shortDescription": { "text": k.summary },
                "fullDescription": { "text": format!("{RULE_CODE} [{}]: {}", k.name, k.summary) },
                "help": { "text": k.summary },
                "helpUri": k.url,
                "defaultConfiguration": { "level": "error" },
                "properties": {
                    "id": k.code,
                    "kind": k.name,
                    "name": k.name,
                    "rule": RULE_CODE,
                    "problem.severity": "error",
                },
            })
        })
        .collect();
    rules.push(json!({
        "id": "invalid-syntax",
        "name": "invalid-syntax",
        "shortDescription": { "text": "The file could not be parsed; the rule did not run on it" },
        "fullDescription": { "text": "The file could not be parsed; the rule did not run on it" },
        "help": { "text": "Fix the syntax error" },
        "defaultConfiguration": { "level": "error" },
        "properties": { "id": "invalid-syntax", "name": "invalid-syntax", "problem.severity": "error" },
    }));

    let results: Vec<Value> = files
        .iter()
        .flat_map(|f| f.messages.iter().map(move |m| result(f, m)))
        .collect();

    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "async-task-ownership",
                    "fullName": format!("async-task-ownership ({RULE_CODE})"),
                    "informationUri": rule::RULE.url,
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

fn rule_index(kind: Option<Kind>) -> usize {
    match kind {
        Some(kind) => Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0),
        None => Kind::ALL.len(),
    }
}

fn region(start: Position, end: Position) -> Value {
    json!({
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    })
}

fn result(file: &FileResult, m: &Message) -> Value {
    let uri = file_uri(&file.entry.absolute);
    let text = match m.help.as_deref() {
        Some(help) => format!("{}\nhelp: {help}", m.body),
        None => m.body.clone(),
    };
    let related: Vec<Value> = m
        .secondary
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({
                "id": i,
                "message": { "text": s.label },
                "physicalLocation": {
                    "artifactLocation": { "uri": uri },
                    "region": region(s.start, s.end),
                },
            })
        })
        .collect();
    let mut value = json!({
        "ruleId": m.code(),
        "ruleIndex": rule_index(m.kind),
        "level": "error",
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": region(m.start, m.end),
            }
        }],
    });
    if !related.is_empty() {
        value["relatedLocations"] = Value::Array(related);
    }
    if let Some(kind) = m.kind {
        value["properties"] = json!({ "kind": kind.name() });
    }
    value
}

/// A `file://` URI for an absolute path, percent-encoding what URIs forbid.
fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file://");
    if !text.starts_with('/') {
        uri.push('/');
    }
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' | b':' => {
                uri.push(b as char);
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(file_uri(Path::new("/a b/c.py")), "file:///a%20b/c.py");
    }
}
