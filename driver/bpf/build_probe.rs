//! Build step for the eBPF probe, included by `driver/build.rs`:
//! `vmlinux.h` from the running kernel's BTF, `fillers.gen.h` from
//! `syscalls.spec` and the event table, then the two probe objects
//! (tp_btf and raw tracepoint flavours) with clang.
//!
//! `FALCON_SKIP_BPF=1` skips the probe (empty objects; loading then fails
//! with a message saying so). `CLANG`/`LLVM_STRIP`/`BPFTOOL` override tools.

use std::collections::HashMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Child, Command};

/// Parameter types of every event symbol, from `falcon_events.def`.
fn event_params(events: &str) -> HashMap<String, Vec<String>> {
    let mut m = HashMap::new();
    for a in super::invocations(events, "FALCON_EVENT") {
        let types = a[6..]
            .iter()
            .map(|p| {
                let inner = p.trim_start_matches("FP(").trim_end_matches(')');
                inner.split(',').nth(1).unwrap().trim().to_string()
            })
            .collect();
        m.insert(a[1].clone(), types);
    }
    m
}

fn width(ty: &str) -> Option<u32> {
    Some(match ty {
        "PT_INT8" | "PT_UINT8" | "PT_FLAGS8" | "PT_ENUMFLAGS8" | "PT_SIGTYPE" | "PT_L4PROTO"
        | "PT_SOCKFAMILY" => 1,
        "PT_INT16" | "PT_UINT16" | "PT_FLAGS16" | "PT_ENUMFLAGS16" | "PT_SYSCALLID" | "PT_PORT" => {
            2
        }
        "PT_INT32" | "PT_UINT32" | "PT_FLAGS32" | "PT_ENUMFLAGS32" | "PT_UID" | "PT_GID"
        | "PT_MODE" | "PT_BOOL" | "PT_FD32" | "PT_PID32" | "PT_SIGSET" => 4,
        "PT_INT64" | "PT_UINT64" | "PT_ERRNO" | "PT_FD" | "PT_PID" | "PT_RELTIME"
        | "PT_ABSTIME" => 8,
        _ => return None,
    })
}

fn push_int(ty: &str, expr: &str) -> Result<String, String> {
    let w = width(ty).ok_or_else(|| format!("integer op on non-integer type {ty}"))?;
    // fds and pids are C ints: sign-extend them into the i64 parameter
    let expr = if matches!(ty, "PT_FD" | "PT_PID" | "PT_ERRNO") && expr.starts_with("sc_arg") {
        format!("(__s64)(int){expr}")
    } else {
        expr.to_string()
    };
    Ok(format!("ev_u{}(&e, {expr});", w * 8))
}

fn arg(n: &str) -> Result<String, String> {
    let i: u32 = n.parse().map_err(|_| format!("bad argument index {n}"))?;
    if i > 5 {
        return Err(format!("argument index {i} > 5"));
    }
    Ok(format!("sc_arg(regs, {i})"))
}

