#!/usr/bin/python3
"""Generates the seccomp denylists bwrap loads with `--seccomp FD` (raw BPF, one per arch).

Run with Debian's python3 and python3-seccomp (`apt-get install -y python3-seccomp`):
    /usr/bin/python3 packages/sandbox/seccomp/generate.py
The lists are in policy.json (nsjail compiles the same lists from it as a kafel policy).
The blobs are committed; regenerate after editing policy.json.

Default: allow. Denied with EPERM: debugging other processes, mounts, namespaces, kernel
keyrings, BPF, perf, userfaultfd, io_uring, modules, reboot/kexec, open_by_handle_at (the
classic container escape), TIOCSTI/TIOCLINUX terminal injection, exotic socket families.
clone3 gets ENOSYS so glibc falls back to clone, whose flags can be inspected. Python threads,
subprocess and multiprocessing keep working.

`<arch>.unaccounted.bpf` adds ENOSYS for SysV shared memory and memfds: used where a run has no
cgroup of its own (see ADR 0082), since their pages are bounded by no per-process limit.
"""

import errno
import json
import os
import sys

import seccomp

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "policy.json"), encoding="utf-8") as fh:
    POLICY = json.load(fh)


def build(arch, unaccounted=False):
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    if (int(arch) & 0xFFFFFFFF) != (seccomp.system_arch() & 0xFFFFFFFF):
        f.add_arch(arch)
        f.remove_arch(seccomp.Arch.NATIVE)
    eperm = seccomp.ERRNO(errno.EPERM)
    for name in POLICY["eperm"]:
        try:
            f.add_rule(eperm, name)
        except (RuntimeError, ValueError, OSError):
            pass  # not a syscall on this architecture
    for flag in POLICY["cloneNamespaceFlags"].values():
        f.add_rule(eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    for name in POLICY["enosys"]:
        f.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
    for req in POLICY["deniedIoctls"].values():
        f.add_rule(eperm, "ioctl", seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, req))
    sock = POLICY["socket"]
    for fam in sock["deniedFamiliesBelow17"]:
        f.add_rule(eperm, "socket", seccomp.Arg(0, seccomp.EQ, fam))
    f.add_rule(eperm, "socket", seccomp.Arg(0, seccomp.GE, 17))
    f.add_rule(
        eperm,
        "socket",
        seccomp.Arg(0, seccomp.EQ, sock["netlink"]),
        seccomp.Arg(2, seccomp.NE, sock["netlinkAllowedProtocol"]),
    )
    if unaccounted:
        for name in POLICY["unaccountedEnosys"]:
            try:
                f.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
            except (RuntimeError, ValueError, OSError):
                pass
    return f


def main():
    targets = {"x86_64": seccomp.Arch.X86_64, "aarch64": seccomp.Arch.AARCH64}
    for name, arch in targets.items():
        for suffix, unaccounted in ((".bpf", False), (".unaccounted.bpf", True)):
            path = os.path.join(HERE, name + suffix)
            with open(path, "wb") as out:
                build(arch, unaccounted).export_bpf(out)
            print("wrote", path, os.path.getsize(path), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
