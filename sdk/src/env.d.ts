/** File names of the tag's lazy chunks (content-hashed), filled in by rollup.config.mjs. */
declare module 'trailmark:chunks' {
  export const chunkFiles: Record<keyof import('./tracker').Chunks, string>;
}

/** The package version, filled in at build time. */
declare const __VERSION__: string;
