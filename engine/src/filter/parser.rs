//! The condition parser: a hand-written recursive-descent parser that follows
//! libs `filter/parser.cpp` token by token, including its backtracking quirks
//! and exact error messages (rules.md §2.1–2.3).

use super::ast::{Expr, ExprKind, Pos};
use super::escape::unescape;

/// A syntax error, at the parser cursor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// Upstream's message text.
    pub message: String,
    /// Cursor position when the error was raised.
    pub pos: Pos,
}

/// Depth limit Falco sets on its condition parser.
pub const DEFAULT_MAX_DEPTH: u32 = 1000;

const NUM_OPS: &[&str] = &["<=", "<", ">=", ">"];
/// String operators; a trailing space means "a blank must follow".
const STR_OPS: &[&str] = &[
    "==",
    "=",
    "!=",
    "glob ",
    "iglob ",
    "contains ",
    "icontains ",
    "bcontains ",
    "startswith ",
    "bstartswith ",
    "endswith ",
    "regex ",
];
const MODIFIERS: &[&str] = &["oneof ", "anyof ", "allof "];
const LIST_OPS: &[&str] = &["intersects", "in", "pmatch"];
/// Transformer keywords, each with its opening parenthesis.
pub const TRANSFORMERS: &[&str] = &[
    "tolower(",
    "toupper(",
    "b64(",
    "basename(",
    "len(",
    "join(",
    "concat(",
    "getopt(",
];

/// Every operator the grammar knows, in upstream's listing order.
pub fn supported_operators() -> Vec<&'static str> {
    let mut v = vec!["exists"];
    v.extend(NUM_OPS);
    v.extend(STR_OPS.iter().map(|s| s.trim_end()));
    v.extend(LIST_OPS);
    v
}

/// The modifier words (`oneof anyof allof`).
pub fn modifiers() -> impl Iterator<Item = &'static str> {
    MODIFIERS.iter().map(|m| m.trim_end())
}

fn quoted_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|i| format!("'{i}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn transformers_text() -> String {
    quoted_list(std::iter::once("val").chain(TRANSFORMERS.iter().map(|t| &t[..t.len() - 1])))
}

/// Parses a whole condition with Falco's depth limit.
///
/// The parser recurses like upstream's; a condition nested deeply enough
/// to approach the depth limit is parsed on a helper thread with a large
/// stack, so hostile input gives the depth error instead of overflowing
/// the caller's stack.
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    if input.bytes().filter(|c| *c == b'(').count() < DEEP_INPUT_PARENS {
        return Parser::new(input).parse();
    }
    with_big_stack(|| Parser::new(input).parse())
}

/// Inputs with this many `(` may nest deeply.
const DEEP_INPUT_PARENS: usize = 64;

/// Stack size for deep recursion (parsing, macro expansion, compiling).
pub const BIG_STACK: usize = 256 << 20;

/// Runs `f` on a scoped thread with [`BIG_STACK`] bytes of stack (falls back
/// to the current thread if the thread cannot be created).
pub fn with_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let mut f = Some(f);
    let out = std::thread::scope(|s| {
        let spawned = std::thread::Builder::new()
            .name("falcon-rules".into())
            .stack_size(BIG_STACK)
            .spawn_scoped(s, || (f.take().expect("runs once"))());
        match spawned {
            Ok(h) => h.join().ok(),
            Err(_) => None,
        }
    });
    match (out, f) {
        (Some(v), _) => v,
        (None, Some(f)) => f(),
        (None, None) => panic!("rules helper thread panicked"),
    }
}

/// Parses a field or transformer at the start of `input` (output format
/// tokens); returns the node and the number of bytes consumed.
pub fn parse_field_or_transformer(input: &str) -> Result<(Expr, usize), ParseError> {
    let mut p = Parser::new(input);
    let e = p.field_or_transformer()?;
    Ok((e, p.pos.idx))
}

/// A condition parser over one input string.
pub struct Parser<'a> {
    input: &'a [u8],
    pos: Pos,
    last: Vec<u8>,
    depth: u32,
    max_depth: u32,
}

type R<T> = Result<T, ParseError>;

fn is_letter(c: u8) -> bool {
    c.is_ascii_alphabetic()
}
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}
fn is_posix_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

