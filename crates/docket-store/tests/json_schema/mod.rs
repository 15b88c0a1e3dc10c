//! A small JSON Schema (draft 2020-12) validator for the keywords `docs/events.schema.json`
//! uses, so that the schema test needs no new dependency.
//!
//! It refuses (panics on) any keyword it does not implement: a schema keyword this validator
//! silently skipped would be a check the test only pretends to make. `pattern` is matched by
//! a backtracking matcher for the regular-expression subset the schema's patterns use
//! (literals, `\` escapes, classes with ranges, negated classes `[^...]`, groups, `|`, `?`, `*`,
//! `+`, `{n}`, `{n,m}`), anchored with `^` and `$`.

use serde_json::Value;

/// A parsed schema document; `$ref`s are resolved against it.
pub struct Schema {
    root: Value,
}

impl Schema {
    pub fn new(root: Value) -> Schema {
        Schema { root }
    }

    pub fn root(&self) -> &Value {
        &self.root
    }

    /// Why `instance` does not conform, one message per failed keyword (empty when it does).
    pub fn errors(&self, instance: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(&self.root, instance, "", &mut errors);
        errors
    }

    pub fn accepts(&self, instance: &Value) -> bool {
        self.errors(instance).is_empty()
    }

    /// Follows `$ref`s (local JSON pointers only) until a schema without one.
    pub fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("only local `$ref`s are supported: `{r}`"));
            schema = self.root.pointer(pointer).unwrap_or_else(|| panic!("`$ref` `{r}` points nowhere"));
        }
        schema
    }

    fn check(&self, schema: &Value, inst: &Value, path: &str, errors: &mut Vec<String>) {
        let map = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => return errors.push(format!("{path}: no value is allowed here")),
            Value::Object(map) => map,
            other => panic!("a schema must be an object or a boolean, found {other}"),
        };
        for (keyword, arg) in map {
            match keyword.as_str() {
                // Annotations and containers that other keywords reach through.
                "$schema" | "$id" | "$defs" | "$comment" | "title" | "description" | "examples" | "then" | "else" => {}
                "$ref" => self.check(self.resolve(schema), inst, path, errors),
                "type" => {
                    let names: Vec<&str> = match arg {
                        Value::String(s) => vec![s.as_str()],
                        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                        other => panic!("`type` must be a string or an array, found {other}"),
                    };
                    if !names.iter().any(|n| has_type(inst, n)) {
                        errors.push(format!("{path}: {inst} is not of type {}", names.join(" or ")));
                    }
                }
                "enum" => {
                    let options = arg.as_array().expect("`enum` is an array");
                    if !options.contains(inst) {
                        errors.push(format!("{path}: {inst} is not one of the allowed values"));
                    }
                }
                "const" => {
                    if inst != arg {
                        errors.push(format!("{path}: {inst} is not {arg}"));
                    }
                }
                "required" => {
                    if let Value::Object(obj) = inst {
                        for name in arg.as_array().expect("`required` is an array").iter().filter_map(Value::as_str) {
                            if !obj.contains_key(name) {
                                errors.push(format!("{path}: `{name}` is required"));
                            }
                        }
                    }
                }
                "properties" => {
                    if let Value::Object(obj) = inst {
                        let props = arg.as_object().expect("`properties` is an object");
                        for (name, value) in obj {
                            if let Some(sub) = props.get(name) {
                                self.check(sub, value, &format!("{path}/{name}"), errors);
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    if let Value::Object(obj) = inst {
                        let declared = map.get("properties").and_then(Value::as_object);
                        for (name, value) in obj {
                            if !declared.is_some_and(|d| d.contains_key(name)) {
                                self.check(arg, value, &format!("{path}/{name}"), errors);
                            }
                        }
                    }
                }
                "propertyNames" => {
                    if let Value::Object(obj) = inst {
                        for name in obj.keys() {
                            let mut sub = Vec::new();
                            self.check(arg, &Value::String(name.clone()), path, &mut sub);
                            if !sub.is_empty() {
                                errors.push(format!("{path}: property `{name}` is not allowed here"));
                            }
                        }
                    }
                }
                "allOf" => {
                    for sub in arg.as_array().expect("`allOf` is an array") {
                        self.check(sub, inst, path, errors);
                    }
                }
                "anyOf" | "oneOf" => {
                    let passing = arg
                        .as_array()
                        .expect("`anyOf`/`oneOf` is an array")
                        .iter()
                        .filter(|s| self.passes(s, inst))
                        .count();
                    let ok = if keyword == "anyOf" { passing >= 1 } else { passing == 1 };
                    if !ok {
                        errors.push(format!("{path}: {passing} of the `{keyword}` alternatives match"));
                    }
                }
                "not" => {
                    if self.passes(arg, inst) {
                        errors.push(format!("{path}: matches a schema it must not match"));
                    }
                }
                "if" => {
                    let branch = if self.passes(arg, inst) { map.get("then") } else { map.get("else") };
                    if let Some(branch) = branch {
                        self.check(branch, inst, path, errors);
                    }
                }
                "pattern" => {
                    if let Value::String(s) = inst {
                        let pattern = arg.as_str().expect("`pattern` is a string");
                        if !Regex::new(pattern).full_match(s) {
                            errors.push(format!("{path}: `{s}` does not match `{pattern}`"));
                        }
                    }
                }
                "items" => {
                    if let Value::Array(items) = inst {
                        for (i, item) in items.iter().enumerate() {
                            self.check(arg, item, &format!("{path}/{i}"), errors);
                        }
                    }
                }
                "minLength" | "maxLength" => {
                    if let (Value::String(s), Some(bound)) = (inst, arg.as_u64()) {
                        let n = s.chars().count() as u64;
                        let ok = if keyword == "minLength" { n >= bound } else { n <= bound };
                        if !ok {
                            errors.push(format!("{path}: `{s}` is {n} characters, beyond the {keyword} {bound}"));
                        }
                    }
                }
                "minimum" | "maximum" => {
                    if let (Some(x), Some(bound)) = (inst.as_f64(), arg.as_f64()) {
                        let ok = if keyword == "minimum" { x >= bound } else { x <= bound };
                        if !ok {
                            errors.push(format!("{path}: {x} is beyond the {keyword} {bound}"));
                        }
                    }
                }
                other => panic!("schema keyword `{other}` is not supported by this test's validator"),
            }
        }
    }

    fn passes(&self, schema: &Value, inst: &Value) -> bool {
        let mut errors = Vec::new();
        self.check(schema, inst, "", &mut errors);
        errors.is_empty()
    }
}

fn has_type(v: &Value, name: &str) -> bool {
    match name {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        other => panic!("unknown JSON Schema type `{other}`"),
    }
}

/// One element of a pattern and how often it may repeat.
struct Piece {
    atom: Atom,
    min: usize,
    max: usize,
}

enum Atom {
    Char(char),
    /// Characters in the ranges, or (negated) every character outside them.
    Class {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
    Group(Vec<Vec<Piece>>),
}

/// An anchored pattern: alternatives of sequences of pieces.
pub struct Regex {
    alternatives: Vec<Vec<Piece>>,
}

impl Regex {
    pub fn new(pattern: &str) -> Regex {
        let inner = pattern
            .strip_prefix('^')
            .and_then(|p| p.strip_suffix('$'))
            .unwrap_or_else(|| panic!("pattern `{pattern}` must be anchored with `^` and `$`"));
        let chars: Vec<char> = inner.chars().collect();
        let mut i = 0;
        let alternatives = parse_alternatives(&chars, &mut i, pattern);
        assert_eq!(i, chars.len(), "unbalanced `)` in pattern `{pattern}`");
        Regex { alternatives }
    }

    pub fn full_match(&self, text: &str) -> bool {
        let s: Vec<char> = text.chars().collect();
        match_alternatives(&self.alternatives, &s, 0, &mut |end| end == s.len())
    }
}

fn parse_alternatives(c: &[char], i: &mut usize, pattern: &str) -> Vec<Vec<Piece>> {
    let mut alternatives = vec![Vec::new()];
    while *i < c.len() && c[*i] != ')' {
        let atom = match c[*i] {
            '|' => {
                *i += 1;
                alternatives.push(Vec::new());
                continue;
            }
            '(' => {
                *i += 1;
                let inner = parse_alternatives(c, i, pattern);
                assert!(*i < c.len() && c[*i] == ')', "unclosed `(` in pattern `{pattern}`");
                *i += 1;
                Atom::Group(inner)
            }
            '[' => {
                *i += 1;
                let negated = c.get(*i) == Some(&'^');
                if negated {
                    *i += 1;
                }
                let mut ranges = Vec::new();
                while *i < c.len() && c[*i] != ']' {
                    let lo = class_char(c, i, pattern);
                    if *i + 1 < c.len() && c[*i] == '-' && c[*i + 1] != ']' {
                        *i += 1;
                        let hi = class_char(c, i, pattern);
                        ranges.push((lo, hi));
                    } else {
                        ranges.push((lo, lo));
                    }
                }
                assert!(*i < c.len(), "unclosed `[` in pattern `{pattern}`");
                *i += 1;
                Atom::Class { ranges, negated }
            }
            '\\' => {
                let e = *c.get(*i + 1).unwrap_or_else(|| panic!("trailing `\\` in pattern `{pattern}`"));
                assert!(e.is_ascii_punctuation(), "escape `\\{e}` is not supported (pattern `{pattern}`)");
                *i += 2;
                Atom::Char(e)
            }
            ch @ ('.' | '^' | '$' | '*' | '+' | '?' | '{' | '}' | ']') => {
                panic!("`{ch}` at this place is not supported (pattern `{pattern}`)")
            }
            ch => {
                *i += 1;
                Atom::Char(ch)
            }
        };
        let (min, max) = parse_quantifier(c, i, pattern);
        alternatives.last_mut().expect("at least one alternative").push(Piece { atom, min, max });
    }
    alternatives
}

fn class_char(c: &[char], i: &mut usize, pattern: &str) -> char {
    if c[*i] == '\\' {
        let e = *c.get(*i + 1).unwrap_or_else(|| panic!("trailing `\\` in pattern `{pattern}`"));
        assert!(e.is_ascii_punctuation(), "escape `\\{e}` is not supported (pattern `{pattern}`)");
        *i += 2;
        e
    } else {
        *i += 1;
        c[*i - 1]
    }
}

fn parse_quantifier(c: &[char], i: &mut usize, pattern: &str) -> (usize, usize) {
    let q = match c.get(*i) {
        Some('?') => (0, 1),
        Some('*') => (0, usize::MAX),
        Some('+') => (1, usize::MAX),
        Some('{') => {
            let close =
                c[*i..].iter().position(|&x| x == '}').unwrap_or_else(|| panic!("unclosed `{{` in `{pattern}`"));
            let body: String = c[*i + 1..*i + close].iter().collect();
            let num =
                |s: &str| s.parse::<usize>().unwrap_or_else(|_| panic!("bad repetition `{{{body}}}` in `{pattern}`"));
            let q = match body.split_once(',') {
                Some((lo, hi)) => (num(lo), num(hi)),
                None => (num(&body), num(&body)),
            };
            *i += close;
            q
        }
        _ => return (1, 1),
    };
    *i += 1;
    q
}

fn match_alternatives(alts: &[Vec<Piece>], s: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    alts.iter().any(|seq| match_sequence(seq, s, pos, k))
}

fn match_sequence(seq: &[Piece], s: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match seq.split_first() {
        None => k(pos),
        Some((piece, rest)) => match_repeat(piece, 0, s, pos, &mut |p| match_sequence(rest, s, p, k)),
    }
}

/// Greedy repetition with backtracking: one more occurrence if allowed, else the rest.
fn match_repeat(piece: &Piece, count: usize, s: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    if count < piece.max
        && match_atom(&piece.atom, s, pos, &mut |p| p != pos && match_repeat(piece, count + 1, s, p, k))
    {
        return true;
    }
    count >= piece.min && k(pos)
}

fn match_atom(atom: &Atom, s: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match atom {
        Atom::Char(ch) => s.get(pos) == Some(ch) && k(pos + 1),
        Atom::Class { ranges, negated } => {
            s.get(pos).is_some_and(|ch| ranges.iter().any(|(lo, hi)| lo <= ch && ch <= hi) != *negated) && k(pos + 1)
        }
        Atom::Group(alts) => match_alternatives(alts, s, pos, k),
    }
}

#[test]
fn the_pattern_matcher_agrees_with_regular_expressions() {
    let cases = [
        ("^[A-Za-z0-9._:-]{1,3}$", "a.b", true),
        ("^[A-Za-z0-9._:-]{1,3}$", "a-b:", false),
        ("^[A-Za-z0-9._:-]{1,3}$", "", false),
        ("^[A-Za-z0-9._:-]{1,3}$", "a b", false),
        ("^[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2})$", "12.5Z", true),
        ("^[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2})$", "12-05", true),
        ("^[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2})$", "12.Z", false),
        ("^[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2})$", "12", false),
        ("^[Aa]?[- ]?([0-9][- ]?){2}[0-9]$", "A-1-2-3", true),
        ("^[Aa]?[- ]?([0-9][- ]?){2}[0-9]$", "123", true),
        ("^[Aa]?[- ]?([0-9][- ]?){2}[0-9]$", "12-", false),
        ("^[Aa]?[- ]?([0-9][- ]?){2}[0-9]$", "1234", false),
        ("^[- ]*([A-Z0-9][- ]*){2,3}$", "- A B -", true),
        ("^[- ]*([A-Z0-9][- ]*){2,3}$", "ABCD", false),
        ("^[- ]*([A-Z0-9][- ]*){2,3}$", "A", false),
        ("^ *[^ a]([^a]{0,2}[^ a])? *$", " xy ", true),
        ("^ *[^ a]([^a]{0,2}[^ a])? *$", "x  y", true),
        ("^ *[^ a]([^a]{0,2}[^ a])? *$", "x   y", false),
        ("^ *[^ a]([^a]{0,2}[^ a])? *$", "xay", false),
        ("^ *[^ a]([^a]{0,2}[^ a])? *$", "   ", false),
    ];
    for (pattern, text, expected) in cases {
        assert_eq!(Regex::new(pattern).full_match(text), expected, "`{pattern}` on `{text}`");
    }
}
