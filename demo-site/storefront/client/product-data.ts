/** A cart line's product facts, read from a product element's declarative attributes (the same ones the tag reads). */
import type { CartLine } from './store';

export function productFromElement(el: Element): Omit<CartLine, 'quantity'> {
  const get = (name: string) => el.getAttribute(`data-trailmark-${name}`) ?? undefined;
  return {
    productId: get('product') ?? '',
    name: get('name') ?? '',
    brand: get('brand'),
    category: get('category'),
    sku: get('sku'),
    price: Number(get('price')),
    currency: get('currency') ?? 'USD',
    url: get('url') ?? '',
    image: get('image') ?? '',
  };
}
