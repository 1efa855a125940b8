#!/usr/bin/env node
// Draws the demo's PWA icons (the padlock of favicon.svg) as PNGs into demo/public/icons/, with
// no dependency: a small signed-distance rasterizer, 4x4 supersampling, zlib for the PNG.
// Run `node demo/tools/draw-icons.mjs` after changing the drawing; the PNGs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BRAND = [0x0f, 0x3d, 0x3e];
const MINT = [0x9b, 0xe2, 0xc8];

const roundedRect = (x, y, x0, y0, x1, y1, r) => {
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return Math.hypot(dx, dy) <= r && x >= x0 && x <= x1 && y >= y0 && y <= y1;
};

/** The colour at (x, y) in the favicon's 24-unit space, or null outside the icon. */
function paint(x, y, { maskable }) {
  if (!maskable && !roundedRect(x, y, 0, 0, 24, 24, 5)) return null;
  // Maskable icons are cropped to a circle of 80%: draw the padlock smaller, around the centre.
  const s = maskable ? 1 / 0.8 : 1;
  const gx = 12 + (x - 12) * s;
  const gy = 12.4 + (y - 12) * s;
  const keyhole = Math.hypot(gx - 12, gy - 14.4) <= 1.35 || (gx >= 11.4 && gx <= 12.6 && gy >= 14.4 && gy <= 17);
  if (roundedRect(gx, gy, 6, 11, 18, 19.5, 2) && !keyhole) return MINT;
  const ring = Math.abs(Math.hypot(gx - 12, gy - 8.5) - 3) <= 0.95 && gy <= 8.5;
  const legs = gy >= 8.5 && gy <= 11.2 && (Math.abs(gx - 9) <= 0.95 || Math.abs(gx - 15) <= 0.95);
  return ring || legs ? MINT : BRAND;
}

function render(size, options) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = paint(((px + (sx + 0.5) / n) / size) * 24, ((py + (sy + 0.5) / n) / size) * 24, options);
          if (c === null) continue;
          r += c[0]; g += c[1]; b += c[2]; a += 1;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) rgba.set([Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((255 * a) / (n * n))], i);
    }
  }
  return png(size, rgba);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, k) => {
  let c = k;
  for (let i = 0; i < 8; i++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
};

function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const out = new URL('../public/icons/', import.meta.url);
mkdirSync(out, { recursive: true });
const icons = [
  ['icon-192.png', 192, { maskable: false }],
  ['icon-512.png', 512, { maskable: false }],
  ['icon-maskable-512.png', 512, { maskable: true }],
  ['apple-touch-icon.png', 180, { maskable: true }],
];
for (const [name, size, options] of icons) {
  writeFileSync(new URL(name, out), render(size, options));
  console.log(`demo/public/icons/${name} (${size}px)`);
}
