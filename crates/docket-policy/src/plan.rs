//! The batch evaluator: each Cedar policy compiled, from its AST (Cedar's JSON form, the EST),
//! into an expression over the fact columns, evaluated 64 cases at a time as bit masks.
//!
//! Only a subset of Cedar compiles; anything else is refused when the policy is loaded, so a
//! loaded policy always has a plan. The subset (docs/policies.md says the same):
//!
//! - scope: `principal` and `resource` unconstrained (or `is Agency` / `is Case`); `action ==
//!   Action::"a"` or `action in [Action::"a", ...]`;
//! - conditions: any number of `when` and `unless` clauses over
//!   - `true`, `false`, `!e`, `e && e`, `e || e`, `if e then e else e`;
//!   - `resource.F` for a `Bool` fact, and `resource has F`;
//!   - `resource.F == v` / `!=` for a `Bool`, `Long` or `String` fact and a literal;
//!   - `resource.F < v` (`<=`, `>`, `>=`, either side) for a `Long` fact and a literal, or a
//!     date fact and `datetime("YYYY-MM-DD")`;
//!   - `["a", "b"].contains(resource.F)` for a `String` fact, and `[1, 2].contains(...)` for
//!     a `Long` one.
//!
//! Errors are modelled as Cedar has them: reading an optional fact a row lacks is an error,
//! `&&` and `||` short-circuit, and a policy whose condition errors is reported as erroring,
//! not as false. Strict validation rejects unguarded reads, so errors are rare; the model is
//! there so that the two evaluators agree even where they happen.

use serde_json::Value;

use crate::facts::{Bits, Column, Fact, FactColumns, FactType};
use crate::schema::ACTIONS;

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    fn flip(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            other => other,
        }
    }

    #[inline(always)]
    fn test<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant.
    Const(bool),
    /// `resource has F`.
    Has(Fact),
    /// `resource.F` of a `Bool` fact, compared with a constant (`== true` when bare).
    BoolIs(Fact, bool),
    /// `resource.F <cmp> n` for a `Long` fact.
    Long(Fact, Cmp, i64),
    /// `resource.F <cmp> d` for a date fact, `d` in days since 1970-01-01.
    Date(Fact, Cmp, i64),
    /// `resource.F` of a `String` fact among the names at these indexes; `in_set == false`
    /// negates (`!=`). A literal that is none of the fact's names has no index.
    EnumIn(Fact, Vec<u8>, bool),
    /// `[n, ...].contains(resource.F)` for a `Long` fact.
    LongIn(Fact, Vec<i64>),
    /// `!e`
    Not(Box<Expr>),
    /// `a && b`
    And(Box<Expr>, Box<Expr>),
    /// `a || b`
    Or(Box<Expr>, Box<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}

/// Why a policy is outside the supported subset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubsetError {
    /// An attribute the schema does not have.
    #[error(
        "`{0}` is not a fact a policy may use: the schema declares only adjudicated facts of immigration cases (docs/policies.md)"
    )]
    UnknownFact(String),
    /// A construct the batch evaluator does not compile.
    #[error("{0} is outside the supported subset of Cedar (docs/policies.md, \"Supported Cedar\")")]
    Unsupported(String),
}

fn unsupported(what: impl Into<String>) -> SubsetError {
    SubsetError::Unsupported(what.into())
}

/// One compiled policy: the actions it applies to (indexes into [`ACTIONS`]) and its condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    /// The actions it applies to.
    pub actions: Vec<usize>,
    /// The condition.
    pub condition: Expr,
    /// The facts it reads, in schema order.
    pub facts: Vec<Fact>,
}

/// Compiles one policy's EST (`cedar_policy::Policy::to_json`).
pub fn compile(est: &Value) -> Result<Compiled, SubsetError> {
    scope_any(&est["principal"], "Agency", "principal")?;
    scope_any(&est["resource"], "Case", "resource")?;
    let actions = action_scope(&est["action"])?;
    let mut condition = Expr::Const(true);
    let clauses = est["conditions"].as_array().map(Vec::as_slice).unwrap_or_default();
    for clause in clauses {
        let body = expr(&clause["body"])?;
        let body = match clause["kind"].as_str() {
            Some("when") => body,
            Some("unless") => Expr::Not(Box::new(body)),
            other => return Err(unsupported(format!("a condition of kind {other:?}"))),
        };
        condition = match condition {
            Expr::Const(true) => body,
            c => Expr::And(Box::new(c), Box::new(body)),
        };
    }
    let mut facts = Vec::new();
    condition.facts(&mut facts);
    facts.sort();
    facts.dedup();
    Ok(Compiled { actions, condition, facts })
}

