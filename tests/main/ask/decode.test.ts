/**
 * The GlobalAsk decoder: any chunking of any body shape gives the same
 * fragments (a property test), error bodies become clear errors, and
 * `message` is read right whether the server sends pieces or the whole text
 * so far.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AskText, decodeAskBody, type AskFragment } from '../../../src/main/services/ask/decode'
import { Citations } from '../../../src/main/services/ask/citations'
import { AppError } from '../../../src/shared/errors'

const encoder = new TextEncoder()

async function* chunksOf(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part
}

async function decode(parts: Uint8Array[], contentType = 'text/event-stream'): Promise<AskFragment[]> {
  const out: AskFragment[] = []
  for await (const fragment of decodeAskBody(chunksOf(parts), contentType)) out.push(fragment)
  return out
}

async function decodeText(text: string, contentType?: string): Promise<AskFragment[]> {
  return decode([encoder.encode(text)], contentType)
}

async function failure(text: string, contentType?: string): Promise<AppError> {
  try {
    await decodeText(text, contentType)
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('decoding did not fail')
}

/** Cuts `bytes` at the given positions (any, even inside a UTF-8 sequence or between CR and LF). */
function cut(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const points = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b)
  const parts: Uint8Array[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    parts.push(bytes.subarray(start, point))
    start = point
  }
  return parts
}

const URLS = ['https://example.org/wiki/a', 'https://example.com/news/b', 'http://example.net/c?x=1&y=2']

const fragmentArb = fc.record({
  // Any text, emoji and line separators included; JSON.stringify escapes what must be.
  message: fc.string({ unit: 'grapheme', maxLength: 12 }),
  url: fc.constantFrom<string | null>(null, ...URLS)
})

type Shape = { format: 'sse' | 'lines'; newline: '\n' | '\r\n' | '\r'; comments: boolean; lastNewline: boolean; bom: boolean }

const shapeArb = fc.record<Shape>({
  format: fc.constantFrom('sse', 'lines'),
  newline: fc.constantFrom('\n', '\r\n', '\r'),
  comments: fc.boolean(),
  lastNewline: fc.boolean(),
  bom: fc.boolean()
})

/** A body as a server might write these fragments. */
function bodyOf(fragments: { message: string; url: string | null }[], shape: Shape): string {
  const nl = shape.format === 'lines' && shape.newline === '\r' ? '\n' : shape.newline
  const lines = fragments.map((f) => JSON.stringify({ message: f.message, url: f.url ?? '' }))
  let text: string
  if (shape.format === 'sse') {
    const events = lines.map((line, i) => `${shape.comments && i % 2 === 0 ? `: keep-alive${nl}` : ''}data: ${line}`)
    text = events.join(`${nl}${nl}`) + (shape.lastNewline ? `${nl}${nl}` : '')
  } else {
    text = lines.join(nl) + (shape.lastNewline ? nl : '')
  }
  return (shape.bom ? '\uFEFF' : '') + text
}

/** What the decoder must give: events with neither text nor a source are dropped. */
function expected(fragments: { message: string; url: string | null }[]): AskFragment[] {
  return fragments.filter((f) => f.message !== '' || f.url !== null).map((f) => ({ message: f.message, url: f.url === null ? null : new URL(f.url).toString() }))
}

