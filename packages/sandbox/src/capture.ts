/** Output capture of one run: each stream is kept up to its cap; the stream that hit it is cut. */
export type Stream = 'stdout' | 'stderr';

export class OutputCapture {
  readonly #cap: number;
  readonly #chunks: Record<Stream, Buffer[]> = { stdout: [], stderr: [] };
  readonly #size: Record<Stream, number> = { stdout: 0, stderr: 0 };
  readonly #cut: Record<Stream, boolean> = { stdout: false, stderr: false };

  constructor(capBytes: number) {
    this.#cap = capBytes;
  }

  /**
   * Keeps what fits of `chunk`; returns the part kept (possibly empty) and whether this chunk
   * went past the cap (the stream is then cut, and stays so).
   */
  push(stream: Stream, chunk: Buffer): { kept: Buffer; overflow: boolean } {
    const room = this.#cap - this.#size[stream];
    if (room <= 0) return { kept: chunk.subarray(0, 0), overflow: false };
    const overflow = chunk.length > room;
    const kept = overflow ? chunk.subarray(0, room) : chunk;
    this.#chunks[stream].push(kept);
    this.#size[stream] += kept.length;
    if (overflow) this.#cut[stream] = true;
    return { kept, overflow };
  }

  /** Appends a diagnostic of the runner's own (spawn failures) to stderr, outside the cap. */
  note(text: string): void {
    this.#chunks.stderr.push(Buffer.from(text));
  }

  bytes(stream: Stream): Buffer {
    return Buffer.concat(this.#chunks[stream]);
  }

  cut(): { stdout: boolean; stderr: boolean } {
    return { ...this.#cut };
  }
}
