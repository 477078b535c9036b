//! `# noqa` matching (SPEC §6), as Ruff reads it: a blanket `# noqa`, or
//! `# noqa: CODE, CODE` naming `ASYNC-TASK-OWNERSHIP` or the kind's alias code,
//! case-insensitive, also after another pragma (`# type: ignore # noqa: X`).

use crate::{Kind, RULE_CODE};

/// Whether `line` (the text of the diagnostic's first line) suppresses `kind`.
///
/// ```
/// use async_task_ownership::{noqa::suppresses, Kind};
/// assert!(suppresses("spawn()  # noqa", Kind::Dangling));
/// assert!(suppresses("spawn()  # NOQA: ATO101", Kind::Dangling));
/// assert!(!suppresses("spawn()  # noqa: E501", Kind::Dangling));
/// ```
pub fn suppresses(line: &str, kind: Kind) -> bool {
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(hash) = lower[from..].find('#').map(|i| i + from) {
        from = hash + 1;
        let after = lower[hash + 1..].trim_start();
        let Some(rest) = after.strip_prefix("noqa") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(codes) = rest.strip_prefix(':') else {
            // A bare `# noqa` (possibly followed by a comment) suppresses everything.
            if rest.is_empty()
                || rest.starts_with('#')
                || !rest.starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                return true;
            }
            continue;
        };
        let matched = codes
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(str::trim)
            .take_while(|c| !c.starts_with('#'))
            .filter(|c| !c.is_empty())
            .any(|code| {
                code.eq_ignore_ascii_case(RULE_CODE) || code.eq_ignore_ascii_case(kind.code())
            });
        if matched {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanket_and_specific() {
        assert!(suppresses("x  # noqa", Kind::NoShutdown));
        assert!(suppresses(
            "x  # noqa:ASYNC-TASK-OWNERSHIP",
            Kind::NoShutdown
        ));
        assert!(suppresses("x  # noqa: E501, ato201", Kind::NoShutdown));
        assert!(suppresses(
            "x  # type: ignore # noqa: ATO201",
            Kind::NoShutdown
        ));
        assert!(!suppresses("x  # noqa: ATO101", Kind::NoShutdown));
        assert!(!suppresses("x  # noqa: E501", Kind::NoShutdown));
        assert!(!suppresses("x  # no qa", Kind::NoShutdown));
        assert!(!suppresses("x", Kind::NoShutdown));
    }
}
