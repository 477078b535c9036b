//! The module's shape, collected once before the analysis: scopes (the
//! module and every function), classes and their inheritance families, names
//! bound at module level, imports, and names known to hold an event loop.
//!
//! Everything here is keyed by small integer ids so later stages can index
//! plain vectors instead of walking the tree again.

use std::borrow::Cow;

use ruff_python_ast::{self as ast, Expr, ModModule, Parameters, Stmt};
use rustc_hash::{FxHashMap, FxHashSet};

use super::names::{dotted_first, dotted_last, dotted_name, last_identifier};
use super::stack::guard;

/// A scope id: 0 is the module's top level, every function gets one.
pub(crate) type ScopeId = u32;
/// A class id.
pub(crate) type ClassId = u32;

pub(crate) const MODULE_SCOPE: ScopeId = 0;

/// The functions of the module that have one name.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NamedFunctions {
    /// Defined at the top level.
    pub module: Option<ScopeId>,
    /// Defined in some function.
    pub nested: bool,
}

/// A function (or the module's top level).
pub(crate) struct Scope<'a> {
    /// The function, or `None` for the module.
    pub def: Option<&'a ast::StmtFunctionDef>,
    /// The enclosing function scope (for closures); `None` for the module.
    pub parent: Option<ScopeId>,
    /// The class this is a method of (directly or through nesting).
    pub class: Option<ClassId>,
    /// Where its qualified name continues from ([`Model::qualname`]).
    pub qual: Qual,
    /// Parameters and names assigned in the body (not `global`/`nonlocal`).
    pub bound: Names<'a>,
    /// Names declared `global`.
    pub globals: FxHashSet<&'a str>,
    /// Names declared `nonlocal`.
    pub nonlocals: FxHashSet<&'a str>,
    /// Positional parameters, in order (`self` included).
    pub params: Vec<&'a str>,
    /// Keyword-only parameters.
    pub kwonly: Vec<&'a str>,
    /// The name of `self` / `cls` when this is a method that has one.
    pub self_name: Option<&'a str>,
}

impl Scope<'_> {
    /// The function's own name (`stop`), or `<module>`.
    pub fn short_name(&self) -> &str {
        self.def.map_or("<module>", |d| d.name.as_str())
    }
}

/// The names bound in a function. Most functions bind a handful, each
/// looked up a few times (a run's modules bind ten times as many names as
/// they look up), so they are kept as a list, without hashing, until there
/// are more than [`Names::LIST_MAX`]; then as a set, so that a function
/// binding thousands of names is not searched name by name.
#[derive(Default)]
pub(crate) struct Names<'a> {
    list: Vec<&'a str>,
    set: Option<FxHashSet<&'a str>>,
}

impl<'a> Names<'a> {
    /// The longest list (repeats included) searched name by name.
    const LIST_MAX: usize = 32;

    pub fn with_capacity(capacity: usize) -> Self {
        Names {
            list: Vec::with_capacity(capacity.min(Self::LIST_MAX + 1)),
            set: None,
        }
    }

    pub fn insert(&mut self, name: &'a str) {
        match &mut self.set {
            Some(set) => {
                set.insert(name);
            }
            None => {
                self.list.push(name);
                if self.list.len() > Self::LIST_MAX {
                    self.set = Some(self.list.drain(..).collect());
                }
            }
        }
    }

    pub fn extend(&mut self, names: impl IntoIterator<Item = &'a str>) {
        for name in names {
            self.insert(name);
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        match &self.set {
            Some(set) => set.contains(name),
            None => self.list.contains(&name),
        }
    }
}

/// What a qualified name continues from: nothing (module level), a
/// function (`outer.<locals>.`) or a class (`Class.`). Qualified names are
/// spelled out only for what is reported ([`Model::qualname`]), not for every
/// function of every module analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Qual {
    Top,
    Function(ScopeId),
    Class(ClassId),
}

/// A class of the module.
pub(crate) struct Class<'a> {
    pub name: &'a str,
    /// Where its qualified name continues from.
    pub qual: Qual,
    /// Base classes by their last identifier.
    pub bases: Vec<&'a str>,
    /// Method name → scope.
    pub methods: FxHashMap<&'a str, ScopeId>,
    /// The inheritance family (connected classes of the module).
    pub family: u32,
    /// Its definition.
    pub node: &'a ast::StmtClassDef,
}

