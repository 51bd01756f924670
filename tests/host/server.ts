/**
 * The browser test host: the real main-process services behind the bridge
 * contract, carried over HTTP instead of Electron IPC, plus the built
 * renderer. Chromium loads the renderer from here and cannot tell it is not
 * inside Electron. Bound to loopback only.
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { createAppServices, SETTINGS_FILE, type AppServices } from '../../src/main/app-services'
import { dispatch, type EventSink } from '../../src/main/bridge'
import { APP_ORIGIN, resolveServedFile } from '../../src/main/services/app-protocol'
import type { EventName, PayloadOf, SettingsPatch } from '../../src/shared/contract'
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp'
import { bundleForBrowser } from '../support/browser-bundle'
import { nodePowers, type NodePowers } from '../support/node-powers'
import type { SecretCipher } from '../../src/main/services/key-vault'
import type { Updater } from '../../src/main/services/updates'
import { defaultSettings } from '../../src/main/services/settings-schema'

const projectRoot = resolve(import.meta.dirname, '../..')

export interface TestHostOptions {
  userDataDir: string
  rendererDir?: string
  /** Written to the settings file before the services start, as if the person had set them. */
  initialSettings?: SettingsPatch
  cipher?: SecretCipher
  port?: number
  /** An updater for the services (a fake one in tests); none means this build cannot update itself. */
  updater?: Updater
}

export interface TestHost {
  url: string
  services: AppServices
  powers: NodePowers
  /** Sends an event to every open page, as the shell sends one to a window (e.g. `quick.show`). */
  emit<E extends EventName>(event: E, payload: PayloadOf<E>): void
  close(): Promise<void>
}

