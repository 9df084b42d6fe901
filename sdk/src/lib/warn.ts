/** Says something on the console: what went wrong (`warn`), or what `debug(true)` shows (`log`). Never throws into the page. */
const say =
  (level: 'warn' | 'log') =>
  (...details: unknown[]): void => {
    try {
      console[level]('[trailmark]', ...details);
    } catch {
      // No console (some embedded browsers).
    }
  };

export const warn = say('warn');
export const log = say('log');

const said = new Set<unknown>();

/** Says it once per page for each `key`: a refusal repeated by every batch is told once. */
export function warnOnce(key: unknown, ...details: unknown[]): void {
  if (!said.has(key)) {
    said.add(key);
    warn(...details);
  }
}
