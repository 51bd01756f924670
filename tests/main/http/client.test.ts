import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ErrorShape } from '../../fake-api/faults'
import { startFakeApi, type FakeApi } from '../../fake-api/server'
import { AppError } from '../../../src/shared/errors'
import { request } from 'undici'
import { HttpClient, type HttpConfig } from '../../../src/main/services/http/client'
import { createDispatcher, DispatcherPool } from '../../../src/main/services/http/dispatchers'

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47])

let fake: FakeApi
let config: HttpConfig
let delays: number[]
let http: HttpClient

function client(overrides: Partial<HttpConfig> = {}): HttpClient {
  const own: HttpConfig = { ...config, ...overrides }
  return new HttpClient(() => own, { retry: { sleep: async (ms) => void delays.push(ms), random: () => 0 } })
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    return error as AppError
  }
  throw new Error('expected a failure')
}

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const chat = { method: 'POST' as const, path: '/v1/chat/completions', json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } }
const streamChat = { ...chat, json: { ...chat.json, stream: true } }

beforeAll(async () => {
  fake = await startFakeApi({})
})
afterAll(async () => {
  await fake.close()
})
beforeEach(() => {
  delays = []
  config = {
    baseUrl: fake.url,
    apiKey: 'sk-test-0123456789',
    timeouts: { connectMs: 2000, headersMs: 3000, idleMs: 3000 },
    proxy: { mode: 'none', url: '' }
  }
  http = new HttpClient(() => config, { retry: { sleep: async (ms) => void delays.push(ms), random: () => 0 } })
  fake.requests.length = 0
})
afterEach(async () => {
  fake.clearFaults()
  await http.close()
})

