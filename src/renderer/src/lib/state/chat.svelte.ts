/**
 * The open conversation and its streaming answers.
 *
 * Every message is its own `MessageItem` whose text lives in `$state` fields,
 * so a `chat.delta` appends to one object and only that row re-renders: the
 * work per delta does not grow with the conversation. The `chat.delta` and
 * `chat.ended` listeners are registered once, before the first invoke, and
 * deltas that arrive before the invoke returns are buffered by request id.
 */
import type {
  Attachment,
  ChatEnded,
  ChatParams,
  ChatRole,
  ChatTurn,
  Conversation,
  ConversationSettings,
  MessageRecord,
  MessageStatus,
  Preset,
  Usage
} from '@shared/contract'
import type { AppError, BridgeErrorData } from '@shared/errors'
import { INTEGER_PARAMS, PARAM_NAMES, PARAM_RANGES, type ParamName } from '@shared/limits'
import { getApi } from '../bridge'
import { StreamedText } from '../streamed-text'
import { asAppError, invalid } from '../errors'
import { toSummary, type ConversationsStore } from './conversations.svelte'

/** One message of the visible thread. Text, status and error change in place while it streams. */
export class MessageItem {
  readonly id: string
  readonly role: ChatRole
  /** The record as last saved; `content`, `reasoning`, `status` and `error` below are the live values. */
  record: MessageRecord
  content: string
  reasoning: string
  status: MessageStatus
  error: BridgeErrorData | null

  constructor(record: MessageRecord) {
    this.id = record.id
    this.role = record.role
    this.record = $state.raw(record)
    this.content = $state(record.content)
    this.reasoning = $state(record.reasoning)
    this.status = $state(record.status)
    this.error = $state.raw(record.error)
  }

  get versionIds(): string[] {
    return this.record.versionIds
  }

  get versionIndex(): number {
    return this.record.versionIndex
  }

  get attachments(): Attachment[] {
    return this.record.attachments
  }

  get model(): string | null {
    return this.record.model
  }

  get usage(): Usage | null {
    return this.record.usage
  }

  /**
   * While streaming: the same text as `content`, in the pieces it came in, so
   * that the answer's renderer reads only the new ones. Not reactive:
   * `content` changes with it.
   */
  streamed: StreamedText | null = null

  /** Appends streamed text: O(delta), touches only this message. */
  append(content: string, reasoning: string): void {
    if (content) {
      ;(this.streamed ??= new StreamedText(this.content)).append(content)
      this.content += content
    }
    if (reasoning) this.reasoning += reasoning
  }

  /** Takes the saved record (e.g. at `chat.ended`). */
  apply(record: MessageRecord): void {
    this.streamed = null
    this.record = record
    this.content = record.content
    this.reasoning = record.reasoning
    this.status = record.status
    this.error = record.error
  }
}

/** A conversation's metadata; its messages live in `ChatSession.messages`. */
export type ConversationInfo = Omit<Conversation, 'messages' | 'earlier'>

interface LiveStream {
  requestId: string
  conversationId: string
  /** The assistant message, once the invoke returned it. */
  item: MessageItem | null
  /** Deltas that arrived before the invoke returned. */
  content: string
  reasoning: string
  /** `chat.ended` that arrived before the invoke returned. */
  ended: ChatEnded | null
}

export interface StreamInfo {
  requestId: string
  conversationId: string
  messageId: string | null
}

type Placement = { kind: 'append' } | { kind: 'replace'; messageId: string }

export interface ChatSessionOptions {
  /** The sidebar list, told about new conversations, titles and activity. */
  conversations: ConversationsStore
  /** The model a new conversation starts with (the app's default chat model). */
  defaultModel?: () => string
  /** Hears what each answer showed about the connection (null: the server answered). */
  onResult?: (error: BridgeErrorData | null) => void
}

/** A conversation opens with at most this many messages from its end (a screenful and more); the rest follows. */
export const OPEN_LAST_MESSAGES = 30

