//! Falco's condition language: parsing to an AST, compiling against a field
//! source, and evaluating with no allocation per event.

pub mod ast;
pub mod compile;
pub mod dns;
pub mod escape;
mod eval;
pub mod evttypes;
pub mod fields_api;
pub mod glob;
pub mod parser;
pub mod syscall;
pub mod value;

pub use ast::{Expr, ExprKind, Pos};
pub use compile::{CompileError, CompileWarning, Filter, compile};
pub use fields_api::{FieldMeta, FieldSource};
pub use parser::{ParseError, parse};
pub use value::{FieldType, Value, Values};
