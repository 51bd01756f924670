/**
 * Pooled undici dispatchers, one per (origin, proxy setting, timeouts).
 * When the proxy or timeouts change, the old pools are closed gracefully
 * (requests in flight finish) and new ones are made on demand.
 */
import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici'
import { AppError } from '../../../shared/errors'
import type { ProxySettings, Timeouts } from '../../../shared/contract'

export interface NetworkSettings {
  proxy: ProxySettings
  timeouts: Timeouts
}

/** Few origins are ever used (the API and its media hosts); beyond this the oldest pool is closed. */
const MAX_POOLS = 8

/** The proxy URL, checked; throws AppError('invalid_argument'). The URL itself is never echoed: it may hold a password. */
export function parseProxyUrl(text: string): URL {
  const trimmed = text.trim()
  if (trimmed === '') throw new AppError('invalid_argument', 'Proxy mode is "URL" but no proxy URL is set.')
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    throw new AppError('invalid_argument', 'The proxy URL is not valid; expected e.g. http://127.0.0.1:8080.')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('invalid_argument', 'The proxy URL must start with http:// or https://.')
  }
  return url
}

export function createDispatcher({ proxy, timeouts }: NetworkSettings): Dispatcher {
  const options = {
    connectTimeout: timeouts.connectMs,
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.idleMs
  }
  switch (proxy.mode) {
    case 'url':
      return new ProxyAgent({ ...options, uri: parseProxyUrl(proxy.url).href })
    case 'system':
      // Reads HTTP_PROXY / HTTPS_PROXY / NO_PROXY (either case) now.
      return new EnvHttpProxyAgent(options)
    default:
      return new Agent(options)
  }
}

/**
 * `close()`, but waiting at most `graceMs`; then `destroy()` and stop waiting.
 * undici's Agent lets go of its connections as soon as close() starts, so
 * there destroy() cuts nothing: requests made by HttpClient end through
 * their abort signal, which `HttpClient.close()` aborts first.
 */
async function closeWithin(dispatcher: Dispatcher, graceMs: number): Promise<void> {
  const closed = dispatcher.close().then(
    () => true,
    () => true
  )
  if (graceMs === Infinity) return void (await closed)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))
  try {
    if (!(await Promise.race([closed, late]))) void dispatcher.destroy().catch(() => undefined)
  } finally {
    clearTimeout(timer)
  }
}

/** A short description of the proxy for messages, without credentials. */
export function describeProxy(proxy: ProxySettings): string | null {
  if (proxy.mode !== 'url') return null
  try {
    return new URL(proxy.url.trim()).host
  } catch {
    return null
  }
}

export class DispatcherPool {
  #settingsKey = ''
  readonly #pools = new Map<string, Dispatcher>()
  readonly #create: (settings: NetworkSettings) => Dispatcher

  constructor(create: (settings: NetworkSettings) => Dispatcher = createDispatcher) {
    this.#create = create
  }

  get(origin: string, settings: NetworkSettings): Dispatcher {
    const key = JSON.stringify([settings.proxy.mode, settings.proxy.mode === 'url' ? settings.proxy.url : '', settings.timeouts])
    if (key !== this.#settingsKey) {
      this.#closeAll()
      this.#settingsKey = key
    }
    let dispatcher = this.#pools.get(origin)
    if (!dispatcher) {
      dispatcher = this.#create(settings)
      if (this.#pools.size >= MAX_POOLS) {
        const [oldest] = this.#pools.keys()
        if (oldest !== undefined) this.#closeOne(oldest)
      }
      this.#pools.set(origin, dispatcher)
    }
    return dispatcher
  }

  /**
   * Closes every pool. Requests in flight may finish for `graceMs`; after
   * that the caller (the app's quit) stops waiting, so a server that never
   * answers cannot hold it for a whole header timeout.
   */
  async close(graceMs = Infinity): Promise<void> {
    const closing = [...this.#pools.values()].map((dispatcher) => closeWithin(dispatcher, graceMs))
    this.#pools.clear()
    this.#settingsKey = ''
    await Promise.all(closing)
  }

  get size(): number {
    return this.#pools.size
  }

  #closeOne(origin: string): void {
    void this.#pools.get(origin)?.close().catch(() => undefined)
    this.#pools.delete(origin)
  }

  #closeAll(): void {
    for (const origin of [...this.#pools.keys()]) this.#closeOne(origin)
  }
}
