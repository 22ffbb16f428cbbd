//! `evt.*` fields: the event itself (libsinsp's gen_event and event
//! classes).

use super::params::{self, errno_name};
use super::time;
use super::{
    Arg, ArgKind, ArgRule, Display, FieldClass, FieldError, FieldFlags, FieldInfo, FieldType,
    Values,
};
use crate::state::ctx::{int_i64, int_u64, trim_nul};
use crate::state::{
    EvalCtx, FdType, PPM_O_F_CREATED, PPM_O_RDONLY, PPM_O_TMPFILE, PPM_O_WRONLY, PPM_S_IXGRP,
    PPM_S_IXOTH, PPM_S_IXUSR,
};
use falcon_driver::abi::{self, Direction, ParamType};
use std::fmt::Write as _;

pub(super) static FIELDS: &[FieldInfo] = &[
    FieldInfo::new(
        "evt.latency",
        FieldType::Reltime,
        FieldFlags::DEPRECATED,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Deprecated. Time between an exit event and its matching enter event, in ns.",
    ),
    FieldInfo::new(
        "evt.latency.s",
        FieldType::Reltime,
        FieldFlags::DEPRECATED,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Deprecated. Whole-second part of evt.latency.",
    ),
    FieldInfo::new(
        "evt.latency.ns",
        FieldType::Reltime,
        FieldFlags::DEPRECATED,
        ArgRule::NONE,
        Display::PaddedDec,
        FieldClass::Event,
        "Deprecated. Sub-second part of evt.latency, in ns.",
    ),
    FieldInfo::new(
        "evt.latency.quantized",
        FieldType::Uint64,
        FieldFlags(FieldFlags::TABLE_ONLY.0 | FieldFlags::DEPRECATED.0),
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Deprecated; table-only. Base-10 logarithm of the enter-to-exit latency.",
    ),
    FieldInfo::new(
        "evt.latency.human",
        FieldType::Charbuf,
        FieldFlags::DEPRECATED,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "Deprecated. Enter-to-exit latency as readable text (e.g. 10.3ms).",
    ),
    FieldInfo::new(
        "evt.deltatime",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Time since the previous event, in ns.",
    ),
    FieldInfo::new(
        "evt.deltatime.s",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Whole-second part of evt.deltatime.",
    ),
    FieldInfo::new(
        "evt.deltatime.ns",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::PaddedDec,
        FieldClass::Event,
        "Sub-second part of evt.deltatime, in ns.",
    ),
    FieldInfo::new(
        "evt.outputtime",
        FieldType::Charbuf,
        FieldFlags::PRINT_ONLY,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "Print-only. Event time in the format chosen by the -t option; default is the same as %evt.time (mode 'h').",
    ),
    FieldInfo::new(
        "evt.dir",
        FieldType::Charbuf,
        FieldFlags::DEPRECATED,
        ArgRule::NONE,
        Display::Dir,
        FieldClass::Event,
        "Deprecated. Event direction: '>' for enter events, '<' for exit events.",
    ),
    FieldInfo::new(
        "evt.type",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "Event name, e.g. open.",
    ),
    FieldInfo::new(
        "evt.type.is",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::required(ArgKind::Key).dotted(),
        Display::Na,
        FieldClass::Event,
        "Argument (required) is an event name, written evt.type.is.open; value is 1 when the event has that type, else 0.",
    ),
    FieldInfo::new(
        "syscall.type",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "For syscall events, the syscall name (e.g. open); not set for other events (switch, internal). Use it to be sure the value really is a syscall.",
    ),
    FieldInfo::new(
        "evt.category",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "Event category, e.g. file (open, close), net (socket, bind), memory (brk, mmap), and others.",
    ),
    FieldInfo::new(
        "evt.cpu",
        FieldType::Int16,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Event,
        "Number of the CPU on which the event happened.",
    ),
    FieldInfo::new(
        "evt.args",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "All event parameters joined into one string.",
    ),
    FieldInfo::new(
        "evt.arg",
        FieldType::Charbuf,
        FieldFlags::NO_PTR_STABILITY,
        ArgRule::required(ArgKind::IndexOrName).dotted(),
        Display::Na,
        FieldClass::Event,
        "One event parameter, by name (evt.arg.fd) or by index (evt.arg[0]). Values such as return codes and fds are rendered as text where possible.",
    ),
    FieldInfo::new(
        "evt.rawarg",
        FieldType::Dyn,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::required(ArgKind::IndexOrName).dotted(),
        Display::Na,
        FieldClass::Event,
        "One event parameter by name (evt.rawarg.fd), raw; its type comes from the event table.",
    ),
    FieldInfo::new(
        "evt.info",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "Currently the same value as evt.args.",
    ),
    FieldInfo::new(
        "evt.buffer",
        FieldType::Bytebuf,
        FieldFlags::NO_PTR_STABILITY,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "Binary data buffer of events that carry one (read, recvfrom, ...); search it with contains.",
    ),
    FieldInfo::new(
        "evt.buflen",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Length of the evt.buffer data buffer.",
    ),
    FieldInfo::new(
        "evt.res",
        FieldType::Charbuf,
        FieldFlags::NO_PTR_STABILITY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Return value as a string: the error code name (e.g. ENOENT) when the event failed, otherwise SUCCESS.",
    ),
    FieldInfo::new(
        "evt.rawres",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Return value as a number (e.g. -2); suited to range comparisons.",
    ),
    FieldInfo::new(
        "evt.failed",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "true when the event returned an error status.",
    ),
    FieldInfo::new(
        "evt.is_io",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "true for events that read from or write to fds (read, send, recvfrom, ...).",
    ),
    FieldInfo::new(
        "evt.is_io_read",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "true for events that read from fds (read, recv, recvfrom, ...).",
    ),
    FieldInfo::new(
        "evt.is_io_write",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "true for events that write to fds (write, send, ...).",
    ),
    FieldInfo::new(
        "evt.io_dir",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "r for events that read from fds, w for events that write to fds.",
    ),
    FieldInfo::new(
        "evt.is_wait",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "true for events that make the thread wait (sleep, select, poll).",
    ),
    FieldInfo::new(
        "evt.wait_latency",
        FieldType::Reltime,
        FieldFlags::DEPRECATED,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Deprecated. For waiting events (sleep, select, poll), time spent waiting for the return, in ns.",
    ),
    FieldInfo::new(
        "evt.is_syslog",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "true for events that are writes to /dev/log.",
    ),
    FieldInfo::new(
        "evt.count",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Always 1.",
    ),
    FieldInfo::new(
        "evt.count.error",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "1 for events that returned an error.",
    ),
    FieldInfo::new(
        "evt.count.error.file",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "1 for events that returned an error and relate to file I/O.",
    ),
    FieldInfo::new(
        "evt.count.error.net",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "1 for events that returned an error and relate to network I/O.",
    ),
    FieldInfo::new(
        "evt.count.error.memory",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "1 for events that returned an error and relate to memory allocation.",
    ),
    FieldInfo::new(
        "evt.count.error.other",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "1 for events that returned an error and fall in none of the three categories above.",
    ),
    FieldInfo::new(
        "evt.count.exit",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "1 for exit events.",
    ),
    FieldInfo::new(
        "evt.count.procinfo",
        FieldType::Uint32,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Table-only. 1 for procinfo events generated by process main threads.",
    ),
    FieldInfo::new(
        "evt.count.threadinfo",
        FieldType::Uint32,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Table-only. 1 for procinfo events.",
    ),
    FieldInfo::new(
        "evt.around",
        FieldType::Uint64,
        FieldFlags(FieldFlags::FILTER_ONLY.0 | FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::required(ArgKind::Index),
        Display::Dec,
        FieldClass::Event,
        "Filter-only. Form evt.around[T]=D: accepts events within D milliseconds before or after time T, where T is an %evt.rawtime value; e.g. evt.around[1404996934793590564]=1000 keeps a two-second window.",
    ),
    FieldInfo::new(
        "evt.abspath",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::required(ArgKind::Key),
        Display::Na,
        FieldClass::Event,
        "Absolute path computed from dirfd and name for syscalls such as renameat and symlinkat; evt.abspath.src and evt.abspath.dst select the path for syscalls with two paths.",
    ),
    FieldInfo::new(
        "evt.buflen.in",
        FieldType::Uint64,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Table-only. Data buffer length, input I/O events only.",
    ),
    FieldInfo::new(
        "evt.buflen.out",
        FieldType::Uint64,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Table-only. Data buffer length, output I/O events only.",
    ),
    FieldInfo::new(
        "evt.buflen.file",
        FieldType::Uint64,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Table-only. Data buffer length, file I/O events only.",
    ),
    FieldInfo::new(
        "evt.buflen.file.in",
        FieldType::Uint64,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Table-only. Data buffer length, input file I/O events only.",
    ),
    FieldInfo::new(
        "evt.buflen.file.out",
        FieldType::Uint64,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Table-only. Data buffer length, output file I/O events only.",
    ),
    FieldInfo::new(
        "evt.buflen.net",
        FieldType::Uint64,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Table-only. Data buffer length, network I/O events only.",
    ),
    FieldInfo::new(
        "evt.buflen.net.in",
        FieldType::Uint64,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Table-only. Data buffer length, input network I/O events only.",
    ),
    FieldInfo::new(
        "evt.buflen.net.out",
        FieldType::Uint64,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Event,
        "Table-only. Data buffer length, output network I/O events only.",
    ),
    FieldInfo::new(
        "evt.is_open_read",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "true for open/openat/openat2/open_by_handle_at events that opened the path for reading.",
    ),
    FieldInfo::new(
        "evt.is_open_write",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "true for open/openat/openat2/open_by_handle_at events that opened the path for writing.",
    ),
    FieldInfo::new(
        "evt.infra.docker.name",
        FieldType::Charbuf,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "Table-only. For docker infrastructure events, the event name.",
    ),
    FieldInfo::new(
        "evt.infra.docker.container.id",
        FieldType::Charbuf,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "Table-only. For docker infrastructure events, id of the affected container.",
    ),
    FieldInfo::new(
        "evt.infra.docker.container.name",
        FieldType::Charbuf,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "Table-only. For docker infrastructure events, name of the affected container.",
    ),
    FieldInfo::new(
        "evt.infra.docker.container.image",
        FieldType::Charbuf,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "Table-only. For docker infrastructure events, image name of the affected container.",
    ),
    FieldInfo::new(
        "evt.is_open_exec",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "true for open/openat/openat2/open_by_handle_at or creat events that create a file with execute permission.",
    ),
    FieldInfo::new(
        "evt.is_open_create",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Event,
        "true for open/openat/openat2/open_by_handle_at events that create a file.",
    ),
    FieldInfo::new(
        "evt.num",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::GenEvent,
        "Event number.",
    ),
    FieldInfo::new(
        "evt.time",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "Event time as a time-of-day string with nanoseconds.",
    ),
    FieldInfo::new(
        "evt.time.s",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "Event time as a time-of-day string without nanoseconds.",
    ),
    FieldInfo::new(
        "evt.time.iso8601",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "Event time in ISO 8601, with nanoseconds and UTC zone offset.",
    ),
    FieldInfo::new(
        "evt.datetime",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "Event time as a string including the date.",
    ),
    FieldInfo::new(
        "evt.datetime.s",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "Event time as a date-time string without nanoseconds.",
    ),
    FieldInfo::new(
        "evt.rawtime",
        FieldType::Abstime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::GenEvent,
        "Absolute event time: ns since the epoch.",
    ),
    FieldInfo::new(
        "evt.rawtime.s",
        FieldType::Abstime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::GenEvent,
        "Whole-second part of the event time (seconds since the epoch).",
    ),
    FieldInfo::new(
        "evt.rawtime.ns",
        FieldType::Abstime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::PaddedDec,
        FieldClass::GenEvent,
        "Sub-second part of the absolute event time.",
    ),
    FieldInfo::new(
        "evt.reltime",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::PaddedDec,
        FieldClass::GenEvent,
        "ns since the start of the capture.",
    ),
    FieldInfo::new(
        "evt.reltime.s",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::GenEvent,
        "Seconds since the start of the capture.",
    ),
    FieldInfo::new(
        "evt.reltime.ns",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::PaddedDec,
        FieldClass::GenEvent,
        "Sub-second part (ns) of the time since the start of the capture.",
    ),
    FieldInfo::new(
        "evt.pluginname",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "For events from a plugin-defined source, the name of the plugin that produced it (the plugin must be loaded).",
    ),
    FieldInfo::new(
        "evt.plugininfo",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "For events from a plugin-defined source, the plugin's own summary of the event (the plugin must be loaded).",
    ),
    FieldInfo::new(
        "evt.source",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "Name of the source that produced the event.",
    ),
    FieldInfo::new(
        "evt.is_async",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "true for asynchronous events, false otherwise.",
    ),
    FieldInfo::new(
        "evt.asynctype",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "For asynchronous events, their type (e.g. container).",
    ),
    FieldInfo::new(
        "evt.hostname",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::GenEvent,
        "Host name; can be overridden by an environment variable (FALCO_HOSTNAME for Falco), e.g. set to the Kubernetes spec.nodeName in DaemonSets (which usually includes the cluster name).",
    ),
];

/// What an `evt.*` field extracts.
#[derive(Debug, Clone, Copy)]
pub(super) enum F {
    Num,
    Time { date: bool, ns: bool },
    TimeIso,
    RawTime,
    RawTimeS,
    RawTimeNs,
    RelTime,
    RelTimeS,
    RelTimeNs,
    Hostname,
    Source,
    IsAsync,
    AsyncType,
    Dir,
    Type,
    TypeIs(u16),
    SyscallType,
    Category,
    Cpu,
    Args,
    Arg,
    RawArg,
    Buffer,
    Buflen,
    Res,
    RawRes,
    Failed,
    IsIo,
    IsIoRead,
    IsIoWrite,
    IoDir,
    IsWait,
    IsSyslog,
    Count,
    CountError,
    CountErrorFile,
    CountErrorNet,
    CountErrorMemory,
    CountErrorOther,
    CountExit,
    IsOpenRead,
    IsOpenWrite,
    IsOpenExec,
    IsOpenCreate,
    LatencyZero,
    LatencyHuman,
    NoPlugin,
}

pub(super) fn bind(info: &'static FieldInfo, arg: &Arg) -> Result<F, FieldError> {
    Ok(match info.name {
        "evt.num" => F::Num,
        "evt.time" => F::Time {
            date: false,
            ns: true,
        },
        "evt.time.s" => F::Time {
            date: false,
            ns: false,
        },
        "evt.datetime" => F::Time {
            date: true,
            ns: true,
        },
        "evt.datetime.s" => F::Time {
            date: true,
            ns: false,
        },
        "evt.time.iso8601" => F::TimeIso,
        "evt.rawtime" => F::RawTime,
        "evt.rawtime.s" => F::RawTimeS,
        "evt.rawtime.ns" => F::RawTimeNs,
        "evt.reltime" => F::RelTime,
        "evt.reltime.s" => F::RelTimeS,
        "evt.reltime.ns" => F::RelTimeNs,
        "evt.hostname" => F::Hostname,
        "evt.source" => F::Source,
        "evt.is_async" => F::IsAsync,
        "evt.asynctype" => F::AsyncType,
        "evt.dir" => F::Dir,
        "evt.type" => F::Type,
        "evt.type.is" => {
            let Arg::Key(k) = arg else {
                return Err(FieldError::ArgRequired(info.name.into()));
            };
            let code = match k.parse::<u16>() {
                Ok(n) => n,
                Err(_) => abi::EVENT_TABLE
                    .iter()
                    .find(|e| e.name == &**k)
                    .map(|e| e.code)
                    .ok_or_else(|| FieldError::BadArg {
                        name: info.name.into(),
                        arg: k.to_string(),
                        reason: "unknown event type",
                    })?,
            };
            F::TypeIs(code)
        }
        "syscall.type" => F::SyscallType,
        "evt.category" => F::Category,
        "evt.cpu" => F::Cpu,
        "evt.args" | "evt.info" => F::Args,
        "evt.arg" | "evt.rawarg" => {
            if let Arg::Key(k) = arg
                && !abi::EVENT_TABLE
                    .iter()
                    .any(|e| e.params.iter().any(|p| p.name == &**k))
            {
                return Err(FieldError::UnknownEventArg(k.to_string()));
            }
            if info.name == "evt.arg" {
                F::Arg
            } else {
                F::RawArg
            }
        }
        "evt.buffer" => F::Buffer,
        "evt.buflen" => F::Buflen,
        "evt.res" => F::Res,
        "evt.rawres" => F::RawRes,
        "evt.failed" => F::Failed,
        "evt.is_io" => F::IsIo,
        "evt.is_io_read" => F::IsIoRead,
        "evt.is_io_write" => F::IsIoWrite,
        "evt.io_dir" => F::IoDir,
        "evt.is_wait" => F::IsWait,
        "evt.is_syslog" => F::IsSyslog,
        "evt.count" => F::Count,
        "evt.count.error" => F::CountError,
        "evt.count.error.file" => F::CountErrorFile,
        "evt.count.error.net" => F::CountErrorNet,
        "evt.count.error.memory" => F::CountErrorMemory,
        "evt.count.error.other" => F::CountErrorOther,
        "evt.count.exit" => F::CountExit,
        "evt.is_open_read" => F::IsOpenRead,
        "evt.is_open_write" => F::IsOpenWrite,
        "evt.is_open_exec" => F::IsOpenExec,
        "evt.is_open_create" => F::IsOpenCreate,
        // libsinsp hard-codes the deprecated latency fields to zero.
        "evt.latency"
        | "evt.latency.s"
        | "evt.latency.ns"
        | "evt.latency.quantized"
        | "evt.wait_latency" => F::LatencyZero,
        "evt.latency.human" => F::LatencyHuman,
        // no plugin produced a syscall event: no value (libsinsp likewise)
        "evt.pluginname" | "evt.plugininfo" => F::NoPlugin,
        _ => return Err(FieldError::NotImplemented(info.name.into())),
    })
}

/// The event has a return value: a syscall exit event with parameters
/// (libsinsp `has_return_value`).
pub(super) fn return_value(cx: &EvalCtx<'_>) -> Option<i64> {
    let ev = &cx.event;
    let info = ev.info();
    if ev.code() == abi::PPME_GENERIC_X as u16
        || info.category & abi::EC_SYSCALL == 0
        || info.direction() != Direction::Exit
        || ev.nparams() == 0
    {
        return None;
    }
    let b = ev.param(0)?;
    match b.len() {
        4 | 8 => int_i64(b),
        _ => Some(0),
    }
}

/// `evt.type` of an event: the event name, or for generic events the
/// syscall name.
pub(super) fn type_name(cx: &EvalCtx<'_>) -> &'static str {
    let ev = &cx.event;
    if ev.code() == abi::PPME_GENERIC_X as u16 || ev.code() == abi::PPME_GENERIC_E as u16 {
        let sc = ev.param(0).and_then(int_u64).unwrap_or(0) as u16;
        if let Some(s) = abi::syscall_by_ppm_sc(sc) {
            return s.name;
        }
        if sc == 0
            && let Some(nr) = ev.param(1).and_then(int_u64)
            && let Some(s) = abi::syscall_by_nr(nr as u32)
        {
            return s.name;
        }
        return "unknown";
    }
    ev.info().name
}

fn category_name(cat: u32) -> &'static str {
    match cat & 0x1ff {
        abi::EC_UNKNOWN => "unknown",
        abi::EC_OTHER => "other",
        abi::EC_FILE => "file",
        abi::EC_NET => "net",
        abi::EC_IPC => "IPC",
        abi::EC_MEMORY => "memory",
        abi::EC_PROCESS => "process",
        abi::EC_SLEEP => "sleep",
        abi::EC_SYSTEM => "system",
        abi::EC_SIGNAL => "signal",
        abi::EC_USER => "user",
        abi::EC_TIME => "time",
        abi::EC_PROCESSING => "processing",
        abi::EC_IO_READ => "IO_read",
        abi::EC_IO_WRITE => "IO_write",
        abi::EC_IO_OTHER => "IO_other",
        abi::EC_WAIT => "wait",
        abi::EC_SCHEDULER => "scheduler",
        abi::EC_INTERNAL => "internal",
        _ => "unknown",
    }
}

/// libsinsp's category of an I/O event: what its fd is.
fn io_category(cx: &EvalCtx<'_>) -> &'static str {
    let Some(fd) = cx.fd else { return "unknown" };
    match fd.ty {
        FdType::File | FdType::FileV2 | FdType::Directory => "file",
        FdType::Ipv4Sock | FdType::Ipv6Sock | FdType::Ipv4ServSock | FdType::Ipv6ServSock => "net",
        FdType::Fifo
        | FdType::UnixSock
        | FdType::Event
        | FdType::Signalfd
        | FdType::Inotify
        | FdType::Userfaultfd => "ipc",
        _ => "unknown",
    }
}

fn is_meta(cx: &EvalCtx<'_>) -> bool {
    cx.event.info().category & abi::EC_METAEVENT != 0
}

/// Index of the parameter an `evt.arg`/`evt.rawarg` argument names, in
/// the event (`Some((event, index))`), falling back to the enter event.
fn arg_param<'a>(arg: &Arg, cx: &EvalCtx<'a>) -> Option<(falcon_driver::event::Event<'a>, usize)> {
    match arg {
        Arg::Index(i) => {
            let i = *i as usize;
            (i < cx.event.nparams()).then_some((cx.event, i))
        }
        Arg::Key(k) => {
            if let Some(i) = cx.event.info().param_index(k)
                && i < cx.event.nparams()
            {
                return Some((cx.event, i));
            }
            let e = cx.enter?;
            let i = e.info().param_index(k)?;
            (i < e.nparams()).then_some((e, i))
        }
        Arg::None => None,
    }
}

fn open_flags(cx: &EvalCtx<'_>) -> Option<(u32, u32)> {
    use falcon_driver::abi::*;
    let c = cx.event.code() as u32;
    if c != PPME_SYSCALL_OPEN_X
        && c != PPME_SYSCALL_OPENAT_2_X
        && c != PPME_SYSCALL_OPENAT2_X
        && c != PPME_SYSCALL_OPEN_BY_HANDLE_AT_X
    {
        return None;
    }
    let flags = cx.param_u64("flags").unwrap_or(0) as u32;
    let mode = cx.param_u64("mode").unwrap_or(0) as u32;
    Some((flags, mode))
}

pub(super) fn extract(f: F, arg: &Arg, cx: &EvalCtx<'_>, out: &mut Values) -> bool {
    let ev = &cx.event;
    let ts = ev.ts();
    match f {
        F::Num => out.push_u64(cx.num),
        F::Time { date, ns } => {
            out.begin_str();
            time::write_ts(out, ts, time::local_offset(), date, ns);
            out.end_str();
        }
        F::TimeIso => {
            out.begin_str();
            time::write_iso8601(out, ts);
            out.end_str();
        }
        F::RawTime => out.push_u64(ts),
        F::RawTimeS => out.push_u64(ts / 1_000_000_000),
        F::RawTimeNs => out.push_u64(ts % 1_000_000_000),
        F::RelTime => out.push_u64(ts.saturating_sub(cx.state.first_ts)),
        F::RelTimeS => out.push_u64(ts.saturating_sub(cx.state.first_ts) / 1_000_000_000),
        F::RelTimeNs => out.push_u64(ts.saturating_sub(cx.state.first_ts) % 1_000_000_000),
        F::Hostname => {
            if cx.state.hostname.is_empty() {
                return false;
            }
            out.push_str(&cx.state.hostname)
        }
        F::Source => out.push_str(b"syscall"),
        F::IsAsync => out.push_bool(is_meta(cx)),
        F::AsyncType => {
            if !is_meta(cx) {
                return false;
            }
            out.push_str(ev.info().name.as_bytes())
        }
        F::Dir => out.push_str(if ev.info().direction() == Direction::Enter {
            b">"
        } else {
            b"<"
        }),
        F::Type => out.push_str(type_name(cx).as_bytes()),
        F::TypeIs(c) => out.push_u64((ev.code() == c) as u64),
        F::SyscallType => {
            if ev.info().category & abi::EC_SYSCALL == 0 {
                return false;
            }
            out.push_str(type_name(cx).as_bytes())
        }
        F::Category => {
            let cat = ev.info().category & 0x1ff;
            let name = if matches!(cat, abi::EC_IO_READ | abi::EC_IO_WRITE | abi::EC_IO_OTHER) {
                io_category(cx)
            } else {
                category_name(cat)
            };
            out.push_str(name.as_bytes())
        }
        F::Cpu => out.push_i64(cx.cpu as i64),
        F::Args => {
            out.begin_str();
            if ev.code() != abi::PPME_GENERIC_X as u16 {
                write_args(cx, out);
            }
            out.end_str();
        }
        F::Arg => {
            let Some((e, i)) = arg_param(arg, cx) else {
                return false;
            };
            out.begin_str();
            params::write_resolved(cx, &e, i, out);
            if out.open_len() == 0 {
                params::write_plain(cx, &e, i, out);
            }
            out.end_str();
        }
        F::RawArg => {
            let Some((e, i)) = arg_param(arg, cx) else {
                return false;
            };
            return push_raw(&e, i, out);
        }
        F::Buffer => {
            let Some(b) = cx.param("data") else {
                return false;
            };
            out.push_bytes(b)
        }
        F::Buflen => {
            if cx.fd.is_none() || ev.info().category & 0x20 == 0 {
                return false;
            }
            match return_value(cx) {
                Some(r) if r >= 0 => out.push_u64(r as u64),
                _ => return false,
            }
        }
        F::Res => {
            let Some(r) = return_value(cx) else {
                return false;
            };
            if r >= 0 {
                out.push_str(b"SUCCESS");
            } else {
                let n = errno_name(r);
                if n.is_empty() {
                    out.begin_str();
                    let _ = write!(out, "{r}");
                    out.end_str();
                } else {
                    out.push_str(n.as_bytes());
                }
            }
        }
        F::RawRes => match return_value(cx) {
            Some(r) => out.push_i64(r),
            None => return false,
        },
        F::Failed => match return_value(cx) {
            Some(r) => out.push_bool(r < 0),
            None => return false,
        },
        F::CountError => match return_value(cx) {
            Some(r) => out.push_u64((r < 0) as u64),
            None => return false,
        },
        F::CountErrorFile | F::CountErrorNet | F::CountErrorMemory | F::CountErrorOther => {
            let Some(r) = return_value(cx) else {
                return false;
            };
            if !error_class_matches(f, cx) {
                return false;
            }
            out.push_u64((r < 0) as u64)
        }
        F::CountExit => out.push_u64((ev.info().direction() == Direction::Exit) as u64),
        F::IsIo => {
            out.push_bool(ev.info().flags & (abi::EF_READS_FROM_FD | abi::EF_WRITES_TO_FD) != 0)
        }
        F::IsIoRead => out.push_bool(ev.info().flags & abi::EF_READS_FROM_FD != 0),
        F::IsIoWrite => out.push_bool(ev.info().flags & abi::EF_WRITES_TO_FD != 0),
        F::IoDir => {
            let fl = ev.info().flags;
            if fl & abi::EF_WRITES_TO_FD != 0 {
                out.push_str(b"write")
            } else if fl & abi::EF_READS_FROM_FD != 0 {
                out.push_str(b"read")
            } else {
                return false;
            }
        }
        F::IsWait => out.push_bool(ev.info().flags & abi::EF_WAITS != 0),
        F::IsSyslog => {
            let syslog = ev.info().flags & abi::EF_WRITES_TO_FD != 0
                && cx.fd.is_some_and(|f| {
                    f.ty == FdType::UnixSock
                        && (f.name.ends_with(b"/dev/log")
                            || f.name.ends_with(b"/run/systemd/journal/syslog"))
                });
            out.push_bool(syslog)
        }
        F::Count => out.push_u64(1),
        F::IsOpenRead | F::IsOpenWrite | F::IsOpenExec | F::IsOpenCreate => {
            let (flags, mode) = open_flags(cx).unwrap_or((0, 0));
            let v = match f {
                F::IsOpenRead => flags & PPM_O_RDONLY != 0,
                F::IsOpenWrite => flags & PPM_O_WRONLY != 0,
                F::IsOpenExec => {
                    flags & (PPM_O_CREAT_OR_TMP) != 0
                        && mode & (PPM_S_IXUSR | PPM_S_IXGRP | PPM_S_IXOTH) != 0
                }
                _ => {
                    flags & PPM_O_F_CREATED != 0
                        || (flags & PPM_O_TMPFILE != 0 && return_value(cx).is_some_and(|r| r >= 0))
                }
            };
            out.push_bool(v)
        }
        F::LatencyZero => out.push_u64(0),
        F::LatencyHuman => out.push_str(b"0ns"),
        F::NoPlugin => return false,
    }
    true
}

const PPM_O_CREAT_OR_TMP: u32 = crate::state::PPM_O_CREAT | PPM_O_TMPFILE;

fn error_class_matches(f: F, cx: &EvalCtx<'_>) -> bool {
    use falcon_driver::abi::*;
    let c = cx.event.code() as u32;
    let file = match cx.fd {
        Some(fd) => fd.ty.is_file(),
        None => matches!(
            c,
            PPME_SYSCALL_OPEN_X
                | PPME_SYSCALL_CREAT_X
                | PPME_SYSCALL_OPENAT_2_X
                | PPME_SYSCALL_OPENAT2_X
                | PPME_SYSCALL_OPEN_BY_HANDLE_AT_X
        ),
    };
    let net = match cx.fd {
        Some(fd) => fd.ty.is_ip_socket() || fd.ty == FdType::UnixSock,
        None => matches!(
            c,
            PPME_SOCKET_ACCEPT_5_X | PPME_SOCKET_ACCEPT4_6_X | PPME_SOCKET_CONNECT_X
        ),
    };
    let memory = cx.event.info().category & 0x1ff == EC_MEMORY;
    match f {
        F::CountErrorFile => file,
        F::CountErrorNet => net,
        F::CountErrorMemory => memory,
        _ => !file && !net && !memory,
    }
}

/// `name=value` for every parameter, with `(resolved)` after values that
/// have a resolved form.
fn write_args(cx: &EvalCtx<'_>, out: &mut Values) {
    let ev = cx.event;
    let n = ev.nparams().min(ev.info().params.len());
    for i in 0..n {
        if i > 0 {
            out.push_byte(b' ');
        }
        out.extend(ev.info().params[i].name.as_bytes());
        out.push_byte(b'=');
        params::write_plain(cx, &ev, i, out);
        let mark = out.open_len();
        out.push_byte(b'(');
        params::write_resolved(cx, &ev, i, out);
        if out.open_len() == mark + 1 {
            out.truncate_open(mark);
        } else {
            out.push_byte(b')');
        }
    }
}

/// `evt.rawarg`: the parameter as a typed value.
fn push_raw(ev: &falcon_driver::event::Event<'_>, i: usize, out: &mut Values) -> bool {
    let Some(p) = ev.info().params.get(i) else {
        return false;
    };
    let Some(b) = ev.param(i) else {
        return false;
    };
    if b.is_empty() {
        return false;
    }
    match p.ty {
        ParamType::Int8
        | ParamType::Int16
        | ParamType::Int32
        | ParamType::Int64
        | ParamType::Fd
        | ParamType::Pid
        | ParamType::Errno
        | ParamType::Fd32
        | ParamType::Pid32 => match int_i64(b) {
            Some(v) => out.push_i64(v),
            None => return false,
        },
        ParamType::Charbuf | ParamType::Fspath | ParamType::Fsrelpath => out.push_str(trim_nul(b)),
        ParamType::Bytebuf
        | ParamType::Sockaddr
        | ParamType::Socktuple
        | ParamType::Fdlist
        | ParamType::Charbufarray
        | ParamType::CharbufPairArray
        | ParamType::Dyn => out.push_bytes(b),
        ParamType::Bool => out.push_bool(int_u64(b).unwrap_or(0) != 0),
        ParamType::Ipv4addr if b.len() == 4 => {
            out.push_ip(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).into())
        }
        ParamType::Double if b.len() == 8 => {
            out.push_double(f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
        }
        _ => match int_u64(b) {
            Some(v) => out.push_u64(v),
            None => out.push_bytes(b),
        },
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_bound_or_declared_missing() {
        for f in FIELDS {
            let arg = match f.arg.presence {
                super::super::ArgPresence::Required => match f.arg.kind {
                    ArgKind::Index | ArgKind::IndexOrName | ArgKind::IndexOrKey => Arg::Index(0),
                    ArgKind::Key => Arg::Key("execve".into()),
                },
                _ => Arg::None,
            };
            let _ = ArgRule::NONE;
            let _ = (
                Display::Na,
                FieldClass::Event,
                FieldFlags::NONE,
                FieldType::Bool,
            );
            match bind(f, &arg) {
                Ok(_) | Err(FieldError::NotImplemented(_)) => {}
                Err(e) => panic!("{}: {e}", f.name),
            }
        }
    }
}
