/*
 * Stream cases of the design notes ("What real OpenAI-compatible streams look
 * like") and the tests covering them. Every case in sse-cases.ts runs three
 * ways: in memory as written, in memory one byte per read (so reads end
 * inside UTF-8 sequences and between CR and LF), and on the wire through the
 * fake server's `raw` fault (HttpClient.stream + decodeChatStream).
 *
 *   LF / CRLF / lone CR ............ "LF line endings", "CRLF line endings", "lone CR line endings"
 *   leading BOM .................... "leading BOM"
 *   data: without the space ........ "data: without the space"
 *   comments, keep-alives .......... "comments and keep-alives"
 *   read ends inside UTF-8 char .... "multi-byte UTF-8 split across reads" (+ every case one byte per read)
 *   read ends between CR and LF .... "CRLF line endings" one byte per read
 *   raw U+2028 in JSON strings ..... "raw U+2028 and U+2029 inside JSON strings"
 *   first chunk choices: [] ........ "first chunk with choices: [] (Azure prompt filter results)"
 *   role-only delta, content: null . "role-only first delta and content: null"
 *   choice without delta ........... "a choice with no delta"
 *   usage-only final chunk ......... "final usage-only chunk with choices: []"
 *   usage on finish chunk / x_groq . "usage on the finish chunk", "usage under x_groq"
 *   unknown fields everywhere ...... "extra unknown fields everywhere"
 *   reasoning_content / reasoning .. "reasoning in delta.reasoning_content", "reasoning in delta.reasoning (and both names at once)"
 *   finish_reason beyond stop ...... "finish_reason content_filter", "finish_reason error", "an upstream finish_reason name"
 *   missing finish_reason .......... "missing finish_reason"
 *   no [DONE] ...................... "stream that ends without [DONE]"
 *   last event without blank line .. "last event without its blank line"
 *   error object in a 200 stream ... "error object in a 200 stream, numeric code, [DONE] after",
 *                                    "error object in a 200 stream, string code, no [DONE]", "error as a named SSE event"
 *   malformed JSON in a data line .. "malformed JSON in a data line"
 *   JSON although stream asked,
 *   SSE although not asked ......... tests/main/gateway.test.ts "decodes a JSON answer to a stream request" /
 *                                    "decodes SSE sent to a non-stream request" (and decodeChatBody tests below)
 *   HTTP error body shapes ......... tests/main/http/errors.test.ts and client.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src/shared/errors'
import { HttpClient } from '../../../src/main/services/http/client'
import { decodeChatBody, decodeChatResponse, decodeChatStream } from '../../../src/main/services/http/sse'
import { startFakeApi } from '../../fake-api/server'
import { drain, streamCases, summarize, type StreamCase } from './sse-cases'

async function* reads(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part
}
const asWritten = (c: StreamCase): Uint8Array[] => c.chunks.map((text) => new TextEncoder().encode(text))
const bytewise = (c: StreamCase): Uint8Array[] => [...new TextEncoder().encode(c.chunks.join(''))].map((b) => Uint8Array.of(b))

async function check(c: StreamCase, body: AsyncIterable<Uint8Array>): Promise<void> {
  const { events, error } = await drain(decodeChatStream(body))
  if (c.error) {
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({ code: c.error.code })
    if (c.error.message) expect((error as AppError).message).toMatch(c.error.message)
    if (c.error.contentBefore !== undefined) expect(summarize(events).content).toBe(c.error.contentBefore)
  } else {
    expect(error).toBeNull()
    expect(summarize(events)).toMatchObject(c.expected ?? {})
  }
}

describe('decodeChatStream in memory', () => {
  describe.each(streamCases)('$name', (c) => {
    it('as written', async () => check(c, reads(asWritten(c))))
    it('one byte per read', async () => check(c, reads(bytewise(c))))
  })

  it('reports the model once, deltas in order, usage numbers as given', async () => {
    const body = ['data: {"model":"a","choices":[{"delta":{"content":"1"}}]}\n\n', 'data: {"model":"b","choices":[{"delta":{"content":"2"}}]}\n\n']
    const { events } = await drain(decodeChatStream(reads(body.map((t) => new TextEncoder().encode(t)))))
    expect(events).toEqual([
      { type: 'model', model: 'a' },
      { type: 'delta', content: '1', reasoning: '' },
      { type: 'delta', content: '2', reasoning: '' }
    ])
  })

  it('refuses one event larger than the cap', async () => {
    const huge = `data: {"choices":[{"delta":{"content":"${'x'.repeat(5000)}"}}]}\n\n`
    const whole = reads([new TextEncoder().encode(huge)])
    expect((await drain(decodeChatStream(whole, { maxEventChars: 1000 }))).error).toMatchObject({ code: 'response_too_large' })
    // Arriving in pieces, the partial line is refused before it is complete.
    const pieces = reads(huge.match(/[^]{1,100}/g)!.slice(0, 20).map((t) => new TextEncoder().encode(t)))
    expect((await drain(decodeChatStream(pieces, { maxEventChars: 1000 }))).error).toMatchObject({ code: 'response_too_large' })
  })

  it('stops reading the body at [DONE]', async () => {
    let closed = false
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        yield new TextEncoder().encode('data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: [DONE]\n\n')
        await new Promise(() => undefined) // never ends on its own
      } finally {
        closed = true
      }
    }
    const { events } = await drain(decodeChatStream(body()))
    expect(summarize(events).content).toBe('a')
    expect(closed).toBe(true)
  })

  it('redacts server text in error messages', async () => {
    const body = reads([new TextEncoder().encode('data: {"error":{"message":"bad key sk-abcdef"}}\n\n')])
    const { error } = await drain(decodeChatStream(body, { redact: (t) => t.replaceAll('sk-abcdef', '[redacted]') }))
    expect((error as AppError).message).toBe('bad key [redacted]')
  })
})

describe('decodeChatResponse', () => {
  it('turns a whole completion into the same events', () => {
    const events = decodeChatResponse({
      id: 'chatcmpl-123',
      object: 'chat.completion',
      model: 'claude-3-opus',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Response content', reasoning_content: 'why' }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 }
    })
    expect(events).toEqual([
      { type: 'model', model: 'claude-3-opus' },
      { type: 'delta', content: 'Response content', reasoning: 'why' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 9, completionTokens: 12, totalTokens: 21 } }
    ])
  })

  it('throws the server error a 200 answer carries', () => {
    expect(() => decodeChatResponse({ error: { message: 'nope', code: 'x' } })).toThrow(expect.objectContaining({ code: 'stream_error', message: 'nope (code x)' }))
    expect(() => decodeChatResponse('text')).toThrow(expect.objectContaining({ code: 'bad_response' }))
  })
})

describe('decodeChatBody', () => {
  const json = JSON.stringify({ model: 'm', choices: [{ message: { content: 'whole' }, finish_reason: 'stop' }] })
  const sse = 'data: {"choices":[{"delta":{"content":"streamed"}}]}\n\ndata: [DONE]\n\n'
  const body = (text: string): AsyncGenerator<Uint8Array> => reads([...new TextEncoder().encode(text)].map((b) => Uint8Array.of(b)))

  it.each([
    ['application/json', json, 'whole'],
    ['text/event-stream', sse, 'streamed'],
    ['text/plain', `\n  ${json}`, 'whole'],
    ['', sse, 'streamed'],
    ['application/octet-stream', '\uFEFF' + json, 'whole']
  ])('content type %j', async (type, text, content) => {
    const { events, error } = await drain(decodeChatBody(body(text), type))
    expect(error).toBeNull()
    // Both a whole JSON answer and a stream with [DONE] are marked as ended by the server.
    expect(summarize(events)).toMatchObject({ content, done: true })
  })

  it.each(['text/html; charset=utf-8', '', 'text/plain'])('a web page (content type %j) is a bad response naming its title', async (type) => {
    const page = '\n<!doctype html><html><head><title>Sign in &amp; connect: Airport Wi-Fi</title></head><body></body></html>'
    const { events, error } = await drain(decodeChatBody(body(page), type))
    expect(events).toEqual([])
    expect(error).toMatchObject({ code: 'bad_response', message: expect.stringContaining('A web page came back instead of an answer: “Sign in & connect: Airport Wi-Fi”') })
  })

  it('malformed JSON is a bad response', async () => {
    const { error } = await drain(decodeChatBody(body('{"choices":['), 'application/json'))
    expect(error).toMatchObject({ code: 'bad_response' })
  })
})

describe('decodeChatStream on the wire (fake server raw fault)', () => {
  let fake: Awaited<ReturnType<typeof startFakeApi>>
  let http: HttpClient

  beforeAll(async () => {
    fake = await startFakeApi({})
    http = new HttpClient(() => ({
      baseUrl: fake.url,
      apiKey: 'test-key',
      timeouts: { connectMs: 2000, headersMs: 2000, idleMs: 2000 },
      proxy: { mode: 'none', url: '' }
    }))
  })
  afterAll(async () => {
    await http.close()
    await fake.close()
  })

  it.each(streamCases)('$name', async (c) => {
    fake.inject({ kind: 'raw', chunks: c.chunks.map((text) => ({ text })) }, { path: '/v1/chat/completions' })
    const response = await http.stream({ method: 'POST', path: '/v1/chat/completions', json: { model: 'x', messages: [] } })
    expect(response.status).toBe(200)
    expect(response.contentType).toBe('text/event-stream')
    await check(c, response.body)
  })

  it('a read split inside a UTF-8 sequence and between CR and LF, on the wire', async () => {
    const bytes = Buffer.from('data: {"choices":[{"delta":{"content":"ü🌍"}}]}\r\n\r\ndata: [DONE]\r\n\r\n')
    const cut = bytes.indexOf(Buffer.from('🌍')) + 2
    const crlf = bytes.indexOf('\r\n') + 1
    const parts = [bytes.subarray(0, cut), bytes.subarray(cut, crlf), bytes.subarray(crlf)]
    fake.inject({ kind: 'raw', chunks: parts.map((p) => ({ bytes: p.toString('base64'), delayMs: 5 })) }, { path: '/v1/chat/completions' })
    const response = await http.stream({ method: 'POST', path: '/v1/chat/completions', json: {} })
    const { events, error } = await drain(decodeChatStream(response.body))
    expect(error).toBeNull()
    expect(summarize(events).content).toBe('ü🌍')
  })
})
