import { describe, expect, it } from 'vitest'
import type { MessageRecord } from '../../../src/shared/contract'
import { OPEN_TAIL_CHARS } from '../../../src/main/services/chat/store'
import { caught, closeStore, FakeClock, openStore, settings, tempDbFile } from './helpers'

const contents = (messages: MessageRecord[]): string[] => messages.map((message) => message.content)

describe('ChatStore message tree', () => {
  it('adds messages as a thread, moving the active leaf and the conversation time', () => {
    const clock = new FakeClock()
    const store = openStore(undefined, clock)
    const { id } = store.createConversation(settings)
    const question = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'What is WAL?' })
    const answer = store.addMessage({
      conversationId: id,
      parentId: question.id,
      role: 'assistant',
      content: 'Write-ahead logging.',
      reasoning: 'The person asks about SQLite.',
      model: 'gpt-4o-mini',
      finishReason: 'stop',
      usage: { promptTokens: 5, completionTokens: 4, totalTokens: 9 }
    })
    expect(answer).toEqual({
      id: answer.id,
      conversationId: id,
      parentId: question.id,
      role: 'assistant',
      content: 'Write-ahead logging.',
      reasoning: 'The person asks about SQLite.',
      attachments: [],
      model: 'gpt-4o-mini',
      status: 'complete',
      error: null,
      finishReason: 'stop',
      usage: { promptTokens: 5, completionTokens: 4, totalTokens: 9 },
      createdAt: clock.time,
      updatedAt: clock.time,
      versionIds: [answer.id],
      versionIndex: 0
    })
    const conversation = store.getConversation(id)
    expect(contents(conversation.messages)).toEqual(['What is WAL?', 'Write-ahead logging.'])
    expect(conversation.updatedAt).toBe(answer.createdAt)
    expect(conversation.messageCount).toBe(2)
    expect(store.thread(id)).toEqual(conversation.messages)
    expect(store.getMessage(answer.id)).toEqual(answer)
  })

  it('pathTo gives the messages down to any message, shown or not', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    const q = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Name a colour' })
    const a1 = store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: 'Red' })
    const follow = store.addMessage({ conversationId: id, parentId: a1.id, role: 'user', content: 'Why red?' })
    const a2 = store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: 'Blue' })
    expect(contents(store.thread(id))).toEqual(['Name a colour', 'Blue'])
    expect(store.pathTo(follow.id).map((message) => message.id)).toEqual([q.id, a1.id, follow.id])
    expect(store.pathTo(a2.id)[1]).toMatchObject({ content: 'Blue', versionIds: [a1.id, a2.id], versionIndex: 1 })
    expect(caught(() => store.pathTo('missing')).code).toBe('not_found')
  })

  it('a transaction keeps all of its writes or none', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    expect(caught(() =>
      store.transaction(() => {
        const q = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Kept only with its answer' })
        store.renameConversation(id, 'Renamed')
        store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: 'x', status: 'not a status' as never })
      })
    ).code).toBe('invalid_argument')
    expect(store.getConversation(id)).toMatchObject({ title: 'New chat', messages: [] })
    const added = store.transaction(() => store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Kept' }))
    expect(contents(store.thread(id))).toEqual([added.content])
  })

  it('keeps regenerated answers as versions and shows the newest', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    const q = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Name a colour' })
    const a1 = store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: 'Red' })
    const a2 = store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: 'Blue' })
    expect(a2.versionIds).toEqual([a1.id, a2.id])
    expect(a2.versionIndex).toBe(1)
    const thread = store.thread(id)
    expect(contents(thread)).toEqual(['Name a colour', 'Blue'])
    expect(thread[1]).toMatchObject({ versionIds: [a1.id, a2.id], versionIndex: 1 })
    expect(thread[0]).toMatchObject({ versionIds: [q.id], versionIndex: 0 })
    const switched = store.switchVersion(a1.id)
    expect(contents(switched.messages)).toEqual(['Name a colour', 'Red'])
    expect(switched.messages[1]?.versionIndex).toBe(0)
    expect(store.getMessage(a1.id)).toMatchObject({ versionIds: [a1.id, a2.id], versionIndex: 0 })
  })

  it('keeps edited questions as versions with their own subtrees; switching shows the newest leaf below', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    const q1 = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Plan a trip to Rome' })
    const a1 = store.addMessage({ conversationId: id, parentId: q1.id, role: 'assistant', content: 'Rome plan' })
    const f1 = store.addMessage({ conversationId: id, parentId: a1.id, role: 'user', content: 'Add museums' })
    const g1 = store.addMessage({ conversationId: id, parentId: f1.id, role: 'assistant', content: 'Vatican museums' })
    // The person edits the first question: a sibling root with its own answers.
    const q2 = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Plan a trip to Paris' })
    const a2 = store.addMessage({ conversationId: id, parentId: q2.id, role: 'assistant', content: 'Paris plan' })
    const a2b = store.addMessage({ conversationId: id, parentId: q2.id, role: 'assistant', content: 'Paris plan, shorter' })

    let conversation = store.getConversation(id)
    expect(contents(conversation.messages)).toEqual(['Plan a trip to Paris', 'Paris plan, shorter'])
    expect(conversation.messages[0]).toMatchObject({ versionIds: [q1.id, q2.id], versionIndex: 1 })

    conversation = store.switchVersion(q1.id)
    expect(contents(conversation.messages)).toEqual(['Plan a trip to Rome', 'Rome plan', 'Add museums', 'Vatican museums'])
    expect(conversation.messages.at(-1)?.id).toBe(g1.id)
    expect(conversation.messageCount).toBe(4)
    expect(store.listConversations()[0]?.messageCount).toBe(4)

    // Back to Paris: the newest leaf below it is the shorter plan, not the first one.
    conversation = store.switchVersion(q2.id)
    expect(conversation.messages.map((message) => message.id)).toEqual([q2.id, a2b.id])
    expect(store.switchVersion(a2.id).messages.map((message) => message.id)).toEqual([q2.id, a2.id])

    // A regenerated answer deep in the Rome branch becomes the visible leaf.
    const g2 = store.addMessage({ conversationId: id, parentId: f1.id, role: 'assistant', content: 'Capitoline museums' })
    conversation = store.getConversation(id)
    expect(conversation.messages.map((message) => message.id)).toEqual([q1.id, a1.id, f1.id, g2.id])
    expect(conversation.messages[3]).toMatchObject({ versionIds: [g1.id, g2.id], versionIndex: 1 })
    expect(store.switchVersion(q1.id).messages.at(-1)?.id).toBe(g2.id)
  })

  it('opens with only the end of the visible thread, and gives the rest root first from the message above which it stopped', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    let parentId: string | null = null
    const ids: string[] = []
    for (let n = 0; n < 10; n++) {
      const message = store.addMessage({ conversationId: id, parentId, role: n % 2 === 0 ? 'user' : 'assistant', content: `m${n}` })
      ids.push(message.id)
      parentId = message.id
    }
    // Another version of m3, with its own answer: switching back to the first shows the ten again.
    const other = store.addMessage({ conversationId: id, parentId: ids[2] ?? null, role: 'assistant', content: 'm3 again' })
    store.addMessage({ conversationId: id, parentId: other.id, role: 'user', content: 'm4 again' })
    store.switchVersion(ids[3] ?? '')

    const whole = store.getConversation(id)
    expect(contents(whole.messages)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'])
    expect(whole.earlier).toBe(0)

    const end = store.getConversation(id, { last: 4 })
    expect(contents(end.messages)).toEqual(['m6', 'm7', 'm8', 'm9'])
    expect(end.earlier).toBe(6)
    expect(end.messageCount).toBe(10)
    expect(end.messages[0]).toEqual(whole.messages[6])

    const above = store.threadAbove(id, end.messages[0]?.id ?? '')
    expect([...above, ...end.messages]).toEqual(whole.messages)
    // Versions are those of the thread above that message, whatever is visible now.
    expect(above[3]).toMatchObject({ id: ids[3], versionIds: [ids[3], other.id], versionIndex: 0 })
    expect(store.threadAbove(id, ids[0] ?? '')).toEqual([])
    expect(store.getConversation(id, { last: 50 }).earlier).toBe(0)
  })

  it('opens a thread of long messages with fewer than asked, never with none, and refuses a message of another conversation', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    let parentId: string | null = null
    for (let n = 0; n < 6; n++) {
      parentId = store.addMessage({ conversationId: id, parentId, role: n % 2 === 0 ? 'user' : 'assistant', content: `${n}`.repeat(OPEN_TAIL_CHARS / 2 - 10) }).id
    }
    const end = store.getConversation(id, { last: 30 })
    // Two messages hold the budget but do not reach it: the third, which crosses it, is kept too.
    expect(end.messages.map((message) => message.content[0])).toEqual(['3', '4', '5'])
    expect(end.earlier).toBe(3)

    const huge = store.createConversation(settings)
    store.addMessage({ conversationId: huge.id, parentId: null, role: 'user', content: 'x'.repeat(OPEN_TAIL_CHARS * 2) })
    expect(store.getConversation(huge.id, { last: 30 }).messages).toHaveLength(1)

    const elsewhere = store.getConversation(huge.id).messages[0]?.id ?? ''
    expect(caught(() => store.threadAbove(id, elsewhere))).toMatchObject({ code: 'not_found', message: 'That message is not in this conversation.' })
    expect(caught(() => store.threadAbove('nope', elsewhere))).toMatchObject({ code: 'not_found' })
  })

  it('refuses a parent from another conversation, unknown ids and oversized content', () => {
    const store = openStore()
    const a = store.createConversation(settings)
    const b = store.createConversation(settings)
    const inA = store.addMessage({ conversationId: a.id, parentId: null, role: 'user', content: 'hi' })
    expect(caught(() => store.addMessage({ conversationId: b.id, parentId: inA.id, role: 'assistant', content: 'x' }))).toMatchObject({ code: 'not_found' })
    expect(caught(() => store.addMessage({ conversationId: a.id, parentId: 'nope', role: 'assistant', content: 'x' }))).toMatchObject({ code: 'not_found' })
    expect(caught(() => store.addMessage({ conversationId: a.id, parentId: null, role: 'tool' as never, content: 'x' }))).toMatchObject({ code: 'invalid_argument' })
    expect(caught(() => store.addMessage({ conversationId: a.id, parentId: null, role: 'user', content: 'x'.repeat(1_048_577) }))).toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/longer than/)
    })
    expect(caught(() => store.addMessage({ conversationId: a.id, parentId: null, role: 'user', content: 'x', attachments: [{ kind: 'image', url: 'https://evil.example/x.png' }] as never }))).toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/media/)
    })
    expect(caught(() => store.getMessage('nope'))).toMatchObject({ code: 'not_found' })
    expect(caught(() => store.switchVersion('nope'))).toMatchObject({ code: 'not_found' })
    expect(caught(() => store.updateMessage('nope', { content: 'x' }))).toMatchObject({ code: 'not_found' })
    expect(caught(() => store.updateMessageFast('nope', 'x', ''))).toMatchObject({ code: 'not_found' })
    expect(caught(() => store.updateMessageFast(inA.id, 'x'.repeat(1_048_577), ''))).toMatchObject({ code: 'invalid_argument' })
    expect(store.thread(a.id)).toHaveLength(1)
  })

  it('keeps attachments and errors as given', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    const attachment = { id: 'att-1', kind: 'image' as const, url: '/media/attachments/att-1.webp', mime: 'image/webp', width: 640, height: 480, name: 'cat.webp', bytes: 12345 }
    const q = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'What is this?', attachments: [attachment] })
    const a = store.addMessage({
      conversationId: id,
      parentId: q.id,
      role: 'assistant',
      content: '',
      status: 'error',
      error: { code: 'rate_limited', message: 'Rate limit reached.', status: 429, retryAfterMs: 56_000 }
    })
    const thread = store.thread(id)
    expect(thread[0]?.attachments).toEqual([attachment])
    expect(thread[1]).toMatchObject({ id: a.id, status: 'error', error: { code: 'rate_limited', message: 'Rate limit reached.', status: 429, retryAfterMs: 56_000 } })
  })

  it('updates only the fields given, and can clear the error', () => {
    const clock = new FakeClock()
    const store = openStore(undefined, clock)
    const { id } = store.createConversation(settings)
    const q = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Hi' })
    const a = store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: '', model: 'm1', status: 'streaming' })
    const failed = store.updateMessage(a.id, { status: 'error', error: { code: 'timeout', message: 'Too slow.' } })
    expect(failed).toMatchObject({ status: 'error', error: { code: 'timeout', message: 'Too slow.' }, content: '', model: 'm1' })
    const done = store.updateMessage(a.id, { content: 'Hello!', status: 'complete', error: null, finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 }, model: 'm2' })
    expect(done).toMatchObject({ content: 'Hello!', status: 'complete', error: null, finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 }, model: 'm2', reasoning: '' })
    expect(done.updatedAt).toBe(clock.time)
    expect(done.createdAt).toBe(a.createdAt)
    expect(caught(() => store.updateMessage(a.id, { status: 'done' as never }))).toMatchObject({ code: 'invalid_argument' })
    expect(caught(() => store.updateMessage(a.id, { usage: { promptTokens: -1 } as never }))).toMatchObject({ code: 'invalid_argument' })
  })

  it('marks answers left streaming by a crash as incomplete, keeping their text', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    const q = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Tell me a story' })
    const a = store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: '', status: 'streaming' })
    store.updateMessageFast(a.id, 'Once upon a', '')
    expect(store.markInterruptedStreams()).toBe(1)
    expect(store.getMessage(a.id)).toMatchObject({ status: 'incomplete', content: 'Once upon a' })
    expect(store.markInterruptedStreams()).toBe(0)
  })

  it('saves a streaming answer as it grows, and a re-open shows it', () => {
    const file = tempDbFile()
    const store = openStore(file)
    const { id } = store.createConversation(settings)
    const q = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Count' })
    const a = store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: '', status: 'streaming' })
    let content = ''
    let reasoning = ''
    for (let i = 0; i < 500; i++) {
      content += `${i} `
      if (i < 20) reasoning += 'hm '
      store.updateMessageFast(a.id, content, reasoning)
    }
    closeStore(store)
    const again = openStore(file)
    expect(again.getMessage(a.id)).toMatchObject({ content, reasoning, status: 'streaming' })
    again.markInterruptedStreams()
    expect(again.getConversation(id).messages.at(-1)).toMatchObject({ content, status: 'incomplete' })
  })

  it('handles a 2,000-message thread: reads it whole and purges it (no recursion limit)', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    let parentId: string | null = null
    for (let i = 0; i < 2_000; i++) parentId = store.addMessage({ conversationId: id, parentId, role: i % 2 === 0 ? 'user' : 'assistant', content: `message ${i}` }).id
    const conversation = store.getConversation(id)
    expect(conversation.messages).toHaveLength(2_000)
    expect(conversation.messageCount).toBe(2_000)
    expect(conversation.messages[1_999]?.content).toBe('message 1999')
    store.trashConversation(id)
    expect(store.purgeTrash()).toBe(1)
    expect(store.search('message')).toEqual([])
  })

  it('deletes a version and what follows it, showing the version before; deleting the last one stops the thread at its parent', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    const q = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Q' })
    const a1 = store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: 'A1' })
    const a2 = store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: 'A2' })
    const q2 = store.addMessage({ conversationId: id, parentId: a2.id, role: 'user', content: 'Q2' })
    store.addMessage({ conversationId: id, parentId: q2.id, role: 'assistant', content: 'A3' })
    expect(contents(store.thread(id))).toEqual(['Q', 'A2', 'Q2', 'A3'])

    const after = store.deleteMessage(a2.id)
    expect(contents(after.messages)).toEqual(['Q', 'A1'])
    expect(after.messages[1]?.versionIds).toEqual([a1.id])
    expect(caught(() => store.getMessage(q2.id))).toMatchObject({ code: 'not_found' })
    // Search forgets the deleted messages.
    expect(store.search('Q2')).toEqual([])

    expect(contents(store.deleteMessage(a1.id).messages)).toEqual(['Q'])
    expect(contents(store.deleteMessage(q.id).messages)).toEqual([])
    expect(caught(() => store.deleteMessage(q.id))).toMatchObject({ code: 'not_found' })
  })

  it('refuses to delete a message while an answer below it is being written', () => {
    const store = openStore()
    const { id } = store.createConversation(settings)
    const q = store.addMessage({ conversationId: id, parentId: null, role: 'user', content: 'Q' })
    store.addMessage({ conversationId: id, parentId: q.id, role: 'assistant', content: '', status: 'streaming' })
    expect(caught(() => store.deleteMessage(q.id))).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/Stop it first/) })
    expect(contents(store.thread(id))).toEqual(['Q', ''])
  })

  it('forks a conversation at a message: a new one with that branch only and the same settings', () => {
    const store = openStore()
    const source = store.createConversation({ ...settings, systemPrompt: 'Be brief.' }, 'Trip')
    const q = store.addMessage({ conversationId: source.id, parentId: null, role: 'user', content: 'Q' })
    store.addMessage({ conversationId: source.id, parentId: q.id, role: 'assistant', content: 'A-old' })
    const a = store.addMessage({ conversationId: source.id, parentId: q.id, role: 'assistant', content: 'A', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } })
    store.addMessage({ conversationId: source.id, parentId: a.id, role: 'user', content: 'Later' })

    const fork = store.forkConversation(a.id)
    expect(fork.id).not.toBe(source.id)
    expect(fork.title).toBe('Trip (fork)')
    expect(fork.settings.systemPrompt).toBe('Be brief.')
    expect(contents(fork.messages)).toEqual(['Q', 'A'])
    expect(fork.messages[1]?.versionIds).toHaveLength(1)
    expect(fork.messages[1]?.usage).toEqual({ promptTokens: 1, completionTokens: 2, totalTokens: 3 })
    expect(fork.messages.map((m) => m.id)).not.toContain(a.id)
    // The source is untouched.
    expect(contents(store.thread(source.id))).toEqual(['Q', 'A', 'Later'])
  })
})
