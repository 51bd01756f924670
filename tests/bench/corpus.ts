/**
 * Deterministic text for the benchmarks, so runs on different days and
 * machines measure the same work:
 *
 * - `markdownAnswer`: a long model answer in markdown (headings, prose with
 *   inline code, inline math, links and some non-ASCII text, fenced code in
 *   several languages, display math, tables, lists, quotes), cut into
 *   tokens of a few characters as servers stream them;
 * - `longConversation`: a conversation of mixed-length questions and
 *   answers in the app's export format, for `ChatStore.importBundle`;
 * - `ProseGenerator`: plain chat text over a Zipf-distributed vocabulary,
 *   for the search benchmark.
 */
import type { BundleConversation, BundleMessage } from '../../src/main/services/chat/export/bundle'
import { rng } from '../support/random'

// The benchmarks import it from here; the library fixture (tests/support) shares it.
export { rng }

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)]
  if (item === undefined) throw new Error('pick from an empty list')
  return item
}

function int(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}

// ------------------------------------------------------------ markdown answers

const PROSE_WORDS = (
  'the model streams an answer token by token and the client renders markdown while it arrives so each update must stay ' +
  'cheap even when the text is long because people read along as it grows with code math tables lists quotes links and ' +
  'notes about configuration performance memory latency caching requests responses errors retries timeouts servers ' +
  'clients threads queues buffers parsers renderers layouts frames budgets users sessions settings keys values'
).split(' ')

const UNICODE_BITS = ['café', 'naïve', 'über', '日本語', 'Ελληνικά', '🚀', '—', '“quoted”', 'résumé', '½']

function sentence(random: () => number, words: number): string {
  const out: string[] = []
  for (let i = 0; i < words; i++) out.push(random() < 0.03 ? pick(random, UNICODE_BITS) : pick(random, PROSE_WORDS))
  const text = out.join(' ')
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`
}

function paragraph(random: () => number): string {
  const parts: string[] = []
  const count = int(random, 2, 5)
  for (let i = 0; i < count; i++) {
    let s = sentence(random, int(random, 7, 18))
    const roll = random()
    if (roll < 0.2) s += ` Here $x_{${i}}^2 + \\alpha y = \\frac{1}{${i + 2}}$ holds.`
    else if (roll < 0.4) s += ` Call \`render(block_${i})\` once per block.`
    else if (roll < 0.5) s += ` See [the guide](https://docs.example.com/guide/${i}) for **details**.`
    else if (roll < 0.55) s += ' It costs $5 and $10 per month, *before* tax.'
    parts.push(s)
  }
  return parts.join(' ')
}

const CODE: ReadonlyArray<readonly [string, string]> = [
  [
    'python',
    'def fibonacci(n: int) -> list[int]:\n    """Return the first n Fibonacci numbers."""\n    seq = [0, 1]\n    while len(seq) < n:\n        seq.append(seq[-1] + seq[-2])\n    return seq[:n]\n\n\nif __name__ == "__main__":\n    for i, value in enumerate(fibonacci(10)):\n        print(f"{i}: {value}")'
  ],
  [
    'typescript',
    'interface Block {\n  text: string\n  html: string\n}\n\nexport function join(blocks: readonly Block[]): string {\n  let out = ""\n  for (const block of blocks) {\n    out += block.html // already sanitised\n  }\n  return out\n}\n\nconst total = join([{ text: "a", html: "<p>a</p>" }]).length'
  ],
  [
    'bash',
    'set -euo pipefail\nfor file in *.md; do\n  echo "Rendering $file"\n  npx marked "$file" > "${file%.md}.html"\ndone\n\ngrep -c "<table>" *.html || true'
  ],
  [
    'json',
    '{\n  "model": "gpt-4o-mini",\n  "stream": true,\n  "messages": [\n    { "role": "user", "content": "Explain streaming" }\n  ],\n  "temperature": 0.7\n}'
  ],
  [
    'rust',
    'fn main() {\n    let numbers: Vec<u64> = (1..=10).collect();\n    let sum: u64 = numbers.iter().sum();\n    println!("sum = {}", sum);\n\n    match sum {\n        55 => println!("as expected"),\n        _ => unreachable!(),\n    }\n}'
  ],
  [
    'sql',
    'SELECT c.id, c.title, count(m.id) AS messages\nFROM conversations c\nJOIN messages m ON m.conversation_id = c.id\nWHERE c.trashed_at IS NULL\nGROUP BY c.id\nORDER BY messages DESC\nLIMIT 20;'
  ]
]

