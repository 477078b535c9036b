//! Small helpers over expressions, all iterative so that no input depth can
//! overflow the stack.

use ruff_python_ast::{self as ast, Expr};

/// The identifiers of a dotted name (`a.b.c` → `["a", "b", "c"]`), or `None`
/// when the expression is not a plain dotted name.
pub(crate) fn dotted_name(expr: &Expr) -> Option<Vec<&str>> {
    let mut segments = Vec::new();
    let base = walk_dotted(expr, |segment| segments.push(segment))?;
    segments.push(base);
    segments.reverse();
    Some(segments)
}

/// The last segment of a dotted name (`a.b.C` → `C`, `C` → `C`); `None`
/// when the expression is not a dotted name. [`dotted_name`]`(e)?.last()`
/// without building the list.
pub(crate) fn dotted_last(expr: &Expr) -> Option<&str> {
    let mut last = None;
    let base = walk_dotted(expr, |segment| {
        last.get_or_insert(segment);
    })?;
    Some(last.unwrap_or(base))
}

/// The first segment of a dotted name (`a.b.C` → `a`, `C` → `C`); `None`
/// when the expression is not a dotted name. [`dotted_name`]`(e)?.first()`
/// without building the list.
pub(crate) fn dotted_first(expr: &Expr) -> Option<&str> {
    walk_dotted(expr, |_| {})
}

/// Walks a dotted name from its end: `attribute` gets each attribute, last
/// first; the base name is returned (`None` when the expression is not a
/// dotted name).
pub(crate) fn walk_dotted<'e>(
    expr: &'e Expr,
    mut attribute: impl FnMut(&'e str),
) -> Option<&'e str> {
    let mut current = expr;
    loop {
        match current {
            Expr::Attribute(a) => {
                attribute(a.attr.as_str());
                current = &a.value;
            }
            Expr::Name(n) => return Some(n.id.as_str()),
            _ => return None,
        }
    }
}

/// The last identifier of a name or attribute (`self._loop` → `_loop`).
pub(crate) fn last_identifier(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

/// Calls `f` with each direct child expression of `expr`.
pub(crate) fn for_each_child<'a>(expr: &'a Expr, mut f: impl FnMut(&'a Expr)) {
    match expr {
        Expr::BoolOp(e) => e.values.iter().for_each(f),
        Expr::Named(e) => {
            f(&e.target);
            f(&e.value);
        }
        Expr::BinOp(e) => {
            f(&e.left);
            f(&e.right);
        }
        Expr::UnaryOp(e) => f(&e.operand),
        Expr::Lambda(e) => f(&e.body),
        Expr::If(e) => {
            f(&e.test);
            f(&e.body);
            f(&e.orelse);
        }
        Expr::Dict(e) => {
            for item in &e.items {
                if let Some(k) = &item.key {
                    f(k);
                }
                f(&item.value);
            }
        }
        Expr::Set(e) => e.elts.iter().for_each(f),
        Expr::ListComp(ast::ExprListComp {
            elt, generators, ..
        })
        | Expr::SetComp(ast::ExprSetComp {
            elt, generators, ..
        })
        | Expr::Generator(ast::ExprGenerator {
            elt, generators, ..
        }) => {
            f(elt);
            for g in generators {
                f(&g.target);
                f(&g.iter);
                g.ifs.iter().for_each(&mut f);
            }
        }
        Expr::DictComp(e) => {
            if let Some(k) = &e.key {
                f(k);
            }
            f(&e.value);
            for g in &e.generators {
                f(&g.target);
                f(&g.iter);
                g.ifs.iter().for_each(&mut f);
            }
        }
        Expr::Await(e) => f(&e.value),
        Expr::Yield(e) => {
            if let Some(v) = &e.value {
                f(v);
            }
        }
        Expr::YieldFrom(e) => f(&e.value),
        Expr::Compare(e) => {
            f(&e.left);
            e.comparators.iter().for_each(f);
        }
        Expr::Call(e) => {
            f(&e.func);
            e.arguments.args.iter().for_each(&mut f);
            e.arguments.keywords.iter().for_each(|k| f(&k.value));
        }
        Expr::Attribute(e) => f(&e.value),
        Expr::Subscript(e) => {
            f(&e.value);
            f(&e.slice);
        }
        Expr::Starred(e) => f(&e.value),
        Expr::List(e) => e.elts.iter().for_each(f),
        Expr::Tuple(e) => e.elts.iter().for_each(f),
        Expr::Slice(e) => {
            for part in [&e.lower, &e.upper, &e.step].into_iter().flatten() {
                f(part);
            }
        }
        Expr::FString(_)
        | Expr::TString(_)
        | Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_)
        | Expr::EllipsisLiteral(_)
        | Expr::Name(_)
        | Expr::IpyEscapeCommand(_) => {}
    }
}

