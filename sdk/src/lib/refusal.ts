import { warnOnce } from './warn';

/**
 * Says on the console, once per kind of refusal, what the collector said
 * about a request it refused (its message tells what to do). Resolves to the
 * message, for a rejection.
 */
export async function refusal(response: Response, what = ''): Promise<string> {
  let body: { error?: string; message?: string } = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status says it.
  }
  const message = `${what}HTTP ${response.status}: ${body.message || response.statusText}`;
  warnOnce(body.error || response.status, message);
  return message;
}
