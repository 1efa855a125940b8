import { randomBytes } from 'node:crypto';
import type { AppSpec } from 'offline-vault/app';

/** App definition used by the store suites: strings in plain and indexed attributes. */
export const NOTES_APP: AppSpec = {
  entities: {
    'Test.Note': {
      attributes: { Title: 'string', Body: 'string', Tag: 'string', Count: 'integer' },
      indexes: ['Title', 'Tag'],
    },
    'Test.Counter': { attributes: { A: 'integer', B: 'integer', Label: 'string' } },
  },
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `n` distinct random 16-character canaries (alphanumeric, so any plaintext copy is recognisable). */
export function makeCanaries(n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) {
    out.add(Array.from(randomBytes(16), (b) => ALPHABET[b % ALPHABET.length]).join(''));
  }
  return [...out];
}
