import { describe, expect, it } from 'vitest';
import {
  generateSetupCode,
  normalizeSetupCode,
  SETUP_CODE_BITS,
  verifySetupCode,
} from './index.js';

const CODE_RE = /^[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){6}$/;

describe('generateSetupCode', () => {
  it('is seven groups of four Crockford base32 symbols, 128+ bits', () => {
    expect(SETUP_CODE_BITS).toBeGreaterThanOrEqual(128);
    for (let i = 0; i < 1000; i++) expect(generateSetupCode()).toMatch(CODE_RE);
  });

  it('is distinct and uses the whole alphabet', () => {
    const codes = Array.from({ length: 2000 }, () => generateSetupCode());
    expect(new Set(codes).size).toBe(codes.length);
    const symbols = new Set(codes.join('').replace(/-/g, ''));
    expect(symbols.size).toBe(32);
  });
});

describe('verifySetupCode', () => {
  const code = generateSetupCode();
  const raw = code.replace(/-/g, '');

  it('accepts the code as printed, and as typed by a human', () => {
    expect(verifySetupCode(code, code)).toBe(true);
    expect(verifySetupCode(code.toLowerCase(), code)).toBe(true);
    expect(verifySetupCode(raw, code)).toBe(true);
    expect(verifySetupCode(code.replace(/-/g, ' '), code)).toBe(true);
    expect(verifySetupCode(`  ${code}\n`, code)).toBe(true);
    expect(verifySetupCode(raw.match(/.{2}/g)?.join(' '), code)).toBe(true);
  });

  it('reads O as 0 and I/L as 1', () => {
    const fixed = 'A0B1-C0D1-E0F1-G0H1-J0K1-M0N1-P0Q1';
    expect(verifySetupCode('aOb1-cOdI-eOfL-gOh1-j0k1-m0n1-p0q1', fixed)).toBe(true);
    expect(normalizeSetupCode('aOb1 cOdI eOfL gOh1 j0k1 m0n1 p0q1')).toBe(fixed.replace(/-/g, ''));
  });

  it('rejects a wrong code and any single changed symbol', () => {
    expect(verifySetupCode(generateSetupCode(), code)).toBe(false);
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i] === '7' ? '8' : '7';
      expect(verifySetupCode(raw.slice(0, i) + c + raw.slice(i + 1), code)).toBe(false);
    }
  });

  it('rejects malformed input without throwing', () => {
    const bad: unknown[] = [
      '',
      'ABCD-EFGH',
      raw.slice(1), // one symbol missing
      `${raw}A`, // one symbol extra
      `U${raw.slice(1)}`, // U is not in the alphabet
      `${raw.slice(0, 27)}!`,
      undefined,
      null,
      1234,
      { code },
      'A'.repeat(1_000_000),
    ];
    for (const input of bad) expect(verifySetupCode(input, code)).toBe(false);
  });

  it('throws when the expected code itself is malformed (a server bug)', () => {
    expect(() => verifySetupCode(code, 'not a code')).toThrow(TypeError);
  });
});
