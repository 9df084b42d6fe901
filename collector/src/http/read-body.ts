/**
 * Reads a request body within a byte limit counted after decompression.
 * Bad encodings are the sender's error (4xx).
 *
 * A compressed body is inflated in small slices, and the limit is checked
 * after each: DEFLATE expands at most about 1,032 to 1, so a slice of
 * SLICE_BYTES can produce at most about half a megabyte, and a gzip bomb
 * costs the collector at most the limit plus one slice of work before its
 * 413, whatever it would inflate to. (The platform's DecompressionStream
 * inflates each network chunk it is handed in full and keeps going after the
 * reader cancels, so a 1 MB body that inflates to 1 GB cost seconds of CPU.)
 */
import { Gunzip, Unzlib } from 'fflate';
import { ApiError, badRequest } from './errors';

/** Compressed bytes inflated at a time: at most ~530 KB of output each. */
const SLICE_BYTES = 512;

const tooLarge = (limit: number) => new ApiError(413, 'too_large', `The body is larger than ${limit / 1024} KB after decompression; send smaller batches.`);

export interface ReadStats {
  /** Bytes taken from the request body (compressed, when it is). */
  bodyBytes: number;
  /** Bytes produced by decompression (0 for an uncompressed body). */
  inflatedBytes: number;
}

export async function readBodyText(request: Request, limit: number, stats?: ReadStats): Promise<string> {
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (!request.body) return '';

  let bytes: Uint8Array;
  if (encoding === 'identity' || encoding === '') {
    if (declared > limit) throw tooLarge(limit);
    // With a declared length the runtime enforces it, so one read is safe and much cheaper than streaming.
    bytes = Number.isFinite(declared) ? new Uint8Array(await request.arrayBuffer()) : await readLimited(request.body, limit);
    if (stats) stats.bodyBytes = bytes.byteLength;
  } else if (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate') {
    // Compressed data of a body within the limit is never much larger than the limit itself.
    const compressedLimit = limit + (limit >> 6) + 1024;
    if (declared > compressedLimit) throw tooLarge(limit);
    bytes = await inflateLimited(request.body, encoding === 'deflate' ? 'deflate' : 'gzip', limit, compressedLimit, stats);
  } else {
    throw new ApiError(415, 'unsupported_encoding', `Content-Encoding "${encoding}" is not supported; use gzip or none.`);
  }

  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest('The body is not valid UTF-8; send JSON encoded as UTF-8.', 'bad_encoding');
  }
}

async function inflateLimited(
  body: ReadableStream<Uint8Array>,
  format: 'gzip' | 'deflate',
  limit: number,
  compressedLimit: number,
  stats: ReadStats | undefined,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let inflated = 0;
  let taken = 0;
  const onData = (data: Uint8Array) => {
    inflated += data.byteLength;
    if (inflated <= limit) chunks.push(data);
  };
  const inflater = format === 'gzip' ? new Gunzip(onData) : new Unzlib(onData);
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        inflater.push(new Uint8Array(0), true);
        break;
      }
      taken += value.byteLength;
      if (taken > compressedLimit) throw tooLarge(limit);
      for (let at = 0; at < value.byteLength; at += SLICE_BYTES) {
        inflater.push(value.subarray(at, at + SLICE_BYTES));
        if (inflated > limit) throw tooLarge(limit);
      }
    }
  } catch (err) {
    // Stop the upload: nothing more of this body is read or inflated.
    await reader.cancel().catch(() => {});
    if (err instanceof ApiError) throw err;
    throw badRequest(`The body is not valid ${format} data; send it uncompressed or compress it correctly.`, 'bad_encoding');
  } finally {
    if (stats) {
      stats.bodyBytes = taken;
      stats.inflatedBytes = inflated;
    }
  }
  if (inflated > limit) throw tooLarge(limit);
  return concat(chunks, inflated);
}

async function readLimited(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
