//! `falcon -e FILE.scap --dump-events FORMAT`: replays a capture through
//! the state tracker and prints one line per event, rendered with an
//! output format.

use crate::format::Format;
use crate::state::{Fd, FdType, L4Proto, Limits, Parser, Processed, Role, SockAddrs, Thread};
use anyhow::Context as _;
use falcon_driver::event::Event;
use falcon_driver::scap::{CaptureReader, FdEntry, FdInfo, ProcEntry, Record, ScapError};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// EVF block flag of events a capture keeps for state only
/// (`SCAP_DF_STATE_ONLY`): they update the state but libsinsp filters them
/// out before they reach the user, so they are not printed (nor evaluated).
pub const STATE_ONLY: u32 = 1;

/// What a dump did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DumpStats {
    /// Events printed.
    pub events: u64,
    /// State-only events (parsed, not printed).
    pub state_only: u64,
    pub threads: usize,
    pub state: crate::state::Stats,
}

/// Replays `capture`, printing `format` for every event to `out`.
pub fn run(capture: &Path, format: &str, out: &mut impl Write) -> anyhow::Result<DumpStats> {
    let mut fmt = Format::compile(format).with_context(|| format!("invalid format '{format}'"))?;
    let mut reader = CaptureReader::open(capture)
        .with_context(|| format!("cannot open capture {}", capture.display()))?;
    let mut parser = Parser::new(Limits::default());
    let mut line = String::new();
    let mut stats = DumpStats::default();
    let mut w = std::io::BufWriter::new(out);
    loop {
        let rec = reader
            .next()
            .with_context(|| format!("reading {}", capture.display()))?;
        let Some(rec) = rec else { break };
        match rec {
            Record::Event {
                num,
                cpu,
                flags,
                event,
            } => {
                let Some(p) = parser.process_numbered(&event, cpu, num) else {
                    continue;
                };
                if flags & STATE_ONLY != 0 {
                    stats.state_only += 1;
                    continue;
                }
                let cx = parser.ctx(event, &p);
                line.clear();
                fmt.render(&cx, &mut line);
                line.push('\n');
                w.write_all(line.as_bytes())?;
                stats.events += 1;
            }
            other => feed_state(&mut parser, &other),
        }
    }
    w.flush()?;
    stats.threads = parser.state.threads.len();
    stats.state = parser.state.stats;
    Ok(stats)
}

/// Replays a capture into `parser`: applies its state records, parses every
/// event, and hands each one the parser delivers to `on_event` with the
/// capture's block flags (see [`STATE_ONLY`]). Stops at the first error,
/// the reader's or `on_event`'s.
pub fn replay_events<E: From<ScapError>>(
    reader: &mut CaptureReader,
    parser: &mut Parser,
    mut on_event: impl FnMut(&Parser, Event<'_>, &Processed, u32) -> Result<(), E>,
) -> Result<(), E> {
    while let Some(rec) = reader.next()? {
        match rec {
            Record::Event {
                num,
                cpu,
                flags,
                event,
            } => {
                if let Some(p) = parser.process_numbered(&event, cpu, num) {
                    on_event(parser, event, &p, flags)?;
                }
            }
            other => feed_state(parser, &other),
        }
    }
    Ok(())
}

/// Applies a capture's state records (process list, fd lists, users,
/// machine info) to the parser.
pub fn feed_state(parser: &mut Parser, rec: &Record<'_>) {
    match rec {
        Record::MachineInfo(mi) => parser.state.hostname = mi.hostname.clone(),
        Record::Processes(procs) => {
            for p in procs.iter() {
                parser.add_thread(thread_of(p));
            }
        }
        Record::Fds { tid, fds } => {
            for f in fds.iter() {
                parser.add_fd(*tid as i64, f.fd, fd_of(f));
            }
        }
        Record::Interfaces(ifs) => {
            for i in ifs.iter() {
                match i {
                    falcon_driver::scap::InterfaceEntry::V4 { addr, netmask, .. } => {
                        parser.state.ipv4_interfaces.push((
                            Ipv4Addr::from(addr.to_ne_bytes()),
                            Ipv4Addr::from(netmask.to_ne_bytes()),
                        ))
                    }
                    falcon_driver::scap::InterfaceEntry::V6 { addr, .. } => {
                        parser.state.ipv6_interfaces.push(Ipv6Addr::from(*addr))
                    }
                }
            }
        }
        Record::Users(us) => {
            for u in us.iter() {
                parser.state.users.add_user(u.clone());
            }
        }
        Record::Groups(gs) => {
            for g in gs.iter() {
                parser.state.users.add_group(g.clone());
            }
        }
        _ => {}
    }
}

/// A thread from a process-list entry.
pub fn thread_of(p: &ProcEntry) -> Thread {
    let mut cwd = p.cwd.clone();
    if !cwd.is_empty() && cwd.last() != Some(&b'/') {
        cwd.push(b'/');
    }
    Thread {
        tid: p.tid as i64,
        pid: p.pid as i64,
        ptid: p.ptid as i64,
        sid: p.sid,
        vpgid: p.vpgid,
        pgid: p.pgid,
        vtid: p.vtid,
        vpid: p.vpid,
        comm: p.comm.clone(),
        exe: p.exe.clone(),
        // libscap drops the " (deleted)" the kernel appends to the link.
        exepath: p
            .exepath
            .strip_suffix(b" (deleted)")
            .unwrap_or(&p.exepath)
            .to_vec(),
        args: p.args.clone(),
        env: p.env.clone(),
        cwd,
        root: p.root.clone(),
        cgroups: p.cgroups.clone(),
        fdlimit: p.fdlimit as i64,
        uid: p.uid,
        gid: p.gid,
        euid: p.uid,
        egid: p.gid,
        loginuid: p.loginuid,
        tty: p.tty,
        cap_inheritable: p.cap_inheritable,
        cap_permitted: p.cap_permitted,
        cap_effective: p.cap_effective,
        exe_writable: p.exe_writable,
        exe_upper_layer: p.exe_upper_layer,
        exe_lower_layer: p.exe_lower_layer,
        exe_from_memfd: p.exe_from_memfd,
        exe_ino: p.exe_ino,
        exe_ino_ctime: p.exe_ino_ctime,
        exe_ino_mtime: p.exe_ino_mtime,
        pidns_init_start_ts: p.pidns_init_start_ts,
        vmsize_kb: p.vmsize_kb,
        vmrss_kb: p.vmrss_kb,
        vmswap_kb: p.vmswap_kb,
        pfmajor: p.pfmajor,
        pfminor: p.pfminor,
        flags: p.flags,
        last_fd: -1,
        ..Thread::default()
    }
}

fn v4(ip: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(ip.to_ne_bytes()))
}

