/**
 * The one HTTP client of main: pooled undici dispatchers, proxy modes,
 * connect / first-byte / idle timeouts, abort, size limits, readable errors
 * and retries for repeatable requests. The config is read on every request
 * so a settings change applies to the next one.
 */
import { request, type Dispatcher } from 'undici'
import { AppError } from '../../../shared/errors'
import type { ProxySettings, Timeouts } from '../../../shared/contract'
import { checkDeclaredLength, readLimited, readPrefix, tooLarge } from './body'
import { DispatcherPool, describeProxy } from './dispatchers'
import { cleanMessage, errorFromResponse, headerValue, isWebPage, messageFromBody, redact, webPageError } from './errors'
import { defaultRetryPolicy, withRetries, type RetryPolicy } from './retry'
import { transportError, type TransportContext } from './transport-errors'
import { buildUrl, apiRoot, type Query } from './url'

export interface HttpConfig {
  baseUrl: string
  /** The key for the server `baseUrl` points at (null when none may go there); sent to that origin only. */
  apiKey: string | null
  timeouts: Timeouts
  proxy: ProxySettings
  userAgent?: string
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface HttpRequest {
  /** From the server root, e.g. `/v1/models` (see url.ts), or an absolute http(s) URL. */
  path: string
  method?: HttpMethod
  query?: Query
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown
  /** Sent as is; give its content type in `headers`. */
  body?: string | Uint8Array
  headers?: Record<string, string>
  signal?: AbortSignal | undefined
  /** Allows retries for POST/PUT/PATCH/DELETE; GET and HEAD always may retry. */
  retry?: boolean
  /** `surface`: a 429 is not waited out here but returned at once (job queues pause and count down). */
  rateLimits?: 'retry' | 'surface'
  /** Body size limit in bytes. */
  maxBytes?: number
  /** Further strings to keep out of messages. */
  secrets?: readonly string[]
  /**
   * Also sends the key as this query parameter (the gateway's `/check?key=`),
   * under the header's rule; without a key for this server the request is refused.
   */
  keyParam?: string
}

export type ResponseHeaders = Record<string, string | string[] | undefined>

export interface StreamResponse {
  status: number
  headers: ResponseHeaders
  /** Lower-case media type without parameters, '' when absent. */
  contentType: string
  /** The body as it arrives. Stopping early (break/return) closes the connection. */
  body: AsyncGenerator<Uint8Array, void, undefined>
}

export interface BytesResponse {
  bytes: Buffer
  contentType: string
}

export interface HttpClientOptions {
  retry?: Partial<RetryPolicy>
}

export const JSON_LIMIT = 2 * 1024 * 1024
/** How long `close()` lets connections finish before it cuts them. */
export const CLOSE_GRACE_MS = 2_000
export const MEDIA_LIMIT = 50 * 1024 * 1024
/** How much of an error body is read for its message. */
const ERROR_BODY_LIMIT = 64 * 1024

interface Opened {
  status: number
  headers: ResponseHeaders
  body: Dispatcher.ResponseData['body']
  ctx: TransportContext
}

const mediaType = (headers: ResponseHeaders): string =>
  (headerValue(headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''

const utf8Text = (buffer: Buffer): string => buffer.toString('utf8').replace(/^\uFEFF/, '')

function abortedError(): AppError {
  return new AppError('aborted', 'Stopped.')
}

export class HttpClient {
  readonly #getConfig: () => HttpConfig
  readonly #retry: RetryPolicy
  readonly #pool = new DispatcherPool()
  /** Aborted by `close()`: every request, whatever its own signal, stops at quit. */
  readonly #lifetime = new AbortController()

  constructor(getConfig: () => HttpConfig, options: HttpClientOptions = {}) {
    this.#getConfig = getConfig
    this.#retry = { ...defaultRetryPolicy, ...options.retry }
  }

  /** A JSON answer (default limit 2 MB). */
  async json<T>(req: HttpRequest): Promise<T> {
    let contentType = ''
    const buffer = await this.#buffered({ ...req, headers: { accept: 'application/json', ...req.headers } }, req.maxBytes ?? JSON_LIMIT, async (opened) => {
      contentType = mediaType(opened.headers)
    })
    const text = utf8Text(buffer)
    if (text.trim() === '') throw new AppError('bad_response', 'The server sent an empty answer where JSON was expected.')
    try {
      return JSON.parse(text) as T
    } catch (error) {
      const secrets = [this.#getConfig().apiKey, ...(req.secrets ?? [])]
      if (isWebPage(contentType, text)) throw webPageError(text, secrets)
      const said = messageFromBody(text)
      throw new AppError('bad_response', cleanMessage(`The server's answer is not valid JSON: ${said ?? ''}`, secrets), {
        cause: error
      })
    }
  }

  /** A text answer (default limit 2 MB), decoded as UTF-8. */
  async text(req: HttpRequest): Promise<string> {
    return utf8Text(await this.#buffered(req, req.maxBytes ?? JSON_LIMIT))
  }

  /** A binary answer (default limit 50 MB) whose content type must match. */
  async bytes(req: HttpRequest, options: { expectContentType?: RegExp } = {}): Promise<BytesResponse> {
    let contentType = ''
    const bytes = await this.#buffered(req, req.maxBytes ?? MEDIA_LIMIT, async (opened) => {
      contentType = mediaType(opened.headers)
      if (options.expectContentType && !options.expectContentType.test(contentType)) {
        const said = messageFromBody((await readPrefix(opened.body, ERROR_BODY_LIMIT)).toString('utf8'), true)
        const message = said ?? `The server sent ${contentType || 'an answer without a content type'} instead of the expected media.`
        throw new AppError('bad_response', cleanMessage(message, opened.ctx.secrets))
      }
    })
    return { bytes, contentType }
  }

  /**
   * An answer to read as it arrives (SSE). Retries happen only before this
   * returns, i.e. before any body byte reaches the caller.
   */
  async stream(request: HttpRequest): Promise<StreamResponse> {
    const req = this.#bound(request)
    const opened = await withRetries(() => this.#open(req), this.#policyFor(req), req.signal)
    if (req.maxBytes !== undefined) this.#checkLength(opened, req.maxBytes)
    return {
      status: opened.status,
      headers: opened.headers,
      contentType: mediaType(opened.headers),
      body: this.#guardBody(opened, req.maxBytes)
    }
  }

  /** `text` with the current key (and its URL-encoded form) removed. */
  redact(text: string): string {
    return redact(text, [this.#getConfig().apiKey])
  }

  /**
   * Stops every request in flight (they reject as aborted), refuses new ones,
   * and closes the pooled connections, cutting any still open after `graceMs`.
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.#lifetime.abort()
    await this.#pool.close(graceMs)
  }

  /** The request with the client's lifetime signal joined to its own. */
  #bound(req: HttpRequest): HttpRequest {
    const signal = req.signal ? AbortSignal.any([this.#lifetime.signal, req.signal]) : this.#lifetime.signal
    return { ...req, signal }
  }

  async #buffered(request: HttpRequest, maxBytes: number, check?: (opened: Opened) => Promise<void>): Promise<Buffer> {
    const req = this.#bound(request)
    return withRetries(
      async () => {
        const opened = await this.#open(req)
        try {
          await check?.(opened)
          this.#checkLength(opened, maxBytes)
          return await readLimited(opened.body, maxBytes)
        } catch (error) {
          opened.body.destroy()
          throw transportError(error, opened.ctx)
        }
      },
      this.#policyFor(req),
      req.signal
    )
  }

  /** GET and HEAD may be repeated; other methods only when the caller says so. */
  #policyFor(req: HttpRequest): RetryPolicy {
    const method = req.method ?? 'GET'
    const repeatable = req.retry === true || method === 'GET' || method === 'HEAD'
    const policy = req.rateLimits === 'surface' ? { ...this.#retry, retryRateLimited: false } : this.#retry
    return repeatable ? policy : { ...policy, maxRetries: 0 }
  }

  #checkLength(opened: Opened, maxBytes: number): void {
    try {
      checkDeclaredLength(headerValue(opened.headers, 'content-length'), maxBytes)
    } catch (error) {
      opened.body.destroy()
      throw error
    }
  }

  /** One attempt: connect, send, wait for headers; a non-2xx becomes an AppError. */
  async #open(req: HttpRequest): Promise<Opened> {
    if (req.signal?.aborted) throw abortedError()
    const config = this.#getConfig()
    const url = buildUrl(config.baseUrl, req.path, req.query)
    const method = req.method ?? 'GET'
    const ctx: TransportContext = {
      host: url.host,
      proxy: describeProxy(config.proxy),
      timeouts: config.timeouts,
      signal: req.signal,
      secrets: [config.apiKey, ...(req.secrets ?? [])]
    }
    const headers: Record<string, string> = {}
    if (config.userAgent) headers['user-agent'] = config.userAgent
    // The key goes to the configured server only, never to a media host it links to.
    const key = config.apiKey && url.origin === apiRoot(config.baseUrl).origin ? config.apiKey : null
    if (key) headers.authorization = `Bearer ${key}`
    if (req.keyParam !== undefined) {
      if (!key) throw new AppError('no_key', 'No API key is set for this server. Add one in Settings.')
      url.searchParams.append(req.keyParam, key)
    }
    let body: string | Uint8Array | undefined = req.body
    if (req.json !== undefined) {
      body = JSON.stringify(req.json)
      headers['content-type'] = 'application/json'
    }
    Object.assign(headers, req.headers)

    const dispatcher = this.#pool.get(url.origin, config)
    let response: Dispatcher.ResponseData
    try {
      response = await request(url, { method, headers, body, signal: req.signal, dispatcher })
    } catch (error) {
      throw transportError(error, ctx)
    }
    const opened: Opened = { status: response.statusCode, headers: response.headers, body: response.body, ctx }
    if (opened.status >= 200 && opened.status < 300) return opened

    const errorBody = await readPrefix(response.body, ERROR_BODY_LIMIT)
    response.body.destroy()
    if (req.signal?.aborted) throw abortedError()
    throw errorFromResponse(opened.status, opened.headers, errorBody.toString('utf8'), ctx.secrets)
  }

  /** The body with errors mapped, an optional total limit, and the socket closed on early exit. */
  async *#guardBody(opened: Opened, maxBytes: number | undefined): AsyncGenerator<Uint8Array, void, undefined> {
    let total = 0
    try {
      for await (const chunk of opened.body) {
        const bytes = chunk as Uint8Array
        total += bytes.byteLength
        if (maxBytes !== undefined && total > maxBytes) throw tooLarge(maxBytes)
        yield bytes
      }
    } catch (error) {
      throw transportError(error, opened.ctx)
    } finally {
      opened.body.destroy()
    }
  }
}
