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

# Startup cost matters (every execution pays it): only modules that are built in or cheap are
# imported here. `json` would pull in `re` and `enum` (~10 ms), `signal` pulls in `enum`, and
# `traceback`/`linecache` pull in `tokenize` and `re`: the C modules behind them are used
# directly, and traceback formatting is imported only when a script fails.
import _json
import _signal
import builtins
import errno
import os
import resource
import sys
from _collections_abc import Mapping

_MappingProxy = type(type.__dict__)
_ModuleType = type(sys)

_CHANNEL_FD = 3
# Hard bound on one incoming message; the runner bounds what it sends far below this.
_MAX_IN = 64 * 1024 * 1024
_SCRIPT_NAME = "<script>"
_RUNTIME_FILE = os.path.abspath(__file__)


class _DecodeContext:
    """What `_json.make_scanner` reads from its context (the settings of json.JSONDecoder())."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float
    memo = None


_scan = _json.make_scanner(_DecodeContext())


def _loads(data):
    text = data.decode("utf-8")
    value, end = _scan(text, 0)
    if text[end:].strip():
        raise ValueError("airlock: trailing data in control message")
    return value


def _no_default(o):
    raise TypeError("Object of type %s is not JSON serializable" % (type(o).__name__,))


def _dumps(value, allow_nan=True):
    """json.dumps(value, separators=(",", ":"), allow_nan=...) with ASCII output (lone surrogates
    stay escapes, so the bytes are always valid UTF-8)."""
    encode = _json.make_encoder(
        {}, _no_default, _json.encode_basestring_ascii, None, ":", ",", False, False, allow_nan
    )
    if isinstance(value, str):
        return _json.encode_basestring_ascii(value)
    return "".join(encode(value, 0))


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
        self.send_raw(_dumps(obj).encode() + b"\n")

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


_EGRESS_BOUND = [0]
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


_TRUST_VARS = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def _trust(path):
    """Trusts the roots in `path` (the system roots plus the CA that brokered hosts present).

    OpenSSL (Python's ssl, urllib3, httpx) reads SSL_CERT_FILE, requests REQUESTS_CA_BUNDLE,
    curl CURL_CA_BUNDLE; inside a sandbox the file is also bound over the system bundle, which
    Debian's certifi names. A certifi installed as a package ships its own bundle: its where()
    is pointed at `path` when it is imported.
    """
    import importlib.abc
    import importlib.util

    for name in _TRUST_VARS:
        os.environ[name] = path

    def point(module):
        module.where = lambda: path
        module.contents = lambda: open(path, encoding="ascii").read()

    # Imported already (a site .pth file may do it at startup): point that one.
    if "certifi" in sys.modules:
        point(sys.modules["certifi"])

    class _Certifi(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, target=None, spec_path=None):
            if fullname != "certifi":
                return None
            sys.meta_path.remove(self)
            try:
                spec = importlib.util.find_spec(fullname)
            finally:
                sys.meta_path.insert(0, self)
            if spec is None or spec.loader is None:
                return spec
            loader = spec.loader
            exec_module = loader.exec_module

            def patched(module):
                exec_module(module)
                point(module)

            loader.exec_module = patched
            return spec

    sys.meta_path.insert(0, _Certifi())


def _start_egress(path, port):
    """Relays 127.0.0.1:<port> (3128) inside the sandbox to Airlock's egress proxy (a unix socket).

    The relay decides nothing: the host-side proxy reads each request and applies the profile's
    policy. One thread and a selector (a thread per connection would spend the run's process
    limit); at most 1 MiB is buffered per direction (back-pressure beyond).
    """
    import selectors
    import socket
    import threading

    READ, WRITE, LIMIT = selectors.EVENT_READ, selectors.EVENT_WRITE, 1 << 20
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    sel = selectors.DefaultSelector()
    sel.register(listener, READ)
    peer, buf, eof, shut, mask = {}, {}, {}, {}, {}

    def update(s):
        want = (READ if not eof[s] and len(buf[peer[s]]) < LIMIT else 0) | (WRITE if buf[s] else 0)
        if want == mask[s]:
            return
        if mask[s] == 0:
            sel.register(s, want)
        elif want == 0:
            sel.unregister(s)
        else:
            sel.modify(s, want)
        mask[s] = want

    def close_pair(s):
        for x in (s, peer.get(s)):
            if x is None or x not in peer:
                continue
            if mask[x]:
                sel.unregister(x)
            for d in (peer, buf, eof, shut, mask):
                d.pop(x, None)
            x.close()

    def finish_write(s):
        # The other side ended and everything it sent is delivered: pass the end on.
        if not buf[s] and eof[peer[s]] and not shut[s]:
            shut[s] = True
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def accept():
        try:
            client, _ = listener.accept()
        except OSError:
            return
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(path)
        except OSError:
            client.close()
            upstream.close()
            return
        for x, y in ((client, upstream), (upstream, client)):
            x.setblocking(False)
            peer[x], buf[x], eof[x], shut[x], mask[x] = y, b"", False, False, 0
        update(client)
        update(upstream)

    def loop():
        while True:
            for key, events in sel.select():
                s = key.fileobj
                if s is listener:
                    accept()
                    continue
                if s not in peer:
                    continue
                other = peer[s]
                try:
                    if events & WRITE and buf[s]:
                        n = s.send(buf[s])
                        buf[s] = buf[s][n:]
                        finish_write(s)
                    if events & READ:
                        data = s.recv(65536)
                        if data:
                            buf[other] += data
                        else:
                            eof[s] = True
                            finish_write(other)
                except OSError:
                    close_pair(s)
                    continue
                if eof[s] and eof[other] and not buf[s] and not buf[other]:
                    close_pair(s)
                    continue
                update(s)
                update(other)

    threading.Thread(target=loop, name="airlock-egress", daemon=True).start()
    _EGRESS_BOUND[0] = listener.getsockname()[1]
    proxy = "http://127.0.0.1:%d" % _EGRESS_BOUND[0]
    for name in _PROXY_VARS:
        os.environ[name] = proxy
    os.environ.pop("NO_PROXY", None)
    os.environ.pop("no_proxy", None)


def _route_sockets(relay_port, names):
    """Makes ordinary TCP clients go through the egress relay, so they need no proxy support.

    Not a boundary (the sandbox has no other way out; the host-side proxy decides): it only
    translates. `socket.getaddrinfo` answers a name the policy may admit (`names`: exact names,
    `*.suffix` wildcards, or `*` for any) with a synthetic address from 198.18.0.0/15 and
    refuses every other name (no DNS query ever leaves: nothing is resolved here). A TCP
    connect to a synthetic address, an IP, or a name becomes a CONNECT through the relay; a
    loopback address is tried locally first (the script's own listeners). A refusal raises
    ConnectionRefusedError with the proxy's reason.
    """
    import ipaddress
    import socket

    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo
    relay = ("127.0.0.1", relay_port)
    by_address, by_name = {}, {}
    exact = {n for n in names if not n.startswith("*")}
    suffixes = tuple("." + n[2:] for n in names if n.startswith("*."))
    anything = "*" in names
    ports = {"http": 80, "https": 443}

    def admitted(name):
        return anything or name in exact or name.endswith(suffixes)

    def synthetic(name):
        if name not in by_name:
            n = len(by_name) + 1
            if n >= 1 << 17:
                raise socket.gaierror(socket.EAI_AGAIN, "airlock: too many host names in one run")
            address = str(ipaddress.IPv4Address(int(ipaddress.IPv4Address("198.18.0.0")) + n))
            by_name[name], by_address[address] = address, name
        return by_name[name]

    def is_ip(host):
        try:
            ipaddress.ip_address(host)
            return True
        except ValueError:
            return False

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if isinstance(host, bytes):
            host = host.decode("idna")
        if host is None or is_ip(host):
            return real_getaddrinfo(host, port, family, type, proto, flags)
        name = host.lower().rstrip(".")
        if not admitted(name):
            raise socket.gaierror(
                socket.EAI_NONAME, "airlock: %s is not in this profile's network policy" % name
            )
        if family not in (0, socket.AF_INET) or type not in (0, socket.SOCK_STREAM):
            raise socket.gaierror(socket.EAI_FAMILY, "airlock: only TCP over IPv4 addresses")
        number = ports.get(port, port) if isinstance(port, str) and not port.isdigit() else port
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (synthetic(name), int(number or 0)))]

    def tunnel(sock, host, port):
        timeout = sock.gettimeout()
        sock.settimeout(30 if timeout in (None, 0.0) else timeout)
        try:
            real_connect(sock, relay if sock.family == socket.AF_INET else ("::ffff:127.0.0.1", relay_port))
            target = "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)
            sock.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (target, target)).encode())
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = sock.recv(1)
                if not chunk or len(head) > 16384:
                    raise ConnectionRefusedError(111, "airlock egress: the proxy closed the connection")
                head += chunk
            status = head.split(b"\r\n", 1)[0].decode("latin-1")
            if not status.startswith("HTTP/1.1 200"):
                raise ConnectionRefusedError(111, status.split(" ", 2)[-1])
        finally:
            sock.settimeout(timeout)

    def connect(self, address):
        if self.family not in (socket.AF_INET, socket.AF_INET6) or self.type != socket.SOCK_STREAM:
            return real_connect(self, address)
        host, port = address[0], address[1]
        if isinstance(host, bytes):
            host = host.decode("idna")
        if (host, port) == relay or host in ("::ffff:127.0.0.1",) and port == relay_port:
            return real_connect(self, address)
        if host in by_address:
            return tunnel(self, by_address[host], port)
        if not is_ip(host):
            name = host.lower().rstrip(".")
            if not admitted(name):
                raise socket.gaierror(
                    socket.EAI_NONAME, "airlock: %s is not in this profile's network policy" % name
                )
            return tunnel(self, name, port)
        if ipaddress.ip_address(host).is_loopback:
            try:
                return real_connect(self, address)
            except ConnectionRefusedError:
                # Nothing of the script's listens there: the host's address, if the policy lists it.
                fresh = socket.socket(self.family, self.type, self.proto)
                try:
                    os.dup2(fresh.fileno(), self.fileno())
                finally:
                    fresh.close()
        return tunnel(self, host, port)

    def connect_ex(self, address):
        try:
            connect(self, address)
            return 0
        except OSError as e:
            return e.errno or 111

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex


class _Settings(Mapping):
    """Read-only mapping of the profile's credentials (name -> value)."""

    __slots__ = ("_data",)

    def __init__(self, data):
        object.__setattr__(self, "_data", _MappingProxy(dict(data)))

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
    import traceback

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
                import linecache

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
    init = _loads(channel.read_line(_MAX_IN))
    if not isinstance(init, dict) or init.get("t") != "init":
        raise RuntimeError("airlock: bad init message")

    # Move the channel off fd 3 (the first fd a script would open) to a close-on-exec fd, and
    # close everything else that may have been inherited.
    fd = 200
    os.closerange(_CHANNEL_FD + 1, 1 << 20)
    os.dup2(_CHANNEL_FD, fd, inheritable=False)
    os.close(_CHANNEL_FD)
    channel.fd = fd

    script = init["script"]
    limits = init.get("limits") or {}
    max_result = int(limits.get("maxResultBytes") or (1 << 20))
    max_response = int(limits.get("maxResponseBytes") or (4 << 20))
    max_error = int(limits.get("maxErrorBytes") or (1 << 20))
    # Before the system dist-packages, so installed packages win over Debian's copies; in the
    # order given (the first wins).
    at = next((i for i, p in enumerate(sys.path) if "-packages" in p), len(sys.path))
    for i, path in enumerate(init.get("paths") or []):
        sys.path.insert(at + i, path)

    main_pid = os.getpid()
    init_egress = init.get("egress")
    settings = _Settings(init.get("settings") or {})
    del init

    import _thread

    lock = _thread.allocate_lock()

    def set_result(value):
        """Sets the JSON result of this execution; the last call wins."""
        try:
            data = _dumps(value, allow_nan=False)
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
            msg = _loads(channel.read_line(max_response))
        if not isinstance(msg, dict) or msg.get("t") != "llm_response":
            raise RuntimeError("airlock: unexpected control message")
        text = msg.get("text")
        if not isinstance(text, str):
            raise RuntimeError("airlock: unexpected control message")
        return text

    # Pre-encoded so that reporting a memory limit needs no allocation.
    memory_done = b'{"t":"done","status":"limit","limit":"memory","error":"memory limit exceeded (MemoryError)"}\n'

    module = _ModuleType("__main__")
    module.__dict__.update(
        __builtins__=builtins,
        settings=settings,
        set_result=set_result,
        llm=_Llm(complete),
    )
    sys.modules["__main__"] = module
    source = script

    if init_egress:
        _start_egress(init_egress["socket"], int(init_egress["port"]))
        if init_egress.get("trust"):
            _trust(init_egress["trust"])
        _route_sockets(int(init_egress["port"]) or _EGRESS_BOUND[0], init_egress.get("names") or [])
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

    _signal.signal(_signal.SIGXCPU, on_xcpu)
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
            import traceback

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
            done = {
                "t": "done",
                "status": "error",
                "error": "script exited with status %d" % status,
                "exitCode": status,
            }
        else:
            try:
                print(status, file=sys.stderr)
            except Exception:
                pass
            done = {
                "t": "done",
                "status": "error",
                "error": "script exited with status 1",
                "exitCode": 1,
            }
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
        try:
            import linecache
            import traceback

            linecache.cache[_SCRIPT_NAME] = (len(source), None, source.splitlines(True), _SCRIPT_NAME)
            kind = _classify(e)
            text = _script_traceback(e)
            if len(text) > max_error:
                # Never cut the text (a cut could split a secret the redactor then misses):
                # drop the exception's message instead, keeping the frames.
                text = "".join(traceback.format_tb(e.__traceback__)[-20:])
                text += "%s: <message of %d characters omitted>\n" % (type(e).__name__, len(str(e)))
        except BaseException:  # noqa: BLE001 - formatting failed (e.g. out of memory or stack)
            kind = "memory" if isinstance(e, MemoryError) else None
            text = "%s (traceback unavailable)\n" % (type(e).__name__,)
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
