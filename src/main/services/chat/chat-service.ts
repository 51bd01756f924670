/**
 * Conversations that talk: adds the person's message, streams the answer
 * into the database as it arrives, and keeps every version (regenerated
 * answers, edited questions) as siblings in the message tree.
 *
 * The renderer hears about an answer through `chat.delta` (coalesced, about
 * one per frame) and exactly one `chat.ended` with the saved message.
 */
import type {
  Attachment,
  ChatMessage,
  ChatTextPart,
  ChatImagePart,
  ChatTurn,
  Conversation,
  MessageRecord,
  Settings,
  Usage
} from '../../../shared/contract'
import { AppError, toErrorData, type BridgeErrorData } from '../../../shared/errors'
import type { EventSink } from '../../bridge'
import { DeltaCoalescer } from '../coalescer'
import type { GatewayClient } from '../gateway'
import type { Logger } from '../log'
import type { StreamRegistry } from '../streams'
import { AnswerFilter } from './answer-filter'
import type { ChatStore } from './store'

export interface AttachmentSource {
  get(id: string): Promise<Attachment>
  toDataUrl(attachment: Attachment): Promise<string>
}

export interface ChatServiceDeps {
  store: ChatStore
  gateway: Pick<GatewayClient, 'streamChat'>
  streams: StreamRegistry
  attachments: AttachmentSource
  settings: () => Settings
  logger: Logger
  /** Coalescing window for delta events. */
  frameMs?: number
  /** How often the growing answer is written to the database. */
  saveEveryMs?: number
}

const MAX_MESSAGE_CHARS = 100_000
const MAX_ATTACHMENTS = 10
const DEFAULT_TITLE = 'New chat'

export class ChatService {
  readonly #deps: ChatServiceDeps
  /** One answer at a time per conversation: conversation id → request id. */
  readonly #busy = new Map<string, string>()
  readonly #running = new Set<Promise<void>>()

  constructor(deps: ChatServiceDeps) {
    this.#deps = deps
  }

