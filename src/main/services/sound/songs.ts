/**
 * Songs through the gateway's Suno endpoint, as job kinds of the one runner.
 * `POST /v1/suno` answers with clip ids; each clip becomes a `song.clip` job
 * that polls `GET /v1/suno/<id>` with exponential backoff and jitter, always
 * through `job.later()`, so every clip shares the runner's one timer and its
 * rate-limit pause, and a restart resumes polling from the database.
 *
 * As soon as a status carries an `audio_url` (a live stream while the clip is
 * still generating), the clip is `streaming`: main relays that stream at
 * `app://local/live/songs/<jobId>.mp3`. The window's CSP forbids remote media,
 * and relaying keeps the media host's address and the person's key apart; a
 * relay also starts at once, where downloading a growing file first would make
 * the person wait for bytes the stream already has.
 *
 * When the clip is finished, the audio and cover (the video if the settings ask)
 * are downloaded with resume and checked, the song is kept in the library, and
 * a desktop notification says so.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { JobRecord, SongBatch, SongPhase, SongRequest, SongSettings, SongStatus } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { isRecord } from '../../../shared/is-record'
import { LIMITS } from '../../../shared/limits'
import { rateLimitNotice } from '../chat/answer-filter'
import { sniffImage } from '../files/image-type'
import type { HttpClient } from '../http/client'
import type { JobRunner, RunningJob } from '../jobs/job-runner'
import type { Library } from '../library/library'
import type { Logger } from '../log'
import { downloadFile } from './download'
import { looksLikeMp3, looksLikeMp4 } from './mp3'

export const SONG_KIND = 'song.clip'
export const SONG_QUEUE = 'suno'
/** Under the media folder, not a library folder: half-done downloads a rescan must not see. */
export const SONG_DOWNLOADS_DIR = 'song-downloads'
export const LIVE_PREFIX = '/live/songs/'

/** A desktop notification (Electron's Notification in the app, a recording fake in tests). */
export interface Notifier {
  notify(notification: { title: string; body: string; onClick?: () => void }): void
}

interface ClipInput extends Record<string, unknown> {
  clipId: string
  groupId: string
  mediaId: string
  settings: SongSettings
  source: 'studio' | 'chat' | 'quick'
  /** When the gateway accepted the request: how long a clip may stay generating is counted from here. */
  askedAt: number
  /** 1 for the gateway's first clip of the request, 2 for the second. */
  take: number
}

interface ClipCheckpoint {
  polls: number
  /** The remote audio (a stream while generating, then the MP3). */
  audioUrl: string | null
  /** Set once the clip is finished: the files to download. */
  finished: { audioUrl: string; imageUrl: string | null; videoUrl: string | null } | null
}

export interface SongServiceDeps {
  http: HttpClient
  jobs: JobRunner
  library: Library
  mediaDir: string
  notifier: Notifier
  /** Asked when a clip finishes (settings.sound.downloadVideo). */
  downloadVideo: () => boolean
  logger: Logger
  /** The first wait between polls; it doubles up to `pollMaxMs`, each wait jittered ±50 %. */
  pollBaseMs?: number
  pollMaxMs?: number
  /** A clip generating longer than this fails, with a retry. */
  maxGeneratingMs?: number
  random?: () => number
  now?: () => number
  newId?: () => string
}

interface Live {
  phase: SongPhase
  audioUrl: string | null
  progress: number | null
}

const COVER_MAX_BYTES = 20 * 1024 * 1024

export class SongService {
  readonly #deps: SongServiceDeps
  readonly #pollBaseMs: number
  readonly #pollMaxMs: number
  readonly #maxGeneratingMs: number
  readonly #random: () => number
  readonly #now: () => number
  readonly #newId: () => string
  /** What this session learnt of each clip since the last poll (phase, remote audio, download progress). */
  readonly #live = new Map<string, Live>()
  readonly #statusListeners = new Set<(status: SongStatus) => void>()
  readonly #openListeners = new Set<(mediaId: string) => void>()

  constructor(deps: SongServiceDeps) {
    this.#deps = deps
    this.#pollBaseMs = deps.pollBaseMs ?? 2_000
    this.#pollMaxMs = deps.pollMaxMs ?? 30_000
    this.#maxGeneratingMs = deps.maxGeneratingMs ?? 10 * 60_000
    this.#random = deps.random ?? Math.random
    this.#now = deps.now ?? Date.now
    this.#newId = deps.newId ?? randomUUID
    deps.jobs.define<ClipInput>({
      kind: SONG_KIND,
      queue: () => SONG_QUEUE,
      run: (job) => this.#run(job),
      onSettled: (job) => this.#settled(job)
    })
    deps.jobs.onJobChange((job) => {
      if (job.kind === SONG_KIND) this.#emit(this.#status(job))
    })
  }

