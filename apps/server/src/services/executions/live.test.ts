import { createRedactor } from '@airlock/redactor';
import { describe, expect, it } from 'vitest';
import { LIVE_HOLDBACK_BYTES, type LiveEvent, LiveRun } from './live.js';

const redactor = createRedactor([{ name: 'K', value: 'live-secret-0123456789' }]);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LiveRun', () => {
  it('batches tiny writes into few events, keeps order, resumes after an id', async () => {
    const run = new LiveRun();
    run.status('running');
    run.begin(redactor, 1 << 20);
    for (let i = 0; i < 2000; i++) run.output('stdout', Buffer.from(`${i}\n`));
    await wait(80);
    const seen: LiveEvent[] = [];
    run.subscribe(0, (e) => seen.push(e));
    const outputs = seen.filter((e) => e.event === 'stdout');
    expect(outputs.length).toBeLessThanOrEqual(2);
    run.end({ status: 'completed' });
    const text = seen
      .filter((e) => e.event === 'stdout')
      .map((e) => (e.data as { text: string }).text)
      .join('');
    expect(text).toBe(Array.from({ length: 2000 }, (_, i) => `${i}\n`).join(''));
    expect(seen.at(-1)?.event).toBe('end');
    expect(seen.map((e) => e.id)).toEqual(seen.map((_, i) => i + 1));
    const after: LiveEvent[] = [];
    run.subscribe(2, (e) => after.push(e));
    expect(after.map((e) => e.id)).toEqual(seen.slice(2).map((e) => e.id));
  });

  it('holds back a fixed length until the end, and masks a secret there', async () => {
    const run = new LiveRun();
    run.begin(redactor, 1 << 20);
    const seen: LiveEvent[] = [];
    run.subscribe(0, (e) => seen.push(e));
    run.output('stdout', Buffer.from(`${'a'.repeat(1000)}live-secret-0123456789`));
    await wait(80);
    const live = seen.map((e) => (e.data as { text: string }).text).join('');
    expect(live).toBe('a'.repeat(1000 + 22 - LIVE_HOLDBACK_BYTES));
    run.end({});
    const all = seen
      .filter((e) => e.event === 'stdout')
      .map((e) => (e.data as { text: string }).text)
      .join('');
    expect(all).toBe(`${'a'.repeat(1000)}[REDACTED:K]`);
  });
});
