/**
 * Progress on stderr: a bar redrawn in place on a terminal, plain lines every
 * 10% otherwise (CI logs, pipes), so stdout stays free for the summary.
 */
import type { WriteStream } from 'node:tty';

export interface ProgressBar {
  update(done: number, detail: string): void;
  /** The final line; `done` may pass the total (a run that stops after whole shoppers). */
  finish(detail: string, done?: number): void;
}

const WIDTH = 28;

export function progressBar(total: number, unit: string, stream: NodeJS.WriteStream | WriteStream = process.stderr): ProgressBar {
  const interactive = Boolean(stream.isTTY);
  let lastStep = -1;
  let lastLine = '';
  let lastDraw = 0;

  function line(done: number, detail: string): string {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    return `${bar} ${String(Math.floor(fraction * 100)).padStart(3)}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit} · ${detail}`;
  }

  return {
    update(done, detail) {
      if (interactive) {
        // Redrawing more than ~20 times a second only costs time.
        const now = Date.now();
        if (now - lastDraw < 50 && done < total) return;
        lastDraw = now;
        stream.write(`\r\x1b[2K${line(done, detail)}`);
        return;
      }
      const step = total > 0 ? Math.floor((done / total) * 10) : 0;
      if (step > lastStep) {
        lastStep = step;
        lastLine = line(done, detail);
        stream.write(`${lastLine}\n`);
      }
    },
    finish(detail, done = total) {
      const last = line(Math.max(done, total), detail);
      if (interactive) stream.write(`\r\x1b[2K${last}\n`);
      else if (last !== lastLine) stream.write(`${last}\n`);
    },
  };
}