  /** Asks the gateway for a song; each clip it makes becomes a job. */
  async create(request: SongRequest): Promise<SongBatch> {
    const settings: SongSettings =
      request.mode === 'simple'
        ? { mode: 'simple', prompt: request.prompt, lyrics: '', style: '', title: request.title, instrumental: request.instrumental, model: request.model }
        : { mode: 'custom', prompt: '', lyrics: request.lyrics, style: request.style, title: request.title, instrumental: request.instrumental, model: request.model }
    const body: Record<string, string> = {
      model: settings.model,
      // Custom mode sends the lyrics as the prompt (an instrumental without lyrics, its style).
      prompt: settings.mode === 'simple' ? settings.prompt : settings.lyrics || settings.style,
      instrumental: String(settings.instrumental),
      custom: String(settings.mode === 'custom')
    }
    if (settings.mode === 'custom') body.style = settings.style
    let answer: unknown
    try {
      answer = await this.#deps.http.json<unknown>({ path: '/v1/suno', method: 'POST', json: body })
    } catch (error) {
      const notice = error instanceof AppError && error.code === 'bad_response' ? rateLimitNotice(error.message) : null
      throw notice ?? error
    }
    const clips = isRecord(answer) && Array.isArray(answer.clips) ? answer.clips.filter((clip): clip is string => typeof clip === 'string' && clip.length > 0 && clip.length <= 200) : []
    if (clips.length === 0) {
      const said = isRecord(answer) && typeof answer.error === 'string' ? `: ${answer.error}` : '.'
      throw new AppError('bad_response', `The server made no song${said}`)
    }
    const groupId = this.#newId()
    const askedAt = this.#now()
    const jobs = clips.map((clipId, index) =>
      this.#deps.jobs.enqueue<ClipInput>(
        SONG_KIND,
        {
          clipId,
          groupId,
          mediaId: this.#newId(),
          settings: { ...settings, title: settings.title || '' },
          source: request.source,
          askedAt,
          take: index + 1
        },
        { groupId }
      )
    )
    return { groupId, jobs, clips: jobs.map((job) => this.#status(job)) }
  }

  status(jobId: string): SongStatus {
    const job = this.#deps.jobs.get(jobId)
    if (job.kind !== SONG_KIND) throw new AppError('not_found', 'This job is not a song.')
    return this.#status(job)
  }

  /** The clips still being made, and the latest ones. */
  list(): SongStatus[] {
    return this.#deps.jobs
      .list({ limit: 500 })
      .filter((job) => job.kind === SONG_KIND)
      .map((job) => this.#status(job))
  }

  onStatus(listener: (status: SongStatus) => void): () => void {
    this.#statusListeners.add(listener)
    return () => this.#statusListeners.delete(listener)
  }

  /** The person clicked a "song ready" notification. */
  onOpen(listener: (mediaId: string) => void): () => void {
    this.#openListeners.add(listener)
    return () => this.#openListeners.delete(listener)
  }

  /**
   * The remote audio of a clip relayed (`/live/songs/<jobId>.mp3`), or null
   * when there is nothing to hear yet. Only the address the gateway gave is
   * fetched, through HttpClient (no key for that host).
   */
  async openLive(pathname: string, signal?: AbortSignal): Promise<Response | null> {
    if (!pathname.startsWith(LIVE_PREFIX) || !pathname.endsWith('.mp3')) return null
    const jobId = pathname.slice(LIVE_PREFIX.length, -'.mp3'.length)
    const audioUrl = this.#live.get(jobId)?.audioUrl
    if (!audioUrl) return null
    const response = await this.#deps.http.stream({ path: audioUrl, signal, maxBytes: LIMITS.songDownloadBytes })
    const body = response.body
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await body.next()
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
      async cancel() {
        await body.return(undefined)
      }
    })
    return new Response(stream, { status: 200, headers: { 'content-type': 'audio/mpeg', 'cache-control': 'no-store' } })
  }

  // ------------------------------------------------------------ one clip