/// The module model.
pub(crate) struct Model<'a> {
    pub scopes: Vec<Scope<'a>>,
    pub classes: Vec<Class<'a>>,
    /// Names bound at module level (assignments, defs, classes, imports, `global`).
    pub module_bound: FxHashSet<&'a str>,
    /// Module-level functions by name (last definition wins).
    /// Functions by name: the module-level one, and whether functions
    /// defined in functions have the name (one lookup for a called name).
    pub functions_by_name: FxHashMap<&'a str, NamedFunctions>,
    /// Functions defined in functions, by the enclosing function and name
    /// (`async def _run(): …` inside `start`).
    pub nested_functions: FxHashMap<(ScopeId, &'a str), ScopeId>,
    /// Names of functions defined in a function that the function binds
    /// again (`def f(): …` then `f = other`, or two `def f`): not followed.
    rebound_nested: FxHashSet<(ScopeId, &'a str)>,
    /// Names of module-level functions that a module-level assignment
    /// binds again after the `def` (`if debug: _forget = _report`): the
    /// name may be another function when it is called.
    pub module_rebound: FxHashSet<&'a str>,
    /// Module names a function binds again after declaring them `global`.
    pub global_names: FxHashSet<&'a str>,
    /// Classes by name.
    pub class_by_name: FxHashMap<&'a str, ClassId>,
    /// Local name → qualified name, for every import in the module.
    pub imports: FxHashMap<&'a str, Cow<'a, str>>,
    /// Names (last identifiers) bound from `get_event_loop()` & co., or
    /// annotated as an event loop, anywhere in the module.
    pub loop_names: FxHashSet<String>,
    /// Family id → the methods of all its classes (first definition wins).
    pub family_methods: Vec<FxHashMap<&'a str, ScopeId>>,
    /// `self.<attr>` of a class family bound only to objects of one class
    /// of the module (`self.tasks = Tasks()`, or `None`): its methods are
    /// that class's (`self.tasks.add(task)` calls `Tasks.add`).
    pub attr_classes: FxHashMap<(u32, &'a str), ClassId>,
}

impl<'a> Model<'a> {
    pub fn build(module: &'a ModModule) -> Model<'a> {
        let mut b = Builder {
            model: Model {
                scopes: vec![Scope {
                    def: None,
                    parent: None,
                    class: None,
                    qual: Qual::Top,
                    bound: Names::default(),
                    globals: FxHashSet::default(),
                    nonlocals: FxHashSet::default(),
                    params: Vec::new(),
                    kwonly: Vec::new(),
                    self_name: None,
                }],
                classes: Vec::new(),
                module_bound: FxHashSet::default(),
                functions_by_name: FxHashMap::default(),
                nested_functions: FxHashMap::default(),
                rebound_nested: FxHashSet::default(),
                module_rebound: FxHashSet::default(),
                global_names: FxHashSet::default(),
                class_by_name: FxHashMap::default(),
                imports: FxHashMap::default(),
                loop_names: FxHashSet::default(),
                family_methods: Vec::new(),
                attr_classes: FxHashMap::default(),
            },
            global_decls: Vec::new(),
            self_attr_binds: Vec::new(),
        };
        b.body(&module.body, MODULE_SCOPE, None, Qual::Top);
        let mut model = b.model;
        for name in b.global_decls {
            model.module_bound.insert(name);
        }
        model.link_families();
        model.attr_classes = attr_classes(&model, &b.self_attr_binds);
        model
    }

    /// The qualified name of a scope: `Class.method`, `outer.<locals>.inner`,
    /// or `<module>`.
    pub fn qualname(&self, scope: ScopeId) -> String {
        let Some(def) = self.scopes.get(scope as usize).and_then(|s| s.def) else {
            return "<module>".to_string();
        };
        let mut parts = vec![def.name.as_str()];
        let mut at = self.scopes[scope as usize].qual;
        // Each step goes to a scope or class made before this one: the walk
        // ends, whatever the nesting.
        loop {
            match at {
                Qual::Top => break,
                Qual::Function(f) => {
                    let Some(outer) = self.scopes.get(f as usize) else {
                        break;
                    };
                    let Some(def) = outer.def else {
                        break;
                    };
                    parts.push("<locals>");
                    parts.push(def.name.as_str());
                    at = outer.qual;
                }
                Qual::Class(c) => {
                    let Some(class) = self.classes.get(c as usize) else {
                        break;
                    };
                    parts.push(class.name);
                    at = class.qual;
                }
            }
        }
        parts.reverse();
        parts.join(".")
    }

    /// The qualified name of an expression (`asyncio.create_task`), with the
    /// first identifier resolved through the module's imports; `None` when the
    /// first identifier is shadowed by a local of `scope`.
    pub fn qualify(&self, expr: &Expr, scope: ScopeId) -> Option<String> {
        let segments = dotted_name(expr)?;
        let (first, rest) = segments.split_first()?;
        if self.is_shadowed(scope, first) {
            return None;
        }
        let head = self.imports.get(first).map_or(*first, |q| &**q);
        let mut out =
            String::with_capacity(head.len() + rest.iter().map(|s| s.len() + 1).sum::<usize>());
        out.push_str(head);
        for s in rest {
            out.push('.');
            out.push_str(s);
        }
        Some(out)
    }

    /// Whether [`Model::qualify`] can give a name in the `asyncio` package
    /// (`asyncio.…`): whether the first identifier of the dotted name is
    /// `asyncio` itself or imports something of it. Asked before qualifying,
    /// which allocates, for the calls that may be `asyncio`'s functions.
    pub fn may_qualify_to_asyncio(&self, expr: &Expr) -> bool {
        let Some(first) = dotted_first(expr) else {
            return false;
        };
        let head = self.imports.get(first).map_or(first, |q| &**q);
        head.strip_prefix("asyncio")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }

    /// Whether `name` is bound locally in `scope` or an enclosing function
    /// (and so is not the module-level import of that name).
    pub fn is_shadowed(&self, mut scope: ScopeId, name: &str) -> bool {
        loop {
            let s = &self.scopes[scope as usize];
            if scope == MODULE_SCOPE || (!s.globals.is_empty() && s.globals.contains(name)) {
                return false;
            }
            if s.bound.contains(name) && (s.nonlocals.is_empty() || !s.nonlocals.contains(name)) {
                return true;
            }
            match s.parent {
                Some(p) => scope = p,
                None => return false,
            }
        }
    }

    /// Where a name read in `scope` lives.
    pub fn resolve_name(&self, mut scope: ScopeId, name: &str) -> NameHome {
        loop {
            let s = &self.scopes[scope as usize];
            if scope == MODULE_SCOPE || (!s.globals.is_empty() && s.globals.contains(name)) {
                break;
            }
            if s.bound.contains(name) && (s.nonlocals.is_empty() || !s.nonlocals.contains(name)) {
                return NameHome::Local(scope);
            }
            match s.parent {
                Some(p) => scope = p,
                None => break,
            }
        }
        if self.imports.contains_key(name) {
            NameHome::Imported
        } else if self.module_bound.contains(name) {
            NameHome::Module
        } else {
            NameHome::Unknown
        }
    }

    /// The method `name` of the family of `class`.
    pub fn method(&self, class: ClassId, name: &str) -> Option<ScopeId> {
        let family = self.classes[class as usize].family;
        self.family_methods[family as usize].get(name).copied()
    }

    /// The function of the module a callee names: a module-level function, or
    /// a method of the class family through `self`/`cls`.
    pub fn resolve_callee(&self, func: &Expr, scope: ScopeId) -> Option<ScopeId> {
        match func {
            Expr::Name(n) => {
                // Most names called are not the module's functions: asked
                // first, before the scopes are searched.
                let name = n.id.as_str();
                let named = self.functions_by_name.get(name)?;
                match self.resolve_name(scope, name) {
                    NameHome::Module => named.module,
                    NameHome::Local(home) if named.nested => {
                        self.nested_functions.get(&(home, name)).copied()
                    }
                    _ => None,
                }
            }
            Expr::Attribute(a) => {
                let Expr::Name(base) = &*a.value else {
                    return self.attr_method(a, scope);
                };
                let s = &self.scopes[scope as usize];
                let base = base.id.as_str();
                if Some(base) == s.self_name {
                    return self.method(s.class?, a.attr.as_str());
                }
                // `Cls.method(…)` for a class of the module: its static and
                // class methods, whose arguments line up with the
                // parameters as through `self` (an instance method called
                // through the class takes `self` as its first argument).
                if self.class_by_name.is_empty() {
                    return None;
                }
                let &class = self.class_by_name.get(base)?;
                if self.resolve_name(scope, base) != NameHome::Module {
                    return None;
                }
                let method = self.method(class, a.attr.as_str())?;
                let def = self.scopes[method as usize].def?;
                def.decorator_list
                    .iter()
                    .any(|d| {
                        matches!(
                            dotted_last(&d.expression),
                            Some("staticmethod" | "classmethod")
                        )
                    })
                    .then_some(method)
            }
            _ => None,
        }
    }

    /// `self.<attr>.method` of an attribute bound to an object of a class
    /// of the module ([`Model::attr_classes`]): that class's method.
    fn attr_method(&self, a: &ast::ExprAttribute, scope: ScopeId) -> Option<ScopeId> {
        if self.attr_classes.is_empty() {
            return None;
        }
        let Expr::Attribute(inner) = &*a.value else {
            return None;
        };
        let Expr::Name(base) = &*inner.value else {
            return None;
        };
        let s = &self.scopes[scope as usize];
        if Some(base.id.as_str()) != s.self_name {
            return None;
        }
        let family = self.classes[s.class? as usize].family;
        let &class = self.attr_classes.get(&(family, inner.attr.as_str()))?;
        let method = self.method(class, a.attr.as_str())?;
        // An instance method (through the object, `self` is bound).
        self.scopes[method as usize].self_name.map(|_| method)
    }

    /// The family of the class a scope belongs to.
    pub fn family_of(&self, scope: ScopeId) -> Option<u32> {
        self.scopes[scope as usize]
            .class
            .map(|c| self.classes[c as usize].family)
    }

    fn link_families(&mut self) {
        // Union-find over "is a base of" edges between classes of the module.
        let n = self.classes.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for i in 0..n {
            for base in self.classes[i].bases.clone() {
                if let Some(&j) = self.class_by_name.get(base) {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j as usize));
                    if a != b {
                        parent[a] = b;
                    }
                }
            }
        }
        let mut ids: FxHashMap<usize, u32> = FxHashMap::default();
        for i in 0..n {
            let root = find(&mut parent, i);
            let next = ids.len() as u32;
            let id = *ids.entry(root).or_insert(next);
            self.classes[i].family = id;
        }
        self.family_methods = vec![FxHashMap::default(); ids.len()];
        for class in &self.classes {
            let methods = &mut self.family_methods[class.family as usize];
            for (name, scope) in &class.methods {
                methods.entry(name).or_insert(*scope);
            }
        }
    }
}

/// Where a name lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameHome {
    Local(ScopeId),
    Module,
    /// Bound by an import: an object that lives elsewhere.
    Imported,
    Unknown,
}

