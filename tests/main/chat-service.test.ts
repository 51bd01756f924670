/**
 * The chat service against the fake gateway over loopback HTTP, with a real
 * SQLite file and real attachment files.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EventSink } from '../../src/main/bridge'
import { AttachmentStore } from '../../src/main/services/attachments'
import { ChatService, MAX_ANSWER_CHARS } from '../../src/main/services/chat/chat-service'
import { makeBundle, type BundleMessage } from '../../src/main/services/chat/export/bundle'
import { LIMITS } from '../../src/main/services/chat/store-validate'
import { ChatStore } from '../../src/main/services/chat/store'
import { createLogger } from '../../src/main/services/log'
import { GatewayClient } from '../../src/main/services/gateway'
import { HttpClient } from '../../src/main/services/http/client'
import { defaultSettings } from '../../src/main/services/settings-schema'
import { StreamRegistry } from '../../src/main/services/streams'
import type { Attachment, ChatEnded, ChatDelta, ChatTurn, ConversationSettings, EventName, PayloadOf, Settings } from '../../src/shared/contract'
import { startFakeApi, type FakeApi } from '../fake-api/server'

let fake: FakeApi
beforeAll(async () => {
  fake = await startFakeApi({ chunkDelayMs: 1 })
})
afterAll(async () => {
  await fake.close()
})

interface Harness {
  /** The SQLite file behind `store`. */
  file: string
  /** Where `attachments` keeps its files. */
  mediaDir: string
  store: ChatStore
  chat: ChatService
  streams: StreamRegistry
  settings: Settings
  events: Array<{ event: EventName; payload: unknown }>
  sink: EventSink
  ended(requestId: string): Promise<ChatEnded>
  deltas(requestId: string): ChatDelta[]
  http: HttpClient
  attachments: AttachmentStore
  /** What the service logged, one `level text` line each. */
  logged: string[]
}

let harness: Harness

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'skyport-chat-'))
  const settings: Settings = structuredClone({ ...defaultSettings, baseUrl: fake.url })
  const http = new HttpClient(() => ({ baseUrl: fake.url, apiKey: 'sk-test', timeouts: { connectMs: 2_000, headersMs: 5_000, idleMs: 2_000 }, proxy: settings.proxy }))
  const file = join(dir, 'chat.db')
  const store = ChatStore.open(file)
  const streams = new StreamRegistry()
  const events: Harness['events'] = []
  const logged: string[] = []
  const waiters = new Map<string, (ended: ChatEnded) => void>()
  const sink: EventSink = {
    id: 1,
    send<E extends EventName>(event: E, payload: PayloadOf<E>) {
      events.push({ event, payload })
      if (event === 'chat.ended') {
        const ended = payload as ChatEnded
        waiters.get(ended.requestId)?.(ended)
      }
    }
  }
  const mediaDir = join(dir, 'media')
  const attachments = new AttachmentStore({ mediaDir })
  const chat = new ChatService({
    store,
    gateway: new GatewayClient(http),
    streams,
    attachments,
    settings: () => settings,
    logger: createLogger((level, text) => void logged.push(`${level} ${text}`), (text) => text),
    saveEveryMs: 20
  })
  harness = {
    file,
    mediaDir,
    store,
    chat,
    streams,
    settings,
    events,
    sink,
    http,
    attachments,
    logged,
    ended: (requestId) =>
      new Promise((resolve, reject) => {
        const already = events.find((e) => e.event === 'chat.ended' && (e.payload as ChatEnded).requestId === requestId)
        if (already) return resolve(already.payload as ChatEnded)
        // A turn that never ends is the failure to report, not a test timeout.
        const timer = setTimeout(() => reject(new Error(`chat.ended never came for ${requestId}`)), 5_000)
        waiters.set(requestId, (ended) => {
          clearTimeout(timer)
          resolve(ended)
        })
      }),
    deltas: (requestId) => events.filter((e) => e.event === 'chat.delta').map((e) => e.payload as ChatDelta).filter((d) => d.requestId === requestId)
  }
  fake.clearFaults()
  fake.requests.length = 0
})

afterEach(async () => {
  harness.streams.abortAll()
  await harness.chat.settle()
  await harness.http.close()
  harness.store.close()
})

let counter = 0
const nextId = (): string => `req-${++counter}`
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

