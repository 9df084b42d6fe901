/** A request body that arrives in network-sized pieces, counting what the reader pulls from it. */
export function countedStream(bytes: Uint8Array, chunk = 64 * 1024): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
  return { stream, pulled: () => Math.min(offset, bytes.byteLength) };
}
