/**
 * Search text → a safe FTS5 query, and the snippets shown with the hits.
 *
 * Every word typed is quoted, so nothing is ever read as FTS5 syntax (AND,
 * NEAR, column filters, stray quotes or brackets). Snippets are cut here
 * rather than by FTS5's snippet(): that function runs the query again for
 * each hit, and a prefix query with many expansions costs milliseconds per
 * run. Words are split and folded the way the index's tokenizer does
 * (unicode61, remove_diacritics 2), so the same words light up.
 */
import type { SnippetPart } from '../../../../shared/contract'

const MAX_QUERY_LENGTH = 500
const MAX_TERMS = 16
/** A one-letter prefix matches most of the vocabulary; such a word is matched whole. */
const MIN_PREFIX_LENGTH = 2
/** Tokens shown around the matches in a snippet. */
const SNIPPET_TOKENS = 24
/** Tokens of context before the first match in the snippet. */
const SNIPPET_LEAD = 4
/** Bounds the work on a huge message: matches past this point are not highlighted. */
const SNIPPET_SCAN_CHARS = 100_000
const SNIPPET_MAX_MATCHES = 200

/** unicode61's default token characters: letters, numbers, private use (marks kept with their letter). */
const TOKEN = /[\p{L}\p{N}\p{Co}\p{M}]+/gu

export interface Phrase {
  /** Folded tokens that must appear in a row. */
  tokens: string[]
  /** The last token may be the start of a longer word. */
  prefix: boolean
}

export interface SearchQuery {
  /** For `messages_fts MATCH ?`. */
  match: string
  phrases: Phrase[]
}

/**
 * Every word must appear (implicit AND). The last one may be unfinished and
 * is matched as a prefix unless the text ends with a space. Null when the
 * text holds no searchable word.
 */
export function toSearchQuery(text: string): SearchQuery | null {
  const input = text.slice(0, MAX_QUERY_LENGTH)
  const words = input
    .split(/\s+/u)
    .map((word) => ({ word, tokens: tokenize(word).map((token) => token.folded) }))
    .filter((entry) => entry.tokens.length > 0)
    .slice(0, MAX_TERMS)
  if (words.length === 0) return null
  const finished = /\s$/u.test(input)
  const phrases: Phrase[] = []
  const parts = words.map(({ word, tokens }, index) => {
    const last = index === words.length - 1
    const prefix = last && !finished && (tokens.at(-1)?.length ?? 0) >= MIN_PREFIX_LENGTH
    phrases.push({ tokens, prefix })
    const quoted = `"${word.replaceAll('"', '""')}"`
    return prefix ? `${quoted}*` : quoted
  })
  return { match: parts.join(' '), phrases }
}

interface Token {
  start: number
  end: number
  folded: string
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  for (const found of text.matchAll(TOKEN)) {
    const folded = fold(found[0])
    if (folded !== '') tokens.push({ start: found.index, end: found.index + found[0].length, folded })
  }
  return tokens
}

/** Lower case without diacritics, as remove_diacritics 2 indexes words. */
function fold(token: string): string {
  return token.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase()
}

/**
 * A one-line excerpt of `content` around the words of `phrases`, matches
 * marked. Picks the window holding the most different phrases, then the
 * earliest; falls back to the start of the text.
 */
export function makeSnippet(fullContent: string, phrases: readonly Phrase[]): SnippetPart[] {
  const content = fullContent.length > SNIPPET_SCAN_CHARS ? fullContent.slice(0, SNIPPET_SCAN_CHARS) : fullContent
  const tokens = tokenize(content)
  if (tokens.length === 0) return foldSpace(content.slice(0, 200)) === '' ? [] : [{ text: foldSpace(content.slice(0, 200)), match: false }]

  // Each match: the token span it covers and which phrase it is.
  const matches: Array<{ from: number; to: number; phrase: number }> = []
  phrases.forEach((phrase, phraseIndex) => {
    const size = phrase.tokens.length
    for (let at = 0; at + size <= tokens.length; at++) {
      let ok = true
      for (let k = 0; k < size && ok; k++) {
        const want = phrase.tokens[k] ?? ''
        const have = tokens[at + k]?.folded ?? ''
        ok = k === size - 1 && phrase.prefix ? have.startsWith(want) : have === want
      }
      if (ok) matches.push({ from: at, to: at + size, phrase: phraseIndex })
    }
  })
  matches.sort((a, b) => a.from - b.from)
  matches.length = Math.min(matches.length, SNIPPET_MAX_MATCHES)

  let bestStart = 0
  let bestScore = -1
  for (const first of matches) {
    const seen = new Set<number>()
    for (const match of matches) if (match.from >= first.from && match.to <= first.from + SNIPPET_TOKENS) seen.add(match.phrase)
    if (seen.size > bestScore) {
      bestScore = seen.size
      bestStart = first.from
    }
  }
  const from = Math.max(0, Math.min(bestStart - SNIPPET_LEAD, tokens.length - SNIPPET_TOKENS))
  const to = Math.min(tokens.length, from + SNIPPET_TOKENS)
  const startChar = from === 0 ? 0 : (tokens[from]?.start ?? 0)
  const endChar = to === tokens.length ? content.length : (tokens[to - 1]?.end ?? content.length)

  const parts: SnippetPart[] = []
  const push = (text: string, match: boolean): void => {
    const folded = foldSpace(text)
    if (folded === '') return
    const previous = parts.at(-1)
    if (previous && previous.match === match) previous.text += folded
    else parts.push({ text: folded, match })
  }
  if (from > 0) push('…', false)
  let cursor = startChar
  for (const match of matches) {
    if (match.from < from || match.to > to) continue
    const matchStart = tokens[match.from]?.start ?? cursor
    const matchEnd = tokens[match.to - 1]?.end ?? matchStart
    if (matchStart < cursor) continue // overlaps the previous match
    push(content.slice(cursor, matchStart), false)
    push(content.slice(matchStart, matchEnd), true)
    cursor = matchEnd
  }
  push(content.slice(cursor, endChar), false)
  if (to < tokens.length || content.length < fullContent.length) push('…', false)
  return trimEnds(parts)
}

function foldSpace(text: string): string {
  return text.replace(/\s+/gu, ' ')
}

/** No leading or trailing space on the whole snippet. */
function trimEnds(parts: SnippetPart[]): SnippetPart[] {
  const first = parts[0]
  if (first) first.text = first.text.trimStart()
  const last = parts.at(-1)
  if (last) last.text = last.text.trimEnd()
  return parts.filter((part) => part.text !== '')
}
