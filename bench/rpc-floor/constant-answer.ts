/**
 * A recommendation answer's stand-in for the bench Worker: JSON text of
 * exactly `bytes` bytes, shaped like a slot answer (slot, variant, items
 * with an id and a reason), so its routes send and copy what the real
 * route would, without computing anything. Pure: tested in bench/test.
 */

const HEAD = '{"slot":"home","variant":"treatment","items":[';
const item = (i: number) => `{"productId":"sku-${String(i).padStart(5, '0')}","reason":"similar_to_viewed"}`;

export function constantAnswer(bytes: number): string {
  const closing = (items: string[], pad: string) => `${HEAD}${items.join(',')}],"pad":"${pad}"}`;
  if (!Number.isInteger(bytes) || bytes < closing([], '').length) throw new Error(`an answer of ${bytes} bytes cannot be JSON of this shape`);
  const items: string[] = [];
  while (closing([...items, item(items.length)], '').length <= bytes) items.push(item(items.length));
  return closing(items, 'x'.repeat(bytes - closing(items, '').length));
}
