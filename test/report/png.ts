/**
 * A minimal PNG decoder for the screenshot test: 8-bit greyscale, RGB and RGBA (with or
 * without alpha), non-interlaced — what Chromium writes. IDAT chunks are concatenated,
 * inflated with node:zlib and un-filtered (None, Sub, Up, Average, Paeth).
 */
import { inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes per pixel of the supported colour types (bit depth 8). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export interface DecodedPng {
  width: number;
  height: number;
  /** Channels per pixel in `data` (1, 2, 3 or 4). */
  channels: number;
  /** Row-major pixel bytes, `width * height * channels`. */
  data: Uint8Array;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes a PNG file's bytes. */
export function decodePng(file: Uint8Array): DecodedPng {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file (bad signature)');
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const body = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || !(colour in CHANNELS) || interlace !== 0) {
        throw new Error(`unsupported PNG: bit depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      }
      channels = CHANNELS[colour];
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    off += 12 + len; // length, type, data, CRC
  }
  if (!channels) throw new Error('PNG has no IHDR chunk');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG data is ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const data = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? data[dst + i - channels] : 0;
      const b = y > 0 ? data[dst - stride + i] : 0;
      const c = y > 0 && i >= channels ? data[dst - stride + i - channels] : 0;
      const x = raw[src + i];
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4:
          v = x + paeth(a, b, c);
          break;
        default:
          throw new Error(`bad PNG filter type ${filter} in row ${y}`);
      }
      data[dst + i] = v & 0xff;
    }
  }
  return { width, height, channels, data };
}

/** Pixel statistics: how many pixels are not (near-)white, and how many distinct RGB colours occur. */
export function pixelStats(png: DecodedPng, whiteThreshold = 245): { nonWhite: number; distinctColours: number; total: number } {
  const { data, channels } = png;
  const total = png.width * png.height;
  const colours = new Set<number>();
  let nonWhite = 0;
  for (let p = 0; p < total; p++) {
    const o = p * channels;
    const [r, g, b] = channels >= 3 ? [data[o], data[o + 1], data[o + 2]] : [data[o], data[o], data[o]];
    if (r < whiteThreshold || g < whiteThreshold || b < whiteThreshold) nonWhite++;
    colours.add((r << 16) | (g << 8) | b);
  }
  return { nonWhite, distinctColours: colours.size, total };
}
