import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeApi, type FakeApi } from '../fake-api/server'
import { AppError } from '../../src/shared/errors'
import type { ChatMessage } from '../../src/shared/contract'
import { HttpClient, type HttpConfig } from '../../src/main/services/http/client'
import { redact } from '../../src/main/services/http/errors'
import { GatewayClient, parseKeyCheck, parseModelList } from '../../src/main/services/gateway'
import { CHAT_MODELS, IMAGE_MODELS, SONG_MODELS, VISION_MODELS, VOICES } from '../../src/shared/catalog'
import { listModelsWithFallback } from '../../src/main/services/model-catalog'
import { drain, summarize } from './http/sse-cases'

let fake: FakeApi
let config: HttpConfig
let http: HttpClient
let gateway: GatewayClient

const messages: ChatMessage[] = [{ role: 'user', content: 'Say hello in five words' }]
const json = (value: unknown): string => JSON.stringify(value)

beforeAll(async () => {
  fake = await startFakeApi({})
})
afterAll(async () => {
  await fake.close()
})
beforeEach(() => {
  config = {
    baseUrl: `${fake.url}/v1`,
    apiKey: 'sk-gateway-test-key',
    timeouts: { connectMs: 2000, headersMs: 3000, idleMs: 3000 },
    proxy: { mode: 'none', url: '' }
  }
  http = new HttpClient(() => config, { retry: { sleep: async () => undefined } })
  gateway = new GatewayClient(http)
  fake.requests.length = 0
})
afterEach(async () => {
  fake.clearFaults()
  await http.close()
})

describe('listModels', () => {
  it('lists the server models sorted by id', async () => {
    const models = await gateway.listModels()
    const ids = models.map((m) => m.id)
    expect(ids).toContain('gpt-4o-mini')
    // Case-insensitive and number-aware, as a person reads a list.
    for (let i = 1; i < ids.length; i++) expect(ids[i - 1]!.toLowerCase() <= ids[i]!.toLowerCase() || /\d/.test(ids[i]!)).toBe(true)
    expect(ids.indexOf('llama-3.1-8b-chat')).toBeLessThan(ids.indexOf('llama-3.1-70b-chat'))
    expect(ids.indexOf('Nous-Hermes-2-Mixtral-8x7B-DPO')).toBeGreaterThan(ids.indexOf('llama-3.1-8b-chat'))
    expect(models.find((m) => m.id === 'gpt-4o')).toMatchObject({ ownedBy: 'openai', created: expect.any(Number) })
  })

  it('accepts a bare array and missing fields, and dedupes', async () => {
    const body = json([{ id: 'b' }, 'a', { id: 'b', owned_by: 'x' }, { name: 'c' }, { nothing: true }, 7, { id: 'a', created: 'soon' }])
    fake.inject({ kind: 'raw', contentType: 'application/json', chunks: [{ text: body }] }, { path: '/models' })
    expect(await gateway.listModels()).toEqual([
      { id: 'a', ownedBy: null, created: null },
      { id: 'b', ownedBy: null, created: null },
      { id: 'c', ownedBy: null, created: null }
    ])
  })

  it('refuses a shape that is not a list', () => {
    expect(() => parseModelList({ object: 'list' })).toThrow(expect.objectContaining({ code: 'bad_response' }))
    expect(parseModelList({ data: [] })).toEqual([])
  })

  it('a rejected key is unauthorized', async () => {
    config.apiKey = 'bad-key'
    await expect(gateway.listModels()).rejects.toMatchObject({ code: 'unauthorized', status: 401 })
  })
})

describe('checkKey', () => {
  it('returns info and the other scalar fields', async () => {
    config.apiKey = 'sponsor-key-7788'
    const check = await gateway.checkKey()
    expect(check).toEqual({ info: 'Sponsor key', details: { key: '…7788', requests_today: 0, limit: 'unlimited' } })
    expect(fake.requests[0]?.query).toEqual({ key: 'sponsor-key-7788' })
  })

  it('never returns the full key', async () => {
    const key = 'premium-0123456789'
    config.apiKey = key
    const body = json({ info: 'Premium key', key, owner: `owner of ${key}`, nested: { a: 1 }, expires: null })
    fake.inject({ kind: 'raw', contentType: 'application/json', chunks: [{ text: body }] }, { path: '/check' })
    expect(await gateway.checkKey()).toEqual({ info: 'Premium key', details: { owner: 'owner of [redacted]', expires: null } })
  })

  it('keeps the key out of error messages', async () => {
    config.apiKey = 'bad-abcdefgh'
    fake.inject({ kind: 'http-error', status: 401, shape: 'string', message: 'Invalid key bad-abcdefgh' }, { path: '/check' })
    const error = await gateway.checkKey().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'unauthorized', message: 'Invalid key [redacted]' })
  })

  it('shows a plain-text answer as the info line, and asks for a key when there is none', async () => {
    expect(parseKeyCheck('Free key\n', (text) => redact(text, ['k-1234']))).toEqual({ info: 'Free key', details: {} })
    expect(() => parseKeyCheck('<html><head><title>Sign in to Wi-Fi</title></head></html>', (text) => redact(text, ['k-1234']))).toThrow(
      /^A web page came back instead of an answer: “Sign in to Wi-Fi”\./
    )
    config.apiKey = null
    await expect(gateway.checkKey()).rejects.toMatchObject({ code: 'no_key' })
    expect(fake.requests).toEqual([])
  })

  it('never puts the key in the query of a request to another origin', async () => {
    // Same fake server, other origin: the key is the base URL's alone.
    const elsewhere = `http://localhost:${fake.port}/check`
    await expect(http.text({ path: elsewhere, keyParam: 'key' })).rejects.toMatchObject({ code: 'no_key' })
    expect(fake.requests).toEqual([])
  })
})

