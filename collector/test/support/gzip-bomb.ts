/**
 * A gzip bomb for tests: a valid gzip body of about 1 KB per MiB it inflates
 * to (1 GiB from about 1 MB). One MiB of zeros is deflated once and flushed
 * to a byte boundary, so the block can be repeated as often as wanted; an
 * empty final block and the gzip trailer close it.
 */
import { Deflate } from 'fflate';

/** CRC-32 of 2^30 zero bytes (the trailer of the 1 GiB bomb), computed once with zlib. */
const CRC_OF_ONE_GIB_OF_ZEROS = 0x5b64c2b0;

export function gzipBomb(mebibytes = 1024): Uint8Array {
  if (mebibytes !== 1024) throw new Error('only the 1 GiB bomb has a known CRC');
  const parts: Uint8Array[] = [];
  const deflate = new Deflate({ level: 9 }, (chunk) => parts.push(chunk));
  deflate.push(new Uint8Array(1 << 20));
  deflate.flush(true);
  const block = join(parts);
  const size = (mebibytes * (1 << 20)) >>> 0;
  const header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
  const trailer = [0x03, 0x00, ...le32(CRC_OF_ONE_GIB_OF_ZEROS), ...le32(size)];
  const out = new Uint8Array(header.length + block.byteLength * mebibytes + trailer.length);
  out.set(header);
  for (let i = 0; i < mebibytes; i++) out.set(block, header.length + i * block.byteLength);
  out.set(trailer, out.length - trailer.length);
  return out;
}

const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
