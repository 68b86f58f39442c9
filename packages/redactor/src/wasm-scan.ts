/**
 * The dense part of the scan loop as a tiny hand-assembled WebAssembly function: V8's code for
 * the JavaScript loop spends several cycles per byte on bounds checks, the WebAssembly loop runs
 * close to the two dependent loads it really needs. Semantics are exactly those of the JavaScript
 * loop in session.ts (which stays as the fallback and the reference the tests compare against).
 *
 * Memory layout (one memory per compiled redactor, shared by its sessions, which is safe because
 * a scan call runs to completion synchronously):
 *   [0, 8)        out: i32 last reference loaded, i32 flag (1 = stopped on a special transition)
 *   [256, 512)    byte → class table (u8)
 *   [1024, …)     dense transition table (i32 references, as in automaton.ts)
 *   [DATA, …)     input window, WINDOW bytes
 *
 * scan(p, end, ref, sparseBase) → position: runs from address `p` to `end` while transitions stay
 * plain dense references. A "special" transition (complemented = a match ends here, or a sparse
 * state) is any value that is ≥ sparseBase when read as unsigned; the loop then stores it, sets
 * the flag and returns the address after that byte, so JavaScript handles the rare case.
 */
import type { Automaton } from './automaton.js';

const CLASS_AT = 256;
const DENSE_AT = 1024;
/** Input is copied into WebAssembly memory this many bytes at a time. */
export const WINDOW = 1 << 20;

// biome-ignore format: one line per section / instruction is how the module is read and checked.
const MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  // type section: (i32 i32 i32 i32) -> i32
  0x01, 0x09, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f,
  // import section: "m" "mem" memory, min 1 page
  0x02, 0x0a, 0x01, 0x01, 0x6d, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01,
  // function section: one function of type 0
  0x03, 0x02, 0x01, 0x00,
  // export section: "scan" = func 0
  0x07, 0x08, 0x01, 0x04, 0x73, 0x63, 0x61, 0x6e, 0x00, 0x00,
  // code section (sizes patched by assemble())
  0x0a, 0x00, 0x01, 0x00, // section id, section size, 1 body, body size
  0x01, 0x01, 0x7f, // one local: t (index 4)
  0x02, 0x40, // block
  0x03, 0x40, //   loop
  0x20, 0x00, 0x20, 0x01, 0x4f, 0x0d, 0x01, // if p >= end: break out of block
  0x20, 0x02, // ref
  0x20, 0x00, 0x2d, 0x00, 0x00, // byte = load8_u(p)
  0x2d, 0x00, 0x80, 0x02, // class = load8_u(byte + 256)
  0x6a, 0x41, 0x02, 0x74, // (ref + class) << 2
  0x28, 0x02, 0x80, 0x08, // t = load(… + 1024)
  0x22, 0x04, // local.tee t
  0x20, 0x03, 0x4f, // t >=u sparseBase ?
  0x04, 0x40, //   if
  0x41, 0x00, 0x20, 0x04, 0x36, 0x02, 0x00, // mem[0] = t
  0x41, 0x04, 0x41, 0x01, 0x36, 0x02, 0x00, // mem[4] = 1
  0x20, 0x00, 0x41, 0x01, 0x6a, 0x0f, // return p + 1
  0x0b, //   end if
  0x20, 0x04, 0x21, 0x02, // ref = t
  0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00, // p += 1
  0x0c, 0x00, // continue loop
  0x0b, // end loop
  0x0b, // end block
  0x41, 0x00, 0x20, 0x02, 0x36, 0x02, 0x00, // mem[0] = ref
  0x41, 0x04, 0x41, 0x00, 0x36, 0x02, 0x00, // mem[4] = 0
  0x20, 0x00, // return p
  0x0b, // end function
]);

/** Offset of the code section: header 8 + type 11 + import 12 + function 4 + export 10. */
const CODE_AT = 45;

function assemble(): Uint8Array {
  const bytes = MODULE.slice();
  const bodySize = bytes.length - (CODE_AT + 4);
  // Both sizes fit one LEB128 byte (< 128).
  bytes[CODE_AT + 1] = bodySize + 2;
  bytes[CODE_AT + 3] = bodySize;
  return bytes;
}

export interface WasmScanner {
  /** Runs the dense loop over `bytes[from, to)` starting at `ref`; see the module comment. */
  scan(bytes: Uint8Array, from: number, to: number, ref: number): WasmStop;
  /** Forgets the loaded window (call before scanning a new chunk). */
  forget(): void;
}

/** Where a scan call stopped: the next input index, the reference, and whether it is special. */
export interface WasmStop {
  next: number;
  ref: number;
  special: boolean;
}

/** The slice of the WebAssembly API used here (the project's `lib` has no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (limits: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
}

const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;

function module(): object | null {
  if (compiled === undefined) {
    try {
      compiled = api === undefined ? null : new api.Module(assemble());
    } catch {
      compiled = null; // no usable WebAssembly here: the JavaScript loop is used
    }
  }
  return compiled ?? null;
}

/**
 * Loads `a`'s tables into a fresh WebAssembly memory; `null` when WebAssembly is unavailable.
 *
 * @example
 * const scanner = createWasmScanner(buildAutomaton([new TextEncoder().encode('secret')]));
 */
export function createWasmScanner(a: Automaton): WasmScanner | null {
  const mod = module();
  if (mod === null || api === undefined) return null;
  const dataAt = DENSE_AT + 4 * a.dense.length;
  const pages = Math.ceil((dataAt + WINDOW) / 65536);
  let memory: { buffer: ArrayBuffer };
  let instance: { exports: Record<string, unknown> };
  try {
    memory = new api.Memory({ initial: pages, maximum: pages });
    instance = new api.Instance(mod, { m: { mem: memory } });
  } catch {
    return null; // e.g. memory refused: the JavaScript loop does the same work
  }
  const scan = instance.exports.scan as (
    p: number,
    end: number,
    ref: number,
    base: number,
  ) => number;
  const heap = new Uint8Array(memory.buffer);
  heap.set(a.byteClass, CLASS_AT);
  new Int32Array(memory.buffer, DENSE_AT, a.dense.length).set(a.dense);
  const out = new Int32Array(memory.buffer, 0, 2);
  const window = heap.subarray(dataAt, dataAt + WINDOW);
  const sparseBase = a.sparseBase;
  const stop: WasmStop = { next: 0, ref: 0, special: false };
  // The window's current content, so repeated calls over one chunk copy it only once.
  let loadedFrom: Uint8Array | null = null;
  let loadedStart = 0;
  let loadedEnd = 0;

  return {
    scan(bytes, from, to, ref) {
      if (loadedFrom !== bytes || from < loadedStart || from >= loadedEnd) {
        loadedStart = from;
        loadedEnd = Math.min(bytes.length, from + WINDOW);
        window.set(bytes.subarray(loadedStart, loadedEnd));
        loadedFrom = bytes;
      }
      const end = Math.min(to, loadedEnd);
      const base = dataAt - loadedStart;
      const next = scan(from + base, end + base, ref, sparseBase) - base;
      stop.next = next;
      stop.ref = out[0] as number;
      stop.special = out[1] === 1;
      return stop;
    },
    forget() {
      loadedFrom = null;
    },
  };
}