/// An fd from a capture's fd-list entry.
pub fn fd_of(f: &FdEntry) -> Fd {
    let mut e = Fd::new(f.ty());
    e.ino = f.ino;
    match &f.info {
        FdInfo::Named { name, .. } => e.name = name.clone(),
        FdInfo::File {
            open_flags,
            name,
            dev,
        } => {
            e.ty = FdType::File;
            e.name = name.clone();
            e.flags = *open_flags;
            e.dev = dev.unwrap_or(0);
        }
        FdInfo::Ipv4 {
            sip,
            dip,
            sport,
            dport,
            l4proto,
        } => {
            e.addrs = SockAddrs {
                cip: v4(*sip),
                sip: v4(*dip),
                cport: *sport,
                sport: *dport,
            };
            e.l4proto = L4Proto::from_code(*l4proto);
            e.role = Role::Client;
            e.connected = true;
            e.name = format!("{}:{}->{}:{}", v4(*sip), sport, v4(*dip), dport).into_bytes();
        }
        FdInfo::Ipv6 {
            sip,
            dip,
            sport,
            dport,
            l4proto,
        } => {
            let (s, d) = (
                IpAddr::V6(Ipv6Addr::from(*sip)),
                IpAddr::V6(Ipv6Addr::from(*dip)),
            );
            e.addrs = SockAddrs {
                cip: s,
                sip: d,
                cport: *sport,
                sport: *dport,
            };
            e.l4proto = L4Proto::from_code(*l4proto);
            e.role = Role::Client;
            e.connected = true;
            e.name = format!("{s}:{sport}->{d}:{dport}").into_bytes();
        }
        FdInfo::Ipv4Server { ip, port, l4proto } => {
            e.addrs.sip = v4(*ip);
            e.addrs.sport = *port;
            e.l4proto = L4Proto::from_code(*l4proto);
            e.name = format!("{}:{}", v4(*ip), port).into_bytes();
        }
        FdInfo::Ipv6Server { ip, port, l4proto } => {
            let a = IpAddr::V6(Ipv6Addr::from(*ip));
            e.addrs.sip = a;
            e.addrs.sport = *port;
            e.l4proto = L4Proto::from_code(*l4proto);
            e.name = format!("{a}:{port}").into_bytes();
        }
        FdInfo::Unix {
            source,
            destination,
            path,
        } => {
            e.unix_source = *source;
            e.unix_dest = *destination;
            e.name = path.clone();
        }
        FdInfo::Other { .. } => {}
    }
    e.nameraw = e.name.clone();
    e
}
