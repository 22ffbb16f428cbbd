//! Value types come from the field registry (`engine::fields`).

pub use crate::fields::{FieldType, Value, Values};