export class ChatSession {
  readonly conversations: ConversationsStore
  #defaultModel: () => string = () => ''
  #onResult: (error: BridgeErrorData | null) => void = () => {}
  // Not reactive on purpose: read on every delta; `streams` carries what the UI shows.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #live = new Map<string, LiveStream>()
  #unsubscribe: (() => void)[] | null = null
  #openSequence = 0
  #focusSequence = 0
  /** The thread above the opened end, on its way (see `open`). */
  #earlierLoad: Promise<boolean> | null = null

  /** The open conversation; null is a new chat not saved yet (created on the first send). */
  conversation = $state.raw<ConversationInfo | null>(null)
  /** The visible thread, root to leaf (a long one opens with its end first; `earlier` counts what is still to come above). */
  messages = $state.raw<MessageItem[]>([])
  /** Messages of the open thread above `messages`, not loaded yet (the list keeps a row for each). */
  earlier = $state(0)
  /** The conversation being opened, while it loads or when it failed to load. */
  requestedId = $state<string | null>(null)
  loading = $state(false)
  /** Why the conversation could not be opened. */
  loadError = $state.raw<AppError | null>(null)
  /** Why the last send, regenerate, edit, stop or version switch failed. */
  actionError = $state.raw<AppError | null>(null)
  /** A send is being invoked. */
  sending = $state(false)
  /** Answers streaming now, in any conversation. */
  streams = $state.raw<StreamInfo[]>([])
  /** Settings chosen for the new chat before it is saved. */
  draftSettings = $state.raw<Partial<ConversationSettings>>({})
  /** Bumped whenever a new turn is placed in the open thread (the list scrolls to it). */
  turn = $state(0)
  /** A message to scroll to and highlight (from search). */
  focus = $state.raw<{ messageId: string; seq: number } | null>(null)
  /** Images waiting in the composer for the next send (attached there, or sent from the library). */
  attachments = $state.raw<Attachment[]>([])