fn scope_any(scope: &Value, ty: &str, var: &str) -> Result<(), SubsetError> {
    match scope["op"].as_str() {
        Some("All") => Ok(()),
        Some("is") if scope["entity_type"].as_str() == Some(ty) && scope.get("in").is_none() => Ok(()),
        _ => Err(unsupported(format!("a `{var}` constraint other than none or `is {ty}`"))),
    }
}

fn action_uid(v: &Value) -> Result<usize, SubsetError> {
    let uid = v.get("__entity").unwrap_or(v);
    let (ty, id) = (uid["type"].as_str(), uid["id"].as_str().unwrap_or_default());
    match (ty, ACTIONS.iter().position(|a| *a == id)) {
        (Some("Action"), Some(i)) => Ok(i),
        _ => Err(unsupported(format!("the action `{id}`"))),
    }
}

fn action_scope(scope: &Value) -> Result<Vec<usize>, SubsetError> {
    match scope["op"].as_str() {
        Some("==") => Ok(vec![action_uid(&scope["entity"])?]),
        Some("in") => {
            let list = match (&scope["entities"], &scope["entity"]) {
                (Value::Array(list), _) => list.iter().map(action_uid).collect::<Result<Vec<_>, _>>()?,
                (_, e) if !e.is_null() => vec![action_uid(e)?],
                _ => return Err(unsupported("this `action in` constraint")),
            };
            let mut list = list;
            list.sort_unstable();
            list.dedup();
            Ok(list)
        }
        _ => Err(unsupported("an unconstrained `action` (name the actions the policy is about)")),
    }
}

/// The fact `resource.NAME` reads, if `v` is that.
fn resource_attr(v: &Value) -> Result<Option<Fact>, SubsetError> {
    let Some(get) = v.get(".") else { return Ok(None) };
    if get["left"]["Var"].as_str() != Some("resource") {
        return Err(unsupported("an attribute of anything but `resource`"));
    }
    let name = get["attr"].as_str().unwrap_or_default();
    Fact::by_name(name).map(Some).ok_or_else(|| SubsetError::UnknownFact(name.to_owned()))
}

enum Lit {
    Bool(bool),
    Long(i64),
    Str(String),
    Day(i64),
}

fn literal(v: &Value) -> Result<Option<Lit>, SubsetError> {
    if let Some(val) = v.get("Value") {
        return Ok(match val {
            Value::Bool(b) => Some(Lit::Bool(*b)),
            Value::Number(n) => n.as_i64().map(Lit::Long),
            Value::String(s) => Some(Lit::Str(s.clone())),
            _ => return Err(unsupported("a literal that is not a boolean, a whole number or a string")),
        });
    }
    if let Some(args) = v.get("datetime").and_then(Value::as_array) {
        let text = args.first().and_then(|a| a["Value"].as_str()).unwrap_or_default();
        let day = docket_core::Date::parse(text).map_err(|_| {
            unsupported(format!("`datetime(\"{text}\")` (only a whole day, `datetime(\"YYYY-MM-DD\")`, is supported)"))
        })?;
        return Ok(Some(Lit::Day(i64::from(day.days_since_epoch()))));
    }
    Ok(None)
}