/** A message's row read through a second connection: what is in the file, not in this process. */
function rowOnDisk(messageId: string): { content: string; status: string; updated_at: number } | undefined {
  const db = new DatabaseSync(harness.file, { readOnly: true })
  try {
    return db.prepare('SELECT content, status, updated_at FROM messages WHERE id = ?').get(messageId) as
      | { content: string; status: string; updated_at: number }
      | undefined
  } finally {
    db.close()
  }
}

/** A second chat service on the harness's store, with its own options (e.g. the default save interval). */
function chatWith(options: Partial<ConstructorParameters<typeof ChatService>[0]> = {}): ChatService {
  return new ChatService({
    store: harness.store,
    gateway: new GatewayClient(harness.http),
    streams: harness.streams,
    attachments: harness.attachments,
    settings: () => harness.settings,
    logger: createLogger(() => undefined, (text) => text),
    ...options
  })
}

function newConversation(overrides: Partial<Parameters<ChatStore['createConversation']>[0]> = {}) {
  return harness.store.createConversation({ model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true, ...overrides })
}

async function send(conversationId: string, content: string, attachmentIds?: string[]): Promise<{ turn: ChatTurn; ended: ChatEnded }> {
  const requestId = nextId()
  const turn = await harness.chat.send({ requestId, conversationId, content, attachmentIds }, harness.sink)
  return { turn, ended: await harness.ended(requestId) }
}

/** Imports a conversation whose messages follow one another (each the parent of the next), as a file would bring it. */
function importThread(messages: Array<Pick<BundleMessage, 'role' | 'content'> & Partial<BundleMessage>>, settings: Partial<ConversationSettings> = {}): string {
  const id = `imported-${++counter}`
  const at = Date.UTC(2025, 0, 1)
  const bundled: BundleMessage[] = messages.map((message, index) => ({
    id: `${id}-m${index}`,
    parentId: index === 0 ? null : `${id}-m${index - 1}`,
    reasoning: '',
    attachments: [],
    model: null,
    status: 'complete',
    error: null,
    finishReason: null,
    usage: null,
    createdAt: at + index,
    updatedAt: at + index,
    ...message
  }))
  harness.store.importBundle(
    makeBundle(
      [
        {
          id,
          title: 'Imported',
          pinned: false,
          createdAt: at,
          updatedAt: at,
          activeLeafId: null,
          settings: { model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true, ...settings },
          messages: bundled
        }
      ],
      at
    )
  )
  return id
}

/** Roles and texts of the messages the model was last sent. */
function lastSentMessages(): Array<{ role: string; content: unknown }> {
  return lastChatBody()['messages'] as Array<{ role: string; content: unknown }>
}

function lastChatBody(): Record<string, unknown> {
  const request = fake.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)
  return JSON.parse(request!.body) as Record<string, unknown>
}

