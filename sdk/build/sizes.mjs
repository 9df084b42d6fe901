/**
 * Sizes of built files as a browser downloads them: minified bytes, gzip
 * (level 9, what CDNs serve) and brotli (quality 11). Used by the build's
 * report, the budget test and the tag benchmark.
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** @param {string | Uint8Array} code */
export function sizesOf(code) {
  const bytes = typeof code == 'string' ? Buffer.from(code) : Buffer.from(code);
  return {
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** @param {{ file: string, role: string, min: number, gzip: number, brotli: number }[]} rows */
export function formatSizes(rows) {
  const pad = (s, n) => String(s).padEnd(n);
  const num = (n) => String(n).padStart(7);
  return [
    `${pad('file', 34)}${pad('role', 10)}${num('min')}${num('gzip')}${num('brotli')}`,
    ...rows.map((r) => `${pad(r.file, 34)}${pad(r.role, 10)}${num(r.min)}${num(r.gzip)}${num(r.brotli)}`),
  ].join('\n');
}
