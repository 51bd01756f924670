/**
 * A fake of the api.airforce gateway on loopback: every endpoint of the seed
 * documentation (with and without `/v1`), deterministic answers, real PNG /
 * MP3 / MP4 files, and injectable faults (see `faults.ts`) for client tests.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { askPrelude, chatPrelude, handleAsk, handleChat, handleImageModels, handleModels } from './chat.ts'
import type { Ctx, ServerState } from './context.ts'
import type { Fault, FaultRule } from './faults.ts'
import { applyGenericFault, FaultStore, normalizePath, parseFaultRule, Reply } from './faults-runtime.ts'
import type { RouteKind } from './faults-runtime.ts'
import { sendError, sendJson } from './responses.ts'
import { handleFile, handleImagine, handleSpeech, handleStream, handleSunoCreate, handleSunoGet, handleVision } from './media.ts'

export interface RecordedRequest {
  /** Which origin was asked: the API, or the media host songs link to. */
  origin: 'api' | 'media'
  method: string
  path: string
  query: Record<string, string>
  headers: Record<string, string | string[] | undefined>
  body: string
}

export interface FakeApi {
  url: string
  /** The media host (another port: another origin) that song files and streams are served from. */
  mediaUrl: string
  port: number
  inject(fault: Fault, opts?: { path?: string; times?: number }): void
  clearFaults(): void
  requests: RecordedRequest[]
  close(): Promise<void>
}

export interface FakeApiOptions {
  port?: number
  host?: string
  /** How long a Suno clip stays "generating" (default 3000 ms). */
  songMs?: number
  /** When a generating clip's `audio_url` starts pointing at a live stream (default half of songMs). */
  songStreamMs?: number
  /** How long one image takes to generate, as the real service's do (default 0; the CLI uses 1500 ms). */
  imageMs?: number
  /** When set, only these keys are accepted (and a key is required). */
  validKeys?: string[]
  /** Delay between streamed chunks (default 2 ms); a request can override it with `x-fake-delay-ms`. */
  chunkDelayMs?: number
}

interface Route {
  method: 'GET' | 'POST'
  pattern: RegExp
  kind: RouteKind
  /** Needs `Authorization: Bearer` (when a key is required or given). */
  auth: boolean
  handle: (ctx: Ctx) => Promise<void>
  /** Served by the media host only (song files and streams), never by the API origin. */
  media?: boolean
}

const routes: Route[] = [
  { method: 'POST', pattern: /^\/chat\/completions$/, kind: 'chat', auth: true, handle: handleChat },
  { method: 'GET', pattern: /^\/models$/, kind: 'json', auth: true, handle: handleModels },
  { method: 'GET', pattern: /^\/imagine\/models$/, kind: 'json', auth: false, handle: handleImageModels },
  { method: 'GET', pattern: /^\/imagine2?$/, kind: 'media', auth: true, handle: handleImagine },
  { method: 'GET', pattern: /^\/images\/vision$/, kind: 'text', auth: true, handle: handleVision },
  { method: 'GET', pattern: /^\/ask$/, kind: 'ask', auth: true, handle: handleAsk },
  { method: 'POST', pattern: /^\/suno$/, kind: 'json', auth: true, handle: handleSunoCreate },
  { method: 'GET', pattern: /^\/suno\/([^/]+)$/, kind: 'json', auth: true, handle: handleSunoGet },
  { method: 'GET', pattern: /^\/get-audio$/, kind: 'media', auth: true, handle: handleSpeech },
  // The key is in the query here, and downloads are plain links.
  { method: 'GET', pattern: /^\/check$/, kind: 'json', auth: false, handle: handleCheck },
  { method: 'GET', pattern: /^\/files\/([0-9a-f-]+)\.(mp3|png|mp4)$/, kind: 'media', auth: false, handle: handleFile, media: true },
  { method: 'GET', pattern: /^\/stream\/([0-9a-f-]+)\.mp3$/, kind: 'media', auth: false, handle: handleStream, media: true }
]

