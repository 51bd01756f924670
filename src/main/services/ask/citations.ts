/**
 * Sources of a web answer as numbered citations. Each GlobalAsk fragment
 * names the page it came from; a run of fragments from one page ends with
 * its number (`… text [2]`), numbered in order of first appearance, and the
 * answer ends with the list of those pages as markdown links, titled by
 * their domain (the gateway gives no titles, and nothing remote is fetched
 * to find one). The markers and the list are part of the saved text, so
 * search finds a source's domain and every export carries them; the
 * structured list is saved beside it (`sources`).
 */
import type { WebSource } from '../../../shared/contract'

export const SOURCES_HEADING = '**Sources**'

/** `www.example.org` → `example.org`; what a person recognises a site by. */
export function sourceTitle(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./i, '')
  } catch {
    return url
  }
}

export class Citations {
  readonly #sources: WebSource[] = []
  readonly #numbers = new Map<string, number>()
  /** The page the current run of text came from. */
  #current: string | null = null
  /** Trailing whitespace held back, so a marker sits right after the words it cites. */
  #space = ''
  #wroteText = false
  /** A marker waiting for the text to leave a code span or block, where it would show as code. */
  #waiting = ''
  readonly #code = new CodeTracker()

  get sources(): WebSource[] {
    return this.#sources.map((source) => ({ ...source }))
  }

  /**
   * The text to show for one fragment: a marker closing the previous
   * source's run when the source changes, then the fragment's words. A
   * fragment without a source continues the current run.
   */
  push(text: string, url: string | null): string {
    let out = ''
    if (url !== null && url !== this.#current) {
      this.#waiting += this.#closeRun()
      this.#current = url
      if (!this.#numbers.has(url)) {
        const n = this.#sources.length + 1
        this.#numbers.set(url, n)
        this.#sources.push({ n, url, title: sourceTitle(url) })
      }
    }
    if (this.#waiting !== '' && !this.#code.inside) {
      out += this.#waiting
      this.#waiting = ''
    }
    const words = text.trimEnd()
    const space = text.slice(words.length)
    if (words === '') {
      this.#space += space
      return out
    }
    // `[1](` or `[1][` would read as a markdown link: keep a space between.
    const gap = this.#space === '' && out.endsWith(']') && /^[([:]/.test(words) ? ' ' : this.#space
    out += gap + words
    this.#code.feed(gap + words)
    this.#space = space
    this.#wroteText = true
    return out
  }

  /** The last run's marker; call once, when the answer's text has all arrived. */
  finish(): string {
    const markers = this.#waiting + this.#closeRun()
    this.#waiting = ''
    if (markers === '') return ''
    // Still inside code at the end: the markers go on a line of their own after it.
    return this.#code.inside ? `\n${markers.trim()}` : markers
  }

  /** The sources as a markdown list of links, to follow the answer; empty when there are none. */
  list(): string {
    if (this.#sources.length === 0) return ''
    const lines = this.#sources.map((source) => `${source.n}. [${escapeLinkText(source.title)}](<${source.url}>)`)
    return `\n\n${SOURCES_HEADING}\n\n${lines.join('\n')}\n`
  }

  /** ` [n]` for the run that just ended (nothing before any text, or for a run without a source). */
  #closeRun(): string {
    const url = this.#current
    if (url === null || !this.#wroteText) return ''
    const marker = ` [${this.#numbers.get(url)}]`
    this.#current = null
    return marker
  }
}

/**
 * Whether text written so far ends inside a code block (``` or ~~~ fence) or
 * an inline code span: a marker there would show as code. Fed the text in
 * order; keeps only the current line, so it costs the length of each piece.
 */
class CodeTracker {
  #fenced = false
  #line = ''

  get inside(): boolean {
    if (this.#fenced) return true
    if (/^\s*(```|~~~)/.test(this.#line)) return true
    return ((this.#line.match(/`/g) ?? []).length & 1) === 1
  }

  feed(text: string): void {
    const lines = (this.#line + text).split('\n')
    this.#line = lines.pop() ?? ''
    for (const line of lines) if (/^\s*(```|~~~)/.test(line)) this.#fenced = !this.#fenced
  }
}

function escapeLinkText(text: string): string {
  return text.replace(/[[\]\\*_`<>]/g, (char) => `\\${char}`)
}