struct Builder<'a> {
    model: Model<'a>,
    global_decls: Vec<&'a str>,
    /// Every `self.<attr> = value` of a method (`None` values left out):
    /// the class, the attribute, the class name called for a value that is
    /// a call of a plain name (`Tasks()`), and the function.
    self_attr_binds: Vec<(ClassId, &'a str, Option<&'a str>, ScopeId)>,
}

/// The attributes of [`Model::attr_classes`], from the binds the builder
/// saw: each bound to a constructor of one class of the module, and to
/// nothing else.
fn attr_classes<'a>(
    model: &Model<'a>,
    binds: &[(ClassId, &'a str, Option<&'a str>, ScopeId)],
) -> FxHashMap<(u32, &'a str), ClassId> {
    let is_class = |name: Option<&str>| name.is_some_and(|n| model.class_by_name.contains_key(n));
    if !binds.iter().any(|b| is_class(b.2)) {
        return FxHashMap::default();
    }
    let mut by_attr: FxHashMap<(u32, &'a str), Option<ClassId>> = FxHashMap::default();
    for &(class, attr, called, scope) in binds {
        let family = model.classes[class as usize].family;
        let target = called.and_then(|n| {
            let &c = model.class_by_name.get(n)?;
            (model.resolve_name(scope, n) == NameHome::Module).then_some(c)
        });
        by_attr
            .entry((family, attr))
            .and_modify(|t| {
                if *t != target {
                    *t = None;
                }
            })
            .or_insert(target);
    }
    by_attr
        .into_iter()
        .filter_map(|(k, t)| t.map(|t| (k, t)))
        .collect()
}

const LOOP_FACTORIES: [&str; 6] = [
    "asyncio.get_event_loop",
    "asyncio.get_running_loop",
    "asyncio.new_event_loop",
    "asyncio.events.get_event_loop",
    "asyncio.events.get_running_loop",
    "asyncio.events.new_event_loop",
];

fn is_loop_annotation(expr: &Expr) -> bool {
    dotted_last(expr).is_some_and(|l| l == "AbstractEventLoop" || l == "BaseEventLoop")
}

impl<'a> Builder<'a> {
    /// Walks a block of statements belonging to `scope`; `class` is set while
    /// inside a class body; `prefix` is where qualified names continue from.
    fn body(&mut self, body: &'a [Stmt], scope: ScopeId, class: Option<ClassId>, prefix: Qual) {
        for stmt in body {
            guard(|| self.stmt(stmt, scope, class, prefix));
        }
    }

    fn bind(&mut self, scope: ScopeId, class: Option<ClassId>, name: &'a str) {
        if class.is_some() {
            // Class-body names are not visible from methods.
            return;
        }
        if scope == MODULE_SCOPE {
            self.model.module_bound.insert(name);
        } else {
            if self.model.scopes[scope as usize].globals.contains(name) {
                self.model.global_names.insert(name);
            }
            if !self.model.nested_functions.is_empty()
                && self.model.nested_functions.remove(&(scope, name)).is_some()
            {
                self.model.rebound_nested.insert((scope, name));
            }
            self.model.scopes[scope as usize].bound.insert(name);
        }
    }

    /// Notes the module-level functions an assignment's target binds again.
    fn note_module_rebind(&mut self, target: &'a Expr, scope: ScopeId) {
        match target {
            Expr::Name(n) => {
                let name = n.id.as_str();
                // At module level, or through `global` in a function.
                let module_level = scope == MODULE_SCOPE
                    || self.model.scopes[scope as usize].globals.contains(name);
                if module_level
                    && self
                        .model
                        .functions_by_name
                        .get(name)
                        .is_some_and(|f| f.module.is_some())
                {
                    self.model.module_rebound.insert(name);
                }
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for e in elts {
                    guard(|| self.note_module_rebind(e, scope));
                }
            }
            Expr::Starred(st) => self.note_module_rebind(&st.value, scope),
            _ => {}
        }
    }

    fn bind_target(&mut self, target: &'a Expr, scope: ScopeId, class: Option<ClassId>) {
        match target {
            Expr::Name(n) => self.bind(scope, class, n.id.as_str()),
            Expr::Tuple(t) => t
                .elts
                .iter()
                .for_each(|e| self.bind_target(e, scope, class)),
            Expr::List(t) => t
                .elts
                .iter()
                .for_each(|e| self.bind_target(e, scope, class)),
            Expr::Starred(s) => self.bind_target(&s.value, scope, class),
            _ => {}
        }
    }

    fn note_loop_binding(
        &mut self,
        target: &Expr,
        value: Option<&Expr>,
        annotation: Option<&Expr>,
    ) {
        let from_loop_call = value.is_some_and(|v| {
            if let Expr::Call(call) = v {
                let Some(last) = last_identifier(&call.func) else {
                    return false;
                };
                let factory = matches!(
                    last,
                    "get_event_loop" | "get_running_loop" | "new_event_loop"
                );
                if !factory && !self.model.imports.contains_key(last) {
                    return false;
                }
                // Most calls assigned are of imported names: a plain name
                // resolves through the imports without building anything;
                // a dotted callee can be a factory only by its own name.
                if let Expr::Name(n) = &*call.func {
                    let name = n.id.as_str();
                    let resolved = self.model.imports.get(name).map_or(name, |q| &**q);
                    return LOOP_FACTORIES.contains(&resolved);
                }
                factory
                    && dotted_name(&call.func).is_some_and(|segments| {
                        let text = segments.join(".");
                        let resolved = match segments.split_first() {
                            Some((first, rest)) => match self.model.imports.get(first) {
                                Some(q) if rest.is_empty() => q.to_string(),
                                Some(q) => format!("{q}.{}", rest.join(".")),
                                None => text.clone(),
                            },
                            None => text.clone(),
                        };
                        LOOP_FACTORIES.contains(&resolved.as_str())
                    })
            } else {
                false
            }
        });
        if from_loop_call || annotation.is_some_and(is_loop_annotation) {
            let last = match target {
                Expr::Name(n) => Some(n.id.as_str()),
                Expr::Attribute(a) => Some(a.attr.as_str()),
                _ => None,
            };
            if let Some(last) = last {
                self.model.loop_names.insert(last.to_string());
            }
        }
    }

    /// Notes `self.<attr> = value` in a method (for [`attr_classes`]);
    /// a target of a tuple or list pairs with the value's element in its
    /// place, and an attribute bound otherwise (a `for` or `with` target,
    /// `+=`, a starred element; `value` is `None`) is bound to something
    /// unknown.
    fn note_self_attr(&mut self, target: &'a Expr, value: Option<&'a Expr>, scope: ScopeId) {
        let elts = |e: &'a Expr| match e {
            Expr::Tuple(t) => Some(&t.elts[..]),
            Expr::List(l) => Some(&l.elts[..]),
            _ => None,
        };
        if let Some(targets) = elts(target) {
            let values = value.and_then(elts).filter(|v| {
                v.len() == targets.len()
                    && !v
                        .iter()
                        .chain(targets)
                        .any(|e| matches!(e, Expr::Starred(_)))
            });
            for (i, t) in targets.iter().enumerate() {
                guard(|| self.note_self_attr(t, values.map(|v| &v[i]), scope));
            }
            return;
        }
        if let Expr::Starred(st) = target {
            guard(|| self.note_self_attr(&st.value, None, scope));
            return;
        }
        let Expr::Attribute(t) = target else {
            return;
        };
        let Expr::Name(base) = &*t.value else {
            return;
        };
        let s = &self.model.scopes[scope as usize];
        let (Some(class), Some(self_name)) = (s.class, s.self_name) else {
            return;
        };
        if base.id.as_str() != self_name || value.is_some_and(Expr::is_none_literal_expr) {
            return;
        }
        let called = match value {
            Some(Expr::Call(call)) => match &*call.func {
                Expr::Name(n) => Some(n.id.as_str()),
                _ => None,
            },
            _ => None,
        };
        self.self_attr_binds
            .push((class, t.attr.as_str(), called, scope));
    }

    fn stmt(&mut self, stmt: &'a Stmt, scope: ScopeId, class: Option<ClassId>, prefix: Qual) {
        match stmt {
            Stmt::FunctionDef(f) => {
                // A name the function binds before its `def` (a default
                // overridden, two `def`s in branches) is no one function.
                let bound_before = scope != MODULE_SCOPE
                    && class.is_none()
                    && self.model.scopes[scope as usize]
                        .bound
                        .contains(f.name.as_str());
                self.bind(scope, class, f.name.as_str());
                let enclosing_class = class.or(self.model.scopes[scope as usize].class);
                let (params, kwonly) = param_names(&f.parameters);
                let is_static = f
                    .decorator_list
                    .iter()
                    .any(|d| dotted_last(&d.expression) == Some("staticmethod"));
                let self_name = if class.is_some() && !is_static {
                    params.first().copied()
                } else if class.is_none() {
                    // A nested function sees the enclosing method's `self`.
                    self.model.scopes[scope as usize].self_name
                } else {
                    None
                };
                // Room for the parameters and a few locals: one allocation
                // for most functions.
                let mut bound = Names::with_capacity(params.len() + kwonly.len() + 6);
                bound.extend(params.iter().chain(kwonly.iter()).copied());
                if let Some(v) = &f.parameters.vararg {
                    bound.insert(v.name.as_str());
                }
                if let Some(v) = &f.parameters.kwarg {
                    bound.insert(v.name.as_str());
                }
                for p in f.parameters.iter_non_variadic_params() {
                    if p.parameter
                        .annotation
                        .as_deref()
                        .is_some_and(is_loop_annotation)
                    {
                        self.model.loop_names.insert(p.parameter.name.to_string());
                    }
                }
                let id = self.model.scopes.len() as ScopeId;
                self.model.scopes.push(Scope {
                    def: Some(f),
                    parent: Some(scope),
                    class: enclosing_class,
                    qual: prefix,
                    bound,
                    globals: FxHashSet::default(),
                    nonlocals: FxHashSet::default(),
                    params,
                    kwonly,
                    self_name,
                });
                if let Some(c) = class {
                    self.model.classes[c as usize]
                        .methods
                        .entry(f.name.as_str())
                        .or_insert(id);
                } else if scope == MODULE_SCOPE {
                    self.model
                        .functions_by_name
                        .entry(f.name.as_str())
                        .or_default()
                        .module = Some(id);
                } else if class.is_none() {
                    if bound_before
                        || self
                            .model
                            .rebound_nested
                            .contains(&(scope, f.name.as_str()))
                    {
                        self.model.rebound_nested.insert((scope, f.name.as_str()));
                    } else {
                        self.model
                            .nested_functions
                            .insert((scope, f.name.as_str()), id);
                    }
                    self.model
                        .functions_by_name
                        .entry(f.name.as_str())
                        .or_default()
                        .nested = true;
                }
                self.body(&f.body, id, None, Qual::Function(id));
            }
            Stmt::ClassDef(c) => {
                self.bind(scope, class, c.name.as_str());
                let bases = c
                    .arguments
                    .iter()
                    .flat_map(|a| a.args.iter())
                    .filter_map(dotted_last)
                    .collect();
                let id = self.model.classes.len() as ClassId;
                self.model.classes.push(Class {
                    name: c.name.as_str(),
                    qual: prefix,
                    bases,
                    methods: FxHashMap::default(),
                    family: 0,
                    node: c,
                });
                self.model
                    .class_by_name
                    .entry(c.name.as_str())
                    .or_insert(id);
                self.body(&c.body, scope, Some(id), Qual::Class(id));
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    let full = alias.name.as_str();
                    match &alias.asname {
                        Some(asname) => {
                            self.model
                                .imports
                                .insert(asname.as_str(), Cow::Borrowed(full));
                            self.bind_import(scope, class, asname.as_str());
                        }
                        None => {
                            let first = full.split('.').next().unwrap_or(full);
                            self.model.imports.insert(first, Cow::Borrowed(first));
                            self.bind_import(scope, class, first);
                        }
                    }
                }
            }
            Stmt::ImportFrom(i) => {
                let module = i.module.as_ref().map_or("", |m| m.as_str());
                for alias in &i.names {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    let name = alias.name.as_str();
                    // Most imports are `from module import name`: their
                    // qualified name joined directly (`format!` costs several
                    // times as much, for every name imported).
                    let qualified = if module.is_empty() {
                        Cow::Borrowed(name)
                    } else {
                        let mut joined = String::with_capacity(module.len() + 1 + name.len());
                        joined.push_str(module);
                        joined.push('.');
                        joined.push_str(name);
                        Cow::Owned(joined)
                    };
                    self.model.imports.insert(local, qualified);
                    self.bind_import(scope, class, local);
                }
            }
            Stmt::Global(g) => {
                for n in &g.names {
                    self.global_decls.push(n.as_str());
                    if scope != MODULE_SCOPE {
                        self.model.scopes[scope as usize].globals.insert(n.as_str());
                    }
                }
            }
            Stmt::Nonlocal(g) => {
                for n in &g.names {
                    if scope != MODULE_SCOPE {
                        self.model.scopes[scope as usize]
                            .nonlocals
                            .insert(n.as_str());
                    }
                }
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if class.is_none() {
                        self.note_module_rebind(t, scope);
                    }
                    self.bind_target(t, scope, class);
                    self.note_loop_binding(t, Some(&a.value), None);
                    self.note_self_attr(t, Some(&a.value), scope);
                }
            }
            Stmt::AnnAssign(a) => {
                if class.is_none() && a.value.is_some() {
                    self.note_module_rebind(&a.target, scope);
                }
                self.bind_target(&a.target, scope, class);
                self.note_loop_binding(&a.target, a.value.as_deref(), Some(&a.annotation));
                if let Some(v) = &a.value {
                    self.note_self_attr(&a.target, Some(v), scope);
                }
            }
            Stmt::AugAssign(a) => {
                self.bind_target(&a.target, scope, class);
                self.note_self_attr(&a.target, None, scope);
            }
            Stmt::For(f) => {
                self.bind_target(&f.target, scope, class);
                self.note_self_attr(&f.target, None, scope);
                self.body(&f.body, scope, class, prefix);
                self.body(&f.orelse, scope, class, prefix);
            }
            Stmt::While(w) => {
                self.body(&w.body, scope, class, prefix);
                self.body(&w.orelse, scope, class, prefix);
            }
            Stmt::If(i) => {
                self.body(&i.body, scope, class, prefix);
                for clause in &i.elif_else_clauses {
                    self.body(&clause.body, scope, class, prefix);
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        self.bind_target(v, scope, class);
                        self.note_self_attr(v, None, scope);
                    }
                }
                self.body(&w.body, scope, class, prefix);
            }
            Stmt::Try(t) => {
                self.body(&t.body, scope, class, prefix);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(n) = &h.name {
                        self.bind(scope, class, n.as_str());
                    }
                    self.body(&h.body, scope, class, prefix);
                }
                self.body(&t.orelse, scope, class, prefix);
                self.body(&t.finalbody, scope, class, prefix);
            }
            Stmt::Match(m) => {
                for case in &m.cases {
                    self.body(&case.body, scope, class, prefix);
                }
            }
            _ => {}
        }
    }

    fn bind_import(&mut self, scope: ScopeId, class: Option<ClassId>, name: &'a str) {
        // Imports bind a name too, but they are resolved through `imports`,
        // so they do not shadow the module-level meaning.
        if scope == MODULE_SCOPE && class.is_none() {
            self.model.module_bound.insert(name);
        }
    }
}

