/**
 * What each library costs a page in bytes: its first file (and Trailmark's
 * lazy chunks), and every script it actually loaded at start, minified,
 * gzip and brotli.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chunkVersionIn, LAZY_CHUNKS } from '../../sdk/build/chunks.mjs';
import { LIBRARIES, libraryNamed, PEERS, peerDirOf } from './peers.mjs';

/** @param {Uint8Array | string} code */
function sizesOf(code) {
  const bytes = Buffer.from(code);
  return {
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** Sizes of the first file of each library (and of Trailmark's lazy chunks). */
export async function sizes(collectorUrl, files) {
  const fetchText = async (url) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const tag = await fetchText(`${collectorUrl}/tag.js`);
  const version = chunkVersionIn(tag.toString());
  const chunks = Object.keys(LAZY_CHUNKS).map((name) => `tag-${name}-${version}.js`);
  const trailmark = [{ file: 'tag.js', role: 'initial', ...sizesOf(tag) }];
  for (const chunk of chunks) trailmark.push({ file: chunk, role: 'lazy', ...sizesOf(await fetchText(`${collectorUrl}/${chunk}`)) });
  return {
    trailmark,
    'trailmark-lean': trailmark.filter((f) => f.role === 'initial'),
    ...Object.fromEntries(PEERS.map(({ name, initial }) => [name, [{ file: initial.file, role: 'initial', ...sizesOf(files.get(initial.path)) }]])),
  };
}

/**
 * Some peers load more than their first file at start: what the page fetched
 * counts. Adds those files to `fileSizes` and answers, per library, the files
 * counted and their total (and what was requested but not served here).
 */
export async function loadedAtStart(startups, files, fileSizes) {
  const loaded = {};
  for (const { name } of LIBRARIES) {
    const initialPath = libraryNamed(name).initial?.path;
    const urls = new Set(startups[name].flatMap((s) => s.scripts));
    const counted = [];
    const uncounted = [];
    let total = { min: 0, gzip: 0, brotli: 0 };
    for (const url of urls) {
      const pathname = new URL(url).pathname;
      const peerDir = peerDirOf(pathname);
      let code;
      if (name.startsWith('trailmark') && /\/tag(-[\w-]+)?\.js$/.test(pathname)) code = Buffer.from(await (await fetch(url)).arrayBuffer());
      else if (files.has(pathname)) code = files.get(pathname);
      else if (peerDir?.library === name) code = await readFile(path.join(peerDir.dir, path.basename(pathname))).catch(() => undefined);
      if (!code) {
        uncounted.push(url);
        continue;
      }
      if (!name.startsWith('trailmark') && pathname !== initialPath)
        fileSizes[name].push({ file: path.basename(pathname), role: 'at start', ...sizesOf(code) });
      counted.push(pathname);
      const s = sizesOf(code);
      total = { min: total.min + s.min, gzip: total.gzip + s.gzip, brotli: total.brotli + s.brotli };
    }
    if (!counted.length) {
      // A peer that never started: its first file is what a site loads at the least.
      const initial = fileSizes[name].filter((f) => f.role === 'initial');
      total = { min: initial.reduce((n, f) => n + f.min, 0), gzip: initial.reduce((n, f) => n + f.gzip, 0), brotli: initial.reduce((n, f) => n + f.brotli, 0) };
      counted.push(...(initialPath ? [initialPath] : ['tag.js']));
    }
    loaded[name] = { files: counted, ...total, ...(uncounted.length ? { uncounted } : {}) };
  }
  return loaded;
}
