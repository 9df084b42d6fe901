/**
 * A Bloom filter small enough for an R2 object's metadata (8 KB at most):
 * which keys an object may hold, so a walk over the archive reads only the
 * objects that can contain what it looks for. No false negatives; false
 * positives (an object read for nothing) are rare at 16 bits a key.
 *
 * Serialised as "<bits>.<hashes>.<base64>".
 */
import { hash53 } from './hash';

const BITS_PER_KEY = 16;
const HASHES = 8;
const MIN_BYTES = 16;
/** 4 KB of bits, 5.5 KB in base64: well within R2's 8 KB of metadata. */
const MAX_BYTES = 4096;

function positions(key: string, bits: number, hashes: number): number[] {
  // Double hashing: two independent 53-bit hashes give every position.
  const h1 = hash53(key, 0x9e3779b9) % bits;
  const h2 = (hash53(key, 0x85ebca6b) % bits) | 1;
  return Array.from({ length: hashes }, (_, i) => (h1 + i * h2) % bits);
}

export function bloomOf(keys: Iterable<string>): string {
  const unique = [...new Set(keys)];
  const bytes = Math.min(MAX_BYTES, Math.max(MIN_BYTES, Math.ceil((unique.length * BITS_PER_KEY) / 8)));
  const bits = bytes * 8;
  const filter = new Uint8Array(bytes);
  for (const key of unique) for (const p of positions(key, bits, HASHES)) filter[p >> 3]! |= 1 << (p & 7);
  let binary = '';
  for (const byte of filter) binary += String.fromCharCode(byte);
  return `${bits}.${HASHES}.${btoa(binary)}`;
}

/** May the filter hold `key`? A filter that cannot be read says yes: the caller then looks for itself. */
export function bloomMayContain(serialised: string | undefined, key: string): boolean {
  const match = serialised ? /^(\d+)\.(\d+)\.([A-Za-z0-9+/=]+)$/.exec(serialised) : null;
  if (!match) return true;
  const bits = Number(match[1]);
  const hashes = Number(match[2]);
  let binary: string;
  try {
    binary = atob(match[3]!);
  } catch {
    return true;
  }
  if (binary.length * 8 !== bits || hashes < 1) return true;
  return positions(key, bits, hashes).every((p) => (binary.charCodeAt(p >> 3) & (1 << (p & 7))) !== 0);
}
