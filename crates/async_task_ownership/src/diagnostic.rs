//! Diagnostics: one per finding, at the spawn call (SPEC §6).

use ruff_text_size::TextRange;
use serde::Serialize;

use crate::Kind;

/// The rule's code, as printed.
pub const RULE_CODE: &str = "ASYNC-TASK-OWNERSHIP";
/// The rule's name, as printed.
pub const RULE_NAME: &str = "async-task-ownership";

/// One diagnostic of the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Always [`RULE_CODE`].
    pub code: &'static str,
    /// Always [`RULE_NAME`].
    pub name: &'static str,
    /// The finding.
    pub kind: Kind,
    /// What is wrong, naming the task and the functions involved.
    pub message: String,
    /// What to do instead.
    pub help: String,
    /// Where it is reported: the spawn call, or the handler for
    /// `swallows-cancellation`. A range into the caller's source.
    #[serde(serialize_with = "ser_range")]
    pub range: TextRange,
    /// Other locations that explain it (the `stop()` that cancels, the spawn site).
    pub secondary: Vec<SecondaryLocation>,
}

/// A location that explains a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecondaryLocation {
    /// The range in the caller's source.
    #[serde(serialize_with = "ser_range")]
    pub range: TextRange,
    /// What happens there (`cancelled here`).
    pub label: String,
}

pub(crate) fn ser_range<S: serde::Serializer>(r: &TextRange, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("TextRange", 2)?;
    st.serialize_field("start", &u32::from(r.start()))?;
    st.serialize_field("end", &u32::from(r.end()))?;
    st.end()
}