describe('streamChat', () => {
  it('streams deltas, finish, usage and model', async () => {
    const { events, error } = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages }))
    expect(error).toBeNull()
    const outcome = summarize(events)
    expect(outcome.content.length).toBeGreaterThan(10)
    expect(outcome).toMatchObject({ finish: 'stop', model: 'gpt-4o-mini', usage: { totalTokens: expect.any(Number) } })
    expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(2)
  })

  it('sends only documented fields, and params only when set', async () => {
    await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages, params: { temperature: 0.5, max_tokens: 64 } }))
    await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages, stream: false, params: {} }))
    const [first, second] = fake.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>)
    expect(first).toEqual({ model: 'gpt-4o-mini', messages, stream: true, temperature: 0.5, max_tokens: 64 })
    expect(second).toEqual({ model: 'gpt-4o-mini', messages, stream: false })
    expect(fake.requests[0]?.path).toBe('/v1/chat/completions')
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-gateway-test-key')
  })

  it('decodes a non-stream answer into the same events', async () => {
    const { events, error } = await drain(gateway.streamChat({ model: 'deepseek-r1', messages, stream: false }))
    expect(error).toBeNull()
    const outcome = summarize(events)
    expect(outcome.content).not.toBe('')
    expect(outcome.reasoning).not.toBe('')
    expect(outcome.finish).toBe('stop')
  })

  it('decodes a JSON answer to a stream request', async () => {
    const body = json({ model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'whole answer' }, finish_reason: 'stop' }] })
    fake.inject({ kind: 'raw', contentType: 'application/json', chunks: [{ text: body }] }, { path: '/chat/completions' })
    const { events, error } = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages, stream: true }))
    expect(error).toBeNull()
    expect(summarize(events)).toMatchObject({ content: 'whole answer', finish: 'stop', model: 'm' })
  })

  it('decodes SSE sent to a non-stream request', async () => {
    const chunks = ['data: {"choices":[{"delta":{"content":"stre"}}]}\n\n', 'data: {"choices":[{"delta":{"content":"amed"},"finish_reason":"stop"}]}\n\n']
    fake.inject({ kind: 'raw', chunks: chunks.map((text) => ({ text })) }, { path: '/chat/completions' })
    const { events, error } = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages, stream: false }))
    expect(error).toBeNull()
    expect(summarize(events)).toMatchObject({ content: 'streamed', finish: 'stop' })
  })

  it('an error inside the stream is a stream_error after the text so far', async () => {
    fake.inject({ kind: 'stream-error', message: 'Upstream provider failed', code: 'provider_error' }, { path: '/chat/completions' })
    const { events, error } = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages }))
    expect(summarize(events).content).toBe('The answer starts here')
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({ code: 'stream_error', message: 'Upstream provider failed (code provider_error)' })
    fake.inject({ kind: 'stream-error', done: false }, { path: '/chat/completions' })
    const second = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages }))
    expect(second.error).toMatchObject({ code: 'stream_error', message: 'Provider returned error (code 502)' })
  })

  it.each([true, false])('an empty answer with zero usage is a bad response (stream: %s)', async (stream) => {
    fake.inject({ kind: 'empty-answer' }, { path: '/chat/completions' })
    const { error } = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages, stream }))
    expect(error).toMatchObject({ code: 'bad_response', message: 'The server returned an empty answer.' })
  })

  const signInPage =
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Grand Hotel Wi-Fi &amp; Guest Sign-in</title></head>' +
    '<body><form action="/login"><input name="room"></form></body></html>'

  it.each([
    ['text/html', true],
    ['text/html', false],
    ['', true],
    ['text/plain', false]
  ])('a web page (content type "%s", stream: %s) is named as such, with its title', async (contentType, stream) => {
    fake.inject({ kind: 'raw', contentType, chunks: [{ text: signInPage }] }, { path: '/chat/completions' })
    const { error } = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages, stream }))
    expect(error).toMatchObject({ code: 'bad_response' })
    expect((error as AppError).message).toMatch(/^A web page came back instead of an answer: “Grand Hotel Wi-Fi & Guest Sign-in”\./)
  })

  it('a web page where the model list was expected is named as such', async () => {
    fake.inject({ kind: 'raw', contentType: 'text/html; charset=utf-8', chunks: [{ text: signInPage }] }, { path: '/models' })
    const error = await gateway.listModels().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'bad_response', message: expect.stringMatching(/^A web page came back instead of an answer: “Grand Hotel Wi-Fi & Guest Sign-in”\./) })
  })

  it('malformed JSON is a bad response', async () => {
    fake.inject({ kind: 'malformed-json' }, { path: '/chat/completions' })
    const { error } = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages, stream: false }))
    expect(error).toMatchObject({ code: 'bad_response' })
  })

  it('an unknown model is not found, and a 503 is not retried', async () => {
    await expect(drain(gateway.streamChat({ model: 'no-such-model', messages })).then((r) => r.error)).resolves.toMatchObject({
      code: 'not_found',
      status: 404
    })
    fake.inject({ kind: 'http-error', status: 503, shape: 'openai' }, { path: '/chat/completions', times: 1 })
    const { error } = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages }))
    expect(error).toMatchObject({ code: 'unavailable', message: 'All providers failed' })
    expect(fake.requests).toHaveLength(2)
  })

  it('stops when aborted before or during the stream', async () => {
    const before = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages }, AbortSignal.abort()))
    expect(before.error).toMatchObject({ code: 'aborted' })
    expect(fake.requests).toHaveLength(0)

    const controller = new AbortController()
    const seen: string[] = []
    const during = await drain(
      (async function* () {
        for await (const event of gateway.streamChat({ model: 'gpt-4o-mini', messages }, controller.signal)) {
          if (event.type === 'delta') {
            seen.push(event.content)
            controller.abort()
          }
          yield event
        }
      })()
    )
    expect(during.error).toMatchObject({ code: 'aborted' })
    expect(seen).toHaveLength(1)
  })

  it('a stalled stream times out', async () => {
    config.timeouts = { ...config.timeouts, idleMs: 200 }
    fake.inject({ kind: 'stall', afterChunks: 2, ms: 2000 }, { path: '/chat/completions' })
    const { events, error } = await drain(gateway.streamChat({ model: 'gpt-4o-mini', messages }))
    expect(events.length).toBeGreaterThan(0)
    expect(error).toMatchObject({ code: 'timeout' })
  })
})