describe('decodeAskBody', () => {
  it('gives the same fragments however the body is cut into reads (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fragmentArb, { minLength: 1, maxLength: 12 }), shapeArb, fc.array(fc.nat(), { maxLength: 30 }), async (fragments, shape, positions) => {
        const bytes = encoder.encode(bodyOf(fragments, shape))
        const whole = await decode([bytes])
        const pieces = await decode(cut(bytes, positions))
        const bytewise = await decode([...bytes].map((b) => Uint8Array.of(b)))
        expect(whole).toEqual(expected(fragments))
        expect(pieces).toEqual(whole)
        expect(bytewise).toEqual(whole)
      }),
      { numRuns: 150 }
    )
  })

  it('reads the documented shape: data lines of {message, url}, no [DONE], no last blank line', async () => {
    const body = 'data: {"message":"Hello","url":""}\n\ndata: {"message":" world","url":"https://example.org/"}'
    expect(await decodeText(body)).toEqual([
      { message: 'Hello', url: null },
      { message: ' world', url: 'https://example.org/' }
    ])
  })

  it('takes bare JSON lines although the content type says event-stream', async () => {
    expect(await decodeText('{"message":"A","url":""}\n{"message":"B","url":"https://example.com/x"}\n')).toEqual([
      { message: 'A', url: null },
      { message: 'B', url: 'https://example.com/x' }
    ])
  })

  it('keeps only http(s) sources: javascript:, file: and junk are no source', async () => {
    const body = ['javascript:alert(1)', 'file:///etc/passwd', 'not a url', 42].map((url) => `data: ${JSON.stringify({ message: 'x', url })}\n\n`).join('')
    expect((await decodeText(body)).map((f) => f.url)).toEqual([null, null, null, null])
  })

  it('skips pings and other named events, stops at [DONE] if a server sends one', async () => {
    const body = 'event: ping\ndata: alive\n\ndata: {"message":"A","url":""}\n\ndata: [DONE]\n\ndata: {"message":"after","url":""}\n\n'
    expect(await decodeText(body)).toEqual([{ message: 'A', url: null }])
  })

  describe('error bodies', () => {
    it('an error object inside the stream, after some text', async () => {
      const error = await failure('data: {"message":"Half","url":""}\n\ndata: {"error":{"message":"Upstream search failed","code":502}}\n\n')
      expect(error.code).toBe('stream_error')
      expect(error.message).toBe('Upstream search failed (code 502)')
    })

    it('an error as a named SSE event with plain text', async () => {
      const error = await failure('event: error\ndata: Search backend unavailable\n\n')
      expect(error.code).toBe('stream_error')
      expect(error.message).toContain('Search backend unavailable')
    })

    it('a pretty-printed JSON error body over several lines', async () => {
      const error = await failure('{\n  "error": "Invalid prompt",\n  "message": "Prompt is required"\n}\n', 'application/json')
      expect(error.code).toBe('stream_error')
      expect(error.message).toMatch(/Invalid prompt|Prompt is required/)
    })

    it('an HTML page in the server\'s place, by content type or by its first byte', async () => {
      const page = '<!doctype html><html><head><title>Sign in to Hotel Wi-Fi</title></head><body>...</body></html>'
      for (const contentType of ['text/html', 'text/event-stream', '']) {
        const error = await failure(page, contentType)
        expect(error.code).toBe('bad_response')
        expect(error.message).toContain('Sign in to Hotel Wi-Fi')
      }
    })

    it('malformed JSON in a data line, and an unfinished JSON line at the end', async () => {
      const sse = await failure('data: {"message":"A","url":""}\n\ndata: {"message": oops}\n\n')
      expect(sse.code).toBe('bad_response')
      expect(sse.message).toContain('malformed answer event')
      const lines = await failure('{"message":"A","url":""}\n{"message":"B",', 'application/json')
      expect(lines.code).toBe('bad_response')
    })

    it('an event larger than the limit is refused instead of buffered', async () => {
      const big = `data: {"message":"${'x'.repeat(5_000)}","url":""}\n\n`
      await expect(async () => {
        for await (const _ of decodeAskBody(chunksOf([encoder.encode(big)]), 'text/event-stream', { maxEventChars: 1_000 })) void _
      }).rejects.toMatchObject({ code: 'response_too_large' })
    })
  })
})

