/**
 * Test helpers for the chat screen: message and conversation builders, and a
 * small in-memory chat backend answering `conversations.*`, `chat.*`,
 * `presets.*` and `attachments.*` over the fake bridge, so component tests go
 * through the real envelope and error decoding.
 */
import type {
  Attachment,
  ChatRole,
  ChatTurn,
  Conversation,
  ConversationSettings,
  ConversationSummary,
  MessageRecord,
  Preset,
  SearchHit
} from '@shared/contract'
import { installFakeBridge, makeSettingsState, type FakeBridge } from '../../test-support/fake-bridge'

/** 2025-03-14 15:00 local time: every fixture is relative to it. */
export const NOW = new Date(2025, 2, 14, 15, 0, 0).getTime()
export const HOUR = 3_600_000
export const DAY = 24 * HOUR

export function makeMessage(fields: Partial<MessageRecord> & { id: string; role: ChatRole }): MessageRecord {
  return {
    conversationId: 'c1',
    parentId: null,
    content: '',
    reasoning: '',
    attachments: [],
    model: fields.role === 'assistant' ? 'gpt-4o-mini' : null,
    status: 'complete',
    error: null,
    finishReason: fields.role === 'assistant' ? 'stop' : null,
    usage: null,
    createdAt: NOW,
    updatedAt: NOW,
    versionIds: [fields.id],
    versionIndex: 0,
    ...fields
  }
}

export const defaultConversationSettings: ConversationSettings = {
  model: 'gpt-4o-mini',
  systemPrompt: '',
  params: {},
  stream: true
}

export function makeConversation(
  fields: Partial<Omit<Conversation, 'settings'>> & { id: string; settings?: Partial<ConversationSettings> }
): Conversation {
  const messages = (fields.messages ?? []).map((message) => ({ ...message, conversationId: fields.id }))
  return {
    title: 'New chat',
    pinned: false,
    createdAt: NOW - HOUR,
    updatedAt: NOW - HOUR,
    model: fields.settings?.model ?? 'gpt-4o-mini',
    messageCount: messages.length,
    earlier: 0,
    ...fields,
    settings: { ...defaultConversationSettings, ...fields.settings },
    messages
  }
}

/** A user question and its answer. */
export function exchange(conversationId: string, n: number, text = `Question ${n}`): MessageRecord[] {
  return [
    makeMessage({ id: `${conversationId}-u${n}`, role: 'user', content: text, conversationId }),
    makeMessage({ id: `${conversationId}-a${n}`, role: 'assistant', content: `Answer ${n}`, conversationId })
  ]
}

export function makeAttachment(id: string, name = `${id}.png`): Attachment {
  return { id, kind: 'image', url: `/media/attachments/${id}.png`, mime: 'image/png', width: 64, height: 64, name, bytes: 1234 }
}

export function summaryOf(conversation: Conversation): ConversationSummary {
  const { id, title, pinned, createdAt, updatedAt, model, messageCount } = conversation
  return { id, title, pinned, createdAt, updatedAt, model, messageCount }
}

/** An in-memory backend behind the fake bridge. Tests read and change its maps directly. */
export class FakeChatBackend {
  readonly bridge: FakeBridge
  readonly conversations = new Map<string, Conversation>()
  readonly trash = new Map<string, Conversation>()
  presets: Preset[] = []
  /** What `chat.switchVersion` answers, by message id. */
  readonly versions = new Map<string, Conversation>()
  /** What `conversations.search` answers. */
  hits: SearchHit[] = []
  /** How many `chat.delta` / `chat.ended` listeners existed when each chat.* turn was invoked. */
  readonly listenersAtCall: { method: string; delta: number; ended: number }[] = []
  #next = 1

