/**
 * Runtime side of the fault contract in `faults.ts`: the queue of injected
 * faults, and `Reply`, the one way handlers write a response, so that the
 * transport faults (slow first byte, stall, drop) act the same on every
 * endpoint.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import type { ErrorShape, Fault, FaultRule } from './faults.ts'
import { sendError, sendJson, sse, sseHeaders } from './responses.ts'

/** What an endpoint produces; decides which faults it can take. */
export type RouteKind = 'chat' | 'ask' | 'media' | 'json' | 'text'

export type TransportFault = Extract<Fault, { kind: 'slow-first-byte' | 'stall' | 'drop' | 'end-early' }>
export type ResponseFault = Exclude<Fault, TransportFault>

export interface TakenFaults {
  transport?: TransportFault
  response?: ResponseFault
}

const faultKinds = new Set<Fault['kind']>([
  'http-error',
  'slow-first-byte',
  'stall',
  'drop',
  'end-early',
  'malformed-json',
  'stream-error',
  'ratelimit-notice',
  'ad-footer',
  'empty-answer',
  'wrong-content-type',
  'oversized',
  'raw'
])

const errorShapes = new Set<ErrorShape>(['openai', 'string', 'error-and-message', 'anthropic', 'text', 'html'])

function isTransport(fault: Fault): fault is TransportFault {
  return fault.kind === 'slow-first-byte' || fault.kind === 'stall' || fault.kind === 'drop' || fault.kind === 'end-early'
}

/** `/v1/models/` → `/models`: the gateway serves every endpoint with and without `/v1`. */
export function normalizePath(path: string): string {
  let p = path.split('?')[0] ?? ''
  if (!p.startsWith('/')) p = `/${p}`
  if (p === '/v1' || p.startsWith('/v1/')) p = p.slice(3) || '/'
  if (p.length > 1 && p.endsWith('/')) p = p.replace(/\/+$/, '') || '/'
  return p
}

/**
 * A fault that only makes sense for some endpoints waits for one of them
 * instead of being used up by an unrelated request (a ratelimit notice cannot
 * be shown on a PNG).
 */
function fits(fault: Fault, kind: RouteKind): boolean {
  switch (fault.kind) {
    case 'ratelimit-notice':
    case 'ad-footer':
    case 'empty-answer':
      return kind === 'chat' || kind === 'ask'
    case 'wrong-content-type':
      return kind === 'media'
    default:
      return true
  }
}

function num(value: unknown, name: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min}`)
  return value
}

/** Checks a fault that came over HTTP, so a typo fails loudly instead of doing nothing. */
export function parseFaultRule(input: unknown): FaultRule {
  if (typeof input !== 'object' || input === null) throw new Error('body must be {"fault": {...}, "path"?, "times"?}')
  const { fault, path, times } = input as { fault?: unknown; path?: unknown; times?: unknown }
  if (typeof fault !== 'object' || fault === null) throw new Error('fault must be an object')
  const f = fault as Record<string, unknown>
  if (typeof f.kind !== 'string' || !faultKinds.has(f.kind as Fault['kind'])) throw new Error(`unknown fault kind: ${String(f.kind)}`)
  switch (f.kind) {
    case 'http-error':
      num(f.status, 'status', 100)
      if (typeof f.shape !== 'string' || !errorShapes.has(f.shape as ErrorShape)) throw new Error(`unknown shape: ${String(f.shape)}`)
      break
    case 'slow-first-byte':
      num(f.delayMs, 'delayMs')
      break
    case 'stall':
      num(f.afterChunks, 'afterChunks')
      num(f.ms, 'ms')
      break
    case 'drop':
      num(f.afterBytes, 'afterBytes')
      break
    case 'end-early':
      num(f.afterChunks, 'afterChunks')
      break
    case 'ratelimit-notice':
      if (f.variant !== 'current' && f.variant !== 'legacy') throw new Error('variant must be current or legacy')
      break
    case 'oversized':
      num(f.bytes, 'bytes')
      break
    case 'raw':
      if (!Array.isArray(f.chunks)) throw new Error('chunks must be an array')
      break
  }
  if (path !== undefined && typeof path !== 'string') throw new Error('path must be a string')
  if (times !== undefined) num(times, 'times')
  const rule: FaultRule = { fault: fault as Fault }
  if (path !== undefined) rule.path = path
  if (times !== undefined) rule.times = times as number
  return rule
}

interface ActiveRule {
  fault: Fault
  /** Normalised; ends with `/*` for a prefix match. */
  path: string | undefined
  /** Infinity when injected with `times: 0`. */
  remaining: number
}

/**
 * Injected faults, oldest first. A request takes at most one transport fault
 * and one response fault, so e.g. `slow-first-byte` and `ad-footer` can act on
 * the same answer.
 */
export class FaultStore {
  #rules: ActiveRule[] = []

