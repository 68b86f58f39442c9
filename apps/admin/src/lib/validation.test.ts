import { describe, expect, it } from 'vitest';
import { credentialNameProblem, newPasswordProblem, passphraseStrength } from './validation';

describe('credentialNameProblem', () => {
  it('accepts names the server accepts', () => {
    for (const n of ['STRIPE_API_KEY', '_x', 'a1', 'A'.repeat(128)])
      expect(credentialNameProblem(n)).toBeUndefined();
  });
  it('explains what is wrong with the rest', () => {
    expect(credentialNameProblem('')).toBe('Enter a name.');
    expect(credentialNameProblem('1ABC')).toMatch(/not starting with a digit/);
    expect(credentialNameProblem('A-B')).toMatch(/letters, digits and underscores/);
    expect(credentialNameProblem('A'.repeat(129))).toMatch(/128/);
  });
});

describe('newPasswordProblem', () => {
  it('wants 12 characters and two equal entries', () => {
    expect(newPasswordProblem('short', 'short')).toMatch(/12 characters/);
    expect(newPasswordProblem('twelve chars!', 'twelve chars?')).toMatch(/do not match/);
    expect(newPasswordProblem('twelve chars!', 'twelve chars!')).toBeUndefined();
  });
});

describe('passphraseStrength', () => {
  it('ranks length first', () => {
    expect(passphraseStrength('Ab1!')).toBe('too short');
    expect(passphraseStrength('aaaaaaaaaaaaaaaa')).toBe('weak');
    expect(passphraseStrength('abcdefghijkl')).toBe('weak');
    expect(passphraseStrength('abcdefghijklmnopq')).toBe('fair');
    expect(passphraseStrength('four unrelated words here')).toBe('strong');
  });
});