  readonly id: string | null = $derived(this.conversation?.id ?? null)
  readonly title: string = $derived(this.conversation?.title ?? 'New chat')
  /** The request streaming into the open conversation. */
  readonly activeRequestId: string | null = $derived(
    this.streams.find((stream) => stream.conversationId === this.id && this.id !== null)?.requestId ?? null
  )
  readonly streaming: boolean = $derived(this.activeRequestId !== null)
  /** Sending is blocked: an answer streams here or a send is on its way. */
  readonly busy: boolean = $derived(this.streaming || this.sending)
  readonly settings: ConversationSettings = $derived(
    this.conversation?.settings ?? {
      model: this.#defaultModel(),
      systemPrompt: '',
      params: {},
      stream: true,
      ...this.draftSettings
    }
  )
  readonly #streamingIds: string[] = $derived(
    this.streams.flatMap((stream) => (stream.messageId ? [stream.messageId] : []))
  )

  constructor(options: ChatSessionOptions) {
    this.conversations = options.conversations
    if (options.defaultModel) this.#defaultModel = options.defaultModel
    if (options.onResult) this.#onResult = options.onResult
  }

  /** Starts following `chat.delta` and `chat.ended` (once; every invoke calls it first). */
  init(): void {
    if (this.#unsubscribe) return
    const api = getApi()
    this.#unsubscribe = [
      api.on('chat.delta', (delta) => this.#onDelta(delta.requestId, delta.messageId, delta.content, delta.reasoning)),
      api.on('chat.ended', (ended) => this.#onEnded(ended))
    ]
  }

  /** Stops listening (tests; the app keeps one session for its lifetime). */
  dispose(): void {
    for (const stop of this.#unsubscribe ?? []) stop()
    this.#unsubscribe = null
  }

  /** True while `messageId` is being written by a stream this window follows. */
  isStreaming(messageId: string): boolean {
    return this.#streamingIds.includes(messageId)
  }

  // ------------------------------------------------------------ opening

  /**
   * Opens a saved conversation. Only the end of its thread comes first, so a
   * conversation of thousands of messages shows as fast as a short one; the
   * messages above follow once that has been painted. Returns false when it
   * failed or another open overtook it.
   */
  async open(id: string): Promise<boolean> {
    this.init()
    const sequence = ++this.#openSequence
    this.requestedId = id
    this.loading = true
    this.loadError = null
    try {
      const conversation = await getApi().conversations.get({ id, last: OPEN_LAST_MESSAGES })
      if (sequence !== this.#openSequence) return false
      this.#show(conversation)
      this.requestedId = null
      if (this.earlier > 0) {
        void afterNextPaint().then(() => {
          if (sequence === this.#openSequence) void this.loadEarlier()
        })
      }
      return true
    } catch (error) {
      if (sequence === this.#openSequence) this.loadError = asAppError(error)
      return false
    } finally {
      if (sequence === this.#openSequence) this.loading = false
    }
  }

  /**
   * Makes the open thread whole: fetches the messages above its first one
   * (once: a fetch on its way is shared). False when that failed
   * (`actionError` says why).
   */
  loadEarlier(): Promise<boolean> {
    if (this.earlier === 0) return Promise.resolve(true)
    if (this.#earlierLoad) return this.#earlierLoad
    const load: Promise<boolean> = this.#fetchEarlier().finally(() => {
      if (this.#earlierLoad === load) this.#earlierLoad = null
    })
    this.#earlierLoad = load
    return load
  }

  async #fetchEarlier(): Promise<boolean> {
    const first = this.messages[0]
    const conversationId = this.id
    if (this.earlier === 0) return true
    if (!first || conversationId === null) return false
    try {
      const records = await getApi().conversations.earlier({ id: conversationId, before: first.id })
      // Another conversation opened, or the thread was shown anew (a version switch): those came whole.
      if (this.id !== conversationId || this.messages[0] !== first) return this.earlier === 0
      this.messages = [...records.map((record) => new MessageItem(record)), ...this.messages]
      this.earlier = 0
      return true
    } catch (error) {
      if (this.id === conversationId) this.actionError = asAppError(error)
      return false
    }
  }

  /**
   * Opens a conversation at one message (a search hit): switches to that
   * message's version first when it is not in the visible thread, then asks
   * the list to scroll to it and highlight it.
   */
  async openAt(conversationId: string, messageId: string): Promise<boolean> {
    if (this.id !== conversationId || this.loading) {
      if (!(await this.open(conversationId))) return false
    }
    // A hit may lie above the end that opened first.
    if (this.earlier > 0 && !this.messages.some((message) => message.id === messageId)) {
      if (!(await this.loadEarlier())) return false
    }
    if (!this.messages.some((message) => message.id === messageId)) {
      if (!(await this.switchVersion(messageId))) return false
    }
    if (!this.messages.some((message) => message.id === messageId)) return false
    this.focus = { messageId, seq: ++this.#focusSequence }
    return true
  }

  /** Shows an unsaved new chat (nothing is created until the first send). */
  startDraft(): void {
    this.#openSequence++
    this.conversation = null
    this.messages = []
    this.earlier = 0
    this.#earlierLoad = null
    this.draftSettings = {}
    this.requestedId = null
    this.loading = false
    this.loadError = null
    this.actionError = null
    this.focus = null
  }

  /**
   * A new chat: nothing is saved until its first message is sent (see
   * `ensureSaved`), so empty "New chat" entries never pile up in the list.
   */
  newChat(): void {
    this.startDraft()
  }

  /** Called when a conversation was deleted elsewhere (the sidebar). */
  forget(id: string): void {
    if (this.id === id || this.requestedId === id) this.startDraft()
  }

  // ------------------------------------------------------------ composer attachments

  /** Adds images to the composer (e.g. "Send to chat" from the library). */
  attach(...attachments: Attachment[]): void {
    const fresh = attachments.filter((attachment) => !this.attachments.some((held) => held.id === attachment.id))
    if (fresh.length > 0) this.attachments = [...this.attachments, ...fresh]
  }

  detach(id: string): void {
    this.attachments = this.attachments.filter((attachment) => attachment.id !== id)
  }

  /** Empties the composer's images and returns them (a send takes them). */
  takeAttachments(): Attachment[] {
    const taken = this.attachments
    this.attachments = []
    return taken
  }

  // ------------------------------------------------------------ turns

  /**
   * The open conversation's id; an unsaved new chat is saved first (with the
   * settings chosen for it). Null when saving failed (see `actionError`).
   */
  async ensureSaved(): Promise<string | null> {
    if (this.id !== null) return this.id
    try {
      const draft = this.draftSettings
      const created = await getApi().conversations.create(Object.keys(draft).length > 0 ? { settings: draft } : {})
      this.conversations.upsert(toSummary(created))
      this.#show(created)
      return created.id
    } catch (error) {
      this.actionError = asAppError(error)
      return null
    }
  }

  /**
   * Sends a user message and streams the answer. Returns false when it could
   * not start. `web`: the answer comes from a web search (GlobalAsk), which
   * takes text only.
   */
  async send(content: string, attachmentIds: string[] = [], options: { web?: boolean } = {}): Promise<boolean> {
    if (this.busy) return false
    if (content.trim() === '' && attachmentIds.length === 0) return false
    if (options.web === true && (content.trim() === '' || attachmentIds.length > 0)) {
      this.actionError = invalid('Web answers take a written question, without images.')
      return false
    }
    this.init()
    this.actionError = null
    this.sending = true
    let requestId: string | null = null
    try {
      const conversationId = await this.ensureSaved()
      if (conversationId === null) return false
      requestId = crypto.randomUUID()
      this.#begin(requestId, conversationId)
      const turn =
        options.web === true
          ? await getApi().ask.send({ requestId, conversationId, content })
          : await getApi().chat.send({
              requestId,
              conversationId,
              content,
              ...(attachmentIds.length > 0 ? { attachmentIds } : {})
            })
      this.#place(turn, conversationId, { kind: 'append' })
      // Main names a new conversation from its first message at once.
      if (turn.title !== null) this.#retitle(conversationId, turn.title)
      return true
    } catch (error) {
      if (requestId) this.#end(requestId)
      this.actionError = asAppError(error)
      this.#onResult(this.actionError)
      return false
    } finally {
      this.sending = false
    }
  }

  /** A new version of an assistant answer (also "Retry" of a failed one). */
  regenerate(messageId: string): Promise<boolean> {
    return this.#turn((requestId) => getApi().chat.regenerate({ requestId, messageId }), messageId)
  }

  /** A new version of a user message, answered anew. */
  edit(messageId: string, content: string): Promise<boolean> {
    if (content.trim() === '') {
      this.actionError = invalid('A message cannot be empty.')
      return Promise.resolve(false)
    }
    return this.#turn((requestId) => getApi().chat.edit({ requestId, messageId, content }), messageId)
  }

  /** Goes on with an answer that stopped early (at the token limit); the text is appended to it. */
  continueAnswer(messageId: string): Promise<boolean> {
    return this.#turn((requestId) => getApi().chat.continue({ requestId, messageId }), messageId)
  }

  /** Deletes a message (the version showing) and everything below it. */
  async deleteMessage(messageId: string): Promise<boolean> {
    if (this.busy) return false
    this.actionError = null
    try {
      const conversation = await getApi().chat.deleteMessage({ messageId })
      if (this.id === conversation.id) this.#show(conversation)
      this.conversations.upsert(toSummary(conversation))
      return true
    } catch (error) {
      this.actionError = asAppError(error)
      return false
    }
  }

  /** Opens a new conversation holding the thread down to this message. */
  async fork(messageId: string): Promise<boolean> {
    this.actionError = null
    const sequence = ++this.#openSequence
    try {
      const conversation = await getApi().chat.fork({ messageId })
      this.conversations.upsert(toSummary(conversation))
      if (sequence === this.#openSequence) this.#show(conversation)
      return true
    } catch (error) {
      this.actionError = asAppError(error)
      return false
    }
  }

  /** Stops the answer streaming into the open conversation; what arrived is kept. */
  async stop(): Promise<void> {
    const requestId = this.activeRequestId
    if (!requestId) return
    try {
      await getApi().stream.abort({ requestId })
    } catch (error) {
      this.actionError = asAppError(error)
    }
  }

  /** Shows another version of a message (and the thread below it). */
  async switchVersion(messageId: string): Promise<boolean> {
    try {
      const conversation = await getApi().chat.switchVersion({ messageId })
      if (this.id === null || conversation.id === this.id) this.#show(conversation)
      return true
    } catch (error) {
      this.actionError = asAppError(error)
      return false
    }
  }

  /** The neighbouring version of `message` (`-1` previous, `1` next). */
  switchNeighbour(message: MessageItem, step: -1 | 1): Promise<boolean> {
    const target = message.versionIds[message.versionIndex + step]
    return target ? this.switchVersion(target) : Promise.resolve(false)
  }

  dismissError(): void {
    this.actionError = null
  }

  // ------------------------------------------------------------ settings

  /** Saves settings of the open conversation (or of the unsaved new chat). Throws the AppError when refused. */
  async updateSettings(patch: Partial<ConversationSettings>): Promise<void> {
    const conversation = this.conversation
    if (!conversation) {
      this.draftSettings = { ...this.draftSettings, ...patch }
      return
    }
    try {
      const next = await getApi().conversations.updateSettings({ id: conversation.id, settings: patch })
      if (this.id === next.id) this.conversation = info(next)
      this.conversations.patch(next.id, { model: next.model, updatedAt: next.updatedAt })
    } catch (error) {
      throw asAppError(error)
    }
  }

  /** Applies a preset: its system prompt and parameters, and its model when it names one. */
  applyPreset(preset: Preset): Promise<void> {
    return this.updateSettings({
      systemPrompt: preset.systemPrompt,
      params: { ...preset.params },
      ...(preset.model ? { model: preset.model } : {})
    })
  }

  // ------------------------------------------------------------ internals

  async #turn(invoke: (requestId: string) => Promise<ChatTurn>, replacing: string): Promise<boolean> {
    const conversationId = this.id
    if (this.busy || conversationId === null) return false
    this.init()
    this.actionError = null
    const requestId = crypto.randomUUID()
    this.#begin(requestId, conversationId)
    try {
      const turn = await invoke(requestId)
      this.#place(turn, conversationId, { kind: 'replace', messageId: replacing })
      return true
    } catch (error) {
      this.#end(requestId)
      this.actionError = asAppError(error)
      this.#onResult(this.actionError)
      return false
    }
  }

  #show(conversation: Conversation): void {
    // Messages still streaming keep their live object (it has every delta so far).
    const live = [...this.#live.values()].flatMap((stream) => (stream.item ? [stream.item] : []))
    this.conversation = info(conversation)
    this.messages = conversation.messages.map((record) => live.find((item) => item.id === record.id) ?? new MessageItem(record))
    this.earlier = conversation.earlier
    // A fetch of the thread above what was shown before has nothing to do with this one.
    this.#earlierLoad = null
    this.loadError = null
    this.requestedId = null
    this.loading = false
  }

  #begin(requestId: string, conversationId: string): void {
    this.#live.set(requestId, { requestId, conversationId, item: null, content: '', reasoning: '', ended: null })
    this.streams = [...this.streams, { requestId, conversationId, messageId: null }]
  }

  #end(requestId: string): void {
    this.#live.delete(requestId)
    if (this.streams.some((stream) => stream.requestId === requestId)) {
      this.streams = this.streams.filter((stream) => stream.requestId !== requestId)
    }
  }

  #place(turn: ChatTurn, conversationId: string, placement: Placement): void {
    const assistant = new MessageItem(turn.assistantMessage)
    const user = turn.userMessage ? new MessageItem(turn.userMessage) : null
    const live = this.#live.get(turn.requestId)
    if (live) {
      live.item = assistant
      assistant.append(live.content, live.reasoning)
      live.content = ''
      live.reasoning = ''
      this.streams = this.streams.map((stream) =>
        stream.requestId === turn.requestId ? { ...stream, messageId: assistant.id } : stream
      )
    }
    if (this.id === conversationId) {
      const added = user ? [user, assistant] : [assistant]
      let base = this.messages
      if (placement.kind === 'replace') {
        const index = base.findIndex((message) => message.id === placement.messageId)
        if (index !== -1) base = base.slice(0, index)
      }
      this.messages = [...base, ...added]
      this.turn++
    }
    if (live?.ended) this.#onEnded(live.ended)
    else if (live && turn.assistantMessage.status !== 'streaming') this.#end(turn.requestId)
    this.conversations.patch(conversationId, { updatedAt: turn.assistantMessage.createdAt })
  }

  #find(messageId: string): MessageItem | undefined {
    // The streaming message is almost always the last one.
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i]
      if (message?.id === messageId) return message
    }
    return undefined
  }

  #onDelta(requestId: string, messageId: string, content: string, reasoning: string): void {
    const live = this.#live.get(requestId)
    if (!live) {
      // A stream this window did not start (e.g. resumed elsewhere): follow it if it shows here.
      this.#find(messageId)?.append(content, reasoning)
      return
    }
    if (live.item) {
      live.item.append(content, reasoning)
    } else {
      live.content += content
      live.reasoning += reasoning
    }
  }

  #retitle(conversationId: string, title: string): void {
    this.conversations.patch(conversationId, { title })
    if (this.conversation?.id === conversationId) this.conversation = { ...this.conversation, title }
  }

  #onEnded(ended: ChatEnded): void {
    const live = this.#live.get(ended.requestId)
    if (live && !live.item) {
      live.ended = ended
      return
    }
    const item = live?.item ?? this.#find(ended.message.id)
    item?.apply(ended.message)
    if (ended.message.status === 'complete') this.#onResult(null)
    else if (ended.message.status === 'error' && ended.message.error) this.#onResult(ended.message.error)
    if (live) this.#end(ended.requestId)
    const conversationId = ended.message.conversationId
    if (ended.title !== null) this.#retitle(conversationId, ended.title)
    // Counts and order changed: ask main for the list again.
    void this.conversations.load()
  }
}