fn expr(v: &Value) -> Result<Expr, SubsetError> {
    let obj = v.as_object().ok_or_else(|| unsupported("this expression"))?;
    let (op, body) = obj.iter().next().ok_or_else(|| unsupported("an empty expression"))?;
    let sub = |k: &str| expr(&body[k]);
    Ok(match op.as_str() {
        "Value" => match body {
            Value::Bool(b) => Expr::Const(*b),
            _ => return Err(unsupported("a literal where a condition is expected")),
        },
        "!" => Expr::Not(Box::new(sub("arg")?)),
        "&&" => Expr::And(Box::new(sub("left")?), Box::new(sub("right")?)),
        "||" => Expr::Or(Box::new(sub("left")?), Box::new(sub("right")?)),
        "if-then-else" => Expr::If(Box::new(sub("if")?), Box::new(sub("then")?), Box::new(sub("else")?)),
        "has" => {
            if body["left"]["Var"].as_str() != Some("resource") {
                return Err(unsupported("`has` on anything but `resource`"));
            }
            let name = body["attr"].as_str().unwrap_or_default();
            let fact = Fact::by_name(name).ok_or_else(|| SubsetError::UnknownFact(name.to_owned()))?;
            if fact.def().optional { Expr::Has(fact) } else { Expr::Const(true) }
        }
        "." => match resource_attr(v)? {
            Some(f) if f.def().ty == FactType::Bool => Expr::BoolIs(f, true),
            Some(f) => return Err(unsupported(format!("`resource.{}` alone, which is not a `Bool`", f.name()))),
            None => return Err(unsupported("this attribute access")),
        },
        "==" | "!=" | "<" | "<=" | ">" | ">=" => {
            let cmp = match op.as_str() {
                "==" => Cmp::Eq,
                "!=" => Cmp::Ne,
                "<" => Cmp::Lt,
                "<=" => Cmp::Le,
                ">" => Cmp::Gt,
                _ => Cmp::Ge,
            };
            let (l, r) = (&body["left"], &body["right"]);
            let (fact, lit, cmp) = match (resource_attr(l)?, resource_attr(r)?) {
                (Some(f), None) => (f, literal(r)?, cmp),
                (None, Some(f)) => (f, literal(l)?, cmp.flip()),
                _ => return Err(unsupported(format!("`{op}` other than between a fact and a literal"))),
            };
            let lit = lit.ok_or_else(|| unsupported(format!("`{op}` other than between a fact and a literal")))?;
            compare(fact, cmp, lit)?
        }
        "contains" => {
            let set = body["left"]["Set"]
                .as_array()
                .ok_or_else(|| unsupported("`contains` on anything but a set literal"))?;
            let fact =
                resource_attr(&body["right"])?.ok_or_else(|| unsupported("`contains` of anything but `resource.F`"))?;
            let lits = set.iter().map(literal).collect::<Result<Vec<_>, _>>()?;
            match fact.def().ty {
                FactType::Enum(names) => {
                    let mut codes = Vec::new();
                    for l in lits {
                        match l {
                            Some(Lit::Str(s)) => codes.extend(names.iter().position(|n| *n == s).map(|i| i as u8)),
                            _ => return Err(unsupported("a set of anything but strings for a `String` fact")),
                        }
                    }
                    Expr::EnumIn(fact, codes, true)
                }
                FactType::Long => {
                    let mut ns = Vec::new();
                    for l in lits {
                        match l {
                            Some(Lit::Long(n)) => ns.push(n),
                            _ => return Err(unsupported("a set of anything but numbers for a `Long` fact")),
                        }
                    }
                    Expr::LongIn(fact, ns)
                }
                _ => return Err(unsupported(format!("`contains` of `resource.{}`", fact.name()))),
            }
        }
        other => return Err(unsupported(format!("the operator `{other}`"))),
    })
}

fn compare(fact: Fact, cmp: Cmp, lit: Lit) -> Result<Expr, SubsetError> {
    let name = fact.name();
    let eq_only = |cmp: Cmp| matches!(cmp, Cmp::Eq | Cmp::Ne);
    Ok(match (fact.def().ty, lit) {
        (FactType::Bool, Lit::Bool(b)) if eq_only(cmp) => Expr::BoolIs(fact, b == (cmp == Cmp::Eq)),
        (FactType::Long, Lit::Long(n)) => Expr::Long(fact, cmp, n),
        (FactType::Date, Lit::Day(d)) => Expr::Date(fact, cmp, d),
        (FactType::Enum(names), Lit::Str(s)) if eq_only(cmp) => {
            let codes: Vec<u8> = names.iter().position(|n| *n == s).map(|i| i as u8).into_iter().collect();
            Expr::EnumIn(fact, codes, cmp == Cmp::Eq)
        }
        _ => return Err(unsupported(format!("this comparison of `resource.{name}`"))),
    })
}

