/**
 * Structural checks a schema cannot express, run on each parsed message before
 * validation: nesting depth, keys that would pollute prototypes downstream,
 * and strings that are not well-formed UTF-16 (lone surrogates, which turn
 * into U+FFFD or fail in storage and in other tools). Iterative, so a hostile
 * nesting depth cannot overflow the stack.
 */

export const MAX_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Returns why the value is unacceptable, or null when it is fine. */
export function inspectJson(root: unknown): string | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: root, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return `${path || 'a value'} contains invalid UTF-16 (a lone surrogate)`;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return `${path} is nested deeper than ${MAX_DEPTH} levels`;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], depth: depth + 1, path: `${path}[${i}]` });
      continue;
    }
    for (const key of Object.keys(value)) {
      const keyPath = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return `key "${key}" is not allowed (at ${keyPath})`;
      if (!key.isWellFormed()) return `a key under ${path || 'the message'} contains invalid UTF-16 (a lone surrogate)`;
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: keyPath });
    }
  }
  return null;
}
