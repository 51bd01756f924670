import * as v from 'valibot'
import { PARAM_NAMES, PARAM_RANGES } from '@shared/limits'
import { chatParams } from '@shared/schemas'
import { flushSync } from 'svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import type { ChatTurn } from '@shared/contract'
import {
  exchange,
  installChatBackend,
  makeConversation,
  makeMessage,
  type FakeChatBackend
} from '../../views/chat/chat-fixtures'
import { ChatSession, parseParam, withParam } from './chat.svelte'
import { ConversationsStore } from './conversations.svelte'

let backend: FakeChatBackend
let conversations: ConversationsStore
let chat: ChatSession

beforeEach(() => {
  backend = installChatBackend()
  conversations = new ConversationsStore()
  chat = new ChatSession({ conversations, defaultModel: () => 'default-model' })
})

const contents = (): string[] => chat.messages.map((message) => `${message.role}:${message.content}`)

describe('ChatSession: sending and streaming', () => {
  it('registers the delta and ended listeners before invoking chat.send', async () => {
    backend.add(makeConversation({ id: 'c1' }))
    await chat.open('c1')
    await chat.send('Hi')
    expect(backend.listenersAtCall).toEqual([{ method: 'chat.send', delta: 1, ended: 1 }])
    // Registered once for the session, not once per send.
    backend.end(backend.lastRequestId('chat.send'), backend.lastAssistant('c1').id, { content: 'Hello' })
    await chat.send('Again')
    expect(backend.listenersAtCall.at(-1)).toEqual({ method: 'chat.send', delta: 1, ended: 1 })
  })

  it('adds the user and assistant messages and appends deltas to the answer only', async () => {
    backend.add(makeConversation({ id: 'c1', messages: exchange('c1', 1) }))
    await chat.open('c1')
    const before = chat.messages.slice()
    expect(await chat.send('Tell me a joke')).toBe(true)
    expect(chat.messages).toHaveLength(4)
    expect(chat.messages.slice(0, 2)).toEqual(before) // same objects: old rows are untouched
    const call = backend.bridge.callsOf('chat.send')[0]!
    expect(call).toEqual({ requestId: expect.any(String), conversationId: 'c1', content: 'Tell me a joke' })
    const answer = chat.messages[3]!
    expect(chat.streaming).toBe(true)
    expect(chat.isStreaming(answer.id)).toBe(true)

    backend.delta(call.requestId, answer.id, 'Why did', 'thinking…')
    backend.delta(call.requestId, answer.id, ' the chicken')
    expect(answer.content).toBe('Why did the chicken')
    expect(answer.reasoning).toBe('thinking…')
    expect(chat.messages[3]).toBe(answer)
    // The same text in its pieces, for the renderer to read only the new ones.
    expect(answer.streamed?.from(0)).toBe('Why did the chicken')
    expect(answer.streamed?.from('Why did'.length)).toBe(' the chicken')

    backend.end(call.requestId, answer.id, { content: 'Why did the chicken cross the road?', reasoning: 'thinking…' }, 'Chicken jokes')
    expect(answer.content).toBe('Why did the chicken cross the road?')
    expect(answer.streamed).toBeNull()
    expect(answer.status).toBe('complete')
    expect(chat.streaming).toBe(false)
    expect(chat.title).toBe('Chicken jokes')
  })

  it('shows the title main gives a new conversation as soon as the message is sent', async () => {
    backend.add(makeConversation({ id: 'c1' }))
    await chat.open('c1')
    backend.bridge.reply('chat.send', ({ requestId, conversationId, content }) => {
      const userMessage = makeMessage({ id: 'u', role: 'user', conversationId, content })
      const assistantMessage = makeMessage({ id: 'a', role: 'assistant', conversationId, status: 'streaming' })
      return { ok: true, result: { requestId, userMessage, assistantMessage, title: 'Why did the chicken' } satisfies ChatTurn }
    })
    await chat.send('Why did the chicken cross the road?')
    expect(chat.streaming).toBe(true)
    expect(chat.title).toBe('Why did the chicken')
  })

  it('keeps deltas and the end that arrive before chat.send returns', async () => {
    backend.add(makeConversation({ id: 'c1' }))
    await chat.open('c1')
    backend.bridge.reply('chat.send', ({ requestId, conversationId, content }) => {
      const userMessage = makeMessage({ id: 'u', role: 'user', conversationId, content })
      const assistantMessage = makeMessage({ id: 'a', role: 'assistant', conversationId, status: 'streaming' })
      backend.bridge.emit('chat.delta', { requestId, conversationId, messageId: 'a', content: 'early ', reasoning: '' })
      backend.bridge.emit('chat.delta', { requestId, conversationId, messageId: 'a', content: 'words', reasoning: '' })
      return { ok: true, result: { requestId, userMessage, assistantMessage, title: null } satisfies ChatTurn }
    })
    await chat.send('Hi')
    expect(chat.messages.at(-1)?.content).toBe('early words')
    expect(chat.streaming).toBe(true)
  })

  it('creates the conversation on the first send of a new chat, with the chosen settings', async () => {
    await conversations.load()
    chat.startDraft()
    expect(chat.settings.model).toBe('default-model')
    await chat.updateSettings({ model: 'claude-3-haiku' })
    expect(backend.bridge.callsOf('conversations.updateSettings')).toHaveLength(0)
    await chat.send('Hello')
    // Nothing opened before: send itself registered the listeners first.
    expect(backend.listenersAtCall).toEqual([{ method: 'chat.send', delta: 1, ended: 1 }])
    expect(backend.bridge.callsOf('conversations.create')).toEqual([{ settings: { model: 'claude-3-haiku' } }])
    expect(chat.id).toBe('new-1')
    expect(conversations.items.map((item) => item.id)).toEqual(['new-1'])
    expect(contents()).toEqual(['user:Hello', 'assistant:'])
  })

  it('blocks a second send while an answer streams, and stop aborts that request', async () => {
    backend.add(makeConversation({ id: 'c1' }))
    await chat.open('c1')
    await chat.send('One')
    expect(await chat.send('Two')).toBe(false)
    expect(backend.bridge.callsOf('chat.send')).toHaveLength(1)
    await chat.stop()
    const requestId = backend.lastRequestId('chat.send')
    expect(backend.bridge.callsOf('stream.abort')).toEqual([{ requestId }])
    backend.end(requestId, backend.lastAssistant('c1').id, { content: 'Partial', status: 'incomplete' })
    expect(chat.messages.at(-1)?.status).toBe('incomplete')
    expect(chat.messages.at(-1)?.content).toBe('Partial')
    expect(chat.busy).toBe(false)
  })

  it('shows an invoke error and frees the composer', async () => {
    backend.add(makeConversation({ id: 'c1' }))
    await chat.open('c1')
    backend.bridge.fail('chat.send', { code: 'invalid_argument', message: 'Message too long' })
    expect(await chat.send('x')).toBe(false)
    expect(chat.actionError?.code).toBe('invalid_argument')
    expect(chat.busy).toBe(false)
    expect(chat.streams).toEqual([])
  })

  it('keeps following a stream after switching away and back', async () => {
    backend.add(makeConversation({ id: 'c1' }), makeConversation({ id: 'c2', messages: exchange('c2', 1) }))
    await chat.open('c1')
    await chat.send('Long answer please')
    const requestId = backend.lastRequestId('chat.send')
    const answerId = backend.lastAssistant('c1').id
    await chat.open('c2')
    expect(chat.streaming).toBe(false)
    backend.delta(requestId, answerId, 'while away')
    await chat.open('c1')
    expect(chat.streaming).toBe(true)
    expect(chat.messages.at(-1)?.content).toBe('while away')
  })
})

