//! The condition AST (libs `filter/ast.h` node kinds) with source positions,
//! and its canonical string form (`condition_compiled` in `-L` output).

use super::escape::escape;

/// A position in a condition string: 0-based byte offset, 1-based line and
/// column. Every `\r` or `\n` starts a new line, as upstream counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Byte offset from the start of the condition.
    pub idx: usize,
    /// Line, starting at 1.
    pub line: usize,
    /// Column, starting at 1.
    pub col: usize,
}

impl Pos {
    /// The start of a string.
    pub const START: Pos = Pos {
        idx: 0,
        line: 1,
        col: 1,
    };

    /// Advances over one byte.
    pub fn advance(&mut self, c: u8) {
        self.col += 1;
        if c == b'\r' || c == b'\n' {
            self.col = 1;
            self.line += 1;
        }
        self.idx += 1;
    }
}

/// One node of a condition tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it starts in the condition text.
    pub pos: Pos,
}

/// The node kinds of the condition language.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// n-ary conjunction (one precedence level flattened).
    And(Vec<Expr>),
    /// n-ary disjunction.
    Or(Vec<Expr>),
    /// Negation.
    Not(Box<Expr>),
    /// A bare identifier: a macro reference.
    Ident(String),
    /// `lhs exists`.
    Unary {
        /// Field or transformer.
        lhs: Box<Expr>,
        /// Operator text (`exists`).
        op: String,
    },
    /// `lhs op rhs`.
    Binary {
        /// Field or transformer.
        lhs: Box<Expr>,
        /// Operator text, with modifier when there is one (`startswith oneof`).
        op: String,
        /// Value, list, field transformer or `val()`.
        rhs: Box<Expr>,
    },
    /// A literal value (already unescaped).
    Value(String),
    /// A literal list of values.
    List(Vec<String>),
    /// A field with an optional `[argument]`.
    Field {
        /// Field name, e.g. `proc.aname`.
        name: String,
        /// Text between the brackets.
        arg: Option<String>,
    },
    /// A transformer (`tolower(…)`, `val(…)`, …) with an optional `[argument]`.
    Transformer {
        /// Transformer name (`val` included).
        name: String,
        /// Arguments.
        args: Vec<Expr>,
        /// Text between the brackets after the closing parenthesis.
        arg: Option<String>,
    },
    /// A parenthesised transformer argument list.
    TransformerList(Vec<Expr>),
}

impl Expr {
    /// Makes a node.
    pub fn new(kind: ExprKind, pos: Pos) -> Expr {
        Expr { kind, pos }
    }

    /// The canonical string form (libs `ast::as_string`).
    pub fn as_string(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    fn write(&self, s: &mut String) {
        match &self.kind {
            ExprKind::And(c) => write_logical(s, "and", c),
            ExprKind::Or(c) => write_logical(s, "or", c),
            ExprKind::Not(c) => {
                s.push_str("not ");
                c.write(s);
            }
            ExprKind::Ident(i) => s.push_str(i),
            ExprKind::Unary { lhs, op } => {
                lhs.write(s);
                s.push(' ');
                s.push_str(op);
            }
            ExprKind::Binary { lhs, op, rhs } => {
                lhs.write(s);
                s.push(' ');
                s.push_str(op);
                s.push(' ');
                rhs.write(s);
            }
            ExprKind::Value(v) => s.push_str(&escape(v)),
            ExprKind::List(vals) => {
                s.push('(');
                for (i, v) in vals.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    s.push_str(&escape(v));
                }
                s.push(')');
            }
            ExprKind::Field { name, arg } => {
                s.push_str(name);
                write_arg(s, arg);
            }
            ExprKind::Transformer { name, args, arg } => {
                s.push_str(name);
                s.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    a.write(s);
                }
                s.push(')');
                write_arg(s, arg);
            }
            ExprKind::TransformerList(items) => {
                s.push('(');
                for (i, a) in items.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    a.write(s);
                }
                s.push(')');
            }
        }
    }

    /// Calls `f` on this node and every node below it, parents first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::And(c) | ExprKind::Or(c) | ExprKind::TransformerList(c) => {
                c.iter().for_each(|e| e.walk(f))
            }
            ExprKind::Not(c) => c.walk(f),
            ExprKind::Unary { lhs, .. } => lhs.walk(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::Transformer { args, .. } => args.iter().for_each(|e| e.walk(f)),
            ExprKind::Ident(_)
            | ExprKind::Value(_)
            | ExprKind::List(_)
            | ExprKind::Field { .. } => {}
        }
    }
}

fn write_logical(s: &mut String, op: &str, children: &[Expr]) {
    s.push('(');
    for (i, c) in children.iter().enumerate() {
        if i > 0 {
            s.push(' ');
            s.push_str(op);
            s.push(' ');
        }
        c.write(s);
    }
    s.push(')');
}

fn write_arg(s: &mut String, arg: &Option<String>) {
    if let Some(a) = arg {
        s.push('[');
        if a.is_empty() {
            s.push_str("\"\"");
        } else {
            s.push_str(&escape(a));
        }
        s.push(']');
    }
}
