"""Airlock's in-sandbox runtime: run as __main__ by `/usr/bin/python3 -I -B`.

Protocol (newline-delimited JSON over the control channel, fd 3 at start):
  runner -> runtime  {"t": "init", "script": str, "settings": {str: str}, "limits": {...},
                      "paths": [str]}                      (exactly one, first)
  runtime -> runner  {"t": "started"}
  runtime -> runner  {"t": "result", "value": <json>}      (set_result; last one wins)
  runtime -> runner  {"t": "llm", "prompt": str, "model": str}
  runner -> runtime  {"t": "llm_response", "text": str}    (only after an "llm" message)
  runtime -> runner  {"t": "done", "status": "completed" | "error" | "limit", ...}

The runner trusts nothing here beyond that schema: the script runs in this same process and can
write to the channel itself, but everything it could send it could also get through the public
globals (set_result, llm.complete, raising an exception). The script's stdout and stderr are
its own: nothing printed there is read as a message.

This file is bound read-only into the sandbox, so a script cannot change it for later runs.
"""

import builtins
import errno
import fcntl
import json
import linecache
import os
import resource
import signal
import sys
import traceback
import types
from collections.abc import Mapping

_CHANNEL_FD = 3
# Hard bound on one incoming message; the runner bounds what it sends far below this.
_MAX_IN = 64 * 1024 * 1024
_SCRIPT_NAME = "<script>"
_RUNTIME_FILE = os.path.abspath(__file__)


class _Channel:
    """Blocking newline-delimited JSON over one fd; bounded reads."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""

    def send_raw(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def send(self, obj):
        self.send_raw(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")

    def read_line(self, limit):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 1 :]
                return line
            if len(self.buf) > limit:
                raise RuntimeError("airlock: control message too large")
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                raise RuntimeError("airlock: control channel closed")
            self.buf += chunk


def _apply_limits(limits):
    """rlimits for this process and everything it starts (never raised above the hard limit)."""

    def lim(res, soft, hard=None):
        if soft is None:
            return
        hard = soft if hard is None else hard
        _, cur_hard = resource.getrlimit(res)
        if cur_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, cur_hard), min(hard, cur_hard)
        resource.setrlimit(res, (soft, hard))

    cpu = limits.get("cpuSeconds")
    # SIGXCPU at the soft limit, SIGKILL one second later if it is ignored.
    lim(resource.RLIMIT_CPU, cpu, None if cpu is None else cpu + 1)
    lim(resource.RLIMIT_NPROC, limits.get("processes"))
    lim(resource.RLIMIT_FSIZE, limits.get("fileSizeBytes"))
    lim(resource.RLIMIT_NOFILE, limits.get("openFiles"))
    lim(resource.RLIMIT_CORE, 0)
    lim(resource.RLIMIT_AS, limits.get("memoryBytes"))


class _Settings(Mapping):
    """Read-only mapping of the profile's credentials (name -> value)."""

    __slots__ = ("_data",)

    def __init__(self, data):
        object.__setattr__(self, "_data", types.MappingProxyType(dict(data)))

    def __getitem__(self, name):
        return self._data[name]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __contains__(self, name):
        return name in self._data

    def get(self, name, default=None):
        return self._data.get(name, default)

    def keys(self):
        return self._data.keys()

    def __setattr__(self, name, value):
        raise AttributeError("settings is read-only")

    def __repr__(self):
        # Names only: printing `settings` must not dump every value into the output.
        return "settings(%r)" % (sorted(self._data),)


class _Llm:
    __slots__ = ("_complete",)

    def __init__(self, complete):
        object.__setattr__(self, "_complete", complete)

    def complete(self, prompt, model="default"):
        """Ask the agent's LLM; blocks until the agent answers. Returns the answer text."""
        return self._complete(prompt, model)

    def __setattr__(self, name, value):
        raise AttributeError("llm is read-only")

    def __repr__(self):
        return "llm"


def _flush_std():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _script_traceback(exc):
    """Traceback text starting at the script's own frames (the runtime's are dropped)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _RUNTIME_FILE:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


_FORK_WORDS = ("fork", "spawn", "Popen", "subprocess", "Process(", ".start(")


def _classify(exc):
    """Maps an uncaught exception to a limit kind when it is a resource limit, else None."""
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, OSError):
        if exc.errno == errno.EFBIG:
            return "fileSize"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "disk"
        if exc.errno == errno.EMFILE:
            return "openFiles"
        if exc.errno == errno.EAGAIN:
            # EAGAIN from fork/clone is RLIMIT_NPROC; from a socket it is not, so look at the
            # line that raised.
            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            if tb is not None:
                line = linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
                if any(w in line for w in _FORK_WORDS):
                    return "processes"
    if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
        return "processes"
    return None


def _child_exit(code):
    """A process the script forked (os.fork) reached the end of the script: it exits quietly
    (no traceback, no report); only the main process reports the run's outcome."""
    _flush_std()
    os._exit(code)