  constructor(bridge: FakeBridge) {
    this.bridge = bridge
    const ok = <R>(result: R): { ok: true; result: R } => ({ ok: true, result: structuredClone(result) })
    const missing = (id: string) => ({ ok: false as const, error: { code: 'not_found' as const, message: `No conversation ${id}` } })

    bridge.reply('conversations.list', () =>
      ok([...this.conversations.values()].map(summaryOf).sort((a, b) => b.updatedAt - a.updatedAt))
    )
    bridge.reply('conversations.get', ({ id, last }) => {
      const conversation = this.conversations.get(id)
      if (!conversation) return missing(id)
      const messages = last === undefined ? conversation.messages : conversation.messages.slice(-last)
      return ok({ ...conversation, messages, earlier: conversation.messages.length - messages.length })
    })
    bridge.reply('conversations.earlier', ({ id, before }) => {
      const conversation = this.conversations.get(id)
      if (!conversation) return missing(id)
      const index = conversation.messages.findIndex((message) => message.id === before)
      return index === -1 ? missing(before) : ok(conversation.messages.slice(0, index))
    })
    bridge.reply('conversations.create', (args) => {
      const conversation = makeConversation({
        id: `new-${this.#next++}`,
        createdAt: NOW,
        updatedAt: NOW,
        settings: { ...args?.settings }
      })
      this.conversations.set(conversation.id, conversation)
      return ok(conversation)
    })
    bridge.reply('conversations.rename', ({ id, title }) => {
      const conversation = this.conversations.get(id)
      if (!conversation) return missing(id)
      conversation.title = title
      return ok(summaryOf(conversation))
    })
    bridge.reply('conversations.pin', ({ id, pinned }) => {
      const conversation = this.conversations.get(id)
      if (!conversation) return missing(id)
      conversation.pinned = pinned
      return ok(summaryOf(conversation))
    })
    bridge.reply('conversations.delete', ({ id }) => {
      const conversation = this.conversations.get(id)
      if (!conversation) return missing(id)
      this.conversations.delete(id)
      this.trash.set(id, conversation)
      return ok({ id })
    })
    bridge.reply('conversations.restore', ({ id }) => {
      const conversation = this.trash.get(id)
      if (!conversation) return missing(id)
      this.trash.delete(id)
      this.conversations.set(id, conversation)
      return ok(summaryOf(conversation))
    })
    bridge.reply('conversations.updateSettings', ({ id, settings }) => {
      const conversation = this.conversations.get(id)
      if (!conversation) return missing(id)
      conversation.settings = { ...conversation.settings, ...settings }
      conversation.model = conversation.settings.model
      return ok(conversation)
    })
    bridge.reply('conversations.search', () => ok(this.hits))
    bridge.reply('conversations.export', ({ id, format }) =>
      ok({ path: `/home/me/${id}.${format === 'json' ? 'json' : 'md'}`, count: 1 })
    )
    bridge.reply('conversations.exportAll', () => ok({ path: '/home/me/skyport-export.json', count: this.conversations.size }))
    bridge.reply('conversations.import', () => ok({ path: '/home/me/import.json', conversations: 3, messages: 41, skipped: 0 }))

    bridge.reply('chat.send', ({ requestId, conversationId, content, attachmentIds }) => {
      this.#noteListeners('chat.send')
      const conversation = this.conversations.get(conversationId)
      if (!conversation) return missing(conversationId)
      const parent = conversation.messages.at(-1)?.id ?? null
      const userMessage = makeMessage({
        id: `m${this.#next++}`,
        role: 'user',
        conversationId,
        parentId: parent,
        content,
        attachments: (attachmentIds ?? []).map((id) => makeAttachment(id))
      })
      const assistantMessage = this.#assistant(conversationId, userMessage.id)
      conversation.messages.push(userMessage, assistantMessage)
      return ok<ChatTurn>({ requestId, userMessage, assistantMessage, title: null })
    })
    // A web answer (GlobalAsk): the same turn, answered by `globalask`.
    bridge.reply('ask.send', ({ requestId, conversationId, content }) => {
      this.#noteListeners('ask.send')
      const conversation = this.conversations.get(conversationId)
      if (!conversation) return missing(conversationId)
      const userMessage = makeMessage({ id: `m${this.#next++}`, role: 'user', conversationId, parentId: conversation.messages.at(-1)?.id ?? null, content })
      const assistantMessage = { ...this.#assistant(conversationId, userMessage.id), model: 'globalask' }
      conversation.messages.push(userMessage, assistantMessage)
      return ok<ChatTurn>({ requestId, userMessage, assistantMessage, title: null })
    })
    bridge.reply('chat.regenerate', ({ requestId, messageId }) => {
      this.#noteListeners('chat.regenerate')
      const found = this.#locate(messageId)
      if (!found) return missing(messageId)
      const [conversation, index, old] = found
      const assistantMessage = this.#assistant(conversation.id, old.parentId)
      assistantMessage.versionIds = [...old.versionIds, assistantMessage.id]
      assistantMessage.versionIndex = assistantMessage.versionIds.length - 1
      conversation.messages.splice(index, conversation.messages.length - index, assistantMessage)
      return ok<ChatTurn>({ requestId, userMessage: null, assistantMessage, title: null })
    })
    bridge.reply('chat.edit', ({ requestId, messageId, content }) => {
      this.#noteListeners('chat.edit')
      const found = this.#locate(messageId)
      if (!found) return missing(messageId)
      const [conversation, index, old] = found
      const userMessage = makeMessage({ id: `m${this.#next++}`, role: 'user', conversationId: conversation.id, parentId: old.parentId, content })
      userMessage.versionIds = [...old.versionIds, userMessage.id]
      userMessage.versionIndex = userMessage.versionIds.length - 1
      const assistantMessage = this.#assistant(conversation.id, userMessage.id)
      conversation.messages.splice(index, conversation.messages.length - index, userMessage, assistantMessage)
      return ok<ChatTurn>({ requestId, userMessage, assistantMessage, title: null })
    })
    bridge.reply('chat.switchVersion', ({ messageId }) => {
      const conversation = this.versions.get(messageId)
      if (!conversation) return { ok: false, error: { code: 'not_found', message: `No version ${messageId}` } }
      this.conversations.set(conversation.id, conversation)
      return ok(conversation)
    })
    // The visible thread only: deleting cuts it at the message (the fake keeps no other versions).
    bridge.reply('chat.deleteMessage', ({ messageId }) => {
      const found = this.#locate(messageId)
      if (!found) return missing(messageId)
      const [conversation, index] = found
      conversation.messages.splice(index)
      conversation.messageCount = conversation.messages.length
      return ok(conversation)
    })
    bridge.reply('chat.fork', ({ messageId }) => {
      const found = this.#locate(messageId)
      if (!found) return missing(messageId)
      const [source, index] = found
      const id = `fork-${this.#next++}`
      const messages = source.messages.slice(0, index + 1).map((message, i) => ({ ...message, id: `${id}-m${i}`, conversationId: id }))
      const fork = makeConversation({ id, title: `${source.title} (fork)`, createdAt: NOW, updatedAt: NOW, messages })
      this.conversations.set(id, fork)
      return ok(fork)
    })
    bridge.reply('chat.continue', ({ requestId, messageId }) => {
      this.#noteListeners('chat.continue')
      const found = this.#locate(messageId)
      if (!found) return missing(messageId)
      const [conversation, index, old] = found
      const assistantMessage = { ...old, status: 'streaming' as const, finishReason: null }
      conversation.messages[index] = assistantMessage
      return ok<ChatTurn>({ requestId, userMessage: null, assistantMessage, title: null })
    })
    bridge.respond('stream.abort', () => ({ aborted: true }))

    bridge.reply('presets.list', () => ok(this.presets))
    bridge.reply('presets.save', (args) => {
      const preset: Preset = { id: args.id ?? `p${this.#next++}`, name: args.name, systemPrompt: args.systemPrompt, params: args.params, model: args.model || null, createdAt: NOW }
      this.presets = [...this.presets.filter((p) => p.id !== preset.id), preset]
      return ok(preset)
    })
    bridge.reply('presets.delete', ({ id }) => {
      this.presets = this.presets.filter((preset) => preset.id !== id)
      return ok({ id })
    })

    bridge.reply('attachments.pick', () => ok([makeAttachment('picked-1', 'photo.png')]))
    bridge.reply('attachments.add', ({ name }) => ok(makeAttachment(`added-${this.#next++}`, name)))
  }

  add(...conversations: Conversation[]): this {
    for (const conversation of conversations) this.conversations.set(conversation.id, structuredClone(conversation))
    return this
  }

  /** The request id of the last call to `method`. */
  lastRequestId(method: 'chat.send' | 'chat.regenerate' | 'chat.edit' | 'chat.continue' | 'ask.send'): string {
    const call = this.bridge.callsOf(method).at(-1)
    if (!call) throw new Error(`${method} was not called`)
    return call.requestId
  }

  /** The assistant message the last turn created. */
  lastAssistant(conversationId: string): MessageRecord {
    const message = this.conversations.get(conversationId)?.messages.at(-1)
    if (!message) throw new Error('no messages')
    return message
  }

  delta(requestId: string, messageId: string, content: string, reasoning = ''): void {
    const message = this.#locate(messageId)?.[2]
    this.bridge.emit('chat.delta', { requestId, conversationId: message?.conversationId ?? '', messageId, content, reasoning })
  }

  /** Ends a stream with the message as saved (fields merged over the last known record). */
  end(requestId: string, messageId: string, fields: Partial<MessageRecord>, title: string | null = null): MessageRecord {
    const found = this.#locate(messageId)
    if (!found) throw new Error(`unknown message ${messageId}`)
    const [, index, old] = found
    const message: MessageRecord = { ...old, status: 'complete', ...fields }
    found[0].messages[index] = message
    if (title !== null) found[0].title = title
    this.bridge.emit('chat.ended', { requestId, message: structuredClone(message), title })
    return message
  }

  #noteListeners(method: string): void {
    this.listenersAtCall.push({
      method,
      delta: this.bridge.listenerCount('chat.delta'),
      ended: this.bridge.listenerCount('chat.ended')
    })
  }

