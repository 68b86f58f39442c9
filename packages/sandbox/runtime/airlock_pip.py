"""pip inside the sandbox, with the egress relay: `python3 -I airlock_pip.py SOCKET PORT ARGS...`.

The installer's sandbox has no network of its own; like a script's, its one way out is
Airlock's egress proxy (a unix socket bound into it), which allows only the package sources.
This starts the runtime's relay (127.0.0.1:PORT, HTTP(S)_PROXY set) and runs pip with ARGS.
"""

import os
import runpy
import sys


def main():
    socket_path, port = sys.argv[1], int(sys.argv[2])
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import airlock_runtime

    airlock_runtime._start_egress(socket_path, port)
    sys.path.pop(0)
    sys.argv = ["pip"] + sys.argv[3:]
    runpy.run_module("pip", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
