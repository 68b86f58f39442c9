import { describe, expect, it } from 'vitest';
import { LineSplitter, parseMessage } from './channel.js';

describe('LineSplitter', () => {
  it('splits across chunk boundaries', () => {
    const s = new LineSplitter(100);
    expect(s.push(Buffer.from('{"a":'))).toEqual([]);
    const lines = s.push(Buffer.from('1}\n{"b":2}\n{"c"'));
    expect(lines?.map(String)).toEqual(['{"a":1}', '{"b":2}']);
    expect(s.push(Buffer.from(':3}\n'))?.map(String)).toEqual(['{"c":3}']);
  });

  it('refuses a line over the bound, even without a newline yet', () => {
    expect(new LineSplitter(10).push(Buffer.from('x'.repeat(11)))).toBeNull();
    const s = new LineSplitter(10);
    expect(s.push(Buffer.from('x'.repeat(8)))).toEqual([]);
    expect(s.push(Buffer.from('xxxx\n'))).toBeNull();
  });
});

describe('parseMessage', () => {
  const p = (s: string) => parseMessage(Buffer.from(s));
  it('accepts the protocol', () => {
    expect(p('{"t":"started"}')).toEqual({ t: 'started' });
    expect(p('{"t":"result","value":{"a":[1]}}')).toEqual({ t: 'result', value: { a: [1] } });
    expect(p('{"t":"llm","prompt":"q","model":"m"}')).toEqual({
      t: 'llm',
      prompt: 'q',
      model: 'm',
    });
    expect(p('{"t":"done","status":"limit","limit":"memory","error":"e"}')).toEqual({
      t: 'done',
      status: 'limit',
      limit: 'memory',
      error: 'e',
    });
  });
  it('rejects everything else', () => {
    for (const bad of [
      'not json',
      '[1]',
      '{"t":"exec","cmd":"rm"}',
      '{"t":"llm","prompt":1,"model":"m"}',
      '{"t":"done","status":"limit","limit":"everything","error":"e"}',
      '{"t":"done","status":"error"}',
      '{"t":"result"}',
    ]) {
      expect(p(bad)).toHaveProperty('invalid');
    }
  });
});
