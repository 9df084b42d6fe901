/**
 * HTML written at build time, escaped by default: every interpolated value
 * is text unless it is already `Html` (the result of another `html`
 * template, or `raw()` for markup we wrote ourselves). Catalog data is
 * generated here, but a real shop's would not be, and the demo should show
 * the habit.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: Value): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  // false, null and undefined leave nothing, so `${cond && html`…`}` reads naturally.
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Markup we wrote ourselves (an inline SVG icon), never data. */
export function raw(markup: string): Html {
  return new Html(markup);
}

/**
 * Attributes from an object: `undefined`/`false` leave the attribute out,
 * `true` writes it bare, anything else is escaped into a quoted value.
 */
export function attrs(attributes: Record<string, string | number | boolean | undefined>): Html {
  return new Html(
    Object.entries(attributes)
      .filter(([, value]) => value !== undefined && value !== false)
      .map(([name, value]) => (value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`))
      .join(''),
  );
}