describe('ChatSession: versions', () => {
  it('regenerate replaces the answer with its new version in place', async () => {
    backend.add(makeConversation({ id: 'c1', messages: [...exchange('c1', 1), ...exchange('c1', 2)] }))
    await chat.open('c1')
    await chat.regenerate('c1-a1')
    expect(backend.bridge.callsOf('chat.regenerate')).toEqual([{ requestId: expect.any(String), messageId: 'c1-a1' }])
    expect(contents()).toEqual(['user:Question 1', 'assistant:'])
    expect(chat.messages[1]?.versionIds).toEqual(['c1-a1', chat.messages[1]?.id])
    expect(backend.listenersAtCall.at(-1)).toMatchObject({ method: 'chat.regenerate', delta: 1, ended: 1 })
  })

  it('edit replaces the user message and everything below it', async () => {
    backend.add(makeConversation({ id: 'c1', messages: [...exchange('c1', 1), ...exchange('c1', 2)] }))
    await chat.open('c1')
    await chat.edit('c1-u2', 'Question two, better')
    expect(backend.bridge.callsOf('chat.edit')).toEqual([
      { requestId: expect.any(String), messageId: 'c1-u2', content: 'Question two, better' }
    ])
    expect(contents()).toEqual(['user:Question 1', 'assistant:Answer 1', 'user:Question two, better', 'assistant:'])
  })

  it('openAt switches to the version holding a search hit', async () => {
    const shown = makeConversation({ id: 'c1', messages: exchange('c1', 1) })
    const other = makeConversation({
      id: 'c1',
      messages: [exchange('c1', 1)[0]!, makeMessage({ id: 'c1-a1b', role: 'assistant', content: 'Other answer' })]
    })
    backend.add(shown)
    backend.versions.set('c1-a1b', other)
    expect(await chat.openAt('c1', 'c1-a1b')).toBe(true)
    expect(backend.bridge.callsOf('chat.switchVersion')).toEqual([{ messageId: 'c1-a1b' }])
    expect(chat.focus?.messageId).toBe('c1-a1b')
    expect(contents()).toEqual(['user:Question 1', 'assistant:Other answer'])

    // A hit already visible needs no switch.
    expect(await chat.openAt('c1', 'c1-u1')).toBe(true)
    expect(backend.bridge.callsOf('chat.switchVersion')).toHaveLength(1)
  })
})