/** What the endpoint would normally send, so `oversized` looks like it. */
function naturalType(path: string, kind: RouteKind, body: Buffer): string {
  if (kind === 'ask') return 'text/event-stream'
  if (kind === 'text') return 'text/plain; charset=utf-8'
  if (kind === 'chat') return /"stream"\s*:\s*true/.test(body.toString('utf8')) ? 'text/event-stream' : 'application/json'
  if (path.startsWith('/imagine') || path.endsWith('.png')) return 'image/png'
  if (path.startsWith('/get-audio') || path.endsWith('.mp3')) return 'audio/mpeg'
  if (path.endsWith('.mp4')) return 'video/mp4'
  return 'application/json'
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization
  const m = h === undefined ? null : /^Bearer\s+(.*)$/i.exec(h.trim())
  return m?.[1]?.trim() || undefined
}

/**
 * Free tier by default: no key is fine, any key is fine except those starting
 * with `bad`. With `validKeys`, only those keys pass.
 */
function keyAccepted(state: ServerState, key: string | undefined): boolean {
  if (state.validKeys) return key !== undefined && state.validKeys.has(key)
  return key === undefined || !key.startsWith('bad')
}

/**
 * `/check?key=`. The real service answers JSON with an `info` field ("Premium
 * key", "Sponsor key", …). Here a key starting with `sponsor` is a sponsor key,
 * others premium; `requests_today` counts the requests this server saw with it.
 * A missing key is a 400 and an unknown key a 401, both as `{"error": "..."}`.
 */
async function handleCheck(ctx: Ctx): Promise<void> {
  const key = ctx.query.get('key')
  if (!key) return sendError(ctx.reply, 400, 'string', 'Missing required parameter: key')
  if (!keyAccepted(ctx.state, key)) return sendError(ctx.reply, 401, 'string', 'Invalid key')
  const sponsor = key.startsWith('sponsor')
  await sendJson(ctx.reply, 200, {
    info: sponsor ? 'Sponsor key' : 'Premium key',
    key: `…${key.slice(-4)}`,
    requests_today: ctx.state.keyUse.get(key) ?? 0,
    limit: 'unlimited'
  })
}

const MAX_BODY = 25 * 1024 * 1024

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function queryRecord(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of params) out[k] = v
  return out
}

function delayFor(req: IncomingMessage, fallback: number): number {
  const raw = req.headers['x-fake-delay-ms']
  const n = typeof raw === 'string' ? Number(raw) : NaN
  return Number.isFinite(n) && n >= 0 ? n : fallback
}

