/**
 * Structural checks a schema cannot express, run on each parsed message before
 * validation: nesting depth, keys that would pollute prototypes downstream,
 * and strings that are not well-formed UTF-16 (lone surrogates, which turn
 * into U+FFFD or fail in storage and in other tools). Iterative, so a hostile
 * nesting depth cannot overflow the stack.
 */

export const MAX_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface Visit {
  value: unknown;
  depth: number;
  parent: Visit | undefined;
  key: string | number;
}

/**
 * Returns why the value is unacceptable, or null when it is fine. With
 * `plainText` (the value comes from a text that passed `plainJsonText`) only
 * its depth can be wrong, and only a value too deep is walked in full.
 */
export function inspectJson(root: unknown, plainText = false): string | null {
  if (plainText && (typeof root !== 'object' || root === null || !nestsTooDeep(root, 0))) return null;
  // Paths are spelled out only when something is wrong: the common case never builds them.
  const stack: Visit[] = [{ value: root, depth: 0, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value, depth } = visit;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return `${pathOf(visit) || 'a value'} contains invalid UTF-16 (a lone surrogate)`;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return `${pathOf(visit)} is nested deeper than ${MAX_DEPTH} levels`;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], depth: depth + 1, parent: visit, key: i });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `key "${key}" is not allowed (at ${pathOf({ value: undefined, depth, parent: visit, key })})`;
      if (!key.isWellFormed()) return `a key under ${pathOf(visit) || 'the message'} contains invalid UTF-16 (a lone surrogate)`;
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, parent: visit, key });
    }
  }
  return null;
}

/**
 * Whether the strings and keys of every value parsed from this JSON text
 * are known to be fine without looking at them: a body decoded as UTF-8
 * holds no lone surrogate unless a `\u` escape writes one, and a forbidden
 * key needs its quoted name (or an escape) in the text. Such a body's
 * messages are inspected for their depth alone (`inspectJson(m, true)`).
 */
export function plainJsonText(text: string): boolean {
  return !text.includes('\\u') && ![...FORBIDDEN_KEYS].some((key) => text.includes(`"${key}"`));
}

/** Does an object or array inside `value` sit at MAX_DEPTH or deeper? Recursion stops there, so it is bounded. */
function nestsTooDeep(value: object, depth: number): boolean {
  if (depth >= MAX_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null && nestsTooDeep(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && nestsTooDeep(item, depth + 1)) return true;
  }
  return false;
}

/** `context.page.url`, `products[3].sku`: where a visit sits in the message. */
function pathOf(visit: Visit): string {
  const keys: (string | number)[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) keys.unshift(at.key);
  return keys.reduce<string>((path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key), '');
}
