/**
 * The matching and masking engine for one output (one stream, or one whole buffer).
 *
 * Positions are absolute byte offsets in the input. Invariants after every `write`:
 * - `emitted` ≤ `safe` = `pos − depth(state)`: no future match can start before `safe`, because
 *   `depth(state)` is the length of the longest suffix of the input that is a prefix of a pattern;
 * - pending ranges are disjoint, sorted, start at or after `emitted`, and each ends at or after
 *   `safe` (a range ending before `safe` can no longer grow, so it has been released);
 * - the bytes still needed, `[heldStart, pos)`, are at most about two pattern lengths: whatever
 *   lies before `safe` has been released, except the inside of the first pending range, which
 *   will be replaced by its marker and is not kept.
 * Ranges merge when they overlap or touch, so adjacent secrets become one marker.
 */
import { type Automaton, refToState, sparseStep } from './automaton.js';
import { RedactionError } from './errors.js';

/** The compiled secret set a session matches against. */
export interface Compiled {
  readonly automaton: Automaton;
  /** Secrets of pattern `p`: `patternSecrets[patternSecretStart[p] .. patternSecretStart[p+1])`. */
  readonly patternSecretStart: Int32Array;
  readonly patternSecrets: Int32Array;
  /** The secret naming a match of pattern `p` (lowest rank among its secrets). */
  readonly patternBestSecret: Int32Array;
  /** Rank of each secret in (name, index) order; lower names the range. */
  readonly rank: Int32Array;
  readonly names: readonly string[];
  /** `[REDACTED:<NAME>]` per secret, as UTF-8. */
  readonly markers: readonly Uint8Array[];
}

interface Range {
  start: number;
  end: number;
  /** The naming match: earliest start, then longest, then lowest secret rank. */
  bestStart: number;
  bestLen: number;
  bestSecret: number;
  secrets: Set<number>;
}

/** A released piece of output: raw input bytes, or a marker (never to be cut). */
export interface Piece {
  readonly bytes: Uint8Array;
  readonly marker: boolean;
}

const EMPTY = new Uint8Array(0);

export class Session {
  /** Automaton state reference (see automaton.ts), not a state number. */
  private ref = 0;
  private pos = 0;
  private emitted = 0;
  private held: Uint8Array = EMPTY;
  private heldStart = 0;
  private readonly pending: Range[] = [];
  private pieces: Piece[] = [];
  /** Masked ranges released so far. */
  rangeCount = 0;
  readonly counts = new Map<string, number>();

  /**
   * @param rawLimit Raw input bytes at and after this position are held until `end` (for a capped
   *   output: the input position of the cap), so what `write` releases never depends on whether
   *   the capture will be cut there.
   */
  /**
   * @param holdback Live release (see `StreamOptions.holdbackBytes`): `write` releases only input
   *   at least this many bytes behind the end (and behind any partial match), and releases a
   *   masked range as soon as it starts before that point, instead of when it can no longer grow
   *   (a later overlapping match gets a marker of its own). What is withheld is then a fixed
   *   length, whatever the bytes.
   */
  constructor(
    private readonly c: Compiled,
    private readonly rawLimit = Number.POSITIVE_INFINITY,
    private readonly holdback = 0,
  ) {}

  /** Scans `bytes`, releases what can no longer be part of a match, returns released pieces. */
  write(input: Uint8Array): Piece[] {
    // A plain Uint8Array view (Buffers are a subclass): keeps the hot loop monomorphic.
    const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let buf: Uint8Array;
    if (this.held.length === 0) {
      buf = bytes;
      this.heldStart = this.pos;
    } else {
      buf = new Uint8Array(this.held.length + bytes.length);
      buf.set(this.held, 0);
      buf.set(bytes, this.held.length);
    }
    this.scan(bytes);
    if (this.holdback > 0) {
      const limit = this.pos - Math.max(this.depth(), this.holdback);
      this.release(buf, Math.min(limit, this.rawLimit), false, true);
    } else {
      this.release(buf, Math.min(this.pos - this.depth(), this.rawLimit), false);
    }
    // Keep only the bytes a later release may need (a copy: never alias the caller's buffer).
    const first = this.pending[0];
    const keepFrom = first !== undefined && first.start === this.emitted ? first.end : this.emitted;
    this.held = buf.slice(keepFrom - this.heldStart);
    this.heldStart = keepFrom;
    return this.take();
  }

  /**
   * Releases everything left. With `inputTruncated`, the input was cut by a capture limit: only
   * the bytes before `rawLimit` are released (a match that starts before it, whole), and the rest
   * is context that completed such matches. The release point is a fixed position, never the
   * length of a partial match: how much is withheld must not tell whether the tail begins a
   * secret. Needs at least `maxPatternLength − 1` bytes of context past `rawLimit`.
   */
  end(inputTruncated: boolean): { pieces: Piece[]; withheldBytes: number } {
    let cut = this.pos;
    if (inputTruncated) {
      if (!Number.isFinite(this.rawLimit)) {
        throw new RedactionError('redactor: inputTruncated needs maxOutputBytes');
      }
      if (this.pos < this.rawLimit + this.c.automaton.maxPatternLength - 1) {
        // A secret straddling the limit might be incomplete: release nothing (fail closed).
        throw new RedactionError('redactor: input cut with too little context past the cap');
      }
      cut = this.rawLimit;
    }
    this.release(this.held, cut, true);
    const withheldBytes = Math.max(0, this.pos - this.emitted);
    this.held = EMPTY;
    return { pieces: this.take(), withheldBytes };
  }

