import { describe, expect, it } from 'vitest';
import { DEV_ONLY_URLS, HOSTILE_URLS, PUBLIC_URLS } from '../../test/support/hostile-urls';
import { checkAddresses, checkDestinationUrl, refusedAddress } from './url-guard';

const production = { devMode: false };
const development = { devMode: true };

describe('destination URL guard', () => {
  it.each(HOSTILE_URLS)('refuses %s in production and in development', (url) => {
    for (const policy of [production, development]) {
      const verdict = checkDestinationUrl(url, policy);
      expect(verdict.ok, `${url} (devMode ${policy.devMode})`).toBe(false);
      if (!verdict.ok) expect(verdict.reason.length).toBeGreaterThan(10);
    }
  });

  it.each(DEV_ONLY_URLS)('allows %s in development only', (url) => {
    expect(checkDestinationUrl(url, development)).toMatchObject({ ok: true, resolve: null });
    expect(checkDestinationUrl(url, production).ok).toBe(false);
  });

  it.each(PUBLIC_URLS)('allows %s everywhere', (url) => {
    for (const policy of [production, development]) expect(checkDestinationUrl(url, policy).ok).toBe(true);
  });

  it('asks for names to be resolved, never for literals', () => {
    expect(checkDestinationUrl('https://HOOKS.Example.COM./x', production)).toMatchObject({ ok: true, resolve: 'hooks.example.com' });
    expect(checkDestinationUrl('https://93.184.216.34/', production)).toMatchObject({ ok: true, resolve: null });
  });

  it('says why, naming the address that was really meant', () => {
    expect(checkDestinationUrl('https://0x7f000001/', production)).toEqual({ ok: false, reason: '127.0.0.1 is a loopback address, not a public one' });
    expect(checkDestinationUrl('https://2852039166/', production)).toEqual({ ok: false, reason: '169.254.169.254 is a cloud metadata service' });
    expect(checkDestinationUrl('https://[::ffff:10.0.0.1]/', production)).toMatchObject({ ok: false, reason: expect.stringContaining('10.0.0.1') });
    expect(checkDestinationUrl('http://hooks.example.com/', production)).toEqual({ ok: false, reason: 'it must use https' });
  });

  it('checks resolved addresses: one private answer is enough to refuse', () => {
    expect(checkAddresses('rebind.example', ['93.184.216.34', '127.0.0.1'])).toMatch(/resolves to 127\.0\.0\.1 is a loopback/);
    expect(checkAddresses('meta.example', ['169.254.169.254'])).toMatch(/metadata/);
    expect(checkAddresses('v6.example', ['fd00:ec2::254'])).toMatch(/metadata/);
    expect(checkAddresses('mapped.example', ['::ffff:192.168.0.1'])).toMatch(/192\.168\.0\.1/);
    expect(checkAddresses('nothing.example', [])).toMatch(/does not resolve/);
    expect(checkAddresses('ok.example', ['93.184.216.34', '2606:4700::1111'])).toBeNull();
    expect(refusedAddress('not-an-ip')).toMatch(/not an IP address/);
  });
});
