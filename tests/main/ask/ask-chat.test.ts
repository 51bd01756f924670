/**
 * Web answers in conversations: `ChatService.ask` against the fake gateway's
 * `/v1/ask` over loopback HTTP, saved in a real SQLite file with their
 * sources, found by search, exported; quick-ask conversations; handing a
 * streaming answer over to every window.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EventSink } from '../../../src/main/bridge'
import { AttachmentStore } from '../../../src/main/services/attachments'
import { GlobalAsk } from '../../../src/main/services/ask/global-ask'
import { ChatService, WEB_ANSWER_MODEL } from '../../../src/main/services/chat/chat-service'
import { conversationToMarkdown } from '../../../src/main/services/chat/export/markdown'
import { ChatStore } from '../../../src/main/services/chat/store'
import { GatewayClient } from '../../../src/main/services/gateway'
import { HttpClient } from '../../../src/main/services/http/client'
import { createLogger } from '../../../src/main/services/log'
import { defaultSettings } from '../../../src/main/services/settings-schema'
import { StreamRegistry } from '../../../src/main/services/streams'
import { migrations } from '../../../src/main/services/db/migrations'
import { quickAndSources } from '../../../src/main/services/chat/db/schema-quick-sources'
import type { ChatDelta, ChatEnded, ConversationSettings, EventName, PayloadOf } from '../../../src/shared/contract'
import { startFakeApi, type FakeApi } from '../../fake-api/server'

let fake: FakeApi
beforeAll(async () => {
  fake = await startFakeApi({ chunkDelayMs: 1 })
})
afterAll(async () => {
  await fake.close()
})

const SETTINGS: ConversationSettings = { model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true }

/** A window: records what it is sent, and resolves `ended` when the answer's end arrives. */
function windowSink(id: number): EventSink & { events: Array<{ event: EventName; payload: unknown }>; ended(requestId: string): Promise<ChatEnded> } {
  const events: Array<{ event: EventName; payload: unknown }> = []
  const waiters = new Map<string, (ended: ChatEnded) => void>()
  return {
    id,
    events,
    send<E extends EventName>(event: E, payload: PayloadOf<E>) {
      events.push({ event, payload })
      if (event === 'chat.ended') waiters.get((payload as ChatEnded).requestId)?.(payload as ChatEnded)
    },
    ended: (requestId) =>
      new Promise((resolve, reject) => {
        const already = events.find((e) => e.event === 'chat.ended' && (e.payload as ChatEnded).requestId === requestId)
        if (already) return resolve(already.payload as ChatEnded)
        const timer = setTimeout(() => reject(new Error(`chat.ended never came for ${requestId}`)), 5_000)
        waiters.set(requestId, (ended) => {
          clearTimeout(timer)
          resolve(ended)
        })
      })
  }
}

let store: ChatStore
let chat: ChatService
let http: HttpClient
let streams: StreamRegistry
let file: string
let counter = 0
const nextId = (): string => `ask-${++counter}`

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'skyport-ask-'))
  file = join(dir, 'chat.db')
  http = new HttpClient(() => ({ baseUrl: fake.url, apiKey: 'sk-test', timeouts: { connectMs: 2_000, headersMs: 5_000, idleMs: 2_000 }, proxy: defaultSettings.proxy }))
  store = ChatStore.open(file)
  streams = new StreamRegistry()
  chat = new ChatService({
    store,
    gateway: new GatewayClient(http),
    globalAsk: new GlobalAsk(http),
    streams,
    attachments: new AttachmentStore({ mediaDir: join(dir, 'media') }),
    settings: () => defaultSettings,
    logger: createLogger(() => undefined, (text) => text),
    saveEveryMs: 20
  })
  fake.clearFaults()
  fake.requests.length = 0
})

afterEach(async () => {
  streams.abortAll()
  await chat.settle()
  await http.close()
  store.close()
})

