/**
 * Reads a request body within a byte limit counted after decompression, so a
 * small gzip bomb cannot expand past it. Bad encodings are the sender's error (4xx).
 */
import { ApiError, badRequest } from './errors';

const tooLarge = (limit: number) =>
  new ApiError(413, 'too_large', `The body is larger than ${limit / 1024} KB after decompression; send smaller batches.`);

export async function readBodyText(request: Request, limit: number): Promise<string> {
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (!request.body) return '';

  let bytes: Uint8Array;
  if (encoding === 'identity' || encoding === '') {
    if (declared > limit) throw tooLarge(limit);
    // With a declared length the runtime enforces it, so one read is safe and much cheaper than streaming.
    bytes = Number.isFinite(declared) ? new Uint8Array(await request.arrayBuffer()) : await readLimited(request.body, limit);
  } else if (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate') {
    const format = encoding === 'deflate' ? 'deflate' : 'gzip';
    const stream = request.body.pipeThrough(new DecompressionStream(format));
    try {
      bytes = await readLimited(stream, limit);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw badRequest(`The body is not valid ${format} data; send it uncompressed or compress it correctly.`, 'bad_encoding');
    }
  } else {
    throw new ApiError(415, 'unsupported_encoding', `Content-Encoding "${encoding}" is not supported; use gzip or none.`);
  }

  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest('The body is not valid UTF-8; send JSON encoded as UTF-8.', 'bad_encoding');
  }
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
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
