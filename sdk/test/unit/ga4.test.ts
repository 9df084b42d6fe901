import { describe, expect, it } from 'vitest';
import { readDataLayerEntry, type DataLayerListener } from '../../src/datalayer';
import { mapGa4Event } from '../../src/ga4';

const items = [
  {
    item_id: 'SKU-1',
    item_name: 'Tent',
    item_brand: 'Peak',
    item_category: 'Camping',
    item_variant: 'green',
    price: '129.90',
    quantity: 2,
    index: 0,
    coupon: 'SUMMER',
  },
  { item_id: 42, item_name: 'Lamp', price: 19, quantity: 1, index: 1 },
];

describe('mapGa4Event (GA4 ecommerce → Segment Ecommerce v2)', () => {
  it('view_item → Product Viewed with snake_case product properties', () => {
    expect(mapGa4Event('view_item', { currency: 'EUR', value: 129.9, items: [items[0]] })).toEqual([
      {
        event: 'Product Viewed',
        properties: {
          product_id: 'SKU-1',
          name: 'Tent',
          brand: 'Peak',
          category: 'Camping',
          variant: 'green',
          price: 129.9,
          quantity: 2,
          coupon: 'SUMMER',
          position: 0,
          currency: 'EUR',
        },
      },
    ]);
  });

  it('search and view_search_results → Products Searched, with the number of results when the page gives it', () => {
    expect(mapGa4Event('view_search_results', { search_term: 'tent', result_count: 12 })).toEqual([
      { event: 'Products Searched', properties: { query: 'tent', result_count: 12 } },
    ]);
    expect(mapGa4Event('search', { search_term: 'unobtainium', result_count: '0' })).toEqual([
      { event: 'Products Searched', properties: { query: 'unobtainium', result_count: 0 } },
    ]);
    expect(mapGa4Event('search', { search_term: 'boots' })[0]!.properties.result_count).toBeUndefined();
  });

  it('view_item_list → Product List Viewed, select_item → Product Clicked, search → Products Searched', () => {
    const [list] = mapGa4Event('view_item_list', { item_list_id: 'tents', item_list_name: 'Tents', items });
    expect(list).toMatchObject({ event: 'Product List Viewed', properties: { list_id: 'tents', category: 'Tents' } });
    expect((list!.properties.products as unknown[]).map((p: any) => p.product_id)).toEqual(['SKU-1', '42']);
    expect(mapGa4Event('select_item', { item_list_id: 'tents', items: [items[1]] })).toEqual([
      { event: 'Product Clicked', properties: expect.objectContaining({ product_id: '42', list_id: 'tents' }) },
    ]);
    expect(mapGa4Event('search', { search_term: 'tent' })).toEqual([{ event: 'Products Searched', properties: { query: 'tent' } }]);
    expect(mapGa4Event('search', {})).toEqual([]);
  });

  it('add_to_cart / remove_from_cart → one Product Added / Removed per item', () => {
    const added = mapGa4Event('add_to_cart', { currency: 'EUR', items });
    expect(added.map((e) => [e.event, e.properties.product_id, e.properties.quantity])).toEqual([
      ['Product Added', 'SKU-1', 2],
      ['Product Added', '42', 1],
    ]);
    expect(mapGa4Event('remove_from_cart', { items: [items[1]] })[0]).toMatchObject({ event: 'Product Removed', properties: { product_id: '42' } });
  });

  it('view_cart → Cart Viewed, begin_checkout → Checkout Started', () => {
    expect(mapGa4Event('view_cart', { currency: 'EUR', value: 277.8, items })[0]).toMatchObject({ event: 'Cart Viewed', properties: { value: 277.8 } });
    expect(mapGa4Event('begin_checkout', { currency: 'EUR', value: 277.8, coupon: 'X', items })[0]).toMatchObject({
      event: 'Checkout Started',
      properties: { revenue: 277.8, coupon: 'X', currency: 'EUR' },
    });
  });

  it('purchase → Order Completed: value is revenue, total adds shipping and tax', () => {
    expect(mapGa4Event('purchase', { transaction_id: 'T-1', currency: 'EUR', value: 100, shipping: 5, tax: 19, items })[0]).toMatchObject({
      event: 'Order Completed',
      properties: { order_id: 'T-1', revenue: 100, total: 124, shipping: 5, tax: 19, currency: 'EUR' },
    });
    expect(mapGa4Event('purchase', { value: 100, items })).toEqual([]);
  });

  it('ignores other events and junk items', () => {
    expect(mapGa4Event('page_view', { items })).toEqual([]);
    expect(mapGa4Event('view_item', { items: [null, 'x', 3] })).toEqual([]);
    expect(mapGa4Event('view_item_list', { items: 'nope' })[0]!.properties.products).toEqual([]);
  });
});

