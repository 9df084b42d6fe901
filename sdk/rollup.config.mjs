/**
 * One TypeScript source, three builds:
 *
 * 1. The tag's lazy chunks (dist/tag/tag-NAME-VERSION.js: api, page,
 *    queue, vitals, slots, declarative, datalayer):
 *    self-contained ES modules, each built alone so that they share no
 *    chunk with each other; they get everything from the tag through the
 *    `Host` they are handed.
 * 2. The tag (dist/tag/tag.js): a classic script (IIFE), so that a plain
 *    `<script async src>` works, which loads the chunks with `import()`
 *    relative to its own URL, by name and one version string.
 * 3. The npm package (dist/npm): ESM with its own code-split chunks,
 *    `web-vitals` and `idb-keyval` left as dependencies, and the generated
 *    index.d.ts (the shared schema types inlined: that package is private).
 *
 * The tag builds print min / gzip / brotli bytes of each file.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';
import { LAZY_CHUNKS } from './build/chunks.mjs';
import { formatSizes, sizesOf } from './build/sizes.mjs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const quiet = process.env.TRAILMARK_BUILD_QUIET === '1';

const typescript = () =>
  esbuild({
    target: 'es2021',
    define: { __VERSION__: JSON.stringify(pkg.version) },
    // Tree-shaking across files needs the source untouched by esbuild's own minifier.
    minify: false,
  });

const minify = (module) =>
  terser({
    ecma: 2021,
    module,
    toplevel: true,
    compress: { passes: 3, pure_getters: true, unsafe: true, unsafe_arrows: true, unsafe_comps: true, inline: 1 },
    // Like web-vitals: properties named `_x` are private and may be shortened.
    mangle: { properties: { regex: /^_/ } },
    format: { comments: false },
  });

const resolve = () => nodeResolve({ extensions: ['.ts', '.mjs', '.js'], browser: true });

/**
 * One version for all of the tag's chunks (`tag-NAME-VERSION.js`): a hash of
 * the sources and the versions of what they bundle, so that the tag names
 * them all with one short string, and a change of either renames them.
 */
const sourceFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
const chunkVersion = createHash('sha256')
  .update(JSON.stringify(pkg.dependencies))
  .update(
    [...sourceFiles('src'), ...sourceFiles('../schema/src'), 'rollup.config.mjs']
      .sort()
      .map((file) => readFileSync(file, 'utf8'))
      .join('\0'),
  )
  .digest('base64url')
  .slice(0, 8);
/** File names of the tag's chunks, filled in by build 1. */
const chunkFiles = {};
const sizeRows = [];

/** Records the name and sizes of what a build wrote. */
function report(role) {
  return {
    name: 'trailmark-size-report',
    generateBundle(_options, bundle) {
      for (const [file, output] of Object.entries(bundle)) {
        if (output.type !== 'chunk') continue;
        if (output.isEntry && role !== 'initial') chunkFiles[output.name] = file;
        sizeRows.push({ file, role, ...sizesOf(output.code) });
      }
    },
    writeBundle() {
      if (role === 'initial' && !quiet) console.log(`\nTrailmark tag (bytes)\n${formatSizes(sizeRows)}\n`);
    },
  };
}

/**
 * Chunk names change with their content: once the tag is written, the
 * chunks of earlier builds go. (Not by emptying dist first, which would
 * leave a running server without its files for the length of a build.)
 */
function pruneOldChunks() {
  return {
    name: 'trailmark-prune-old-chunks',
    writeBundle() {
      const dir = new URL('./dist/tag/', import.meta.url);
      const current = new Set(Object.values(chunkFiles));
      for (const name of readdirSync(dir)) if (/^tag-.+\.js$/.test(name) && !current.has(name)) rmSync(new URL(name, dir));
    },
  };
}

/** Gives tag.ts the version in the chunks' names through `import { chunkVersion } from 'trailmark:chunks'`. */
function chunkNames() {
  return {
    name: 'trailmark-chunk-names',
    resolveId: (id) => (id === 'trailmark:chunks' ? '\0trailmark:chunks' : null),
    load: (id) => (id === '\0trailmark:chunks' ? `export const chunkVersion = ${JSON.stringify(chunkVersion)};` : null),
  };
}

/** Points the type bundler at the schema's source, so that its types are inlined (the package is private). */
function schemaTypes() {
  const entry = fileURLToPath(new URL('../schema/src/index.ts', import.meta.url));
  return { name: 'trailmark-schema-types', resolveId: (id) => (id === '@trailmark/schema' ? entry : null) };
}

const lazyChunk = (name, file = name) => ({
  input: { [name]: `src/${file}.ts` },
  plugins: [resolve(), typescript(), minify(true), report('lazy')],
  output: { dir: 'dist/tag', format: 'es', entryFileNames: `tag-[name]-${chunkVersion}.js` },
});

export default [
  ...Object.entries(LAZY_CHUNKS).map(([name, file]) => lazyChunk(name, file)),
  {
    input: 'src/tag.ts',
    plugins: [chunkNames(), resolve(), typescript(), minify(false), report('initial'), pruneOldChunks()],
    // Not "use strict" (15 B): the code is TypeScript's strict, and the chunks, ES modules, are strict anyway.
    output: { file: 'dist/tag/tag.js', format: 'iife', strict: false },
  },
  {
    input: { index: 'src/index.ts' },
    external: ['web-vitals', 'idb-keyval'],
    plugins: [resolve(), typescript()],
    output: { dir: 'dist/npm', format: 'es', chunkFileNames: 'chunks/[name].js', hoistTransitiveImports: false },
  },
  {
    input: 'src/index.ts',
    plugins: [schemaTypes(), dts({ respectExternal: true })],
    external: ['web-vitals', 'idb-keyval'],
    output: { file: 'dist/npm/index.d.ts', format: 'es' },
  },
];
