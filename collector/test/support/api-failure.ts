import { ApiError } from '../../src/http/errors';

/** The ApiError a promise rejects with (anything else, or no rejection, fails the test). */
export async function apiFailure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}
