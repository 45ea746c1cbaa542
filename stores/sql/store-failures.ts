import { failureTypes, retryableFailure } from '../../contracts/errors';
import type { SqlDatabase, SqlQueryable } from './database';

/**
 * Translates the driver's errors (connection refused or dropped, the server shutting down, a timeout waiting for
 * a connection) into retryable `StoreFailed` failures, so the step that needed the store is retried by Temporal
 * with backoff until the database is back, and the history says why. Errors thrown by the caller's own code inside
 * a transaction pass through unchanged.
 */
export function withStoreFailures(db: SqlDatabase): SqlDatabase {
  const fail = (error: unknown) =>
    retryableFailure(failureTypes.storeFailed, `the state store (${db.description}) failed: ${(error as Error).message ?? String(error)}`);
  const guarded = (queryable: SqlQueryable): SqlQueryable => ({
    query: <Row>(text: string, params?: unknown[]) =>
      queryable.query<Row>(text, params).catch((error: unknown) => Promise.reject(fail(error))),
    execute: (script) => queryable.execute(script).catch((error: unknown) => Promise.reject(fail(error))),
  });
  return {
    ...guarded(db),
    description: db.description,
    close: () => db.close(),
    async transaction(work) {
      let fromWork: { error: unknown } | undefined;
      try {
        return await db.transaction(async (tx) => {
          try {
            return await work(guarded(tx));
          } catch (error) {
            fromWork = { error };
            throw error;
          }
        });
      } catch (error) {
        if (fromWork) throw fromWork.error;
        throw fail(error);
      }
    },
  };
}
