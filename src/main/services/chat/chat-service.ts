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
  Usage,
  WebSource
} from '../../../shared/contract'
import { AppError, toErrorData, type BridgeErrorData } from '../../../shared/errors'
import type { EventSink } from '../../bridge'
import { DeltaCoalescer } from '../coalescer'
import type { GatewayClient } from '../gateway'
import { ENDED_EARLY_MESSAGE, type ChatStreamEvent } from '../http/sse'
import { Citations } from '../ask/citations'
import type { GlobalAsk } from '../ask/global-ask'
import type { Logger } from '../log'
import type { StreamRegistry } from '../streams'
import { AnswerFilter } from './answer-filter'
import type { ChatStore, MessagePatch } from './store'

/** Everything saved when an answer ends. */
type AnswerEnd = Required<Omit<MessagePatch, 'attachments' | 'sources'>> & Pick<MessagePatch, 'sources'>

/** Where an answer comes from other than the conversation's chat model (GlobalAsk). */
interface AnswerSource {
  events(signal: AbortSignal): AsyncIterable<ChatStreamEvent>
  /** Text that follows the answer once it has all arrived (a web answer's list of sources). */
  epilogue(): string
  sources(): WebSource[]
}

/** The model name web answers are saved under. */
export const WEB_ANSWER_MODEL = 'globalask'
/** A message as the model is sent it; the question may not be saved yet. */
type Spoken = Pick<MessageRecord, 'role' | 'content' | 'attachments'>

/** The turn that holds a conversation. */
interface Claim {
  requestId: string
  /** Aborted when the person stops the answer. */
  stopped: AbortSignal
  /** Resolves when the turn has ended and its answer is saved. */
  released: Promise<void>
  release: () => void
}

export interface AttachmentSource {
  get(id: string): Promise<Attachment>
  toDataUrl(attachment: Attachment): Promise<string>
}

export interface ChatServiceDeps {
  store: ChatStore
  gateway: Pick<GatewayClient, 'streamChat'>
  /** Web answers (`ask`); without it `ask` is refused. */
  globalAsk?: Pick<GlobalAsk, 'ask'>
  streams: StreamRegistry
  attachments: AttachmentSource
  settings: () => Settings
  logger: Logger
  /** Coalescing window for delta events. */
  frameMs?: number
  /** How often the growing answer is written to the database. */
  saveEveryMs?: number
  /** The longest answer (and reasoning) kept; at most MAX_ANSWER_CHARS. */
  maxAnswerChars?: number
}

/**
 * The longest answer (and reasoning) kept, in UTF-16 code units: below the
 * store's limit (LIMITS.storedMessageChars, 1,048,576), so no save fails on size.
 * An answer that reaches it is stopped there and ends with finish reason `length`.
 */
export const MAX_ANSWER_CHARS = 1_000_000
/** When the database refused the end of an answer (busy, say), it is tried once more after this long. */
const SAVE_RETRY_MS = 1_000
/** How long a new turn waits for a just-stopped answer in the same conversation to be saved. */
const STOPPED_SETTLE_MS = 2_000
/**
 * Kept in the message's error field with status `incomplete`: the answer is
 * not a failure (what arrived is shown and sent back as context), but the
 * window must not present it as finished.
 */
const CUT_SHORT: BridgeErrorData = { code: 'network', message: ENDED_EARLY_MESSAGE }
const DEFAULT_TITLE = 'New chat'
/** Sent after an answer that stopped early, to have the model go on from its last word. */
const CONTINUE_PROMPT = 'Continue exactly where your previous answer stopped. Do not repeat anything, do not add an introduction.'

export class ChatService {
  readonly #deps: ChatServiceDeps
  /** One answer at a time per conversation: conversation id → the turn writing it. */
  readonly #busy = new Map<string, Claim>()
  readonly #running = new Set<Promise<void>>()
  /** Where each running answer's events go, by conversation: `handOver` can redirect them. */
  readonly #routes = new Map<string, { sink: EventSink }>()