impl<'a> Parser<'a> {
    /// A parser for `input`.
    pub fn new(input: &'a str) -> Parser<'a> {
        Parser {
            input: input.as_bytes(),
            pos: Pos::START,
            last: Vec::new(),
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }

    /// Sets the recursion limit.
    pub fn set_max_depth(&mut self, max: u32) {
        self.max_depth = max;
    }

    /// Parses the whole input.
    pub fn parse(&mut self) -> R<Expr> {
        if self.input.is_empty() {
            return Err(self.err("filter input string is empty".into()));
        }
        self.pos = Pos::START;
        self.last.clear();
        self.depth = 0;
        let e = self.or()?;
        if self.pos.idx != self.input.len() {
            let msg = format!(
                "unexpected token after '{}', expecting 'or', 'and'",
                self.last_text()
            );
            return Err(self.err(msg));
        }
        Ok(e)
    }

    fn err(&self, message: String) -> ParseError {
        ParseError {
            message,
            pos: self.pos,
        }
    }

    fn last_text(&self) -> String {
        String::from_utf8_lossy(&self.last).into_owned()
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth >= self.max_depth {
            return Err(self.err(format!("exceeded max depth limit of {}", self.max_depth)));
        }
        Ok(())
    }

    fn leave<T>(&mut self, r: R<T>) -> R<T> {
        self.depth -= 1;
        r
    }

    /// Runs one grammar rule one nesting level deeper, so hostile input
    /// gets the depth-limit error instead of exhausting the stack.
    fn nested<T>(&mut self, rule: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        self.enter()?;
        let r = rule(self);
        self.leave(r)
    }

    fn rest(&self) -> &'a [u8] {
        &self.input[self.pos.idx..]
    }

    fn peek(&self) -> u8 {
        self.rest().first().copied().unwrap_or(0)
    }

    fn advance(&mut self, n: usize) {
        for _ in 0..n {
            let c = self.input[self.pos.idx];
            self.pos.advance(c);
        }
    }

    /// Consumes `n` bytes as the last token.
    fn take(&mut self, n: usize) {
        self.last = self.rest()[..n].to_vec();
        self.advance(n);
    }

    // ---- lexing helpers ----

    fn lex_blank(&mut self) -> bool {
        let mut found = false;
        while matches!(self.peek(), b' ' | b'\t' | 0x08 | b'\r' | b'\n') {
            found = true;
            self.advance(1);
        }
        found
    }

    fn lex_str(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s.as_bytes()) {
            self.take(s.len());
            true
        } else {
            false
        }
    }

    fn lex_str_list(&mut self, list: &[&str]) -> bool {
        list.iter().any(|s| self.lex_str(s))
    }

    fn lex_operator_list(&mut self, list: &[&str]) -> bool {
        for op in list {
            match op.strip_suffix(' ') {
                None => {
                    if self.lex_str(op) {
                        return true;
                    }
                }
                Some(word) => {
                    let (saved_pos, saved_last) = (self.pos, self.last.clone());
                    if self.lex_str(word) {
                        if self.lex_blank() {
                            return true;
                        }
                        self.pos = saved_pos;
                        self.last = saved_last;
                    }
                }
            }
        }
        false
    }

    fn ident_len(s: &[u8]) -> usize {
        let letters = s.iter().take_while(|c| is_letter(**c)).count();
        if letters == 0 {
            return 0;
        }
        letters + s[letters..].iter().take_while(|c| is_word(**c)).count()
    }

    fn lex_identifier(&mut self) -> bool {
        let n = Self::ident_len(self.rest());
        if n > 0 {
            self.take(n);
        }
        n > 0
    }

    fn field_name_len(s: &[u8]) -> usize {
        let mut n = Self::ident_len(s);
        if n == 0 {
            return 0;
        }
        let mut segments = 0;
        while s.get(n) == Some(&b'.') {
            let seg = Self::ident_len(&s[n + 1..]);
            if seg == 0 {
                break;
            }
            n += 1 + seg;
            segments += 1;
        }
        if segments == 0 { 0 } else { n }
    }

    fn lex_field_name(&mut self) -> bool {
        let n = Self::field_name_len(self.rest());
        if n > 0 {
            self.take(n);
        }
        n > 0
    }

    fn lex_class(&mut self, excluded: impl Fn(u8) -> bool) -> bool {
        let n = self.rest().iter().take_while(|c| !excluded(**c)).count();
        if n > 0 {
            self.take(n);
        }
        n > 0
    }

    fn lex_field_arg_bare(&mut self) -> bool {
        self.lex_class(|c| matches!(c, b'[' | b']' | b'"' | b'\'') || is_posix_space(c))
    }

