// Single-channel 8-bit PNGs of label indexes, written and read by hand: a canvas cannot be
// trusted to keep exact grey values (colour management, premultiplied alpha), and the server
// reads the pixel values as label indexes.

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i += 5552) {
    const end = Math.min(bytes.length, i + 5552);
    for (let j = i; j < end; j++) {
      a += bytes[j];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** The scanlines: each row of indexes after a filter byte 0 (none). */
function scanlines(width: number, height: number, data: Uint8Array): Uint8Array {
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return raw;
}

/** A zlib stream of stored (uncompressed) blocks: synchronous, for when there is no time to wait. */
function zlibStored(raw: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const out = new Uint8Array(2 + raw.length + blocks * 5 + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let i = 0; i < blocks; i++) {
    const part = raw.subarray(i * 65535, Math.min(raw.length, (i + 1) * 65535));
    out[o++] = i === blocks - 1 ? 1 : 0;
    out[o++] = part.length & 0xff;
    out[o++] = part.length >>> 8;
    out[o++] = ~part.length & 0xff;
    out[o++] = (~part.length >>> 8) & 0xff;
    out.set(part, o);
    o += part.length;
  }
  new DataView(out.buffer).setUint32(o, adler32(raw));
  return out;
}

async function through(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const body = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function assemble(width: number, height: number, idat: Uint8Array): Uint8Array {
  const header = new Uint8Array(13);
  const v = new DataView(header.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const parts = [Uint8Array.from(SIGNATURE), chunk("IHDR", header), chunk("IDAT", idat), chunk("IEND", new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function dataUri(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(s)}`;
}

/** A greyscale PNG data URI of `data` (width x height indexes), uncompressed: synchronous. */
export function encodeStored(width: number, height: number, data: Uint8Array): string {
  return dataUri(assemble(width, height, zlibStored(scanlines(width, height, data))));
}

/** The same PNG deflated by the browser (CompressionStream "deflate" is zlib): far smaller. */
export async function encodeDeflated(width: number, height: number, data: Uint8Array): Promise<string> {
  const idat = await through(scanlines(width, height, data), new CompressionStream("deflate"));
  return dataUri(assemble(width, height, idat));
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The indexes of an 8-bit greyscale or palette PNG data URI (a palette PNG's pixel values
 * are its palette indexes, as the server reads them). */
export async function decodeIndexed(uri: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const b64 = uri.slice(uri.indexOf(",") + 1);
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  let [width, height, depth, color] = [0, 0, 0, 0];
  const idat: Uint8Array[] = [];
  for (let o = 8; o + 8 <= bytes.length; ) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    const body = bytes.subarray(o + 8, o + 8 + len);
    if (type === "IHDR") {
      [width, height, depth, color] = [view.getUint32(o + 8), view.getUint32(o + 12), body[8], body[9]];
      if (body[12] !== 0) throw new Error("interlaced label maps are not supported");
    } else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    o += 12 + len;
  }
  if (depth !== 8 || (color !== 0 && color !== 3)) throw new Error("not an 8-bit single-channel PNG");
  const joined = new Uint8Array(idat.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of idat) {
    joined.set(p, at);
    at += p.length;
  }
  const raw = await through(joined, new DecompressionStream("deflate"));
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)];
    const src = raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1));
    const row = data.subarray(y * width, (y + 1) * width);
    const up = y > 0 ? data.subarray((y - 1) * width, y * width) : new Uint8Array(width);
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? row[x - 1] : 0;
      const b = up[x];
      const c = x > 0 ? up[x - 1] : 0;
      const f = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter] ?? 0;
      row[x] = (src[x] + f) & 0xff;
    }
  }
  return { width, height, data };
}
