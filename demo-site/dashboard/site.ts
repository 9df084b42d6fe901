/** Writes the dashboard (/dashboard, its script and styles, uPlot bundled in) into the Worker's assets folder. */
import path from 'node:path';
import { bundle, writeFiles } from '../web-build';
import { dashboardPage } from './page';

const HERE = import.meta.dirname;

export async function buildDashboard(outDir: string): Promise<void> {
  await writeFiles(outDir, new Map([['dashboard.html', dashboardPage()]]));
  await bundle({
    entryPoints: { 'assets/dashboard': path.join(HERE, 'client', 'main.ts') },
    css: { 'assets/dashboard': path.join(HERE, 'dashboard.css') },
    outDir,
  });
}