describe('readDataLayerEntry', () => {
  const read = (entry: unknown) => {
    const calls: unknown[][] = [];
    const listener: DataLayerListener = {
      consent: (...args) => calls.push(['consent', ...args]),
      ecommerce: (...args) => calls.push(['ecommerce', ...args]),
      identify: (...args) => calls.push(['identify', ...args]),
      logout: () => calls.push(['logout']),
    };
    readDataLayerEntry(entry, listener);
    return calls;
  };
  const gtag = (...args: unknown[]) =>
    function (this: unknown) {
      return arguments;
    }.apply(null, args as []);

  it('reads the Tag Manager object form', () => {
    expect(read({ event: 'view_item', ecommerce: { items: [items[0]] } })).toEqual([['ecommerce', 'view_item', { items: [items[0]] }]]);
    expect(read({ event: 'search', search_term: 'tent' })).toEqual([['ecommerce', 'search', { event: 'search', search_term: 'tent' }]]);
  });

  it('reads gtag() arguments objects', () => {
    expect(read(gtag('event', 'add_to_cart', { items }))).toEqual([['ecommerce', 'add_to_cart', { items }]]);
  });

  it('reads Consent Mode commands, default and update', () => {
    expect(read(gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied' }))).toEqual([['consent', 'denied', true]]);
    expect(read(gtag('consent', 'update', { analytics_storage: 'granted' }))).toEqual([['consent', 'granted', false]]);
    expect(read(gtag('consent', 'update', { ad_storage: 'granted' }))).toEqual([]);
  });

  it('identifies from a user_id set, configured or pushed with login or sign_up, and resets on logout', () => {
    expect(read(gtag('set', { user_id: 'u-1' }))).toEqual([['identify', 'u-1', undefined, undefined]]);
    expect(read(gtag('config', 'G-1', { user_id: 'u-2' }))).toEqual([['identify', 'u-2', undefined, undefined]]);
    expect(read({ event: 'login', method: 'password', user_id: 'u-3' })).toEqual([['identify', 'u-3', undefined, undefined]]);
    expect(read({ event: 'login', user_id: 'u-6', user_properties: { email: 'a@b.c' } })).toEqual([['identify', 'u-6', { email: 'a@b.c' }, undefined]]);
    expect(read({ event: 'sign_up', user_id: 'u-4' })).toEqual([['identify', 'u-4', undefined, undefined]]);
    expect(read({ event: 'logout' })).toEqual([['logout']]);
    expect(read({ event: 'login', method: 'password' })).toEqual([]);
    expect(read({ event: 'page_view', user_id: 'u-5' })).toEqual([]);
    expect(read(gtag('set', { user_id: '' }))).toEqual([]);
  });

  it('passes a user_hash next to the user_id as the userHash of identify (contract section 4)', () => {
    expect(read({ event: 'login', user_id: 'u-7', user_hash: 'ab12' })).toEqual([['identify', 'u-7', undefined, 'ab12']]);
    expect(read(gtag('set', { user_id: 'u-8', user_hash: 'cd34' }))).toEqual([['identify', 'u-8', undefined, 'cd34']]);
    expect(read(gtag('config', 'G-1', { user_id: 'u-9', user_hash: 'ef56' }))).toEqual([['identify', 'u-9', undefined, 'ef56']]);
    expect(read({ event: 'sign_up', user_id: 'u-10', user_hash: 42 })).toEqual([['identify', 'u-10', undefined, undefined]]);
  });

  it('ignores everything else', () => {
    for (const entry of [
      null,
      42,
      'x',
      [],
      { event: 'gtm.js' },
      { ecommerce: null },
      { event: 'view_item', ecommerce: null },
      gtag('config', 'G-1'),
      gtag('js', new Date()),
    ]) {
      expect(read(entry)).toEqual([]);
    }
  });
});
