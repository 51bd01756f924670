/**
 * Speech as this window sees it: the Speech page's form, and every speech
 * started here (Read aloud, `/say`, the Speech page). Main splits the text,
 * fetches the parts in order as one job and says as each part lands on disk
 * (`speech.part`); the first part plays at once and the rest follow in the
 * same track, then the joined file becomes the library item.
 */
import { SvelteMap } from 'svelte/reactivity'
import type { JobRecord, SpeechPart, SpeechVoice } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { LIMITS, SPEECH_VOICES } from '@shared/limits'
import { getApi } from '../bridge'
import { speechTitle, type SoundSource } from '../sound-requests'
import { asAppError, invalid } from '../errors'
import type { JobsStore } from './jobs.svelte'
import { canStreamParts, PartStream } from './part-stream'
import { trackOf, type PlayerStore, type Track } from './player.svelte'

export type SpeechSource = SoundSource

/** One speech started from this window. */
export interface SpeechRun {
  jobId: string
  mediaId: string
  title: string
  voice: SpeechVoice
  partCount: number
  spokenText: string
  /** A chat message it reads, when it came from "Read aloud". */
  messageId: string | null
  createdAt: number
}

export interface SpeakOptions {
  source: SpeechSource
  voice?: SpeechVoice
  title?: string
  /** The text is markdown (a chat answer): main turns it into speakable text. Default true. */
  markdown?: boolean
  messageId?: string
}

export interface SpeechStoreOptions {
  jobs: JobsStore
  player: PlayerStore
  /** The voice from the settings. */
  defaultVoice?: () => string
  /** Whether parts can stream into one track (tests may say no). */
  streaming?: () => boolean
  /** How long typing waits before the part count is asked (ms). */
  planDelayMs?: number
}

/** Streams kept for replaying a speech still being made; older ones are freed. */
const KEPT_STREAMS = 3

export function isVoice(value: unknown): value is SpeechVoice {
  return typeof value === 'string' && (SPEECH_VOICES as readonly string[]).includes(value)
}

export class SpeechStore {
  #defaultVoice: () => string = () => ''
  // ------------------------------------------------------------ the Speech page's form
  text = $state('')
  /** The voice picked for this use; null follows the settings. */
  chosenVoice = $state<SpeechVoice | null>(null)
  /** The part count main would split the text into; null until asked. */
  plannedParts = $state<number | null>(null)
  starting = $state(false)
  error = $state.raw<AppError | null>(null)

  /** Speeches started here, newest first. */
  runs = $state.raw<SpeechRun[]>([])
  /** Parts on disk, by speech job. */
  readonly parts = new SvelteMap<string, SpeechPart[]>()

