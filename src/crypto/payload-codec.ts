import { IntegrityError, ValidationError } from '../core/errors.js';

/**
 * Record payload codec: UTF-8 JSON. Key order follows the object (not canonical); the envelope
 * authenticates the bytes, so no canonical form is needed to verify them.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 JSON bytes of `value`. Throws ValidationError 'unencodable-payload' (no value in it). */
export function encodePayload(value: unknown): Uint8Array {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    // No cause: engine messages may quote property names of the record.
    throw new ValidationError('unencodable-payload', 'Payload cannot be encoded as JSON', {
      rule: error instanceof Error ? error.name : 'unknown',
    });
  }
  if (json === undefined) {
    throw new ValidationError('unencodable-payload', 'Payload cannot be encoded as JSON', { rule: 'undefined' });
  }
  return encoder.encode(json);
}

/** Parses payload bytes. Throws IntegrityError 'bad-payload' without quoting the bytes. */
export function decodePayload(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    // No cause: JSON.parse messages quote the input text.
    throw new IntegrityError('bad-payload', 'Decrypted payload is not valid UTF-8 JSON');
  }
}
