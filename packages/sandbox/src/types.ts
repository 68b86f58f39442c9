/** Public types of @airlock/sandbox. */
import type { Accounting } from './cgroups.js';

export type { Accounting };

/** A JSON value as produced by Python's `json.dumps` and parsed back by `JSON.parse`. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Confinement backends. `unconfined-dev` runs scripts with NO confinement (development only). */
export type BackendName = 'bwrap' | 'nsjail' | 'unconfined-dev';

/**
 * Network of one run, a union on `mode`. Per-host policy is not decided here: with `egress`
 * the caller's proxy, outside the sandbox, decides every connection.
 */
export type NetworkPolicy =
  /** Own network namespace with only its loopback: no host services, no DNS. The default. */
  | { mode: 'none' }
  /**
   * As `none`, plus one way out: the host's unix socket `socket` (an HTTP proxy: Airlock's
   * egress proxy, which decides every connection) appears inside as `/airlock/egress.sock`,
   * and the runtime relays `127.0.0.1:3128` to it with `HTTP(S)_PROXY` and `ALL_PROXY` set.
   * Plain TCP clients go through it too: `socket.getaddrinfo` answers the `names` (exact names,
   * `*.suffix`, or `*` for any) with synthetic addresses and refuses the rest, and connects
   * become CONNECT requests. Nothing is resolved inside; the proxy decides.
   * `trust`: a host file of root certificates (PEM) the script trusts instead of the system's
   * (bound over `/etc/ssl/certs/ca-certificates.crt`, and named by `SSL_CERT_FILE`,
   * `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE`): the system roots plus the CA the proxy
   * intercepts brokered hosts with.
   */
  | { mode: 'egress'; socket: string; names?: readonly string[]; trust?: string }
  /**
   * Outbound network through `pasta` (Debian `passt`): its own network namespace with a copy of
   * the host's addresses and routes, so the internet is reachable but the host's loopback
   * services (Airlock itself, local databases) are not. Other host addresses stay reachable.
   * Needs `pasta` installed; without it the run ends in a startup error (never a silent
   * downgrade to `host`).
   */
  | { mode: 'full' }
  /** Shares the host's network namespace: everything the host reaches, its loopback included. */
  | { mode: 'host' };

/** Resource limits of one run. Every field has a default (see `DEFAULT_LIMITS`). */
export interface Limits {
  /** Wall-clock running time in ms; time spent waiting for an LLM answer does not count. */
  timeoutMs: number;
  /** CPU seconds per process (RLIMIT_CPU; SIGXCPU, then SIGKILL a second later). */
  cpuSeconds: number;
  /**
   * Memory of the whole run, bytes: every process, SysV shared memory, memfds and tmpfs files
   * together (its cgroup) where accounting is active; always also each process's address space
   * (RLIMIT_AS).
   */
  memoryBytes: number;
  /** Processes and threads of the run (RLIMIT_NPROC of its uid; its cgroup's pids.max too). */
  processes: number;
  /** Largest file a process may write (RLIMIT_FSIZE), bytes. */
  fileSizeBytes: number;
  /** Open file descriptors per process (RLIMIT_NOFILE). */
  openFiles: number;
  /** Size of each private tmpfs (`/tmp`, the work dir `/work`, `/dev/shm`), bytes. */
  tmpfsBytes: number;
  /** Captured bytes per stream (stdout, stderr); more stops the run with `limit: output`. */
  maxOutputBytes: number;
  /** Largest `set_result` value, bytes of JSON. */
  maxResultBytes: number;
  /** Largest `llm.complete` prompt (and model name), bytes of JSON. */
  maxPromptBytes: number;
  /** Largest `respond()` text, bytes of JSON. */
  maxResponseBytes: number;
  /** Longest wait for one `respond()` after `awaiting_llm`, ms. */
  llmWaitMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  timeoutMs: 30_000,
  cpuSeconds: 30,
  memoryBytes: 1024 * 1024 * 1024,
  processes: 64,
  fileSizeBytes: 64 * 1024 * 1024,
  openFiles: 256,
  tmpfsBytes: 64 * 1024 * 1024,
  maxOutputBytes: 1024 * 1024,
  maxResultBytes: 1024 * 1024,
  maxPromptBytes: 1024 * 1024,
  maxResponseBytes: 1024 * 1024,
  llmWaitMs: 5 * 60_000,
});

