/**
 * Stream cases from the design notes ("What real OpenAI-compatible streams
 * look like"), as exact text, with what the decoder must make of them.
 * Shared by the in-memory decoder tests and the ones through the fake server.
 */
import type { ChatStreamEvent } from '../../../src/main/services/http/sse'

export interface Outcome {
  content: string
  reasoning: string
  finish: string | null
  usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null
  model: string | null
  /** The server marked the end ([DONE], or a whole JSON answer). */
  done: boolean
}

export interface StreamCase {
  name: string
  /** The body, exactly as sent; several strings are several writes. */
  chunks: string[]
  expected?: Partial<Outcome>
  /** An AppError code and message pattern the decoder must throw (after yielding what came before). */
  error?: { code: string; message?: RegExp; contentBefore?: string }
}

const chunk = (delta: Record<string, unknown> | null, finish: string | null = null, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm-1',
    choices: [{ index: 0, ...(delta === null ? {} : { delta }), finish_reason: finish }],
    ...extra
  })
const ev = (json: string): string => `data: ${json}\n\n`
const hello = [ev(chunk({ role: 'assistant', content: 'Hel' })), ev(chunk({ content: 'lo' })), ev(chunk({}, 'stop'))]
const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }
const appUsage = { promptTokens: 3, completionTokens: 2, totalTokens: 5 }

