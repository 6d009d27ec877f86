/**
 * Tote's app icon, drawn and encoded in plain TypeScript (zlib from Node): PNG at every size, a Windows
 * ICO and a macOS ICNS holding PNGs. No image tool and no binary download is needed to make them.
 * `npm run icons -w @tote/desktop` writes them into build-resources/ (electron-builder's) and public/
 * (the window, tray and notification icon in the renderer's build); icons.test.ts checks the files.
 */
import { deflateSync } from 'node:zlib';

const TEAL = [15, 118, 110] as const;
const WHITE = [255, 255, 255] as const;

/** Signed distance to a rounded rectangle centred at (cx, cy), in unit coordinates. */
function roundedBox(x: number, y: number, cx: number, cy: number, halfW: number, halfH: number, radius: number): number {
  const qx = Math.abs(x - cx) - halfW + radius;
  const qy = Math.abs(y - cy) - halfH + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

/** The colour at a point of the unit square: a teal tile with a white tote bag and its handle. */
function colourAt(x: number, y: number): readonly [number, number, number] | null {
  if (roundedBox(x, y, 0.5, 0.5, 0.46, 0.46, 0.18) > 0) return null;
  // The bag: a box slightly wider at the bottom.
  const widen = (y - 0.42) * 0.12;
  if (y > 0.42 && roundedBox(x, y, 0.5, 0.62, 0.25 + widen, 0.2, 0.05) <= 0) return WHITE;
  // The handle: a ring's upper half above the bag.
  const ring = Math.hypot(x - 0.5, y - 0.42);
  if (y <= 0.44 && ring >= 0.1 && ring <= 0.15) return WHITE;
  return TEAL;
}

/** RGBA pixels of the icon at `size`, each pixel averaged over 4×4 samples (anti-aliased edges). */
export function drawIcon(size: number): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0; let g = 0; let b = 0; let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const colour = colourAt((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!colour) continue;
          r += colour[0]; g += colour[1]; b += colour[2]; a += 1;
        }
      }
      const at = (py * size + px) * 4;
      if (a > 0) {
        pixels[at] = Math.round(r / a); pixels[at + 1] = Math.round(g / a); pixels[at + 2] = Math.round(b / a);
        pixels[at + 3] = Math.round((255 * a) / (samples * samples));
      }
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG (8-bit RGBA, no filter) of the icon at `size`. https://www.w3.org/TR/png-3/ */
export function iconPng(size: number): Buffer {
  const pixels = drawIcon(size);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0;
    Buffer.from(pixels.buffer, y * size * 4, size * 4).copy(rows, y * (size * 4 + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', new Uint8Array())]);
}

/** A Windows ICO whose images are PNGs (Windows Vista and later read them). */
export function iconIco(sizes: readonly number[]): Buffer {
  const images = sizes.map((size) => iconPng(size));
  const header = Buffer.alloc(6 + 16 * sizes.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(sizes.length, 4);
  let offset = header.length;
  sizes.forEach((size, index) => {
    const at = 6 + 16 * index;
    header[at] = size >= 256 ? 0 : size;
    header[at + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, at + 4);
    header.writeUInt16LE(32, at + 6);
    header.writeUInt32LE(images[index]!.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += images[index]!.length;
  });
  return Buffer.concat([header, ...images]);
}

/** The ICNS types that hold a PNG of each size (retina variants share the pixel size). */
export const ICNS_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024],
  ['ic11', 32], ['ic12', 64], ['ic13', 256], ['ic14', 512],
];

/** A macOS ICNS whose images are PNGs. */
export function iconIcns(): Buffer {
  const entries = ICNS_TYPES.map(([type, size]) => {
    const png = iconPng(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + entries.reduce((sum, entry) => sum + entry.length, 0), 4);
  return Buffer.concat([head, ...entries]);
}

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;
