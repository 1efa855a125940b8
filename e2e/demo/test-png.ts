// A PNG with known pixel colours, encoded in Node (zlib) for upload through a file input.
import { deflateSync } from 'node:zlib';

export const PNG_WIDTH = 64;
export const PNG_HEIGHT = 48;

/** Four quadrants: red, green / blue, amber (top-left, top-right / bottom-left, bottom-right). */
export function quadrantColor(x: number, y: number): [number, number, number] {
  const right = x >= PNG_WIDTH / 2;
  const bottom = y >= PNG_HEIGHT / 2;
  if (!bottom) return right ? [20, 170, 60] : [220, 30, 40];
  return right ? [245, 180, 0] : [30, 70, 210];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, k) => {
  let c = k;
  for (let i = 0; i < 8; i++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** The quadrant image as an 8-bit RGB PNG. */
export function quadrantPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(PNG_WIDTH, 0);
  ihdr.writeUInt32BE(PNG_HEIGHT, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const stride = PNG_WIDTH * 3 + 1;
  const rows = Buffer.alloc(PNG_HEIGHT * stride);
  for (let y = 0; y < PNG_HEIGHT; y++) {
    for (let x = 0; x < PNG_WIDTH; x++) rows.set(quadrantColor(x, y), y * stride + 1 + x * 3);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
