/**
 * One TypeScript source, three builds:
 *
 * 1. The tag's lazy chunks (dist/tag/tag-NAME-HASH.js: vitals, slots,
 *    declarative, ga4):
 *    self-contained ES modules, each built alone so that they share no
 *    chunk with each other; they get everything from the tag through the
 *    `Host` they are handed.
 * 2. The tag (dist/tag/tag.js): a classic script (IIFE), so that a plain
 *    `<script async src>` works, which loads the chunks with `import()`
 *    relative to its own URL. It learns their hashed names from build 1.
 * 3. The npm package (dist/npm): ESM with its own code-split chunks,
 *    `web-vitals` and `idb-keyval` left as dependencies, and the generated
 *    index.d.ts (the shared schema types inlined: that package is private).
 *
 * The tag builds print min / gzip / brotli bytes of each file.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';
import { formatSizes, sizesOf } from './build/sizes.mjs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const quiet = process.env.TRAILMARK_BUILD_QUIET === '1';


const typescript = () =>
  esbuild({
    target: 'es2020',
    define: { __VERSION__: JSON.stringify(pkg.version) },
    // Tree-shaking across files needs the source untouched by esbuild's own minifier.
    minify: false,
  });

const minify = (module) =>
  terser({
    ecma: 2020,
    module,
    toplevel: true,
    compress: { passes: 3, pure_getters: true, unsafe_arrows: true },
    // Like web-vitals: properties named `_x` are private and may be shortened.
    mangle: { properties: { regex: /^_/ } },
    format: { comments: false },
  });

const resolve = () => nodeResolve({ extensions: ['.ts', '.mjs', '.js'], browser: true });

/** File names of the tag's chunks, filled in by build 1 for build 3. */
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

/** Gives tag.ts the hashed chunk names through `import { chunkFiles } from 'trailmark:chunks'`. */
function chunkNames() {
  return {
    name: 'trailmark-chunk-names',
    resolveId: (id) => (id === 'trailmark:chunks' ? '\0trailmark:chunks' : null),
    load: (id) => (id === '\0trailmark:chunks' ? `export const chunkFiles = ${JSON.stringify(chunkFiles)};` : null),
  };
}

/** Points the type bundler at the schema's source, so that its types are inlined (the package is private). */
function schemaTypes() {
  const entry = fileURLToPath(new URL('../schema/src/index.ts', import.meta.url));
  return { name: 'trailmark-schema-types', resolveId: (id) => (id === '@trailmark/schema' ? entry : null) };
}

const lazyChunk = (name) => ({
  input: { [name]: `src/${name}.ts` },
  plugins: [resolve(), typescript(), minify(true), report('lazy')],
  output: { dir: 'dist/tag', format: 'es', entryFileNames: 'tag-[name]-[hash].js' },
});

export default [
  lazyChunk('vitals'),
  lazyChunk('slots'),
  lazyChunk('declarative'),
  lazyChunk('ga4'),
  {
    input: 'src/tag.ts',
    plugins: [chunkNames(), resolve(), typescript(), minify(false), report('initial'), pruneOldChunks()],
    output: { file: 'dist/tag/tag.js', format: 'iife' },
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
