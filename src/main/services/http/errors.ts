/**
 * Turning what servers and sockets report into readable `AppError`s.
 * Servers answer errors in many shapes (see the design notes): OpenAI,
 * `{"error":"..."}`, `{"error","message"}`, Anthropic, FastAPI `detail`,
 * plain text and HTML pages. Everything here is pure except for the clock
 * default of `parseRetryAfter`.
 */
import { STATUS_CODES } from 'node:http'
import { AppError, type ErrorCode } from '../../../shared/errors'
import { isRecord } from '../../../shared/is-record'

export const MAX_MESSAGE_CHARS = 300

/** Node/undici style headers (lower-case keys) or a fetch `Headers`. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>

export function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  const value = headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized'
    case 402:
      return 'payment_required'
    case 403:
      return 'forbidden'
    case 404:
      return 'not_found'
    case 408:
      return 'timeout'
    case 413:
      return 'too_large'
    case 429:
      return 'rate_limited'
    case 502:
    case 503:
      return 'unavailable'
  }
  if (status >= 500) return 'server_error'
  if (status >= 400) return 'invalid_argument'
  return 'bad_response' // 1xx/3xx reaching us: redirects are not followed
}

const isRedirect = (status: number): boolean => status >= 300 && status < 400

/**
 * Redirects are not followed (a POST must not turn into a GET elsewhere), so
 * the base URL is what needs fixing: that advice comes first, before where
 * the redirect points and whatever its page says ("Moved Permanently").
 */
function redirectSentence(status: number, location: string | undefined, said: string | null): string {
  const target = location?.trim() ? ` to ${location.trim()}` : ''
  const sentence = `The server answered with a redirect (HTTP ${status})${target}; check the base URL.`
  return said ? `${sentence} The server said: ${said}` : sentence
}

/** What to say when the server said nothing. */
export function statusSentence(status: number): string {
  switch (status) {
    case 401:
      return 'The server rejected the API key (HTTP 401).'
    case 402:
      return 'No credit is left on this key (HTTP 402).'
    case 403:
      return 'This key or plan is not allowed to do that (HTTP 403).'
    case 404:
      return 'The server does not know this model or endpoint (HTTP 404).'
    case 408:
      return 'The server gave up waiting for the request (HTTP 408).'
    case 413:
      return 'The request is too large for the server (HTTP 413).'
    case 429:
      return 'Too many requests: the rate limit was reached (HTTP 429).'
    case 502:
      return 'The server is restarting or its upstream failed (HTTP 502).'
    case 503:
      return 'The service is unavailable right now (HTTP 503).'
  }
  const reason = STATUS_CODES[status]
  if (isRedirect(status)) return redirectSentence(status, undefined, null)
  return `The server answered with HTTP ${status}${reason ? ` ${reason}` : ''}.`
}

/** Collapses whitespace and cuts to `max` characters with an ellipsis. */
export function tidyMessage(text: string, max = MAX_MESSAGE_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= max) return flat
  let cut = flat.slice(0, max - 1)
  // Do not leave half of a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return `${cut.trimEnd()}…`
}

export const REDACTED = '[redacted]'

/**
 * Every form in which this app writes a secret: as is, and as each URL
 * encoder it uses writes it (they disagree on characters such as `~()!'`).
 */
