import { describe, expect, it } from 'vitest';
import { generateCatalog, productImageSvg } from '../../simulate/catalog';
import { escapeXml } from '../../simulate/product-image';

/** Element names in the SVG: a hostile name must not add any. */
const elements = (svg: string) => new Set([...svg.matchAll(/<([A-Za-z][\w:-]*)/g)].map((m) => m[1]));
const DRAWING = new Set(['svg', 'title', 'rect', 'circle', 'ellipse', 'g', 'path', 'text']);
/** Attribute names: a hostile name must not add an event handler or a link. */
const attributes = (svg: string) => new Set([...svg.matchAll(/\s([A-Za-z][\w:-]*)="/g)].map((m) => m[1]));

describe('productImageSvg', () => {
  const catalog = generateCatalog({ size: 240, seed: 1 });

  it('draws the same picture for the same product', () => {
    for (const product of catalog.slice(0, 20)) expect(productImageSvg(product)).toBe(productImageSvg({ ...product }));
  });

  it('is a small SVG built only from drawing elements, showing the name and the price', () => {
    for (const product of catalog) {
      const svg = productImageSvg(product);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.endsWith('</svg>')).toBe(true);
      expect(svg.length).toBeLessThan(4000);
      expect([...elements(svg)].every((e) => DRAWING.has(e as string))).toBe(true);
      expect(svg).toContain(`<title>${escapeXml(product.name)}</title>`);
      expect(svg).toContain(`$${product.price.toFixed(2)}`);
    }
  });

  it('colours departments differently', () => {
    const fill = (category: string) => {
      const product = catalog.find((p) => p.category.startsWith(category));
      return /<rect [^>]*fill="([^"]+)"/.exec(productImageSvg(product!))?.[1];
    };
    expect(fill('Grocery')).not.toBe(fill('Electronics'));
  });

  it('escapes hostile names so they cannot add elements or attributes', () => {
    const hostile = [
      '<script>alert(1)</script>',
      '"><image href="x" onerror="alert(1)"/>',
      "' onload='alert(1)",
      ']]><foreignObject><iframe src="javascript:alert(1)"/></foreignObject>',
      '&amp; &lt; <!-- comment --> <?xml-stylesheet href="evil"?>',
      'nul\u0000 and \u001b escape and lone \ud800 surrogate',
    ];
    for (const name of hostile) {
      const svg = productImageSvg({ product_id: 'p1', name, category: '<b>Grocery</b> > "Coffee"', price: 5, currency: '"><x' });
      expect([...elements(svg)].every((e) => DRAWING.has(e as string))).toBe(true);
      expect([...attributes(svg)].some((a) => /^on|href/i.test(a as string))).toBe(false);
      expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      expect(svg).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    }
  });

  it('escapes the id when there is no name, and ignores a price that is not a number', () => {
    const svg = productImageSvg({ product_id: '<svg onload=alert(1)>', price: Number.NaN });
    expect(svg).toContain('&lt;svg onload=alert(1)&gt;');
    expect(elements(svg).has('svg')).toBe(true);
    expect(svg.match(/<svg/g)).toHaveLength(1);
    expect(svg).not.toContain('NaN');
  });

  it('escapes the five XML special characters', () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  });
});