  send(args: { requestId: string; conversationId: string; content: string; attachmentIds?: string[] }, sink: EventSink): Promise<ChatTurn> {
    return this.#registered(args?.requestId, sink, async (signal) => {
      const content = checkContent(args.content)
      const attachments = await this.#resolveAttachments(args.attachmentIds)
      if (content.trim() === '' && attachments.length === 0) throw new AppError('invalid_argument', 'Write a message or attach an image first.')
      const conversation = this.#claimConversation(args.conversationId, args.requestId)
      const parent = conversation.messages.at(-1) ?? null
      const userMessage = this.#deps.store.addMessage({ conversationId: conversation.id, parentId: parent?.id ?? null, role: 'user', content, attachments })
      let title: string | null = null
      if (conversation.title === DEFAULT_TITLE && conversation.messages.length === 0) {
        title = titleFrom(content, attachments)
        this.#deps.store.renameConversation(conversation.id, title)
      }
      return this.#answer({ requestId: args.requestId, signal, sink, conversation, question: userMessage, userMessage, title })
    })
  }

  regenerate(args: { requestId: string; messageId: string }, sink: EventSink): Promise<ChatTurn> {
    return this.#registered(args?.requestId, sink, async (signal) => {
      const old = this.#deps.store.getMessage(args.messageId)
      if (old.role !== 'assistant' || old.parentId === null) throw new AppError('invalid_argument', 'Only an answer can be regenerated.')
      const conversation = this.#claimConversation(old.conversationId, args.requestId)
      const question = this.#deps.store.getMessage(old.parentId)
      return this.#answer({ requestId: args.requestId, signal, sink, conversation, question, userMessage: null, title: null })
    })
  }

  edit(args: { requestId: string; messageId: string; content: string }, sink: EventSink): Promise<ChatTurn> {
    return this.#registered(args?.requestId, sink, async (signal) => {
      const content = checkContent(args.content)
      const old = this.#deps.store.getMessage(args.messageId)
      if (old.role !== 'user') throw new AppError('invalid_argument', 'Only your own messages can be edited.')
      if (content.trim() === '' && old.attachments.length === 0) throw new AppError('invalid_argument', 'The edited message is empty.')
      const conversation = this.#claimConversation(old.conversationId, args.requestId)
      const userMessage = this.#deps.store.addMessage({
        conversationId: conversation.id,
        parentId: old.parentId,
        role: 'user',
        content,
        attachments: old.attachments
      })
      return this.#answer({ requestId: args.requestId, signal, sink, conversation, question: userMessage, userMessage, title: null })
    })
  }

  /** Resolves when every answer being written has been saved (after an abort, say). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#running])
  }

  /** Registers the request id first (so it can be stopped), and releases it if the turn never starts. */
  async #registered(requestId: string, sink: EventSink, start: (signal: AbortSignal) => Promise<ChatTurn>): Promise<ChatTurn> {
    const signal = this.#deps.streams.begin(requestId, sink.id)
    try {
      return await start(signal)
    } catch (error) {
      this.#release(requestId)
      this.#deps.streams.end(requestId)
      throw error
    }
  }

  /** Creates the answer's row and starts streaming into it; returns before the answer arrives. */
  async #answer(turn: {
    requestId: string
    signal: AbortSignal
    sink: EventSink
    conversation: Conversation
    question: MessageRecord
    userMessage: MessageRecord | null
    title: string | null
  }): Promise<ChatTurn> {
    const { conversation } = turn
    const history = await this.#history(conversation, turn.question)
    const assistantMessage = this.#deps.store.addMessage({
      conversationId: conversation.id,
      parentId: turn.question.id,
      role: 'assistant',
      content: '',
      model: conversation.settings.model,
      status: 'streaming'
    })
    const running = this.#stream({ ...turn, message: assistantMessage, history })
    this.#running.add(running)
    void running.finally(() => this.#running.delete(running))
    return { requestId: turn.requestId, userMessage: turn.userMessage, assistantMessage, title: turn.title }
  }

  async #stream(run: {
    requestId: string
    conversation: Conversation
    message: MessageRecord
    history: ChatMessage[]
    signal: AbortSignal
    sink: EventSink
    title: string | null
  }): Promise<void> {
    // The turn's promise has resolved by now; nothing may throw out of here unseen.
    const { requestId, conversation, message, signal, sink } = run
    const { store } = this.#deps
    const filter = new AnswerFilter({ showFooters: this.#deps.settings().chat.showAdFooters })
    const coalescer = new DeltaCoalescer(
      (batch) => sink.send('chat.delta', { requestId, conversationId: conversation.id, messageId: message.id, ...batch }),
      this.#deps.frameMs
    )
    let content = ''
    let reasoning = ''
    let finishReason: string | null = null
    let usage: Usage | null = null
    let model: string | null = message.model
    let error: BridgeErrorData | null = null
    let lastSave = Date.now()
    const saveEveryMs = this.#deps.saveEveryMs ?? 250
    const save = (): void => {
      store.updateMessageFast(message.id, content, reasoning)
      lastSave = Date.now()
    }

    try {
      const { settings } = conversation
      const events = this.#deps.gateway.streamChat({ model: settings.model, messages: run.history, params: settings.params, stream: settings.stream }, signal)
      for await (const event of events) {
        if (event.type === 'delta') {
          const shown = filter.push(event.content)
          content += shown
          reasoning += event.reasoning
          coalescer.push(shown, event.reasoning)
          // Throttled: a killed process keeps what had arrived, without a write per token.
          if (Date.now() - lastSave >= saveEveryMs) save()
        } else if (event.type === 'finish') finishReason = event.reason
        else if (event.type === 'usage') usage = event.usage
        else if (event.type === 'model') model = event.model
      }
      const last = filter.finish()
      content += last
      coalescer.push(last, '')
      if (content.trim() === '' && reasoning.trim() === '') throw new AppError('bad_response', 'The server returned an empty answer.')
    } catch (caught) {
      error = signal.aborted ? null : toErrorData(caught)
    } finally {
      coalescer.flush()
      this.#release(requestId)
      this.#deps.streams.end(requestId)
    }

    const status = signal.aborted ? 'incomplete' : error ? 'error' : 'complete'
    try {
      const saved = store.updateMessage(message.id, { content, reasoning, status, error, finishReason, usage, model })
      sink.send('chat.ended', { requestId, message: saved, title: run.title })
    } catch (failure) {
      // Only when the database is gone (the app is quitting); the partial answer was saved already.
      this.#deps.logger.error('Could not save the end of an answer:', failure)
    }
  }

  /** The messages sent to the model: system prompt, then the thread up to the question. */
  async #history(conversation: Conversation, question: MessageRecord): Promise<ChatMessage[]> {
    const thread = this.#deps.store.thread(conversation.id)
    const upTo = thread.findIndex((message) => message.id === question.id)
    const path = upTo === -1 ? [...thread, question] : thread.slice(0, upTo + 1)
    const history: ChatMessage[] = []
    if (conversation.settings.systemPrompt.trim() !== '') history.push({ role: 'system', content: conversation.settings.systemPrompt })
    for (const message of path) {
      // Failed answers and empty stubs are not part of what was said.
      if (message.role === 'assistant' && (message.status === 'error' || message.content === '')) continue
      history.push(await this.#toChatMessage(message))
    }
    return history
  }

  async #toChatMessage(message: MessageRecord): Promise<ChatMessage> {
    if (message.attachments.length === 0) return { role: message.role, content: message.content }
    const parts: Array<ChatTextPart | ChatImagePart> = []
    if (message.content !== '') parts.push({ type: 'text', text: message.content })
    for (const attachment of message.attachments) {
      parts.push({ type: 'image_url', image_url: { url: await this.#deps.attachments.toDataUrl(attachment) } })
    }
    return { role: message.role, content: parts }
  }

  async #resolveAttachments(ids: unknown): Promise<Attachment[]> {
    if (ids === undefined || ids === null) return []
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw new AppError('invalid_argument', 'Attachments must be a list of ids.')
    if (ids.length > MAX_ATTACHMENTS) throw new AppError('invalid_argument', `At most ${MAX_ATTACHMENTS} images per message.`)
    return Promise.all(ids.map((id: string) => this.#deps.attachments.get(id)))
  }

  /** Marks the conversation busy at once, so two quick sends cannot both start an answer. */
  #claimConversation(id: string, requestId: string): Conversation {
    const conversation = this.#deps.store.getConversation(id)
    if (this.#busy.has(conversation.id)) throw new AppError('invalid_argument', 'An answer is still being written in this conversation. Stop it first.')
    this.#busy.set(conversation.id, requestId)
    return conversation
  }

  #release(requestId: string): void {
    for (const [conversationId, owner] of this.#busy) if (owner === requestId) this.#busy.delete(conversationId)
  }
}

function checkContent(content: unknown): string {
  if (typeof content !== 'string') throw new AppError('invalid_argument', 'A message must be text.')
  if (content.length > MAX_MESSAGE_CHARS) throw new AppError('invalid_argument', `A message can be at most ${MAX_MESSAGE_CHARS.toLocaleString('en')} characters.`)
  return content
}

/** A title from the first message: its first line, cut at a word near 60 characters. */
export function titleFrom(content: string, attachments: Attachment[]): string {
  const line = content.trim().split('\n')[0]?.replace(/\s+/g, ' ').trim() ?? ''
  if (line === '') return attachments.length > 0 ? 'Image' : DEFAULT_TITLE
  if (line.length <= 60) return line
  const cut = line.slice(0, 60)
  const space = cut.lastIndexOf(' ')
  return `${(space > 30 ? cut.slice(0, space) : cut).trimEnd()}…`
}
