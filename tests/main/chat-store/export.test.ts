import { describe, expect, it } from 'vitest'
import type { Attachment } from '../../../src/shared/contract'
import type { ChatStore } from '../../../src/main/services/chat/store'
import type { ConversationBundle } from '../../../src/main/services/chat/export/bundle'
import { conversationToMarkdown } from '../../../src/main/services/chat/export/markdown'
import { caught, openStore, settings } from './helpers'

const photo: Attachment = { id: 'att-1', kind: 'image', url: '/media/attachments/att-1(crop).webp', mime: 'image/webp', width: 800, height: 600, name: 'beach [1].webp', bytes: 54321 }

/** Two conversations: one with edited questions, regenerated answers, reasoning, an image, an error; one pinned and plain. */
function seed(store: ChatStore): { trip: string; notes: string } {
  const trip = store.createConversation({ model: 'gpt-4o', systemPrompt: 'You plan trips.', params: { temperature: 0.7, max_tokens: 800 }, stream: true }, 'Trip ideas').id
  const q1 = store.addMessage({ conversationId: trip, parentId: null, role: 'user', content: 'Where to go in May?', attachments: [photo] })
  const a1 = store.addMessage({
    conversationId: trip,
    parentId: q1.id,
    role: 'assistant',
    content: 'Lisbon is lovely in May.',
    reasoning: 'Spring, mild weather, **not** too crowded.',
    model: 'gpt-4o',
    finishReason: 'stop',
    usage: { promptTokens: 20, completionTokens: 7, totalTokens: 27 }
  })
  store.addMessage({ conversationId: trip, parentId: q1.id, role: 'assistant', content: '', model: 'gpt-4o', status: 'error', error: { code: 'rate_limited', message: 'Rate limit reached.', status: 429 } })
  const f = store.addMessage({ conversationId: trip, parentId: a1.id, role: 'user', content: 'And for food?' })
  store.addMessage({ conversationId: trip, parentId: f.id, role: 'assistant', content: 'Pastéis de nata.', model: 'gpt-4o', status: 'incomplete' })
  const q2 = store.addMessage({ conversationId: trip, parentId: null, role: 'user', content: 'Where to go in June?' })
  store.addMessage({ conversationId: trip, parentId: q2.id, role: 'assistant', content: 'Norway.', model: 'gpt-4o-mini' })
  store.switchVersion(a1.id)
  const notes = store.createConversation(settings, 'Notes').id
  store.addMessage({ conversationId: notes, parentId: null, role: 'system', content: 'Answer in French.' })
  store.pinConversation(notes, true)
  return { trip, notes }
}

/** The bundle with ids replaced by their order of appearance, so two imports can be compared. */
function withoutIds(bundle: ConversationBundle): unknown {
  const names = new Map<string, string>()
  const name = (id: string | null): string | null => {
    if (id === null) return null
    if (!names.has(id)) names.set(id, `#${names.size}`)
    return names.get(id) ?? null
  }
  return {
    ...bundle,
    exportedAt: 'any',
    conversations: bundle.conversations.map((conversation) => ({
      ...conversation,
      id: name(conversation.id),
      messages: conversation.messages.map((message) => ({ ...message, id: name(message.id), parentId: name(message.parentId) })),
      activeLeafId: name(conversation.activeLeafId)
    }))
  }
}