function writtenForms(secret: string): string[] {
  // buildUrl: url.search set from a path, e.g. `/check?key=...`.
  const assigned = new URL('http://localhost/')
  assigned.search = `k=${secret}`
  return [
    secret,
    encodeURIComponent(secret),
    // URLSearchParams and url.searchParams (buildUrl's `query`).
    new URLSearchParams({ k: secret }).toString().slice('k='.length),
    assigned.search.slice('?k='.length)
  ]
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A pattern for `form` that accepts its percent escapes in any letter case (%7e, %7E). */
function formPattern(form: string): string {
  return form
    .split(/(%[0-9a-f]{2})/i)
    .map((part, index) => (index % 2 === 1 ? part.replace(/[a-f]/gi, (hex) => `[${hex.toLowerCase()}${hex.toUpperCase()}]`) : escapeRegExp(part)))
    .join('')
}

/** A `key=` (or `api_key=`) query value, whatever key it holds: one the app no longer knows is still a key. */
const KEY_PARAMETER = /\b((?:api[_-]?)?key=)[^\s&#"'<>]+/gi

/**
 * Replaces every secret, in each form the app writes it, and every `key=`
 * query value with `[redacted]`. Secrets shorter than 4 characters are ignored.
 * The one scrubber of main: the HTTP client, the key vault and the bridge all use it.
 */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (secret && secret.length >= 4) for (const form of writtenForms(secret)) forms.add(form)
  }
  let out = text
  if (forms.size > 0) {
    // Longest first, so a longer form is never left half-replaced by a shorter one inside it.
    const patterns = [...forms].sort((a, b) => b.length - a.length).map(formPattern)
    out = out.replace(new RegExp(patterns.join('|'), 'g'), REDACTED)
  }
  return out.replace(KEY_PARAMETER, `$1${REDACTED}`)
}

/** Readable, redacted, cut: what every message built here goes through. */
export function cleanMessage(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  // Redact before cutting so a key can never survive half-cut.
  return tidyMessage(redact(text.replace(/\s+/g, ' '), secrets))
}

export interface ErrorDetails {
  message: string | null
  code: string | number | null
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null)
const scalarCode = (value: unknown): string | number | null =>
  typeof value === 'number' || (typeof value === 'string' && value !== '') ? value : null

/** The message and code inside a parsed error body, whatever its shape. */
export function describeErrorBody(value: unknown): ErrorDetails {
  if (typeof value === 'string') return { message: text(value), code: null }
  if (Array.isArray(value)) return value.length > 0 ? describeErrorBody(value[0]) : { message: null, code: null }
  if (!isRecord(value)) return { message: null, code: null }

  const ownMessage = text(value.message)
  const ownCode = scalarCode(value.code)
  const error = value.error
  if (isRecord(error) || Array.isArray(error)) {
    // OpenAI {"error":{"message","code"}} and Anthropic {"type":"error","error":{...}}
    const inner = describeErrorBody(error)
    return { message: inner.message ?? ownMessage, code: inner.code ?? ownCode }
  }
  const errorText = text(error)
  if (errorText && ownMessage) {
    // {"error":"Unauthorized","message":"Invalid key"}: keep both unless one says it all.
    const message =
      errorText === ownMessage || errorText.includes(ownMessage)
        ? errorText
        : ownMessage.includes(errorText)
          ? ownMessage
          : `${errorText}: ${ownMessage}`
    return { message, code: ownCode }
  }
  if (errorText || ownMessage) return { message: errorText ?? ownMessage, code: ownCode }

  // FastAPI/vLLM {"detail": "..."} or {"detail": [{"msg": "..."}]}
  const detail = value.detail
  if (typeof detail === 'string' || isRecord(detail)) return { ...describeErrorBody(detail), code: ownCode }
  if (Array.isArray(detail)) {
    const msgs = detail.map((d) => (isRecord(d) ? text(d.msg) ?? text(d.message) : text(d))).filter(Boolean)
    if (msgs.length > 0) return { message: msgs.join('; '), code: ownCode }
  }
  if (Array.isArray(value.errors)) return describeErrorBody(value.errors)
  const other = text(value.msg) ?? text(value.reason) ?? text(value.error_description)
  return { message: other, code: ownCode }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }

function decodeEntities(html: string): string {
  return html.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const point = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
      return Number.isFinite(point) && point <= 0x10ffff ? String.fromCodePoint(point) : whole
    }
    return ENTITIES[name.toLowerCase()] ?? whole
  })
}

