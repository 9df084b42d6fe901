/** Says what went wrong on the console, never by throwing into the page. */
export function warn(...details: unknown[]): void {
  try {
    console.warn('[trailmark]', ...details);
  } catch {
    // No console (some embedded browsers).
  }
}
