/**
 * A pull-based ReadableStream over an async generator of byte chunks: the next chunk is produced
 * only when the consumer asks for it (high-water mark 0), so nothing is read ahead of demand.
 * Empty chunks are skipped; a generator error errors the stream after every earlier chunk was
 * delivered; cancelling the stream ends the generator.
 */
export function toByteStream(chunks: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const r = await chunks.next();
            if (r.done) {
              controller.close();
              return;
            }
            if (r.value.length > 0) {
              controller.enqueue(r.value);
              return;
            }
          }
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
