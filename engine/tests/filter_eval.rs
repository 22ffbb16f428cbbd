//! Evaluation semantics on events built in memory and run through the state
//! tracker (threads, fds): missing values, negation, string operators,
//! lists, ancestors, numbers, ip/net, transformers, field-to-field.

use std::net::IpAddr;

use falcon_driver::event::{Event, EventBuilder};
use falcon_engine::filter::syscall::SyscallFields;
use falcon_engine::filter::{compile, parse};
use falcon_engine::state::{Fd, FdType, L4Proto, Limits, Parser, Role, SockAddrs, Thread};

const READ_X: u16 = 7;

fn thread(tid: i64, ptid: i64, comm: &str, exepath: &str, args: &[&str]) -> Thread {
    let mut a = Vec::new();
    for x in args {
        a.extend_from_slice(x.as_bytes());
        a.push(0);
    }
    Thread {
        tid,
        pid: tid,
        ptid,
        comm: comm.into(),
        exe: comm.into(),
        exepath: exepath.into(),
        args: a,
        cwd: b"/root/".to_vec(),
        ..Default::default()
    }
}

struct World {
    parser: Parser,
    buf: Vec<u8>,
}

impl World {
    fn new() -> World {
        let mut parser = Parser::new(Limits::default());
        parser.add_thread(thread(1, 0, "systemd", "/usr/lib/systemd/systemd", &[]));
        parser.add_thread(thread(100, 1, "bash", "/usr/bin/bash", &["-i"]));
        parser.add_thread(thread(200, 100, "cat", "/usr/bin/cat", &["/etc/shadow"]));
        let mut f = Fd::new(FdType::File);
        f.name = b"/etc/shadow".to_vec();
        parser.add_fd(200, 3, f);
        let mut s = Fd::new(FdType::Ipv4Sock);
        s.name = b"10.0.0.1:5555->192.168.1.2:443".to_vec();
        s.l4proto = L4Proto::Tcp;
        s.role = Role::Client;
        s.connected = true;
        s.addrs = SockAddrs {
            cip: "10.0.0.1".parse::<IpAddr>().unwrap(),
            sip: "192.168.1.2".parse::<IpAddr>().unwrap(),
            cport: 5555,
            sport: 443,
        };
        parser.add_fd(200, 4, s);
        let mut b = EventBuilder::new();
        b.start()
            .param_i64(10)
            .param(b"root:x:0")
            .param_i64(3)
            .param_u32(10);
        let buf = b.finish(1_000, 200, READ_X).to_vec();
        World { parser, buf }
    }

    /// Evaluates `cond` on a read of `fd` by tid 200.
    fn eval_fd(&mut self, cond: &str, fd: i64) -> bool {
        let mut b = EventBuilder::new();
        b.start()
            .param_i64(10)
            .param(b"root:x:0")
            .param_i64(fd)
            .param_u32(10);
        self.buf = b.finish(1_000, 200, READ_X).to_vec();
        let ast = parse(cond).unwrap_or_else(|e| panic!("{cond}: {e}"));
        let (mut filter, _) =
            compile(&SyscallFields, &ast).unwrap_or_else(|e| panic!("{cond}: {e}"));
        let ev = Event::parse(&self.buf).expect("event");
        let p = self.parser.process(&ev, 0).expect("delivered");
        let cx = self.parser.ctx(ev, &p);
        filter.eval(&cx)
    }

    fn eval(&mut self, cond: &str) -> bool {
        self.eval_fd(cond, 3)
    }
}

#[test]
fn strings_and_missing_values() {
    let mut w = World::new();
    assert!(w.eval("evt.type = read and proc.name = cat"));
    assert!(w.eval("fd.name = /etc/shadow"));
    assert!(w.eval("fd.name startswith /etc and fd.name endswith shadow"));
    assert!(w.eval("fd.name contains tc/sh"));
    assert!(w.eval("fd.name icontains ETC/SHADOW"));
    assert!(!w.eval("fd.name contains ETC"));
    assert!(w.eval("fd.name glob '/etc/*'"));
    assert!(w.eval("fd.name iglob '/ETC/SHA*'"));
    assert!(w.eval("fd.name regex '/etc/s[a-z]+'"));
    assert!(!w.eval("fd.name regex 'etc'"), "regex is a full match");
    assert!(w.eval("fd.name pmatch (/usr, /etc)"));
    assert!(!w.eval("fd.name pmatch (/et)"));
    assert!(
        parse("fd.name > /etc/a").is_err(),
        "numeric operators take numbers"
    );
    assert!(w.eval("proc.name in (bash, cat)"));
    assert!(w.eval("proc.name startswith oneof (ca, do)"));
    assert!(!w.eval("proc.name startswith allof (ca, do)"));
    // a missing value makes every comparison false, != included
    assert!(!w.eval("fd.sip = 1.2.3.4"));
    assert!(!w.eval("fd.sip != 1.2.3.4"));
    assert!(!w.eval("fd.sip exists"));
    assert!(w.eval("not fd.sip exists"));
    assert!(w.eval("fd.name exists"));
}

#[test]
fn ancestors_numbers_and_transformers() {
    let mut w = World::new();
    assert!(w.eval("proc.pname = bash"));
    assert!(w.eval("proc.aname[2] = systemd"));
    assert!(
        w.eval("proc.aname = systemd"),
        "without argument: any ancestor"
    );
    assert!(
        !w.eval("proc.aname = cat"),
        "ancestors exclude the process itself"
    );
    assert!(w.eval("proc.pid = 200 and proc.ppid = 100"));
    assert!(w.eval("proc.pid > 199 and proc.pid <= 200 and proc.pid in (1, 200)"));
    assert!(w.eval("fd.num = 3"));
    assert!(w.eval("toupper(proc.name) = CAT"));
    assert!(w.eval("len(proc.name) = 3"));
    assert!(w.eval("basename(fd.name) = shadow"));
    assert!(w.eval("proc.name != val(proc.pname)"));
    assert!(w.eval("proc.cmdline = \"cat /etc/shadow\""));
    assert!(w.eval("proc.args contains shadow"));
}

#[test]
fn addresses_and_ports() {
    let mut w = World::new();
    assert!(w.eval_fd("fd.sip = 192.168.1.2", 4));
    assert!(w.eval_fd("fd.sport = 443 and fd.cport = 5555", 4));
    assert!(w.eval_fd("fd.sport = https", 4), "service names");
    assert!(w.eval_fd("fd.snet = 192.168.0.0/16", 4));
    assert!(!w.eval_fd("fd.snet = 10.0.0.0/8", 4));
    assert!(w.eval_fd("fd.net = 10.0.0.0/8", 4), "client or server");
    assert!(w.eval_fd("fd.ip = 10.0.0.1", 4));
    assert!(w.eval_fd("fd.port = 443", 4));
    assert!(w.eval_fd("fd.port != 80", 4), "both ports differ");
    assert!(!w.eval_fd("fd.port != 443", 4), "one port matches");
    assert!(w.eval_fd("fd.sip in (1.1.1.1, 192.168.1.2)", 4));
    assert!(w.eval_fd("fd.l4proto = tcp", 4));
}
