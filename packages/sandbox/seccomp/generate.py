#!/usr/bin/python3
"""Generates the seccomp denylists bwrap loads with `--seccomp FD` (raw BPF, one per arch).

Run with Debian's python3 and python3-seccomp (`apt-get install -y python3-seccomp`):
    /usr/bin/python3 packages/sandbox/seccomp/generate.py
The blobs are committed; regenerate after editing the lists below.

Default: allow. Denied with EPERM: debugging other processes, mounts, namespaces, kernel
keyrings, BPF, perf, userfaultfd, io_uring, modules, reboot/kexec, open_by_handle_at (the
classic container escape), TIOCSTI/TIOCLINUX terminal injection, exotic socket families.
clone3 gets ENOSYS so glibc falls back to clone, whose flags can be inspected. Python threads,
subprocess and multiprocessing keep working.
"""

import errno
import os
import sys

import seccomp

DENY = [
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
    "mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr",
    "unshare", "setns",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd", "fanotify_init",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "reboot", "swapon", "swapoff", "acct", "quotactl", "syslog", "vhangup",
    "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "nfsservctl", "uselib",
    "iopl", "ioperm", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
]

CLONE_NS_FLAGS = {
    "CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000, "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}

TIOCSTI, TIOCLINUX = 0x5412, 0x541C
AF_NETLINK, NETLINK_ROUTE = 16, 0
# Allowed: AF_UNIX (1), AF_INET (2), AF_INET6 (10), and AF_NETLINK with NETLINK_ROUTE only
# (glibc's getaddrinfo asks it for interface addresses). Everything else is refused.
DENIED_FAMILIES_BELOW_17 = [0, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15]


def build(arch):
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    if (int(arch) & 0xFFFFFFFF) != (seccomp.system_arch() & 0xFFFFFFFF):
        f.add_arch(arch)
        f.remove_arch(seccomp.Arch.NATIVE)
    eperm = seccomp.ERRNO(errno.EPERM)
    for name in DENY:
        try:
            f.add_rule(eperm, name)
        except (RuntimeError, ValueError, OSError):
            pass  # not a syscall on this architecture
    for flag in CLONE_NS_FLAGS.values():
        f.add_rule(eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for req in (TIOCSTI, TIOCLINUX):
        f.add_rule(eperm, "ioctl", seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, req))
    for fam in DENIED_FAMILIES_BELOW_17:
        f.add_rule(eperm, "socket", seccomp.Arg(0, seccomp.EQ, fam))
    f.add_rule(eperm, "socket", seccomp.Arg(0, seccomp.GE, 17))
    f.add_rule(
        eperm, "socket", seccomp.Arg(0, seccomp.EQ, AF_NETLINK), seccomp.Arg(2, seccomp.NE, NETLINK_ROUTE)
    )
    return f


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    targets = {"x86_64": seccomp.Arch.X86_64, "aarch64": seccomp.Arch.AARCH64}
    for name, arch in targets.items():
        path = os.path.join(here, name + ".bpf")
        with open(path, "wb") as out:
            build(arch).export_bpf(out)
        print("wrote", path, os.path.getsize(path), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
