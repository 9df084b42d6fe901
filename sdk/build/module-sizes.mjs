/**
 * Which source file costs how much of the initial tag: each module of the
 * tag build minified on its own (no mangling), in bytes and gzip bytes.
 * Module sizes do not add up to the bundle's (the bundle compresses
 * better); they show where to look. `node sdk/build/module-sizes.mjs`
 */
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { minify } from 'terser';
import config from '../rollup.config.mjs';

process.chdir(new URL('..', import.meta.url).pathname);
const tag = config.find((c) => c.input === 'src/tag.ts');
const bundle = await rollup({
  input: tag.input,
  plugins: tag.plugins.filter((p) => !['terser', 'trailmark-size-report'].includes(p.name)),
  onwarn: () => {},
});
const { output } = await bundle.generate({ format: 'es' });
const rows = [];
for (const [id, module] of Object.entries(output[0].modules)) {
  if (!module.code) continue;
  const { code = '' } = await minify(module.code, { module: true, compress: false, mangle: false, format: { comments: false } });
  rows.push([code.length, gzipSync(code).length, id.replace(/^.*?\/(sdk|schema|node_modules)\//, '$1/')]);
}
rows.sort((a, b) => b[0] - a[0]);
console.log('   min   gzip  module');
for (const [min, gz, id] of rows) console.log(String(min).padStart(6), String(gz).padStart(6), '', id);
