/**
 * The quick-ask window's thread: questions and their answers, saved by main
 * as a conversation marked quick from the first question on, so hiding the
 * window loses nothing and "Open in Skyport" only has to show it.
 *
 * Smaller than the main window's ChatSession on purpose (no versions, no
 * editing, no attachments): this window's bundle must stay small, and it
 * follows a thread only forward.
 */
import { IMAGE_MODELS } from '@shared/catalog'
import type { ChatEnded, JobRecord, MessageStatus, WebSource } from '@shared/contract'
import type { AppError, BridgeErrorData } from '@shared/errors'
import { LIMITS } from '@shared/limits'
import { getApi } from '../lib/bridge'
import { asAppError, invalid } from '../lib/errors'
import { parseCommand } from './commands'

export type QuickMode = 'chat' | 'web'
export type TurnKind = 'chat' | 'web' | 'image' | 'note'

/** One answer; its text grows while it streams. */
export class QuickAnswer {
  messageId = $state<string | null>(null)
  content = $state('')
  status = $state<MessageStatus>('streaming')
  error = $state.raw<BridgeErrorData | null>(null)
  sources = $state.raw<WebSource[]>([])
  /** `/image`: the job making it, as it changes. */
  job = $state.raw<JobRecord | null>(null)
}

export interface QuickTurn {
  id: number
  kind: TurnKind
  question: string
  answer: QuickAnswer
}

export class QuickSession {
  conversationId = $state<string | null>(null)
  turns = $state.raw<QuickTurn[]>([])
  mode = $state<QuickMode>('chat')
  model = $state('')
  models = $state.raw<string[]>([])
  /** A question is on its way to main. */
  sending = $state(false)
  /** Why the last question could not start. */
  error = $state.raw<AppError | null>(null)
  readonly streaming: boolean = $derived(this.turns.some((turn) => turn.kind !== 'image' && turn.answer.status === 'streaming'))

  #imageModel = ''
  #nextTurn = 1
  // Not reactive: read on every delta. Answers by request id, registered before the invoke.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #answers = new Map<string, QuickAnswer>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #jobs = new Map<string, QuickAnswer>()
  #unsubscribe: (() => void)[] = []

