/**
 * The chat service against the fake gateway over loopback HTTP, with a real
 * SQLite file and real attachment files.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EventSink } from '../../src/main/bridge'
import { AttachmentStore } from '../../src/main/services/attachments'
import { ChatService } from '../../src/main/services/chat/chat-service'
import { ChatStore } from '../../src/main/services/chat/store'
import { createLogger } from '../../src/main/services/log'
import { GatewayClient } from '../../src/main/services/gateway'
import { HttpClient } from '../../src/main/services/http/client'
import { defaultSettings } from '../../src/main/services/settings-schema'
import { StreamRegistry } from '../../src/main/services/streams'
import type { ChatEnded, ChatDelta, ChatTurn, EventName, PayloadOf, Settings } from '../../src/shared/contract'
import { startFakeApi, type FakeApi } from '../fake-api/server'

let fake: FakeApi
beforeAll(async () => {
  fake = await startFakeApi({ chunkDelayMs: 1 })
})
afterAll(async () => {
  await fake.close()
})

interface Harness {
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
  const store = ChatStore.open(join(dir, 'chat.db'))
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
  const attachments = new AttachmentStore({ mediaDir: join(dir, 'media') })
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
      new Promise((resolve) => {
        const already = events.find((e) => e.event === 'chat.ended' && (e.payload as ChatEnded).requestId === requestId)
        if (already) resolve(already.payload as ChatEnded)
        else waiters.set(requestId, resolve)
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

function newConversation(overrides: Partial<Parameters<ChatStore['createConversation']>[0]> = {}) {
  return harness.store.createConversation({ model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true, ...overrides })
}

async function send(conversationId: string, content: string, attachmentIds?: string[]): Promise<{ turn: ChatTurn; ended: ChatEnded }> {
  const requestId = nextId()
  const turn = await harness.chat.send({ requestId, conversationId, content, attachmentIds }, harness.sink)
  return { turn, ended: await harness.ended(requestId) }
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

  it.each([
    [{ content: 42 }, /must be text/],
    [{ content: 'x'.repeat(100_001) }, /at most/],
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