describe('export and import', () => {
  it('round-trips every conversation, version and field through JSON', () => {
    const source = openStore()
    const { trip } = seed(source)
    const bundle = source.exportAll()
    expect(bundle).toMatchObject({ format: 'skyport.conversations', version: 1, exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })
    expect(bundle.conversations.map((conversation) => conversation.messages.length)).toEqual([7, 1])
    const file = JSON.parse(JSON.stringify(bundle)) as unknown

    const target = openStore()
    expect(target.importBundle(file)).toEqual({ conversations: 2, messages: 8, skipped: 0 })
    expect({ ...target.exportAll(), exportedAt: 'any' }).toEqual({ ...bundle, exportedAt: 'any' })
    // Same ids, same visible thread and versions, same list order.
    expect(target.getConversation(trip)).toEqual(source.getConversation(trip))
    expect(target.listConversations()).toEqual(source.listConversations())
  })

  it('skips conversations already here unchanged, and says how many', () => {
    const store = openStore()
    seed(store)
    const bundle = JSON.parse(JSON.stringify(store.exportAll())) as ConversationBundle
    const before = store.exportAll()
    expect(store.importBundle(bundle)).toEqual({ conversations: 0, messages: 0, skipped: 2 })
    expect(store.importBundle(bundle)).toEqual({ conversations: 0, messages: 0, skipped: 2 })
    expect({ ...store.exportAll(), exportedAt: 'any' }).toEqual({ ...before, exportedAt: 'any' })
    // Renamed or pinned since the export: still the same messages, still skipped.
    const notes = before.conversations[1]?.id ?? ''
    store.renameConversation(notes, 'Renamed since')
    store.pinConversation(notes, false)
    expect(store.importBundle(bundle)).toMatchObject({ conversations: 0, skipped: 2 })
  })

  it('imports a conversation again when its messages changed since the export, or it is in the trash', () => {
    const store = openStore()
    const { trip, notes } = seed(store)
    const bundle = JSON.parse(JSON.stringify(store.exportAll())) as ConversationBundle
    // A new answer in one, the other deleted (in the trash until the next start).
    const leaf = store.getConversation(trip).messages.at(-1)?.id ?? null
    store.addMessage({ conversationId: trip, parentId: leaf, role: 'user', content: 'One more question' })
    store.trashConversation(notes)
    expect(store.importBundle(bundle)).toEqual({ conversations: 2, messages: 8, skipped: 0 })
    expect(store.listConversations().map((conversation) => conversation.title).sort()).toEqual(['Notes', 'Trip ideas', 'Trip ideas'])
    // An edited message (same ids, a later updatedAt) counts as changed too.
    const other = openStore()
    other.importBundle(bundle)
    const edited = patchMessage(bundle, 0, 0, { updatedAt: (bundle.conversations[0]?.messages[0]?.updatedAt ?? 0) + 1 })
    expect(other.importBundle(edited)).toEqual({ conversations: 1, messages: 7, skipped: 1 })
  })

  it('gives new ids when they are taken, keeping parents and the visible thread consistent', () => {
    const store = openStore()
    const { trip } = seed(store)
    // Edited since the export (every message a moment later): copies are imported rather than skipped.
    const bundle = store.exportAll()
    for (const conversation of bundle.conversations) conversation.messages = conversation.messages.map((message) => ({ ...message, updatedAt: message.updatedAt + 1 }))
    expect(store.importBundle(bundle)).toEqual({ conversations: 2, messages: 8, skipped: 0 })
    expect(store.listConversations()).toHaveLength(4)
    const all = store.exportAll()
    const originalIds = new Set(bundle.conversations.map((conversation) => conversation.id))
    const originals = all.conversations.filter((conversation) => originalIds.has(conversation.id))
    const copies = all.conversations.filter((conversation) => !originalIds.has(conversation.id))
    expect(withoutIds({ ...all, conversations: copies })).toEqual(withoutIds({ ...bundle, exportedAt: all.exportedAt }))
    expect(originals.map((conversation) => conversation.messages.length)).toEqual(copies.map((conversation) => conversation.messages.length))
    const copy = copies.find((conversation) => conversation.title === 'Trip ideas')
    const copied = store.getConversation(copy?.id ?? '')
    const original = store.getConversation(trip)
    expect(copied.messages.map((message) => message.content)).toEqual(original.messages.map((message) => message.content))
    expect(copied.messages.map((message) => message.versionIndex)).toEqual(original.messages.map((message) => message.versionIndex))
    expect(new Set(copied.messages.map((message) => message.id)).isDisjointFrom(new Set(original.messages.map((message) => message.id)))).toBe(true)
  })

  it('exports a single conversation', () => {
    const store = openStore()
    const { notes } = seed(store)
    const bundle = store.exportConversation(notes)
    expect(bundle.conversations).toHaveLength(1)
    expect(bundle.conversations[0]).toMatchObject({ id: notes, title: 'Notes', pinned: true, settings, messages: [{ role: 'system', content: 'Answer in French.', parentId: null }] })
  })

  it.each<[string, (bundle: ConversationBundle) => unknown, RegExp]>([
    ['not an object', () => 'hello', /not a JSON object/],
    ['another format', (bundle) => ({ ...bundle, format: 'chatbox' }), /not a Skyport export/],
    ['a newer version', (bundle) => ({ ...bundle, version: 2 }), /newer Skyport/],
    ['no conversation list', (bundle) => ({ ...bundle, conversations: {} }), /no "conversations" list/],
    ['a bad role', (bundle) => patchMessage(bundle, 1, 2, { role: 'tool' }), /conversations\[1\]\.messages\[2\]\.role must be one of/],
    ['a missing parent', (bundle) => patchMessage(bundle, 1, 3, { parentId: 'ghost' }), /conversations\[1\]\.messages\[3\]\.parentId names a message that is not in this conversation/],
    ['a loop', (bundle) => patchMessage(bundle, 1, 0, { parentId: bundle.conversations[1]?.messages[3]?.id }), /loop/],
    ['a duplicate id', (bundle) => patchMessage(bundle, 1, 1, { id: bundle.conversations[1]?.messages[0]?.id }), /appears twice/],
    ['content too long', (bundle) => patchMessage(bundle, 1, 0, { content: 'x'.repeat(1_048_577) }), /content is longer than/],
    ['a remote image', (bundle) => patchMessage(bundle, 1, 0, { attachments: [{ ...photo, url: 'https://tracker.example/p.png' }] }), /\/media\/ path/],
    ['a bad timestamp', (bundle) => patchMessage(bundle, 1, 0, { createdAt: 'yesterday' }), /createdAt must be a time/],
    ['an unknown leaf', (bundle) => patchConversation(bundle, 1, { activeLeafId: 'ghost' }), /activeLeafId names a message/],
    ['a long title', (bundle) => patchConversation(bundle, 1, { title: 't'.repeat(201) }), /title is longer than 200/],
    ['bad settings', (bundle) => patchConversation(bundle, 1, { settings: { ...settings, params: { temperature: 'hot' } } }), /settings\.params\.temperature/],
    ['a malformed id', (bundle) => patchConversation(bundle, 1, { id: '<script>' }), /conversations\[1\]\.id is missing or malformed/]
  ])('refuses a bundle with %s, says why and writes nothing', (_, spoil, message) => {
    const source = openStore()
    seed(source)
    // The bad part is in the second conversation (the trip): the first must not be written either.
    const bundle = source.exportAll()
    bundle.conversations.reverse()
    const target = openStore()
    target.createConversation(settings, 'Already here')
    const before = target.exportAll()
    const error = caught(() => target.importBundle(spoil(structuredClone(bundle))))
    expect(error).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(message) })
    expect({ ...target.exportAll(), exportedAt: 'any' }).toEqual({ ...before, exportedAt: 'any' })
  })

  it('imports an answer exported mid-stream as incomplete', () => {
    const store = openStore()
    const { notes } = seed(store)
    const bundle = patchMessage(store.exportConversation(notes), 0, 0, { status: 'streaming' }) as ConversationBundle
    const target = openStore()
    target.importBundle(bundle)
    expect(target.getConversation(notes).messages[0]?.status).toBe('incomplete')
  })
})