/// Whether any expression below `expr` (itself included) satisfies `pred`.
pub(crate) fn any_expr(expr: &Expr, mut pred: impl FnMut(&Expr) -> bool) -> bool {
    // The first child is visited next without the stack, which holds only
    // the others: a name, an attribute chain or a call without arguments
    // (most conditions tested) allocates nothing.
    let mut stack: Vec<&Expr> = Vec::new();
    let mut next = Some(expr);
    while let Some(e) = next {
        if pred(e) {
            return true;
        }
        let mut first = None;
        for_each_child(e, |c| {
            if first.is_none() {
                first = Some(c);
            } else {
                stack.push(c);
            }
        });
        next = first.or_else(|| stack.pop());
    }
    false
}

/// Whether `text` contains `needle` (ASCII letters compared without their
/// case), without lowercasing `text` into a new string.
pub(crate) fn contains_ignoring_ascii_case(text: &str, needle: &str) -> bool {
    needle.is_empty()
        || text
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Whether `expr` reads the name `name` anywhere.
pub(crate) fn mentions_name(expr: &Expr, name: &str) -> bool {
    any_expr(
        expr,
        |e| matches!(e, Expr::Name(n) if n.id.as_str() == name),
    )
}

/// Whether a statement or expression of `body` (nested functions,
/// classes and lambdas excepted) is a hit, or may be: after 10,000
/// statements and expressions it answers yes (it is asked once per
/// statement of a block, and blocks nest). Depth-safe: each level of the
/// walk passes through the stack guard.
fn any_in_body(
    body: &[ruff_python_ast::Stmt],
    stmt_hit: impl Fn(&ruff_python_ast::Stmt) -> bool,
    expr_hit: impl Fn(&Expr) -> bool,
) -> bool {
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
    use ruff_python_ast::Stmt;
    struct Find<S, E> {
        stmt_hit: S,
        expr_hit: E,
        found: bool,
        budget: u32,
    }
    impl<S, E> Find<S, E> {
        fn spend(&mut self) -> bool {
            if self.budget == 0 {
                self.found = true;
            } else {
                self.budget -= 1;
            }
            self.found
        }
    }
    impl<'a, S: Fn(&Stmt) -> bool, E: Fn(&Expr) -> bool> Visitor<'a> for Find<S, E> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.spend() || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                return;
            }
            if (self.stmt_hit)(stmt) {
                self.found = true;
                return;
            }
            super::stack::guard(|| walk_stmt(self, stmt));
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.spend() || matches!(expr, Expr::Lambda(_)) {
                return;
            }
            if (self.expr_hit)(expr) {
                self.found = true;
                return;
            }
            super::stack::guard(|| walk_expr(self, expr));
        }
    }
    let mut find = Find {
        stmt_hit,
        expr_hit,
        found: false,
        budget: 10_000,
    };
    for stmt in body {
        find.visit_stmt(stmt);
    }
    find.found
}

/// Whether a `:=` in `body` binds `name`, or may (see [`any_in_body`]).
pub(crate) fn walrus_binds(body: &[ruff_python_ast::Stmt], name: &str) -> bool {
    any_in_body(
        body,
        |_| false,
        |e| {
            matches!(e, Expr::Named(n)
                if matches!(&*n.target, Expr::Name(t) if t.id.as_str() == name))
        },
    )
}

/// Whether a block waits somewhere: an `await`, `async for` or `async
/// with` of its own, or may (see [`any_in_body`]).
pub(crate) fn block_waits(body: &[ruff_python_ast::Stmt]) -> bool {
    use ruff_python_ast::Stmt;
    any_in_body(
        body,
        |s| matches!(s, Stmt::For(f) if f.is_async) || matches!(s, Stmt::With(w) if w.is_async),
        |e| matches!(e, Expr::Await(_)),
    )
}

