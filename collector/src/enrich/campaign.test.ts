import { describe, expect, it } from 'vitest';
import { campaignFromPage } from './campaign';

describe('campaignFromPage', () => {
  it("names UTM parameters as Segment's context.campaign does", () => {
    expect(campaignFromPage({ search: '?utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=tent&utm_content=hero&q=1' })).toEqual({
      source: 'news',
      medium: 'email',
      name: 'spring',
      term: 'tent',
      content: 'hero',
    });
  });

  it('reads the URL when the page has no search, keeps other utm_ parameters and leaves out empty ones', () => {
    expect(campaignFromPage({ url: 'https://shop.example/p?utm_source=ad&utm_custom=x&utm_medium=#top' })).toEqual({ source: 'ad', custom: 'x' });
  });

  it('gives nothing without UTM parameters or a page', () => {
    expect(campaignFromPage({ search: '?utm_id=42&utm_source=' })).toEqual({ id: '42' });
    expect(campaignFromPage({ search: '?q=tent' })).toBeUndefined();
    expect(campaignFromPage({ search: '' })).toBeUndefined();
    expect(campaignFromPage(undefined)).toBeUndefined();
    expect(campaignFromPage('junk')).toBeUndefined();
  });
});
