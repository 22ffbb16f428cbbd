//! One function per mode of the `falcon` binary.

pub mod dump;