  readonly voice: SpeechVoice = $derived(this.chosenVoice ?? (isVoice(this.#defaultVoice()) ? (this.#defaultVoice() as SpeechVoice) : 'alex'))
  readonly tooLong: boolean = $derived(this.text.length > LIMITS.speechTextChars)
  readonly problem: string | null = $derived(
    this.text.trim() === ''
      ? 'Write or paste the text to read.'
      : this.tooLong
        ? `The text is ${this.text.length.toLocaleString('en-US')} characters long; the limit is ${LIMITS.speechTextChars.toLocaleString('en-US')}.`
        : null
  )

  #jobs: JobsStore
  #player: PlayerStore
  #streaming: () => boolean
  #planDelayMs: number
  #planTimer: ReturnType<typeof setTimeout> | undefined
  #planSequence = 0
  // Bookkeeping, not UI state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #streams = new Map<string, PartStream>()
  #unsubscribe: (() => void)[] | null = null

  constructor(options: SpeechStoreOptions) {
    this.#jobs = options.jobs
    this.#player = options.player
    this.#defaultVoice = options.defaultVoice ?? (() => 'alex')
    this.#streaming = options.streaming ?? canStreamParts
    this.#planDelayMs = options.planDelayMs ?? 300
  }

  /** Starts following parts and job changes (once). */
  init(): void {
    if (this.#unsubscribe) return
    const api = getApi()
    this.#unsubscribe = [api.on('speech.part', (part) => this.#acceptPart(part)), api.on('jobs.changed', (job) => this.#jobChanged(job))]
    void this.#jobs.init()
  }

  dispose(): void {
    for (const stop of this.#unsubscribe ?? []) stop()
    this.#unsubscribe = null
    clearTimeout(this.#planTimer)
    for (const stream of this.#streams.values()) stream.dispose()
    this.#streams.clear()
  }

  run(jobId: string): SpeechRun | undefined {
    return this.runs.find((run) => run.jobId === jobId)
  }

  /** The newest speech of a chat message, if one was started here. */
  runForMessage(messageId: string): SpeechRun | undefined {
    return this.runs.find((run) => run.messageId === messageId)
  }

  partsOf(jobId: string): SpeechPart[] {
    return this.parts.get(jobId) ?? []
  }

  /** Asks (once typing pauses) how many requests the form's text takes. */
  schedulePlan(): void {
    clearTimeout(this.#planTimer)
    const text = this.text
    if (text.trim() === '' || this.tooLong) {
      this.plannedParts = null
      return
    }
    const sequence = ++this.#planSequence
    this.#planTimer = setTimeout(() => {
      getApi()
        .speech.speakable({ text, markdown: true })
        .then(
          (plan) => {
            if (sequence === this.#planSequence) this.plannedParts = plan.partCount
          },
          () => {
            if (sequence === this.#planSequence) this.plannedParts = null
          }
        )
    }, this.#planDelayMs)
  }

  /** Fills the form from a saved speech ("Reuse settings"): its text as given, and its voice. */
  reuse(settings: Record<string, unknown>, spokenText: string): void {
    this.text = typeof settings['text'] === 'string' && settings['text'] !== '' ? settings['text'] : spokenText
    if (isVoice(settings['voice'])) this.chosenVoice = settings['voice']
    this.error = null
    this.schedulePlan()
  }

  /** The Speech page's Read button. */
  async speakForm(): Promise<SpeechRun | null> {
    if (this.problem) {
      this.error = invalid(this.problem)
      return null
    }
    return this.speak(this.text, { source: 'studio', voice: this.voice })
  }

  /**
   * Speaks a text: main starts the job, and the player plays the first part
   * as soon as it is on disk. Returns null (with `error` set) when main refused.
   */
  async speak(text: string, options: SpeakOptions): Promise<SpeechRun | null> {
    this.init()
    this.starting = true
    this.error = null
    try {
      const title = options.title ?? speechTitle(text)
      const started = await getApi().speech.create({
        text,
        markdown: options.markdown ?? true,
        voice: options.voice ?? this.voice,
        title,
        source: options.source
      })
      this.#jobs.track([started.job])
      const run: SpeechRun = {
        jobId: started.job.id,
        mediaId: started.mediaId,
        title,
        voice: options.voice ?? this.voice,
        partCount: started.partCount,
        spokenText: started.spokenText,
        messageId: options.messageId ?? null,
        createdAt: started.job.createdAt
      }
      this.runs = [run, ...this.runs.filter((held) => held.jobId !== run.jobId)]
      this.#startPlaying(run)
      // Parts that landed before this answer came back were announced before the run was known.
      void this.#catchUp(run)
      return run
    } catch (error) {
      this.error = asAppError(error)
      return null
    } finally {
      this.starting = false
    }
  }

  /** Plays a speech again: its joined file once saved, else what has arrived so far. */
  replay(run: SpeechRun): void {
    const job = this.#jobs.get(run.jobId)
    if (job?.state === 'saved') {
      void getApi()
        .library.get({ id: run.mediaId })
        .then((item) => this.#player.play(trackOf(item) ?? { ...this.#trackOf(run), url: item.url }))
        .catch((error: unknown) => (this.error = asAppError(error)))
      return
    }
    this.#startPlaying(run)
    for (const part of this.partsOf(run.jobId)) this.#feed(run, part)
  }

  #trackOf(run: SpeechRun): Track {
    return { id: run.mediaId, kind: 'speech', title: run.title, url: '', coverUrl: null, peaks: null, durationMs: null }
  }

  #startPlaying(run: SpeechRun): void {
    if (!this.#streaming()) {
      // Without Media Source: each part plays as its own track, in order, as it lands.
      this.#player.stop()
      return
    }
    this.#streams.get(run.jobId)?.dispose()
    const stream = new PartStream({ count: run.partCount, onerror: (error) => (this.error = asAppError(error)) })
    this.#streams.set(run.jobId, stream)
    for (const [jobId, old] of [...this.#streams].slice(0, Math.max(0, this.#streams.size - KEPT_STREAMS))) {
      old.dispose()
      this.#streams.delete(jobId)
    }
    this.#player.play({ ...this.#trackOf(run), url: stream.url })
  }

  async #catchUp(run: SpeechRun): Promise<void> {
    try {
      const status = await getApi().speech.status({ id: run.jobId })
      for (const part of status.parts) this.#acceptPart(part)
    } catch {
      // The events bring the parts anyway.
    }
  }

  #acceptPart(part: SpeechPart): void {
    const held = this.parts.get(part.jobId) ?? []
    if (!held.some((known) => known.index === part.index)) {
      this.parts.set(part.jobId, [...held, part].sort((a, b) => a.index - b.index))
    }
    const run = this.run(part.jobId)
    if (run) this.#feed(run, part)
  }

  #feed(run: SpeechRun, part: SpeechPart): void {
    const stream = this.#streams.get(run.jobId)
    if (stream) {
      stream.add(part.index, part.url)
      return
    }
    if (this.#streaming()) return
    const id = `${run.mediaId}#${part.index}`
    if (this.#player.queue.some((track) => track.id === id)) return
    this.#player.enqueue([
      { id, kind: 'speech', title: `${run.title} (part ${part.index + 1} of ${part.count})`, url: part.url, coverUrl: null, peaks: null, durationMs: part.durationMs }
    ])
  }

  /** Once the joined file is saved, the player's track points at it (used the next time it loads). */
  #jobChanged(job: JobRecord): void {
    const run = this.run(job.id)
    if (!run || job.state !== 'saved') return
    void getApi()
      .library.get({ id: run.mediaId })
      .then((item) => {
        const saved = trackOf(item)
        if (saved) this.#player.update(run.mediaId, { url: saved.url, durationMs: saved.durationMs, peaks: saved.peaks }, { quiet: true })
      })
      .catch(() => {
        // The stream keeps playing; the library has the file.
      })
  }
}