  async #run(job: RunningJob<ClipInput>): Promise<{ mediaId: string } | ReturnType<typeof job.later>> {
    const { clipId, mediaId } = job.input
    if (this.#inLibrary(mediaId)) return { mediaId }
    const saved = readCheckpoint(job.checkpoint)
    if (saved.finished) return this.#download(job, saved.finished)
    const clip = await this.#poll(clipId, job.signal)
    if (clip.status === 'error') throw new AppError('server_error', `The song could not be made: ${clip.error ?? 'the server gave no reason'}`)
    const audioUrl = clip.audioUrl ?? saved.audioUrl
    if (clip.status === 'finished' && clip.audioUrl) {
      const finished = { audioUrl: clip.audioUrl, imageUrl: clip.imageUrl, videoUrl: clip.videoUrl }
      job.setCheckpoint({ ...saved, audioUrl, finished } satisfies ClipCheckpoint)
      return this.#download(job, finished)
    }
    const waited = this.#now() - job.input.askedAt
    if (waited > this.#maxGeneratingMs) {
      throw new AppError('timeout', `The song was still generating after ${Math.round(waited / 60_000)} minutes. Try again.`)
    }
    this.#setLive(job.id, { phase: audioUrl ? 'streaming' : 'generating', audioUrl, progress: null })
    const polls = saved.polls + 1
    return job.later(this.#backoff(polls), {
      detail: audioUrl ? 'Generating; you can listen already' : 'Generating…',
      checkpoint: { polls, audioUrl, finished: null } satisfies ClipCheckpoint
    })
  }

  /** Exponential backoff with ±50 % jitter, so many clips do not poll in step. */
  #backoff(polls: number): number {
    const base = Math.min(this.#pollBaseMs * 2 ** Math.min(polls - 1, 16), this.#pollMaxMs)
    return Math.round(base * (0.5 + this.#random()))
  }

  async #poll(clipId: string, signal: AbortSignal): Promise<{ status: 'generating' | 'finished' | 'error'; audioUrl: string | null; imageUrl: string | null; videoUrl: string | null; error: string | null }> {
    let answer: unknown
    try {
      // A 429 goes to the runner, which pauses the suno queue with a countdown.
      answer = await this.#deps.http.json<unknown>({ path: `/v1/suno/${encodeURIComponent(clipId)}`, signal, rateLimits: 'surface' })
    } catch (error) {
      const notice = error instanceof AppError && error.code === 'bad_response' ? rateLimitNotice(error.message) : null
      throw notice ?? error
    }
    if (!isRecord(answer)) throw new AppError('bad_response', 'The song status is not a JSON object.')
    const status = typeof answer.status === 'string' ? answer.status.toLowerCase() : ''
    const url = (value: unknown): string | null => (typeof value === 'string' && /^https?:\/\//i.test(value) ? value : null)
    const error = typeof answer.error_message === 'string' ? answer.error_message : typeof answer.error === 'string' ? answer.error : null
    return {
      status: status === 'finished' || status === 'complete' ? 'finished' : status === 'error' || status === 'failed' ? 'error' : 'generating',
      audioUrl: url(answer.audio_url),
      imageUrl: url(answer.image_url),
      videoUrl: url(answer.video_url),
      error
    }
  }

  async #download(job: RunningJob<ClipInput>, files: NonNullable<ClipCheckpoint['finished']>): Promise<{ mediaId: string }> {
    const { mediaId, settings, source, clipId } = job.input
    const folder = join(this.#deps.mediaDir, SONG_DOWNLOADS_DIR, job.id)
    await mkdir(folder, { recursive: true })
    const withVideo = files.videoUrl !== null && this.#deps.downloadVideo()
    this.#setLive(job.id, { phase: 'downloading', audioUrl: files.audioUrl, progress: 0 })
    const report = (share: number, offset: number) => (done: number, total: number | null) => {
      const fraction = offset + share * (total ? Math.min(done / total, 1) : 0)
      job.progress(fraction, 'Downloading…')
      this.#setLive(job.id, { phase: 'downloading', audioUrl: files.audioUrl, progress: fraction })
    }
    const audioFile = join(folder, 'audio.mp3.part')
    await downloadFile(this.#deps.http, {
      url: files.audioUrl,
      file: audioFile,
      maxBytes: LIMITS.songDownloadBytes,
      looksRight: looksLikeMp3,
      what: 'MP3 audio',
      signal: job.signal,
      onProgress: report(withVideo ? 0.5 : 0.9, 0)
    })
    let cover: Buffer | null = null
    if (files.imageUrl) {
      const coverFile = join(folder, 'cover.part')
      await downloadFile(this.#deps.http, {
        url: files.imageUrl,
        file: coverFile,
        maxBytes: COVER_MAX_BYTES,
        looksRight: (head) => sniffImage(head) !== null,
        what: 'a picture',
        signal: job.signal,
        onProgress: report(0.05, withVideo ? 0.5 : 0.9)
      })
      cover = await readFile(coverFile)
    }
    if (withVideo && files.videoUrl) {
      await downloadFile(this.#deps.http, {
        url: files.videoUrl,
        file: join(folder, 'video.mp4.part'),
        maxBytes: LIMITS.songDownloadBytes,
        looksRight: looksLikeMp4,
        what: 'an MP4 video',
        signal: job.signal,
        onProgress: report(0.4, 0.55)
      })
    }
    job.progress(0.97, 'Saving…')
    const title = settings.title || `${titleFromPrompt(settings.prompt || settings.style)} (take ${job.input.take})`
    const item = await this.#deps.library.addAudio(
      {
        id: mediaId,
        kind: 'song',
        file: audioFile,
        cover,
        title,
        prompt: settings.prompt,
        text: settings.lyrics,
        model: settings.model,
        keywords: [settings.style, settings.instrumental ? 'instrumental' : ''].filter(Boolean).join(' '),
        settings: { ...settings, clipId },
        artist: `Suno · ${settings.model}`,
        source
      },
      job.signal
    )
    // The video sits beside the MP3, by the same name.
    if (withVideo) await rename(join(folder, 'video.mp4.part'), this.#deps.library.filePath(item.id).replace(/\.mp3$/, '.mp4'))
    await rm(folder, { recursive: true, force: true })
    this.#deps.notifier.notify({
      title: 'Your song is ready',
      body: item.title,
      onClick: () => {
        for (const listener of this.#openListeners) listener(item.id)
      }
    })
    return { mediaId: item.id }
  }

  #settled(job: JobRecord): void {
    this.#live.delete(job.id)
    // Half-done downloads of a clip that failed or was cancelled; a retry downloads again.
    if (job.state !== 'saved') void rm(join(this.#deps.mediaDir, SONG_DOWNLOADS_DIR, job.id), { recursive: true, force: true }).catch(() => undefined)
  }

  #inLibrary(mediaId: string): boolean {
    try {
      this.#deps.library.get(mediaId)
      return true
    } catch {
      return false
    }
  }

  #setLive(jobId: string, live: Live): void {
    const before = this.#live.get(jobId)
    this.#live.set(jobId, live)
    if (before && before.phase === live.phase && before.audioUrl === live.audioUrl && Math.round((before.progress ?? 0) * 100) === Math.round((live.progress ?? 0) * 100)) return
    try {
      this.#emit(this.status(jobId))
    } catch {
      // The job is gone.
    }
  }

  #status(job: JobRecord): SongStatus {
    const input = job.input as ClipInput
    const live = this.#live.get(job.id)
    const phase: SongPhase =
      job.state === 'saved' ? 'saved' : job.state === 'failed' ? 'failed' : job.state === 'cancelled' ? 'cancelled' : (live?.phase ?? 'generating')
    const audible = (phase === 'streaming' || phase === 'downloading') && live?.audioUrl
    return {
      jobId: job.id,
      groupId: input.groupId,
      clipId: input.clipId,
      title: input.settings.title,
      phase,
      listenUrl: audible ? `${LIVE_PREFIX}${job.id}.mp3` : null,
      progress: phase === 'downloading' ? (live?.progress ?? 0) : null,
      mediaId: job.state === 'saved' ? (job.result?.mediaId ?? null) : null,
      error: job.error
    }
  }

  #emit(status: SongStatus): void {
    for (const listener of this.#statusListeners) {
      try {
        listener(status)
      } catch (error) {
        this.#deps.logger.warn(`A song status listener failed: ${String(error)}`)
      }
    }
  }
}

/** A few words of the prompt, as the gateway's own titles are. */
function titleFromPrompt(prompt: string): string {
  const words = prompt.replace(/\s+/g, ' ').trim().split(' ').slice(0, 5).join(' ')
  return words === '' ? 'Song' : words.charAt(0).toUpperCase() + words.slice(1)
}

function readCheckpoint(value: unknown): ClipCheckpoint {
  if (!isRecord(value)) return { polls: 0, audioUrl: null, finished: null }
  const finished = isRecord(value.finished) && typeof value.finished.audioUrl === 'string' ? value.finished : null
  return {
    polls: typeof value.polls === 'number' ? value.polls : 0,
    audioUrl: typeof value.audioUrl === 'string' ? value.audioUrl : null,
    finished: finished
      ? {
          audioUrl: finished.audioUrl as string,
          imageUrl: typeof finished.imageUrl === 'string' ? finished.imageUrl : null,
          videoUrl: typeof finished.videoUrl === 'string' ? finished.videoUrl : null
        }
      : null
  }
}
