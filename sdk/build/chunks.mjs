/**
 * The tag's lazy chunks: name → source file (src/FILE.ts). Each is built as
 * `dist/tag/tag-NAME-VERSION.js`, one version for all; the tag names them
 * with that one string. The build, the budget test and the bench read this.
 */
export const LAZY_CHUNKS = {
  api: 'analytics',
  page: 'page',
  queue: 'queue',
  vitals: 'vitals',
  slots: 'slots',
  declarative: 'declarative',
  datalayer: 'datalayer',
};

/** The chunks' version as the built tag names it (`tag-${name}-VERSION.js`), or undefined. */
export const chunkVersionIn = (tag) => /tag-\$\{\w+\}-([\w-]+)\.js/.exec(tag)?.[1];