describe('success paths', () => {
  it('GETs JSON, with or without /v1 in the base URL', async () => {
    for (const baseUrl of [fake.url, `${fake.url}/`, `${fake.url}/v1`, `${fake.url}/v1/`]) {
      config.baseUrl = baseUrl
      const list = await http.json<{ data: { id: string }[] }>({ path: '/v1/models' })
      expect(list.data.length).toBeGreaterThan(10)
    }
    expect(fake.requests.map((r) => r.path)).toEqual(Array(4).fill('/v1/models'))
  })

  it('POSTs JSON and reads text and bytes', async () => {
    const answer = await http.json<{ choices: unknown[] }>(chat)
    expect(answer.choices).toHaveLength(1)
    expect(fake.requests[0]?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(fake.requests[0]?.body ?? '')).toEqual(chat.json)

    const text = await http.text({ path: '/v1/images/vision', query: { url: 'https://x.test/a.png', model: 'gpt-4o' } })
    expect(text).toMatch(/^\[gpt-4o\] The image at https:\/\/x.test\/a.png/)

    const image = await http.bytes({ path: '/imagine', query: { prompt: 'a cat', size: '1:1' } }, { expectContentType: /^image\// })
    expect(image.contentType).toBe('image/png')
    expect(image.bytes.subarray(0, 4)).toEqual(PNG)
  })

  it('streams an SSE body as it arrives', async () => {
    const response = await http.stream(streamChat)
    expect(response.status).toBe(200)
    expect(response.contentType).toBe('text/event-stream')
    let text = ''
    for await (const chunk of response.body) text += Buffer.from(chunk).toString('utf8')
    expect(text).toMatch(/data: \[DONE\]\n\n$/)
  })
})

describe('the key', () => {
  it('is sent as a Bearer token only when set', async () => {
    await http.json({ path: '/v1/models' })
    config.apiKey = null
    await http.json({ path: '/v1/models' })
    config.apiKey = ''
    await http.json({ path: '/v1/models' })
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-test-0123456789', undefined, undefined])
  })

  it('is never sent to another origin', async () => {
    const other = await startFakeApi({})
    try {
      await http.bytes({ path: `${other.url}/imagine?prompt=x` }, { expectContentType: /^image\// })
      expect(other.requests[0]?.headers.authorization).toBeUndefined()
    } finally {
      await other.close()
    }
  })

  it('is removed from server messages', async () => {
    fake.inject({ kind: 'http-error', status: 400, shape: 'openai', message: `Key sk-test-0123456789 is malformed` })
    const error = await caught(http.json(chat))
    expect(error.message).toBe('Key [redacted] is malformed')
    fake.inject({ kind: 'raw', status: 200, contentType: 'image/png', chunks: [{ text: 'x' }] })
    const other = await caught(http.json({ path: '/check', query: { key: 'sponsor-secret' }, secrets: ['sponsor-secret'] }))
    expect(other.code).toBe('bad_response')
    expect(other.message).not.toMatch(/sponsor-secret|sk-test/)
  })

  it('a rejected key is unauthorized with the server message', async () => {
    config.apiKey = 'bad-key-123'
    const error = await caught(http.json({ path: '/v1/models' }))
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, message: 'Invalid API key provided' })
  })
})

describe('HTTP errors', () => {
  const expectedMessage: Record<ErrorShape, (status: number, reason: string, message: string) => string> = {
    openai: (_s, _r, m) => m,
    string: (_s, _r, m) => m,
    'error-and-message': (_s, r, m) => `${r}: ${m}`,
    anthropic: (_s, _r, m) => m,
    text: (_s, _r, m) => m,
    html: (s, r) => `${s} ${r}`
  }
  const cases: [number, string, string][] = [
    [400, 'invalid_argument', 'Bad Request'],
    [401, 'unauthorized', 'Unauthorized'],
    [402, 'payment_required', 'Payment Required'],
    [403, 'forbidden', 'Forbidden'],
    [404, 'not_found', 'Not Found'],
    [408, 'timeout', 'Request Timeout'],
    [413, 'too_large', 'Payload Too Large'],
    [429, 'rate_limited', 'Too Many Requests'],
    [500, 'server_error', 'Internal Server Error'],
    [502, 'unavailable', 'Bad Gateway'],
    [503, 'unavailable', 'Service Unavailable'],
    [504, 'server_error', 'Gateway Timeout']
  ]
  const shapes: ErrorShape[] = ['openai', 'string', 'error-and-message', 'anthropic', 'text', 'html']

  it.each(cases)('%i → %s, in every body shape', async (status, code, reason) => {
    for (const shape of shapes) {
      const message = `Something about ${status} & <this>`
      fake.inject({ kind: 'http-error', status, shape, message }, { path: '/chat/completions' })
      const error = await caught(http.json(chat)) // a POST: never retried
      expect(error.code).toBe(code)
      expect(error.status).toBe(status)
      expect(error.message).toBe(expectedMessage[shape](status, reason, message))
    }
    expect(fake.requests).toHaveLength(shapes.length)
  })

  it('429 with Retry-After is retried after that wait and then succeeds', async () => {
    fake.inject({ kind: 'http-error', status: 429, shape: 'openai', retryAfter: '2' }, { path: '/models', times: 1 })
    const list = await http.json<{ data: unknown[] }>({ path: '/v1/models' })
    expect(list.data.length).toBeGreaterThan(0)
    expect(delays).toEqual([2000])
    expect(fake.requests).toHaveLength(2)
  })

  it('a persisting 429 is surfaced with retryAfterMs after two retries', async () => {
    fake.inject({ kind: 'http-error', status: 429, shape: 'openai', retryAfter: '3' }, { path: '/models', times: 0 })
    const error = await caught(http.json({ path: '/v1/models' }))
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 3000 })
    expect(error.message).toMatch(/Try again in 56 seconds/)
    expect(delays).toEqual([3000, 3000])
    expect(fake.requests).toHaveLength(3)
  })

  it('a 429 comes back at once when the caller counts the wait down itself, while a 503 is still retried', async () => {
    fake.inject({ kind: 'http-error', status: 429, shape: 'openai', retryAfter: '2' }, { path: '/models', times: 1 })
    const error = await caught(http.json({ path: '/v1/models', rateLimits: 'surface' }))
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 2000 })
    expect(delays).toEqual([])
    expect(fake.requests).toHaveLength(1)
    fake.inject({ kind: 'http-error', status: 503, shape: 'openai' }, { path: '/models', times: 1 })
    await http.json({ path: '/v1/models', rateLimits: 'surface' })
    expect(delays).toEqual([500])
  })

  it('a wait longer than the bound is not sat through', async () => {
    fake.inject({ kind: 'http-error', status: 429, shape: 'string', retryAfter: '600' }, { path: '/models', times: 0 })
    const error = await caught(http.json({ path: '/v1/models' }))
    expect(error.retryAfterMs).toBe(600_000)
    expect(fake.requests).toHaveLength(1)
  })

  it('503 without Retry-After backs off 0.5 s, 1 s', async () => {
    fake.inject({ kind: 'http-error', status: 503, shape: 'openai' }, { path: '/models', times: 0 })
    const error = await caught(http.json({ path: '/v1/models' }))
    expect(error).toMatchObject({ code: 'unavailable', message: 'All providers failed' })
    expect(delays).toEqual([500, 1000])
  })

  it('a POST is not retried on 503 unless asked', async () => {
    fake.inject({ kind: 'http-error', status: 503, shape: 'openai' }, { path: '/chat/completions', times: 1 })
    expect((await caught(http.stream(streamChat))).code).toBe('unavailable')
    expect(fake.requests).toHaveLength(1)
    fake.inject({ kind: 'http-error', status: 503, shape: 'openai' }, { path: '/chat/completions', times: 1 })
    const response = await http.stream({ ...streamChat, retry: true })
    expect(response.status).toBe(200)
    for await (const _ of response.body) void _
    expect(fake.requests).toHaveLength(3)
  })

  it('malformed JSON is a bad response', async () => {
    fake.inject({ kind: 'malformed-json' }, { path: '/models' })
    const error = await caught(http.json({ path: '/v1/models' }))
    expect(error.code).toBe('bad_response')
    expect(error.message).toMatch(/not valid JSON/)
  })
})

