/** The version in the file names of the tag's lazy chunks (`tag-NAME-VERSION.js`), filled in by rollup.config.mjs. */
declare module 'trailmark:chunks' {
  export const chunkVersion: string;
}

/** The package version, filled in at build time. */
declare const __VERSION__: string;
