import { describe, expect, it } from 'vitest';
import { learnedLinkAllowed, linkProblem } from './product-links';

const site = { allowedOrigins: ['https://shop.example', 'https://*.shop.example', 'http://localhost:*'], assetHosts: ['cdn.example', '*.shop-cdn.example'] };

/** What an attacker with the public write key would try to get into an href or src. */
const HOSTILE = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  'java\nscript:alert(1)',
  '\u0000javascript:alert(1)',
  'vbscript:msgbox(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=',
  'file:///etc/passwd',
  'ftp://shop.example/x',
  '//evil.example/x',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/ /evil.example',
  '/x\u2028y',
  '/x\u0085y',
  'https:evil.example',
  'https:/evil.example',
  'https:\\\\evil.example',
  'https://user:secret@shop.example/p',
  'https://shop.example@evil.example/p',
  '',
  `/${'a'.repeat(2100)}`,
];

/** Shaped well, but off the site's hosts: fine from the admin, dropped when learned from an event. */
const OFF_SITE = [
  'https://evil.example/x',
  'http://shop.example/p', // the site is https
  'https://shop.example.evil.example/',
  'https://evil.example/#https://shop.example',
  'https://evil.example/?https://shop.example',
  'https://sh\u043ep.example/p', // a Cyrillic "о"
  'https://shop.example:8443/p',
  'https://cdn.example.evil.example/x.png',
  'https://evilshop-cdn.example/x.png',
  'https://[::1]/x',
  'http://127.0.0.1:8080/',
];

const ON_SITE = [
  '/product/1',
  '/img/a.svg?x=1#y',
  '/%2F%2Fevil.example',
  '/produkt/größe',
  'https://shop.example/p/1',
  'HTTPS://SHOP.EXAMPLE/P',
  'https://www.shop.example/p',
  'http://localhost:8787/product/1',
  'https://cdn.example/img.png',
  'https://img.shop-cdn.example/x.png',
];

describe('product links', () => {
  it('refuses every hostile shape, wherever it comes from', () => {
    for (const value of HOSTILE) {
      expect(linkProblem(value), JSON.stringify(value)).toBeTypeOf('string');
      expect(learnedLinkAllowed(value, site), JSON.stringify(value)).toBe(false);
    }
  });

  it('keeps a learned link only on the site’s own origins or asset hosts', () => {
    for (const value of OFF_SITE) {
      expect(linkProblem(value), value).toBeUndefined();
      expect(learnedLinkAllowed(value, site), value).toBe(false);
    }
    for (const value of ON_SITE) expect(learnedLinkAllowed(value, site), value).toBe(true);
  });

  it('does not read an allowed origin of * as “link anywhere”', () => {
    expect(learnedLinkAllowed('https://evil.example/x', { allowedOrigins: ['*'], assetHosts: [] })).toBe(false);
    expect(learnedLinkAllowed('/x', { allowedOrigins: ['*'], assetHosts: [] })).toBe(true);
  });
});
