import { spawn } from 'node:child_process'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { PNG } from 'pngjs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AD_FOOTER, RATELIMIT_NOTICE } from './faults.ts'
import { startFakeApi } from './server.ts'
import type { FakeApi } from './server.ts'

let api: FakeApi

beforeAll(async () => {
  api = await startFakeApi({ port: 0, songMs: 300 })
})
afterAll(async () => {
  await api.close()
})
afterEach(() => {
  api.clearFaults()
})

const json = { 'content-type': 'application/json' }
const noDelay = { ...json, 'x-fake-delay-ms': '0' }

function chat(body: Record<string, unknown>, headers: Record<string, string> = noDelay, prefix = '/v1'): Promise<Response> {
  return fetch(`${api.url}${prefix}/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body) })
}

const hello = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] }

/** The `data:` payloads of an event stream, in order. */
function events(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => block.replace(/^data: /, ''))
}

interface Chunk {
  choices: { delta: { role?: string; content?: string; reasoning_content?: string }; finish_reason: string | null }[]
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
}

function streamed(text: string): { content: string; reasoning: string; chunks: Chunk[] } {
  const chunks = events(text)
    .filter((e) => e !== '[DONE]')
    .map((e) => JSON.parse(e) as Chunk)
  const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')
  const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('')
  return { content, reasoning, chunks }
}

/** A raw GET/POST with node:http, to see exactly which bytes arrived before a drop. */
function rawRequest(
  path: string,
  opts: { method?: string; body?: string } = {}
): Promise<{ status?: number; headers?: Record<string, unknown>; body: Buffer; complete: boolean; error?: string; firstByteMs: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let status: number | undefined
    let headers: Record<string, unknown> | undefined
    let firstByteMs = -1
    let settled = false
    const finish = (complete: boolean, error?: string): void => {
      if (settled) return
      settled = true
      resolve({ status, headers, body: Buffer.concat(chunks), complete, error, firstByteMs })
    }
    const req = request(`${api.url}${path}`, { method: opts.method ?? 'GET', headers: json }, (res) => {
      firstByteMs = Date.now() - started
      status = res.statusCode
      headers = res.headers
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => finish(res.complete))
      res.on('error', (e) => finish(false, e.message))
      res.on('close', () => finish(res.complete, res.complete ? undefined : 'closed'))
    })
    req.on('error', (e) => finish(false, e.message))
    req.end(opts.body)
  })
}

function mp3FrameStart(buf: Buffer): number {
  if (buf.subarray(0, 3).toString('latin1') !== 'ID3') return 0
  const size = ((buf[6] ?? 0) << 21) | ((buf[7] ?? 0) << 14) | ((buf[8] ?? 0) << 7) | (buf[9] ?? 0)
  return 10 + size
}

function expectMp3(buf: Buffer): void {
  expect(buf.subarray(0, 3).toString('latin1')).toBe('ID3')
  const start = mp3FrameStart(buf)
  expect(buf[start]).toBe(0xff)
  expect((buf[start + 1] ?? 0) & 0xe0).toBe(0xe0)
  expect(buf.length).toBeGreaterThan(start + 1000)
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

describe('models', () => {
  it('lists the seed models with and without /v1', async () => {
    for (const prefix of ['', '/v1']) {
      const res = await fetch(`${api.url}${prefix}/models`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      const body = (await res.json()) as { object: string; data: { id: string; object: string; created: number; owned_by: string }[] }
      expect(body.object).toBe('list')
      const ids = body.data.map((m) => m.id)
      expect(ids).toEqual(expect.arrayContaining(['gpt-4o', 'llama-3.1-70b-chat', 'Nous-Hermes-2-Mixtral-8x7B-DPO', 'flux', 'any-dark']))
      expect(body.data[0]).toMatchObject({ object: 'model', created: expect.any(Number), owned_by: expect.any(String) })
    }
  })
})

describe('chat completions', () => {
  it('answers in the documented format, quoting the prompt', async () => {
    const res = await chat({ model: 'gpt-4o', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'Show me code and math' }] }, noDelay, '')
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      object: string
      model: string
      choices: { message: { role: string; content: string }; finish_reason: string; logprobs: null }[]
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
    }
    expect(body).toMatchObject({ object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, logprobs: null, finish_reason: 'stop' }] })
    const content = body.choices[0]?.message.content ?? ''
    expect(content).toContain('Show me code and math')
    expect(content).toContain('```ts')
    expect(content).toContain('$x^2$')
    expect(body.usage.prompt_tokens).toBe(7)
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens)
  })

  it('gives exactly N words for words:N and cuts at max_tokens', async () => {
    const long = (await (await chat({ ...hello, messages: [{ role: 'user', content: 'essay words:2000' }] })).json()) as {
      choices: { message: { content: string } }[]
      usage: { completion_tokens: number }
    }
    expect(long.usage.completion_tokens).toBe(2000)
    expect(long.choices[0]?.message.content.split(/\s+/).filter(Boolean)).toHaveLength(2000)
    const cut = (await (await chat({ ...hello, max_tokens: 5 })).json()) as {
      choices: { message: { content: string }; finish_reason: string }[]
      usage: { completion_tokens: number }
    }
    expect(cut.choices[0]?.finish_reason).toBe('length')
    expect(cut.usage.completion_tokens).toBe(5)
  })

  it('streams OpenAI chunks: role first, small deltas, finish, usage, [DONE]', async () => {
    const plain = (await (await chat(hello)).json()) as { choices: { message: { content: string } }[] }
    const res = await chat({ ...hello, stream: true })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const text = await res.text()
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    const { content, chunks } = streamed(text)
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' })
    expect(content).toBe(plain.choices[0]?.message.content)
    const deltas = chunks.filter((c) => c.choices[0]?.delta.content)
    expect(deltas.length).toBeGreaterThan(10)
    expect(Math.max(...deltas.map((c) => Array.from(c.choices[0]?.delta.content ?? '').length))).toBeLessThanOrEqual(8)
    const finish = chunks.find((c) => c.choices[0]?.finish_reason)
    expect(finish?.choices[0]?.finish_reason).toBe('stop')
    const usage = chunks[chunks.length - 1]
    expect(usage?.choices).toEqual([])
    expect(usage?.usage?.completion_tokens).toBeGreaterThan(0)
  })

  it('streams reasoning_content first for reasoning models', async () => {
    const { content, reasoning, chunks } = streamed(await (await chat({ ...hello, model: 'deepseek-r1', stream: true })).text())
    expect(reasoning.length).toBeGreaterThan(20)
    expect(content).toContain('Hello there')
    const firstContent = chunks.findIndex((c) => c.choices[0]?.delta.content)
    const lastReasoning = chunks.map((c) => Boolean(c.choices[0]?.delta.reasoning_content)).lastIndexOf(true)
    expect(lastReasoning).toBeLessThan(firstContent)
  })

  it('counts image parts (vision in chat)', async () => {
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }
    const res = await chat({ ...hello, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image, image] }] })
    const body = (await res.json()) as { choices: { message: { content: string } }[] }
    expect(body.choices[0]?.message.content).toContain('I can see 2 images')
  })

  it('rejects unknown models, bad JSON and empty messages in OpenAI shape', async () => {
    const unknown = await chat({ ...hello, model: 'nope-1' })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'model_not_found', param: null } })
    const bad = await fetch(`${api.url}/v1/chat/completions`, { method: 'POST', headers: json, body: '{"model":' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { message: expect.stringContaining('JSON') } })
    const empty = await chat({ ...hello, messages: [] })
    expect(empty.status).toBe(400)
    expect(await empty.json()).toMatchObject({ error: { param: 'messages' } })
  })
})