export async function startTestHost(options: TestHostOptions): Promise<TestHost> {
  const rendererDir = options.rendererDir ?? join(projectRoot, 'out/renderer')
  mkdirSync(options.userDataDir, { recursive: true })
  if (options.initialSettings) {
    const patch = options.initialSettings
    const initial = {
      ...defaultSettings,
      ...patch,
      timeouts: { ...defaultSettings.timeouts, ...patch.timeouts },
      proxy: { ...defaultSettings.proxy, ...patch.proxy },
      defaultModels: { ...defaultSettings.defaultModels, ...patch.defaultModels },
      chat: { ...defaultSettings.chat, ...patch.chat }
    }
    writeFileSync(join(options.userDataDir, SETTINGS_FILE), JSON.stringify(initial, null, 2))
  }
  const powers: NodePowers = { ...nodePowers({ userDataDir: options.userDataDir, cipher: options.cipher }), ...(options.updater ? { updater: options.updater } : {}) }
  const services = await createAppServices(powers)
  const script = await bundleForBrowser(join(import.meta.dirname, 'browser-bridge.ts'))

  // One event channel per browser page, keyed by the id its bridge sends.
  const channels = new Map<string, { id: number; response: ServerResponse }>()
  let nextSinkId = 1
  const sinkFor = (clientId: string): EventSink => {
    const channel = channels.get(clientId)
    return {
      id: channel?.id ?? -1,
      send(event, payload) {
        const open = channels.get(clientId)
        if (!open || open.response.destroyed) return // the page is gone: drop, like a closed window
        open.response.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`)
      }
    }
  }
  const emit = <E extends EventName>(event: E, payload: PayloadOf<E>): void => {
    for (const clientId of channels.keys()) sinkFor(clientId).send(event, payload)
  }
  const stopBroadcast = services.onBroadcast(emit)

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' })
      response.end(String(error))
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname === '/bridge/events') {
      const clientId = url.searchParams.get('client') ?? ''
      const id = nextSinkId++
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
      response.write(': connected\n\n')
      channels.set(clientId, { id, response })
      request.on('close', () => {
        if (channels.get(clientId)?.response === response) channels.delete(clientId)
        services.streams.abortOwnedBy(id)
      })
      return
    }
    if (url.pathname.startsWith('/bridge/') && request.method === 'POST') {
      const method = url.pathname.slice('/bridge/'.length)
      const body = await readBody(request)
      response.writeHead(200, { 'content-type': 'application/json' })
      let args: unknown
      try {
        // JSON has no undefined: the browser bridge sends null for "no arguments".
        args = body === '' ? undefined : (JSON.parse(body) ?? undefined)
      } catch {
        response.end(JSON.stringify({ ok: false, error: { code: 'invalid_argument', message: 'The arguments are not JSON.' } }))
        return
      }
      const clientId = String(request.headers['x-client-id'] ?? '')
      const envelope = await dispatch(services.handlers, method, args, { sink: sinkFor(clientId) }, {
        redact: (text) => services.keyVault.redact(text)
      })
      response.end(JSON.stringify(envelope))
      return
    }
    if (url.pathname === '/__host/bridge.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
      response.end(script)
      return
    }
    // A song still generating, relayed by main as the app's protocol does.
    if (url.pathname.startsWith('/live/')) {
      const stop = new AbortController()
      response.once('close', () => stop.abort())
      const relayed = await services.songs.openLive(url.pathname, stop.signal).catch(() => null)
      if (!relayed?.body) return notFound(response)
      response.writeHead(relayed.status, { 'content-type': relayed.headers.get('content-type') ?? 'audio/mpeg', 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-store' })
      const reader = relayed.body.getReader()
      for (let next = await reader.read(); !next.done; next = await reader.read()) response.write(next.value)
      response.end()
      return
    }
    // The same rules as the app's app:// protocol: media only as image, audio or video, by real path.
    const served = await resolveServedFile(`${APP_ORIGIN}${url.pathname}`, { renderer: rendererDir, media: join(options.userDataDir, 'media') })
    if (!served) return notFound(response)
    const file = served.path
    const headers = { 'content-type': served.contentType, 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-store' }
    if (file.endsWith('.html')) {
      let html: string
      try {
        html = await readFile(file, 'utf8')
      } catch {
        return notFound(response)
      }
      // The bridge must exist before the app's own module runs: module scripts run in order.
      response.writeHead(200, headers)
      response.end(html.replace('<head>', '<head>\n    <script type="module" src="/__host/bridge.js"></script>'))
      return
    }
    await sendFile(request, response, file, headers)
  }

  await new Promise<void>((resolveListen) => server.listen(options.port ?? 0, '127.0.0.1', resolveListen))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    services,
    powers,
    emit,
    async close() {
      stopBroadcast()
      for (const { response } of channels.values()) response.end()
      channels.clear()
      server.closeAllConnections()
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()))
      await services.close()
    }
  }
}

/**
 * A file, or the one range asked for (206), streamed from disk as the app's
 * protocol answers through net.fetch: without ranges the browser cannot seek
 * in audio, and reading a long file whole for each range request would cost
 * what the app never pays. Only the single `bytes=start-end` form media
 * elements send is handled.
 */
async function sendFile(request: IncomingMessage, response: ServerResponse, file: string, headers: Record<string, string>): Promise<void> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch {
    return notFound(response)
  }
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(request.headers.range ?? ''))
  if (!range || (range[1] === '' && range[2] === '')) {
    response.writeHead(200, { ...headers, 'accept-ranges': 'bytes', 'content-length': String(size) })
    await pipeline(createReadStream(file), response).catch(() => response.destroy())
    return
  }
  // "bytes=-N" is the last N bytes.
  const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1])
  const end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1)
  if (start >= size || start > end) {
    response.writeHead(416, { 'content-range': `bytes */${size}` })
    response.end()
    return
  }
  response.writeHead(206, { ...headers, 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) })
  // The browser drops a range it no longer needs (a seek): the stream stops with it.
  await pipeline(createReadStream(file, { start, end }), response).catch(() => response.destroy())
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'text/plain' })
  response.end('Not found')
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > 50 * 1024 * 1024) {
        reject(new Error('Request body too large.'))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}
