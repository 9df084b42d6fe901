/**
 * A small picture per product, drawn rather than stored: the department's
 * colour (a shade per aisle), its icon, the product's name and price. The
 * same product always gives the same bytes.
 *
 * Product data may come from anywhere (a catalog upload, a tracked event), so
 * every piece of text is escaped and every number is formatted by us: nothing
 * from the product can open a tag or an attribute.
 */
import type { Product } from '@trailmark/schema';
import { CATEGORY_TREE, type IconName } from './catalog-tree';
import { hashWords } from './random';

const SIZE = 240;
const LINE_CHARS = 20;
const MAX_LINES = 3;

/** Escapes text for use in SVG/XML content and attribute values; drops characters XML forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function productImageSvg(product: Product): string {
  const name = typeof product.name === 'string' && product.name.trim() ? product.name.trim() : String(product.product_id);
  const category = typeof product.category === 'string' ? product.category : '';
  const [topName = '', subName = ''] = category.split(' > ');
  const top = CATEGORY_TREE.find((t) => t.name === topName);
  // Unknown categories still get a stable colour of their own.
  const hue = top ? top.hue : hashWords(topName || name) % 360;
  const shade = subName ? (hashWords(subName) % 5) * 4 - 8 : 0;
  const icon: IconName = top ? top.icon : 'cup';
  const light = `hsl(${hue}, 70%, ${clamp(88 + shade / 2, 78, 94)}%)`;
  const mid = `hsl(${hue}, 60%, ${clamp(62 + shade, 48, 74)}%)`;
  const dark = `hsl(${hue}, 55%, 24%)`;
  const lines = wrap(name, LINE_CHARS, MAX_LINES);
  const price = typeof product.price === 'number' && Number.isFinite(product.price) ? formatPrice(product.price, product.currency) : '';
  const textTop = 150 - (lines.length - 1) * 9;
  const text = lines.map((line, i) => `<text x="120" y="${textTop + i * 19}" font-size="16" font-weight="600">${escapeXml(line)}</text>`).join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" role="img" aria-label="${escapeXml(name)}">`,
    `<title>${escapeXml(name)}</title>`,
    `<rect width="${SIZE}" height="${SIZE}" rx="16" fill="${light}"/>`,
    `<circle cx="120" cy="78" r="50" fill="${mid}"/>`,
    `<g transform="translate(96 54)" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round">${ICONS[icon]}</g>`,
    `<g fill="${dark}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" text-anchor="middle">${text}`,
    price ? `<text x="120" y="${Math.min(textTop + lines.length * 19 + 14, 226)}" font-size="14" opacity="0.75">${escapeXml(price)}</text>` : '',
    `</g></svg>`,
  ].join('');
}

/** 48×48 line drawings, one per department. */
const ICONS: Record<IconName, string> = {
  cup: '<path d="M8 18h26v14a10 10 0 0 1-10 10h-6A10 10 0 0 1 8 32z"/><path d="M34 22h3a5 5 0 0 1 0 10h-3"/><path d="M16 4c-2 3 2 5 0 8M24 4c-2 3 2 5 0 8"/>',
  pot: '<path d="M8 20h32v14a8 8 0 0 1-8 8H16a8 8 0 0 1-8-8z"/><path d="M2 24h6M40 24h6M12 14h24"/><path d="M22 8h4"/>',
  bolt: '<path d="M27 4 11 27h12l-3 17 17-24H25z"/>',
  printer: '<path d="M14 16V6h20v10"/><rect x="6" y="16" width="36" height="16" rx="3"/><path d="M14 28h20v14H14z"/>',
  drop: '<path d="M24 4C16 16 11 23 11 30a13 13 0 0 0 26 0c0-7-5-14-13-26z"/><path d="M18 31a6 6 0 0 0 6 6"/>',
  paw: '<ellipse cx="24" cy="32" rx="10" ry="8"/><circle cx="11" cy="20" r="4"/><circle cx="19" cy="11" r="4"/><circle cx="29" cy="11" r="4"/><circle cx="37" cy="20" r="4"/>',
  mountain: '<path d="M2 42 18 14l10 16 6-9 12 21z"/><path d="M13 23l5 3 4-3"/>',
  shirt: '<path d="M16 6 4 14l5 9 5-3v22h20V20l5 3 5-9-12-8c-1 4-4 6-8 6s-7-2-8-6z"/>',
};

/** Breaks the name into at most maxLines lines at spaces, ending with "…" when it does not fit. */
function wrap(text: string, width: number, maxLines: number): string[] {
  // A number stays with its unit ("1 l", "6 × 330 ml"), so a line never ends in "1" and starts with "l".
  const words: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const previous = words[words.length - 1];
    if (previous !== undefined && (/^[\d×]+$/.test(previous) || word === '×')) words[words.length - 1] = `${previous}\u00a0${word}`;
    else words.push(word);
  }
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (candidate.length <= width || !line) {
      line = candidate;
    } else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  const shown = lines.slice(0, maxLines).map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
  if (lines.length > maxLines) {
    const last = shown[maxLines - 1] ?? '';
    shown[maxLines - 1] = `${last.slice(0, width - 1)}…`;
  }
  return shown;
}

function formatPrice(price: number, currency: unknown): string {
  const code = typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'USD';
  const amount = price.toFixed(2);
  return code === 'USD' ? `$${amount}` : `${amount} ${code}`;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