describe('sending', () => {
  it('streams the answer as coalesced deltas, saves it complete and names the conversation', async () => {
    const conversation = newConversation()
    const { turn, ended } = await send(conversation.id, 'Explain streams in Node, words:400')
    expect(turn.userMessage?.content).toBe('Explain streams in Node, words:400')
    expect(turn.assistantMessage.status).toBe('streaming')
    expect(turn.title).toBe('Explain streams in Node, words:400')
    expect(ended.message.status).toBe('complete')
    expect(ended.message.finishReason).toBe('stop')
    expect(ended.message.usage?.completionTokens).toBeGreaterThan(300)
    expect(ended.title).toBe('Explain streams in Node, words:400')

    const streamed = harness.deltas(turn.requestId).map((d) => d.content).join('')
    expect(streamed).toBe(ended.message.content)
    // The fake sends a few characters per chunk; the bridge gets far fewer events.
    expect(harness.deltas(turn.requestId).length).toBeLessThan(ended.message.content.length / 20)

    const saved = harness.store.getConversation(conversation.id)
    expect(saved.title).toBe('Explain streams in Node, words:400')
    expect(saved.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete']
    ])
    expect(saved.messages[1]!.content).toBe(ended.message.content)
  })

  it('sends the system prompt, the parameters and the whole thread', async () => {
    const conversation = newConversation({ systemPrompt: 'Be brief.', params: { temperature: 0.2, top_k: 5, max_tokens: 500 } })
    await send(conversation.id, 'first question')
    await send(conversation.id, 'second question')
    const body = lastChatBody()
    expect(body).toMatchObject({ model: 'gpt-4o-mini', stream: true, temperature: 0.2, top_k: 5, max_tokens: 500 })
    const messages = body['messages'] as Array<{ role: string; content: string }>
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(messages[0]!.content).toBe('Be brief.')
    expect(messages[3]!.content).toBe('second question')
  })

  it('works with streaming turned off', async () => {
    const conversation = newConversation({ stream: false })
    const { ended } = await send(conversation.id, 'Hello without streaming')
    expect(lastChatBody()['stream']).toBe(false)
    expect(ended.message.status).toBe('complete')
    expect(ended.message.content.length).toBeGreaterThan(10)
  })

  it('shows reasoning apart from the answer', async () => {
    const conversation = newConversation({ model: 'deepseek-r1' })
    const { ended } = await send(conversation.id, 'Think about it')
    expect(ended.message.reasoning.length).toBeGreaterThan(10)
    expect(ended.message.content).not.toContain(ended.message.reasoning)
  })

  it('sends attached images as image_url parts', async () => {
    const conversation = newConversation()
    const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#3366ff' } }).png().toBuffer()
    const added = await harness.attachments.add({ name: 'blue.png', mime: 'image/png', data: png })
    const { turn, ended } = await send(conversation.id, 'What colour is this?', [added.id])
    expect(turn.userMessage?.attachments).toEqual([added])
    expect(ended.message.content).toMatch(/1 image/)
    const parts = (lastChatBody()['messages'] as Array<{ content: unknown }>)[0]!.content as Array<{ type: string; image_url?: { url: string } }>
    expect(parts[0]).toEqual({ type: 'text', text: 'What colour is this?' })
    expect(parts[1]!.type).toBe('image_url')
    const sent = Buffer.from(parts[1]!.image_url!.url.replace(/^data:image\/png;base64,/, ''), 'base64')
    expect((await sharp(sent).metadata()).width).toBe(64)
    expect(harness.store.getMessage(turn.userMessage!.id).attachments).toEqual([added])
  })

  it('refuses an attachment id that does not exist', async () => {
    const conversation = newConversation()
    await expect(harness.chat.send({ requestId: nextId(), conversationId: conversation.id, content: 'x', attachmentIds: ['00000000-0000-4000-8000-000000000000'] }, harness.sink)).rejects.toThrow()
    expect(harness.store.getConversation(conversation.id).messages).toEqual([])
  })

  it('refuses a second message while an answer is being written', async () => {
    const conversation = newConversation()
    fake.inject({ kind: 'stall', afterChunks: 3, ms: 400 })
    const first = await harness.chat.send({ requestId: nextId(), conversationId: conversation.id, content: 'one' }, harness.sink)
    await expect(harness.chat.send({ requestId: nextId(), conversationId: conversation.id, content: 'two' }, harness.sink)).rejects.toThrow(/still being written/)
    await harness.ended(first.requestId)
    const { ended } = await send(conversation.id, 'two')
    expect(ended.message.status).toBe('complete')
  })

  // Types and sizes are the bridge schema's job (tests/main/bridge-schemas.test.ts); these need the service's state.
  it.each([
    [{ content: '   ' }, /Write a message/],
    [{ content: 'hi', conversationId: 'nope' }, /no longer exists/],
    [{ content: 'hi', requestId: '../bad id' }, /request id/]
  ])('refuses bad input %# with a clear message and saves nothing', async (overrides, message) => {
    const conversation = newConversation()
    const args = Object.assign({ requestId: nextId(), conversationId: conversation.id, content: 'hi' }, overrides) as never
    await expect(harness.chat.send(args, harness.sink)).rejects.toThrow(message)
    expect(harness.store.getConversation(conversation.id).messages).toEqual([])
    expect(harness.streams.size).toBe(0)
  })
})