export const streamCases: StreamCase[] = [
  { name: 'LF line endings', chunks: [...hello, 'data: [DONE]\n\n'], expected: { content: 'Hello', finish: 'stop', model: 'm-1', done: true } },
  {
    name: 'CRLF line endings',
    chunks: [hello.join('').replace(/\n/g, '\r\n') + 'data: [DONE]\r\n\r\n'],
    expected: { content: 'Hello', finish: 'stop' }
  },
  {
    name: 'lone CR line endings',
    chunks: [hello.join('').replace(/\n/g, '\r') + 'data: [DONE]\r\r'],
    expected: { content: 'Hello', finish: 'stop' }
  },
  { name: 'leading BOM', chunks: ['\uFEFF' + hello.join(''), 'data: [DONE]\n\n'], expected: { content: 'Hello' } },
  {
    name: 'data: without the space',
    chunks: [hello.map((e) => e.replace('data: ', 'data:')).join(''), 'data:[DONE]\n\n'],
    expected: { content: 'Hello', finish: 'stop' }
  },
  {
    name: 'comments and keep-alives',
    chunks: [': OPENROUTER PROCESSING\n\n', hello[0] ?? '', ':\n\n: ping\n', hello[1] ?? '', hello[2] ?? '', 'data: [DONE]\n\n'],
    expected: { content: 'Hello' }
  },
  {
    name: 'multi-byte UTF-8 split across reads',
    chunks: [ev(chunk({ content: 'Grüße 🌍 — 日本' })), 'data: [DONE]\n\n'],
    expected: { content: 'Grüße 🌍 — 日本' }
  },
  {
    name: 'raw U+2028 and U+2029 inside JSON strings',
    chunks: [`data: {"choices":[{"index":0,"delta":{"content":"a\u2028b\u2029c"}}]}\n\n`, 'data: [DONE]\n\n'],
    expected: { content: 'a\u2028b\u2029c' }
  },
  {
    name: 'first chunk with choices: [] (Azure prompt filter results)',
    chunks: [
      ev(JSON.stringify({ id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] })),
      ...hello
    ],
    expected: { content: 'Hello', model: 'm-1' }
  },
  {
    name: 'role-only first delta and content: null',
    chunks: [ev(chunk({ role: 'assistant', content: null })), ev(chunk({ content: null })), ev(chunk({ content: 'x' }, 'stop'))],
    expected: { content: 'x', finish: 'stop' }
  },
  {
    name: 'a choice with no delta',
    chunks: [ev(chunk({ content: 'a' })), ev(chunk(null)), ev(chunk(null, 'stop'))],
    expected: { content: 'a', finish: 'stop' }
  },
  {
    name: 'final usage-only chunk with choices: []',
    chunks: [...hello, ev(JSON.stringify({ id: 'c', choices: [], usage })), 'data: [DONE]\n\n'],
    expected: { content: 'Hello', usage: appUsage }
  },
  {
    name: 'usage on the finish chunk',
    chunks: [ev(chunk({ content: 'hi' })), ev(chunk({}, 'stop', { usage }))],
    expected: { content: 'hi', finish: 'stop', usage: appUsage }
  },
  {
    name: 'usage under x_groq',
    chunks: [ev(chunk({ content: 'hi' })), ev(chunk({}, 'stop', { x_groq: { id: 'req_1', usage: { ...usage, queue_time: 0.01 } } }))],
    expected: { content: 'hi', usage: appUsage }
  },
  {
    name: 'extra unknown fields everywhere',
    chunks: [
      ev(
        JSON.stringify({
          id: 'x',
          provider: 'Foo',
          model: 'm-2',
          service_tier: 'default',
          choices: [{ index: 0, logprobs: null, native_finish_reason: null, delta: { content: 'ok', refusal: null, annotations: [] }, finish_reason: null }]
        })
      ),
      'id: 7\nevent: message\nretry: 1000\nfoo: bar\n' + ev(chunk({}, 'stop'))
    ],
    expected: { content: 'ok', model: 'm-2', finish: 'stop' }
  },
  {
    name: 'reasoning in delta.reasoning_content',
    chunks: [ev(chunk({ reasoning_content: 'think ' })), ev(chunk({ reasoning_content: 'more' })), ev(chunk({ content: 'answer' }, 'stop'))],
    expected: { content: 'answer', reasoning: 'think more' }
  },
  {
    name: 'reasoning in delta.reasoning (and both names at once)',
    chunks: [ev(chunk({ reasoning: 'r1 ' })), ev(chunk({ reasoning: 'r2', reasoning_content: 'r2' })), ev(chunk({ content: 'a' }))],
    expected: { content: 'a', reasoning: 'r1 r2' }
  },
  { name: 'finish_reason content_filter', chunks: [ev(chunk({ content: 'a' })), ev(chunk({}, 'content_filter'))], expected: { finish: 'content_filter' } },
  { name: 'finish_reason error', chunks: [ev(chunk({ content: 'a' })), ev(chunk({}, 'error'))], expected: { finish: 'error' } },
  { name: 'an upstream finish_reason name', chunks: [ev(chunk({ content: 'a' })), ev(chunk({}, 'end_turn'))], expected: { finish: 'end_turn' } },
  { name: 'missing finish_reason', chunks: [ev(chunk({ content: 'a' })), 'data: [DONE]\n\n'], expected: { content: 'a', finish: null, done: true } },
  { name: 'stream that ends without [DONE]', chunks: hello, expected: { content: 'Hello', finish: 'stop', done: false } },
  { name: 'stream cut short: no finish_reason, no [DONE]', chunks: hello.slice(0, 2), expected: { content: 'Hello', finish: null, done: false } },
  {
    name: 'last event without its blank line',
    chunks: [hello[0] ?? '', hello[1] ?? '', `data: ${chunk({ content: '!' }, 'stop')}`],
    expected: { content: 'Hello!', finish: 'stop' }
  },
  {
    name: 'error object in a 200 stream, numeric code, [DONE] after',
    chunks: [hello[0] ?? '', ev(JSON.stringify({ error: { message: 'Provider returned error', code: 502 } })), 'data: [DONE]\n\n'],
    error: { code: 'stream_error', message: /^Provider returned error \(code 502\)$/, contentBefore: 'Hel' }
  },
  {
    name: 'error object in a 200 stream, string code, no [DONE]',
    chunks: [hello[0] ?? '', ev(JSON.stringify({ error: { message: 'Upstream overloaded', code: 'overloaded', metadata: {} } }))],
    error: { code: 'stream_error', message: /^Upstream overloaded \(code overloaded\)$/, contentBefore: 'Hel' }
  },
  {
    name: 'error as a named SSE event',
    chunks: [hello[0] ?? '', 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'],
    error: { code: 'stream_error', message: /^Overloaded$/ }
  },
  {
    name: 'malformed JSON in a data line',
    chunks: [hello[0] ?? '', 'data: {"choices":[{"delta":\n\n'],
    error: { code: 'bad_response', message: /malformed stream event/, contentBefore: 'Hel' }
  },
  {
    name: 'anything after [DONE] is ignored',
    chunks: [...hello, 'data: [DONE]\n\n', 'data: {broken\n\n'],
    expected: { content: 'Hello' }
  }
]

export function summarize(events: ChatStreamEvent[]): Outcome {
  const outcome: Outcome = { content: '', reasoning: '', finish: null, usage: null, model: null, done: false }
  for (const event of events) {
    if (event.type === 'delta') {
      outcome.content += event.content
      outcome.reasoning += event.reasoning
    } else if (event.type === 'finish') outcome.finish = event.reason
    else if (event.type === 'usage') outcome.usage = event.usage
    else if (event.type === 'model') outcome.model = event.model
    else outcome.done = true
  }
  return outcome
}

/** Runs a decoder to its end; returns what it yielded and what it threw. */
export async function drain(events: AsyncIterable<ChatStreamEvent>): Promise<{ events: ChatStreamEvent[]; error: unknown }> {
  const seen: ChatStreamEvent[] = []
  try {
    for await (const event of events) seen.push(event)
    return { events: seen, error: null }
  } catch (error) {
    return { events: seen, error }
  }
}