const DISPLAY_MATH = [
  '$$\n\\int_{-\\infty}^{\\infty} e^{-x^2}\\,dx = \\sqrt{\\pi}\n$$',
  '$$\n\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}, \\qquad \\prod_{k=1}^{n} k = n!\n$$',
  '\\[\n\\mathbf{A}\\mathbf{x} = \\begin{pmatrix} a_{11} & a_{12} \\\\ a_{21} & a_{22} \\end{pmatrix} \\begin{pmatrix} x_1 \\\\ x_2 \\end{pmatrix}\n\\]',
  '$$\nf(x) = \\begin{cases} x^2 & x \\ge 0 \\\\ -x & x < 0 \\end{cases}\n$$'
]

function table(random: () => number): string {
  const rows = ['| Step | Cost | Notes |', '|:-----|-----:|-------|']
  for (let i = 0; i < int(random, 3, 6); i++) rows.push(`| ${i + 1} | ${int(random, 1, 99)} ms | ${sentence(random, 4)} |`)
  return rows.join('\n')
}

function list(random: () => number): string {
  const items: string[] = []
  const ordered = random() < 0.5
  for (let i = 0; i < int(random, 3, 6); i++) {
    const text = `**Step ${i + 1}:** ${sentence(random, int(random, 5, 12))}`
    items.push(ordered ? `${i + 1}. ${text}` : `- ${text}`)
  }
  return items.join('\n')
}

/** Markdown of roughly `chars` characters, as a model would write it. */
export function markdownText(chars: number, seed: number): string {
  const random = rng(seed)
  const parts: string[] = []
  let length = 0
  let section = 0
  while (length < chars) {
    const kind = parts.length === 0 ? 'heading' : pick(random, ['paragraph', 'paragraph', 'paragraph', 'code', 'math', 'list', 'table', 'heading', 'quote'])
    let part: string
    if (kind === 'heading') part = `## ${++section}. ${sentence(random, 3).slice(0, -1)}`
    else if (kind === 'paragraph') part = paragraph(random)
    else if (kind === 'code') {
      const [lang, code] = pick(random, CODE)
      part = `\`\`\`${lang}\n${code}\n\`\`\``
    } else if (kind === 'math') part = pick(random, DISPLAY_MATH)
    else if (kind === 'list') part = list(random)
    else if (kind === 'table') part = table(random)
    else part = `> ${sentence(random, 12)}`
    parts.push(part)
    length += part.length + 2
  }
  return parts.join('\n\n')
}

/** Piece sizes in code points, as servers cut streamed text (about 4 characters a token). */
const PIECES = [4, 3, 5, 4, 2, 6, 4, 4]

/** Splits text into stream tokens, never inside a code point. */
export function toTokens(text: string): string[] {
  const chars = Array.from(text)
  const out: string[] = []
  let k = 0
  for (let i = 0; i < chars.length; k++) {
    const size = PIECES[k % PIECES.length] ?? 4
    out.push(chars.slice(i, i + size).join(''))
    i += size
  }
  return out
}

export interface StreamedAnswer {
  /** The whole answer (the tokens joined). */
  text: string
  tokens: string[]
}