describe('stopping and failures', () => {
  it('stop keeps what arrived, marked incomplete', async () => {
    const conversation = newConversation()
    const requestId = nextId()
    const turn = await harness.chat.send({ requestId, conversationId: conversation.id, content: 'Tell me a long story, words:3000' }, harness.sink)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(harness.streams.abort(requestId)).toBe(true)
    const ended = await harness.ended(requestId)
    expect(ended.message.status).toBe('incomplete')
    expect(ended.message.error).toBeNull()
    expect(ended.message.content.length).toBeGreaterThan(0)
    expect(ended.message.content.split(/\s+/).length).toBeLessThan(3000)
    expect(harness.store.getMessage(turn.assistantMessage.id).content).toBe(ended.message.content)
  })

  it('a message sent right after Stop goes through, and the stopped answer is still saved incomplete', async () => {
    const conversation = newConversation()
    fake.inject({ kind: 'stall', afterChunks: 6, ms: 2_000 }, { path: '/chat/completions' })
    const first = nextId()
    const turn = await harness.chat.send({ requestId: first, conversationId: conversation.id, content: 'Tell me a story' }, harness.sink)
    await sleep(150)
    expect(harness.streams.abort(first)).toBe(true)
    const second = nextId()
    const next = await harness.chat.send({ requestId: second, conversationId: conversation.id, content: 'Something else, then' }, harness.sink)

    const stopped = await harness.ended(first)
    expect(stopped.message).toMatchObject({ id: turn.assistantMessage.id, status: 'incomplete', error: null })
    expect(stopped.message.content.length).toBeGreaterThan(0)
    expect(harness.store.getMessage(turn.assistantMessage.id)).toMatchObject({ status: 'incomplete', content: stopped.message.content })
    expect((await harness.ended(second)).message.status).toBe('complete')
    // The new question follows the stopped answer, which the model is sent as it was saved.
    expect(next.userMessage?.parentId).toBe(turn.assistantMessage.id)
    expect(lastSentMessages()).toEqual([
      { role: 'user', content: 'Tell me a story' },
      { role: 'assistant', content: stopped.message.content },
      { role: 'user', content: 'Something else, then' }
    ])
  })

  it('saves the growing answer while it streams', async () => {
    const conversation = newConversation()
    fake.inject({ kind: 'stall', afterChunks: 30, ms: 500 })
    const turn = await harness.chat.send({ requestId: nextId(), conversationId: conversation.id, content: 'words:200' }, harness.sink)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const midway = harness.store.getMessage(turn.assistantMessage.id)
    expect(midway.status).toBe('streaming')
    expect(midway.content.length).toBeGreaterThan(10)
    await harness.ended(turn.requestId)
  })

  it('what arrived is in the database file within about 250 ms, even when the stream then pauses', async () => {
    const chat = chatWith() // the default save interval
    const conversation = newConversation()
    fake.inject({
      kind: 'raw',
      chunks: [{ text: chunk({ content: 'Arrived before the pause.' }) }, { text: chunk({ content: ' After it.' }, 'stop'), delayMs: 3_000 }]
    })
    const requestId = nextId()
    const turn = await chat.send({ requestId, conversationId: conversation.id, content: 'Hello' }, harness.sink)
    await sleep(400)
    expect(rowOnDisk(turn.assistantMessage.id)).toMatchObject({ content: 'Arrived before the pause.', status: 'streaming' })
    harness.streams.abort(requestId)
    await chat.settle()
  })

  it('no save runs after the answer ended', async () => {
    const chat = chatWith()
    const conversation = newConversation()
    fake.inject({ kind: 'raw', chunks: [{ text: chunk({ content: 'Short answer.' }, 'stop') }, { text: 'data: [DONE]\n\n' }] })
    const requestId = nextId()
    await chat.send({ requestId, conversationId: conversation.id, content: 'Hello' }, harness.sink)
    const ended = await harness.ended(requestId)
    await sleep(400)
    // A save timer left running would have written the row again (a later updated_at).
    expect(rowOnDisk(ended.message.id)).toEqual({ content: 'Short answer.', status: 'complete', updated_at: ended.message.updatedAt })
  })

  it('shows a server error on the answer, keeps the question, and a retry succeeds', async () => {
    const conversation = newConversation()
    fake.inject({ kind: 'http-error', status: 503, shape: 'openai', message: 'All providers failed' }, { path: '/chat/completions', times: 1 })
    const { turn, ended } = await send(conversation.id, 'Will this work?')
    expect(ended.message.status).toBe('error')
    expect(ended.message.error).toMatchObject({ code: 'unavailable', status: 503, message: expect.stringContaining('All providers failed') })
    expect(harness.store.getMessage(turn.userMessage!.id).content).toBe('Will this work?')

    const retryId = nextId()
    await harness.chat.regenerate({ requestId: retryId, messageId: ended.message.id }, harness.sink)
    const retried = await harness.ended(retryId)
    expect(retried.message.status).toBe('complete')
    expect(retried.message.versionIds).toEqual([ended.message.id, retried.message.id])
    // The failed answer is not sent back to the model.
    const roles = (lastChatBody()['messages'] as Array<{ role: string }>).map((m) => m.role)
    expect(roles).toEqual(['user'])
  })

  it('turns a rate-limit notice sent as a 200 answer into an error, not an answer', async () => {
    const conversation = newConversation()
    fake.inject({ kind: 'ratelimit-notice', variant: 'current' })
    const { ended } = await send(conversation.id, 'Hello')
    expect(ended.message.status).toBe('error')
    expect(ended.message.error?.code).toBe('rate_limited')
    expect(ended.message.content).toBe('')
  })

  it('reports an error inside the stream and keeps the text before it', async () => {
    const conversation = newConversation()
    fake.inject({ kind: 'stream-error', message: 'upstream exploded', code: 'server_error' })
    const { ended } = await send(conversation.id, 'Hello')
    expect(ended.message.status).toBe('error')
    expect(ended.message.error).toMatchObject({ code: 'stream_error', message: expect.stringContaining('upstream exploded') })
    expect(ended.message.content.length).toBeGreaterThan(0)
  })

  it('treats an empty answer as a failure', async () => {
    const conversation = newConversation()
    fake.inject({ kind: 'empty-answer' })
    const { ended } = await send(conversation.id, 'Hello')
    expect(ended.message.status).toBe('error')
    expect(ended.message.error?.code).toBe('bad_response')
  })

  it('hides advertising footers unless the setting shows them', async () => {
    const conversation = newConversation()
    fake.inject({ kind: 'ad-footer' })
    const hidden = await send(conversation.id, 'Hello')
    expect(hidden.ended.message.content).not.toMatch(/proxies|Upgrade your plan/)
    harness.settings.chat.showAdFooters = true
    fake.inject({ kind: 'ad-footer' })
    const shown = await send(conversation.id, 'Hello again')
    expect(shown.ended.message.content).toMatch(/Need proxies cheaper than the market\?|Upgrade your plan/)
  })

  it('removes stray end tokens', async () => {
    const conversation = newConversation()
    const chunk = (content: string): string => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`
    fake.inject({
      kind: 'raw',
      chunks: [{ text: chunk('Clean answer.<|im') }, { text: chunk('_end|>') }, { text: chunk('</s>') }, { text: 'data: [DONE]\n\n' }]
    })
    const { ended } = await send(conversation.id, 'Hello')
    expect(ended.message.content).toBe('Clean answer.')
  })
})

describe('answers that end early', () => {
  it('a stream that stops without [DONE] or a finish reason is saved incomplete, saying the connection ended', async () => {
    const conversation = newConversation()
    fake.inject({ kind: 'end-early', afterChunks: 12 }, { path: '/chat/completions' })
    const { turn, ended } = await send(conversation.id, 'Tell me a story, words:300')
    expect(ended.message.status).toBe('incomplete')
    expect(ended.message.finishReason).toBeNull()
    expect(ended.message.error).toEqual({ code: 'network', message: 'The connection ended before the answer finished.' })
    expect(ended.message.content.length).toBeGreaterThan(0)
    // What arrived is kept, and the note is saved with it for the window to show.
    const saved = harness.store.getMessage(turn.assistantMessage.id)
    expect(saved).toMatchObject({ status: 'incomplete', content: ended.message.content, error: ended.message.error })
  })

  it.each([
    ['a finish reason without [DONE]', [chunk({ content: 'Whole answer.' }), chunk({}, 'stop')], 'stop'],
    ['[DONE] without a finish reason', [chunk({ content: 'Whole answer.' }), 'data: [DONE]\n\n'], null]
  ])('a stream that ends with %s is complete', async (_name, chunks, finishReason) => {
    const conversation = newConversation()
    fake.inject({ kind: 'raw', chunks: chunks.map((text) => ({ text })) }, { path: '/chat/completions' })
    const { ended } = await send(conversation.id, 'Hello')
    expect(ended.message).toMatchObject({ status: 'complete', content: 'Whole answer.', finishReason, error: null })
  })

  it('a whole JSON answer with a finish reason is complete', async () => {
    const conversation = newConversation({ stream: false })
    const { ended } = await send(conversation.id, 'Hello')
    expect(ended.message).toMatchObject({ status: 'complete', finishReason: 'stop', error: null })
  })
})

describe('size limits and failed saves', () => {
  it('an answer longer than the store allows is cut below its limit and saved complete, finish reason length', async () => {
    expect(MAX_ANSWER_CHARS).toBeLessThan(LIMITS.storedMessageChars)
    const conversation = newConversation()
    const piece = chunk({ content: 'x'.repeat(500_000) })
    fake.inject({ kind: 'raw', chunks: [{ text: piece }, { text: piece }, { text: piece }, { text: chunk({}, 'stop') }, { text: 'data: [DONE]\n\n' }] })
    const { turn, ended } = await send(conversation.id, 'Say x forever')
    expect(ended.message).toMatchObject({ status: 'complete', finishReason: 'length', error: null })
    expect(ended.message.content).toHaveLength(MAX_ANSWER_CHARS)
    expect(harness.store.getMessage(turn.assistantMessage.id).content).toHaveLength(MAX_ANSWER_CHARS)
    expect(harness.deltas(turn.requestId).map((d) => d.content).join('')).toHaveLength(MAX_ANSWER_CHARS)
  })

  it('reaching the cap stops the request at once', async () => {
    const chat = chatWith({ maxAnswerChars: 300 })
    const conversation = newConversation()
    const requestId = nextId()
    const started = Date.now()
    // About 18,000 characters, a few per chunk with a 1 ms pause: seconds to send in full.
    await chat.send({ requestId, conversationId: conversation.id, content: 'A long story, words:3000' }, harness.sink)
    const ended = await harness.ended(requestId)
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(ended.message).toMatchObject({ status: 'complete', finishReason: 'length' })
    expect(ended.message.content).toHaveLength(300)
  })

  it('when the final save fails, the turn still ends once with the answer and why, and the row is fixed once it can be', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'skyport-chat-')), 'busy.db')
    const store = ChatStore.open(file, { busyTimeoutMs: 20 })
    const chat = chatWith({ store })
    const conversation = store.createConversation({ model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true })
    fake.inject({ kind: 'stall', afterChunks: 5, ms: 300 }, { path: '/chat/completions' })
    const requestId = nextId()
    const turn = await chat.send({ requestId, conversationId: conversation.id, content: 'Hello there' }, harness.sink)
    // Another process holds the write lock while the answer ends: the database is busy.
    await sleep(100)
    const other = new DatabaseSync(file)
    other.exec('BEGIN IMMEDIATE')
    try {
      const ended = await harness.ended(requestId)
      expect(ended.message).toMatchObject({ id: turn.assistantMessage.id, status: 'error', error: { code: 'internal' } })
      expect(ended.message.error?.message).toMatch(/^The answer could not be saved: database is locked/)
      expect(ended.message.content).toBe(harness.deltas(requestId).map((d) => d.content).join(''))
      expect(ended.message.content.length).toBeGreaterThan(100)
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    // Once the lock is gone the answer is saved after all, and never left "streaming".
    let row = store.getMessage(turn.assistantMessage.id)
    for (let waited = 0; row.status === 'streaming' && waited < 3_000; waited += 50) {
      await sleep(50)
      row = store.getMessage(turn.assistantMessage.id)
    }
    expect(row.status).toBe('complete')
    expect(row.content.length).toBeGreaterThan(100)
    expect(harness.events.filter((e) => e.event === 'chat.ended' && (e.payload as ChatEnded).requestId === requestId)).toHaveLength(1)
    await chat.settle()
    store.close()
  })
})

describe('the history sent', () => {
  it('leaves out a question whose send failed when the next one is sent, and a retry sends it', async () => {
    const conversation = newConversation({ systemPrompt: 'Be brief.' })
    const first = await send(conversation.id, 'first question')
    fake.inject({ kind: 'http-error', status: 503, shape: 'openai' }, { path: '/chat/completions' })
    const failed = await send(conversation.id, 'question that failed')
    expect(failed.ended.message.status).toBe('error')

    await send(conversation.id, 'next question')
    expect(lastSentMessages()).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: first.ended.message.content },
      { role: 'user', content: 'next question' }
    ])

    // Retrying the failed answer asks that question again, with what came before it.
    const retryId = nextId()
    await harness.chat.regenerate({ requestId: retryId, messageId: failed.ended.message.id }, harness.sink)
    expect((await harness.ended(retryId)).message.status).toBe('complete')
    expect(lastSentMessages().map((m) => [m.role, m.content])).toEqual([
      ['system', 'Be brief.'],
      ['user', 'first question'],
      ['assistant', first.ended.message.content],
      ['user', 'question that failed']
    ])
  })

  it('alternates questions and answers whatever the thread holds', async () => {
    const id = importThread(
      [
        { role: 'system', content: 'Imported context.' },
        { role: 'assistant', content: 'Hello! Ask me anything.' },
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'a1' },
        { role: 'user', content: 'q2, never answered' },
        { role: 'user', content: 'q3, answer failed' },
        { role: 'assistant', content: '', status: 'error', error: { code: 'unavailable', message: 'All providers failed' } },
        { role: 'user', content: 'q4, stopped before any text' },
        { role: 'assistant', content: '', status: 'incomplete' },
        { role: 'user', content: 'q5' },
        { role: 'assistant', content: 'a5, stopped half way', status: 'incomplete' }
      ],
      { systemPrompt: 'Be brief.' }
    )
    const { ended } = await send(id, 'q6')
    expect(ended.message.status).toBe('complete')
    expect(lastSentMessages()).toEqual([
      { role: 'system', content: 'Be brief.\n\nImported context.' },
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'q5' },
      { role: 'assistant', content: 'a5, stopped half way' },
      { role: 'user', content: 'q6' }
    ])
  })

  it('an imported image whose file is missing is sent as a note instead of failing', async () => {
    const image = (id: string, name: string): Attachment => ({ id, kind: 'image', url: `/media/attachments/${id}.jpg`, mime: 'image/jpeg', width: 640, height: 480, name, bytes: 52_000 })
    const id = importThread([
      { role: 'user', content: 'Look at these', attachments: [image('3f2b8c1e-0d4a-4e5b-9c6d-7e8f9a0b1c2d', 'holiday.jpg'), image('img_1', 'scan.jpg')] },
      { role: 'assistant', content: 'Nice pictures.' }
    ])
    const { ended } = await send(id, 'What else do you see?')
    expect(ended.message.status).toBe('complete')
    const notes = [
      { type: 'text', text: 'Look at these' },
      { type: 'text', text: '[image not available: holiday.jpg]' },
      { type: 'text', text: '[image not available: scan.jpg]' }
    ]
    expect(lastSentMessages()).toEqual([
      { role: 'user', content: notes },
      { role: 'assistant', content: 'Nice pictures.' },
      { role: 'user', content: 'What else do you see?' }
    ])
    // Asking the imported question again works too.
    const requestId = nextId()
    await harness.chat.regenerate({ requestId, messageId: `${id}-m1` }, harness.sink)
    expect((await harness.ended(requestId)).message.status).toBe('complete')
    expect(lastSentMessages()).toEqual([{ role: 'user', content: notes }])
  })

  it('a failure while the history is built leaves no question behind', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#00aa00' } }).png().toBuffer()
    const added = await harness.attachments.add({ name: 'green.png', mime: 'image/png', data: png })
    const file = join(harness.mediaDir, added.url.replace(/^\/media\//, ''))
    // The image is found when the message is checked, then vanishes before it is read to be sent.
    const chat = chatWith({
      attachments: {
        get: (id: string) => harness.attachments.get(id),
        toDataUrl: async (attachment: Attachment) => {
          rmSync(file)
          return harness.attachments.toDataUrl(attachment)
        }
      }
    })
    const conversation = newConversation()
    const requestId = nextId()
    await expect(chat.send({ requestId, conversationId: conversation.id, content: 'What is this?', attachmentIds: [added.id] }, harness.sink)).rejects.toMatchObject({
      code: 'not_found'
    })
    expect(harness.store.getConversation(conversation.id)).toMatchObject({ title: 'New chat', messages: [] })
    expect(harness.streams.size).toBe(0)
    expect(harness.events.filter((e) => (e.payload as { requestId?: string }).requestId === requestId)).toEqual([])
    // Nothing is left busy: the next message goes through.
    expect((await send(conversation.id, 'Hello again')).ended.message.status).toBe('complete')
  })
})

describe('versions', () => {
  it('regenerating keeps both answers as versions and can switch between them', async () => {
    const conversation = newConversation()
    const first = await send(conversation.id, 'Pick a number')
    const requestId = nextId()
    await harness.chat.regenerate({ requestId, messageId: first.ended.message.id }, harness.sink)
    const second = await harness.ended(requestId)
    expect(second.message.versionIds).toEqual([first.ended.message.id, second.message.id])
    expect(second.message.versionIndex).toBe(1)
    expect(harness.store.getConversation(conversation.id).messages.at(-1)!.id).toBe(second.message.id)

    const back = harness.store.switchVersion(first.ended.message.id)
    expect(back.messages.at(-1)!.id).toBe(first.ended.message.id)
  })

  it('editing a question starts a new branch and keeps the old one', async () => {
    const conversation = newConversation()
    const original = await send(conversation.id, 'What is 2+2?')
    await send(conversation.id, 'And 3+3?')
    const requestId = nextId()
    const turn = await harness.chat.edit({ requestId, messageId: original.turn.userMessage!.id, content: 'What is 5+5?' }, harness.sink)
    await harness.ended(requestId)
    const thread = harness.store.getConversation(conversation.id).messages
    expect(thread.map((m) => m.content.slice(0, 12))).toEqual(['What is 5+5?', thread[1]!.content.slice(0, 12)])
    expect(thread[0]!.versionIds).toEqual([original.turn.userMessage!.id, turn.userMessage!.id])

    const old = harness.store.switchVersion(original.turn.userMessage!.id)
    expect(old.messages).toHaveLength(4)
    expect(old.messages[2]!.content).toBe('And 3+3?')
  })

  it('only answers can be regenerated and only questions edited', async () => {
    const conversation = newConversation()
    const { turn, ended } = await send(conversation.id, 'Hi')
    await expect(harness.chat.regenerate({ requestId: nextId(), messageId: turn.userMessage!.id }, harness.sink)).rejects.toThrow(/Only an answer/)
    await expect(harness.chat.edit({ requestId: nextId(), messageId: ended.message.id, content: 'x' }, harness.sink)).rejects.toThrow(/Only your own/)
  })
})

describe('continuing an answer', () => {
  it('Continue appends to an answer that stopped at length, sending it back with a request to go on', async () => {
    const conversation = newConversation({ params: { max_tokens: 12 } })
    const { turn, ended } = await send(conversation.id, 'Explain streams in Node, words:200')
    expect(ended.message.finishReason).toBe('length')
    const first = ended.message.content
    harness.store.updateConversationSettings(conversation.id, { params: {} })

    const requestId = nextId()
    const next = await harness.chat.continue({ requestId, messageId: turn.assistantMessage.id }, harness.sink)
    expect(next.assistantMessage.id).toBe(turn.assistantMessage.id)
    expect(next.assistantMessage.status).toBe('streaming')
    expect(next.assistantMessage.content).toBe(first)
    const done = await harness.ended(requestId)
    const added = harness.deltas(requestId).map((d) => d.content).join('')
    expect(added.length).toBeGreaterThan(0)
    expect(done.message.content).toBe(first + added)
    expect(done.message.status).toBe('complete')
    expect(done.message.finishReason).toBe('stop')
    const sent = lastSentMessages()
    expect(sent.at(-2)).toEqual({ role: 'assistant', content: first })
    expect(sent.at(-1)?.role).toBe('user')
    expect(String(sent.at(-1)?.content)).toMatch(/Continue/)
    // Still one version, one answer.
    expect(harness.store.getConversation(conversation.id).messages.map((m) => m.content)).toEqual(['Explain streams in Node, words:200', first + added])
  })

  it('refuses to continue a question', async () => {
    const conversation = newConversation()
    const { turn } = await send(conversation.id, 'Hi')
    await expect(harness.chat.continue({ requestId: nextId(), messageId: turn.userMessage!.id }, harness.sink)).rejects.toMatchObject({ code: 'invalid_argument' })
  })
})

