/**
 * Timings for the chat store on a large synthetic history (not a test; the
 * formal benchmarks live elsewhere). Run:
 *
 *   npx jiti tests/main/chat-store/bench.ts [messages=100000]
 *
 * Builds a file with `messages` messages (50 conversations, one of them
 * 2,000 messages long with branches) through `importBundle`, then measures
 * opening the long conversation, searching, listing, and the streaming write.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChatStore } from '../../../src/main/services/chat/store'
import { makeBundle, type BundleConversation, type BundleMessage } from '../../../src/main/services/chat/export/bundle'

const total = Number(process.argv[2] ?? 100_000)
const conversationCount = 50
const longConversation = 2_000

/** A small deterministic generator, so runs are comparable. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rand = random(42)

// A 30,000-word vocabulary with a Zipf-like frequency, as in real text; a few words carry accents.
const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'do', 'gri', 'fen', 'tor', 'bel', 'sha', 'qui', 'mon', 'lar', 'ste', 'wun', 'ix']
const accented = ['pé', 'ça', 'nü']
const vocabulary: string[] = []
const seen = new Set<string>()
while (vocabulary.length < 30_000) {
  const length = 1 + Math.floor(rand() * 4)
  let word = ''
  for (let i = 0; i < length; i++) word += rand() < 0.03 ? accented[Math.floor(rand() * accented.length)] : syllables[Math.floor(rand() * syllables.length)]
  if (!seen.has(word)) {
    seen.add(word)
    vocabulary.push(word)
  }
}
// Frequent words are short in real languages (the, of, and…): rank by length.
vocabulary.sort((a, b) => a.length - b.length)
const cumulative: number[] = []
let sum = 0
for (let rank = 1; rank <= vocabulary.length; rank++) {
  sum += 1 / rank ** 1.05
  cumulative.push(sum)
}
function word(): string {
  const target = rand() * sum
  let low = 0
  let high = cumulative.length - 1
  while (low < high) {
    const mid = (low + high) >> 1
    if ((cumulative[mid] ?? 0) < target) low = mid + 1
    else high = mid
  }
  return vocabulary[low] ?? 'word'
}
function text(words: number): string {
  const parts: string[] = []
  for (let i = 0; i < words; i++) parts.push(i % 12 === 11 ? `${word()}.` : word())
  return parts.join(' ')
}

function conversation(index: number, size: number): BundleConversation {
  const messages: BundleMessage[] = []
  let parent: string | null = null
  const start = Date.UTC(2025, 0, 1) + index * 86_400_000
  for (let i = 0; i < size; i++) {
    const user = i % 2 === 0
    const id = `c${index}-m${i}`
    // Every 100th answer was regenerated once: a sibling with its own (short) text.
    if (!user && i % 100 === 1 && parent !== null) {
      messages.push(message(`${id}-v0`, parent, 'assistant', text(40), start + i * 1000))
    }
    messages.push(message(id, parent, user ? 'user' : 'assistant', text(user ? 5 + Math.floor(rand() * 55) : 50 + Math.floor(rand() * 350)), start + i * 1000 + 1))
    parent = id
  }
  return {
    id: `c${index}`,
    title: text(4),
    pinned: false,
    createdAt: start,
    updatedAt: start + size * 1000,
    activeLeafId: parent,
    settings: { model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true },
    messages
  }
}
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

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return `p50 ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, max ${at(1).toFixed(2)} ms (n=${samples.length})`
}
function time(work: () => void): number {
  const start = performance.now()
  work()
  return performance.now() - start
}

const dir = mkdtempSync(join(tmpdir(), 'skyport-bench-'))
const file = join(dir, 'chat.sqlite')
try {
  const conversations: BundleConversation[] = [conversation(0, longConversation)]
  const rest = Math.max(0, total - longConversation - longConversation / 100)
  for (let i = 1; i < conversationCount; i++) conversations.push(conversation(i, Math.round(rest / (conversationCount - 1))))
  const bundle = makeBundle(conversations, Date.now())
  const messageTotal = conversations.reduce((n, c) => n + c.messages.length, 0)

  let store = ChatStore.open(file)
  const importMs = time(() => store.importBundle(bundle))
  store.close()
  console.log(`import: ${messageTotal} messages in ${conversations.length} conversations, ${(importMs / 1000).toFixed(1)} s; file ${(statSync(file).size / 1e6).toFixed(0)} MB`)

  store = ChatStore.open(file)
  const opened: number[] = []
  let shown = 0
  for (let i = 0; i < 60; i++) opened.push(time(() => (shown = store.getConversation('c0').messages.length)))
  console.log(`getConversation (${shown} visible of ${conversations[0]?.messages.length} messages): ${stats(opened.slice(10))}`)

  const listed: number[] = []
  for (let i = 0; i < 60; i++) listed.push(time(() => store.listConversations()))
  console.log(`listConversations (${conversations.length}): ${stats(listed.slice(10))}`)

  // Queries as people type them: rare and common words, two or three words, unfinished words.
  const queries: string[] = []
  const pick = (from: number, to: number): string => vocabulary[from + Math.floor(rand() * (to - from))] ?? 'x'
  for (let i = 0; i < 40; i++) queries.push(pick(1_000, 30_000)) // uncommon word
  for (let i = 0; i < 20; i++) queries.push(pick(100, 1_000)) // fairly common word
  for (let i = 0; i < 10; i++) queries.push(pick(0, 100)) // very common word
  for (let i = 0; i < 30; i++) queries.push(`${pick(0, 2_000)} ${pick(0, 5_000)}`) // two words
  for (let i = 0; i < 20; i++) queries.push(`${pick(0, 500)} ${pick(0, 3_000)} ${pick(0, 10_000)}`) // three words
  for (let i = 0; i < 30; i++) queries.push(pick(0, 10_000).slice(0, 3)) // unfinished word
  for (let i = 0; i < 10; i++) queries.push(`${pick(0, 3_000)} ${pick(0, 10_000).slice(0, 4)}`) // word + unfinished word
  queries.push('"foo', 'AND OR (', 'NEAR(x y', 'café*', '-', '', 'pe', 'ça va')
  for (const query of queries) store.search(query) // warm the page cache
  const searched: number[] = []
  const perKind: Record<string, number[]> = {}
  let hits = 0
  for (let round = 0; round < 3; round++) {
    for (const [index, query] of queries.entries()) {
      const ms = time(() => (hits += store.search(query).length))
      searched.push(ms)
      const kind = index < 40 ? 'uncommon' : index < 60 ? 'fairly common' : index < 70 ? 'very common' : index < 100 ? 'two words' : index < 120 ? 'three words' : index < 150 ? 'prefix (3 letters)' : index < 160 ? 'word + prefix' : 'hostile'
      ;(perKind[kind] ??= []).push(ms)
    }
  }
  console.log(`search over ${messageTotal} messages, ${queries.length} queries × 3: ${stats(searched)}; ${Math.round(hits / 3)} hits per round`)
  for (const [kind, samples] of Object.entries(perKind)) console.log(`  ${kind.padEnd(20)} ${stats(samples)}`)

  const conversationId = store.createConversation({ model: 'm', systemPrompt: '', params: {}, stream: true }).id
  const streaming = store.addMessage({ conversationId, parentId: null, role: 'assistant', content: '', status: 'streaming' })
  let content = ''
  const writes: number[] = []
  for (let i = 0; i < 2_000; i++) {
    content += `${word()} `
    writes.push(time(() => store.updateMessageFast(streaming.id, content, '')))
  }
  console.log(`updateMessageFast (answer growing to ${content.length} chars): ${stats(writes)}`)
  const finish = time(() => store.updateMessage(streaming.id, { status: 'complete' }))
  console.log(`updateMessage to complete (indexes the answer): ${finish.toFixed(2)} ms`)

  const purge = time(() => {
    store.trashConversation('c0')
    store.purgeTrash()
  })
  console.log(`purge of a ${conversations[0]?.messages.length}-message conversation: ${purge.toFixed(1)} ms`)
  store.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
