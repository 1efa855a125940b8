import { ValidationError } from '../core/errors.js';

/** What `files.put` accepts. */
export type FileSource = Blob | ReadableStream<Uint8Array>;

/** One plaintext segment of a source, with whether it is the final one. */
export interface SourceSegment {
  index: number;
  bytes: Uint8Array;
  last: boolean;
}

function tooLarge(maxSize: number, context: Readonly<Record<string, unknown>>): ValidationError {
  return new ValidationError('file-too-large', `File is larger than the limit of ${maxSize} bytes`, { ...context, maxSize });
}

async function* blobSegments(blob: Blob, segmentSize: number): AsyncGenerator<SourceSegment> {
  const count = Math.max(1, Math.ceil(blob.size / segmentSize));
  for (let i = 0; i < count; i++) {
    const part = blob.slice(i * segmentSize, Math.min(blob.size, (i + 1) * segmentSize));
    yield { index: i, bytes: new Uint8Array(await part.arrayBuffer()), last: i === count - 1 };
  }
}

/**
 * Re-chunks a byte stream into segments of exactly `segmentSize` bytes (the last 1..segmentSize,
 * or 0 for an empty stream). One full segment is held back until the next byte arrives, because
 * only then is it known not to be the last. Cancels the stream when abandoned early.
 */
async function* streamSegments(stream: ReadableStream<Uint8Array>, segmentSize: number): AsyncGenerator<SourceSegment> {
  const reader = stream.getReader();
  let done = false;
  try {
    let index = 0;
    let held: Uint8Array | undefined;
    let buf = new Uint8Array(segmentSize);
    let fill = 0;
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      const chunk: unknown = r.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new ValidationError('invalid-file-source', 'A file stream must yield Uint8Array chunks', { rule: 'chunk-type' });
      }
      let at = 0;
      while (at < chunk.length) {
        if (fill === segmentSize) {
          if (held !== undefined) yield { index: index++, bytes: held, last: false };
          held = buf;
          buf = new Uint8Array(segmentSize);
          fill = 0;
        }
        const n = Math.min(segmentSize - fill, chunk.length - at);
        buf.set(chunk.subarray(at, at + n), fill);
        fill += n;
        at += n;
      }
    }
    done = true;
    if (held !== undefined && fill > 0) {
      yield { index: index++, bytes: held, last: false };
      held = undefined;
    }
    if (held !== undefined) yield { index, bytes: held, last: true };
    else yield { index, bytes: buf.subarray(0, fill), last: true };
  } finally {
    if (done) reader.releaseLock();
    else await reader.cancel().catch(() => undefined);
  }
}

/**
 * The segments of a Blob or byte stream, in order. Throws ValidationError 'file-too-large' as soon
 * as more than `maxSize` bytes were seen (a Blob is checked before anything is read), and
 * 'invalid-file-source' for anything but a Blob or a ReadableStream of Uint8Array.
 */
export async function* segmentsOf(
  source: FileSource,
  segmentSize: number,
  maxSize: number,
  context: Readonly<Record<string, unknown>>,
): AsyncGenerator<SourceSegment> {
  let inner: AsyncGenerator<SourceSegment>;
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    if (source.size > maxSize) throw tooLarge(maxSize, { ...context, size: source.size });
    inner = blobSegments(source, segmentSize);
  } else if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    inner = streamSegments(source, segmentSize);
  } else {
    throw new ValidationError('invalid-file-source', 'File contents must be a Blob or a ReadableStream of bytes', { ...context, rule: 'source-type' });
  }
  let total = 0;
  try {
    for (;;) {
      const r = await inner.next();
      if (r.done) return;
      total += r.value.bytes.length;
      if (total > maxSize) throw tooLarge(maxSize, context);
      yield r.value;
    }
  } finally {
    await inner.return(undefined);
  }
}
