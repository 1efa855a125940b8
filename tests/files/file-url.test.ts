import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { fileUrl, parseFileUrl } from '../../src/files/index.js';
import { openFilesVault } from './file-fixture.js';

describe('file URLs', () => {
  it.each([
    ['sales', 'a1b2'],
    ['team/one', 'id with spaces'],
    ['ünï', '%2F?#'],
  ])('vault %j and id %j round-trip through one path segment each', (vault, id) => {
    const url = fileUrl('/vault-files/', vault, id);
    expect(url.startsWith('/vault-files/')).toBe(true);
    expect(url.slice('/vault-files/'.length).split('/')).toHaveLength(2);
    expect(parseFileUrl('/vault-files/', new URL(url, 'https://x.test').pathname)).toEqual({ vault, id });
  });

  it.each(['/vault-files/', '/vault-files/only', '/vault-files/a/b/c', '/other/a/b', '/vault-files/%E0%A4%A/x'])(
    '%s is not a file URL',
    (path) => {
      expect(parseFileUrl('/vault-files/', path)).toBeUndefined();
    },
  );

  it('vault.files.url names the vault and object under the configured prefix', async () => {
    const { vault } = await openFilesVault({ files: { urlPrefix: '/app/files/' } });
    try {
      expect(vault.files.url('obj-1')).toBe('/app/files/files/obj-1');
      expect(() => vault.files.url('')).toThrow(ValidationError);
    } finally {
      vault.close();
    }
  });

  it('the default prefix is /vault-files/', async () => {
    const { vault } = await openFilesVault();
    try {
      expect(vault.files.url('x')).toBe('/vault-files/files/x');
    } finally {
      vault.close();
    }
  });

  it('a prefix without slashes at both ends is rejected', () => {
    expect(() => fileUrl('vault-files', 'v', 'x')).toThrow(ValidationError);
  });
});
