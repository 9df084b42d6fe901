/** Numbers for people, the same on the build side, in the shop and on the dashboard. */

const money = new Map<string, Intl.NumberFormat>();

export function formatPrice(amount: number, currency = 'USD'): string {
  let format = money.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    } catch {
      return `${amount.toFixed(2)} ${currency}`;
    }
    money.set(currency, format);
  }
  return format.format(amount);
}

const integer = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return integer.format(n);
}

/** "1 product", "3 products": a count with its noun. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A share as a percentage with one decimal; "–" when there is nothing to divide by. */
export function formatPercent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return `${(share * 100).toFixed(digits)}%`;
}

/** A relative change, signed: +12.3%, −4.0%. */
export function formatChange(change: number | null | undefined, digits = 1): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return '–';
  const pct = (change * 100).toFixed(digits);
  return change > 0 ? `+${pct}%` : change < 0 ? `−${pct.slice(1)}%` : `${pct}%`;
}