/** The page's `<title>`, decoded and on one line, or null when it has none. */
export function htmlTitle(html: string): string | null {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1]
  const text = title === undefined ? '' : decodeEntities(title).replace(/\s+/g, ' ').trim()
  return text === '' ? null : text
}

function textOfHtml(html: string): string {
  const title = htmlTitle(html)
  if (title !== null) return title
  const body = html
    .replace(/<(script|style|head)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]+>/g, ' ')
  return decodeEntities(body)
}

const looksLikeHtml = (body: string): boolean => /^<(!doctype|html|head|body|title|h1|p|div|center)\b/i.test(body)

/** An HTML page, by its content type or, when the type says nothing useful, by how its text starts. */
export function isWebPage(contentType: string, body: string): boolean {
  return /html/i.test(contentType) || looksLikeHtml(body.replace(/^\uFEFF/, '').trimStart())
}

/**
 * A 200 that carried a web page where an answer was expected: a hotel or
 * airport Wi-Fi sign-in page, a proxy's notice, a website at the base URL.
 * Its title tells the person which.
 */
export function webPageError(html: string, secrets: readonly (string | null | undefined)[] = []): AppError {
  const title = htmlTitle(html)
  const named = title === null ? '' : `: “${tidyMessage(title, 120)}”`
  return new AppError(
    'bad_response',
    cleanMessage(`A web page came back instead of an answer${named}. A Wi-Fi sign-in page or a proxy may be in the way: sign in with a browser, or check the base URL.`, secrets)
  )
}

/**
 * The most useful sentence in an error body, or null when it holds nothing.
 * JSON without a known message field comes back raw unless `explicitOnly`.
 */
export function messageFromBody(bodyText: string, explicitOnly = false): string | null {
  const body = bodyText.replace(/^\uFEFF/, '').trim()
  if (body === '') return null
  if (/^[[{"]/.test(body)) {
    try {
      const found = describeErrorBody(JSON.parse(body) as unknown).message
      // Unknown JSON: the raw text beats saying nothing.
      return found ?? (body.length > 2 && !explicitOnly ? body : null)
    } catch {
      // Not JSON after all; treat as text.
    }
  }
  const plain = looksLikeHtml(body) ? textOfHtml(body) : body
  return plain.trim() === '' ? null : plain
}

/** `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, in milliseconds. */
export function parseRetryAfter(headers: HeaderSource, now = Date.now()): number | undefined {
  const ms = headerValue(headers, 'retry-after-ms')
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.round(parseFloat(ms))
  const value = headerValue(headers, 'retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(parseFloat(value) * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** The gateway's 429s say "Try again in 56 seconds." without a header. */
function retryAfterFromMessage(message: string): number | undefined {
  const match = /try again in (\d+(?:\.\d+)?) ?(ms|milliseconds?|s|secs?|seconds?|mins?|minutes?)\b/i.exec(message)
  if (!match?.[1] || !match[2]) return undefined
  const unit = match[2].toLowerCase()
  const scale = unit === 'ms' || unit.startsWith('milli') ? 1 : unit.startsWith('min') ? 60_000 : 1000
  return Math.round(parseFloat(match[1]) * scale)
}

/** An `AppError` for a non-2xx answer: code by status, the server's message, its wait time. */
export function errorFromResponse(
  status: number,
  headers: HeaderSource,
  bodyText: string,
  secrets: readonly (string | null | undefined)[] = []
): AppError {
  const found = messageFromBody(bodyText)
  const message = isRedirect(status)
    ? cleanMessage(redirectSentence(status, headerValue(headers, 'location'), found), secrets)
    : found
      ? cleanMessage(found, secrets)
      : statusSentence(status)
  let retryAfterMs = parseRetryAfter(headers)
  if (retryAfterMs === undefined && status === 429 && found) retryAfterMs = retryAfterFromMessage(found)
  return new AppError(errorCodeForStatus(status), message, { status, retryAfterMs })
}
