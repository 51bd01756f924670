/**
 * Incremental markdown for streamed answers: the work per update does not
 * grow with the length of the answer.
 *
 * The source is split into top-level blocks at blank lines that lie outside
 * fenced code and outside display math (`$$ … $$`, `\[ … \]`), and only
 * before a line that starts at the margin (an indented line after a blank one
 * continues a list item or an indented code block). Every block but the last
 * is complete: it is rendered once, its HTML kept. Only the last, growing
 * block is rendered again on each update.
 *
 * The splitter is incremental too: it remembers how far it has scanned
 * (always up to the start of the last, incomplete line) and its state (inside
 * a fence? inside math? blank lines seen?), so an update scans only the new
 * complete lines. Cost per update: O(new text + last block).
 *
 * It keeps only the open block's text. A long answer built by appending is a
 * rope in V8, and any read of it (`slice`, `indexOf`, `startsWith`) first
 * copies it whole into one flat string: for a 400 KB answer that was about
 * 0.25 ms and 400 KB of garbage on every update. So a caller that has the
 * deltas should `append` them, and the engine reads only its own short text.
 *
 * A fence still open while streaming renders as code (marked runs an
 * unclosed fence to the end of its block). A long fence (a long code
 * generation is one fence of thousands of lines) is cut every
 * `FENCE_SEGMENT_LINES` lines: each finished segment is a block of its own,
 * rendered once as the fence's opening line plus its lines (`continues` marks
 * the segments after the first, which the view joins into one box), so the
 * growing block, highlighted again on every update, never holds more than
 * about 1 KB of code. Highlighting starts afresh in each segment while
 * streaming; the final render highlights the whole.
 *
 * When the stream ends, `finish()`
 * renders the whole text once, so the final HTML is exactly
 * `renderMarkdown(source)`.
 */
import { renderMarkdown } from './render'

export interface RenderedBlock {
  /** The block's markdown (as rendered), without trailing whitespace. */
  readonly text: string
  readonly html: string
  /** A later segment of a long code fence cut while streaming: the view joins it to the block before. */
  readonly continues?: boolean
}

/** A fence still streaming is cut into blocks of this many lines. */
export const FENCE_SEGMENT_LINES = 24

export interface IncrementalOptions {
  /** Renders one block while streaming. Default: `renderMarkdown`. */
  render?: (markdown: string) => string
  /** Renders the whole text in `finish()`. Default: `render`. */
  renderFinal?: (markdown: string) => string
  /** Cut long code fences into segments (see FENCE_SEGMENT_LINES). Default: true. */
  cutFences?: boolean
}

interface Fence {
  char: string
  length: number
  indent: number
  /** The opening line, which starts each later segment's markdown. */
  opening: string
  /** Lines since the fence opened or was last cut. */
  lines: number
}

