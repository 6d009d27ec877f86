/**
 * Every error Tote raises carries a stable code (for code and tests) and a message a shopper can read
 * (for the UI). Modelled on RxDB's `newRxError('CODE', ...)`.
 */
export type ToteErrorCode =
  | 'INVALID_INPUT' // a command or product failed validation at the boundary
  | 'INVALID_FILE' // a file to import is not a Tote export, or is damaged; details.reason, and details.item/field for a bad item
  | 'NOT_FOUND' // the item a command names does not exist (any more)
  | 'STORAGE_FAILED' // the local database refused a write
  | 'SYNC_FORBIDDEN' // the server refused access to this cart
  | 'SYNC_HTTP' // the server answered with an unexpected status
  | 'SYNC_OFFLINE' // the server could not be reached
  | 'SYNC_UNAVAILABLE' // the server answered but cannot take changes now (out of storage: 507; unavailable: 503); details.retryAfterSeconds
  | 'CLOSED' // the store or database was closed
  | 'AUTH_FAILED' // wrong name or password
  | 'ACCOUNT_EXISTS' // sign-up with a name that is taken
  | 'RATE_LIMITED' // too many attempts; details.retryAfterSeconds says how long to wait
  | 'SESSION_EXPIRED' // the session ended (timeout, revoked, signed out elsewhere): sign in again
  | 'OTHER_ACCOUNT' // this device holds another account's cart
  | 'LOCKED' // the cart is encrypted on this device and not unlocked yet: the owner's password opens it
  | 'DECRYPT_FAILED' // an encrypted document could not be read (damaged, moved, or another key); details.reason
  | 'WRONG_PASSWORD' // the password does not unlock the shopper's keys
  | 'WRONG_RECOVERY_KEY' // a well-formed recovery key that does not unlock the shopper's keys (or that the server does not accept for the account)
  | 'RECOVERY_UNAVAILABLE' // the account cannot be opened with a recovery key (its server keeps no proof for it)
  | 'NOT_ALLOWED'; // a request from a context that may not make it (a content script asking for the account)

export class ToteError extends Error {
  override readonly name = 'ToteError';
  constructor(
    readonly code: ToteErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export function isToteError(error: unknown, code?: ToteErrorCode): error is ToteError {
  return error instanceof ToteError && (code === undefined || error.code === code);
}