/// Whether an `async def` only waits for a coroutine or awaitable it is
/// given: `await p`, `await asyncio.wait_for(p, …)` or `shield(p)` (not
/// `await p()`, a function it is given called among its own work), and
/// no other `await` or `async for`,
/// `p` one of its parameters (`*args` and `**kwargs` included), outside
/// nested functions. Depth-safe through the stack guard.
pub(crate) fn awaits_a_parameter(def: &ast::StmtFunctionDef) -> bool {
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
    use ruff_python_ast::Stmt;
    struct Find<'n> {
        params: Vec<&'n str>,
        found: bool,
        other: bool,
    }
    impl<'n> Find<'n> {
        fn is_param(&self, e: &Expr) -> bool {
            let e = match e {
                Expr::Starred(s) => &*s.value,
                Expr::Subscript(s) => &*s.value,
                e => e,
            };
            matches!(e, Expr::Name(n) if self.params.contains(&n.id.as_str()))
        }
    }
    impl<'a> Visitor<'a> for Find<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.other || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                return;
            }
            if matches!(stmt, Stmt::For(f) if f.is_async) {
                self.other = true;
                return;
            }
            // `for c in coros:` (or `coros.values()`): `c` is given too.
            if let Stmt::For(f) = stmt {
                let params = &self.params;
                if any_expr(
                    &f.iter,
                    |e| matches!(e, Expr::Name(n) if params.contains(&n.id.as_str())),
                ) {
                    if let Expr::Name(t) = &*f.target {
                        self.params.push(t.id.as_str());
                    }
                }
            }
            super::stack::guard(|| walk_stmt(self, stmt));
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.other || matches!(expr, Expr::Lambda(_)) {
                return;
            }
            if let Expr::Await(a) = expr {
                let runs = match &*a.value {
                    Expr::Call(c) => {
                        matches!(last_identifier(&c.func), Some("wait_for" | "shield"))
                            && c.arguments.args.first().is_some_and(|x| self.is_param(x))
                    }
                    v => self.is_param(v),
                };
                if runs {
                    self.found = true;
                    return;
                }
                // Work of its own that may fail.
                self.other = true;
                return;
            }
            super::stack::guard(|| walk_expr(self, expr));
        }
    }
    let p = &def.parameters;
    let mut find = Find {
        params: p
            .iter_non_variadic_params()
            .map(|p| p.parameter.name.as_str())
            .chain(p.vararg.iter().map(|v| v.name.as_str()))
            .chain(p.kwarg.iter().map(|v| v.name.as_str()))
            .collect(),
        found: false,
        other: false,
    };
    for stmt in &def.body {
        find.visit_stmt(stmt);
    }
    find.found && !find.other
}

/// Whether an imported name binds `name`: its alias, or else its name
/// (for `import a.b`, the first part).
pub(crate) fn import_binds(alias: &ast::Alias, name: &str, dotted: bool) -> bool {
    let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
    if dotted && alias.asname.is_none() {
        bound.split('.').next() == Some(name)
    } else {
        bound == name
    }
}

/// Whether a `:=` in `expr` binds `name`.
pub(crate) fn walrus_binds_in(expr: &Expr, name: &str) -> bool {
    any_expr(expr, |e| {
        matches!(e, Expr::Named(n)
            if matches!(&*n.target, Expr::Name(t) if t.id.as_str() == name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_ignores_only_ascii_case() {
        assert!(contains_ignoring_ascii_case("self._Lock", "lock"));
        assert!(contains_ignoring_ascii_case("LOCK", "lock"));
        assert!(contains_ignoring_ascii_case("blog", "log"));
        assert!(!contains_ignoring_ascii_case("lo", "log"));
        assert!(!contains_ignoring_ascii_case("ŁOG", "log"));
        assert!(!contains_ignoring_ascii_case("", "log"));
        assert!(contains_ignoring_ascii_case("", ""));
    }

    /// `any_expr` visits every expression below the root, whichever child
    /// it sits in: each name of these is found, and one that is absent not.
    #[test]
    fn any_expr_sees_every_child() {
        fn all_names<'e>(expr: &'e Expr, out: &mut Vec<&'e str>) {
            if let Expr::Name(n) = expr {
                out.push(n.id.as_str());
            }
            for_each_child(expr, |c| all_names(c, out));
        }
        for source in [
            "a",
            "a.b.c",
            "f(a, b, *c, k=d)[e]",
            "a if b else c",
            "[a, (b, {c: d}), {e}]",
            "x is not None and y.ready() or not z",
            "lambda: a + b * c",
            "[a for b in c if d]",
        ] {
            let parsed = ruff_python_parser::parse_expression(source).expect("parses");
            let expr = parsed.expr();
            let mut names = Vec::new();
            all_names(expr, &mut names);
            assert!(!names.is_empty(), "{source}");
            for name in names {
                assert!(mentions_name(expr, name), "{name} in {source}");
            }
            assert!(!mentions_name(expr, "absent"), "{source}");
            let mut seen = 0;
            assert!(!any_expr(expr, |_| {
                seen += 1;
                false
            }));
            let mut total = 0;
            fn count(expr: &Expr, total: &mut usize) {
                *total += 1;
                for_each_child(expr, |c| count(c, total));
            }
            count(expr, &mut total);
            assert_eq!(seen, total, "every expression once: {source}");
        }
    }

    /// `dotted_first` and `dotted_last` are the first and the last of
    /// `dotted_name`'s segments, for dotted names and for everything else.
    #[test]
    fn the_first_and_last_segments_without_the_list() {
        for source in [
            "x",
            "a.b",
            "asyncio.events.AbstractEventLoop",
            "staticmethod",
            "f()",
            "f().x",
            "a[0].b",
            "'s'.join",
            "(a.b).c",
            "1",
        ] {
            let expr = ruff_python_parser::parse_expression(source).expect("parses");
            let expr = expr.expr();
            let segments = dotted_name(expr);
            let last = segments.as_ref().and_then(|s| s.last().copied());
            assert_eq!(dotted_last(expr), last, "{source}");
            let first = segments.as_ref().and_then(|s| s.first().copied());
            assert_eq!(dotted_first(expr), first, "{source}");
        }
    }
}