  init(): void {
    if (this.#unsubscribe.length > 0) return
    const api = getApi()
    this.#unsubscribe = [
      api.on('chat.delta', (delta) => {
        const answer = this.#answers.get(delta.requestId)
        if (answer) answer.content += delta.content
      }),
      api.on('chat.ended', (ended) => this.#ended(ended)),
      api.on('jobs.changed', (job) => {
        const answer = this.#jobs.get(job.id)
        if (answer) applyJob(answer, job)
      })
    ]
  }

  dispose(): void {
    for (const stop of this.#unsubscribe) stop()
    this.#unsubscribe = []
  }

  /** The default models, then the server's chat models for the picker (in the background). */
  async loadModels(): Promise<void> {
    const api = getApi()
    const { settings } = await api.settings.get()
    if (this.model === '') this.model = settings.defaultModels.chat
    this.#imageModel = settings.defaultModels.image
    try {
      const list = await api.models.list({})
      const images: readonly string[] = IMAGE_MODELS
      this.models = list.models.map((model) => model.id).filter((id) => !images.includes(id))
    } catch {
      // The picker then offers the current model only.
    }
  }

  /** Asks a question (or runs a command). Returns false when it could not start. */
  async ask(input: string): Promise<boolean> {
    const text = input.trim()
    if (text === '' || this.sending) return false
    this.init()
    this.error = null
    const command = parseCommand(text)
    if (command === null && this.streaming) {
      this.error = invalid('An answer is still coming. Stop it or wait for it first.')
      return false
    }
    this.sending = true
    try {
      const conversationId = await this.#conversation()
      if (command?.kind === 'image') return await this.#image(conversationId, command.text)
      if (command) {
        // Speech and songs come with the sound features; this build has none.
        this.#push('note', text).status = 'complete'
        const last = this.turns.at(-1)
        if (last) last.answer.content = `/${command.kind} needs the speech and song features, which this version of Skyport does not have yet.`
        return true
      }
      return await this.#question(conversationId, text)
    } catch (error) {
      this.error = asAppError(error)
      return false
    } finally {
      this.sending = false
    }
  }

  /** Stops the answer being written. */
  async stop(): Promise<void> {
    for (const [requestId, answer] of this.#answers) {
      if (answer.status === 'streaming') await getApi().stream.abort({ requestId })
    }
  }

  /** Shows this thread in the main window as a normal conversation, even while it streams. */
  async openInMain(): Promise<boolean> {
    if (this.conversationId === null) return false
    try {
      await getApi().quick.openInMain({ conversationId: this.conversationId })
      return true
    } catch (error) {
      this.error = asAppError(error)
      return false
    }
  }

  /** A new thread (the old one stays saved). */
  reset(): void {
    if (this.streaming) return
    this.conversationId = null
    this.turns = []
    this.error = null
  }

  async #conversation(): Promise<string> {
    const api = getApi()
    if (this.conversationId === null) {
      const created = await api.conversations.create({ quick: true, ...(this.model ? { settings: { model: this.model } } : {}) })
      this.conversationId = created.id
    } else if (this.model) {
      // The picker may have changed since the last question.
      await api.conversations.updateSettings({ id: this.conversationId, settings: { model: this.model } })
    }
    return this.conversationId
  }

  async #question(conversationId: string, text: string): Promise<boolean> {
    const web = this.mode === 'web'
    if (web && text.length > LIMITS.askPromptChars) {
      throw invalid(`A web question can be at most ${LIMITS.askPromptChars.toLocaleString('en-US')} characters long.`)
    }
    const requestId = crypto.randomUUID()
    const answer = this.#push(web ? 'web' : 'chat', text)
    this.#answers.set(requestId, answer)
    try {
      const api = getApi()
      const args = { requestId, conversationId, content: text }
      const turn = web ? await api.ask.send(args) : await api.chat.send(args)
      answer.messageId = turn.assistantMessage.id
      return true
    } catch (error) {
      this.#answers.delete(requestId)
      this.turns = this.turns.filter((turn) => turn.answer !== answer)
      throw error
    }
  }

  async #image(conversationId: string, prompt: string): Promise<boolean> {
    if (prompt === '') throw invalid('Write what the image should show after /image.')
    if (prompt.length > LIMITS.imagePromptChars) throw invalid(`An image prompt can be at most ${LIMITS.imagePromptChars.toLocaleString('en-US')} characters long.`)
    const answer = this.#push('image', `/image ${prompt}`)
    try {
      const batch = await getApi().images.generate({
        prompt,
        models: [this.#imageModel || (IMAGE_MODELS[0] as string)],
        size: '1:1',
        seed: null,
        endpoint: 'imagine',
        count: 1,
        source: 'quick',
        conversationId
      })
      const [job] = batch.jobs
      if (job) {
        this.#jobs.set(job.id, answer)
        applyJob(answer, job)
        // It may have changed before this window knew its id.
        const [now] = await getApi().jobs.list({ groupId: batch.groupId })
        if (now && now.updatedAt >= job.updatedAt) applyJob(answer, now)
      }
      return true
    } catch (error) {
      this.turns = this.turns.filter((turn) => turn.answer !== answer)
      throw error
    }
  }

  #push(kind: TurnKind, question: string): QuickAnswer {
    const answer = new QuickAnswer()
    this.turns = [...this.turns, { id: this.#nextTurn++, kind, question, answer }]
    return answer
  }

  #ended(ended: ChatEnded): void {
    const answer = this.#answers.get(ended.requestId)
    if (!answer) return
    this.#answers.delete(ended.requestId)
    const { message } = ended
    answer.messageId = message.id
    answer.content = message.content
    answer.status = message.status
    answer.error = message.error
    answer.sources = message.sources ?? []
  }
}

function applyJob(answer: QuickAnswer, job: JobRecord): void {
  answer.job = job
  if (job.state === 'saved') answer.status = 'complete'
  else if (job.state === 'failed' || job.state === 'cancelled') {
    answer.status = 'error'
    answer.error = job.error ?? { code: 'internal', message: 'The image was not made.' }
  }
}