  #assistant(conversationId: string, parentId: string | null): MessageRecord {
    return makeMessage({ id: `m${this.#next++}`, role: 'assistant', conversationId, parentId, status: 'streaming', finishReason: null })
  }

  #locate(messageId: string): [Conversation, number, MessageRecord] | undefined {
    for (const conversation of this.conversations.values()) {
      const index = conversation.messages.findIndex((message) => message.id === messageId)
      const message = conversation.messages[index]
      if (message) return [conversation, index, message]
    }
    return undefined
  }
}

/** A fake bridge with chat preferences in its settings and the chat backend installed. */
export function installChatBackend(chat: { enterSends?: boolean; showAdFooters?: boolean } = {}): FakeChatBackend {
  const bridge = installFakeBridge(
    makeSettingsState({
      settings: { chat: { enterSends: chat.enterSends ?? true, showAdFooters: chat.showAdFooters ?? false } },
      key: { set: true, last4: 'abcd' }
    })
  )
  return new FakeChatBackend(bridge)
}

/**
 * happy-dom lays nothing out, so the virtual list would see a 0 px viewport
 * and mount no rows. This ResizeObserver reports every observed element at
 * `size`, which gives the list a real viewport; rows keep virtua's estimate.
 */
export function stubResizeObserver(size: { width: number; height: number } = { width: 900, height: 800 }): () => void {
  const original = window.ResizeObserver
  class SizedResizeObserver {
    #callback: ResizeObserverCallback
    constructor(callback: ResizeObserverCallback) {
      this.#callback = callback
    }
    observe(target: Element): void {
      const entry = { target, contentRect: { ...size, top: 0, left: 0, bottom: size.height, right: size.width, x: 0, y: 0 } }
      queueMicrotask(() => this.#callback([entry as unknown as ResizeObserverEntry], this as unknown as ResizeObserver))
    }
    unobserve(): void {}
    disconnect(): void {}
  }
  window.ResizeObserver = SizedResizeObserver as unknown as typeof ResizeObserver
  return () => {
    window.ResizeObserver = original
  }
}