/** A markdown answer of exactly `count` tokens. */
export function markdownAnswer(count: number, seed = 7): StreamedAnswer {
  const tokens = toTokens(markdownText(count * 4.4, seed)).slice(0, count)
  if (tokens.length < count) throw new Error(`the corpus gave ${tokens.length} tokens, not ${count}`)
  const last = tokens.length - 1
  // End on a line break, as answers do.
  tokens[last] = `${tokens[last] ?? ''}\n`
  return { text: tokens.join(''), tokens }
}

/** TypeScript as a model writes a long module: types, functions with loops, comments, strings and template literals. */
function codeUnit(random: () => number, n: number): string {
  const name = `${pick(random, ['parse', 'render', 'merge', 'load', 'measure', 'format', 'split', 'queue'])}${pick(random, ['Block', 'Frame', 'Token', 'Chunk', 'Row', 'Entry'])}${n}`
  const field = pick(random, ['text', 'html', 'size', 'offset', 'count', 'label'])
  return [
    `/** ${sentence(random, int(random, 6, 14))} */`,
    `export interface ${name.charAt(0).toUpperCase()}${name.slice(1)}Options {`,
    `  ${field}: ${pick(random, ['string', 'number', 'boolean', 'readonly string[]'])}`,
    `  limit?: number // at most ${int(random, 2, 999)}`,
    '}',
    '',
    `export function ${name}(items: readonly { ${field}: string; weight: number }[], limit = ${int(random, 4, 64)}): string[] {`,
    '  const out: string[] = []',
    '  for (let i = 0; i < items.length && out.length < limit; i++) {',
    '    const item = items[i]',
    `    if (!item || item.weight < ${int(random, 0, 9)}) continue`,
    `    out.push(\`\${i}: \${item.${field}.trim()} (\${item.weight.toFixed(${int(random, 0, 3)})})\`)`,
    '  }',
    `  return out.sort((a, b) => a.localeCompare(b, "${pick(random, ['en', 'de', 'fr', 'ja'])}"))`,
    '}',
    ''
  ].join('\n')
}

/**
 * A long code generation of exactly `count` tokens: a sentence, then one
 * TypeScript fence that runs to the end (closed by the last token), then a sentence.
 */
export function codeAnswer(count: number, seed = 11): StreamedAnswer {
  const random = rng(seed)
  const intro = 'Here is the whole module, in one file:\n\n```typescript\n'
  const outro = '\n```\n\nThat is the complete implementation.\n'
  const target = count * 4.4
  const units: string[] = []
  let length = intro.length + outro.length
  for (let n = 0; length < target; n++) {
    const unit = codeUnit(random, n)
    units.push(unit)
    length += unit.length + 1
  }
  // The tokens are cut from the body; the outro is the last token, so the fence closes at the end.
  const bodyTokens = toTokens(intro + units.join('\n')).slice(0, count - 1)
  if (bodyTokens.length < count - 1) throw new Error(`the code corpus gave ${bodyTokens.length} tokens, not ${count}`)
  const tokens = [...bodyTokens, outro]
  return { text: tokens.join(''), tokens }
}

// ------------------------------------------------------------ conversations

const QUESTIONS = [
  'How do I stream a chat completion and render it as it arrives?',
  'Can you explain why my table layout jumps while the answer is still streaming?',
  'Write a function that parses server-sent events from a byte stream.',
  'What is the difference between a virtualised list and a paginated one?',
  'Show me the math behind exponential backoff with jitter.',
  'Why does my SQLite query get slower as the table grows?',
  'Summarise the last answer in three bullet points.',
  'Give me an example in Rust, please.',
  'How would you test this without a network?',
  'Thanks! One more thing: how do I cancel a request half way?'
]

function message(id: string, parentId: string | null, role: 'user' | 'assistant', content: string, at: number): BundleMessage {
  return {
    id,
    parentId,
    role,
    content,
    reasoning: '',
    attachments: [],
    model: role === 'assistant' ? 'gpt-4o-mini' : null,
    status: 'complete',
    error: null,
    finishReason: role === 'assistant' ? 'stop' : null,
    usage: null,
    createdAt: at,
    updatedAt: at
  }
}