  add(rule: FaultRule): void {
    const times = rule.times ?? 1
    this.#rules.push({
      fault: rule.fault,
      path: rule.path === undefined ? undefined : normalizePath(rule.path),
      remaining: times === 0 ? Infinity : times
    })
  }

  clear(): void {
    this.#rules = []
  }

  get size(): number {
    return this.#rules.length
  }

  take(path: string, kind: RouteKind): TakenFaults {
    const taken: TakenFaults = {}
    const p = normalizePath(path)
    for (const rule of this.#rules) {
      if (!matches(rule.path, p) || !fits(rule.fault, kind)) continue
      if (isTransport(rule.fault)) {
        if (taken.transport) continue
        taken.transport = rule.fault
      } else {
        if (taken.response) continue
        taken.response = rule.fault
      }
      rule.remaining -= 1
    }
    this.#rules = this.#rules.filter((r) => r.remaining > 0)
    return taken
  }
}

function matches(rulePath: string | undefined, path: string): boolean {
  if (rulePath === undefined) return true
  // `/suno/*` covers `/suno/<uuid>`; a plain path must match exactly.
  if (rulePath.endsWith('/*')) {
    const base = rulePath.slice(0, -2)
    return path === base || path.startsWith(`${base}/`)
  }
  return rulePath === path
}

function toBuffer(data: string | Uint8Array): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

/**
 * Writes one response, applying the request's transport fault. Every write is
 * a "chunk" for `stall` and `end-early`; body bytes are counted for `drop`. Handlers check
 * `gone` (or the `false` that write returns) to stop work once the client has
 * left or the socket was dropped on purpose.
 */
export class Reply {
  readonly res: ServerResponse
  readonly #transport: TransportFault | undefined
  readonly #signal: AbortSignal
  #chunks = 0
  #bytes = 0
  #stalled = false
  #closed = false
  #endedEarly = false
  /** A body with Content-Length is being sent: `end-early` leaves it alone. */
  #whole = false

  constructor(res: ServerResponse, transport: TransportFault | undefined, signal: AbortSignal) {
    this.res = res
    this.#transport = transport
    this.#signal = signal
    res.once('close', () => {
      this.#closed = true
    })
  }

  get gone(): boolean {
    return this.#closed || this.#endedEarly || this.res.destroyed || this.#signal.aborted
  }

  get headersSent(): boolean {
    return this.res.headersSent
  }

  /** Resolves early (without throwing) when the server shuts down. */
  async sleep(ms: number): Promise<void> {
    if (ms <= 0) return
    try {
      await delay(ms, undefined, { signal: this.#signal })
    } catch {
      // aborted by close(): the caller sees `gone`
    }
  }

  /** Sends status and headers now (after `slow-first-byte`), or drops the socket (`drop` at 0 bytes). */
  async head(status: number, headers: OutgoingHttpHeaders): Promise<boolean> {
    const t = this.#transport
    if (t?.kind === 'slow-first-byte') await this.sleep(t.delayMs)
    if (this.gone) return false
    if (t?.kind === 'drop' && t.afterBytes <= 0) {
      this.kill()
      return false
    }
    this.res.writeHead(status, headers)
    this.res.flushHeaders()
    return true
  }

  async write(data: string | Uint8Array): Promise<boolean> {
    if (this.gone) return false
    const t = this.#transport
    if (t?.kind === 'stall' && !this.#stalled && this.#chunks >= t.afterChunks) await this.#stall(t.ms)
    if (this.gone) return false
    if (t?.kind === 'end-early' && !this.#whole && this.#chunks >= t.afterChunks) {
      // A clean end of the chunked body: the client sees a finished response.
      this.#endedEarly = true
      await new Promise<void>((resolve) => this.res.end(resolve))
      return false
    }
    const buf = toBuffer(data)
    this.#chunks += 1
    if (t?.kind === 'drop' && this.#bytes + buf.length >= t.afterBytes) {
      const part = buf.subarray(0, Math.max(0, t.afterBytes - this.#bytes))
      this.#bytes += part.length
      if (part.length > 0) await this.#flushThen(part)
      this.kill()
      return false
    }
    this.#bytes += buf.length
    if (!this.res.write(buf)) await this.#drain()
    return !this.gone
  }

  async end(): Promise<void> {
    if (this.gone || this.res.writableEnded) return
    await new Promise<void>((resolve) => {
      this.res.once('close', resolve)
      this.res.end(resolve)
    })
  }

  /**
   * A whole body with Content-Length. `stall` pauses in its middle (or before
   * its first byte for `afterChunks: 0`) so non-streamed answers can stall too.
   */
  async send(status: number, headers: OutgoingHttpHeaders, body: string | Uint8Array): Promise<void> {
    const buf = toBuffer(body)
    this.#whole = true
    if (!(await this.head(status, { ...headers, 'content-length': buf.length }))) return
    const t = this.#transport
    if (t?.kind === 'stall' && buf.length > 1) {
      const mid = t.afterChunks > 0 ? Math.floor(buf.length / 2) : 0
      if (mid > 0 && !this.res.write(buf.subarray(0, mid))) await this.#drain()
      await this.#stall(t.ms)
      if (!(await this.write(buf.subarray(mid)))) return
    } else if (buf.length > 0 && !(await this.write(buf))) {
      return
    }
    await this.end()
  }

  /** Resets the connection on purpose. */
  kill(): void {
    this.#closed = true
    this.res.socket?.destroy()
    this.res.destroy()
  }

  async #stall(ms: number): Promise<void> {
    this.#stalled = true
    await this.sleep(ms)
  }

  async #drain(): Promise<void> {
    if (this.gone) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.res.off('drain', done)
        this.res.off('close', done)
        resolve()
      }
      this.res.on('drain', done)
      this.res.on('close', done)
    })
  }

