/**
 * One place shapes every error response: `{ ok: false, error, message }`, where
 * `message` tells the caller what to do about it.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** More for the caller to act on, beside the message (e.g. every issue of a definition, each with its path). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = 'bad_request') => new ApiError(400, code, message);

export function errorResponse(c: Context, err: ApiError): Response {
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  return c.json({ ok: false, error: err.code, message: err.message, ...err.details }, err.status);
}

/** Hono `onError`: known errors become their response; anything else is our fault, logged, and a 500. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return errorResponse(c, err);
  console.error('unhandled error', c.req.method, c.req.path, err);
  return c.json({ ok: false, error: 'internal', message: 'The collector failed; retry later. This is logged.' }, 500);
}

/** A validation issue as a 400 message says it: `audiences.0: each audience id must be a string`. */
export function describeIssue(issue: v.BaseIssue<unknown> | undefined): string {
  if (!issue) return 'unknown problem';
  const path = v.getDotPath(issue);
  return path ? `${path}: ${issue.message}` : issue.message;
}