  constructor(deps: ChatServiceDeps) {
    this.#deps = deps
  }

  send(args: { requestId: string; conversationId: string; content: string; attachmentIds?: string[] }, sink: EventSink): Promise<ChatTurn> {
    return this.#registered(args.requestId, sink, async (signal) => {
      const { store } = this.#deps
      const { content } = args
      const attachments = await Promise.all((args.attachmentIds ?? []).map((id) => this.#deps.attachments.get(id)))
      if (content.trim() === '' && attachments.length === 0) throw new AppError('invalid_argument', 'Write a message or attach an image first.')
      const conversation = await this.#claimConversation(args.conversationId, args.requestId, signal)
      const earlier = conversation.messages
      // Images attached just now must be sent; a placeholder is only for older ones.
      const history = await this.#history(conversation, earlier, { role: 'user', content, attachments }, { exactQuestion: true })
      const title = conversation.title === DEFAULT_TITLE && earlier.length === 0 ? titleFrom(content, attachments) : null
      // Written only once the history is built, and together: a failure leaves no question without its answer row.
      const { userMessage, assistantMessage } = store.transaction(() => {
        const userMessage = store.addMessage({ conversationId: conversation.id, parentId: earlier.at(-1)?.id ?? null, role: 'user', content, attachments })
        if (title !== null) store.renameConversation(conversation.id, title)
        return { userMessage, assistantMessage: this.#addAnswerRow(conversation, userMessage.id) }
      })
      return this.#start({ requestId: args.requestId, signal, sink, conversation, history, userMessage, assistantMessage, title })
    })
  }

  /**
   * A web answer (GlobalAsk) to a new question in the conversation. GlobalAsk
   * takes one question, so the thread before it is not sent; the answer is
   * saved like any other, with its sources.
   */
  ask(args: { requestId: string; conversationId: string; content: string }, sink: EventSink): Promise<ChatTurn> {
    return this.#registered(args.requestId, sink, async (signal) => {
      const { store } = this.#deps
      const { content } = args
      if (content.trim() === '') throw new AppError('invalid_argument', 'Write a question first.')
      const answer = this.#webAnswer(content)
      const conversation = await this.#claimConversation(args.conversationId, args.requestId, signal)
      const earlier = conversation.messages
      const title = conversation.title === DEFAULT_TITLE && earlier.length === 0 ? titleFrom(content, []) : null
      const { userMessage, assistantMessage } = store.transaction(() => {
        const userMessage = store.addMessage({ conversationId: conversation.id, parentId: earlier.at(-1)?.id ?? null, role: 'user', content })
        if (title !== null) store.renameConversation(conversation.id, title)
        return { userMessage, assistantMessage: this.#addAnswerRow(conversation, userMessage.id, WEB_ANSWER_MODEL) }
      })
      return this.#start({ requestId: args.requestId, signal, sink, conversation, history: [], userMessage, assistantMessage, title, answer })
    })
  }

