import { describe, expect, it } from 'vitest';

/** Browsers say InvalidAccessError; Node 20 names the same DOMException InvalidAccessException. */
const EXPORT_REFUSED = ['InvalidAccessError', 'InvalidAccessException'];

/** The DOMException name of a rejected export (name is a prototype getter, so read it directly). */
async function exportError(format: 'raw' | 'jwk', key: CryptoKey): Promise<string> {
  try {
    await crypto.subtle.exportKey(format, key);
  } catch (error) {
    return (error as DOMException).name;
  }
  return 'exported';
}
import { createDbId, createFileKey, createIndexKey, createKeySet, createRecordKey } from '../../src/crypto/index.js';

describe('key creation', () => {
  it('creates a non-extractable AES-256-GCM record key for encrypt/decrypt that exportKey refuses (P4)', async () => {
    const { keyId, key } = await createRecordKey(3);
    expect(keyId).toBe(3);
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    expect([...key.usages].sort()).toEqual(['decrypt', 'encrypt']);
    expect(EXPORT_REFUSED).toContain(await exportError('raw', key));
  });

  it('creates a non-extractable HMAC-SHA-256 index key for sign only', async () => {
    const key = await createIndexKey();
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: 'HMAC', hash: { name: 'SHA-256' }, length: 256 });
    expect([...key.usages]).toEqual(['sign']);
    expect(EXPORT_REFUSED).toContain(await exportError('raw', key));
  });

  it('creates a non-extractable AES-256-GCM file key for wrapKey/unwrapKey', async () => {
    const { key } = await createFileKey(1);
    expect(key.extractable).toBe(false);
    expect([...key.usages].sort()).toEqual(['unwrapKey', 'wrapKey']);
    expect(EXPORT_REFUSED).toContain(await exportError('jwk', key));
  });

  it('creates distinct random 16-byte database ids', () => {
    const a = createDbId();
    const b = createDbId();
    expect(a.length).toBe(16);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('assembles a key set with keyId 1 and one key per index name, all non-extractable', async () => {
    const keys = await createKeySet(['A/x', 'A/y', 'A/x']);
    expect(keys.record.primary.keyId).toBe(1);
    expect(keys.record.all.get(1)).toBe(keys.record.primary.key);
    expect([...keys.index.keys()]).toEqual(['A/x', 'A/y']);
    expect(keys.index.get('A/x')).not.toBe(keys.index.get('A/y'));
    const all = [keys.record.primary.key, keys.file.key, ...keys.index.values()];
    for (const key of all) expect(key.extractable).toBe(false);
  });

  it.each([-1, 1.5, 2 ** 32])('rejects the keyId %d', async (keyId) => {
    await expect(createRecordKey(keyId)).rejects.toMatchObject({ code: 'invalid-key-id' });
    await expect(createFileKey(keyId)).rejects.toMatchObject({ code: 'invalid-key-id' });
  });
});
