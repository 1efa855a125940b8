import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload } from '../../src/crypto/index.js';
import { CANARY, encoder } from './fixtures.js';

describe('payload codec', () => {
  it.each([
    ['an object', { name: 'Zoë', total: 12.5, tags: ['a', 'b'], nested: { ok: true, none: null } }],
    ['a string with emoji', '🚀 注文'],
    ['a number', -0.125],
    ['null', null],
    ['an empty array', []],
    ['a lone surrogate (escaped by JSON.stringify)', 'a\uD800b'],
  ])('round-trips %s', (_name, value) => {
    expect(decodePayload(encodePayload(value))).toEqual(value);
  });

  it('encodes UTF-8 JSON', () => {
    expect(encodePayload({ a: 'é' })).toEqual(encoder.encode('{"a":"é"}'));
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a bigint', { n: 1n }],
  ])('rejects %s with ValidationError unencodable-payload', (_name, value) => {
    expect(() => encodePayload(value)).toThrow(expect.objectContaining({ name: 'ValidationError', code: 'unencodable-payload' }));
  });

  it('rejects a cyclic value without naming its contents', () => {
    const cyclic: Record<string, unknown> = { [CANARY]: 1 };
    cyclic['self'] = cyclic;
    let caught: unknown;
    try {
      encodePayload(cyclic);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'unencodable-payload' });
    expect(JSON.stringify(caught)).not.toContain(CANARY);
    expect((caught as Error).cause).toBeUndefined();
  });

  it.each([
    ['invalid JSON', encoder.encode(`{"secret":"${CANARY}"`)],
    ['invalid UTF-8', Uint8Array.of(0x7b, 0xff, 0x7d)],
  ])('rejects %s with IntegrityError bad-payload that quotes nothing', (_name, bytes) => {
    let caught: unknown;
    try {
      decodePayload(bytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'IntegrityError', code: 'bad-payload' });
    expect((caught as Error).message).not.toContain(CANARY);
    expect((caught as Error).cause).toBeUndefined();
  });
});