/** What a run executes. */
export interface RunSpec {
  /** Python source, handed to the runtime over the control channel (never argv or env). */
  script: string;
  /** Credential name → value, exposed to the script as the read-only `settings` mapping. */
  settings?: Readonly<Record<string, string>>;
  /** Overrides of the sandbox's default limits. */
  limits?: Partial<Limits>;
  /** Defaults to `{ mode: 'none' }`. */
  network?: NetworkPolicy;
  /**
   * Packages directories the script imports from, first wins (each bound read-only); default:
   * the sandbox's `packagesDir`. A directory missing on the host fails the run at startup.
   */
  packages?: readonly string[];
  /** Live output (raw bytes, only what is within the cap). Never redacted here. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** Called for every event, in order (the same events as `RunHandle.events`). */
  onEvent?: (event: RunEvent) => void;
}

/** Events of a run, in order: running, then (awaiting_llm, running)*. */
export type RunEvent =
  | { type: 'running' }
  | { type: 'awaiting_llm'; prompt: string; model: string };

/** Kinds of resource limit a run can hit. */
export type LimitKind =
  | 'memory'
  | 'cpu'
  | 'output'
  | 'processes'
  | 'fileSize'
  | 'disk'
  | 'openFiles';

/** Why a run ended in `error`. */
export type ErrorCause =
  /** An uncaught exception (or a syntax error): `error` is the traceback text. */
  | 'exception'
  /** `sys.exit(n)` with n != 0, `os._exit(n)`, or a fatal signal. */
  | 'exit'
  /** `llm.complete` was not answered within `llmWaitMs`. */
  | 'llm_wait'
  /** The control channel carried something outside the protocol, or too much of it. */
  | 'protocol'
  /** The sandbox or the interpreter did not start. */
  | 'startup';

/** Fields present on every result. */
export interface RunCapture {
  /** Raw stdout bytes, at most `maxOutputBytes` (not redacted). */
  stdout: Buffer;
  /** Raw stderr bytes, at most `maxOutputBytes` (not redacted). */
  stderr: Buffer;
  /**
   * Which streams' capture stopped at `maxOutputBytes` (the run then ends with the `output`
   * limit): only those are cut; the other one is whole.
   */
  cut: { stdout: boolean; stderr: boolean };
  /** Running time in ms (wall clock minus time waiting for LLM answers). */
  executionMs: number;
  /** Time spent waiting for LLM answers, ms. */
  llmWaitMs: number;
  backend: BackendName;
  /** Whether the run took a sandbox the warm pool had started ahead of it. */
  warm: boolean;
}

/** The closed outcome of a run. Every variant but `completed` has a human-readable `error`. */
export type RunResult = RunCapture &
  (
    | {
        status: 'completed';
        /** The value passed to `set_result` (null when it was never called). */
        result: JsonValue;
        /**
         * The same value as the JSON text the runtime produced: exact where `result` cannot be
         * (integers beyond 2^53, `-0.0`).
         */
        resultJson: string;
      }
    | { status: 'error'; cause: ErrorCause; error: string; exitCode?: number; signal?: string }
    | { status: 'timeout'; error: string }
    | { status: 'limit'; limit: LimitKind; error: string }
    | { status: 'cancelled'; error: string }
  );

/** A run in progress. */
export interface RunHandle {
  /** Events until the run ends (then the iteration finishes). Single consumer. */
  readonly events: AsyncIterable<RunEvent>;
  /** `starting` | `running` | `awaiting_llm` | `finished`. */
  readonly state: RunState;
  /** Answers the pending `llm.complete`; false (and no effect) unless the run awaits one. */
  respond(text: string): boolean;
  /** Kills the run; the result becomes `cancelled` unless it already ended. */
  cancel(): void;
  /** The host uid its processes run as, once it has one (root only): see `runnableUids`. */
  readonly uid: number | undefined;
  /** Settles once the whole sandbox is gone; never rejects. */
  readonly result: Promise<RunResult>;
}

export type RunState = 'starting' | 'running' | 'awaiting_llm' | 'finished';

/** Result of `Sandbox.check()`. */
export interface SandboxHealth {
  backend: BackendName;
  /** Version line of the backend binary (or Python's for unconfined-dev). */
  version: string;
  /** Whether a trivial script ran and returned its result. */
  ok: boolean;
  /** True only for the development mode without any confinement. */
  unconfined: boolean;
  /** Whether the seccomp filter is applied by this backend on this architecture. */
  seccomp: boolean;
  /** Whether `{ mode: 'full' }` can run (pasta is installed). */
  networkFull: boolean;
  /** Whether each run's memory and processes are bounded as a whole (cgroups), or why not. */
  accounting: Accounting;
  detail?: string;
}