describe('imagine', () => {
  const ratios: [string, number][] = [
    ['1:1', 1],
    ['16:9', 16 / 9],
    ['9:16', 9 / 16],
    ['21:9', 21 / 9],
    ['9:21', 9 / 21],
    ['1:2', 1 / 2],
    ['2:1', 2]
  ]
  it('returns a real PNG with the requested aspect ratio', async () => {
    for (const [size, ratio] of ratios) {
      const res = await fetch(`${api.url}/v1/imagine?prompt=A+beautiful+landscape&size=${size}&seed=123456&model=flux-realism`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('image/png')
      const buf = Buffer.from(await res.arrayBuffer())
      expect(buf.subarray(0, 8)).toEqual(PNG_SIG)
      const png = PNG.sync.read(buf)
      expect(Math.max(png.width, png.height)).toBe(256)
      expect(Math.abs(png.width / png.height - ratio)).toBeLessThan(0.03)
    }
  })

  it('is deterministic in prompt, seed and model; imagine2 is the same service', async () => {
    const get = async (path: string): Promise<Buffer> => Buffer.from(await (await fetch(`${api.url}${path}`)).arrayBuffer())
    const a = await get('/imagine?prompt=cat&seed=1')
    expect(await get('/v1/imagine?prompt=cat&seed=1&size=1:1&model=flux')).toEqual(a)
    expect(await get('/imagine2?prompt=cat&seed=1')).toEqual(a)
    expect(await get('/imagine?prompt=cat&seed=2')).not.toEqual(a)
    expect(await get('/imagine?prompt=dog&seed=1')).not.toEqual(a)
    expect(await get('/imagine?prompt=cat&seed=1&model=flux-pixel')).not.toEqual(a)
  })

  it('validates its parameters', async () => {
    for (const q of ['size=1:1', 'prompt=x&size=4:3', 'prompt=x&model=dall-e', 'prompt=x&seed=abc']) {
      const res = await fetch(`${api.url}/imagine?${q}`)
      expect(res.status, q).toBe(400)
      expect(await res.json()).toMatchObject({ error: expect.any(String) })
    }
  })

  it('takes imageMs to generate, as the real service takes seconds', async () => {
    const slow = await startFakeApi({ port: 0, imageMs: 300 })
    try {
      const started = performance.now()
      const res = await fetch(`${slow.url}/v1/imagine?prompt=cat&seed=1`)
      expect(res.status).toBe(200)
      await res.arrayBuffer()
      expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    } finally {
      await slow.close()
    }
  })
})

describe('vision, ask, speech, check', () => {
  it('describes an image as plain text', async () => {
    const res = await fetch(`${api.url}/v1/images/vision?url=${encodeURIComponent('https://example.com/image.png')}&model=gpt-4o`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await res.text()
    expect(text).toContain('gpt-4o')
    expect(text).toContain('https://example.com/image.png')
    expect(await (await fetch(`${api.url}/images/vision?url=https://e.x/a.png`)).text()).toContain('gemini-pro-vision')
    expect((await fetch(`${api.url}/images/vision?url=https://e.x/a.png&model=gpt-4-turbo`)).status).toBe(400)
    expect((await fetch(`${api.url}/images/vision`)).status).toBe(400)
  })

  it('streams GlobalAsk events with message and url', async () => {
    const res = await fetch(`${api.url}/v1/ask?prompt=What+is+ChatGPT`, { headers: { 'x-fake-delay-ms': '1' } })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const list = events(await res.text()).map((e) => JSON.parse(e) as { message: string; url: string })
    expect(list.length).toBeGreaterThan(3)
    for (const e of list) {
      expect(typeof e.message).toBe('string')
      expect(e.url).toMatch(/^https:\/\/example\.(org|com|net)\//)
    }
    expect(list.map((e) => e.message).join('')).toContain('What is ChatGPT')
    expect((await fetch(`${api.url}/ask`)).status).toBe(400)
  })

  it('speaks real MP3 whose length follows the text, per voice', async () => {
    const get = async (q: string): Promise<Response> => fetch(`${api.url}/get-audio?${q}`)
    const res = await get('text=Hello+world&voice=alex')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('audio/mpeg')
    const short = Buffer.from(await res.arrayBuffer())
    expectMp3(short)
    const sophia = Buffer.from(await (await get('text=Hello+world&voice=sophia')).arrayBuffer())
    expect(sophia).not.toEqual(short)
    const long = Buffer.from(await (await get(`text=${encodeURIComponent('Hello world '.repeat(10))}&voice=alex`)).arrayBuffer())
    expect(long.length).toBeGreaterThan(short.length * 2)
    expect((await get('text=hi&voice=bob')).status).toBe(400)
    // The per-request limit, answered in the gateway's words.
    expect((await get(`text=${'a'.repeat(1000)}&voice=alex`)).status).toBe(200)
    const over = await get(`text=${'a'.repeat(1001)}&voice=alex`)
    expect(over.status).toBe(400)
    expect(await over.json()).toEqual({ error: 'One message exceeds the 1000chars per message limit' })
    expect((await get('voice=alex')).status).toBe(400)
  })

  it('checks keys', async () => {
    await fetch(`${api.url}/models`, { headers: { authorization: 'Bearer sk-check-5678' } })
    const res = await fetch(`${api.url}/check?key=sk-check-5678`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ info: 'Premium key', key: '…5678', requests_today: 1, limit: 'unlimited' })
    const bad = await fetch(`${api.url}/check?key=bad-key`)
    expect(bad.status).toBe(401)
    expect(await bad.json()).toEqual({ error: 'Invalid key' })
  })
})

describe('suno', () => {
  const post = (body: unknown): Promise<Response> =>
    fetch(`${api.url}/v1/suno`, { method: 'POST', headers: json, body: JSON.stringify(body) })

  it('creates two clips that finish after songMs with downloadable files', async () => {
    const res = await post({ model: 'chirp-v3-5', prompt: 'A catchy pop song with upbeat rhythm', instrumental: 'false', custom: 'false' })
    expect(res.status).toBe(200)
    const created = (await res.json()) as { status: string; clips: string[] }
    expect(created.status).toBe('success')
    expect(created.clips).toHaveLength(2)
    const id = created.clips[0] ?? ''
    const first = (await (await fetch(`${api.url}/suno/${id}`)).json()) as Record<string, unknown>
    expect(first.status).toBe('generating')
    expect(first.audio_url || null).toBeNull()
    await new Promise((r) => setTimeout(r, 350))
    const done = (await (await fetch(`${api.url}/v1/suno/${id}`)).json()) as Record<string, string>
    expect(done.status).toBe('finished')
    // Files come from the media host: another origin than the API.
    expect(done.audio_url).toBe(`${api.mediaUrl}/files/${id}.mp3`)
    expect(api.mediaUrl).not.toBe(api.url)
    expect((await fetch(`${api.url}/files/${id}.mp3`)).status).toBe(404)
    const mp3 = await fetch(done.audio_url ?? '')
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg')
    expectMp3(Buffer.from(await mp3.arrayBuffer()))
    const cover = await fetch(done.image_url ?? '')
    expect(cover.headers.get('content-type')).toBe('image/png')
    expect(PNG.sync.read(Buffer.from(await cover.arrayBuffer())).width).toBe(256)
    const video = Buffer.from(await (await fetch(done.video_url ?? '')).arrayBuffer())
    expect(video.subarray(4, 8).toString('latin1')).toBe('ftyp')
    expect((await fetch(`${api.url}/suno/00000000-0000-0000-0000-000000000000`)).status).toBe(404)
  })

  it('streams a generating clip from the media host, answers Range requests, and fails or sticks on request', async () => {
    const paced = await startFakeApi({ port: 0, songMs: 400, songStreamMs: 100 })
    try {
      const create = async (prompt: string) =>
        ((await (await fetch(`${paced.url}/v1/suno`, { method: 'POST', headers: json, body: JSON.stringify({ prompt }) })).json()) as { clips: string[] }).clips[0] ?? ''
      const status = async (id: string) => (await (await fetch(`${paced.url}/v1/suno/${id}`)).json()) as Record<string, string | null>
      const id = await create('A slow ballad')
      const failing = await create('A song [fail]')
      const stuck = await create('A song [stuck]')
      expect((await status(id)).audio_url || null).toBeNull()
      await new Promise((r) => setTimeout(r, 150))
      const live = await status(id)
      expect(live).toMatchObject({ status: 'generating', audio_url: `${paced.mediaUrl}/stream/${id}.mp3` })
      const stream = await fetch(live.audio_url ?? '')
      expect(stream.headers.get('content-length')).toBeNull()
      expectMp3(Buffer.from(await stream.arrayBuffer()))
      expect(await status(failing)).toMatchObject({ status: 'error', error_message: expect.stringContaining('failed') })
      await new Promise((r) => setTimeout(r, 300))
      expect(await status(stuck)).toMatchObject({ status: 'generating', audio_url: '' })
      const done = await status(id)
      const whole = Buffer.from(await (await fetch(done.audio_url ?? '')).arrayBuffer())
      const rest = await fetch(done.audio_url ?? '', { headers: { range: 'bytes=1000-' } })
      expect(rest.status).toBe(206)
      expect(rest.headers.get('content-range')).toBe(`bytes 1000-${whole.length - 1}/${whole.length}`)
      expect(Buffer.from(await rest.arrayBuffer())).toEqual(whole.subarray(1000))
      expect(paced.requests.filter((r) => r.origin === 'media').map((r) => r.path)).toContain(`/files/${id}.mp3`)
    } finally {
      await paced.close()
    }
  })

  it('validates the documented limits', async () => {
    const cases: unknown[] = [
      {},
      { prompt: '' },
      { prompt: 'x'.repeat(201) },
      { prompt: 'x', model: 'chirp-v4' },
      { prompt: 'x', instrumental: 'maybe' },
      { prompt: 'x', style: 'y'.repeat(121) },
      { prompt: 'x', custom: 'true' },
      { prompt: 'x'.repeat(1251), custom: 'true', style: 'rock', model: 'chirp-v3-0' }
    ]
    for (const body of cases) {
      const res = await post(body)
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(5)
    }
    expect((await post({ prompt: 'x'.repeat(3000), custom: 'true', style: 'rock' })).status).toBe(200)
  })
})

describe('auth and recording', () => {
  it('accepts no key, rejects keys starting with bad, and records headers', async () => {
    expect((await fetch(`${api.url}/v1/models`)).status).toBe(200)
    const res = await chat(hello, { ...noDelay, authorization: 'Bearer bad-123' })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({
      error: { message: 'Invalid API key provided', type: 'invalid_request_error', param: null, code: 'invalid_api_key' }
    })
    await fetch(`${api.url}/v1/imagine?prompt=rec&seed=3`, { headers: { authorization: 'Bearer sk-rec' } })
    const seen = api.requests.find((r) => r.query.prompt === 'rec')
    expect(seen).toMatchObject({ method: 'GET', path: '/v1/imagine', headers: { authorization: 'Bearer sk-rec' } })
    const viaHttp = (await (await fetch(`${api.url}/__control/requests`)).json()) as { path: string; body: string }[]
    expect(viaHttp.some((r) => r.path === '/v1/chat/completions' && r.body.includes('Hello there'))).toBe(true)
  })

  it('accepts only validKeys when given', async () => {
    const strict = await startFakeApi({ validKeys: ['sk-good'] })
    try {
      const get = (auth?: string): Promise<Response> => fetch(`${strict.url}/models`, { headers: auth ? { authorization: auth } : {} })
      expect((await get('Bearer sk-good')).status).toBe(200)
      expect((await get('Bearer sk-other')).status).toBe(401)
      expect((await get()).status).toBe(401)
    } finally {
      await strict.close()
    }
  })
})

describe('faults', () => {
  it('http-error in every shape, with Retry-After', async () => {
    api.inject({ kind: 'http-error', status: 429, shape: 'openai', retryAfter: '56' }, { path: '/chat/completions' })
    const limited = await chat(hello)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('56')
    expect(await limited.json()).toMatchObject({
      error: { message: 'Rate limit exceeded (1 request(s) per minute). Try again in 56 seconds.', code: 'rate_limit_exceeded' }
    })

    api.inject({ kind: 'http-error', status: 402, shape: 'string' })
    expect(await (await fetch(`${api.url}/models`)).json()).toEqual({ error: 'Insufficient credits' })
    api.inject({ kind: 'http-error', status: 503, shape: 'error-and-message' })
    expect(await (await fetch(`${api.url}/models`)).json()).toEqual({ error: 'Service Unavailable', message: 'All providers failed' })
    api.inject({ kind: 'http-error', status: 401, shape: 'anthropic', message: 'nope' })
    expect(await (await fetch(`${api.url}/models`)).json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'nope' } })
    api.inject({ kind: 'http-error', status: 413, shape: 'text' })
    const text = await fetch(`${api.url}/models`)
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await text.text()).toContain('1000chars')
    api.inject({ kind: 'http-error', status: 502, shape: 'html' })
    const html = await fetch(`${api.url}/models`)
    expect(html.status).toBe(502)
    const page = await html.text()
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true)
    expect(page).toContain('<title>502 Bad Gateway</title>')
    expect((await fetch(`${api.url}/models`)).status).toBe(200)
  })

  it('matches paths with or without /v1, counts times, 0 means until cleared', async () => {
    api.inject({ kind: 'http-error', status: 500, shape: 'string' }, { path: '/v1/models', times: 2 })
    expect((await chat(hello)).status).toBe(200)
    expect((await fetch(`${api.url}/models`)).status).toBe(500)
    expect((await fetch(`${api.url}/v1/models`)).status).toBe(500)
    expect((await fetch(`${api.url}/models`)).status).toBe(200)
    api.inject({ kind: 'http-error', status: 503, shape: 'string' }, { times: 0 })
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${api.url}/models`)).status).toBe(503)
    api.clearFaults()
    expect((await fetch(`${api.url}/models`)).status).toBe(200)
  })

  it('can be injected and cleared over HTTP', async () => {
    const add = await fetch(`${api.url}/__control/faults`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ fault: { kind: 'http-error', status: 403, shape: 'openai' }, path: '/ask', times: 0 })
    })
    expect(add.status).toBe(204)
    expect((await fetch(`${api.url}/ask?prompt=x`)).status).toBe(403)
    expect((await fetch(`${api.url}/__control/faults`, { method: 'DELETE' })).status).toBe(204)
    expect((await fetch(`${api.url}/ask?prompt=x`, { headers: { 'x-fake-delay-ms': '0' } })).status).toBe(200)
    const bad = await fetch(`${api.url}/__control/faults`, { method: 'POST', headers: json, body: '{"fault":{"kind":"explode"}}' })
    expect(bad.status).toBe(400)
  })

  it('slow-first-byte delays the headers', async () => {
    api.inject({ kind: 'slow-first-byte', delayMs: 250 })
    const r = await rawRequest('/models')
    expect(r.status).toBe(200)
    expect(r.firstByteMs).toBeGreaterThanOrEqual(230)
  })

  it('stall pauses a stream mid-way and a plain body in its middle', async () => {
    api.inject({ kind: 'stall', afterChunks: 3, ms: 300 }, { path: '/chat/completions' })
    const started = Date.now()
    const res = await chat({ ...hello, stream: true })
    const reader = res.body!.getReader()
    let firstAt = 0
    let text = ''
    const decoder = new TextDecoder()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!firstAt) firstAt = Date.now()
      text += decoder.decode(value, { stream: true })
    }
    expect(firstAt - started).toBeLessThan(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)

    api.inject({ kind: 'stall', afterChunks: 1, ms: 250 }, { path: '/models' })
    const t0 = Date.now()
    const models = await fetch(`${api.url}/models`)
    expect(Date.now() - t0).toBeLessThan(200)
    expect(((await models.json()) as { object: string }).object).toBe('list')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240)
  })

  it('drop resets before headers or after N body bytes', async () => {
    api.inject({ kind: 'drop', afterBytes: 0 })
    await expect(fetch(`${api.url}/models`)).rejects.toThrow()
    api.inject({ kind: 'drop', afterBytes: 100 })
    const r = await rawRequest('/v1/chat/completions', { method: 'POST', body: JSON.stringify({ ...hello, stream: true }) })
    expect(r.status).toBe(200)
    expect(r.body.length).toBe(100)
    expect(r.complete).toBe(false)
    api.inject({ kind: 'drop', afterBytes: 50 })
    const res = await fetch(`${api.url}/models`)
    await expect(res.text()).rejects.toThrow()
  })

  it('end-early ends a stream cleanly after N chunks, without finish_reason or [DONE]', async () => {
    api.inject({ kind: 'end-early', afterChunks: 4 }, { path: '/chat/completions' })
    const r = await rawRequest('/v1/chat/completions', { method: 'POST', body: JSON.stringify({ ...hello, stream: true }) })
    expect(r.status).toBe(200)
    expect(r.complete).toBe(true)
    const text = r.body.toString('utf8')
    expect(events(text)).toHaveLength(4)
    expect(text).not.toContain('[DONE]')
    expect(streamed(text).chunks.every((c) => c.choices[0]?.finish_reason === null)).toBe(true)
    expect(streamed(text).content.length).toBeGreaterThan(0)

    // A whole body is not cut.
    api.inject({ kind: 'end-early', afterChunks: 0 }, { path: '/models' })
    expect(((await (await fetch(`${api.url}/models`)).json()) as { object: string }).object).toBe('list')
  })

  it('malformed-json sends truncated JSON with a JSON content type', async () => {
    api.inject({ kind: 'malformed-json' })
    const res = await fetch(`${api.url}/models`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.text()).toBe('{"object":"list","data":[')
  })

  it('stream-error puts an error event in a 200 stream, with or without [DONE]', async () => {
    api.inject({ kind: 'stream-error', message: 'Upstream died', code: 'upstream_error' })
    const list = events(await (await chat({ ...hello, stream: true })).text())
    expect(list).toHaveLength(4)
    expect(JSON.parse(list[0] ?? '')).toMatchObject({ choices: [{ delta: { content: 'The answer' } }] })
    expect(JSON.parse(list[2] ?? '')).toEqual({ error: { message: 'Upstream died', code: 'upstream_error' } })
    expect(list[3]).toBe('[DONE]')
    api.inject({ kind: 'stream-error', done: false })
    const noDone = events(await (await chat({ ...hello, stream: true })).text())
    expect(noDone).toHaveLength(3)
    expect(JSON.parse(noDone[2] ?? '')).toEqual({ error: { message: 'Provider returned error', code: 502 } })
  })

  it('ratelimit-notice answers 200 with the notice and zero usage', async () => {
    api.inject({ kind: 'ratelimit-notice', variant: 'current' })
    // a fault that only fits answers waits for one instead of being used by /models
    expect((await fetch(`${api.url}/models`)).status).toBe(200)
    const body = (await (await chat(hello)).json()) as { choices: { message: { content: string } }[]; usage: Record<string, number> }
    expect(body.choices[0]?.message.content).toBe(RATELIMIT_NOTICE.current)
    expect(body.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })
    api.inject({ kind: 'ratelimit-notice', variant: 'legacy' })
    const s = streamed(await (await chat({ ...hello, stream: true })).text())
    expect(s.content).toBe('Rate limit (5/minute) exceeded. Join our discord for more: https://discord.gg/airforce')
    expect(s.chunks[s.chunks.length - 1]?.usage?.total_tokens).toBe(0)
  })

  it('ad-footer appends the advertising footer (both variants, stream and not)', async () => {
    api.inject({ kind: 'ad-footer' })
    const body = (await (await chat(hello)).json()) as { choices: { message: { content: string } }[] }
    expect(body.choices[0]?.message.content.endsWith('\n\nNeed proxies cheaper than the market?\nhttps://op.wtf')).toBe(true)
    api.inject({ kind: 'ad-footer', variant: 'upgrade' })
    const s = streamed(await (await chat({ ...hello, stream: true })).text())
    expect(s.content).toContain('Upgrade your plan to remove this message at')
    expect(s.content.endsWith(AD_FOOTER.upgrade)).toBe(true)
    expect(s.content.startsWith('> Hello there')).toBe(true)
  })

  it('empty-answer gives empty content and zero usage', async () => {
    api.inject({ kind: 'empty-answer' }, { times: 2 })
    const body = (await (await chat(hello)).json()) as { choices: { message: { content: string } }[]; usage: Record<string, number> }
    expect(body.choices[0]?.message.content).toBe('')
    expect(body.usage.completion_tokens).toBe(0)
    const s = streamed(await (await chat({ ...hello, stream: true })).text())
    expect(s.content).toBe('')
  })

  it('wrong-content-type sends JSON where media was expected', async () => {
    api.inject({ kind: 'wrong-content-type' }, { times: 2 })
    const img = await fetch(`${api.url}/imagine?prompt=x`)
    expect(img.status).toBe(200)
    expect(img.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await img.json()).toMatchObject({ error: expect.any(String) })
    const audio = await fetch(`${api.url}/get-audio?text=x&voice=alex`)
    expect(await audio.json()).toEqual({ ok: true })
  })

  it('oversized sends N bytes, declared or chunked', async () => {
    api.inject({ kind: 'oversized', bytes: 300_000 })
    const declared = await fetch(`${api.url}/models`)
    expect(declared.headers.get('content-length')).toBe('300000')
    const text = await declared.text()
    expect(text.length).toBe(300_000)
    expect(() => JSON.parse(text) as unknown).not.toThrow()
    api.inject({ kind: 'oversized', bytes: 200_000, chunked: true }, { path: '/imagine' })
    const chunked = await fetch(`${api.url}/imagine?prompt=x`)
    expect(chunked.headers.get('content-length')).toBeNull()
    expect(chunked.headers.get('content-type')).toBe('image/png')
    expect((await chunked.arrayBuffer()).byteLength).toBe(200_000)
  })

  it('raw sends exactly the given bytes, status and type', async () => {
    const euro = Buffer.from('data: {"x":"€"}\r\r', 'utf8')
    const cut = euro.indexOf(0xe2) + 1 // inside the three bytes of "€"
    api.inject({
      kind: 'raw',
      contentType: 'text/event-stream',
      chunks: [
        { bytes: Buffer.from([0xef, 0xbb, 0xbf]).toString('base64') },
        { bytes: euro.subarray(0, cut).toString('base64') },
        { bytes: euro.subarray(cut).toString('base64'), delayMs: 20 },
        { text: 'data: [DONE]' }
      ]
    })
    const r = await rawRequest('/v1/chat/completions', { method: 'POST', body: JSON.stringify(hello) })
    expect(r.status).toBe(200)
    expect(r.headers?.['content-type']).toBe('text/event-stream')
    expect(r.body).toEqual(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), euro, Buffer.from('data: [DONE]')]))
    api.inject({ kind: 'raw', status: 500, contentType: 'text/plain', headers: { 'x-extra': '1' }, chunks: [{ text: 'boom' }] })
    const res = await fetch(`${api.url}/models`)
    expect(res.status).toBe(500)
    expect(res.headers.get('x-extra')).toBe('1')
    expect(await res.text()).toBe('boom')
  })
})

describe('cli', () => {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
  // type stripping needs Node 22.6+; the project's own Node 24 has it
  it.skipIf(major < 22 || (major === 22 && minor < 6))('starts on the given port and stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url))
    const child = spawn(process.execPath, ['--experimental-strip-types', '--no-warnings', cli, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          const m = /listening on (http:\/\/\S+)/.exec(out)
          if (m?.[1]) resolve(m[1])
        })
        child.once('exit', (code) => reject(new Error(`cli exited with ${code}`)))
      })
      expect((await fetch(`${url}/v1/models`)).status).toBe(200)
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