/// The C statement for one op, given the parameter's type.
fn op_code(op: &str, ty: &str) -> Result<String, String> {
    let split2 = |s: &str| -> Result<(String, String), String> {
        let (a, b) = s
            .split_once(':')
            .ok_or_else(|| format!("op {op} needs N:M"))?;
        Ok((a.to_string(), b.to_string()))
    };
    Ok(match op {
        "-" => "ev_empty(&e);".into(),
        "ret" => push_int(ty, "ret")?,
        "tupret" => "ev_tuple_fd(&e, ret, 1);".into(),
        "dev:ret" => "ev_fd_dev(&e, ret);".into(),
        "ino:ret" => "ev_fd_ino(&e, ret);".into(),
        "capinh" => push_int(ty, "cap_u64(&cur_cred()->cap_inheritable)")?,
        "capprm" => push_int(ty, "cap_u64(&cur_cred()->cap_permitted)")?,
        "capeff" => push_int(ty, "cap_u64(&cur_cred()->cap_effective)")?,
        "prctlstr" => "if (sc_arg(regs, 0) == 15 || sc_arg(regs, 0) == 16) \
                       ev_user_str(&e, sc_arg(regs, 1)); else ev_empty(&e);"
            .into(),
        _ => {
            let (name, rest) =
                op.split_at(op.find(|c: char| c.is_ascii_digit()).unwrap_or(op.len()));
            match name {
                "a" => push_int(ty, &arg(rest)?)?,
                "s" => format!("ev_user_str(&e, {});", arg(rest)?),
                "d" => {
                    let (n, len) = split2(rest)?;
                    let len = if len == "ret" {
                        "ret".to_string()
                    } else {
                        arg(len.trim_start_matches('a'))?
                    };
                    format!("ev_user_buf(&e, {}, {len}, snaplen);", arg(&n)?)
                }
                "iov" => {
                    let (n, m) = split2(rest)?;
                    format!("ev_iov_data(&e, {}, {}, ret);", arg(&n)?, arg(&m)?)
                }
                "iovsz" => {
                    let (n, m) = split2(rest)?;
                    push_int(ty, &format!("iov_total({}, {})", arg(&n)?, arg(&m)?))?
                }
                "sa" => {
                    let (n, m) = split2(rest)?;
                    format!("ev_sockaddr(&e, {}, {});", arg(&n)?, arg(&m)?)
                }
                "tup" => format!("ev_tuple_fd(&e, (int){}, 0);", arg(rest)?),
                "ofl" => push_int(ty, &format!("open_flags({})", arg(rest)?))?,
                "omode" => {
                    let (f, m) = split2(rest)?;
                    push_int(ty, &format!("open_mode({}, {})", arg(&f)?, arg(&m)?))?
                }
                "mode" => push_int(ty, &format!("({} & 07777)", arg(rest)?))?,
                "howfl" => push_int(
                    ty,
                    &format!("open_flags(open_how_field({}, 0))", arg(rest)?),
                )?,
                "howmode" => push_int(
                    ty,
                    &format!(
                        "open_mode(open_how_field({0}, 0), open_how_field({0}, 8))",
                        arg(rest)?
                    ),
                )?,
                "howres" => push_int(ty, &format!("open_how_field({}, 16)", arg(rest)?))?,
                "cl" => push_int(ty, &format!("clone_flags({})", arg(rest)?))?,
                "ptreq" => push_int(ty, &format!("ptrace_req({})", arg(rest)?))?,
                "fcntl" => push_int(ty, &format!("fcntl_cmd({})", arg(rest)?))?,
                "mmfl" => push_int(ty, &format!("mmap_flags({})", arg(rest)?))?,
                "prot" => push_int(ty, &format!("prot_flags({})", arg(rest)?))?,
                "mntfl" => push_int(ty, &format!("mount_flags({})", arg(rest)?))?,
                "dyn" => format!("ev_dyn_u64(&e, {});", arg(rest)?),
                "pair" => {
                    let (n, i) = split2(rest)?;
                    format!("ev_user_int_pair(&e, {}, {i}, ret);", arg(&n)?)
                }
                _ => return Err(format!("unknown op {op}")),
            }
        }
    })
}

/// Bytes of an op's parameter when it is always a fixed-size integer (or
/// always empty); `None` when its size depends on the data.
fn fixed_size(op: &str, ty: &str) -> Option<u32> {
    if op == "-" {
        return Some(0);
    }
    let name = op.trim_end_matches(|c: char| c.is_ascii_digit() || c == ':');
    let int_ops = [
        "ret", "a", "ofl", "omode", "mode", "howfl", "howmode", "howres", "cl", "ptreq", "fcntl",
        "mmfl", "prot", "mntfl", "capinh", "capprm", "capeff", "iovsz",
    ];
    if int_ops.contains(&name) {
        width(ty)
    } else {
        None
    }
}

fn drop_category(c: &str) -> Result<&'static str, String> {
    Ok(match c {
        "ox" => "FALCON_DROP_OPEN_EXIT",
        "cx" => "FALCON_DROP_CONNECT_EXIT",
        "df" => "FALCON_DROP_DIR_FILE_EXIT",
        "cl" => "FALCON_DROP_CLOSE_EXIT",
        "oi" => "FALCON_DROP_OTHER_INTEREST_EXIT",
        _ => return Err(format!("unknown drop category {c}")),
    })
}

/// `fillers.gen.h`: the nr -> PPM_SC table and one program per spec line.
pub fn gen_fillers(spec: &str, events: &str, syscalls: &str) -> Result<String, String> {
    let params = event_params(events);
    let mut ppm_sc = vec![0i64; 512];
    for a in super::invocations(syscalls, "FALCON_SYSCALL") {
        let nr: usize = a[0].parse().unwrap();
        let sc: i64 = a[2].parse().unwrap();
        if nr < ppm_sc.len() && sc > 0 {
            ppm_sc[nr] = sc;
        }
    }
    let mut c = String::from("/* Generated by driver/bpf/build_probe.rs from syscalls.spec. */\n");
    c.push_str("static const __u16 ppm_sc_of[FALCON_SYSCALL_TABLE_SIZE] = {");
    for (i, v) in ppm_sc.iter().enumerate() {
        if i % 16 == 0 {
            c.push_str("\n\t");
        }
        write!(c, "{v}, ").unwrap();
    }
    c.push_str("\n};\n\nstatic __always_inline const struct cred *cur_cred(void)\n{\n\treturn BPF_CORE_READ(cur_task(), cred);\n}\n\n");
    for (lineno, line) in spec.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |m: String| format!("syscalls.spec:{}: {m}", lineno + 1);
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 {
            return Err(at("expected: syscall EVENT category ops...".into()));
        }
        let sym = format!("PPME_{}", f[1]);
        let types = params
            .get(&sym)
            .ok_or_else(|| at(format!("unknown event {sym}")))?;
        let ops = &f[3..];
        if ops.len() != types.len() {
            return Err(at(format!(
                "{sym} has {} parameters, the line gives {} ops",
                types.len(),
                ops.len()
            )));
        }
        let cat = drop_category(f[2]).map_err(at)?;
        writeln!(c, "TP_SEC(\"sys_exit\")\nint sx_{}(__u64 *ctx)\n{{", f[0]).unwrap();
        c.push_str("\tstruct pt_regs *regs = (struct pt_regs *)ctx[0];\n\tlong ret = ctx[1];\n\tstruct ev e;\n\n");
        c.push_str("\t(void)regs;\n\t(void)ret;\n");
        let fixed: Option<u32> = ops
            .iter()
            .zip(types)
            .map(|(op, ty)| fixed_size(op, ty))
            .sum::<Option<u32>>()
            .map(|body| 26 + 2 * types.len() as u32 + body);
        let n = types.len();
        match fixed {
            Some(size) => writeln!(
                c,
                "\tif (!ev_reserve(&e, {sym}, {n}, {size}, {cat}))\n\t\treturn 0;"
            ),
            None => writeln!(c, "\tif (!ev_begin(&e, {sym}, {n}, {cat}))\n\t\treturn 0;"),
        }
        .unwrap();
        for (op, ty) in ops.iter().zip(types) {
            let code = op_code(op, ty).map_err(|m| at(format!("{sym}: {m}")))?;
            writeln!(c, "\t{code}").unwrap();
        }
        c.push_str(if fixed.is_some() {
            "\treturn ev_commit(&e);\n}\n\n"
        } else {
            "\treturn ev_submit(&e);\n}\n\n"
        });
    }
    Ok(c)
}

