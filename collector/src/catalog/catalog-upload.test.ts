import { describe, expect, it } from 'vitest';
import { parseCatalogUpload } from './catalog-upload';

describe('parseCatalogUpload', () => {
  it('refuses links a browser would take to another host or run as script', () => {
    const tricky = [
      '/\\evil.example',
      '//evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/x\u0000',
      'java\nscript:alert(1)',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'https://a:b@shop.example/',
    ];
    const rows = tricky.flatMap((bad, i) => [
      JSON.stringify({ product_id: `u${i}`, name: 'x', url: bad }),
      JSON.stringify({ product_id: `i${i}`, name: 'x', image_url: bad }),
    ]);
    const upload = parseCatalogUpload(rows.join('\n'));
    expect(upload.products).toEqual([]);
    expect(upload.rejected).toHaveLength(rows.length);
    expect(upload.rejected[0]!.reason).toMatch(/^url: /);
    expect(upload.rejected[1]!.reason).toMatch(/^image_url: /);
  });

  it('loads paths on the site and http(s) links anywhere (the admin is trusted)', () => {
    const upload = parseCatalogUpload(
      [
        { product_id: 'a', name: 'A', url: '/product/a', image_url: '/img/a.svg' },
        { product_id: 'b', name: 'B', url: 'https://shop.example/b', image_url: 'https://images.example-cdn.net/b.png' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    expect(upload.rejected).toEqual([]);
    expect(upload.products.map((p) => p.productId)).toEqual(['a', 'b']);
  });
});
