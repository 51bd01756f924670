/**
 * Decoding OpenAI-compatible chat completion answers, streamed (SSE) or
 * whole (JSON), into one small event vocabulary. Tolerant of what real
 * servers send (see the design notes): any line ending, BOM, comments,
 * `choices: []`, role-only or null deltas, usage in odd places, reasoning
 * fields, errors inside a 200 stream, no `[DONE]`, no final blank line.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import type { Usage } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { readLimited, readPrefix } from './body'
import { cleanMessage, describeErrorBody, webPageError } from './errors'
import { isRecord } from '../../../shared/is-record'

export type ChatStreamEvent =
  | { type: 'delta'; content: string; reasoning: string }
  | { type: 'finish'; reason: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'model'; model: string }
  /**
   * The server marked the end of the answer: `[DONE]` in a stream, or a whole
   * JSON answer read. A stream that stops without it (and without a finish
   * reason) was cut short, even when the connection closed cleanly.
   */
  | { type: 'done' }

export interface DecodeOptions {
  /** Largest single SSE event or line, in characters; protects memory. */
  maxEventChars?: number
  /** Largest whole JSON answer, in bytes. */
  maxJsonBytes?: number
  /** Removes secrets from messages built from server text. */
  redact?: (text: string) => string
}

export const MAX_EVENT_CHARS = 1024 * 1024
/** Said of an answer whose body ended without `[DONE]` or a finish reason: a proxy or upstream gave up. */
export const ENDED_EARLY_MESSAGE = 'The connection ended before the answer finished.'
export const MAX_JSON_BYTES = 2 * 1024 * 1024
/** How much of a web page is read for its title. */
export const PAGE_PREFIX_BYTES = 64 * 1024

const nonEmpty = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
const count = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)
const plain = (text: string): string => text

/** Tracks what was already reported across chunks of one answer. */
interface DecodeState {
  model: string | null
  finish: string | null
}

function usageOf(value: unknown): Usage | null {
  if (!isRecord(value)) return null
  const prompt = count(value.prompt_tokens) ?? count(value.input_tokens)
  const completion = count(value.completion_tokens) ?? count(value.output_tokens)
  const total = count(value.total_tokens)
  if (prompt === null && completion === null && total === null) return null
  return {
    promptTokens: prompt ?? 0,
    completionTokens: completion ?? 0,
    totalTokens: total ?? (prompt ?? 0) + (completion ?? 0)
  }
}

/** `content` as a string, or as an array of text parts (some servers). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (!Array.isArray(value)) return ''
  return value.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('')
}

/** The server reported a failure inside a 200 answer. */
export function streamError(error: unknown, redact: (text: string) => string = plain): AppError {
  const { message, code } = describeErrorBody({ error })
  const text = message ?? 'The server reported an error in the middle of the answer.'
  const withCode = code !== null ? `${text} (code ${code})` : text
  return new AppError('stream_error', cleanMessage(redact(withCode)))
}

/** Events of one parsed chunk (stream) or whole answer (JSON); both share this shape. */
function eventsOf(chunk: unknown, state: DecodeState, redact: (text: string) => string): ChatStreamEvent[] {
  if (!isRecord(chunk)) return []
  if (chunk.error !== undefined && chunk.error !== null) throw streamError(chunk.error, redact)

  const events: ChatStreamEvent[] = []
  const model = nonEmpty(chunk.model)
  if (model && state.model === null) {
    state.model = model
    events.push({ type: 'model', model })
  }
  const choices = Array.isArray(chunk.choices) ? chunk.choices : []
  for (const choice of choices) {
    // Only the first choice is shown; n > 1 is never asked for.
    if (!isRecord(choice) || (typeof choice.index === 'number' && choice.index !== 0)) continue
    const delta = isRecord(choice.delta) ? choice.delta : isRecord(choice.message) ? choice.message : {}
    const content = textOf(delta.content) || textOf(choice.text)
    // Some servers send both names with the same text: take one, never both.
    const reasoning = nonEmpty(delta.reasoning_content) ?? nonEmpty(delta.reasoning) ?? ''
    if (content !== '' || reasoning !== '') events.push({ type: 'delta', content, reasoning })
    const reason = nonEmpty(choice.finish_reason)
    if (reason && reason !== state.finish) {
      state.finish = reason
      events.push({ type: 'finish', reason })
    }
  }
  const usage = usageOf(chunk.usage) ?? (isRecord(chunk.x_groq) ? usageOf(chunk.x_groq.usage) : null)
  if (usage) events.push({ type: 'usage', usage })
  return events
}

/** A whole (non-streamed) chat completion as the same events a stream gives. */
export function decodeChatResponse(json: unknown, options: Pick<DecodeOptions, 'redact'> = {}): ChatStreamEvent[] {
  if (!isRecord(json)) throw new AppError('bad_response', 'The server\'s answer is not a chat completion.')
  return eventsOf(json, { model: null, finish: null }, options.redact ?? plain)
}

function parseData(message: EventSourceMessage, redact: (text: string) => string): unknown {
  try {
    return JSON.parse(message.data) as unknown
  } catch (error) {
    throw new AppError('bad_response', cleanMessage(redact(`The server sent a malformed stream event: ${message.data.slice(0, 120)}`)), {
      cause: error
    })
  }
}

