/** Types of chunks.mjs, which the rollup config (plain ESM) imports too. */
export declare const LAZY_CHUNKS: Readonly<Record<string, string>>;
export declare function chunkVersionIn(tag: string): string | undefined;
