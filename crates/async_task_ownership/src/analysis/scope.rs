//! Test scope by path (SPEC §7): a path is test code when one of the globs
//! matches it or any of its suffixes (`tests/**` matches `backend/tests/x.py`).
//!
//! Globs are matched directly (`*` and `?` within one path segment, `**`
//! across segments) instead of being compiled: the library is called once per
//! file with the same settings and keeps no state between calls, so compiling
//! a glob set on every call cost more than the whole rule.

use crate::Scope;

pub(crate) fn scope_of(path: &str, globs: &[String]) -> Scope {
    if path.is_empty() || globs.is_empty() {
        return Scope::Production;
    }
    let normalized = path.replace('\\', "/");
    let mut rest = normalized.trim_start_matches("./");
    loop {
        if globs
            .iter()
            .any(|g| glob_match(g.as_bytes(), rest.as_bytes()))
        {
            return Scope::Test;
        }
        match rest.find('/') {
            Some(i) => rest = &rest[i + 1..],
            None => return Scope::Production,
        }
    }
}

/// Matches a glob against a `/`-separated path, iteratively with
/// backtracking (linear in practice, no recursion).
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where to resume after a `*` (same segment) or `**` (any segments).
    let mut star: Option<(usize, usize, bool)> = None;
    while t < text.len() {
        if p + 1 < pattern.len() && pattern[p] == b'*' && pattern[p + 1] == b'*' {
            // `**/` also matches zero segments.
            let mut next = p + 2;
            if next < pattern.len() && pattern[next] == b'/' {
                next += 1;
            }
            star = Some((next, t, true));
            p = next;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p + 1, t, false));
            p += 1;
        } else if p < pattern.len()
            && (pattern[p] == text[t] || (pattern[p] == b'?' && text[t] != b'/'))
        {
            p += 1;
            t += 1;
        } else if let Some((sp, st, deep)) = star {
            if !deep && text[st] == b'/' {
                return false;
            }
            star = Some((sp, st + 1, deep));
            p = sp;
            t = st + 1;
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
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
        assert_eq!(scope_of("tests/unit/deep/helpers.py", &globs), Scope::Test);
        assert_eq!(scope_of("app/conftest.py", &globs), Scope::Test);
        assert_eq!(scope_of("app/worker_test.py", &globs), Scope::Test);
        assert_eq!(scope_of("./app/test_worker.py", &globs), Scope::Test);
        assert_eq!(scope_of("app/worker.py", &globs), Scope::Production);
        assert_eq!(scope_of("app/contest.py", &globs), Scope::Production);
        assert_eq!(
            scope_of("app/test_dir/worker.py", &globs),
            Scope::Production
        );
        assert_eq!(scope_of("", &globs), Scope::Production);
    }

    #[test]
    fn glob_forms() {
        assert!(glob_match(b"*.py", b"a.py"));
        assert!(!glob_match(b"*.py", b"a/b.py"));
        assert!(glob_match(b"a/**/b.py", b"a/b.py"));
        assert!(glob_match(b"a/**/b.py", b"a/x/y/b.py"));
        assert!(glob_match(b"a/**", b"a/x/y"));
        assert!(glob_match(b"t?st.py", b"test.py"));
        assert!(!glob_match(b"t?st.py", b"t/st.py"));
        assert!(glob_match(b"**", b"anything/at/all"));
    }
}