def main():
    channel = _Channel(_CHANNEL_FD)
    init = json.loads(channel.read_line(_MAX_IN))
    if not isinstance(init, dict) or init.get("t") != "init":
        raise RuntimeError("airlock: bad init message")

    # Move the channel off fd 3 (the first fd a script would open) to a close-on-exec fd, and
    # close everything else that may have been inherited.
    fd = fcntl.fcntl(_CHANNEL_FD, fcntl.F_DUPFD_CLOEXEC, 200)
    os.close(_CHANNEL_FD)
    os.closerange(3, fd)
    os.closerange(fd + 1, 1 << 20)
    channel.fd = fd

    script = init["script"]
    limits = init.get("limits") or {}
    max_result = int(limits.get("maxResultBytes") or (1 << 20))
    max_response = int(limits.get("maxResponseBytes") or (4 << 20))
    max_error = int(limits.get("maxErrorBytes") or (1 << 20))
    for path in reversed(init.get("paths") or []):
        # Before the system dist-packages, so installed packages win over Debian's copies.
        at = next((i for i, p in enumerate(sys.path) if "-packages" in p), len(sys.path))
        sys.path.insert(at, path)

    main_pid = os.getpid()
    settings = _Settings(init.get("settings") or {})
    del init

    import _thread

    lock = _thread.allocate_lock()

    def set_result(value):
        """Sets the JSON result of this execution; the last call wins."""
        try:
            data = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError) as e:
            raise TypeError("set_result(): value is not JSON-serialisable: %s" % (e,)) from None
        payload = b'{"t":"result","value":' + data.encode() + b"}\n"
        if len(payload) > max_result:
            raise ValueError(
                "set_result(): value is too large (%d bytes, limit %d)" % (len(payload), max_result)
            )
        with lock:
            channel.send_raw(payload)

    def complete(prompt, model="default"):
        if not isinstance(prompt, str):
            raise TypeError("llm.complete(): prompt must be a str")
        if not isinstance(model, str):
            raise TypeError("llm.complete(): model must be a str")
        _flush_std()
        with lock:
            channel.send({"t": "llm", "prompt": prompt, "model": model})
            msg = json.loads(channel.read_line(max_response))
        if not isinstance(msg, dict) or msg.get("t") != "llm_response":
            raise RuntimeError("airlock: unexpected control message")
        text = msg.get("text")
        if not isinstance(text, str):
            raise RuntimeError("airlock: unexpected control message")
        return text

    # Pre-encoded so that reporting a memory limit needs no allocation.
    memory_done = b'{"t":"done","status":"limit","limit":"memory","error":"memory limit exceeded (MemoryError)"}\n'

    module = types.ModuleType("__main__")
    module.__dict__.update(
        __builtins__=builtins,
        settings=settings,
        set_result=set_result,
        llm=_Llm(complete),
    )
    sys.modules["__main__"] = module
    linecache.cache[_SCRIPT_NAME] = (len(script), None, script.splitlines(True), _SCRIPT_NAME)

    _apply_limits(limits)
    cpu_done = b'{"t":"done","status":"limit","limit":"cpu","error":"CPU time limit exceeded"}\n'

    def on_xcpu(signum, frame):
        # The interpreter is PID 1 of its namespace, where the kernel drops SIGXCPU's default
        # action; report the limit here (forked children just die as they would by default).
        _flush_std()
        if os.getpid() == main_pid:
            try:
                channel.send_raw(cpu_done)
            finally:
                os._exit(0)
        os._exit(128 + signum)

    signal.signal(signal.SIGXCPU, on_xcpu)
    # Line-buffered stdout: output printed before a timeout kill is not lost in a buffer.
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except Exception:
        pass
    channel.send({"t": "started"})

    done = {"t": "done", "status": "completed"}
    try:
        try:
            code = compile(script, _SCRIPT_NAME, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as e:
            done = {
                "t": "done",
                "status": "error",
                "error": "".join(traceback.format_exception_only(type(e), e)),
            }
        else:
            del script
            exec(code, module.__dict__)
    except SystemExit as e:
        if os.getpid() != main_pid:
            _child_exit(e.code if isinstance(e.code, int) else 1)
        status = e.code
        if status is None or status == 0:
            pass
        elif isinstance(status, int):
            done = {"t": "done", "status": "error", "error": "script exited with status %d" % status}
        else:
            try:
                print(status, file=sys.stderr)
            except Exception:
                pass
            done = {"t": "done", "status": "error", "error": "script exited with status 1"}
    except MemoryError:
        if os.getpid() != main_pid:
            _child_exit(1)
        _flush_std()
        try:
            channel.send_raw(memory_done)
        finally:
            os._exit(0)
    except BaseException as e:  # noqa: BLE001 - everything the script raises is its result
        if os.getpid() != main_pid:
            _child_exit(1)
        kind = _classify(e)
        text = _script_traceback(e)
        if len(text) > max_error:
            # Never cut the text (a cut could split a secret the redactor then misses): drop
            # the exception's message instead, keeping the frames.
            text = "".join(traceback.format_tb(e.__traceback__)[-20:]) + "%s: <message of %d characters omitted>\n" % (
                type(e).__name__,
                len(str(e)),
            )
        if kind is None:
            done = {"t": "done", "status": "error", "error": text}
        else:
            done = {"t": "done", "status": "limit", "limit": kind, "error": text}
    if os.getpid() != main_pid:
        _child_exit(0)
    _flush_std()
    try:
        with lock:
            channel.send(done)
    except Exception:
        os._exit(70)
    # Skip interpreter shutdown: threads the script left running are not waited for, and
    # nothing after the final report can change the outcome.
    os._exit(0)


if __name__ == "__main__":
    main()
