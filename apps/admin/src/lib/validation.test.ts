import { describe, expect, it } from 'vitest';
import {
  brokerHostsProblem,
  credentialNameProblem,
  hostLines,
  newPasswordProblem,
  passphraseStrength,
} from './validation';

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

describe('broker hosts', () => {
  it('reads one entry per line, keeping commas of port lists', () => {
    expect(hostLines(' api.stripe.com \n\n*.example.com:443,8443\n')).toEqual([
      'api.stripe.com',
      '*.example.com:443,8443',
    ]);
  });
  it('wants 1 to 20 entries and leaves the rest to the server', () => {
    expect(brokerHostsProblem([])).toMatch(/at least one host/);
    expect(brokerHostsProblem(Array.from({ length: 21 }, (_, i) => `h${i}.example.com`))).toMatch(
      /at most 20 hosts \(21 entered\)/,
    );
    expect(brokerHostsProblem(['10.0.0.1'])).toBeUndefined();
  });
});