/** Answer lengths in characters: mostly short and medium, a few long, some very long. */
function answerChars(random: () => number): number {
  const roll = random()
  if (roll < 0.4) return int(random, 150, 700)
  if (roll < 0.75) return int(random, 700, 2_500)
  if (roll < 0.95) return int(random, 2_500, 6_000)
  return int(random, 6_000, 15_000)
}

/** One conversation of `count` messages (questions and answers alternating), a straight thread. */
export function longConversation(options: { id: string; title: string; count: number; seed?: number; start?: number }): BundleConversation {
  const random = rng(options.seed ?? 2_000)
  const start = options.start ?? Date.UTC(2025, 5, 1)
  const messages: BundleMessage[] = []
  let parent: string | null = null
  for (let i = 0; i < options.count; i++) {
    const user = i % 2 === 0
    const id = `${options.id}-m${i}`
    const content = user
      ? random() < 0.7
        ? pick(random, QUESTIONS)
        : `${pick(random, QUESTIONS)} ${sentence(random, int(random, 8, 40))}`
      : markdownText(answerChars(random), int(random, 1, 1_000_000))
    messages.push(message(id, parent, user ? 'user' : 'assistant', content, start + i * 60_000))
    parent = id
  }
  return {
    id: options.id,
    title: options.title,
    pinned: false,
    createdAt: start,
    updatedAt: start + options.count * 60_000,
    activeLeafId: parent,
    settings: { model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true },
    messages
  }
}

// ------------------------------------------------------------ prose for search

/** Common English words, most frequent first (they take the head of the Zipf curve). */
const COMMON = (
  'the of and to a in is it you that he was for on are with as i his they be at one have this from or had by not word but ' +
  'what some we can out other were all there when up use your how said an each she which do their time if will way about ' +
  'many then them write would like so these her long make thing see him two has look more day could go come did number ' +
  'sound no most people my over know water than call first who may down side been now find any new work part take get ' +
  'place made live where after back little only round man year came show every good me give our under name very through ' +
  'just form sentence great think say help low line differ turn cause much mean before move right boy old too same tell ' +
  'does set three want air well also play small end put home read hand port large spell add even land here must big high ' +
  'such follow act why ask men change went light kind off need house picture try us again animal point mother world near ' +
  'build self earth father head stand own page should country found answer school grow study still learn plant cover food ' +
  'sun four between state keep eye never last let thought city tree cross farm hard start might story saw far sea draw left ' +
  'late run while press close night real life few north open seem together next white children begin got walk example ease ' +
  'paper group always music those both mark often letter until mile river car feet care second book carry took science eat ' +
  'room friend began idea fish mountain stop once base hear horse cut sure watch color face wood main enough plain girl usual'
).split(' ')

/** Words of a chat about software and everyday topics (the middle of the curve). */
const TOPICAL = (
  'server client request response stream token model prompt answer question error timeout retry cache memory thread ' +
  'process database query index table column row schema migration backup export import search filter sort page scroll ' +
  'render layout frame paint style component state effect store event listener handler callback promise async await ' +
  'function method class interface type string number boolean array object map set queue stack tree graph node edge ' +
  'parser lexer compiler runtime module package version release build deploy test benchmark profile latency throughput ' +
  'network socket proxy header cookie session login password key secret token certificate encryption signature hash ' +
  'recipe garden holiday travel flight hotel budget invoice meeting calendar reminder email letter summary translation ' +
  'python javascript typescript rust golang kotlin swift sqlite postgres redis docker kubernetes linux windows macos ' +
  'electron svelte react vite webpack eslint vitest playwright chromium firefox safari markdown katex highlight unicode ' +
  'keyboard shortcut window tray notification clipboard screenshot image audio video speech music song playlist gallery'
).split(' ')

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'do', 'gri', 'fen', 'tor', 'bel', 'sha', 'qui', 'mon', 'lar', 'ste', 'wun', 'ix', 'bra', 'cel']
const SUFFIXES = ['s', 'ed', 'ing', 'er', 'ly', 'ment', 'ness', 'able', 'ize']

