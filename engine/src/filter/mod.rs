//! Falco's condition language: parsing to an AST, compiling against a field
//! registry, and evaluating with no allocation per event.

pub mod ast;
pub mod escape;
pub mod parser;

pub use ast::{Expr, ExprKind, Pos};
pub use parser::{ParseError, parse};
