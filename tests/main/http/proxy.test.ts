import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeApi, type FakeApi } from '../../fake-api/server'
import { AppError } from '../../../src/shared/errors'
import { HttpClient, type HttpConfig } from '../../../src/main/services/http/client'
import { startForwardProxy, type ForwardProxy } from './forward-proxy'

let fake: FakeApi
let proxy: ForwardProxy
const clients: HttpClient[] = []
const ENV_NAMES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const
const savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]))

function client(config: Partial<HttpConfig>): HttpClient {
  const full: HttpConfig = {
    baseUrl: fake.url,
    apiKey: 'sk-proxy-test',
    timeouts: { connectMs: 2000, headersMs: 3000, idleMs: 3000 },
    proxy: { mode: 'none', url: '' },
    ...config
  }
  const http = new HttpClient(() => full, { retry: { maxRetries: 0 } })
  clients.push(http)
  return http
}

function setProxyEnv(values: Partial<Record<(typeof ENV_NAMES)[number], string>>): void {
  for (const name of ENV_NAMES) delete process.env[name]
  Object.assign(process.env, values)
}

beforeAll(async () => {
  fake = await startFakeApi({})
  proxy = await startForwardProxy()
})
afterEach(async () => {
  setProxyEnv({})
  Object.assign(process.env, Object.fromEntries(Object.entries(savedEnv).filter(([, v]) => v !== undefined)))
  await Promise.all(clients.splice(0).map((c) => c.close()))
  proxy.seen.length = 0
  fake.requests.length = 0
})
afterAll(async () => {
  await proxy.close()
  await fake.close()
})

const target = (): string => `${fake.url}/v1/models`

describe('proxy', () => {
  it("mode 'none' goes straight to the server", async () => {
    setProxyEnv({ HTTP_PROXY: proxy.url })
    await client({}).json({ path: '/v1/models' })
    expect(proxy.seen).toEqual([])
    expect(fake.requests).toHaveLength(1)
  })

  it("mode 'url' goes through the given proxy, key and all", async () => {
    await client({ proxy: { mode: 'url', url: proxy.url } }).json({ path: '/v1/models' })
    expect(proxy.seen).toEqual([target()])
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-proxy-test')
  })

  it("mode 'system' reads HTTP_PROXY", async () => {
    setProxyEnv({ HTTP_PROXY: proxy.url })
    const response = await client({ proxy: { mode: 'system', url: '' } }).stream({
      method: 'POST',
      path: '/v1/chat/completions',
      json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }
    })
    for await (const _ of response.body) void _
    expect(proxy.seen).toEqual([`${fake.url}/v1/chat/completions`])
  })

  it("mode 'system' honours NO_PROXY", async () => {
    setProxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' })
    await client({ proxy: { mode: 'system', url: '' } }).json({ path: '/v1/models' })
    expect(proxy.seen).toEqual([])
    expect(fake.requests).toHaveLength(1)
  })

  it('a proxy that is not there is a network error naming it', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const error = await client({ proxy: { mode: 'url', url: `http://127.0.0.1:${port}` } })
      .json({ path: '/v1/models' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({ code: 'network', message: `The proxy 127.0.0.1:${port} refused the connection.` })
  })

  it('a settings change applies to the next request (the pool is replaced)', async () => {
    let settings: HttpConfig = {
      baseUrl: fake.url,
      apiKey: null,
      timeouts: { connectMs: 2000, headersMs: 3000, idleMs: 3000 },
      proxy: { mode: 'none', url: '' }
    }
    const http = new HttpClient(() => settings)
    clients.push(http)
    await http.json({ path: '/v1/models' })
    settings = { ...settings, proxy: { mode: 'url', url: proxy.url } }
    await http.json({ path: '/v1/models' })
    settings = { ...settings, proxy: { mode: 'none', url: '' } }
    await http.json({ path: '/v1/models' })
    expect(proxy.seen).toEqual([target()])
    expect(fake.requests).toHaveLength(3)
  })
})
