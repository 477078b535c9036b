//! Test scope by path (SPEC §7): a path is test code when one of the globs
//! matches it or any of its suffixes (`tests/**` matches `backend/tests/x.py`).

use globset::{GlobBuilder, GlobSetBuilder};

use crate::Scope;

pub(crate) fn scope_of(path: &str, globs: &[String]) -> Scope {
    if path.is_empty() || globs.is_empty() {
        return Scope::Production;
    }
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        if let Ok(glob) = GlobBuilder::new(g).literal_separator(true).build() {
            builder.add(glob);
        }
    }
    let Ok(set) = builder.build() else {
        return Scope::Production;
    };
    let normalized = path.replace('\\', "/");
    let mut rest = normalized.trim_start_matches("./");
    loop {
        if set.is_match(rest) {
            return Scope::Test;
        }
        match rest.find('/') {
            Some(i) => rest = &rest[i + 1..],
            None => return Scope::Production,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settings;

    #[test]
    fn default_globs() {
        let globs = Settings::default().test_paths;
        assert_eq!(scope_of("backend/tests/test_x.py", &globs), Scope::Test);
        assert_eq!(scope_of("tests/helpers.py", &globs), Scope::Test);
        assert_eq!(scope_of("app/conftest.py", &globs), Scope::Test);
        assert_eq!(scope_of("app/worker_test.py", &globs), Scope::Test);
        assert_eq!(scope_of("app/worker.py", &globs), Scope::Production);
        assert_eq!(scope_of("app/contest.py", &globs), Scope::Production);
        assert_eq!(scope_of("", &globs), Scope::Production);
    }
}
