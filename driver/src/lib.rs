//! falcon's event sources.
//!
//! Everything that produces events lives here: the shared kernel/user ABI
//! ([`abi`]), a zero-copy view of one event ([`event`]), and (as they land)
//! the `.scap` reader and writer, the eBPF probe loader and the kernel-module
//! ring reader. This crate knows nothing of rules or state.

pub mod abi;
pub mod bpf;
pub mod event;
pub mod kmod;
pub mod proc_scan;
pub mod scap;
pub mod stream;
