/**
 * Songs as this window sees them: the Song page's form, checked against the
 * same schema main checks (so the counters and messages never disagree), and
 * every clip main is making or made, kept fresh by `song.status` events.
 * Main polls the gateway and keeps the jobs in SQLite, so clips started
 * before a restart show up again from `song.list`.
 */
import * as v from 'valibot'
import { SvelteMap } from 'svelte/reactivity'
import { songRequest, type SongModel, type SongRequest, type SongStatus } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { LIMITS, SONG_MODELS, songLyricsLimit } from '@shared/limits'
import { getApi } from '../bridge'
import { isSongModel, type SoundSource } from '../sound-requests'
import { asAppError } from '../errors'
import type { JobsStore } from './jobs.svelte'
import { trackOf, type PlayerStore } from './player.svelte'

export type SongMode = 'simple' | 'custom'
export type SongSource = SoundSource
export type SongField = 'prompt' | 'lyrics' | 'style' | 'title'

/** Phases after which nothing more happens to a clip unless it is retried. */
const SETTLED = new Set<SongStatus['phase']>(['saved', 'failed', 'cancelled'])

/** The limit of each text field, for its counter. */
export function songFieldLimit(field: SongField, model: SongModel): number {
  switch (field) {
    case 'prompt':
      return LIMITS.songPromptChars
    case 'lyrics':
      return songLyricsLimit(model)
    case 'style':
      return LIMITS.songStyleChars
    case 'title':
      return LIMITS.songTitleChars
  }
}

const fieldLabels: Record<SongField, string> = { prompt: 'The description', lyrics: 'The lyrics', style: 'The style', title: 'The title' }

/** The first problem of each field for this request, in the schema's own words. */
export function songProblems(request: Record<string, unknown>): Partial<Record<SongField, string>> {
  const result = v.safeParse(songRequest, request)
  if (result.success) return {}
  const problems: Partial<Record<SongField, string>> = {}
  for (const issue of result.issues) {
    const key = v.getDotPath(issue)
    if (key === 'prompt' || key === 'lyrics' || key === 'style' || key === 'title') {
      problems[key] ??= `${fieldLabels[key]} ${issue.message}.`
    }
  }
  return problems
}

/** What one press of Create started. */
export interface SongBatchView {
  groupId: string
  title: string
  summary: string
  model: SongModel
  jobIds: string[]
  createdAt: number
}

export interface SongStoreOptions {
  jobs: JobsStore
  player: PlayerStore
  /** The song model from the settings. */
  defaultModel?: () => string
}

export class SongStore {
  #defaultModel: () => string = () => ''
  mode = $state<SongMode>('simple')
  prompt = $state('')
  lyrics = $state('')
  style = $state('')
  title = $state('')
  instrumental = $state(false)
  /** The model picked for this use; null follows the settings. */
  chosenModel = $state<SongModel | null>(null)
  /** Create was pressed: problems show from now on. */
  attempted = $state(false)
  creating = $state(false)
  error = $state.raw<AppError | null>(null)

  /** Every clip heard of, by job id. */
  readonly clips = new SvelteMap<string, SongStatus>()
  /** Batches started or found, newest first. */
  batches = $state.raw<SongBatchView[]>([])

