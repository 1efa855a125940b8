// Deterministic test contents, shared by the page and the Playwright spec (which recomputes them).

export const IMAGE_WIDTH = 256;
export const IMAGE_HEIGHT = 200;
/** Canaries are made per run by the spec (not constants), so the app's own code never contains them. */
export const CANARY_LENGTH = 16;
export const BIG_SIZE = 5 * 1024 * 1024;

/** The RGB colour of pixel (x, y), y counted from the top. */
export function pixelColor(x: number, y: number): [number, number, number] {
  const dx = x - 128;
  const dy = y - 100;
  if (dx * dx + dy * dy < 60 * 60) return [230, 120, 40]; // an orange disc
  return [Math.round((x / 255) * 80), Math.round(90 + (y / 199) * 100), 200];
}

/**
 * A 24-bit BMP of 256 x 200 (153,654 bytes: three 64 KiB segments). Its bottom pixel row (stored
 * first) repeats `canary`, so a plaintext copy anywhere is easy to find.
 */
export function makeBitmap(canary: string): Uint8Array<ArrayBuffer> {
  const rowSize = IMAGE_WIDTH * 3;
  const pixels = rowSize * IMAGE_HEIGHT;
  const out = new Uint8Array(54 + pixels);
  const view = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  view.setUint32(2, out.length, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, IMAGE_WIDTH, true);
  view.setInt32(22, IMAGE_HEIGHT, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  view.setUint32(34, pixels, true);
  for (let row = 0; row < IMAGE_HEIGHT; row++) {
    const y = IMAGE_HEIGHT - 1 - row; // BMP rows go bottom-up
    for (let x = 0; x < IMAGE_WIDTH; x++) {
      const [r, g, b] = pixelColor(x, y);
      out.set([b, g, r], 54 + row * rowSize + x * 3);
    }
  }
  out.set(new TextEncoder().encode(canary.repeat(Math.floor(rowSize / canary.length))), 54);
  return out;
}

/** BIG_SIZE bytes of 32-byte lines `<16-char canary><15 hex digits of the line number>\n`: every offset is distinct. */
export function makeBigFile(canary: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(BIG_SIZE);
  const encoder = new TextEncoder();
  for (let line = 0; line * 32 < BIG_SIZE; line++) {
    encoder.encodeInto(`${canary}${line.toString(16).padStart(15, '0')}\n`, out.subarray(line * 32, line * 32 + 32));
  }
  return out;
}
