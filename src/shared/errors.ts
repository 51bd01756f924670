/**
 * Errors as data. Main throws `AppError`; the bridge sends its fields; the
 * renderer rebuilds an `AppError` with the same code, status and wait time.
 */

export const errorCodes = [
  'invalid_argument', // the caller sent something unusable
  'no_key', // the server needs a key and none is set
  'unauthorized', // 401: the key is wrong
  'payment_required', // 402: no credit left
  'forbidden', // 403: the plan does not allow it
  'not_found', // 404: unknown model or endpoint
  'too_large', // 413: the request is too large for the server
  'rate_limited', // 429, or a rate-limit notice inside a 200 answer
  'server_error', // other 5xx
  'unavailable', // 502/503: restarting, or every provider failed
  'timeout', // connect, first byte or mid-stream silence took too long
  'network', // refused, reset, DNS failure, proxy failure
  'aborted', // the person stopped it
  'bad_response', // malformed JSON, wrong content type, empty answer
  'response_too_large', // the body passed our size limit
  'stream_error', // the server reported an error inside a stream
  'encryption_unavailable', // the OS cannot encrypt the key
  'internal' // a bug on our side
] as const

export type ErrorCode = (typeof errorCodes)[number]

export interface BridgeErrorData {
  code: ErrorCode
  /** Readable, already cut to a sensible length; never contains the key. */
  message: string
  /** HTTP status, when a server answered. */
  status?: number
  /** How long the server asked us to wait, when it said so. */
  retryAfterMs?: number
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined

  constructor(code: ErrorCode, message: string, extra: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause })
    this.name = 'AppError'
    this.code = code
    this.status = extra.status
    this.retryAfterMs = extra.retryAfterMs
  }

  toData(): BridgeErrorData {
    const data: BridgeErrorData = { code: this.code, message: this.message }
    if (this.status !== undefined) data.status = this.status
    if (this.retryAfterMs !== undefined) data.retryAfterMs = this.retryAfterMs
    return data
  }

  static fromData(data: BridgeErrorData): AppError {
    return new AppError(data.code, data.message, { status: data.status, retryAfterMs: data.retryAfterMs })
  }
}

/** Anything thrown, as bridge data. Unknown errors become `internal`. */
export function toErrorData(error: unknown): BridgeErrorData {
  if (error instanceof AppError) return error.toData()
  if (error instanceof Error && error.name === 'AbortError') return { code: 'aborted', message: 'Stopped.' }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'internal', message: message || 'Unexpected error.' }
}

/** A short sentence for people, by error code. Used where the server said nothing useful. */
export function describeError(data: BridgeErrorData): string {
  const wait = data.retryAfterMs !== undefined ? ` Try again in ${Math.ceil(data.retryAfterMs / 1000)} s.` : ''
  switch (data.code) {
    case 'no_key':
      return 'No API key is set. Add one in Settings.'
    case 'unauthorized':
      return 'The server rejected the API key.'
    case 'rate_limited':
      return `Rate limit reached.${wait}`
    case 'network':
      return 'Could not reach the server.'
    case 'timeout':
      return 'The server took too long to answer.'
    default:
      return data.message
  }
}