/**
 * Chat-like text over a vocabulary of about 25,000 words with a Zipf
 * frequency: common English words first, then topical words and their
 * inflections, then a long tail of names, identifiers and rare words (as
 * real chats have: project names, people, typos, code identifiers).
 */
export class ProseGenerator {
  readonly vocabulary: string[]
  /** How often each vocabulary word was written so far (same index as `vocabulary`). */
  readonly counts: Uint32Array
  readonly #cumulative: Float64Array
  readonly #total: number
  readonly #random: () => number

  constructor(seed = 42, size = 25_000) {
    this.#random = rng(seed)
    const words: string[] = []
    const seen = new Set<string>()
    const add = (word: string): void => {
      if (!seen.has(word)) {
        seen.add(word)
        words.push(word)
      }
    }
    // The most common function words first, then common and topical words mixed (a chat about software
    // uses "server" about as often as "house"), then inflections, then the long tail.
    for (const word of COMMON.slice(0, 60)) add(word)
    const rest = COMMON.slice(60)
    for (let i = 0; i < Math.max(rest.length, TOPICAL.length); i++) {
      const common = rest[i]
      const topical = TOPICAL[i]
      if (common) add(common)
      if (topical) add(topical)
    }
    for (const word of TOPICAL) for (const suffix of SUFFIXES) if (this.#random() < 0.35) add(word + suffix)
    while (words.length < size) {
      const roll = this.#random()
      let word = ''
      for (let i = int(this.#random, 2, 4); i > 0; i--) word += pick(this.#random, SYLLABLES)
      if (roll < 0.15) word = `${word}_${pick(this.#random, TOPICAL)}`
      else if (roll < 0.25) word = `${pick(this.#random, TOPICAL)}${word.charAt(0).toUpperCase()}${word.slice(1)}`
      else if (roll < 0.3) word = `${word}${int(this.#random, 2, 99)}`
      else if (roll < 0.33) word = `${word}é`
      add(word)
    }
    this.vocabulary = words
    this.counts = new Uint32Array(words.length)
    this.#cumulative = new Float64Array(words.length)
    let sum = 0
    for (let rank = 1; rank <= words.length; rank++) {
      sum += 1 / rank ** 1.07
      this.#cumulative[rank - 1] = sum
    }
    this.#total = sum
  }

  get random(): () => number {
    return this.#random
  }

  word(): string {
    const target = this.#random() * this.#total
    let low = 0
    let high = this.#cumulative.length - 1
    while (low < high) {
      const mid = (low + high) >> 1
      if ((this.#cumulative[mid] ?? 0) < target) low = mid + 1
      else high = mid
    }
    this.counts[low] = (this.counts[low] ?? 0) + 1
    return this.vocabulary[low] ?? 'word'
  }

  /** `words` words in sentences of 6–20 words, sometimes split in paragraphs. */
  text(words: number): string {
    const out: string[] = []
    let inSentence = 0
    let sentenceLength = int(this.#random, 6, 20)
    for (let i = 0; i < words; i++) {
      let word = this.word()
      if (inSentence === 0) word = word.charAt(0).toUpperCase() + word.slice(1)
      inSentence++
      if (inSentence >= sentenceLength || i === words - 1) {
        word += this.#random() < 0.15 ? '?' : '.'
        inSentence = 0
        sentenceLength = int(this.#random, 6, 20)
        if (this.#random() < 0.12 && i < words - 1) word += '\n\n'
      } else if (this.#random() < 0.06) word += ','
      out.push(word)
    }
    return out.join(' ').replace(/\n\n /g, '\n\n')
  }
}
