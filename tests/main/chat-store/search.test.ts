import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import type { SearchHit, SnippetPart } from '../../../src/shared/contract'
import { makeBundle } from '../../../src/main/services/chat/export/bundle'
import { makeSnippet, toSearchQuery } from '../../../src/main/services/chat/db/search-query'
import { closeStore, openStore, settings, tempDbFile } from './helpers'
import type { ChatStore } from '../../../src/main/services/chat/store'

const marked = (parts: SnippetPart[]): string => parts.map((part) => (part.match ? `[${part.text}]` : part.text)).join('')
const texts = (hits: SearchHit[]): string[] => hits.map((hit) => marked(hit.snippet))

function seed(store: ChatStore): { trip: string; code: string } {
  const trip = store.createConversation(settings, 'Lisbon trip').id
  const q = store.addMessage({ conversationId: trip, parentId: null, role: 'user', content: 'Where should I eat in Lisbon? I love a good café.' })
  store.addMessage({ conversationId: trip, parentId: q.id, role: 'assistant', content: 'Try the pastéis de nata near Belém, then a cafe in Alfama for the view.' })
  const code = store.createConversation(settings, 'SQLite help').id
  const c = store.addMessage({ conversationId: code, parentId: null, role: 'user', content: 'How do I enable write-ahead logging in SQLite?' })
  store.addMessage({ conversationId: code, parentId: c.id, role: 'assistant', content: 'Run PRAGMA journal_mode=WAL once; writing then appends to the log.' })
  return { trip, code }
}

