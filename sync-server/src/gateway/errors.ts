/** What the gateway answers when it refuses a request: CouchDB's error shape (`error`, `reason`), plus a status. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
    /** Seconds, for 429 and 503. */
    readonly retryAfter?: number,
    /** The metrics' and request log's name for the failure, where the error code would not tell it (two kinds of 503 `unavailable`). */
    readonly kind?: string,
  ) {
    super(reason);
  }
}