const FENCE_OPEN = /^( *)(`{3,}|~{3,})(.*)$/
const BLANK = /^[ \t]*$/

function trimEnd(text: string): string {
  return text.replace(/\s+$/, '')
}

export class IncrementalMarkdown {
  readonly #render: (markdown: string) => string
  readonly #renderFinal: (markdown: string) => string
  readonly #cutFences: boolean

  /** The text from the current block's start on (offsets below are into it). */
  #open = ''
  /** The text before `#open`, in the pieces it was dropped in (joined only when the whole source is asked for). */
  #dropped: string[] = []
  /** The whole text's length. */
  #length = 0
  /** The last whole text given to `update`, kept to compare the next one with (never read otherwise). */
  #lastUpdate: string | null = null
  /** Start of the first line not yet scanned (the last, incomplete line). */
  #scanned = 0
  /** Start of the current (last, open) block. */
  #blockStart = 0
  /** Where the run of blank lines after the current block's content began, or -1. */
  #blankAt = -1
  /** The current block has non-blank content. */
  #hasContent = false
  #fence: Fence | null = null
  #math: '$$' | '\\]' | null = null
  /** The current block is a later segment of a cut fence: its markdown starts with this opening line. */
  #continuing: string | null = null

  /** Completed blocks, in order. */
  #stable: RenderedBlock[] = []
  #tail: RenderedBlock | null = null
  #blocks: readonly RenderedBlock[] = []
  /** Completed blocks' HTML by text; the previous generation is kept across a reset. */
  #cache = new Map<string, string>()
  #previousCache = new Map<string, string>()
  #final: { source: string; blocks: readonly RenderedBlock[] } | null = null

  constructor(options: IncrementalOptions = {}) {
    this.#render = options.render ?? renderMarkdown
    this.#renderFinal = options.renderFinal ?? this.#render
    this.#cutFences = options.cutFences ?? true
  }

  /** The text seen so far (joins it: for tests and the final render, not for every update). */
  get source(): string {
    return this.#final?.source ?? this.#dropped.join('') + this.#open
  }

  /** The length of the text seen so far. */
  get length(): number {
    return this.#final?.source.length ?? this.#length
  }

  /** The blocks of the last update (or of `finish()`). */
  get blocks(): readonly RenderedBlock[] {
    return this.#final?.blocks ?? this.#blocks
  }

  /**
   * The whole text so far, while streaming. Text that extends the previous
   * source is processed incrementally; anything else starts over (completed
   * blocks whose text is unchanged still come from the cache).
   */
  update(source: string): readonly RenderedBlock[] {
    const previous = this.#lastUpdate
    if (this.#final === null && source === previous) return this.#blocks
    let added = source
    if (this.#final === null && previous !== null && source.startsWith(previous)) added = source.slice(previous.length)
    else this.#restart()
    this.#append(added)
    this.#lastUpdate = source
    return this.#advance()
  }

  /**
   * Appends streamed text (same as `update(source + text)` without reading
   * the text before it).
   */
  append(text: string): readonly RenderedBlock[] {
    if (this.#final !== null) {
      const source = this.#final.source
      this.#restart()
      this.#append(source)
    }
    this.#append(text)
    this.#lastUpdate = null
    return this.#advance()
  }

  /**
   * The stream ended: one full render of the whole text, as a single block
   * whose HTML is `renderFinal(source)`. Calling it again with the same text is free.
   */
  finish(source: string = this.source): readonly RenderedBlock[] {
    if (this.#final?.source === source) return this.#final.blocks
    const blocks: readonly RenderedBlock[] = source.trim() ? [{ text: trimEnd(source), html: this.#renderFinal(source) }] : []
    this.#final = { source, blocks }
    return blocks
  }

  /** Forgets everything, including the cache. */
  reset(): void {
    this.#restart()
    this.#cache.clear()
    this.#previousCache.clear()
  }

  #restart(): void {
    this.#open = ''
    this.#dropped = []
    this.#length = 0
    this.#lastUpdate = null
    this.#scanned = 0
    this.#blockStart = 0
    this.#blankAt = -1
    this.#hasContent = false
    this.#fence = null
    this.#math = null
    this.#continuing = null
    this.#stable = []
    this.#tail = null
    this.#blocks = []
    this.#final = null
    // Keep one generation of rendered blocks: a changed text usually keeps most of them.
    if (this.#cache.size > 0) {
      this.#previousCache = this.#cache
      this.#cache = new Map()
    }
  }

  #append(text: string): void {
    this.#open += text
    this.#length += text.length
  }

  #advance(): readonly RenderedBlock[] {
    const before = this.#stable.length
    this.#scan(this.#open)
    this.#dropBeforeBlock()
    const tailText = this.#markdownOf(this.#open.length)
    let tail = this.#tail
    if (tailText === '') tail = null
    else if (tail?.text !== tailText) tail = this.#block(tailText, this.#htmlOf(tailText, false))
    if (tail === this.#tail && this.#stable.length === before && this.#blocks.length > 0) return this.#blocks
    this.#tail = tail
    this.#blocks = tail ? [...this.#stable, tail] : this.#stable.slice()
    return this.#blocks
  }

  /** Forgets the text of completed blocks: offsets become relative to the open block's start. */
  #dropBeforeBlock(): void {
    const start = this.#blockStart
    if (start === 0) return
    this.#dropped.push(this.#open.slice(0, start))
    this.#open = this.#open.slice(start)
    this.#scanned -= start
    if (this.#blankAt >= 0) this.#blankAt -= start
    this.#blockStart = 0
  }

  #htmlOf(text: string, remember: boolean): string {
    let html = this.#cache.get(text)
    if (html === undefined) {
      html = this.#previousCache.get(text)
      if (html === undefined) html = this.#render(text)
      if (remember) this.#cache.set(text, html)
    }
    return html
  }

  /** The current block's markdown up to `end`: its text, after the fence's opening line if it continues one. */
  #markdownOf(end: number): string {
    const text = trimEnd(this.#open.slice(this.#blockStart, end))
    if (text === '') return ''
    return this.#continuing === null ? text : `${this.#continuing}\n${text}`
  }

  #block(text: string, html: string): RenderedBlock {
    return this.#continuing === null ? { text, html } : { text, html, continues: true }
  }

  #complete(end: number): void {
    const text = this.#markdownOf(end)
    if (text === '') return
    // The tail rendered last time is often exactly this block: reuse its HTML.
    const html = this.#tail?.text === text ? this.#tail.html : this.#htmlOf(text, true)
    this.#cache.set(text, html)
    this.#stable.push(this.#block(text, html))
  }

  /** Scans the complete lines added since the last call. */
  #scan(source: string): void {
    let start = this.#scanned
    for (;;) {
      const newline = source.indexOf('\n', start)
      if (newline < 0) break
      this.#line(source, start, newline)
      start = newline + 1
    }
    this.#scanned = start
    // The first character of an incomplete line is enough to end the block
    // before it (the rest of the line is scanned once it is complete).
    if (this.#blankAt >= 0 && start < source.length && !this.#fence && !this.#math) {
      const first = source[start]
      if (first !== ' ' && first !== '\t' && first !== '\r') {
        this.#complete(this.#blankAt)
        this.#blockStart = start
        this.#continuing = null
        this.#blankAt = -1
        this.#hasContent = true
      }
    }
  }

  #line(source: string, start: number, end: number): void {
    let line = source.slice(start, end)
    if (line.endsWith('\r')) line = line.slice(0, -1)

    if (this.#fence) {
      const fence = this.#fence
      const indent = line.length - line.trimStart().length
      const body = line.trim()
      if (
        indent <= fence.indent + 3 &&
        body.length >= fence.length &&
        body[0] === fence.char &&
        body === fence.char.repeat(body.length)
      ) {
        this.#fence = null
      } else if (this.#cutFences && ++fence.lines >= FENCE_SEGMENT_LINES) {
        // Cut the long fence after this line: the next segment starts a block of its own.
        this.#complete(end)
        this.#blockStart = end + 1
        this.#continuing = fence.opening
        fence.lines = 0
      }
      return
    }
    if (this.#math) {
      if (line.includes(this.#math)) this.#math = null
      return
    }
    if (BLANK.test(line)) {
      if (this.#hasContent && this.#blankAt < 0) this.#blankAt = start
      return
    }
    if (this.#blankAt >= 0 && line[0] !== ' ' && line[0] !== '\t') {
      this.#complete(this.#blankAt)
      this.#blockStart = start
      this.#continuing = null
    }
    this.#blankAt = -1
    this.#hasContent = true

    const fence = FENCE_OPEN.exec(line)
    if (fence) {
      const marker = fence[2] ?? '```'
      const info = fence[3] ?? ''
      if (marker[0] !== '`' || !info.includes('`')) {
        this.#fence = { char: marker[0] ?? '`', length: marker.length, indent: fence[1]?.length ?? 0, opening: line.trimStart(), lines: 0 }
        return
      }
    }
    const trimmed = line.trim()
    if (trimmed.startsWith('$$')) {
      // Opens unless it also closes on the same line (`$$x$$`).
      if (countOf(trimmed, '$$') % 2 === 1) this.#math = '$$'
    } else if (trimmed.startsWith('\\[') && !trimmed.includes('\\]')) {
      this.#math = '\\]'
    }
  }
}

function countOf(text: string, needle: string): number {
  let count = 0
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) count++
  return count
}

/**
 * The top-level blocks of a finished text, split as while streaming (long
 * fences kept whole), without rendering anything.
 */
export function splitMarkdownBlocks(source: string): string[] {
  return new IncrementalMarkdown({ render: () => '', cutFences: false }).update(source).map((block) => block.text)
}
