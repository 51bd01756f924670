/**
 * Faults the fake API server can be told to produce. A test injects them
 * in-process (`fake.inject(fault, { path, times })`) or over HTTP
 * (`POST /__control/faults` with `{ fault, path?, times? }`, `DELETE
 * /__control/faults` to clear). `path` matches the request path with or
 * without the `/v1` prefix (e.g. `/models` matches `/v1/models` too); no path
 * means any endpoint. `times` defaults to 1; 0 means until cleared.
 */

/** The error body shapes real servers send (see design notes). */
export type ErrorShape =
  | 'openai' // {"error":{"message","type","param","code"}}
  | 'string' // {"error":"..."}
  | 'error-and-message' // {"error":"...","message":"..."}
  | 'anthropic' // {"type":"error","error":{"type","message"}}
  | 'text' // text/plain
  | 'html' // an HTML error page

/** One piece of a hand-written response body, sent after an optional pause. */
export interface RawChunk {
  /** Text (sent as UTF-8) or base64 bytes (`bytes`), exactly as given. */
  text?: string
  bytes?: string
  delayMs?: number
}

export type Fault =
  /** An HTTP error status with a body of the given shape. */
  | { kind: 'http-error'; status: number; shape: ErrorShape; message?: string; retryAfter?: string; code?: string | number }
  /** Headers arrive only after this delay. */
  | { kind: 'slow-first-byte'; delayMs: number }
  /** A streamed answer goes silent after `afterChunks` chunks for `ms` (then continues). */
  | { kind: 'stall'; afterChunks: number; ms: number }
  /** The socket is destroyed after `afterBytes` bytes of body (0: before any header). */
  | { kind: 'drop'; afterBytes: number }
  /**
   * A streamed answer ends cleanly after `afterChunks` chunks, as when an
   * upstream or a proxy gives up mid-answer: no finish_reason, no [DONE], no
   * error, no reset. Bodies sent whole (with Content-Length) are not cut.
   */
  | { kind: 'end-early'; afterChunks: number }
  /** A 200 with a JSON content type whose body is not JSON. */
  | { kind: 'malformed-json' }
  /** A 200 event stream that carries `data: {"error":{...}}` after a few tokens. */
  | { kind: 'stream-error'; message?: string; code?: string | number; done?: boolean }
  /** A 200 completion whose content is the gateway's rate-limit notice, with zero usage. */
  | { kind: 'ratelimit-notice'; variant: 'current' | 'legacy' }
  /**
   * A normal answer followed by the gateway's advertising footer: `proxies`
   * (default) is the short one, `upgrade` the longer one that also says
   * "Upgrade your plan to remove this message at".
   */
  | { kind: 'ad-footer'; variant?: 'proxies' | 'upgrade' }
  /** A 200 completion with empty content and zero usage. */
  | { kind: 'empty-answer' }
  /** JSON with Content-Type application/json where an image or audio was expected. */
  | { kind: 'wrong-content-type' }
  /** A body of this many bytes (declared or chunked), for size limits. */
  | { kind: 'oversized'; bytes: number; chunked?: boolean }
  /** Sends exactly these chunks with this status and content type. */
  | { kind: 'raw'; status?: number; contentType?: string; headers?: Record<string, string>; chunks: RawChunk[] }

export interface FaultRule {
  fault: Fault
  path?: string
  times?: number
}

/** Texts the gateway really sends, so tests can assert on them. */
export const RATELIMIT_NOTICE = {
  current: 'Ratelimit Exceeded!\nPlease join: https://discord.gg/airforce',
  legacy: 'Rate limit (5/minute) exceeded. Join our discord for more: https://discord.gg/airforce'
} as const

export const AD_FOOTER = {
  proxies: '\n\nNeed proxies cheaper than the market?\nhttps://op.wtf',
  upgrade:
    '\n\nNeed proxies cheaper than the market?\nhttps://op.wtf\nUpgrade your plan to remove this message at\nhttps://api.airforce\ndiscord.gg/airforce'
} as const