  /** Waits until the bytes reached the socket, so a drop right after still delivers them. */
  async #flushThen(buf: Buffer): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 200)
      this.res.write(buf, () => {
        clearTimeout(timer)
        // one more turn so the kernel has the bytes before the reset
        setImmediate(resolve)
      })
    })
  }
}

// ---------------------------------------------------------------------------
// Response faults that replace the whole answer, whatever the endpoint

export interface GenericFaultContext {
  path: string
  kind: RouteKind
  /** The content type the endpoint would normally send, for `oversized`. */
  naturalType: string
  /** Two harmless events in the endpoint's own stream format, for `stream-error`. */
  streamPrelude: () => string[]
}

/** Sends the response for a fault that replaces the endpoint's answer; false if the handler must answer itself. */
export async function applyGenericFault(reply: Reply, fault: ResponseFault, ctx: GenericFaultContext): Promise<boolean> {
  switch (fault.kind) {
    case 'http-error': {
      const headers: OutgoingHttpHeaders = {}
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter
      await sendError(reply, fault.status, fault.shape, fault.message, { code: fault.code, headers })
      return true
    }
    case 'malformed-json':
      await reply.send(200, { 'content-type': 'application/json; charset=utf-8' }, '{"object":"list","data":[')
      return true
    case 'stream-error': {
      if (!(await reply.head(200, sseHeaders))) return true
      for (const event of ctx.streamPrelude()) if (!(await reply.write(event))) return true
      const error: Record<string, unknown> = { message: fault.message ?? 'Provider returned error', code: fault.code ?? 502 }
      if (!(await reply.write(sse({ error })))) return true
      if (fault.done !== false && !(await reply.write(sse('[DONE]')))) return true
      await reply.end()
      return true
    }
    case 'wrong-content-type': {
      // What the gateway sends when generation failed upstream, still with 200.
      const body = ctx.path.startsWith('/get-audio') ? { ok: true } : { error: 'Failed to generate, please try again later.' }
      await sendJson(reply, 200, body)
      return true
    }
    case 'oversized':
      await sendOversized(reply, fault.bytes, fault.chunked === true, ctx.naturalType)
      return true
    case 'raw': {
      const headers: OutgoingHttpHeaders = { 'content-type': fault.contentType ?? 'text/event-stream', ...fault.headers }
      if (!(await reply.head(fault.status ?? 200, headers))) return true
      for (const chunk of fault.chunks) {
        await reply.sleep(chunk.delayMs ?? 0)
        const data = chunk.bytes !== undefined ? Buffer.from(chunk.bytes, 'base64') : Buffer.from(chunk.text ?? '', 'utf8')
        if (!(await reply.write(data))) return true
      }
      await reply.end()
      return true
    }
    default:
      return false
  }
}

/** `bytes` bytes that still look like the endpoint's type (valid JSON when JSON was expected). */
async function sendOversized(reply: Reply, bytes: number, chunked: boolean, contentType: string): Promise<void> {
  const isJson = contentType.includes('json')
  const prefix = isJson ? '{"object":"list","data":"' : contentType.includes('event-stream') ? ': ' : ''
  const suffix = isJson ? '"}' : contentType.includes('event-stream') ? '\n\n' : ''
  const framed = bytes >= prefix.length + suffix.length
  const headers: OutgoingHttpHeaders = { 'content-type': contentType }
  if (!chunked) headers['content-length'] = bytes
  if (!(await reply.head(200, headers))) return
  let left = bytes
  if (framed && prefix) {
    if (!(await reply.write(prefix))) return
    left -= prefix.length
  }
  const tail = framed ? suffix.length : 0
  const piece = Buffer.alloc(64 * 1024, 'a')
  while (left > tail) {
    const n = Math.min(piece.length, left - tail)
    if (!(await reply.write(piece.subarray(0, n)))) return
    left -= n
  }
  if (tail > 0 && !(await reply.write(suffix))) return
  await reply.end()
}