impl Expr {
    fn facts(&self, out: &mut Vec<Fact>) {
        match self {
            Expr::Const(_) => {}
            Expr::Has(f) | Expr::BoolIs(f, _) | Expr::Long(f, ..) | Expr::Date(f, ..) | Expr::EnumIn(f, ..) => {
                out.push(*f)
            }
            Expr::LongIn(f, _) => out.push(*f),
            Expr::Not(a) => a.facts(out),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.facts(out);
                b.facts(out);
            }
            Expr::If(c, a, b) => {
                c.facts(out);
                a.facts(out);
                b.facts(out);
            }
        }
    }

    /// Evaluates 64 rows starting at word `w`: (true bits, error bits), each row in at most one.
    fn eval(&self, cols: &FactColumns, w: usize) -> (u64, u64) {
        let rows = w * 64..((w + 1) * 64).min(cols.len());
        // The rows that exist in this word; a fact a row lacks is an error to read.
        let live = if rows.len() == 64 { u64::MAX } else { (1u64 << rows.len()) - 1 };
        let missing = |f: Fact| live & !cols.present(f).words()[w];
        match self {
            Expr::Const(b) => (if *b { live } else { 0 }, 0),
            Expr::Has(f) => (live & cols.present(*f).words()[w], 0),
            Expr::BoolIs(f, want) => {
                let Column::Bool(b) = cols.column(*f) else { return (0, live) };
                let v = if *want { b.words()[w] } else { !b.words()[w] };
                let err = missing(*f);
                (v & live & !err, err)
            }
            Expr::Long(f, cmp, n) => {
                let Column::Long(c) = cols.column(*f) else { return (0, live) };
                let err = missing(*f);
                (mask(&c[rows], |x| cmp.test(i64::from(x), *n)) & !err, err)
            }
            Expr::Date(f, cmp, d) => {
                let Column::Date(c) = cols.column(*f) else { return (0, live) };
                let err = missing(*f);
                (mask(&c[rows], |x| cmp.test(i64::from(x), *d)) & !err, err)
            }
            Expr::EnumIn(f, codes, in_set) => {
                let Column::Enum(c) = cols.column(*f) else { return (0, live) };
                let err = missing(*f);
                let mut set = 0u64;
                for code in codes {
                    set |= 1 << code;
                }
                let v = mask(&c[rows], |x| (set >> x & 1 == 1) == *in_set);
                (v & !err, err)
            }
            Expr::LongIn(f, ns) => {
                let Column::Long(c) = cols.column(*f) else { return (0, live) };
                let err = missing(*f);
                (mask(&c[rows], |x| ns.contains(&i64::from(x))) & !err, err)
            }
            Expr::Not(a) => {
                let (v, e) = a.eval(cols, w);
                (live & !v & !e, e)
            }
            Expr::And(a, b) => {
                let (av, ae) = a.eval(cols, w);
                if av == 0 {
                    return (0, ae);
                }
                let (bv, be) = b.eval(cols, w);
                (av & bv, ae | (av & be))
            }
            Expr::Or(a, b) => {
                let (av, ae) = a.eval(cols, w);
                let rest = live & !av & !ae;
                if rest == 0 {
                    return (av, ae);
                }
                let (bv, be) = b.eval(cols, w);
                (av | (rest & bv), ae | (rest & be))
            }
            Expr::If(c, a, b) => {
                let (cv, ce) = c.eval(cols, w);
                let (av, ae) = a.eval(cols, w);
                let (bv, be) = b.eval(cols, w);
                let cf = live & !cv & !ce;
                ((cv & av) | (cf & bv), ce | (cv & ae) | (cf & be))
            }
        }
    }
}

#[inline(always)]
fn mask<T: Copy>(xs: &[T], f: impl Fn(T) -> bool) -> u64 {
    let mut m = 0u64;
    for (i, x) in xs.iter().enumerate() {
        m |= u64::from(f(*x)) << i;
    }
    m
}

/// Per policy, which rows satisfy it and which error; both as bit sets over the rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcomes {
    /// Rows whose condition is true, one set per policy.
    pub satisfied: Vec<Bits>,
    /// Rows whose condition errors, one set per policy.
    pub errored: Vec<Bits>,
}

/// Evaluates `policies` over every row of `cols`, on up to `threads` threads.
pub fn run(policies: &[&Expr], cols: &FactColumns, threads: usize) -> Outcomes {
    let words = cols.len().div_ceil(64);
    let mut out = Outcomes {
        satisfied: policies.iter().map(|_| Bits::zeros(cols.len())).collect(),
        errored: policies.iter().map(|_| Bits::zeros(cols.len())).collect(),
    };
    let threads = threads.clamp(1, 64);
    let per = words.div_ceil(threads).max(1);
    // Each thread fills its own range of words of every policy's sets.
    let mut chunks: Vec<Vec<(&mut [u64], &mut [u64])>> = (0..threads).map(|_| Vec::new()).collect();
    for (s, e) in out.satisfied.iter_mut().zip(out.errored.iter_mut()) {
        for (t, (sc, ec)) in s.words_mut().chunks_mut(per).zip(e.words_mut().chunks_mut(per)).enumerate() {
            chunks[t].push((sc, ec));
        }
    }
    std::thread::scope(|scope| {
        for (t, mut parts) in chunks.into_iter().enumerate() {
            if parts.is_empty() {
                continue;
            }
            scope.spawn(move || {
                let first = t * per;
                for (p, (sat, err)) in parts.iter_mut().enumerate() {
                    for (i, (s, e)) in sat.iter_mut().zip(err.iter_mut()).enumerate() {
                        let (v, x) = policies[p].eval(cols, first + i);
                        *s = v;
                        *e = x;
                    }
                }
            });
        }
    });
    out
}
