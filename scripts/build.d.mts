// Types of build.mjs for the TypeScript that imports it (the benchmarks).
export function build(options?: { quiet?: boolean; storefront?: boolean; out?: string }): Promise<void>;