describe('timeouts', () => {
  it('a slow first byte times out with a short headersMs', async () => {
    config.timeouts = { ...config.timeouts, headersMs: 150 }
    fake.inject({ kind: 'slow-first-byte', delayMs: 1500 }, { path: '/models' })
    const started = Date.now()
    const error = await caught(http.json({ path: '/v1/models' }))
    expect(error.code).toBe('timeout')
    expect(error.message).toMatch(/did not start answering within 0.1 s|did not start answering within 0.2 s/)
    expect(Date.now() - started).toBeLessThan(1200)
  })

  it('a stall in the middle of a stream is an idle timeout', async () => {
    config.timeouts = { ...config.timeouts, idleMs: 200 }
    fake.inject({ kind: 'stall', afterChunks: 3, ms: 2000 }, { path: '/chat/completions' })
    const response = await http.stream(streamChat)
    let received = 0
    const error = await caught(
      (async () => {
        for await (const chunk of response.body) received += chunk.byteLength
      })()
    )
    expect(received).toBeGreaterThan(0)
    expect(error.code).toBe('timeout')
    expect(error.message).toMatch(/went silent for more than 0.2 s/)
  })
})

describe('dropped connections', () => {
  it('a drop before the headers is retried for GET', async () => {
    fake.inject({ kind: 'drop', afterBytes: 0 }, { path: '/models', times: 1 })
    const list = await http.json<{ data: unknown[] }>({ path: '/v1/models' })
    expect(list.data.length).toBeGreaterThan(0)
    expect(fake.requests).toHaveLength(2)
    expect(delays).toEqual([500])
  })

  it('a drop before the headers is a network error for POST', async () => {
    fake.inject({ kind: 'drop', afterBytes: 0 }, { path: '/chat/completions', times: 1 })
    const error = await caught(http.stream(streamChat))
    expect(error.code).toBe('network')
    expect(error.message).toMatch(/closed unexpectedly/)
    expect(fake.requests).toHaveLength(1)
  })

  it('a drop in the middle of the body is a network error', async () => {
    fake.inject({ kind: 'drop', afterBytes: 300 }, { path: '/chat/completions' })
    const response = await http.stream(streamChat)
    const error = await caught(
      (async () => {
        for await (const _ of response.body) void _
      })()
    )
    expect(error.code).toBe('network')
    fake.inject({ kind: 'drop', afterBytes: 100 }, { path: '/models', times: 0 })
    expect((await caught(http.json({ path: '/v1/models' }))).code).toBe('network')
  })

  it('a refused connection is a network error after the retries', async () => {
    config.baseUrl = `http://127.0.0.1:${await closedPort()}`
    const error = await caught(http.json({ path: '/v1/models' }))
    expect(error).toMatchObject({ code: 'network', message: expect.stringMatching(/^127\.0\.0\.1:\d+ refused the connection\.$/) })
    expect(delays).toHaveLength(2)
  })
})

