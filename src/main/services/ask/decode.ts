/**
 * Decoding GlobalAsk (`/v1/ask?prompt=`) answers: a stream of JSON objects
 * `{message, url}`. The seed documents them as a text/event-stream where
 * "every line is sent separately and contains a json", without saying
 * whether lines carry `data:` or are bare JSON, nor whether `message` is the
 * new text or the whole text so far. So this accepts SSE (`data: {...}`)
 * and bare JSON lines alike, with the chat decoder's tolerance (any
 * chunking, comments, no last newline, error objects, web pages), and
 * `AskText` turns either kind of `message` into new text.
 */
import type { EventSourceMessage } from 'eventsource-parser'
import { AppError } from '../../../shared/errors'
import { isRecord } from '../../../shared/is-record'
import { readPrefix } from '../http/body'
import { cleanMessage, webPageError } from '../http/errors'
import { MAX_EVENT_CHARS, PAGE_PREFIX_BYTES, readSseEvents, sniff, streamError, type BodyKind } from '../http/sse'

/** One decoded event: `message` as the server sent it (a delta or the text so far) and its source, if any. */
export interface AskFragment {
  message: string
  /** An http(s) address; null when the event named none (or something else). */
  url: string | null
}

export interface AskDecodeOptions {
  /** Largest single event or line, in characters. */
  maxEventChars?: number
  redact?: (text: string) => string
}

const plain = (text: string): string => text

/** The fragment an event's JSON carries, or null when it carries neither text nor a source. */
export function fragmentOf(value: unknown, redact: (text: string) => string = plain): AskFragment | null {
  if (!isRecord(value)) return null
  if (value.error !== undefined && value.error !== null) throw streamError(value.error, redact)
  const message = typeof value.message === 'string' ? value.message : ''
  const url = webAddress(value.url)
  if (message === '' && url === null) return null
  return { message, url }
}

/** Only http(s) addresses become sources: they are opened in the OS browser. */
export function webAddress(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null
  try {
    const url = new URL(value.trim())
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null
  } catch {
    return null
  }
}

function parseJson(text: string, redact: (text: string) => string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new AppError('bad_response', cleanMessage(redact(`The server sent a malformed answer event: ${text.slice(0, 120)}`)), { cause: error })
  }
}

/** SSE: `data:` lines, comments and named events; `[DONE]` ends it if a server sends one. */
async function* fromSse(body: AsyncIterable<Uint8Array>, options: AskDecodeOptions): AsyncGenerator<AskFragment, void, undefined> {
  const redact = options.redact ?? plain
  for await (const event of readSseEvents(body, options) as AsyncGenerator<EventSourceMessage>) {
    const data = event.data.trim()
    if (data === '[DONE]') return
    if (data === '') continue
    if (event.event === 'error') {
      let parsed: unknown = data
      try {
        parsed = JSON.parse(data)
      } catch {
        // A plain-text error event: its text is the message.
      }
      throw streamError(isRecord(parsed) && parsed.error !== undefined ? parsed.error : parsed, redact)
    }
    const named = event.event !== undefined && event.event !== 'message'
    if (named && !/^[[{]/.test(data)) continue // pings and the like
    for (const value of arrayOrOne(parseJson(data, redact))) {
      const fragment = fragmentOf(value, redact)
      if (fragment) yield fragment
    }
  }
}

/**
 * Bare JSON, one object a line (or one object spread over several lines, as
 * a pretty-printed error is): lines are joined until they parse.
 */
async function* fromJsonLines(body: AsyncIterable<Uint8Array>, options: AskDecodeOptions): AsyncGenerator<AskFragment, void, undefined> {
  const redact = options.redact ?? plain
  const maxChars = options.maxEventChars ?? MAX_EVENT_CHARS
  const decoder = new TextDecoder('utf-8')
  let buffer = ''
  let pending = ''
  function* take(line: string): Generator<AskFragment, void, undefined> {
    const text = line.replace(/^\uFEFF/, '').trim()
    if (text === '' && pending === '') return
    pending = pending === '' ? text : `${pending}\n${text}`
    if (pending.length > maxChars) throw new AppError('response_too_large', `One answer event is larger than ${Math.round(maxChars / 1024)} KB.`)
    let value: unknown
    try {
      value = JSON.parse(pending)
    } catch {
      return // maybe the rest of a multi-line object is still to come
    }
    pending = ''
    for (const item of arrayOrOne(value)) {
      const fragment = fragmentOf(item, redact)
      if (fragment) yield fragment
    }
  }
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true })
    const lines = buffer.split(/\r\n|\r|\n/)
    buffer = lines.pop() ?? ''
    if (buffer.length > maxChars) throw new AppError('response_too_large', `One answer event is larger than ${Math.round(maxChars / 1024)} KB.`)
    for (const line of lines) yield* take(line)
  }
  buffer += decoder.decode()
  yield* take(buffer)
  if (pending !== '') parseJson(pending, redact) // throws with what was left unreadable
}

function arrayOrOne(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value]
}

/**
 * A GlobalAsk answer whatever it turned out to be: SSE, bare JSON lines, or
 * a web page in the server's place. Decided by the content type, and by the
 * first byte when it names none of these (the gateway labels both
 * text/event-stream, so a `{` first wins over the label).
 */
export async function* decodeAskBody(
  body: AsyncIterable<Uint8Array>,
  contentType: string,
  options: AskDecodeOptions = {}
): AsyncGenerator<AskFragment, void, undefined> {
  const sniffed = await sniff(body)
  let kind: BodyKind = sniffed.kind
  if (/html/i.test(contentType)) kind = 'html'
  if (kind === 'html') {
    const page = (await readPrefix(sniffed.body, PAGE_PREFIX_BYTES)).toString('utf8')
    throw webPageError((options.redact ?? plain)(page))
  }
  if (kind === 'json') yield* fromJsonLines(sniffed.body, options)
  else yield* fromSse(sniffed.body, options)
}

/**
 * Turns each `message` into the text it adds. The first time a message
 * arrives after some text, it decides: a message that starts with all the
 * text so far means the server sends the whole text each time (cumulative);
 * otherwise each message is a piece (delta). The decision holds for the rest
 * of the answer. A cumulative message that no longer starts with the text so
 * far (the server rewrote its answer) adds only what goes beyond the
 * length already shown, since text shown cannot be taken back.
 */
export class AskText {
  #text = ''
  #mode: 'undecided' | 'delta' | 'cumulative' = 'undecided'

  get text(): string {
    return this.#text
  }

  get mode(): 'undecided' | 'delta' | 'cumulative' {
    return this.#mode
  }

  /** The new text `message` brings. */
  push(message: string): string {
    if (message === '') return ''
    if (this.#mode === 'undecided' && this.#text !== '') {
      this.#mode = message.startsWith(this.#text) ? 'cumulative' : 'delta'
    }
    const added = this.#mode === 'cumulative' ? message.slice(this.#text.length) : message
    this.#text += added
    return added
  }
}