  /** Length of the longest input suffix that is a prefix of some pattern. */
  private depth(): number {
    const a = this.c.automaton;
    return a.depth[refToState(a, this.ref)] as number;
  }

  private take(): Piece[] {
    const out = this.pieces;
    this.pieces = [];
    return out;
  }

  /** The scan loop: two loads per byte (class, transition) while in a dense state. */
  private scan(bytes: Uint8Array): void {
    const a = this.c.automaton;
    const dense = a.dense;
    const byteClass = a.byteClass;
    const sparseBase = a.sparseBase;
    const base = this.pos;
    const n = bytes.length;
    let s = this.ref;
    for (let i = 0; i < n; i++) {
      const b = bytes[i] as number;
      let t =
        s < sparseBase ? (dense[s + (byteClass[b] as number)] as number) : sparseStep(a, s, b);
      if (t < 0) {
        t = ~t;
        this.onMatch(refToState(a, t), base + i + 1);
      }
      s = t;
    }
    this.ref = s;
    this.pos = base + n;
  }

  /** Records every pattern ending at `end` in state `t` into the pending ranges. */
  private onMatch(t: number, end: number): void {
    const a = this.c.automaton;
    let u = (a.terminal[t] as number) >= 0 ? t : (a.outputLink[t] as number);
    // The first terminal on the chain is the longest pattern ending here: the earliest start.
    const len = a.depth[u] as number;
    const start = end - len;
    const bestSecret = this.c.patternBestSecret[a.terminal[u] as number] as number;
    const pending = this.pending;
    let r = pending[pending.length - 1];
    if (r !== undefined && r.end >= start) {
      r.end = end;
      this.offerBest(r, start, len, bestSecret);
    } else {
      r = { start, end, bestStart: start, bestLen: len, bestSecret, secrets: new Set() };
      pending.push(r);
    }
    if (start < r.start) r.start = start;
    // Fold earlier ranges this match now touches (its start may precede theirs' ends).
    while (pending.length > 1) {
      const prev = pending[pending.length - 2] as Range;
      if (prev.end < r.start) break;
      pending.splice(pending.length - 2, 1);
      if (prev.start < r.start) r.start = prev.start;
      this.offerBest(r, prev.bestStart, prev.bestLen, prev.bestSecret);
      for (const id of prev.secrets) r.secrets.add(id);
    }
    const { patternSecretStart, patternSecrets } = this.c;
    for (; u >= 0; u = a.outputLink[u] as number) {
      const p = a.terminal[u] as number;
      const to = patternSecretStart[p + 1] as number;
      for (let k = patternSecretStart[p] as number; k < to; k++) {
        r.secrets.add(patternSecrets[k] as number);
      }
    }
  }

  private offerBest(r: Range, start: number, len: number, secret: number): void {
    const rank = this.c.rank;
    if (
      start < r.bestStart ||
      (start === r.bestStart &&
        (len > r.bestLen ||
          (len === r.bestLen && (rank[secret] as number) < (rank[r.bestSecret] as number))))
    ) {
      r.bestStart = start;
      r.bestLen = len;
      r.bestSecret = secret;
    }
  }

  /**
   * Releases, from `buf` (holding `[heldStart, …)`), every range that can no longer grow and the
   * unmatched bytes before `limit`. With `final` (or `eager`), every range starting before
   * `limit` is released.
   */
  private release(buf: Uint8Array, limit: number, final: boolean, eager = false): void {
    const pending = this.pending;
    while (pending.length > 0) {
      const r = pending[0] as Range;
      if (final || eager ? r.start >= limit : r.end >= limit) break;
      pending.shift();
      this.emitRaw(buf, this.emitted, r.start);
      this.emitMarker(r);
      this.emitted = Math.max(this.emitted, r.end);
    }
    if (final) {
      // Ranges inside a withheld tail are never released, but the audit still counts them.
      for (const r of pending.splice(0)) this.count(r);
    }
    const first = pending[0];
    const rawEnd = first !== undefined && first.start < limit ? first.start : limit;
    if (rawEnd > this.emitted) {
      this.emitRaw(buf, this.emitted, rawEnd);
      this.emitted = rawEnd;
    }
  }

  private count(r: Range): void {
    const seen = new Set<string>();
    for (const id of r.secrets) seen.add(this.c.names[id] as string);
    for (const name of seen) this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    this.rangeCount++;
  }

  private emitMarker(r: Range): void {
    this.count(r);
    this.pieces.push({ bytes: this.c.markers[r.bestSecret] as Uint8Array, marker: true });
  }

  private emitRaw(buf: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    const off = from - this.heldStart;
    this.pieces.push({ bytes: buf.subarray(off, off + (to - from)), marker: false });
  }
}