describe('ChatStore search', () => {
  it('shows snippets as plain text, without the markdown around the words', () => {
    const store = openStore()
    const id = store.createConversation(settings, 'Formatting').id
    store.addMessage({
      conversationId: id,
      parentId: null,
      role: 'assistant',
      content: '## Kyoto\n\n**Kyoto** has [temples](https://example.com/temples) and `gardens`.\n\n| City | Sight |\n| --- | --- |\n| Kyoto | Gion |\n\n- first _item_'
    })
    expect(texts(store.search('kyoto'))).toEqual(['[Kyoto] [Kyoto] has temples and gardens. City Sight [Kyoto] Gion first item'])
  })

  it('finds words across conversations, with the title, role and highlighted parts', () => {
    const store = openStore()
    const { trip, code } = seed(store)
    const hits = store.search('lisbon')
    expect(hits).toHaveLength(1)
    expect(hits[0]).toMatchObject({ conversationId: trip, conversationTitle: 'Lisbon trip', role: 'user', createdAt: expect.any(Number) })
    expect(texts(hits)).toEqual(['Where should I eat in [Lisbon]? I love a good café.'])
    const sqlite = store.search('sqlite')
    expect(sqlite.map((hit) => hit.conversationId)).toEqual([code])
    expect(store.search('nothing-like-this-anywhere')).toEqual([])
  })

  it('matches the last word as a prefix unless a space follows it, and needs every word', () => {
    const store = openStore()
    seed(store)
    expect(texts(store.search('writ'))).toEqual(
      expect.arrayContaining(['How do I enable [write]-ahead logging in SQLite?', 'Run PRAGMA journal_mode=WAL once; [writing] then appends to the log.'])
    )
    expect(store.search('writ ')).toEqual([])
    expect(texts(store.search('wal log'))).toEqual(['Run PRAGMA journal_mode=[WAL] once; writing then appends to the [log].'])
    expect(store.search('wal lisbon')).toEqual([])
  })

  it('ignores accents and case in both directions', () => {
    const store = openStore()
    seed(store)
    expect(texts(store.search('CAFE ')).sort()).toEqual(['Try the pastéis de nata near Belém, then a [cafe] in Alfama for the view.', 'Where should I eat in Lisbon? I love a good [café].'].sort())
    expect(texts(store.search('belem'))).toEqual(['Try the pastéis de nata near [Belém], then a cafe in Alfama for the view.'])
    expect(texts(store.search('Pasteis'))).toEqual(['Try the [pastéis] de nata near Belém, then a cafe in Alfama for the view.'])
  })

  it('never throws on hostile or odd input', () => {
    const store = openStore()
    seed(store)
    const hostile = ['"foo', 'AND OR (', 'NEAR(a b', '*', 'content:wal', 'a"b', '(((', '-wal', '^wal', '\u0000', '"', "'", 'x'.repeat(10_000), '🙂', 'wal*"*', 'OR', 'NOT wal', '{col}: x', '\u0001\u0002', '']
    for (const query of hostile) expect(() => store.search(query)).not.toThrow()
    expect(store.search('')).toEqual([])
    expect(store.search('   ')).toEqual([])
    // Operators are ordinary words, quotes and brackets are ignored.
    expect(store.search('content:wal').length).toBe(0)
    expect(texts(store.search('"wal'))).toEqual(['Run PRAGMA journal_mode=[WAL] once; writing then appends to the log.'])
    expect(texts(store.search('(wal)'))).toEqual(['Run PRAGMA journal_mode=[WAL] once; writing then appends to the log.'])
  })

  it('leaves out trashed conversations and answers still streaming, keeping the index consistent', () => {
    const file = tempDbFile()
    const store = openStore(file)
    const { trip, code } = seed(store)
    store.trashConversation(trip)
    expect(store.search('cafe')).toEqual([])
    expect(store.search('sqlite').length).toBe(1)
    store.restoreConversation(trip)
    expect(store.search('cafe').length).toBe(2)

    const q = store.getConversation(code).messages[1]
    const streaming = store.addMessage({ conversationId: code, parentId: q?.id ?? null, role: 'assistant', content: '', status: 'streaming' })
    store.updateMessageFast(streaming.id, 'Checkpointing moves pages back', '')
    expect(store.search('checkpointing')).toEqual([])
    store.updateMessage(streaming.id, { status: 'complete' })
    expect(texts(store.search('checkpointing'))).toEqual(['[Checkpointing] moves pages back'])
    store.updateMessage(streaming.id, { content: 'Rewritten entirely' })
    expect(store.search('checkpointing')).toEqual([])
    expect(store.search('rewritten')).toHaveLength(1)
    store.trashConversation(code)
    store.purgeTrash()
    expect(store.search('rewritten')).toEqual([])
    // FTS5 compares its index with the messages table and throws on any difference.
    const db = new DatabaseSync(file)
    expect(() => db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")).not.toThrow()
    db.close()
  })

  it('persists the index across a re-open', () => {
    const file = tempDbFile()
    const store = openStore(file)
    seed(store)
    closeStore(store)
    const again = openStore(file)
    expect(texts(again.search('alfam'))).toEqual(['Try the pastéis de nata near Belém, then a cafe in [Alfama] for the view.'])
  })

  it('ranks the closest match first and honours the limit', () => {
    const store = openStore()
    const { id } = store.createConversation(settings, 'Ranking')
    let parentId: string | null = null
    for (let i = 0; i < 30; i++) {
      parentId = store.addMessage({ conversationId: id, parentId, role: 'user', content: `filler text number ${i} about many other things and a rust mention` }).id
    }
    const best = store.addMessage({ conversationId: id, parentId, role: 'assistant', content: 'rust rust rust' })
    const hits = store.search('rust', 10)
    expect(hits).toHaveLength(10)
    expect(hits[0]?.messageId).toBe(best.id)
    expect(store.search('rust', 1000)).toHaveLength(31)
  })

  it('lists the most recent first for a word found in more than 5,000 messages', () => {
    const store = openStore()
    const messages = Array.from({ length: 5_100 }, (_, i) => ({
      id: `m${i}`,
      parentId: i === 0 ? null : `m${i - 1}`,
      role: 'user',
      content: i === 10 ? 'common common common thrice' : i === 20 ? 'common thrice and more words here' : `common word ${i}`,
      createdAt: 1_000 + i
    }))
    store.importBundle(
      makeBundle([{ id: 'big', title: 'Big', pinned: false, createdAt: 1_000, updatedAt: 9_000, activeLeafId: null, settings, messages: messages as never }], 0)
    )
    const hits = store.search('common', 3)
    expect(hits.map((hit) => hit.messageId)).toEqual(['m5099', 'm5098', 'm5097'])
    // With fewer matches, bm25 ranks them again: the thrice-repeated word first.
    expect(store.search('common thrice')[0]?.messageId).toBe('m10')
    expect(store.search('word 11 ').map((hit) => hit.messageId)).toEqual(['m11'])
  })
})

describe('search query and snippets', () => {
  it('quotes every word and marks the last as a prefix', () => {
    expect(toSearchQuery('hello wor')?.match).toBe('"hello" "wor"*')
    expect(toSearchQuery('hello wor ')?.match).toBe('"hello" "wor"')
    expect(toSearchQuery('say "hi" AND (x')?.match).toBe('"say" """hi""" "AND" "(x"')
    expect(toSearchQuery('a')?.match).toBe('"a"')
    expect(toSearchQuery('... --- !!!')).toBeNull()
    expect(toSearchQuery('Café-Crème')?.phrases).toEqual([{ tokens: ['cafe', 'creme'], prefix: true }])
  })

  it('cuts a one-line window around the matches', () => {
    const long = `${'intro '.repeat(40)}the key point is here\n\nwith   spaces ${'outro '.repeat(40)}`
    const parts = makeSnippet(long, toSearchQuery('key poi')?.phrases ?? [])
    const text = marked(parts)
    expect(text.startsWith('…')).toBe(true)
    expect(text.endsWith('…')).toBe(true)
    expect(text).toContain('the [key] [point] is here with spaces')
    expect(text).not.toContain('\n')
    expect(marked(makeSnippet('no match at all', [{ tokens: ['zzz'], prefix: false }]))).toBe('no match at all')
    expect(makeSnippet('', [])).toEqual([])
  })
})