fn param_names(params: &Parameters) -> (Vec<&str>, Vec<&str>) {
    let positional = params
        .posonlyargs
        .iter()
        .chain(params.args.iter())
        .map(|p| p.parameter.name.as_str())
        .collect();
    let kwonly = params
        .kwonlyargs
        .iter()
        .map(|p| p.parameter.name.as_str())
        .collect();
    (positional, kwonly)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_ast::PySourceType;

    fn with_model(src: &str, f: impl FnOnce(&Model, &ModModule)) {
        let parsed = ruff_python_parser::parse_unchecked_source(src, PySourceType::Python);
        let module = parsed.syntax();
        let model = Model::build(module);
        f(&model, module);
    }

    fn scope_named(model: &Model, name: &str) -> ScopeId {
        (0..model.scopes.len() as ScopeId)
            .find(|&s| model.qualname(s) == name)
            .unwrap_or_else(|| panic!("no scope {name}"))
    }

    /// The list and the set it becomes answer alike, repeats included.
    #[test]
    fn bound_names_as_a_list_and_as_a_set() {
        let owned: Vec<String> = (0..100).map(|i| format!("n{i}")).collect();
        for count in [0, 1, Names::LIST_MAX, Names::LIST_MAX + 1, 100] {
            let mut names = Names::with_capacity(4);
            for name in owned.iter().take(count) {
                names.insert(name);
                names.insert(name);
            }
            assert_eq!(names.set.is_some(), 2 * count > Names::LIST_MAX);
            for (i, name) in owned.iter().enumerate() {
                assert_eq!(names.contains(name), i < count, "{name} of {count}");
            }
            assert!(!names.contains("n"));
        }
    }

    #[test]
    fn imports_resolve_and_locals_shadow() {
        let src = "import asyncio as aio\nfrom asyncio import create_task as spawn\n\
                   def f(asyncio):\n    pass\ndef g():\n    pass\n";
        with_model(src, |model, module| {
            let Stmt::FunctionDef(f) = &module.body[2] else {
                panic!()
            };
            let _ = f;
            assert_eq!(model.imports.get("aio").map(|q| &**q), Some("asyncio"));
            assert_eq!(
                model.imports.get("spawn").map(|q| &**q),
                Some("asyncio.create_task")
            );
            assert!(model.is_shadowed(scope_named(model, "f"), "asyncio"));
            assert!(!model.is_shadowed(scope_named(model, "g"), "asyncio"));
        });
    }

    /// `may_qualify_to_asyncio` is asked before `qualify`: it must say yes
    /// to every expression that qualifies to a name in `asyncio`, and may
    /// say no to the others without qualifying them.
    #[test]
    fn only_names_of_asyncio_may_qualify_to_it() {
        let src = "import asyncio\nimport asyncio.tasks as t\nimport asyncio_extras\n\
                   from asyncio import gather as g, wait\nfrom app import gather\n\
                   import app.asyncio\n\
                   asyncio.gather\nt.gather\ng\nwait\nasyncio.tasks.wait\n\
                   gather\nasyncio_extras.gather\napp.asyncio.gather\n\
                   other.gather\nf().gather\nx[0].wait\n";
        with_model(src, |model, module| {
            let exprs: Vec<&Expr> = module
                .body
                .iter()
                .filter_map(|s| match s {
                    Stmt::Expr(e) => Some(&*e.value),
                    _ => None,
                })
                .collect();
            let (yes, no) = exprs.split_at(5);
            for e in yes {
                let q = model.qualify(e, MODULE_SCOPE).unwrap_or_default();
                assert!(q.starts_with("asyncio."), "{q}");
                assert!(model.may_qualify_to_asyncio(e), "{q}");
            }
            for e in no {
                let q = model.qualify(e, MODULE_SCOPE).unwrap_or_default();
                assert!(!q.starts_with("asyncio."), "{q}");
                assert!(!model.may_qualify_to_asyncio(e), "{q}");
            }
        });
    }

    #[test]
    fn methods_scopes_and_families() {
        let src = "class Base:\n    def stop(self): pass\nclass Child(Base):\n    def start(self):\n        def inner(): pass\nclass Other:\n    def stop(self): pass\n";
        with_model(src, |model, _| {
            let start = scope_named(model, "Child.start");
            let inner = scope_named(model, "Child.start.<locals>.inner");
            assert_eq!(model.scopes[start as usize].self_name, Some("self"));
            assert_eq!(
                model.scopes[inner as usize].self_name,
                Some("self"),
                "closures see self"
            );
            let child = model.scopes[start as usize].class.unwrap_or(u32::MAX);
            assert_eq!(
                model.method(child, "stop"),
                Some(scope_named(model, "Base.stop"))
            );
            let other = model.class_by_name["Other"];
            assert_ne!(
                model.classes[child as usize].family,
                model.classes[other as usize].family
            );
        });
    }

    #[test]
    fn loop_names_from_calls_and_annotations() {
        let src = "import asyncio\nev = asyncio.get_running_loop()\ndef f(r: asyncio.AbstractEventLoop): pass\n";
        with_model(src, |model, _| {
            assert!(model.loop_names.contains("ev"));
            assert!(model.loop_names.contains("r"));
        });
    }

    #[test]
    fn names_resolve_to_their_homes() {
        let src = "import os\nTASKS = set()\ndef f(x):\n    y = 1\n    def g():\n        nonlocal y\n        return x, y, TASKS, os\n";
        with_model(src, |model, _| {
            let f = scope_named(model, "f");
            let g = scope_named(model, "f.<locals>.g");
            assert_eq!(model.resolve_name(g, "x"), NameHome::Local(f));
            assert_eq!(model.resolve_name(g, "y"), NameHome::Local(f));
            assert_eq!(model.resolve_name(g, "TASKS"), NameHome::Module);
            assert_eq!(model.resolve_name(g, "os"), NameHome::Imported);
            assert_eq!(model.resolve_name(g, "print"), NameHome::Unknown);
        });
    }

    #[test]
    fn qualified_names_follow_classes_and_functions() {
        let src = "class A:\n    class B:\n        def m(self):\n            def inner(): pass\n\
                   def f():\n    class C:\n        def m(self): pass\n    if x:\n        def g(): pass\n";
        with_model(src, |model, _| {
            let names: Vec<String> = (0..model.scopes.len() as ScopeId)
                .map(|s| model.qualname(s))
                .collect();
            assert_eq!(
                names,
                [
                    "<module>",
                    "A.B.m",
                    "A.B.m.<locals>.inner",
                    "f",
                    "f.<locals>.C.m",
                    "f.<locals>.g",
                ]
            );
        });
    }
}
