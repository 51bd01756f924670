import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ConversationSummary } from '@shared/contract'
import { DAY, HOUR, installChatBackend, makeConversation, NOW } from '../../views/chat/chat-fixtures'
import { ConversationsStore, groupConversations, importText, transferFraction, transferText } from './conversations.svelte'
import { SearchStore } from './search.svelte'

function summary(id: string, updatedAt: number, pinned = false): ConversationSummary {
  return { id, title: id, pinned, createdAt: updatedAt, updatedAt, model: 'm', messageCount: 2 }
}

describe('groupConversations', () => {
  it('groups by local calendar day relative to now, pinned first, newest first', () => {
    const items = [
      summary('older-today', NOW - 14 * HOUR), // 01:00 today
      summary('today', NOW - HOUR),
      summary('yesterday-late', NOW - 16 * HOUR), // 23:00 yesterday
      summary('yesterday', NOW - DAY),
      summary('three-days', NOW - 3 * DAY),
      summary('seven-days', NOW - 7 * DAY),
      summary('eight-days', NOW - 8 * DAY),
      summary('thirty-days', NOW - 30 * DAY),
      summary('january', new Date(2025, 0, 20).getTime()),
      summary('january-late', new Date(2025, 0, 31, 22).getTime()),
      summary('last-year', new Date(2024, 11, 5).getTime()),
      summary('pinned-old', new Date(2023, 5, 1).getTime(), true)
    ]
    const groups = groupConversations(items, NOW)
    expect(groups.map((group) => [group.id, group.items.map((item) => item.id)])).toEqual([
      ['pinned', ['pinned-old']],
      ['today', ['today', 'older-today']],
      ['yesterday', ['yesterday-late', 'yesterday']],
      ['week', ['three-days', 'seven-days']],
      ['month', ['eight-days', 'thirty-days']],
      ['2025-01', ['january-late', 'january']],
      ['2024-12', ['last-year']]
    ])
    expect(groups.map((group) => group.label).slice(0, 5)).toEqual([
      'Pinned',
      'Today',
      'Yesterday',
      'Previous 7 days',
      'Previous 30 days'
    ])
    expect(groups[5]?.label).toMatch(/January.*2025/)
  })

  it('leaves out empty groups', () => {
    expect(groupConversations([summary('a', NOW)], NOW).map((group) => group.id)).toEqual(['today'])
    expect(groupConversations([], NOW)).toEqual([])
  })
})

describe('ConversationsStore', () => {
  it('renames, pins, deletes and restores through main', async () => {
    const backend = installChatBackend()
    backend.add(
      makeConversation({ id: 'a', title: 'Alpha', updatedAt: NOW }),
      makeConversation({ id: 'b', title: 'Beta', updatedAt: NOW - HOUR })
    )
    const store = new ConversationsStore({ now: () => NOW })
    await store.load()
    expect(store.ordered.map((item) => item.id)).toEqual(['a', 'b'])

    await store.rename('b', 'Better')
    expect(store.get('b')?.title).toBe('Better')

    await store.setPinned('b', true)
    expect(store.groups[0]).toMatchObject({ id: 'pinned', items: [expect.objectContaining({ id: 'b' })] })
    expect(store.neighbour('b', 1)?.id).toBe('a')
    expect(store.neighbour('a', -1)?.id).toBe('b')
    expect(store.neighbour(null, 1)?.id).toBe('b')

    await store.remove('a')
    expect(store.items.map((item) => item.id)).toEqual(['b'])
    await store.restore('a')
    expect(store.items.map((item) => item.id).sort()).toEqual(['a', 'b'])
    expect(backend.bridge.callsOf('conversations.restore')).toEqual([{ id: 'a' }])
  })

  it('reloads after an import and says what came in', async () => {
    const backend = installChatBackend()
    const store = new ConversationsStore()
    const result = await store.importFile()
    expect(importText(result)).toBe('Imported 3 conversations (41 messages)')
    expect(importText({ path: 'x', conversations: 1, messages: 1, skipped: 0 })).toBe('Imported 1 conversation (1 message)')
    expect(backend.bridge.callsOf('conversations.list')).toHaveLength(1)

    backend.bridge.respond('conversations.import', { path: null, conversations: 0, messages: 0, skipped: 0 })
    await store.importFile()
    expect(backend.bridge.callsOf('conversations.list')).toHaveLength(1)
  })

  it('says how many conversations were skipped because they are already here', () => {
    expect(importText({ path: 'x', conversations: 3, messages: 41, skipped: 2 })).toBe('Imported 3 conversations (41 messages); 2 were already here and were skipped')
    expect(importText({ path: 'x', conversations: 1, messages: 4, skipped: 1 })).toBe('Imported 1 conversation (4 messages); 1 was already here and was skipped')
    expect(importText({ path: 'x', conversations: 0, messages: 0, skipped: 5 })).toBe('Nothing new: all 5 conversations in this file are already here')
    expect(importText({ path: 'x', conversations: 0, messages: 0, skipped: 1 })).toBe('Nothing new: the conversation in this file is already here')
  })

  it('follows the progress of its own import while it runs, and forgets it after', async () => {
    const backend = installChatBackend()
    const store = new ConversationsStore()
    let finish: () => void = () => undefined
    backend.bridge.reply('conversations.import', () => new Promise((resolve) => (finish = () => resolve({ ok: true, result: { path: '/f.json', conversations: 2, messages: 8, skipped: 0 } }))))
    const importing = store.importFile()
    await vi.waitFor(() => expect(backend.bridge.callsOf('conversations.import')).toHaveLength(1))
    backend.bridge.emit('transfer.progress', { operation: 'import', phase: 'checking', done: 50, total: 200 })
    expect(store.transfer).toEqual({ operation: 'import', phase: 'checking', done: 50, total: 200 })
    // Another window's export is not this import.
    backend.bridge.emit('transfer.progress', { operation: 'export', phase: 'exporting', done: 1, total: 9 })
    expect(store.transfer?.operation).toBe('import')
    backend.bridge.emit('transfer.progress', { operation: 'import', phase: 'importing', done: 1, total: 2 })
    expect(transferText(store.transfer!)).toBe('Importing 1 of 2 conversations')
    expect(transferFraction(store.transfer!)).toBe(0.5)
    finish()
    await importing
    expect(store.transfer).toBeNull()
    backend.bridge.emit('transfer.progress', { operation: 'import', phase: 'importing', done: 2, total: 2 })
    expect(store.transfer).toBeNull()
  })
})

describe('SearchStore', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('searches once typing pauses and drops stale answers', async () => {
    vi.useFakeTimers()
    const backend = installChatBackend()
    backend.hits = [
      {
        conversationId: 'c1',
        conversationTitle: 'Trip',
        messageId: 'm1',
        role: 'user',
        snippet: [{ text: 'kyoto', match: true }],
        createdAt: NOW
      }
    ]
    const search = new SearchStore({ delayMs: 150 })
    search.setQuery('k')
    search.setQuery('ky')
    search.setQuery('kyo')
    await vi.advanceTimersByTimeAsync(100)
    expect(backend.bridge.callsOf('conversations.search')).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(100)
    expect(backend.bridge.callsOf('conversations.search')).toEqual([{ query: 'kyo', limit: 50 }])
    expect(search.hits).toHaveLength(1)

    search.setQuery('   ')
    expect(search.hits).toEqual([])
    expect(search.active).toBe(false)
  })
})