describe('model catalog', () => {
  it('holds the documented lists', () => {
    expect(CHAT_MODELS).toHaveLength(25)
    expect(CHAT_MODELS).toContain('llama-3.1-70b-turbo')
    expect(IMAGE_MODELS).toContain('flux-realism')
    expect(VISION_MODELS).toEqual(['gpt-4o', 'gpt-4o-mini', 'gemini-pro-vision'])
    expect(SONG_MODELS).toContain('chirp-v3-5')
    expect(VOICES).toEqual(['alex', 'sophia'])
  })

  it('uses the server list when it answers', async () => {
    const list = await listModelsWithFallback(gateway)
    expect(list.source).toBe('server')
    expect(list.error).toBeNull()
  })

  it('falls back to the documented list with the reason', async () => {
    fake.inject({ kind: 'http-error', status: 500, shape: 'text', message: 'boom' }, { path: '/models' })
    const list = await listModelsWithFallback(gateway)
    expect(list).toMatchObject({ source: 'fallback', error: { code: 'server_error', message: 'boom', status: 500 } })
    const ids = list.models.map((m) => m.id)
    expect([...ids].sort()).toEqual([...CHAT_MODELS].sort())
    expect(ids.indexOf('Nous-Hermes-2-Mixtral-8x7B-DPO')).toBeGreaterThan(ids.indexOf('llama-3.1-8b-chat'))

    fake.inject({ kind: 'raw', contentType: 'application/json', chunks: [{ text: '{"data":[]}' }] }, { path: '/models' })
    expect(await listModelsWithFallback(gateway)).toMatchObject({ source: 'fallback', error: { code: 'bad_response' } })
  })

  it('does not fall back when the person stopped it', async () => {
    await expect(listModelsWithFallback(gateway, AbortSignal.abort())).rejects.toMatchObject({ code: 'aborted' })
  })
})
