/**
 * Starts the collector with `wrangler dev` on local state (D1, Durable
 * Objects): `npm start`, the end-to-end tests, the simulator and the
 * benchmarks all go through here, so they run the same thing.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WRANGLER = path.join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const run = promisify(execFile);

/**
 * Applies the numbered D1 migrations to the local database under stateDir.
 * `config`: another Worker's wrangler config (a bench's), default the collector's.
 */
export async function applyMigrations(stateDir, config) {
  await mkdir(stateDir, { recursive: true });
  const configArgs = config ? ['--config', config] : [];
  await run(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', stateDir, ...configArgs], {
    cwd: ROOT,
    env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false' },
  });
}

/**
 * `config` starts another Worker than the collector (a bench's own wrangler
 * config); it must bind a D1 database as DB and answer GET /healthz.
 * `assets`: the folder of static files to serve instead of the config's (dist/public). `wrangler dev`
 * reloads the Worker whenever anything in that folder changes, failing the requests under way (a
 * POST gets "Your worker restarted mid-request"); a folder of the server's own is one no other build
 * in the checkout (`npm run build`, a benchmark, another `npm start` or test run) writes to.
 * @param {{ port: number, stateDir: string, adminToken: string, vars?: Record<string,string>, quiet?: boolean, ip?: string, inspectorPort?: number, config?: string, assets?: string }} options
 * @returns {Promise<{ url: string, process: import('node:child_process').ChildProcess, stop: () => Promise<void> }>}
 */
export async function startDevServer({ port, stateDir, adminToken, vars = {}, quiet = true, ip = 'localhost', inspectorPort = 0, config, assets }) {
  await applyMigrations(stateDir, config);
  const allVars = { DEV_MODE: 'true', ADMIN_TOKEN: adminToken, ...vars };
  const args = [
    WRANGLER,
    'dev',
    ...(config ? ['--config', config] : []),
    ...(assets ? ['--assets', assets] : []),
    '--port',
    String(port),
    '--ip',
    ip,
    '--persist-to',
    stateDir,
    '--inspector-port',
    String(inspectorPort),
    '--show-interactive-dev-session=false',
    '--log-level',
    quiet ? 'warn' : 'info',
    ...Object.entries(allVars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const remember = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (!quiet) process.stdout.write(chunk);
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);
  const url = `http://localhost:${port}`;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`wrangler dev did not answer /healthz within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** A free TCP port on the loopback interface. */
export async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