    fn lex_bare_str(&mut self) -> bool {
        self.lex_class(|c| {
            matches!(c, b'(' | b')' | b'"' | b'\'' | b'=' | b',') || is_posix_space(c)
        })
    }

    fn lex_hex(&mut self) -> bool {
        let s = self.rest();
        if s.len() >= 3 && s[0] == b'0' && (s[1] == b'x' || s[1] == b'X') {
            let n = s[2..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
            if n > 0 {
                self.take(2 + n);
                return true;
            }
        }
        false
    }

    fn lex_num(&mut self) -> bool {
        let s = self.rest();
        let mut n = 0;
        if matches!(s.first(), Some(b'+' | b'-')) {
            n = 1;
        }
        let digits = s[n..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        n += digits;
        if s.get(n) == Some(&b'.') {
            n += 1;
        }
        n += s[n..].iter().take_while(|c| c.is_ascii_digit()).count();
        if matches!(s.get(n), Some(b'e' | b'E')) && matches!(s.get(n + 1), Some(b'+' | b'-')) {
            let exp = s[n + 2..].iter().take_while(|c| c.is_ascii_digit()).count();
            if exp > 0 {
                n += 2 + exp;
            }
        }
        self.take(n);
        true
    }

    fn lex_not_blank(&mut self) -> bool {
        let s = self.rest();
        if s.starts_with(b"not") {
            let n = s[3..].iter().take_while(|c| is_posix_space(**c)).count();
            if n > 0 {
                self.take(3 + n);
                return true;
            }
        }
        false
    }

    /// Lexes a quoted string: scans to the next delimiter not preceded by a
    /// raw backslash, then unescapes. Unescape errors are raised after the
    /// cursor moved past the closing quote, as upstream does.
    fn lex_quoted(&mut self) -> R<bool> {
        let delim = self.peek();
        if delim != b'\'' && delim != b'"' {
            return Ok(false);
        }
        let start = self.pos;
        let mut prev = b'\\';
        self.last.clear();
        while self.pos.idx < self.input.len() && self.peek() != 0 {
            let c = self.peek();
            if c == delim && prev != b'\\' {
                self.advance(1);
                self.last.push(delim);
                let raw = std::mem::take(&mut self.last);
                return match unescape(&raw) {
                    Ok(v) => {
                        self.last = v;
                        Ok(true)
                    }
                    Err(e) => {
                        self.last = raw;
                        Err(self.err(e.to_string()))
                    }
                };
            }
            prev = c;
            self.last.push(c);
            self.advance(1);
        }
        self.pos = start;
        Ok(false)
    }

    fn lex_transformer(&mut self) -> bool {
        self.lex_str_list(TRANSFORMERS)
    }

    /// Last token without its trailing `(`.
    fn last_without_paren(&self) -> String {
        let t = self.last_text();
        t.strip_suffix('(').unwrap_or(&t).to_string()
    }

    fn value(&self, pos: Pos) -> Expr {
        Expr::new(ExprKind::Value(self.last_text()), pos)
    }

    // ---- grammar ----

    fn field_or_transformer(&mut self) -> R<Expr> {
        self.nested(|this| this.field_or_transformer_inner())
    }

    fn field_or_transformer_inner(&mut self) -> R<Expr> {
        let pos = self.pos;
        if self.lex_field_name() {
            return self.field_remainder(pos);
        }
        if self.lex_transformer() {
            self.lex_blank();
            let name = self.last_without_paren();
            return self.transformer_remainder(name, pos);
        }
        Err(self.err(format!("unexpected token after '{}", self.last_text())))
    }

    fn or(&mut self) -> R<Expr> {
        self.nested(|this| this.logical(true))
    }

    fn and(&mut self) -> R<Expr> {
        self.nested(|this| this.logical(false))
    }

    fn logical(&mut self, is_or: bool) -> R<Expr> {
        let pos = self.pos;
        let kw = if is_or { "or" } else { "and" };
        let mut children = Vec::new();
        self.lex_blank();
        children.push(if is_or { self.and()? } else { self.not()? });
        self.lex_blank();
        while self.lex_str(kw) {
            let child = if !self.lex_blank() {
                if self.lex_str("(") {
                    self.embedded_remainder()?
                } else {
                    return Err(self.err(format!("expected blank or '(' after '{kw}'")));
                }
            } else if is_or {
                self.and()?
            } else {
                self.not()?
            };
            children.push(child);
            self.lex_blank();
        }
        if children.len() == 1 {
            return Ok(children.pop().expect("one child"));
        }
        let kind = if is_or {
            ExprKind::Or(children)
        } else {
            ExprKind::And(children)
        };
        Ok(Expr::new(kind, pos))
    }

    fn not(&mut self) -> R<Expr> {
        self.nested(|this| this.not_inner())
    }

    fn not_inner(&mut self) -> R<Expr> {
        let pos = self.pos;
        let mut negate = false;
        self.lex_blank();
        while self.lex_not_blank() {
            negate = !negate;
        }
        let child = if self.lex_str("not(") {
            negate = !negate;
            self.embedded_remainder()?
        } else {
            self.check()?
        };
        Ok(if negate {
            Expr::new(ExprKind::Not(Box::new(child)), pos)
        } else {
            child
        })
    }

    fn embedded_remainder(&mut self) -> R<Expr> {
        self.nested(|this| {
            this.lex_blank();
            let child = this.or()?;
            this.lex_blank();
            if !this.lex_str(")") {
                return Err(this.err("expected a ')' token".into()));
            }
            Ok(child)
        })
    }

    fn check(&mut self) -> R<Expr> {
        self.nested(|this| this.check_inner())
    }

    fn check_inner(&mut self) -> R<Expr> {
        let pos = self.pos;
        self.lex_blank();
        if self.lex_str("(") {
            return self.embedded_remainder();
        }
        if self.lex_field_name() {
            let left = self.field_remainder(pos)?;
            return self.condition(left, pos);
        }
        if self.lex_transformer() {
            self.lex_blank();
            let name = self.last_without_paren();
            let left = self.transformer_remainder(name, pos)?;
            return self.condition(left, pos);
        }
        if self.lex_identifier() {
            return Ok(Expr::new(ExprKind::Ident(self.last_text()), pos));
        }
        Err(self.err("expected a '(' token, a field check, or an identifier".into()))
    }

    fn field_remainder(&mut self, pos: Pos) -> R<Expr> {
        self.nested(|this| {
            let name = this.last_text();
            let arg = this.optional_field_arg()?;
            Ok(Expr::new(ExprKind::Field { name, arg }, pos))
        })
    }

    fn optional_field_arg(&mut self) -> R<Option<String>> {
        if !self.lex_str("[") {
            return Ok(None);
        }
        if !self.lex_quoted()? && !self.lex_field_arg_bare() {
            return Err(self
                .err("expected a valid field argument: a quoted string or a bare string".into()));
        }
        let arg = self.last_text();
        if !self.lex_str("]") {
            return Err(self.err("expected a ']' token".into()));
        }
        Ok(Some(arg))
    }

    fn transformer_remainder(&mut self, name: String, pos: Pos) -> R<Expr> {
        self.nested(|this| {
            this.lex_blank();
            let mut args = Vec::new();
            loop {
                let p = this.pos;
                args.push(this.transformer_arg(p)?);
                this.lex_blank();
                if !this.lex_str(",") {
                    break;
                }
            }
            this.lex_blank();
            if !this.lex_str(")") {
                return Err(this.err("expected a ')' token closing the transformer".into()));
            }
            let arg = this.optional_field_arg()?;
            Ok(Expr::new(ExprKind::Transformer { name, args, arg }, pos))
        })
    }

    fn transformer_arg(&mut self, pos: Pos) -> R<Expr> {
        self.nested(|this| {
            this.lex_blank();
            if this.lex_hex() || this.lex_num() {
                return Ok(this.value(pos));
            }
            if this.lex_quoted()? {
                return Ok(this.value(pos));
            }
            if this.lex_str("(") {
                return this.transformer_list(pos);
            }
            if this.lex_transformer() {
                let name = this.last_without_paren();
                return this.transformer_remainder(name, pos);
            }
            if this.lex_field_name() {
                return this.field_remainder(pos);
            }
            Err(this.err(
                "expected field transformer argument: field, transformer, quoted string, number, or transformer list"
                    .into(),
            ))
        })
    }

    fn transformer_list(&mut self, pos: Pos) -> R<Expr> {
        let mut items = Vec::new();
        self.lex_blank();
        if self.lex_str(")") {
            return Ok(Expr::new(ExprKind::TransformerList(items), pos));
        }
        items.push(self.transformer_list_arg(pos)?);
        self.lex_blank();
        while self.lex_str(",") {
            self.lex_blank();
            items.push(self.transformer_list_arg(pos)?);
            self.lex_blank();
        }
        if !self.lex_str(")") {
            return Err(self.err("expected ')'".into()));
        }
        Ok(Expr::new(ExprKind::TransformerList(items), pos))
    }

    fn transformer_list_arg(&mut self, pos: Pos) -> R<Expr> {
        if self.lex_field_name() {
            return self.field_remainder(pos);
        }
        if self.lex_transformer() {
            self.lex_blank();
            let name = self.last_without_paren();
            return self.transformer_remainder(name, pos);
        }
        if self.lex_quoted()? {
            return Ok(self.value(pos));
        }
        if self.lex_hex() || self.lex_num() {
            return Ok(self.value(pos));
        }
        Err(self.err(
            "expected transformer list argument: field, transformer, quoted string, or number"
                .into(),
        ))
    }

    fn condition(&mut self, left: Expr, pos: Pos) -> R<Expr> {
        self.nested(|this| this.condition_inner(left, pos))
    }

    fn condition_inner(&mut self, left: Expr, pos: Pos) -> R<Expr> {
        self.lex_blank();
        if self.lex_str("exists") {
            let kind = ExprKind::Unary {
                lhs: Box::new(left),
                op: "exists".into(),
            };
            return Ok(Expr::new(kind, pos));
        }
        self.lex_blank();
        let (op, rhs) = if self.lex_operator_list(NUM_OPS) {
            let op = self.last_text();
            (op, self.num_value_or_transformer()?)
        } else if self.lex_operator_list(STR_OPS) {
            let op = self.last_text();
            let had_blank = op.as_bytes()[0].is_ascii_alphabetic() || self.lex_blank();
            let (saved_pos, saved_last) = (self.pos, self.last.clone());
            if had_blank
                && self.lex_operator_list(MODIFIERS)
                && self.list_value_follows()
                && !self.bool_keyword_follows()
            {
                let op = format!("{} {}", op.trim(), self.last_text());
                (op, self.list_value()?)
            } else {
                self.pos = saved_pos;
                self.last = saved_last;
                (op, self.str_value_or_transformer(false)?)
            }
        } else if self.lex_operator_list(LIST_OPS) {
            let op = self.last_text();
            (op, self.list_value_or_transformer()?)
        } else {
            return Err(self.err(format!(
                "expected a valid check operator: one of {}",
                quoted_list(supported_operators().into_iter())
            )));
        };
        let kind = ExprKind::Binary {
            lhs: Box::new(left),
            op: op.trim().to_string(),
            rhs: Box::new(rhs),
        };
        Ok(Expr::new(kind, pos))
    }

    fn list_value_follows(&mut self) -> bool {
        if self.peek() == b'(' {
            return true;
        }
        Self::ident_len(self.rest()) > 0
    }

    fn bool_keyword_follows(&self) -> bool {
        let s = self.rest();
        ["and", "or", "not"].iter().any(|kw| {
            s.starts_with(kw.as_bytes())
                && s.get(kw.len()).is_none_or(|c| !c.is_ascii_alphanumeric())
        })
    }

    fn num_value_or_transformer(&mut self) -> R<Expr> {
        self.nested(|this| {
            this.lex_blank();
            let pos = this.pos;
            if let Some(e) = this.try_transformer_or_val()? {
                return Ok(e);
            }
            if this.lex_hex() || this.lex_num() {
                return Ok(this.value(pos));
            }
            Err(this.err(format!(
                "expected a number value or a field with a valid transformer: {}",
                transformers_text()
            )))
        })
    }

    fn str_value_or_transformer(&mut self, no_transformer: bool) -> R<Expr> {
        self.nested(|this| {
            this.lex_blank();
            let pos = this.pos;
            if !no_transformer && let Some(e) = this.try_transformer_or_val()? {
                return Ok(e);
            }
            if this.lex_quoted()? || this.lex_bare_str() {
                return Ok(this.value(pos));
            }
            if no_transformer {
                return Err(this.err("expected a string value".into()));
            }
            Err(this.err(format!(
                "expected a string value or a field with a valid transformer: {}",
                transformers_text()
            )))
        })
    }

    fn try_list(&mut self) -> R<Option<Expr>> {
        let pos = self.pos;
        if !self.lex_str("(") {
            return Ok(None);
        }
        let mut values = Vec::new();
        self.lex_blank();
        // Upstream swallows any error of the first element: the list is then
        // expected to be empty.
        if self.str_value_or_transformer(true).is_ok() {
            values.push(self.last_text());
            self.lex_blank();
            while self.lex_str(",") {
                self.str_value_or_transformer(true)?;
                values.push(self.last_text());
                self.lex_blank();
            }
        }
        if !self.lex_str(")") {
            return Err(self.err("expected a ')' token".into()));
        }
        Ok(Some(Expr::new(ExprKind::List(values), pos)))
    }

    fn list_value(&mut self) -> R<Expr> {
        self.nested(|this| {
            this.lex_blank();
            let pos = this.pos;
            if let Some(e) = this.try_list()? {
                return Ok(e);
            }
            if this.lex_identifier() {
                return Ok(this.value(pos));
            }
            Err(this.err("expected a list or an identifier".into()))
        })
    }

    fn list_value_or_transformer(&mut self) -> R<Expr> {
        self.nested(|this| {
            this.lex_blank();
            let pos = this.pos;
            if let Some(e) = this.try_list()? {
                return Ok(e);
            }
            if let Some(e) = this.try_transformer_or_val()? {
                return Ok(e);
            }
            if this.lex_identifier() {
                return Ok(this.value(pos));
            }
            Err(this.err(format!(
                "expected a list, an identifier, or a field with a valid transformer: {}",
                transformers_text()
            )))
        })
    }

    fn try_transformer_or_val(&mut self) -> R<Option<Expr>> {
        self.nested(|this| {
            this.lex_blank();
            let pos = this.pos;
            if this.lex_str("val(") {
                this.lex_blank();
                let field_pos = this.pos;
                if !this.lex_field_name() {
                    return Err(this.err("expected a field within 'val' transformer".into()));
                }
                let child = this.field_remainder(field_pos)?;
                this.lex_blank();
                if !this.lex_str(")") {
                    return Err(this.err("expected a ')' token closing the transformer".into()));
                }
                let arg = this.optional_field_arg()?;
                let kind = ExprKind::Transformer {
                    name: "val".into(),
                    args: vec![child],
                    arg,
                };
                return Ok(Some(Expr::new(kind, pos)));
            }
            if this.lex_transformer() {
                this.lex_blank();
                let name = this.last_without_paren();
                return this.transformer_remainder(name, pos).map(Some);
            }
            Ok(None)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(c: &str) -> String {
        parse(c).unwrap().as_string()
    }

    #[test]
    fn precedence_and_flattening() {
        assert_eq!(s("a and b or c and d"), "((a and b) or (c and d))");
        assert_eq!(s("a and b and c"), "(a and b and c)");
        assert_eq!(s("not not a"), "a");
        assert_eq!(s("not a and b"), "(not a and b)");
    }

    #[test]
    fn checks() {
        assert_eq!(s("proc.name=bash"), "proc.name = bash");
        assert_eq!(s("proc.name in(a, 'b c')"), "proc.name in (a, \"b c\")");
        assert_eq!(s("proc.aname[2] exists"), "proc.aname[2] exists");
        assert_eq!(
            s("proc.name startswith oneof (a,b)"),
            "proc.name startswith oneof (a, b)"
        );
        assert_eq!(s("proc.name = oneof and x"), "(proc.name = oneof and x)");
        assert_eq!(
            s("tolower(proc.name) = val(proc.pname)"),
            "tolower(proc.name) = val(proc.pname)"
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse("").unwrap_err().message,
            "filter input string is empty"
        );
        assert_eq!(
            parse("a.b=1 andx").unwrap_err().message,
            "expected blank or '(' after 'and'"
        );
        let e = parse("a.b = 1 )").unwrap_err();
        assert_eq!(
            e.message,
            "unexpected token after '1', expecting 'or', 'and'"
        );
        assert_eq!(e.pos.idx, 8);
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        // runs on a test thread (2 MiB stack by default)
        let deep = format!("{}a.b = 1{}", "(".repeat(5000), ")".repeat(5000));
        let e = parse(&deep).unwrap_err();
        assert_eq!(e.message, "exceeded max depth limit of 1000");
        let ok = format!("{}a.b = 1{}", "(".repeat(150), ")".repeat(150));
        let ast = parse(&ok).unwrap();
        assert_eq!(ast.as_string(), "a.b = 1");
        let nots = format!("{}a.b = 1", "not ".repeat(5001));
        assert_eq!(parse(&nots).unwrap().as_string(), "not a.b = 1");
    }
}