describe('AskText: message as pieces or as the whole text so far', () => {
  const run = (messages: string[]): { added: string[]; text: string; mode: string } => {
    const text = new AskText()
    const added = messages.map((m) => text.push(m))
    return { added, text: text.text, mode: text.mode }
  }

  it('pieces are appended as they come', () => {
    expect(run(['The sky ', 'is blue', ' today.'])).toEqual({ added: ['The sky ', 'is blue', ' today.'], text: 'The sky is blue today.', mode: 'delta' })
  })

  it('the whole text so far each time gives only what is new', () => {
    expect(run(['The sky', 'The sky is', 'The sky is blue.', 'The sky is blue.'])).toEqual({
      added: ['The sky', ' is', ' blue.', ''],
      text: 'The sky is blue.',
      mode: 'cumulative'
    })
  })

  it('empty messages (events that only carry a source) change nothing and decide nothing', () => {
    expect(run(['', 'A', '', 'AB'])).toEqual({ added: ['', 'A', '', 'B'], text: 'AB', mode: 'cumulative' })
  })

  it('once pieces, always pieces: a later piece that repeats the start is kept', () => {
    expect(run(['ha', ' ', 'ha ha'])).toEqual({ added: ['ha', ' ', 'ha ha'], text: 'ha ha ha', mode: 'delta' })
  })

  it('the same answer sent either way reads the same (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 20 }), (pieces) => {
        // A piece that happens to start with everything before it would read as cumulative: not what this checks.
        fc.pre(pieces.length < 2 || !(pieces[1] as string).startsWith(pieces[0] as string))
        const whole = pieces.join('')
        const prefixes = pieces.map((_, i) => pieces.slice(0, i + 1).join(''))
        expect(run(pieces).text).toBe(whole)
        expect(run(prefixes).text).toBe(whole)
      })
    )
  })
})

describe('Citations', () => {
  it('numbers sources in order of first use and closes each run with its number', () => {
    const citations = new Citations()
    const out = [
      citations.push('Paris is the capital ', 'https://example.org/paris'),
      citations.push('of France. ', null),
      citations.push('It has 2.1 million people. ', 'https://www.example.com/stats'),
      citations.push('It is on the Seine.', 'https://example.org/paris')
    ].join('')
    expect(out + citations.finish()).toBe('Paris is the capital of France. [1] It has 2.1 million people. [2] It is on the Seine. [1]')
    expect(citations.sources).toEqual([
      { n: 1, url: 'https://example.org/paris', title: 'example.org' },
      { n: 2, url: 'https://www.example.com/stats', title: 'example.com' }
    ])
    expect(citations.list()).toBe('\n\n**Sources**\n\n1. [example.org](<https://example.org/paris>)\n2. [example.com](<https://www.example.com/stats>)\n')
  })

  it('an answer without sources has no markers and no list', () => {
    const citations = new Citations()
    expect(citations.push('Just text.', null) + citations.finish()).toBe('Just text.')
    expect(citations.list()).toBe('')
  })

  it('never writes a marker that markdown would read as a link', () => {
    const citations = new Citations()
    const out = citations.push('See', 'https://example.org/') + citations.push('(this)', 'https://example.com/') + citations.finish()
    expect(out).toBe('See [1] (this) [2]')
  })
})

describe('Citations and code', () => {
  it('holds a marker back while the text is inside inline code or a code block', () => {
    const citations = new Citations()
    const out = [
      citations.push('Use `inline ', 'https://example.org/'),
      citations.push('code` here. ', 'https://example.com/'),
      citations.push('\n```js\nconst a = 1\n', 'https://example.net/'),
      citations.push('```\nDone.', 'https://example.org/')
    ].join('')
    // A marker due inside code comes at the next piece that starts outside it.
    expect(out + citations.finish()).toBe('Use `inline code` here. [1] [2] \n```js\nconst a = 1\n```\nDone. [3] [1]')
  })

  it('an answer that ends inside a code block gets its markers on a line after it', () => {
    const citations = new Citations()
    const out = citations.push('```\nx = 1', 'https://example.org/')
    expect(out + citations.finish()).toBe('```\nx = 1\n[1]')
  })
})