export async function startFakeApi(opts: FakeApiOptions = {}): Promise<FakeApi> {
  const state: ServerState = {
    songs: new Map(),
    songMs: opts.songMs ?? 3000,
    songStreamMs: opts.songStreamMs ?? Math.floor((opts.songMs ?? 3000) / 2),
    mediaBaseUrl: '',
    imageMs: opts.imageMs ?? 0,
    chunkDelayMs: opts.chunkDelayMs ?? 2,
    validKeys: opts.validKeys ? new Set(opts.validKeys) : undefined,
    keyUse: new Map()
  }
  const faults = new FaultStore()
  const requests: RecordedRequest[] = []
  const shutdown = new AbortController()
  const host = opts.host ?? '127.0.0.1'

  async function control(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void> {
    const reply = new Reply(res, undefined, shutdown.signal)
    if (path === '/__control/faults' && req.method === 'POST') {
      let rule: FaultRule
      try {
        rule = parseFaultRule(JSON.parse(body.toString('utf8')))
      } catch (err) {
        await sendError(reply, 400, 'string', err instanceof Error ? err.message : String(err))
        return
      }
      faults.add(rule)
      await reply.send(204, {}, '')
    } else if (path === '/__control/faults' && req.method === 'DELETE') {
      faults.clear()
      await reply.send(204, {}, '')
    } else if (path === '/__control/requests' && req.method === 'GET') {
      await sendJson(reply, 200, requests)
    } else if (path === '/__control/requests' && req.method === 'DELETE') {
      requests.length = 0
      await reply.send(204, {}, '')
    } else {
      await sendError(reply, 404, 'string', `Unknown control endpoint: ${req.method} ${path}`)
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, origin: 'api' | 'media'): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid')
    const path = normalizePath(url.pathname)
    res.setHeader('access-control-allow-origin', '*')
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
        'access-control-allow-headers': 'authorization, content-type, x-fake-delay-ms'
      })
      res.end()
      return
    }
    const body = await readBody(req)
    if (body === undefined) {
      await sendError(new Reply(res, undefined, shutdown.signal), 413, 'openai', 'Request body too large')
      return
    }
    if (path.startsWith('/__control/')) return control(req, res, path, body)

    requests.push({
      origin,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: queryRecord(url.searchParams),
      headers: { ...req.headers },
      body: body.toString('utf8')
    })

    const onPath = routes.filter((r) => (r.media === true) === (origin === 'media') && r.pattern.test(path))
    const route = onPath.find((r) => r.method === req.method)
    const kind: RouteKind = route?.kind ?? 'json'
    const taken = faults.take(path, kind)
    const reply = new Reply(res, taken.transport, shutdown.signal)
    const model = /"model"\s*:\s*"([^"]*)"/.exec(body.toString('utf8'))?.[1] ?? 'gpt-4o-mini'
    if (
      taken.response &&
      (await applyGenericFault(reply, taken.response, {
        path,
        kind,
        naturalType: naturalType(path, kind, body),
        streamPrelude: () => (kind === 'ask' ? askPrelude() : chatPrelude(model))
      }))
    ) {
      return
    }

    if (!route) {
      if (onPath.length > 0) {
        await sendError(reply, 405, 'openai', `Method ${req.method} not allowed on ${url.pathname}`, {
          headers: { allow: onPath.map((r) => r.method).join(', ') }
        })
      } else {
        await sendError(reply, 404, 'openai', `Unknown endpoint: ${req.method} ${url.pathname}`, { code: 'unknown_url' })
      }
      return
    }

    const key = bearer(req)
    if (route.auth) {
      if (!keyAccepted(state, key)) {
        const message = key === undefined ? "You didn't provide an API key. Use the Authorization header: Bearer YOUR_API_KEY." : 'Invalid API key provided'
        await sendError(reply, 401, 'openai', message, { code: 'invalid_api_key' })
        return
      }
      if (key !== undefined) state.keyUse.set(key, (state.keyUse.get(key) ?? 0) + 1)
    }

    const hostHeader = req.headers.host
    const ctx: Ctx = {
      req,
      path,
      query: url.searchParams,
      body,
      reply,
      fault: taken.response,
      baseUrl: hostHeader ? `http://${hostHeader}` : api.url,
      state,
      delayMs: delayFor(req, state.chunkDelayMs),
      params: route.pattern.exec(path)?.slice(1) ?? []
    }
    await route.handle(ctx)
  }

  const serve = (origin: 'api' | 'media') =>
    createServer({ noDelay: true, keepAliveTimeout: 5000 }, (req, res) => {
      handle(req, res, origin).catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy()
          return
        }
        const message = err instanceof Error ? err.message : String(err)
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify({ error: { message: `Fake server error: ${message}`, type: 'server_error', param: null, code: null } }))
      })
    })
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve((server.address() as AddressInfo).port)
      })
    })
  const server = serve('api')
  // Song files and streams come from another origin, as Suno's CDN does: a client must not send it the key.
  const mediaServer = serve('media')
  const port = await listen(server, opts.port ?? 0)
  const mediaPort = await listen(mediaServer, 0)
  const urlHost = host.includes(':') ? `[${host}]` : host
  state.mediaBaseUrl = `http://${urlHost}:${mediaPort}`

  const api: FakeApi = {
    url: `http://${urlHost}:${port}`,
    mediaUrl: state.mediaBaseUrl,
    port,
    inject(fault, injectOpts = {}) {
      faults.add({ fault, ...injectOpts })
    },
    clearFaults() {
      faults.clear()
    },
    requests,
    async close() {
      shutdown.abort()
      await Promise.all(
        [server, mediaServer].map(
          (each) =>
            new Promise<void>((resolve) => {
              each.close(() => resolve())
              each.closeAllConnections()
            })
        )
      )
    }
  }
  return api
}
