/**
 * A pool of host uids, one leased per concurrent run. RLIMIT_NPROC counts processes per uid, so
 * two runs sharing a uid would share one process budget (and could signal each other's
 * processes); a uid per slot keeps them apart. A uid returns to the pool only after every
 * process of the run is gone.
 */
export class UidPool {
  readonly #free: number[];
  readonly #waiters: Array<(uid: number) => void> = [];
  readonly base: number;
  readonly size: number;

  /**
   * @example
   * const pool = new UidPool(60000, 16); // uids 60000..60015
   * const uid = await pool.acquire(); try { ... } finally { pool.release(uid); }
   */
  constructor(base: number, size: number) {
    if (!Number.isInteger(base) || base < 1000 || base + size > 2 ** 31 - 2) {
      throw new Error(
        `UidPool: uid base ${base} must be an integer >= 1000 (never root or system uids)`,
      );
    }
    if (!Number.isInteger(size) || size < 1) throw new Error(`UidPool: size ${size} must be >= 1`);
    this.base = base;
    this.size = size;
    this.#free = Array.from({ length: size }, (_, i) => base + i);
  }

  /** Every uid of the pool (for scanning /proc for leftovers). */
  uids(): number[] {
    return Array.from({ length: this.size }, (_, i) => this.base + i);
  }

  /** Called when a run starts waiting for a uid (the warm pool gives one of its own back). */
  onShortage: (() => void) | undefined;
  /** Called when a uid becomes free with nobody waiting (the warm pool may use it). */
  onFree: (() => void) | undefined;

  /** Resolves with a free uid; waits (FIFO) while all are leased. */
  acquire(): Promise<number> {
    const uid = this.#free.shift();
    if (uid !== undefined) return Promise.resolve(uid);
    const waiting = new Promise<number>((resolve) => this.#waiters.push(resolve));
    this.onShortage?.();
    return waiting;
  }

  /** A free uid now, or undefined (never waits: for what may as well not start). */
  tryAcquire(): number | undefined {
    return this.#waiters.length > 0 ? undefined : this.#free.shift();
  }

  release(uid: number): void {
    const next = this.#waiters.shift();
    if (next) next(uid);
    else {
      this.#free.push(uid);
      this.onFree?.();
    }
  }
}
