import { describe, expect, it } from 'vitest';
import { OutputCapture } from './capture.js';
import { RunClock } from './run-clock.js';

describe('RunClock', () => {
  it('counts running time without LLM waits, the current wait included', () => {
    const c = new RunClock();
    expect(c.runningMs(50)).toBe(0);
    c.start(100);
    c.pause(300);
    expect(c.runningMs(400)).toBe(200);
    expect(c.waitedMs(400)).toBe(100);
    c.pause(450); // a second pause while paused changes nothing
    c.resume(500);
    c.resume(550); // nor a second resume
    expect(c.runningMs(700)).toBe(400);
    expect(c.waitedMs(700)).toBe(200);
  });
});

describe('OutputCapture', () => {
  it('keeps each stream up to the cap, cuts only the stream that went past it', () => {
    const cap = new OutputCapture(5);
    expect(cap.push('stdout', Buffer.from('abc')).overflow).toBe(false);
    const over = cap.push('stdout', Buffer.from('defg'));
    expect(over).toEqual({ kept: Buffer.from('de'), overflow: true });
    expect(cap.push('stdout', Buffer.from('h')).kept.length).toBe(0);
    cap.push('stderr', Buffer.from('12345'));
    expect(cap.bytes('stdout').toString()).toBe('abcde');
    expect(cap.bytes('stderr').toString()).toBe('12345');
    expect(cap.cut()).toEqual({ stdout: true, stderr: false });
    cap.note(' spawn failed');
    expect(cap.bytes('stderr').toString()).toBe('12345 spawn failed');
  });
});