  readonly model: SongModel = $derived(this.chosenModel ?? (isSongModel(this.#defaultModel()) ? (this.#defaultModel() as SongModel) : SONG_MODELS[0]))
  readonly request: Record<string, unknown> = $derived(
    this.mode === 'simple'
      ? { mode: 'simple', prompt: this.prompt, title: this.title, instrumental: this.instrumental, model: this.model, source: 'studio' }
      : { mode: 'custom', lyrics: this.lyrics, style: this.style, title: this.title, instrumental: this.instrumental, model: this.model, source: 'studio' }
  )
  readonly problems: Partial<Record<SongField, string>> = $derived(songProblems(this.request))
  readonly valid: boolean = $derived(Object.keys(this.problems).length === 0)
  /** A field already past its limit shows at once, before Create is pressed. */
  readonly over: Partial<Record<SongField, boolean>> = $derived({
    prompt: this.prompt.length > LIMITS.songPromptChars,
    lyrics: this.lyrics.length > songLyricsLimit(this.model),
    style: this.style.length > LIMITS.songStyleChars,
    title: this.title.length > LIMITS.songTitleChars
  })

  #jobs: JobsStore
  #player: PlayerStore
  #unsubscribe: (() => void) | null = null

  constructor(options: SongStoreOptions) {
    this.#jobs = options.jobs
    this.#player = options.player
    this.#defaultModel = options.defaultModel ?? (() => SONG_MODELS[0])
  }

  /** Follows clip changes (once) and picks up clips main is still making. */
  async init(): Promise<void> {
    if (this.#unsubscribe) return
    const api = getApi()
    this.#unsubscribe = api.on('song.status', (clip) => this.#accept(clip))
    void this.#jobs.init()
    try {
      for (const clip of await api.song.list()) this.#accept(clip)
    } catch (error) {
      this.error = asAppError(error)
    }
  }

  dispose(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }

  clipsOf(batch: SongBatchView): SongStatus[] {
    return batch.jobIds.map((id) => this.clips.get(id)).filter((clip) => clip !== undefined)
  }

  /** Fills the form from a saved song ("Reuse settings"); what the file lacks keeps the form's value. */
  reuse(settings: Record<string, unknown>, item: { prompt: string; text: string; title: string }): void {
    const text = (key: string, fallback: string): string => (typeof settings[key] === 'string' ? (settings[key] as string) : fallback)
    this.mode = settings['mode'] === 'custom' ? 'custom' : 'simple'
    this.prompt = text('prompt', item.prompt)
    this.lyrics = text('lyrics', this.mode === 'custom' ? item.text : '')
    this.style = text('style', '')
    this.title = text('title', item.title)
    this.instrumental = settings['instrumental'] === true
    if (isSongModel(settings['model'])) this.chosenModel = settings['model']
    this.attempted = false
    this.error = null
  }

  /** The form's Create button; false when the form has a problem or main refused. */
  async createFromForm(): Promise<boolean> {
    this.attempted = true
    if (!this.valid) return false
    return (await this.create(this.request as SongRequest)) !== null
  }

  /** `/song <prompt>` and the form: asks main for a song. */
  async create(request: SongRequest): Promise<SongBatchView | null> {
    void this.init()
    this.creating = true
    this.error = null
    try {
      const batch = await getApi().song.create(request)
      this.#jobs.track(batch.jobs)
      const view: SongBatchView = {
        groupId: batch.groupId,
        title: request.title || (request.mode === 'simple' ? request.prompt : request.style),
        summary: [request.mode === 'simple' ? 'Simple' : `Custom · ${request.style}`, request.instrumental ? 'instrumental' : '', request.model].filter(Boolean).join(' · '),
        model: request.model,
        jobIds: batch.jobs.map((job) => job.id),
        createdAt: Date.now()
      }
      this.batches = [view, ...this.batches.filter((held) => held.groupId !== view.groupId)]
      for (const clip of batch.clips) this.#accept(clip)
      return view
    } catch (error) {
      this.error = asAppError(error)
      return null
    } finally {
      this.creating = false
    }
  }

  /** Whether the clip can be heard now: from the live stream while it is made, or from the library once saved. */
  canListen(clip: SongStatus): boolean {
    return clip.listenUrl !== null || (clip.phase === 'saved' && clip.mediaId !== null)
  }

  /** Plays a clip: the saved file when there is one, else what is made so far. */
  async listen(clip: SongStatus): Promise<void> {
    if (clip.phase === 'saved' && clip.mediaId) {
      try {
        const item = await getApi().library.get({ id: clip.mediaId })
        const track = trackOf(item)
        if (track) this.#player.play(track)
      } catch (error) {
        this.error = asAppError(error)
      }
      return
    }
    if (clip.listenUrl) this.#player.play({ id: clip.jobId, kind: 'song', title: clip.title || 'New song', url: clip.listenUrl, coverUrl: null, peaks: null, durationMs: null })
  }

  async retry(jobId: string): Promise<void> {
    try {
      const job = await this.#jobs.retry(jobId)
      // A retry may answer with a new job: its clip takes the old one's place.
      if (job.id !== jobId) this.batches = this.batches.map((batch) => ({ ...batch, jobIds: batch.jobIds.map((id) => (id === jobId ? job.id : id)) }))
    } catch (error) {
      this.error = asAppError(error)
    }
  }

  /** Forgets the finished batches shown on the Song page (the songs stay in the library). */
  clearFinished(): void {
    this.batches = this.batches.filter((batch) => this.clipsOf(batch).some((clip) => !SETTLED.has(clip.phase)))
  }

  #accept(clip: SongStatus): void {
    this.clips.set(clip.jobId, clip)
    if (!this.batches.some((batch) => batch.jobIds.includes(clip.jobId))) {
      const group = this.batches.find((batch) => batch.groupId === clip.groupId)
      if (group) {
        this.batches = this.batches.map((batch) => (batch === group ? { ...batch, jobIds: [...batch.jobIds, clip.jobId] } : batch))
      } else {
        // A clip started before a restart, or from another window.
        const job = this.#jobs.get(clip.jobId)
        const model = isSongModel(job?.input['model']) ? job.input['model'] : this.model
        this.batches = [
          ...this.batches,
          { groupId: clip.groupId, title: clip.title || 'Song', summary: model, model, jobIds: [clip.jobId], createdAt: job?.createdAt ?? Date.now() }
        ]
      }
    }
    // The live stream ended in a saved file: the player keeps going, and replays from the file.
    if (clip.phase === 'saved' && clip.mediaId && this.#player.queue.some((track) => track.id === clip.jobId)) {
      const mediaId = clip.mediaId
      void getApi()
        .library.get({ id: mediaId })
        .then((item) => {
          const saved = trackOf(item)
          if (saved) this.#player.update(clip.jobId, { url: saved.url, peaks: saved.peaks, coverUrl: saved.coverUrl, durationMs: saved.durationMs }, { quiet: true })
        })
        .catch(() => {})
    }
  }
}
