import { describe, expect, it } from 'vitest'
import { caught, FakeClock, openStore, settings } from './helpers'

describe('ChatStore conversations', () => {
  it('creates a conversation with its settings, a default title and no messages', () => {
    const clock = new FakeClock()
    const store = openStore(undefined, clock)
    const conversation = store.createConversation({ model: 'deepseek-v3', systemPrompt: 'Be brief.', params: { temperature: 0.3 }, stream: false })
    expect(conversation).toEqual({
      id: expect.any(String),
      title: 'New chat',
      pinned: false,
      createdAt: clock.time,
      updatedAt: clock.time,
      model: 'deepseek-v3',
      messageCount: 0,
      settings: { model: 'deepseek-v3', systemPrompt: 'Be brief.', params: { temperature: 0.3 }, stream: false },
      messages: [],
      earlier: 0
    })
    expect(store.getConversation(conversation.id)).toEqual(conversation)
  })

  it('renames with the title trimmed to one line and refuses empty or over-long titles', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    expect(store.renameConversation(id, '  Trip\n to   Lisbon  ').title).toBe('Trip to Lisbon')
    expect(caught(() => store.renameConversation(id, '   '))).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/empty/) })
    expect(caught(() => store.renameConversation(id, 'x'.repeat(201)))).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/200/) })
    expect(store.renameConversation(id, 'y'.repeat(200)).title).toHaveLength(200)
    expect(caught(() => store.createConversation(settings, ''))).toMatchObject({ code: 'invalid_argument' })
  })

  it('lists pinned conversations first, then the most recently active', () => {
    const store = openStore()
    const a = store.createConversation(settings, 'A')
    const b = store.createConversation(settings, 'B')
    const c = store.createConversation(settings, 'C')
    expect(store.listConversations().map((item) => item.title)).toEqual(['C', 'B', 'A'])
    store.addMessage({ conversationId: a.id, parentId: null, role: 'user', content: 'news' })
    expect(store.listConversations().map((item) => item.title)).toEqual(['A', 'C', 'B'])
    expect(store.pinConversation(b.id, true).pinned).toBe(true)
    expect(store.listConversations().map((item) => [item.title, item.pinned])).toEqual([
      ['B', true],
      ['A', false],
      ['C', false]
    ])
    store.pinConversation(b.id, false)
    expect(store.listConversations().map((item) => item.title)).toEqual(['A', 'C', 'B'])
    expect(store.listConversations().find((item) => item.id === a.id)?.messageCount).toBe(1)
    expect(c.messageCount).toBe(0)
  })

  it('merges settings updates field by field, replaces params whole, and validates them', () => {
    const store = openStore()
    const { id } = store.createConversation({ ...settings, params: { temperature: 0.5, max_tokens: 100 } })
    const updated = store.updateConversationSettings(id, { model: 'claude-sonnet-4', params: { temperature: 0.5, max_tokens: 100, top_p: 0.9 } })
    expect(updated.settings).toEqual({ model: 'claude-sonnet-4', systemPrompt: '', params: { temperature: 0.5, max_tokens: 100, top_p: 0.9 }, stream: true })
    expect(store.updateConversationSettings(id, { stream: false, systemPrompt: 'Hi' }).settings).toMatchObject({ stream: false, systemPrompt: 'Hi', model: 'claude-sonnet-4' })
    expect(caught(() => store.updateConversationSettings(id, { params: { temperature: -1 } }))).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/temperature/) })
    expect(caught(() => store.updateConversationSettings(id, { params: { seed: 1 } as never }))).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/seed/) })
    expect(caught(() => store.updateConversationSettings(id, { model: ' ' }))).toMatchObject({ code: 'invalid_argument' })
    expect(store.getConversation(id).settings.model).toBe('claude-sonnet-4')
    // A param left out is removed, so the server's default applies again.
    expect(store.updateConversationSettings(id, { params: { max_tokens: 100, top_p: 0.9 } }).settings.params).toEqual({ max_tokens: 100, top_p: 0.9 })
  })

  it('says not_found for unknown ids and invalid_argument for malformed ones', () => {
    const store = openStore()
    expect(caught(() => store.getConversation('no-such-id'))).toMatchObject({ code: 'not_found' })
    expect(caught(() => store.getConversation('../../etc/passwd'))).toMatchObject({ code: 'invalid_argument' })
    expect(caught(() => store.getConversation(undefined as unknown as string))).toMatchObject({ code: 'invalid_argument' })
    expect(caught(() => store.getConversation('x'.repeat(500)))).toMatchObject({ code: 'invalid_argument' })
    expect(caught(() => store.createConversation(null as never))).toMatchObject({ code: 'invalid_argument' })
  })

  it('trashes, restores and purges', () => {
    const store = openStore()
    const keep = store.createConversation(settings, 'Keep')
    const gone = store.createConversation(settings, 'Gone')
    const back = store.createConversation(settings, 'Back')
    store.addMessage({ conversationId: gone.id, parentId: null, role: 'user', content: 'bye' })
    store.trashConversation(gone.id)
    store.trashConversation(back.id)
    expect(store.listConversations().map((item) => item.title)).toEqual(['Keep'])
    expect(caught(() => store.getConversation(gone.id))).toMatchObject({ code: 'not_found' })
    expect(caught(() => store.addMessage({ conversationId: gone.id, parentId: null, role: 'user', content: 'x' }))).toMatchObject({ code: 'not_found' })
    expect(store.restoreConversation(back.id).title).toBe('Back')
    expect(caught(() => store.restoreConversation(keep.id))).toMatchObject({ code: 'not_found' })
    expect(store.purgeTrash()).toBe(1)
    expect(store.purgeTrash()).toBe(0)
    expect(caught(() => store.restoreConversation(gone.id))).toMatchObject({ code: 'not_found' })
    expect(store.listConversations().map((item) => item.title).sort()).toEqual(['Back', 'Keep'])
  })
})

