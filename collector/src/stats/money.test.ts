import { describe, expect, it } from 'vitest';
import { moneyList, siteCurrency } from './money';

describe('money per currency', () => {
  it('adds up within a currency only, the site currency first even at zero', () => {
    const rows = [
      { currency: 'JPY', amount: 3000 },
      { currency: 'USD', amount: 0.1 },
      { currency: 'USD', amount: 0.2 },
      { currency: 'GBP', amount: 5000 },
    ];
    expect(moneyList(rows, 'EUR')).toEqual([
      { currency: 'EUR', amount: 0 },
      { currency: 'GBP', amount: 5000 },
      { currency: 'JPY', amount: 3000 },
      { currency: 'USD', amount: 0.3 },
    ]);
    expect(moneyList(rows, 'USD')[0]).toEqual({ currency: 'USD', amount: 0.3 });
  });

  it('takes the site currency from the settings, USD when unset or not a code', () => {
    expect(siteCurrency({ currency: 'eur' })).toBe('EUR');
    expect(siteCurrency({})).toBe('USD');
    expect(siteCurrency({ currency: 'euros' })).toBe('USD');
  });
});
