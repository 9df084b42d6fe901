/**
 * What the storefront and dashboard builds share: writing generated files,
 * and bundling browser TypeScript and CSS with esbuild (minified, no source
 * maps, nothing fetched at run time from anywhere but the site itself).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

export async function writeFiles(outDir: string, files: ReadonlyMap<string, string>): Promise<void> {
  const dirs = new Set([...files.keys()].map((file) => path.dirname(path.join(outDir, file))));
  await Promise.all([...dirs].map((dir) => mkdir(dir, { recursive: true })));
  await Promise.all([...files].map(([file, content]) => writeFile(path.join(outDir, file), content)));
}

export interface BundleOptions {
  /** Output name without extension → entry file, e.g. { 'assets/shop': '…/main.ts' }. */
  entryPoints: Record<string, string>;
  /** Output name without extension → CSS entry (its @imports are inlined). */
  css?: Record<string, string>;
  outDir: string;
}

export async function bundle({ entryPoints, css = {}, outDir }: BundleOptions): Promise<void> {
  const common = { bundle: true, minify: true, outdir: outDir, logLevel: 'warning', legalComments: 'none', sourcemap: false } as const;
  await Promise.all([
    // Split: a module loaded with import() becomes its own file, fetched only when needed.
    build({
      ...common,
      entryPoints,
      format: 'esm',
      splitting: true,
      chunkNames: 'assets/chunk-[hash]',
      target: ['es2022', 'chrome111', 'firefox113', 'safari16.4'],
    }),
    Object.keys(css).length > 0 ? build({ ...common, entryPoints: css, target: ['chrome111', 'firefox113', 'safari16.4'] }) : undefined,
  ]);
}
