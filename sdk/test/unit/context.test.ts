import { describe, expect, it } from 'vitest';
import { pageUrl } from '../../src/context';
import { safeUrl } from '../../src/lib/safeUrl';
import { scriptOptions } from '../../src/scriptOptions';

describe('pageUrl', () => {
  const url = (href: string) => pageUrl(new URL(href));
  it('leaves out the fragment, so a jump to an anchor is not a new page', () => {
    expect(url('https://s.example/a?b=1#top')).toBe('https://s.example/a?b=1');
    expect(url('https://s.example/a?b=1#top')).toBe(url('https://s.example/a?b=1#reviews'));
  });
  it('keeps the route of hash routers', () => {
    expect(url('https://s.example/#/cart')).toBe('https://s.example/#/cart');
    expect(url('https://s.example/#/cart')).not.toBe(url('https://s.example/#/checkout'));
  });
});

describe('safeUrl', () => {
  const base = 'https://shop.example/dir/page';
  it('lets http(s) URLs through, resolved', () => {
    expect(safeUrl('https://cdn.example/a.jpg', base)).toBe('https://cdn.example/a.jpg');
    expect(safeUrl('/p/1', base)).toBe('https://shop.example/p/1');
    expect(safeUrl('//cdn.example/x', base)).toBe('https://cdn.example/x');
    expect(safeUrl('HTTP://A.example', base)).toBe('http://a.example/');
  });
  it('refuses every other scheme and non-strings', () => {
    for (const bad of [
      'javascript:alert(1)',
      ' javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>',
      'vbscript:x',
      'blob:https://a/b',
      'file:///etc/passwd',
    ]) {
      expect(safeUrl(bad, base), bad).toBeUndefined();
    }
    for (const bad of [undefined, null, 42, {}, ['https://a.example'], '']) expect(safeUrl(bad, base)).toBeUndefined();
    expect(safeUrl('http://[bad', base)).toBeUndefined();
  });
});

describe('scriptOptions', () => {
  it('reads the data-* attributes of the script tag', () => {
    const options = scriptOptions(
      { writeKey: 'k', requireConsent: '', respectGpc: 'true', webVitals: 'false', dataLayer: 'shopLayer', cookieDomain: 'shop.example', flushInterval: '200' },
      'https://shop.example/t/tag.js?v=2',
    );
    expect(options).toEqual({
      apiHost: 'https://shop.example/t/',
      writeKey: 'k',
      requireConsent: true,
      respectGpc: true,
      webVitals: false,
      dataLayer: 'shopLayer',
      cookieDomain: 'shop.example',
      flushInterval: '200', // a number to the tracker, which reads it with +
    });
  });
  it('defaults the collector to where the tag came from; data-api-host overrides it', () => {
    expect(scriptOptions({ writeKey: 'k' }, 'https://c.example/tag.js').apiHost).toBe('https://c.example/');
    expect(scriptOptions({ writeKey: 'k', apiHost: 'https://t.example/x' }, 'https://c.example/tag.js').apiHost).toBe('https://t.example/x');
    expect(scriptOptions({ requireConsent: 'drop' }, 'https://c.example/tag.js').requireConsent).toBe('drop');
  });
});