describe('ChatStore presets', () => {
  it('saves, updates, lists by name and deletes presets', () => {
    const clock = new FakeClock()
    const store = openStore(undefined, clock)
    const writer = store.savePreset({ name: 'Writer', systemPrompt: 'You write well.', params: { temperature: 1.1 }, model: null })
    expect(writer).toEqual({ id: expect.any(String), name: 'Writer', systemPrompt: 'You write well.', params: { temperature: 1.1 }, model: null, createdAt: clock.time })
    const coder = store.savePreset({ name: 'coder', systemPrompt: 'Code only.', params: {}, model: 'qwen3-coder' })
    expect(store.listPresets().map((preset) => preset.name)).toEqual(['coder', 'Writer'])
    const renamed = store.savePreset({ id: writer.id, name: 'Author', systemPrompt: 'You write.', params: { top_p: 0.5 }, model: 'gpt-4o' })
    expect(renamed).toEqual({ id: writer.id, name: 'Author', systemPrompt: 'You write.', params: { top_p: 0.5 }, model: 'gpt-4o', createdAt: writer.createdAt })
    expect(store.listPresets().map((preset) => preset.name)).toEqual(['Author', 'coder'])
    store.deletePreset(coder.id)
    expect(store.listPresets().map((preset) => preset.id)).toEqual([writer.id])
    expect(caught(() => store.deletePreset(coder.id))).toMatchObject({ code: 'not_found' })
    expect(caught(() => store.savePreset({ id: 'unknown', name: 'x', systemPrompt: '', params: {}, model: null }))).toMatchObject({ code: 'not_found' })
    expect(caught(() => store.savePreset({ name: '', systemPrompt: '', params: {}, model: null }))).toMatchObject({ code: 'invalid_argument' })
    expect(caught(() => store.savePreset({ name: 'x'.repeat(101), systemPrompt: '', params: {}, model: null }))).toMatchObject({ code: 'invalid_argument' })
  })

  it('removes conversations that never got a message, but keeps pinned ones and those with messages', () => {
    const store = openStore()
    const used = store.createConversation(settings, 'Used')
    store.addMessage({ conversationId: used.id, parentId: null, role: 'user', content: 'hello' })
    store.createConversation(settings)
    store.createConversation(settings)
    const pinned = store.createConversation(settings, 'Pinned')
    store.pinConversation(pinned.id, true)
    expect(store.purgeEmptyConversations()).toBe(2)
    expect(store.listConversations().map((item) => item.title).sort()).toEqual(['Pinned', 'Used'])
    expect(store.getConversation(used.id).messages).toHaveLength(1)
  })
})
