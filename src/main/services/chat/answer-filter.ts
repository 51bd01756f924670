/**
 * Cleans an answer as it streams: drops stray end tokens that some models
 * leak (`<|im_end|>`, `</s>`…), hides the gateway's advertising footer, and
 * recognises the rate-limit notice the gateway sends as a normal 200 answer.
 *
 * Work per delta is bounded by the delta plus the longest marker: the filter
 * keeps back only a short tail that could be the start of a marker, never
 * re-scans what it already let through. No library does this; it is specific
 * to how this gateway and some model servers misbehave.
 */
import { AppError } from '../../../shared/errors'

/** Tokens that end a turn in some model templates and should never show. */
export const STRAY_TOKENS = [
  '<|im_end|>',
  '<|im_start|>assistant',
  '<|im_start|>',
  '<|eot_id|>',
  '<|end_of_text|>',
  '<|endoftext|>',
  '<|end|>',
  '</s>'
] as const

/** Text that starts the gateway's advertising footer; everything after it is the footer. */
export const FOOTER_MARKERS = ['Need proxies cheaper than the market?', 'Upgrade your plan to remove this message at'] as const

/** The beginnings of the gateway's rate-limit notices (current and older wording). */
const NOTICE_PATTERNS = [/^\s*Ratelimit Exceeded!/i, /^\s*Rate limit \(\d+\/\w+\) exceeded/i, /^\s*Rate limit exceeded \(\d+ request/i]
const NOTICE_PREFIXES = ['ratelimit exceeded!', 'rate limit (', 'rate limit exceeded (']
/** How much of the start of an answer may be a notice; longer than any notice's first line. */
const NOTICE_PROBE = 40
/** Notices are a line or two; a longer answer that starts like one is a real answer. */
const NOTICE_MAX = 400

const MARKERS: readonly string[] = [...STRAY_TOKENS, ...FOOTER_MARKERS]

export interface FilterOptions {
  /** Show advertising footers instead of hiding them. */
  showFooters: boolean
}

export class AnswerFilter {
  readonly #showFooters: boolean
  /** Text received but not yet let through: a possible marker prefix, or the start of a possible notice. */
  #pending = ''
  #footer = ''
  #inFooter = false
  #startDecided = false
  #start = ''
  #isNotice = false

  constructor(options: FilterOptions) {
    this.#showFooters = options.showFooters
  }

  /** Feeds a delta; returns the text that may be shown now. */
  push(delta: string): string {
    if (delta === '') return ''
    if (!this.#startDecided) return this.#probeStart(delta)
    if (this.#isNotice) {
      this.#start += delta
      if (this.#start.length <= NOTICE_MAX) return ''
      this.#isNotice = false
      return this.#filter(this.#takeStart(), false)
    }
    return this.#filter(delta, false)
  }

  /** Ends the answer; returns the last text to show. Throws when the answer was a rate-limit notice. */
  finish(): string {
    if (!this.#startDecided) {
      this.#startDecided = true
      this.#isNotice = NOTICE_PATTERNS.some((pattern) => pattern.test(this.#start))
      if (!this.#isNotice) return this.#filter(this.#takeStart(), true)
    }
    if (this.#isNotice) throw noticeError(this.#start)
    return this.#filter('', true)
  }

  /** The footer that was hidden, if any. */
  get footer(): string {
    return this.#footer
  }

  /** Holds back the first characters until it is clear whether they are a notice. */
  #probeStart(delta: string): string {
    this.#start += delta
    const trimmed = this.#start.trimStart()
    if (trimmed.length < NOTICE_PROBE && couldBeNotice(trimmed)) return ''
    this.#startDecided = true
    this.#isNotice = NOTICE_PATTERNS.some((pattern) => pattern.test(this.#start))
    if (this.#isNotice) return ''
    return this.#filter(this.#takeStart(), false)
  }

  #takeStart(): string {
    const start = this.#start
    this.#start = ''
    return start
  }

  #filter(delta: string, final: boolean): string {
    if (this.#inFooter) {
      this.#footer += delta
      return ''
    }
    let text = this.#pending + delta
    for (const token of STRAY_TOKENS) if (text.includes(token)) text = text.split(token).join('')
    if (!this.#showFooters) {
      const cut = firstFooterIndex(text)
      if (cut !== -1) {
        this.#inFooter = true
        this.#footer = text.slice(cut)
        this.#pending = ''
        // The footer is separated from the answer by blank lines; drop them too.
        return text.slice(0, cut).trimEnd()
      }
    }
    if (final) {
      this.#pending = ''
      return text
    }
    let keep = partialMarkerLength(text)
    // Blank lines may lead into a footer: hold trailing white space until more text comes.
    while (keep < text.length && /\s/.test(text[text.length - keep - 1]!)) keep++
    this.#pending = text.slice(text.length - keep)
    return text.slice(0, text.length - keep)
  }
}

function firstFooterIndex(text: string): number {
  let first = -1
  for (const marker of FOOTER_MARKERS) {
    const index = text.indexOf(marker)
    if (index !== -1 && (first === -1 || index < first)) first = index
  }
  return first
}

/** Length of the longest end of `text` that is the beginning of a marker. */
function partialMarkerLength(text: string): number {
  let longest = 0
  for (const marker of MARKERS) {
    const max = Math.min(marker.length - 1, text.length)
    for (let length = max; length > longest; length--) {
      if (text.endsWith(marker.slice(0, length))) {
        longest = length
        break
      }
    }
  }
  return longest
}

/** True while the start is still typing out, or has matched, the beginning of a notice. */
function couldBeNotice(start: string): boolean {
  const lower = start.toLowerCase()
  return NOTICE_PREFIXES.some((prefix) => prefix.startsWith(lower) || lower.startsWith(prefix))
}

/** The gateway's rate-limit notice as an error, when `text` is one (it also comes as a 200 body where an image was expected). */
export function rateLimitNotice(text: string): AppError | null {
  return NOTICE_PATTERNS.some((pattern) => pattern.test(text)) ? noticeError(text) : null
}

function noticeError(text: string): AppError {
  const seconds = /try again in (\d+)\s*s/i.exec(text)?.[1]
  const firstLine = text.trim().split('\n')[0] ?? 'Rate limit exceeded'
  return new AppError('rate_limited', `The server's rate limit was reached: ${firstLine.trim()}`, {
    retryAfterMs: seconds === undefined ? undefined : Number(seconds) * 1_000
  })
}