function info(conversation: Conversation): ConversationInfo {
  const { messages: _messages, earlier: _earlier, ...rest } = conversation
  return rest
}

/** Resolves once the frame being prepared now has been painted (a task queued from a frame callback runs after its paint). */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))
}

// ------------------------------------------------------------ parameters

export type { ParamName }
export const paramNames: readonly ParamName[] = PARAM_NAMES

const PARAM_LABELS: Record<ParamName, string> = { temperature: 'Temperature', top_p: 'Top P', top_k: 'Top K', max_tokens: 'Max tokens' }

/** The text a parameter field shows; empty means "server default" (or "off" for top_k). */
export function paramText(params: ChatParams, name: ParamName): string {
  const value = params[name]
  return value === undefined || value === null ? '' : String(value)
}

export type ParamParse = { ok: true; value: number | undefined } | { ok: false; error: AppError }

/**
 * Checks one parameter as typed, against the same ranges main enforces
 * (PARAM_RANGES). Empty means unset; top_k 0 means off, so unset too.
 */
export function parseParam(name: ParamName, text: string): ParamParse {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: true, value: undefined }
  const value = Number(trimmed)
  if (!Number.isFinite(value)) return { ok: false, error: invalid('Enter a number.') }
  const [min, max] = PARAM_RANGES[name]
  const integer = INTEGER_PARAMS.has(name)
  if ((integer && !Number.isInteger(value)) || value < min || value > max) {
    const kind = integer ? 'a whole number' : 'a number'
    return { ok: false, error: invalid(`${PARAM_LABELS[name]} is ${kind} from ${min} to ${max.toLocaleString('en-US')}.`) }
  }
  return { ok: true, value: name === 'top_k' && value === 0 ? undefined : value }
}

/** `params` with one parameter set, or removed when `value` is undefined. */
export function withParam(params: ChatParams, name: ParamName, value: number | undefined): ChatParams {
  const next: ChatParams = { ...params }
  if (value === undefined) delete next[name]
  else next[name] = value
  return next
}