fn tool(var: &str, default: &str) -> String {
    env::var(var).unwrap_or_else(|_| default.to_string())
}

fn run_ok(cmd: &mut Command, what: &str) {
    let st = cmd
        .status()
        .unwrap_or_else(|e| panic!("{what}: cannot run {:?}: {e}", cmd.get_program()));
    assert!(st.success(), "{what} failed ({st})");
}

fn spawn(cmd: &mut Command) -> Child {
    cmd.spawn().unwrap_or_else(|e| {
        panic!(
            "cannot run {:?}: {e} (scripts/install-deps build installs it)",
            cmd.get_program()
        )
    })
}

/// Builds `falcon.bpf.o` and `falcon_raw.bpf.o` into `out`.
pub fn build(manifest: &Path, out: &Path, events: &str, syscalls: &str) {
    let bpf = manifest.join("bpf");
    for f in [
        "falcon.bpf.c",
        "maps.h",
        "event.h",
        "conv.h",
        "files.h",
        "proc.h",
        "syscalls.spec",
        "build_probe.rs",
    ] {
        println!("cargo:rerun-if-changed={}", bpf.join(f).display());
    }
    println!("cargo:rerun-if-env-changed=FALCON_SKIP_BPF");
    let objs = [out.join("falcon.bpf.o"), out.join("falcon_raw.bpf.o")];
    if env::var("FALCON_SKIP_BPF").is_ok_and(|v| v == "1") {
        for o in &objs {
            fs::write(o, b"").unwrap();
        }
        return;
    }
    let spec = fs::read_to_string(bpf.join("syscalls.spec")).unwrap();
    let fillers = gen_fillers(&spec, events, syscalls).unwrap_or_else(|e| panic!("{e}"));
    fs::write(out.join("fillers.gen.h"), fillers).unwrap();

    let vmlinux = out.join("vmlinux.h");
    if !vmlinux.exists() {
        let o = Command::new(tool("BPFTOOL", "bpftool"))
            .args([
                "btf",
                "dump",
                "file",
                "/sys/kernel/btf/vmlinux",
                "format",
                "c",
            ])
            .output()
            .expect("cannot run bpftool (scripts/install-deps build installs it)");
        assert!(
            o.status.success(),
            "bpftool btf dump failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        fs::write(&vmlinux, o.stdout).unwrap();
    }

    let clang = tool("CLANG", "clang-14");
    let mut kids = Vec::new();
    for (obj, raw) in objs.iter().zip([false, true]) {
        let mut cmd = Command::new(&clang);
        cmd.args([
            "-target",
            "bpf",
            "-D__TARGET_ARCH_x86",
            "-O2",
            "-g",
            "-Wall",
            "-Wno-unused-function",
        ])
        .arg(format!("-I{}", out.display()))
        .arg(format!("-I{}", bpf.display()))
        .arg(format!("-I{}", manifest.join("abi").display()));
        if raw {
            cmd.arg("-DFALCON_RAW_TP");
        }
        cmd.arg("-c")
            .arg(bpf.join("falcon.bpf.c"))
            .arg("-o")
            .arg(obj);
        kids.push((spawn(&mut cmd), obj.clone()));
    }
    for (mut k, obj) in kids {
        let st = k.wait().unwrap();
        assert!(st.success(), "clang failed building {}", obj.display());
        run_ok(
            Command::new(tool("LLVM_STRIP", "llvm-strip-14"))
                .arg("-g")
                .arg(&obj),
            "llvm-strip",
        );
    }
}