describe('ChatSession: settings', () => {
  it('saves settings of the open conversation and applies presets', async () => {
    backend.add(makeConversation({ id: 'c1' }))
    await conversations.load()
    await chat.open('c1')
    await chat.updateSettings({ params: { temperature: 0.5 } })
    expect(chat.settings.params).toEqual({ temperature: 0.5 })
    await chat.applyPreset({
      id: 'p1',
      name: 'Terse',
      systemPrompt: 'Be terse.',
      params: { top_p: 0.9 },
      model: 'claude-3-haiku',
      createdAt: 0
    })
    expect(backend.bridge.callsOf('conversations.updateSettings').at(-1)).toEqual({
      id: 'c1',
      settings: { systemPrompt: 'Be terse.', params: { top_p: 0.9 }, model: 'claude-3-haiku' }
    })
    flushSync()
    expect(chat.settings.model).toBe('claude-3-haiku')
    expect(conversations.get('c1')?.model).toBe('claude-3-haiku')
  })

  it('validates parameters', () => {
    expect(parseParam('temperature', '3')).toMatchObject({ ok: false })
    expect(parseParam('temperature', '0.7')).toEqual({ ok: true, value: 0.7 })
    expect(parseParam('temperature', '')).toEqual({ ok: true, value: undefined })
    expect(parseParam('top_p', '1.5')).toMatchObject({ ok: false })
    expect(parseParam('top_k', '0')).toEqual({ ok: true, value: undefined })
    expect(parseParam('top_k', '40.5')).toMatchObject({ ok: false })
    expect(parseParam('top_k', '1001')).toMatchObject({ ok: false })
    expect(parseParam('max_tokens', '0')).toMatchObject({ ok: false })
    expect(parseParam('max_tokens', 'abc')).toMatchObject({ ok: false })
    expect(parseParam('max_tokens', '2048')).toEqual({ ok: true, value: 2048 })
    expect(withParam({ temperature: 1, top_k: 5 }, 'top_k', undefined)).toEqual({ temperature: 1 })
  })

  it('accepts exactly the parameter values main accepts', () => {
    for (const name of PARAM_NAMES) {
      const [min, max] = PARAM_RANGES[name]
      const probe = (value: number): boolean => v.is(chatParams, { [name]: value })
      for (const value of [min, max, min - 1, max + 0.5, max + 1, (min + max) / 2]) {
        expect(parseParam(name, String(value)).ok, `${name} = ${value}`).toBe(probe(value))
      }
    }
    expect(parseParam('max_tokens', '2000000')).toMatchObject({ ok: false, error: { message: 'Max tokens is a whole number from 1 to 1,000,000.' } })
  })
})
