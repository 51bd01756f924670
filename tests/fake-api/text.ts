/** Deterministic answer text: the same prompt always gives the same words. */
import { createHash } from 'node:crypto'

export function hashBytes(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest()
}

export function hashInt(...parts: string[]): number {
  return hashBytes(...parts).readUInt32BE(0)
}

/** Tokens are counted as whitespace-separated words: close enough, and predictable in tests. */
export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0
}

/** The text up to the end of its `n`-th word, formatting kept. */
export function cutWords(text: string, n: number): string {
  if (n <= 0) return ''
  let count = 0
  for (const m of text.matchAll(/\S+/g)) {
    count += 1
    if (count === n) return text.slice(0, m.index + m[0].length)
  }
  return text
}

export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const chars = Array.from(flat)
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat
}

const MAX_WORDS = 50_000

/** "words:2000", "write 300 words", or "long" → how many words the answer should have. */
export function wantedWords(prompt: string): number | undefined {
  const m = /\bwords?\s*[:=]\s*(\d+)/i.exec(prompt) ?? /\b(\d+)\s*words\b/i.exec(prompt)
  if (m?.[1]) return Math.min(MAX_WORDS, Number(m[1]))
  if (/\blong\b/i.test(prompt)) return 800
  return undefined
}

// Some sentences carry markdown, accents, CJK and emoji (surrogate pairs) on
// purpose: clients must render and split them correctly.
const sentences = [
  'The fake gateway wrote this answer so that every run sees the same words.',
  'Each sentence comes from a fixed list, picked by a hash of your prompt.',
  'No real model was asked; the text only has the shape of an answer.',
  'Streaming clients get it a few characters at a time, as a real server sends it.',
  'Markdown such as **bold**, *italic* and `inline code` shows how the renderer copes.',
  'Long answers are split into paragraphs, with a heading now and then.',
  'Unicode is here on purpose: café, naïve, 日本語, emoji 🚀 and a dash — like this.',
  'A good client keeps scrolling smooth however long the answer grows.',
  'The usage block counts one token per word, which keeps the numbers easy to check.',
  'Ask for a number of words, such as words:500, and you get exactly that many.',
  'Links like [the docs](https://example.org/docs) should open outside the app.',
  'Sometimes an answer is short; sometimes it goes on for pages.'
]

function fillerText(seed: number, words: number): string {
  const out: string[] = []
  let total = 0
  let paragraphWords = 0
  let paragraphs = 0
  let i = seed
  while (total < words) {
    if (paragraphWords >= 60) {
      paragraphs += 1
      paragraphWords = 0
      if (paragraphs % 4 === 0) {
        out.push(`\n\n## Part ${paragraphs / 4 + 1}\n\n`)
        total += 3
      } else if (paragraphs % 4 === 2) {
        out.push('\n\n- first point\n- second point\n- third point\n\n')
        total += 9
      } else {
        out.push('\n\n')
      }
    } else if (out.length > 0) {
      out.push(' ')
    }
    const s = sentences[i % sentences.length] ?? ''
    i += 7
    out.push(s)
    const n = countWords(s)
    total += n
    paragraphWords += n
  }
  return out.join('')
}

export interface AnswerOptions {
  images?: number
  model?: string
}

/** A markdown answer that quotes the prompt; `code`, `math` and `long`/`words:N` in it change the shape. */
export function composeAnswer(prompt: string, opts: AnswerOptions = {}): string {
  const seed = hashInt(prompt)
  const head: string[] = [`> ${oneLine(prompt, 200) || '(empty prompt)'}`, '', 'Here is my answer to your message.']
  if (opts.images) head.push(`I can see ${opts.images} image${opts.images === 1 ? '' : 's'} in your message.`)
  if (/\bcode\b/i.test(prompt)) {
    head.push('', 'A short example:', '', '```ts', 'function greet(name: string): string {', "  return 'Hello, ' + name + '!'", '}', '```')
  }
  if (/\bmath\b/i.test(prompt)) {
    head.push('', 'Some math: the square of $x$ is $x^2$, and', '', '$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$')
  }
  const headText = head.join('\n')
  const target = wantedWords(prompt)
  const headWords = countWords(headText)
  const fillWords = target === undefined ? 40 : target - headWords
  if (fillWords <= 0) return target === undefined ? headText : cutWords(headText, target)
  // Exactly N words when asked for N; otherwise whole sentences.
  const filler = target === undefined ? fillerText(seed, fillWords) : cutWords(fillerText(seed, fillWords), fillWords)
  return `${headText}\n\n${filler}`
}

/** What a reasoning model "thinks" before it answers. */
export function composeReasoning(prompt: string): string {
  return (
    `The user wrote: "${oneLine(prompt, 80)}". ` +
    'I should read it carefully, decide what is being asked, and answer in clear markdown. ' +
    'Let me check the details once more before I write the answer.'
  )
}

/** Splits text into pieces of a few characters, never inside a code point. */
export function splitPieces(text: string, sizes: readonly number[] = [4, 3, 6, 5, 2, 7]): string[] {
  const chars = Array.from(text)
  const out: string[] = []
  let i = 0
  let k = 0
  while (i < chars.length) {
    const n = sizes[k % sizes.length] ?? 4
    out.push(chars.slice(i, i + n).join(''))
    i += n
    k += 1
  }
  return out
}
