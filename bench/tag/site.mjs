/**
 * The shop the tag benchmark loads its libraries on: every peer's files made
 * from its npm package, one page per library, served from 127.0.0.1 (another
 * origin than the collector, as a shop's pages are).
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LIBRARIES, PEERS, peerDirOf } from './peers.mjs';

/** Every peer's first file, by path on the site server. */
export async function peerFiles() {
  return new Map(await Promise.all(PEERS.map(async (peer) => [peer.initial.path, await peer.initial.code()])));
}

/** The snippets the peers ship in their packages, pointed at this site instead of their CDNs, by library. */
export async function peerSnippets(origin, files) {
  const snippets = {};
  for (const peer of PEERS) {
    if (peer.snippet) snippets[peer.name] = await peer.snippet({ origin, initialPath: peer.initial.path, initial: files.get(peer.initial.path) });
  }
  return snippets;
}

export async function startSiteServer(files) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = files.get(url.pathname);
    if (file) {
      const type = url.pathname.endsWith('.js') ? 'text/javascript' : url.pathname.endsWith('/settings') ? 'application/json' : 'text/html';
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'access-control-allow-origin': '*', 'cache-control': 'no-store' });
      res.end(file);
      return;
    }
    const peerDir = peerDirOf(url.pathname);
    if (peerDir) {
      try {
        const body = await readFile(path.join(peerDir.dir, path.basename(url.pathname)));
        res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const page = (head) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Product</title>${head}</head>
<body><h1>Trail tent, 2 people</h1><p>${'A light tent for long walks. '.repeat(40)}</p></body></html>`;

/** The page of each library (its install as its documentation gives it, plus one page view), and a blank one. */
export function pages(collectorUrl, origin, snippets) {
  return {
    blank: page(''),
    ...Object.fromEntries(
      LIBRARIES.map((library) => [
        library.name,
        page(library.head({ collectorUrl, origin, initialPath: library.initial?.path, snippet: snippets[library.name]?.html })),
      ]),
    ),
  };
}
