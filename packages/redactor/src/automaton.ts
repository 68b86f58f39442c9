/**
 * A byte-level Aho-Corasick automaton laid out in flat typed arrays so the scanning loop is a
 * couple of array loads per byte.
 *
 * States are numbered in breadth-first order, so every state's failure target has a smaller
 * number and the shallow states (where a scan spends nearly all its time) come first. States
 * `[0, denseCount)` get a full transition row (a DFA over byte classes: one load per byte);
 * deeper states, which are nearly always single-child chains, keep only their trie children and
 * fall back through failure links, which keeps memory linear in the total pattern length.
 *
 * The scanning loop does not carry a state number but a state *reference*: `state * classCount`
 * for a dense state (the offset of its row, so no multiply on the hot path) and
 * `denseCount * classCount + (state − denseCount)` for a sparse one. A transition stores the
 * target's reference, complemented (`~ref`, negative) when the target ends at least one pattern,
 * so the loop learns "a match ends here" from the sign of the value it already loaded.
 */

/** Upper bound of dense table entries (Int32): 4 Mi entries = 16 MiB. */
const DEFAULT_DENSE_ENTRIES = 1 << 22;

export interface Automaton {
  /** Byte → class; class 0 means "in no pattern". */
  readonly byteClass: Uint8Array;
  readonly classCount: number;
  readonly stateCount: number;
  /** States below this number have a dense row in `dense`. */
  readonly denseCount: number;
  /** `denseCount * classCount` encoded transitions (references, complemented on output). */
  readonly dense: Int32Array;
  /** `denseCount * classCount`: references at or above it are sparse states. */
  readonly sparseBase: number;
  /** Trie children of a state are the contiguous states `[childStart, childStart + childCount)`. */
  readonly childStart: Int32Array;
  readonly childCount: Uint16Array;
  /** The byte on the trie edge into each state. */
  readonly label: Uint8Array;
  readonly fail: Int32Array;
  /** Length of the string a state stands for (= pattern length for terminal states). */
  readonly depth: Int32Array;
  /** Pattern ending exactly at the state, or -1. Patterns are distinct, so at most one. */
  readonly terminal: Int32Array;
  /** Nearest terminal state along the failure chain (excluding the state itself), or -1. */
  readonly outputLink: Int32Array;
  readonly hasOutput: Uint8Array;
  readonly maxPatternLength: number;
}

export interface BuildOptions {
  /** Budget for the dense table, in entries (tests lower it to exercise the sparse path). */
  readonly maxDenseEntries?: number;
}

/**
 * Builds the automaton for distinct, non-empty byte patterns; pattern `i` is reported as `i`.
 *
 * @example
 * const a = buildAutomaton([new TextEncoder().encode('secret')]);
 * a.maxPatternLength; // 6
 */