describe('sizes and content types', () => {
  it('a declared Content-Length over the limit is refused before reading', async () => {
    fake.inject({ kind: 'oversized', bytes: 5_000_000 }, { path: '/models' })
    const error = await caught(http.json({ path: '/v1/models', maxBytes: 100_000 }))
    expect(error.code).toBe('response_too_large')
    expect(error.message).toMatch(/97.7 KB/)
  })

  it('a chunked body is cut as soon as it passes the limit', async () => {
    fake.inject({ kind: 'oversized', bytes: 20_000_000, chunked: true }, { path: '/imagine' })
    const started = Date.now()
    const error = await caught(http.bytes({ path: '/imagine', query: { prompt: 'x' }, maxBytes: 200_000 }, { expectContentType: /^image\// }))
    expect(error.code).toBe('response_too_large')
    expect(Date.now() - started).toBeLessThan(3000)
    // the connection was dropped, not drained: the server sees the client leave
    await expect(http.json({ path: '/v1/models' })).resolves.toBeTruthy()
  })

  it('passing the limit closes the connection instead of draining it', async () => {
    let closed = false
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' })
      const piece = Buffer.alloc(16 * 1024)
      const pump = (): void => {
        while (!closed && res.write(piece)) void 0
        if (!closed) res.once('drain', pump)
      }
      res.on('close', () => void (closed = true))
      pump()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      config.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      expect((await caught(http.bytes({ path: '/endless', maxBytes: 100_000 }))).code).toBe('response_too_large')
      await expect.poll(() => closed, { timeout: 1000 }).toBe(true)
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it('a redirect with a body keeps the base URL advice', async () => {
    const page = '<!DOCTYPE html><html><head><title>Moved</title></head><body>This page has moved.</body></html>'
    fake.inject({ kind: 'raw', status: 308, contentType: 'text/html', headers: { location: 'https://elsewhere.example/v1/models' }, chunks: [{ text: page }] }, { path: '/models' })
    const error = await caught(http.json({ path: '/v1/models' }))
    expect(error).toMatchObject({ code: 'bad_response', status: 308 })
    expect(error.message).toMatch(/^The server answered with a redirect \(HTTP 308\) to https:\/\/elsewhere\.example\/v1\/models; check the base URL\./)
    expect(error.message).toContain('Moved')
  })

  it('the default JSON limit is 2 MB', async () => {
    fake.inject({ kind: 'oversized', bytes: 3_000_000, chunked: true }, { path: '/models' })
    expect((await caught(http.json({ path: '/v1/models' }))).code).toBe('response_too_large')
  })

  it('a JSON error where an image was expected is a bad response with the server message', async () => {
    fake.inject({ kind: 'wrong-content-type' }, { path: '/imagine' })
    const error = await caught(http.bytes({ path: '/imagine', query: { prompt: 'x' } }, { expectContentType: /^image\// }))
    expect(error).toMatchObject({ code: 'bad_response', message: 'Failed to generate, please try again later.' })
    fake.inject({ kind: 'wrong-content-type' }, { path: '/get-audio' })
    const speech = await caught(http.bytes({ path: '/get-audio', query: { text: 'hi', voice: 'alex' } }, { expectContentType: /^audio\// }))
    expect(speech).toMatchObject({ code: 'bad_response', message: 'The server sent application/json instead of the expected media.' })
  })
})

describe('abort', () => {
  it('an aborted signal stops before any request', async () => {
    const error = await caught(http.json({ path: '/v1/models', signal: AbortSignal.abort() }))
    expect(error.code).toBe('aborted')
    expect(fake.requests).toHaveLength(0)
  })

  it('aborts while waiting for headers', async () => {
    fake.inject({ kind: 'slow-first-byte', delayMs: 2000 }, { path: '/models' })
    const started = Date.now()
    const error = await caught(http.json({ path: '/v1/models', signal: AbortSignal.timeout(100) }))
    expect(error.code).toBe('aborted')
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('aborts in the middle of a stream', async () => {
    const controller = new AbortController()
    const response = await http.stream({ ...streamChat, headers: { 'x-fake-delay-ms': '30' }, signal: controller.signal })
    let chunks = 0
    const error = await caught(
      (async () => {
        for await (const _ of response.body) {
          void _
          if (++chunks === 2) controller.abort()
        }
      })()
    )
    expect(error.code).toBe('aborted')
    expect(chunks).toBe(2)
  })
})

describe('closing', () => {
  it('stops every request in flight, whatever its own signal, and refuses new ones', async () => {
    fake.inject({ kind: 'slow-first-byte', delayMs: 20_000 }, { times: 0 })
    const own = new AbortController()
    const pending = [
      caught(http.json({ path: '/v1/models' })),
      caught(http.text({ path: '/check', query: { key: 'k' }, signal: own.signal })),
      caught(http.stream({ ...streamChat, signal: own.signal }))
    ]
    await waitUntil(() => fake.requests.length === 3)
    const started = Date.now()
    await http.close()
    const errors = await Promise.all(pending)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(errors.map((error) => error.code)).toEqual(['aborted', 'aborted', 'aborted'])

    const after = await caught(http.json({ path: '/v1/models' }))
    expect(after.code).toBe('aborted')
    expect(fake.requests).toHaveLength(3)
  })

  it('stops waiting for a request that ignores every signal after the grace period', async () => {
    fake.inject({ kind: 'slow-first-byte', delayMs: 5_000 }, { path: '/models' })
    const pool = new DispatcherPool()
    const dispatcher = pool.get(new URL(fake.url).origin, { proxy: config.proxy, timeouts: { ...config.timeouts, headersMs: 60_000 } })
    // No signal: nothing but the server can end this request.
    const hanging = request(`${fake.url}/v1/models`, { dispatcher }).then(
      () => 'answered',
      () => 'failed'
    )
    await waitUntil(() => fake.requests.length === 1)
    const started = Date.now()
    await pool.close(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(Date.now() - started).toBeLessThan(1000)
    void hanging
  })

  it('without a grace period waits for requests in flight to finish', async () => {
    fake.inject({ kind: 'slow-first-byte', delayMs: 300 }, { path: '/models' })
    const pool = new DispatcherPool(createDispatcher)
    const dispatcher = pool.get(new URL(fake.url).origin, { proxy: config.proxy, timeouts: config.timeouts })
    const answered = request(`${fake.url}/v1/models`, { dispatcher }).then(async (response) => {
      await response.body.text()
      return response.statusCode
    })
    await waitUntil(() => fake.requests.length === 1)
    await pool.close()
    expect(await answered).toBe(200)
  })
})

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('configuration', () => {
  it('an invalid proxy URL is an invalid argument', async () => {
    for (const url of ['', 'not a url', 'ftp://127.0.0.1:21']) {
      const error = await caught(client({ proxy: { mode: 'url', url } }).json({ path: '/v1/models' }))
      expect(error.code).toBe('invalid_argument')
    }
  })

  it('an invalid base URL is an invalid argument', async () => {
    config.baseUrl = 'mailto:x@y'
    expect((await caught(http.json({ path: '/v1/models' }))).code).toBe('invalid_argument')
  })

  it('sends the user agent when given', async () => {
    config.userAgent = 'Skyport/0.1'
    await http.json({ path: '/v1/models' })
    expect(fake.requests[0]?.headers['user-agent']).toBe('Skyport/0.1')
  })
})
