"""Actions the live suite performs through real system calls that no
ordinary command-line tool issues directly (ptrace attach, kernel module
loading, raw sockets, executing a memfd, allocating a pty).

Run as `python3 helpers.py ACTION ARGS...`; every action exits 0 when it
issued the system calls it is about (their own result may be an error,
e.g. finit_module on a file that is not a module), non-zero otherwise.
"""

import ctypes
import ctypes.util
import os
import pty
import signal
import socket
import subprocess
import sys
import time

PTRACE_PEEKUSER = 3
PTRACE_ATTACH = 16
PTRACE_DETACH = 17
SYS_INIT_MODULE = 175
SYS_FINIT_MODULE = 313

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.syscall.restype = ctypes.c_long


def ptrace(request, pid):
    r = libc.ptrace(request, pid, None, None)
    return r, ctypes.get_errno()


def ptrace_attach(_marker):
    """Attach to a child `sleep`, wait for its stop, detach, kill it."""
    child = subprocess.Popen(["sleep", "30"])
    try:
        r, err = ptrace(PTRACE_ATTACH, child.pid)
        if r != 0:
            print(f"PTRACE_ATTACH failed: {os.strerror(err)}", file=sys.stderr)
            return 1
        os.waitpid(child.pid, 0)
        ptrace(PTRACE_DETACH, child.pid)
        return 0
    finally:
        child.kill()
        child.wait()


def ptrace_peek(_marker):
    """A ptrace request that is not an attach: PEEKUSER on an untraced
    child fails with ESRCH."""
    child = subprocess.Popen(["sleep", "30"])
    try:
        ptrace(PTRACE_PEEKUSER, child.pid)
        return 0
    finally:
        child.kill()
        child.wait()


def finit_module(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        r = libc.syscall(SYS_FINIT_MODULE, fd, b"", 0)
        print(f"finit_module: {r} ({os.strerror(ctypes.get_errno()) if r else 'ok'})")
    finally:
        os.close(fd)
    return 0


def init_module(path):
    with open(path, "rb") as f:
        img = f.read()
    buf = ctypes.create_string_buffer(img, len(img))
    r = libc.syscall(SYS_INIT_MODULE, buf, ctypes.c_ulong(len(img)), b"")
    print(f"init_module: {r} ({os.strerror(ctypes.get_errno()) if r else 'ok'})")
    return 0


def read_file(path):
    with open(path, "rb") as f:
        f.read()
    return 0


def raw_socket(_marker):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.close()
    return 0


def packet_socket(_marker):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0)
    s.close()
    return 0


def udp_socket(_marker):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.close()
    return 0


def udp_connect(addr):
    host, port = addr.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, int(port)))
    s.close()
    return 0


def memfd_exec(marker):
    """Copies /bin/true into a memfd and executes it through its fd."""
    with open("/bin/true", "rb") as f:
        code = f.read()
    fd = os.memfd_create(marker)
    os.write(fd, code)
    os.execv(f"/proc/self/fd/{fd}", [marker])


def pty_shell(marker):
    """Runs `bash -c 'exit 0' MARKER` on a new pty, like a shell upgrade."""
    pid, master = pty.fork()
    if pid == 0:
        os.execv("/bin/bash", ["bash", "-c", "exit 0", marker])
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            if not os.read(master, 1024):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    os.close(master)
    return 0 if os.waitstatus_to_exitcode(status) == 0 else 1


ACTIONS = {
    "ptrace-attach": ptrace_attach,
    "ptrace-peek": ptrace_peek,
    "finit-module": finit_module,
    "init-module": init_module,
    "read-file": read_file,
    "raw-socket": raw_socket,
    "packet-socket": packet_socket,
    "udp-socket": udp_socket,
    "udp-connect": udp_connect,
    "memfd-exec": memfd_exec,
    "pty-shell": pty_shell,
}

if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if len(sys.argv) != 3 or sys.argv[1] not in ACTIONS:
        print(f"usage: helpers.py {{{','.join(ACTIONS)}}} ARG", file=sys.stderr)
        sys.exit(2)
    sys.exit(ACTIONS[sys.argv[1]](sys.argv[2]))