export function buildAutomaton(
  patterns: readonly Uint8Array[],
  options: BuildOptions = {},
): Automaton {
  let total = 0;
  let maxPatternLength = 0;
  const used = new Uint8Array(256);
  for (const p of patterns) {
    if (p.length === 0) throw new Error('buildAutomaton: empty pattern');
    total += p.length;
    if (p.length > maxPatternLength) maxPatternLength = p.length;
    for (const b of p) used[b] = 1;
  }
  if (total + 1 > 0x7fffffff) throw new Error('buildAutomaton: patterns too large');

  // Byte classes: each byte used by a pattern gets its own class, all others share class 0.
  const byteClass = new Uint8Array(256);
  let classCount = 1;
  for (let b = 0; b < 256; b++) if (used[b]) byteClass[b] = classCount++;

  // 1. Trie with first-child / next-sibling lists (construction numbering).
  const cap = total + 1;
  const tFirst = new Int32Array(cap).fill(-1);
  const tNext = new Int32Array(cap).fill(-1);
  const tLabel = new Uint8Array(cap);
  const tTerminal = new Int32Array(cap).fill(-1);
  let nodes = 1;
  patterns.forEach((p, id) => {
    let n = 0;
    for (const b of p) {
      let c = tFirst[n] as number;
      while (c >= 0 && tLabel[c] !== b) c = tNext[c] as number;
      if (c < 0) {
        c = nodes++;
        tLabel[c] = b;
        tNext[c] = tFirst[n] as number;
        tFirst[n] = c;
      }
      n = c;
    }
    if ((tTerminal[n] as number) >= 0) throw new Error('buildAutomaton: duplicate pattern');
    tTerminal[n] = id;
  });

  // 2. Breadth-first renumbering: children of a state become contiguous.
  const order = new Int32Array(nodes); // new id → construction id
  const childStart = new Int32Array(nodes);
  const childCount = new Uint16Array(nodes);
  const depth = new Int32Array(nodes);
  const label = new Uint8Array(nodes);
  const terminal = new Int32Array(nodes);
  let tail = 1;
  for (let s = 0; s < nodes; s++) {
    const old = order[s] as number;
    label[s] = tLabel[old] as number;
    terminal[s] = tTerminal[old] as number;
    childStart[s] = tail;
    let count = 0;
    for (let c = tFirst[old] as number; c >= 0; c = tNext[c] as number) {
      order[tail++] = c;
      depth[tail - 1] = (depth[s] as number) + 1;
      count++;
    }
    childCount[s] = count;
  }

  // 3. Failure links, output links and dense rows, in breadth-first order.
  const denseBudget = options.maxDenseEntries ?? DEFAULT_DENSE_ENTRIES;
  const denseCount = Math.max(1, Math.min(nodes, Math.floor(denseBudget / classCount)));
  const dense = new Int32Array(denseCount * classCount);
  const fail = new Int32Array(nodes);
  const outputLink = new Int32Array(nodes).fill(-1);
  const hasOutput = new Uint8Array(nodes);

  // Decoded goto(s, b) for a state whose row (if dense) or ancestors are already complete.
  const gotoState = (from: number, b: number): number => {
    let s = from;
    while (s >= denseCount) {
      const start = childStart[s] as number;
      const end = start + (childCount[s] as number);
      for (let c = start; c < end; c++) if (label[c] === b) return c;
      s = fail[s] as number;
    }
    const t = dense[s * classCount + (byteClass[b] as number)] as number;
    return refToStateRaw(t < 0 ? ~t : t, denseCount, classCount);
  };

  for (let s = 0; s < nodes; s++) {
    const start = childStart[s] as number;
    const end = start + (childCount[s] as number);
    for (let c = start; c < end; c++) {
      const f = s === 0 ? 0 : gotoState(fail[s] as number, label[c] as number);
      fail[c] = f;
      outputLink[c] = (terminal[f] as number) >= 0 ? f : (outputLink[f] as number);
      hasOutput[c] = (terminal[c] as number) >= 0 || (outputLink[c] as number) >= 0 ? 1 : 0;
    }
    if (s < denseCount) {
      const row = s * classCount;
      if (s !== 0) {
        // fail[s] < s, so its row is complete; start from it and override with own children.
        const fRow = (fail[s] as number) * classCount;
        dense.copyWithin(row, fRow, fRow + classCount);
      }
      for (let c = start; c < end; c++) {
        const ref = c < denseCount ? c * classCount : denseCount * classCount + (c - denseCount);
        dense[row + (byteClass[label[c] as number] as number)] = hasOutput[c] ? ~ref : ref;
      }
    }
  }

  return {
    byteClass,
    classCount,
    stateCount: nodes,
    denseCount,
    dense,
    sparseBase: denseCount * classCount,
    childStart,
    childCount,
    label,
    fail,
    depth,
    terminal,
    outputLink,
    hasOutput,
    maxPatternLength,
  };
}

function refToStateRaw(ref: number, denseCount: number, classCount: number): number {
  const base = denseCount * classCount;
  return ref < base ? ref / classCount : ref - base + denseCount;
}

/** The state number of a (non-complemented) reference. */
export function refToState(a: Automaton, ref: number): number {
  return ref < a.sparseBase ? ref / a.classCount : ref - a.sparseBase + a.denseCount;
}

/**
 * Encoded transition (a reference, complemented on output) from a sparse state's reference
 * (`ref >= sparseBase`): walks trie children and failure links down to a dense state. Amortised
 * O(1) per byte, like any Aho-Corasick failure walk.
 */
export function sparseStep(a: Automaton, ref: number, b: number): number {
  const { childStart, childCount, label, fail, hasOutput, denseCount, sparseBase } = a;
  let s = ref - sparseBase + denseCount;
  while (s >= denseCount) {
    const start = childStart[s] as number;
    const end = start + (childCount[s] as number);
    for (let c = start; c < end; c++) {
      if (label[c] === b) {
        const r = c < denseCount ? c * a.classCount : sparseBase + (c - denseCount);
        return hasOutput[c] ? ~r : r;
      }
    }
    s = fail[s] as number;
  }
  return a.dense[s * a.classCount + (a.byteClass[b] as number)] as number;
}
