//! Settings of the rule (SPEC §7), deserializable from the `[tool.async-task-ownership]`
//! table of a `pyproject.toml`.

use serde::{Deserialize, Serialize};

use crate::Kind;

/// Everything the rule can be told. `Settings::default()` is the SPEC's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Settings {
    /// The kinds that are reported (default: all).
    pub enabled: Vec<Kind>,
    /// Extra spawn functions by qualified name (`"myapp.tasks.spawn"`); a name
    /// without a dot matches a plain call of that name.
    pub extra_spawn_functions: Vec<String>,
    /// Extra names whose `.create_task(...)` is a loop's (`"ev"`, `"reactor"`).
    pub extra_loop_names: Vec<String>,
    /// Extra functions that take ownership of a task passed to them
    /// (`"myapp.registry.track"`).
    pub extra_owning_callees: Vec<String>,
    /// Globs of paths that count as test scope (matched against the path and
    /// every suffix of it).
    pub test_paths: Vec<String>,
    /// The Python version the code targets, as `"3.11"`.
    pub target_version: PythonVersion,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: Kind::ALL.to_vec(),
            extra_spawn_functions: Vec::new(),
            extra_loop_names: Vec::new(),
            extra_owning_callees: Vec::new(),
            test_paths: vec![
                "tests/**".to_string(),
                "test_*.py".to_string(),
                "*_test.py".to_string(),
                "conftest.py".to_string(),
            ],
            target_version: PythonVersion::default(),
        }
    }
}

impl Settings {
    /// Whether `kind` is reported.
    pub fn is_enabled(&self, kind: Kind) -> bool {
        self.enabled.contains(&kind)
    }
}

/// A Python `major.minor` version (default 3.10, as Ruff's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PythonVersion {
    /// The major version (3).
    pub major: u8,
    /// The minor version.
    pub minor: u8,
}

impl PythonVersion {
    /// Whether `asyncio.TaskGroup` exists (3.11+).
    pub fn has_task_group(self) -> bool {
        (self.major, self.minor) >= (3, 11)
    }
}

impl Default for PythonVersion {
    fn default() -> Self {
        PythonVersion {
            major: 3,
            minor: 10,
        }
    }
}

impl std::fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl std::str::FromStr for PythonVersion {
    type Err = String;

    /// Accepts `3.11`, `py311` and `311`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_start_matches("py");
        let (major, minor) = if let Some((a, b)) = t.split_once('.') {
            (a.parse::<u8>().ok(), b.parse::<u8>().ok())
        } else if t.len() >= 2 && t.is_char_boundary(1) {
            (t[..1].parse::<u8>().ok(), t[1..].parse::<u8>().ok())
        } else {
            (None, None)
        };
        match (major, minor) {
            (Some(3), Some(minor)) if (7..=15).contains(&minor) => {
                Ok(PythonVersion { major: 3, minor })
            }
            _ => Err(format!(
                "invalid Python version `{s}`: expected `3.N` (3.7 to 3.15) or `py3N`"
            )),
        }
    }
}

impl Serialize for PythonVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PythonVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
