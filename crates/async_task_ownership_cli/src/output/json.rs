//! `json` (Ruff's schema: an array of objects) and `json-lines` (one object
//! per line). Fields are Ruff's — `cell`, `code`, `end_location`, `filename`
//! (absolute), `fix` (always null), `location`, `message`, `noqa_row`, `url`
//! — plus `severity`, `name`, `kind`, `help` and `secondary`. Keys are in
//! alphabetical order, as Ruff writes them.

use std::io::{self, Write};

use async_task_ownership::{rule, RULE_NAME};
use serde::Serialize;

use crate::check::{FileResult, Message, Position};

#[derive(Serialize)]
struct Location {
    column: usize,
    row: usize,
}

impl From<Position> for Location {
    fn from(p: Position) -> Self {
        Location {
            column: p.column,
            row: p.row,
        }
    }
}

#[derive(Serialize)]
struct SecondaryJson<'a> {
    end_location: Location,
    label: &'a str,
    location: Location,
}

#[derive(Serialize)]
struct MessageJson<'a> {
    /// The kind's alias code (`ATO201`), for tools that key on short codes.
    alias: Option<&'static str>,
    cell: Option<usize>,
    code: &'static str,
    end_location: Location,
    filename: String,
    fix: Option<()>,
    help: Option<&'a str>,
    kind: Option<&'static str>,
    location: Location,
    message: &'a str,
    name: &'static str,
    noqa_row: Option<usize>,
    secondary: Vec<SecondaryJson<'a>>,
    severity: &'static str,
    url: Option<&'static str>,
}

fn message_json<'a>(file: &FileResult, m: &'a Message) -> MessageJson<'a> {
    MessageJson {
        alias: m.kind.map(|k| k.code()),
        cell: None,
        // Ruff's schema: the rule's code (the alias is beside it).
        code: if m.kind.is_some() {
            async_task_ownership::RULE_CODE
        } else {
            "invalid-syntax"
        },
        end_location: m.end.into(),
        filename: file.entry.absolute.to_string_lossy().into_owned(),
        fix: None,
        help: m.help.as_deref(),
        kind: m.kind.map(|k| k.name()),
        location: m.start.into(),
        message: &m.body,
        name: if m.kind.is_some() {
            RULE_NAME
        } else {
            "invalid-syntax"
        },
        noqa_row: m.kind.map(|_| m.start.row),
        secondary: m
            .secondary
            .iter()
            .map(|s| SecondaryJson {
                end_location: s.end.into(),
                label: &s.label,
                location: s.start.into(),
            })
            .collect(),
        severity: "error",
        url: m.kind.map(|k| rule::kind_metadata(k).url),
    }
}

pub fn write_json(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    let all: Vec<MessageJson<'_>> = files
        .iter()
        .flat_map(|f| f.messages.iter().map(move |m| message_json(f, m)))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &all)?;
    writeln!(out)
}

pub fn write_json_lines(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    for file in files {
        for m in &file.messages {
            serde_json::to_writer(&mut *out, &message_json(file, m))?;
            writeln!(out)?;
        }
    }
    Ok(())
}
