//! falcon's engine: configuration, rules, fields, process/fd state, outputs
//! and the main loop. The `falcon` binary (`main.rs`) is a thin layer on top.

pub mod app;
pub mod cli;
pub mod config;
pub mod fields;
pub mod filter;
pub mod format;
pub mod outputs;
pub mod rules;
pub mod state;