const deltasOf = (sink: ReturnType<typeof windowSink>, requestId: string): ChatDelta[] =>
  sink.events.filter((e) => e.event === 'chat.delta').map((e) => e.payload as ChatDelta).filter((d) => d.requestId === requestId)

describe('ChatService.ask (GlobalAsk)', () => {
  it('streams a web answer with numbered citations and saves it with its sources', async () => {
    const sink = windowSink(1)
    const conversation = store.createConversation(SETTINGS)
    const requestId = nextId()
    const turn = await chat.ask({ requestId, conversationId: conversation.id, content: 'What is the tallest mountain?' }, sink)
    expect(turn.userMessage?.content).toBe('What is the tallest mountain?')
    expect(turn.title).toBe('What is the tallest mountain?')
    const ended = await sink.ended(requestId)

    // One GET to /v1/ask with the question, nothing to chat completions.
    const asked = fake.requests.filter((r) => r.path.endsWith('/ask'))
    expect(asked).toHaveLength(1)
    expect(asked[0]?.query.prompt).toBe('What is the tallest mountain?')
    expect(fake.requests.some((r) => r.path.includes('chat/completions'))).toBe(false)

    const saved = ended.message
    expect(saved.status).toBe('complete')
    expect(saved.model).toBe(WEB_ANSWER_MODEL)
    expect(saved.sources?.map((s) => s.n)).toEqual([1, 2, 3])
    expect(saved.sources?.[0]).toEqual({ n: 1, url: 'https://example.org/wiki/what-is-the-tallest-mountain', title: 'example.org' })
    expect(saved.content).toContain('Here is what I found about “What is the tallest mountain?”.')
    expect(saved.content).toMatch(/\S \[1\] \S/)
    expect(saved.content).toContain('**Sources**\n\n1. [example.org](<https://example.org/wiki/what-is-the-tallest-mountain>)')
    // What streamed is exactly what was saved.
    expect(deltasOf(sink, requestId).map((d) => d.content).join('')).toBe(saved.content)

    // As read back from the file, and found by search by a source's domain.
    const thread = store.getConversation(conversation.id).messages
    expect(thread.map((m) => m.role)).toEqual(['user', 'assistant'])
    expect(thread[1]?.sources).toEqual(saved.sources)
    expect(store.search('example.net').map((hit) => hit.messageId)).toContain(saved.id)
  })

  it('exports the sources: in the JSON bundle as data, in Markdown as the list of links; and imports them back', async () => {
    const sink = windowSink(1)
    const conversation = store.createConversation(SETTINGS)
    const requestId = nextId()
    await chat.ask({ requestId, conversationId: conversation.id, content: 'Why is the sea salty?' }, sink)
    const saved = (await sink.ended(requestId)).message
    const bundle = store.exportConversation(conversation.id)
    const answer = bundle.conversations[0]?.messages.find((m) => m.id === saved.id)
    expect(answer?.sources).toEqual(saved.sources)
    const markdown = conversationToMarkdown(store.getConversation(conversation.id))
    expect(markdown).toContain('1. [example.org](<https://example.org/wiki/why-is-the-sea-salty>)')

    const other = ChatStore.open(':memory:')
    try {
      other.importBundle(JSON.parse(JSON.stringify(bundle)))
      const [imported] = other.listConversations()
      expect(other.getConversation(imported?.id ?? '').messages[1]?.sources).toEqual(saved.sources)
    } finally {
      other.close()
    }
  })

  it('a follow-up asks GlobalAsk the new question alone; regenerating a web answer asks the web again', async () => {
    const sink = windowSink(1)
    const conversation = store.createConversation(SETTINGS)
    const first = nextId()
    await chat.ask({ requestId: first, conversationId: conversation.id, content: 'Who wrote Dune?' }, sink)
    await sink.ended(first)
    const second = nextId()
    await chat.ask({ requestId: second, conversationId: conversation.id, content: 'When was it published?' }, sink)
    const answer = (await sink.ended(second)).message
    const prompts = fake.requests.filter((r) => r.path.endsWith('/ask')).map((r) => r.query.prompt)
    expect(prompts).toEqual(['Who wrote Dune?', 'When was it published?'])

    const again = nextId()
    const turn = await chat.regenerate({ requestId: again, messageId: answer.id }, sink)
    const regenerated = (await sink.ended(again)).message
    expect(turn.assistantMessage.model).toBe(WEB_ANSWER_MODEL)
    expect(regenerated.sources?.length).toBe(3)
    expect(fake.requests.filter((r) => r.path.endsWith('/ask')).at(-1)?.query.prompt).toBe('When was it published?')
    expect(store.getConversation(conversation.id).messages).toHaveLength(4)
  })

  it('reads a server that sends the whole text so far in each event', async () => {
    const events = ['The', 'The Nile', 'The Nile is long.'].map((message, i) => `data: ${JSON.stringify({ message, url: i === 2 ? 'https://example.org/nile' : '' })}\n\n`)
    fake.inject({ kind: 'raw', contentType: 'text/event-stream', chunks: events.map((text) => ({ text, delayMs: 2 })) }, { path: '/v1/ask' })
    const sink = windowSink(1)
    const conversation = store.createConversation(SETTINGS)
    const requestId = nextId()
    await chat.ask({ requestId, conversationId: conversation.id, content: 'Longest river?' }, sink)
    const saved = (await sink.ended(requestId)).message
    expect(saved.content).toBe('The Nile is long. [1]\n\n**Sources**\n\n1. [example.org](<https://example.org/nile>)\n')
  })

  it('an error inside the stream keeps what arrived, with its sources, and says why', async () => {
    fake.inject({ kind: 'stream-error' }, { path: '/v1/ask' })
    const sink = windowSink(1)
    const conversation = store.createConversation(SETTINGS)
    const requestId = nextId()
    await chat.ask({ requestId, conversationId: conversation.id, content: 'Anything' }, sink)
    const saved = (await sink.ended(requestId)).message
    expect(saved.status).toBe('error')
    expect(saved.error?.code).toBe('stream_error')
    expect(saved.content).toContain('Searching the web for an answer [1]')
    expect(saved.sources).toEqual([{ n: 1, url: 'https://example.org/', title: 'example.org' }])
  })

  it('HTTP errors and rate-limit notices end the turn with the server\'s words; nothing is lost', async () => {
    const sink = windowSink(1)
    const conversation = store.createConversation(SETTINGS)
    fake.inject({ kind: 'http-error', status: 403, shape: 'openai', message: 'Key not allowed for ask' }, { path: '/v1/ask' })
    const first = nextId()
    await chat.ask({ requestId: first, conversationId: conversation.id, content: 'One' }, sink)
    const failed = (await sink.ended(first)).message
    expect(failed.status).toBe('error')
    expect(failed.error?.message).toContain('Key not allowed for ask')

    fake.inject({ kind: 'ratelimit-notice', variant: 'current' }, { path: '/v1/ask' })
    const second = nextId()
    await chat.ask({ requestId: second, conversationId: conversation.id, content: 'Two' }, sink)
    const limited = (await sink.ended(second)).message
    expect(limited.error?.code).toBe('rate_limited')
    // Both questions are kept.
    expect(store.getConversation(conversation.id).messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['One', 'Two'])
  })

  it('stopping keeps what arrived and its sources list', async () => {
    const sink = windowSink(1)
    const conversation = store.createConversation(SETTINGS)
    const requestId = nextId()
    fake.inject({ kind: 'stall', afterChunks: 6, ms: 3_000 }, { path: '/v1/ask' })
    await chat.ask({ requestId, conversationId: conversation.id, content: 'A long question' }, sink)
    while (deltasOf(sink, requestId).length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    streams.abort(requestId)
    const saved = (await sink.ended(requestId)).message
    expect(saved.status).toBe('incomplete')
    expect(saved.sources?.length).toBeGreaterThan(0)
    expect(saved.content).toContain('**Sources**')
  })
})

describe('handing a streaming answer over ("Open in Skyport")', () => {
  it('the rest of the answer goes to the new sink; every delta reaches a window once; the saved answer is whole', async () => {
    const quick = windowSink(1)
    const everyWindow = windowSink(-1)
    const conversation = store.createConversation(SETTINGS, undefined, { quick: true })
    const requestId = nextId()
    fake.inject({ kind: 'stall', afterChunks: 4, ms: 150 }, { path: '/v1/ask' })
    await chat.ask({ requestId, conversationId: conversation.id, content: 'Hand me over' }, quick)
    while (deltasOf(quick, requestId).length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(chat.handOver(conversation.id, everyWindow)).toBe(true)
    const ended = await everyWindow.ended(requestId)
    expect(quick.events.some((e) => e.event === 'chat.ended')).toBe(false)
    const streamed = [...deltasOf(quick, requestId), ...deltasOf(everyWindow, requestId)].map((d) => d.content).join('')
    expect(deltasOf(everyWindow, requestId).length).toBeGreaterThan(0)
    expect(streamed).toBe(ended.message.content)
    expect(ended.message.status).toBe('complete')
    // Sent once: one question, one answer, one request.
    expect(store.getConversation(conversation.id).messages).toHaveLength(2)
    expect(fake.requests.filter((r) => r.path.endsWith('/ask'))).toHaveLength(1)
    expect(chat.handOver(conversation.id, everyWindow)).toBe(false)
  })
})

describe('quick-ask conversations in the store', () => {
  it('are marked quick, listed and searched like any other', () => {
    const quick = store.createConversation(SETTINGS, 'Quick one', { quick: true })
    const normal = store.createConversation(SETTINGS, 'Normal one')
    store.addMessage({ conversationId: quick.id, parentId: null, role: 'user', content: 'zanzibar spices' })
    expect(store.getConversation(quick.id).quick).toBe(true)
    expect(store.getConversation(normal.id).quick).toBeUndefined()
    expect(store.listConversations().find((c) => c.id === quick.id)?.quick).toBe(true)
    expect(store.search('zanzibar').map((hit) => hit.conversationId)).toEqual([quick.id])
    const bundle = store.exportAll()
    expect(bundle.conversations.find((c) => c.id === quick.id)?.quick).toBe(true)
  })

  it('a database of the previous version gains the columns and keeps its data', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'skyport-ask-migrate-')), 'old.db')
    const db = new DatabaseSync(path)
    // Exactly the steps before this one, as a person's file from the last release has them.
    const before = migrations.indexOf(quickAndSources)
    for (const step of migrations.slice(0, before)) step.up(db)
    db.exec(`PRAGMA user_version = ${before}`)
    db.exec("INSERT INTO conversations (id, title, created_at, updated_at, model) VALUES ('c1', 'Old', 1, 1, 'm')")
    db.exec("INSERT INTO messages (id, conversation_id, depth, role, content, status, created_at, updated_at) VALUES ('m1', 'c1', 1, 'user', 'kept text', 'complete', 1, 1)")
    db.close()
    const upgraded = ChatStore.open(path)
    try {
      const conversation = upgraded.getConversation('c1')
      expect(conversation.quick).toBeUndefined()
      expect(conversation.messages[0]?.content).toBe('kept text')
      expect(conversation.messages[0]?.sources).toBeUndefined()
      const answer = upgraded.addMessage({ conversationId: 'c1', parentId: 'm1', role: 'assistant', content: 'a' })
      const withSources = upgraded.updateMessage(answer.id, { sources: [{ n: 1, url: 'https://example.org/', title: 'example.org' }] })
      expect(withSources.sources).toHaveLength(1)
      expect(() => upgraded.updateMessage(answer.id, { sources: [{ n: 1, url: 'javascript:alert(1)', title: 'x' }] })).toThrow(/http\(s\) address/)
    } finally {
      upgraded.close()
    }
  })
})