  regenerate(args: { requestId: string; messageId: string }, sink: EventSink): Promise<ChatTurn> {
    return this.#registered(args.requestId, sink, async (signal) => {
      const { store } = this.#deps
      const old = store.getMessage(args.messageId)
      if (old.role !== 'assistant' || old.parentId === null) throw new AppError('invalid_argument', 'Only an answer can be regenerated.')
      const conversation = await this.#claimConversation(old.conversationId, args.requestId, signal)
      const path = store.pathTo(old.parentId)
      const question = path.at(-1) as MessageRecord
      // The question is sent again even if its answers all failed: this is the person retrying it.
      // A web answer is regenerated from the web again.
      const answer = old.model === WEB_ANSWER_MODEL ? this.#webAnswer(question.content) : undefined
      const history = answer ? [] : await this.#history(conversation, path.slice(0, -1), question)
      const assistantMessage = this.#addAnswerRow(conversation, question.id, answer ? WEB_ANSWER_MODEL : undefined)
      return this.#start({ requestId: args.requestId, signal, sink, conversation, history, userMessage: null, assistantMessage, title: null, answer })
    })
  }

  edit(args: { requestId: string; messageId: string; content: string }, sink: EventSink): Promise<ChatTurn> {
    return this.#registered(args.requestId, sink, async (signal) => {
      const { store } = this.#deps
      const { content } = args
      const old = store.getMessage(args.messageId)
      if (old.role !== 'user') throw new AppError('invalid_argument', 'Only your own messages can be edited.')
      if (content.trim() === '' && old.attachments.length === 0) throw new AppError('invalid_argument', 'The edited message is empty.')
      const conversation = await this.#claimConversation(old.conversationId, args.requestId, signal)
      const earlier = old.parentId === null ? [] : store.pathTo(old.parentId)
      const history = await this.#history(conversation, earlier, { role: 'user', content, attachments: old.attachments })
      const { userMessage, assistantMessage } = store.transaction(() => {
        const userMessage = store.addMessage({ conversationId: conversation.id, parentId: old.parentId, role: 'user', content, attachments: old.attachments })
        return { userMessage, assistantMessage: this.#addAnswerRow(conversation, userMessage.id) }
      })
      return this.#start({ requestId: args.requestId, signal, sink, conversation, history, userMessage, assistantMessage, title: null })
    })
  }

  /**
   * Sends the rest of the answer being written in this conversation (if any)
   * to `sink` instead of the window that asked: "Open in Skyport" hands a
   * streaming quick ask to every window, so the main window follows it and
   * the quick window still gets each delta once. Returns whether one was running.
   */
  handOver(conversationId: string, sink: EventSink): boolean {
    const route = this.#routes.get(conversationId)
    if (!route) return false
    route.sink = sink
    return true
  }

  /**
   * Goes on with an answer that stopped early (at the token limit, or cut
   * short): the model gets the thread with that answer and a request to
   * continue, and what it writes is appended to the same message.
   */
  continue(args: { requestId: string; messageId: string }, sink: EventSink): Promise<ChatTurn> {
    return this.#registered(args.requestId, sink, async (signal) => {
      const { store } = this.#deps
      const old = store.getMessage(args.messageId)
      if (old.role !== 'assistant' || old.parentId === null) throw new AppError('invalid_argument', 'Only an answer can be continued.')
      if (old.content.trim() === '' || old.status === 'error') throw new AppError('invalid_argument', 'This answer has nothing to continue from.')
      const conversation = await this.#claimConversation(old.conversationId, args.requestId, signal)
      const path = store.pathTo(old.parentId)
      const question = path.at(-1) as MessageRecord
      const history = await this.#history(conversation, path.slice(0, -1), question)
      history.push({ role: 'assistant', content: old.content }, { role: 'user', content: CONTINUE_PROMPT })
      const assistantMessage = store.updateMessage(old.id, { status: 'streaming', error: null, finishReason: null })
      return this.#start({ requestId: args.requestId, signal, sink, conversation, history, userMessage: null, assistantMessage, title: null, prefix: old.content })
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

  /** The empty answer the stream is written into. */
  #addAnswerRow(conversation: Conversation, questionId: string, model: string = conversation.settings.model): MessageRecord {
    return this.#deps.store.addMessage({
      conversationId: conversation.id,
      parentId: questionId,
      role: 'assistant',
      content: '',
      model,
      status: 'streaming'
    })
  }

  /** GlobalAsk's answer to `question` as chat events: text with citation markers; the list of sources follows it. */
  #webAnswer(question: string): AnswerSource {
    const globalAsk = this.#deps.globalAsk
    if (!globalAsk) throw new AppError('internal', 'Web answers are not available.')
    const prompt = question.trim()
    const citations = new Citations()
    return {
      async *events(signal) {
        for await (const delta of globalAsk.ask(prompt, signal)) {
          const content = citations.push(delta.text, delta.url)
          if (content !== '') yield { type: 'delta', content, reasoning: '' }
        }
        // GlobalAsk has no end marker: a body that ended cleanly is the whole answer.
        yield { type: 'done' }
      },
      // The last source's marker, then the list; also after a stop or a failure.
      epilogue: () => citations.finish() + citations.list(),
      sources: () => citations.sources
    }
  }

  /** Starts streaming into the answer's row; returns before the answer arrives. */
  #start(turn: {
    requestId: string
    signal: AbortSignal
    sink: EventSink
    conversation: Conversation
    history: ChatMessage[]
    userMessage: MessageRecord | null
    assistantMessage: MessageRecord
    title: string | null
    answer?: AnswerSource | undefined
    /** Text the answer already holds (a continued answer); the stream appends to it. */
    prefix?: string
  }): ChatTurn {
    const running = this.#stream({ ...turn, message: turn.assistantMessage, prefix: turn.prefix ?? '' })
    this.#running.add(running)
    void running.finally(() => this.#running.delete(running))
    return { requestId: turn.requestId, userMessage: turn.userMessage, assistantMessage: turn.assistantMessage, title: turn.title }
  }

  async #stream(run: {
    requestId: string
    conversation: Conversation
    message: MessageRecord
    history: ChatMessage[]
    signal: AbortSignal
    sink: EventSink
    title: string | null
    answer?: AnswerSource | undefined
    prefix: string
  }): Promise<void> {
    // The turn's promise has resolved by now; nothing may throw out of here unseen.
    const { requestId, conversation, message, signal } = run
    const { store } = this.#deps
    const route = { sink: run.sink }
    this.#routes.set(conversation.id, route)
    const filter = new AnswerFilter({ showFooters: this.#deps.settings().chat.showAdFooters })
    const coalescer = new DeltaCoalescer(
      (batch) => route.sink.send('chat.delta', { requestId, conversationId: conversation.id, messageId: message.id, ...batch }),
      this.#deps.frameMs
    )
    let content = run.prefix
    let reasoning = run.prefix === '' ? '' : message.reasoning
    let finishReason: string | null = null
    let usage: Usage | null = null
    let model: string | null = message.model
    let error: BridgeErrorData | null = null
    let serverEnded = false
    let capped = false
    const maxChars = Math.min(this.#deps.maxAnswerChars ?? MAX_ANSWER_CHARS, MAX_ANSWER_CHARS)
    // What arrived reaches the file within saveEveryMs whatever comes next
    // (a pause, a crash), with at most one write per interval, not one per token.
    const saveEveryMs = this.#deps.saveEveryMs ?? 250
    let unsaved = false
    let saveTimer: NodeJS.Timeout | null = null
    let saveFailed = false
    const save = (): void => {
      saveTimer = null
      if (!unsaved) return
      unsaved = false
      try {
        store.updateMessageFast(message.id, content, reasoning)
      } catch (failure) {
        // A busy or full database: keep streaming; the final save tries again and says so if it fails.
        if (!saveFailed) this.#deps.logger.error('Could not save a streaming answer:', failure)
        saveFailed = true
      }
    }

    try {
      const { settings } = conversation
      const events = run.answer
        ? run.answer.events(signal)
        : this.#deps.gateway.streamChat({ model: settings.model, messages: run.history, params: settings.params, stream: settings.stream }, signal)
      for await (const event of events) {
        if (event.type === 'delta') {
          let shown = filter.push(event.content)
          let thought = event.reasoning
          capped = content.length + shown.length > maxChars || reasoning.length + thought.length > maxChars
          if (capped) {
            shown = cutAt(shown, maxChars - content.length)
            thought = cutAt(thought, maxChars - reasoning.length)
          }
          content += shown
          reasoning += thought
          coalescer.push(shown, thought)
          unsaved = true
          saveTimer ??= setTimeout(save, saveEveryMs)
          if (capped) {
            // Leaving the loop closes the response: the rest is not downloaded.
            finishReason = 'length'
            break
          }
        } else if (event.type === 'finish') finishReason = event.reason
        else if (event.type === 'usage') usage = event.usage
        else if (event.type === 'model') model = event.model
        else if (event.type === 'done') serverEnded = true
      }
      // The filter holds back a short tail that may be the start of a marker.
      const last = capped ? '' : cutAt(filter.finish(), maxChars - content.length)
      content += last
      coalescer.push(last, '')
      if (content.trim() === '' && reasoning.trim() === '') throw new AppError('bad_response', 'The server returned an empty answer.')
      // Neither [DONE] nor a finish reason: the body ended cleanly but early (a proxy or upstream gave up).
      if (!serverEnded && finishReason === null) error = CUT_SHORT
    } catch (caught) {
      error = signal.aborted ? null : toErrorData(caught)
    } finally {
      if (saveTimer) clearTimeout(saveTimer)
      // After the filter (a hidden advertising footer must not take the sources with it), and
      // also when stopped or failed: the sources of what arrived stay with it.
      const epilogue = capped || content.trim() === '' ? '' : cutAt(run.answer?.epilogue() ?? '', maxChars - content.length)
      content += epilogue
      coalescer.push(epilogue, '')
      coalescer.flush()
      this.#deps.streams.end(requestId)
    }

    try {
      const status = signal.aborted || error === CUT_SHORT ? 'incomplete' : error ? 'error' : 'complete'
      const sources = run.answer?.sources() ?? []
      const saved = this.#saveEnd(message, { content, reasoning, status, error, finishReason, usage, model, ...(sources.length > 0 ? { sources } : {}) })
      route.sink.send('chat.ended', { requestId, message: saved, title: run.title })
    } finally {
      if (this.#routes.get(conversation.id) === route) this.#routes.delete(conversation.id)
      // Only now: a turn waiting for this one then builds its history from the saved answer.
      this.#release(requestId)
    }
  }

  /**
   * Saves how the answer ended and returns the record for `chat.ended`.
   * Never throws, so the turn always ends: when the database refuses (busy,
   * disk full, closed), the window gets what arrived with the reason it is
   * not saved, and the row is marked as failed instead of streaming, now if
   * the database lets it, else once more a moment later.
   */
  #saveEnd(message: MessageRecord, end: AnswerEnd): MessageRecord {
    const { store } = this.#deps
    try {
      return store.updateMessage(message.id, end)
    } catch (failure) {
      this.#deps.logger.error('Could not save the end of an answer:', failure)
      const note: BridgeErrorData = { code: 'internal', message: `The answer could not be saved: ${messageOf(failure)}` }
      const markFailed = (): boolean => {
        try {
          store.updateMessage(message.id, { status: 'error', error: note })
          return true
        } catch {
          return false
        }
      }
      if (!markFailed()) {
        // Both writes were refused, so the database itself is unavailable for now (busy, say): try again later.
        const retry = setTimeout(() => {
          try {
            store.updateMessage(message.id, end)
          } catch (again) {
            // The next start marks it incomplete if this fails too.
            if (!markFailed()) this.#deps.logger.error('Could not save the end of an answer on a second try:', again)
          }
        }, SAVE_RETRY_MS)
        retry.unref()
      }
      return { ...message, ...end, status: 'error', error: note, updatedAt: Date.now() }
    }
  }

  /**
   * What the model is sent: one system message (the conversation's prompt,
   * then any system messages of the thread), questions and their answers
   * strictly alternating, then the question. `earlier` is the thread before
   * the question.
   */
  async #history(
    conversation: Conversation,
    earlier: readonly MessageRecord[],
    question: Spoken,
    options: { exactQuestion?: boolean } = {}
  ): Promise<ChatMessage[]> {
    const system = [conversation.settings.systemPrompt, ...earlier.filter((message) => message.role === 'system').map((message) => message.content)]
    const systemText = system.filter((text) => text.trim() !== '').join('\n\n')
    const history: ChatMessage[] = systemText === '' ? [] : [{ role: 'system', content: systemText }]
    for (const message of answeredPairs(earlier)) history.push(await this.#toChatMessage(message, false))
    history.push(await this.#toChatMessage(question, options.exactQuestion === true))
    return history
  }

  /** `exact`: a missing image fails the turn instead of being sent as a note. */
  async #toChatMessage(message: Spoken, exact: boolean): Promise<ChatMessage> {
    if (message.attachments.length === 0) return { role: message.role, content: message.content }
    const parts: Array<ChatTextPart | ChatImagePart> = []
    if (message.content !== '') parts.push({ type: 'text', text: message.content })
    for (const attachment of message.attachments) {
      try {
        parts.push({ type: 'image_url', image_url: { url: await this.#deps.attachments.toDataUrl(attachment) } })
      } catch (error) {
        // An imported conversation carries its images' records but not their files (or ids of another app).
        const missing = error instanceof AppError && (error.code === 'not_found' || error.code === 'invalid_argument')
        if (exact || !missing) throw error
        parts.push({ type: 'text', text: `[image not available: ${attachment.name}]` })
      }
    }
    return { role: message.role, content: parts }
  }

  /**
   * Marks the conversation busy, so two quick sends cannot both start an
   * answer. An answer that was just stopped still takes a moment to save what
   * arrived; a turn started right after Stop waits for that (briefly) instead
   * of being refused.
   */
  async #claimConversation(id: string, requestId: string, signal: AbortSignal): Promise<Conversation> {
    let conversation = this.#deps.store.getConversation(id)
    const holder = this.#busy.get(conversation.id)
    if (holder) {
      const settled = holder.stopped.aborted && (await settlesWithin(holder.released, STOPPED_SETTLE_MS))
      // Another turn may have claimed it meanwhile; and this one may have been stopped while it waited.
      if (!settled || this.#busy.has(conversation.id)) throw new AppError('invalid_argument', 'An answer is still being written in this conversation. Stop it first.')
      if (signal.aborted) throw new AppError('aborted', 'Stopped.')
      // Read again: the stopped answer is saved now.
      conversation = this.#deps.store.getConversation(id)
    }
    let release = (): void => undefined
    const released = new Promise<void>((resolve) => (release = resolve))
    this.#busy.set(conversation.id, { requestId, stopped: signal, released, release })
    return conversation
  }

  #release(requestId: string): void {
    for (const [conversationId, claim] of this.#busy) {
      if (claim.requestId !== requestId) continue
      this.#busy.delete(conversationId)
      claim.release()
    }
  }
}

/**
 * The questions that got an answer, each followed by it, in order. Left out:
 * answers that failed or hold no text, with their question; a question
 * nobody answered (its send failed, or another question followed it), which
 * is sent again only when the person retries it; answers with no question
 * before them. Strict providers refuse two messages of one role in a row.
 */
function answeredPairs(thread: readonly MessageRecord[]): MessageRecord[] {
  const pairs: MessageRecord[] = []
  let question: MessageRecord | null = null
  for (const message of thread) {
    if (message.role === 'user') {
      question = message
    } else if (message.role === 'assistant') {
      if (question !== null && message.status !== 'error' && message.content !== '') pairs.push(question, message)
      question = null
    }
  }
  return pairs
}

/** True when `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([promise.then(() => true), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The first `room` code units of `text`, without splitting a surrogate pair. */
function cutAt(text: string, room: number): string {
  if (text.length <= room) return text
  if (room <= 0) return ''
  const end = /[\uD800-\uDBFF]/.test(text[room - 1] ?? '') ? room - 1 : room
  return text.slice(0, end)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
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
