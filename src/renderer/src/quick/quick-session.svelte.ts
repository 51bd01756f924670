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
import { simpleSongRequest, speechTitle } from '../lib/sound-requests'
import { parseCommand } from './commands'

export type QuickMode = 'chat' | 'web'
export type TurnKind = 'chat' | 'web' | 'image' | 'say' | 'song'

/** One answer; its text grows while it streams. */
export class QuickAnswer {
  messageId = $state<string | null>(null)
  content = $state('')
  status = $state<MessageStatus>('streaming')
  error = $state.raw<BridgeErrorData | null>(null)
  sources = $state.raw<WebSource[]>([])
  /** `/image`: the job making it, as it changes. */
  job = $state.raw<JobRecord | null>(null)
  /** `/say` and `/song`: the jobs making it (one speech, or one per song clip), as they change. */
  soundJobs = $state.raw<JobRecord[]>([])
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
  /** An answer is being written (jobs started by commands go on in main and block nothing). */
  readonly streaming: boolean = $derived(this.turns.some((turn) => (turn.kind === 'chat' || turn.kind === 'web') && turn.answer.status === 'streaming'))

  #imageModel = ''
  #songModel = ''
  #nextTurn = 1
  // Not reactive: read on every delta. Answers by request id, registered before the invoke.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #answers = new Map<string, QuickAnswer>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #jobs = new Map<string, QuickAnswer>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #soundJobs = new Map<string, QuickAnswer>()
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
        const sound = this.#soundJobs.get(job.id)
        if (sound) applySoundJob(sound, job)
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
    this.#songModel = settings.defaultModels.song
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
      // Speech and songs go to the library only: no conversation to save them in.
      if (command?.kind === 'say') return await this.#say(command.text)
      if (command?.kind === 'song') return await this.#song(command.text)
      const conversationId = await this.#conversation()
      if (command?.kind === 'image') return await this.#image(conversationId, command.text)
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

  /** Shows the library in the main window, where `/say` and `/song` results land. */
  async openLibrary(): Promise<boolean> {
    try {
      await getApi().quick.openLibrary()
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

  /** `/say <text>`: main reads it aloud with the default voice into the library; this window says it started. */
  async #say(text: string): Promise<boolean> {
    if (text === '') throw invalid('Write the text to read after /say.')
    if (text.length > LIMITS.speechTextChars) throw invalid(`Text to read aloud can be at most ${LIMITS.speechTextChars.toLocaleString('en-US')} characters long.`)
    const answer = this.#push('say', `/say ${text}`)
    try {
      const started = await getApi().speech.create({ text, title: speechTitle(text), source: 'quick' })
      const parts = started.partCount === 1 ? '1 part' : `${started.partCount} parts`
      answer.content = `Started reading it aloud (${parts}). It goes into the library when it is ready.`
      this.#trackSound(answer, [started.job])
      // It may have moved on before this window knew its id.
      const status = await getApi().speech.status({ id: started.job.id })
      if (status.state !== started.job.state) applySoundJob(answer, { ...started.job, state: status.state, error: status.error, updatedAt: Date.now() })
      return true
    } catch (error) {
      this.turns = this.turns.filter((turn) => turn.answer !== answer)
      throw error
    }
  }

  /** `/song <description>`: a simple song with the default model; the clips land in the library. */
  async #song(prompt: string): Promise<boolean> {
    if (prompt === '') throw invalid('Write what the song should be about after /song.')
    if (prompt.length > LIMITS.songPromptChars) throw invalid(`A song description can be at most ${LIMITS.songPromptChars} characters long.`)
    const answer = this.#push('song', `/song ${prompt}`)
    try {
      const batch = await getApi().song.create(simpleSongRequest(prompt, this.#songModel, 'quick'))
      const clips = batch.jobs.length === 1 ? '1 clip' : `${batch.jobs.length} clips`
      answer.content = `Started making a song (${clips}). It goes into the library when it is ready.`
      this.#trackSound(answer, batch.jobs)
      for (const now of await getApi().jobs.list({ groupId: batch.groupId })) applySoundJob(answer, now)
      return true
    } catch (error) {
      this.turns = this.turns.filter((turn) => turn.answer !== answer)
      throw error
    }
  }

  #trackSound(answer: QuickAnswer, jobs: readonly JobRecord[]): void {
    answer.soundJobs = [...jobs]
    for (const job of jobs) {
      this.#soundJobs.set(job.id, answer)
      applySoundJob(answer, job)
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

/** One of a `/say` or `/song` answer's jobs changed: done when all are saved, failed when one failed. */
function applySoundJob(answer: QuickAnswer, job: JobRecord): void {
  if (!answer.soundJobs.some((known) => known.id === job.id && job.updatedAt >= known.updatedAt)) return
  answer.soundJobs = answer.soundJobs.map((known) => (known.id === job.id ? job : known))
  const failed = answer.soundJobs.find((known) => known.state === 'failed' || known.state === 'cancelled')
  if (failed) {
    answer.status = 'error'
    answer.error = failed.error ?? { code: 'internal', message: failed.state === 'cancelled' ? 'It was cancelled.' : 'It was not made.' }
  } else if (answer.soundJobs.every((known) => known.state === 'saved')) {
    answer.status = 'complete'
  } else {
    // Still being made, or retried from the main window after a failure.
    answer.status = 'streaming'
    answer.error = null
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