describe('conversationToMarkdown', () => {
  it('writes the visible thread with headings, reasoning folded and images linked', () => {
    const store = openStore()
    const { trip } = seed(store)
    const conversation = store.getConversation(trip)
    expect(conversationToMarkdown(conversation)).toBe(
      [
        '# Trip ideas',
        '',
        `Model: \`gpt-4o\` · Date: ${new Date(conversation.createdAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        '',
        '<details>\n<summary>System prompt</summary>\n\nYou plan trips.\n\n</details>',
        '',
        '### You',
        '',
        'Where to go in May?',
        '',
        '![beach \\[1\\].webp](/media/attachments/att-1%28crop%29.webp)',
        '',
        '### Assistant (gpt-4o)',
        '',
        '<details>\n<summary>Reasoning</summary>\n\nSpring, mild weather, **not** too crowded.\n\n</details>',
        '',
        'Lisbon is lovely in May.',
        '',
        '### You',
        '',
        'And for food?',
        '',
        '### Assistant (gpt-4o)',
        '',
        'Pastéis de nata.',
        '',
        '*(The answer was stopped before it finished.)*',
        ''
      ].join('\n')
    )
  })

  it('notes a failed answer and a system message', () => {
    const store = openStore()
    const { trip, notes } = seed(store)
    const failed = store.getConversation(trip).messages[1]?.versionIds[1] ?? ''
    const markdown = conversationToMarkdown(store.switchVersion(failed))
    expect(markdown).toContain('### Assistant (gpt-4o)\n\n*(Error: Rate limit reached.)*')
    expect(conversationToMarkdown(store.getConversation(notes))).toContain('### System\n\nAnswer in French.\n')
  })
})

function patchConversation(bundle: ConversationBundle, index: number, patch: Record<string, unknown>): unknown {
  const conversations = bundle.conversations.map((conversation, at) => (at === index ? { ...conversation, ...patch } : conversation))
  return { ...bundle, conversations }
}

function patchMessage(bundle: ConversationBundle, conversationIndex: number, messageIndex: number, patch: Record<string, unknown>): unknown {
  const conversations = bundle.conversations.map((conversation, at) =>
    at === conversationIndex ? { ...conversation, messages: conversation.messages.map((message, m) => (m === messageIndex ? { ...message, ...patch } : message)) } : conversation
  )
  return { ...bundle, conversations }
}