/**
 * Server-sent events from raw bytes as they arrive, for any SSE endpoint.
 * An event or partial line longer than `maxEventChars` is refused, so a
 * server cannot make us buffer without bound. A last event without its
 * blank line is still delivered when the body ends.
 */
export async function* readSseEvents(
  body: AsyncIterable<Uint8Array>,
  options: Pick<DecodeOptions, 'maxEventChars'> = {}
): AsyncGenerator<EventSourceMessage, void, undefined> {
  const maxEventChars = options.maxEventChars ?? MAX_EVENT_CHARS
  const ready: EventSourceMessage[] = []
  let overflow = false
  const parser = createParser({
    onEvent: (message) => {
      // The parser caps what it buffers; this caps an event that arrived whole.
      if (message.data.length > maxEventChars) overflow = true
      else ready.push(message)
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') overflow = true
    },
    maxBufferSize: maxEventChars
  })
  const take = function* (): Generator<EventSourceMessage, void, undefined> {
    if (overflow) throw new AppError('response_too_large', `One stream event is larger than ${Math.round(maxEventChars / 1024)} KB.`)
    while (ready.length > 0) yield ready.shift() as EventSourceMessage
  }
  // `stream: true` keeps a UTF-8 sequence split across reads for the next one.
  const decoder = new TextDecoder('utf-8')
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }))
    yield* take() // a consumer that stops here ends the loop, which closes the body
  }
  parser.feed(`${decoder.decode()}\n\n`)
  yield* take()
}

/** Decodes an SSE chat completion stream from raw bytes as they arrive. */
export async function* decodeChatStream(
  body: AsyncIterable<Uint8Array>,
  options: DecodeOptions = {}
): AsyncGenerator<ChatStreamEvent, void, undefined> {
  const redact = options.redact ?? plain
  const state: DecodeState = { model: null, finish: null }
  for await (const message of readSseEvents(body, options)) {
    const data = message.data.trim()
    if (data === '[DONE]') {
      yield { type: 'done' }
      return // anything after it is not read
    }
    if (data === '') continue
    if (message.event === 'error') {
      let parsed: unknown = data
      try {
        parsed = JSON.parse(data)
      } catch {
        // A plain-text error event: its text is the message.
      }
      throw streamError(isRecord(parsed) && parsed.error !== undefined ? parsed.error : parsed, redact)
    }
    // Unknown named events (pings and the like) may carry non-JSON data.
    const named = message.event !== undefined && message.event !== 'message'
    if (named && !/^[[{]/.test(data)) continue
    yield* eventsOf(parseData(message, redact), state, redact)
  }
}

export type BodyKind = 'json' | 'sse' | 'html'

/**
 * A chat answer whatever it turned out to be: SSE although JSON was asked,
 * JSON although a stream was asked, or a web page (a Wi-Fi sign-in page
 * answering in the server's place). Decided by the content type, and by the
 * first byte when the content type says none of these.
 */
export async function* decodeChatBody(
  body: AsyncIterable<Uint8Array>,
  contentType: string,
  options: DecodeOptions = {}
): AsyncGenerator<ChatStreamEvent, void, undefined> {
  let source = body
  let kind: BodyKind | null = /json/i.test(contentType) ? 'json' : /event-stream/i.test(contentType) ? 'sse' : /html/i.test(contentType) ? 'html' : null
  if (kind === null) {
    const sniffed = await sniff(body)
    source = sniffed.body
    kind = sniffed.kind
  }
  if (kind === 'html') {
    const page = (await readPrefix(source, PAGE_PREFIX_BYTES)).toString('utf8')
    throw webPageError((options.redact ?? plain)(page))
  }
  if (kind === 'sse') {
    yield* decodeChatStream(source, options)
    return
  }
  const text = (await readLimited(source, options.maxJsonBytes ?? MAX_JSON_BYTES)).toString('utf8').replace(/^\uFEFF/, '')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    const redact = options.redact ?? plain
    throw new AppError('bad_response', cleanMessage(redact(`The server's answer is not valid JSON: ${text.slice(0, 120)}`)), {
      cause: error
    })
  }
  yield* decodeChatResponse(parsed, options)
  // The body parsed as one JSON value, so nothing of it is missing.
  yield { type: 'done' }
}

/** Reads until the first non-blank byte to tell JSON, SSE and markup apart, then replays what was read. */
export async function sniff(body: AsyncIterable<Uint8Array>): Promise<{ kind: BodyKind; body: AsyncIterable<Uint8Array> }> {
  const iterator = body[Symbol.asyncIterator]()
  const seen: Uint8Array[] = []
  let kind: BodyKind = 'sse'
  for (;;) {
    const next = await iterator.next()
    if (next.done) break
    seen.push(next.value)
    const bytes = Buffer.concat(seen)
    let i = 0
    if (bytes[0] === 0xef) {
      if (bytes.length < 3) continue // maybe a BOM still arriving
      if (bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3
    }
    while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++
    if (i < bytes.length) {
      // '{' or '[' is JSON, '<' a page; anything else is read as SSE.
      kind = bytes[i] === 0x7b || bytes[i] === 0x5b ? 'json' : bytes[i] === 0x3c ? 'html' : 'sse'
      break
    }
  }
  async function* replay(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      yield* seen
      for (;;) {
        const next = await iterator.next()
        if (next.done) return
        yield next.value
      }
    } finally {
      await iterator.return?.()
    }
  }
  return { kind, body: replay() }
}
