/**
 * Text to speech of any length, as a job kind of the one runner: the text
 * (markdown made speakable) is split under the gateway's per-request limit,
 * and one `speech.create` job fetches the parts in order from `/get-audio`.
 * Each part is written to disk and announced (`speech.part`) as soon as it
 * lands, so the player starts on the first while the rest are fetched; the
 * parts done are the job's checkpoint, so a rate-limit pause or a restart
 * carries on from the next part. At the end the parts' audio frames are
 * joined into one MP3 (their own tags and Xing headers dropped, so players
 * see the whole duration) and kept in the library with its ID3 tags.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { SpeakablePlan, SpeechPart, SpeechStarted, SpeechStatus, SpeechVoice } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { LIMITS, SPEECH_VOICES } from '../../../shared/limits'
import { rateLimitNotice } from '../chat/answer-filter'
import { writeFileAtomic } from '../files/atomic-write'
import type { HttpClient } from '../http/client'
import type { JobRunner, RunningJob } from '../jobs/job-runner'
import type { Library } from '../library/library'
import { mediaUrl, relativePath } from '../library/media-paths'
import type { Logger } from '../log'
import { audioSpan, joinMp3, mp3DurationMs } from './mp3'
import { speakableText } from './speakable'
import { splitForSpeech } from './split-text'

export const SPEECH_KIND = 'speech.create'
export const SPEECH_QUEUE = 'speech'
/** Under the media folder, so the player reaches the parts as `/media/...`; not a library folder, so a rescan leaves them be. */
export const SPEECH_PARTS_DIR = 'speech-parts'
/** One part is at most a few minutes of speech. */
const PART_MAX_BYTES = 20 * 1024 * 1024

export interface SpeechRequest {
  text: string
  markdown: boolean
  voice?: SpeechVoice | undefined
  title?: string | undefined
  source: 'studio' | 'chat' | 'quick'
}

interface SpeechInput extends Record<string, unknown> {
  mediaId: string
  voice: SpeechVoice
  title: string
  source: 'studio' | 'chat' | 'quick'
  text: string
  markdown: boolean
  spokenText: string
  parts: string[]
}

export interface SpeechServiceDeps {
  http: HttpClient
  jobs: JobRunner
  library: Library
  mediaDir: string
  /** The voice when a request names none (settings: defaultModels.speech). */
  defaultVoice: () => string
  logger: Logger
  newId?: () => string
  now?: () => number
}

export class SpeechService {
  readonly #deps: SpeechServiceDeps
  readonly #newId: () => string
  readonly #now: () => number
  readonly #partListeners = new Set<(part: SpeechPart) => void>()

  constructor(deps: SpeechServiceDeps) {
    this.#deps = deps
    this.#newId = deps.newId ?? randomUUID
    this.#now = deps.now ?? Date.now
    deps.jobs.define<SpeechInput>({
      kind: SPEECH_KIND,
      queue: () => SPEECH_QUEUE,
      run: (job) => this.#run(job)
    })
  }

  /** The text that would be spoken and how many requests it takes. */
  plan(text: string, markdown: boolean): SpeakablePlan {
    const spokenText = markdown ? speakableText(text) : text.trim()
    return { spokenText, partCount: splitForSpeech(spokenText, LIMITS.speechRequestChars).length }
  }

  create(request: SpeechRequest): SpeechStarted {
    const spokenText = request.markdown ? speakableText(request.text) : request.text.trim()
    const parts = splitForSpeech(spokenText, LIMITS.speechRequestChars)
    if (parts.length === 0) throw new AppError('invalid_argument', 'There is nothing to read aloud in this text (only code or formulas?).')
    const input: SpeechInput = {
      mediaId: this.#newId(),
      voice: request.voice ?? this.#defaultVoice(),
      title: request.title ?? '',
      source: request.source,
      text: request.text,
      markdown: request.markdown,
      spokenText,
      parts
    }
    const job = this.#deps.jobs.enqueue(SPEECH_KIND, input)
    return { job, mediaId: input.mediaId, partCount: parts.length, spokenText }
  }

  async status(jobId: string): Promise<SpeechStatus> {
    const job = this.#deps.jobs.get(jobId)
    if (job.kind !== SPEECH_KIND) throw new AppError('not_found', 'This job is not a speech.')
    const input = job.input as SpeechInput
    let url: string | null = null
    if (job.state === 'saved' && job.result?.mediaId) {
      try {
        url = this.#deps.library.get(job.result.mediaId).url
      } catch {
        // Trashed for good since: there is no joined file to play.
      }
    }
    return {
      jobId,
      mediaId: input.mediaId,
      voice: input.voice,
      title: input.title,
      partCount: input.parts.length,
      parts: await this.#partsOnDisk(jobId, input.parts.length),
      state: job.state,
      url,
      error: job.error
    }
  }

  /** Told of each part as soon as its file is on disk. */
  onPart(listener: (part: SpeechPart) => void): () => void {
    this.#partListeners.add(listener)
    return () => this.#partListeners.delete(listener)
  }

  /**
   * Removes the parts of speeches that are no longer being made (saved,
   * failed, cancelled, or gone): at start, when no window plays them any more.
   */
  async removeLeftovers(): Promise<number> {
    const root = join(this.#deps.mediaDir, SPEECH_PARTS_DIR)
    const names = await readdir(root).catch(() => [] as string[])
    let removed = 0
    for (const name of names) {
      if (this.#isActive(name)) continue
      await rm(join(root, name), { recursive: true, force: true })
      removed++
    }
    return removed
  }

  #isActive(jobId: string): boolean {
    try {
      const state = this.#deps.jobs.get(jobId).state
      return state === 'queued' || state === 'running' || state === 'waiting'
    } catch {
      return false
    }
  }

  #defaultVoice(): SpeechVoice {
    const voice = this.#deps.defaultVoice()
    return (SPEECH_VOICES as readonly string[]).includes(voice) ? (voice as SpeechVoice) : SPEECH_VOICES[0]
  }

  #partFile(jobId: string, index: number): string {
    return join(this.#deps.mediaDir, SPEECH_PARTS_DIR, jobId, `${index}.mp3`)
  }

  async #run(job: RunningJob<SpeechInput>): Promise<{ mediaId: string }> {
    const { parts, voice, mediaId } = job.input
    // Saved already, the run only not recorded (the app stopped in between).
    if (this.#inLibrary(mediaId)) return { mediaId }
    const count = parts.length
    const first = typeof job.checkpoint === 'number' && job.checkpoint >= 0 && job.checkpoint <= count ? job.checkpoint : 0
    await mkdir(join(this.#deps.mediaDir, SPEECH_PARTS_DIR, job.id), { recursive: true })
    for (let index = first; index < count; index++) {
      job.progress(index / count, `part ${index + 1} of ${count}`)
      const bytes = await this.#fetchPart(parts[index]!, voice, job.signal)
      let durationMs: number
      try {
        durationMs = mp3DurationMs(bytes)
      } catch (cause) {
        throw new AppError('bad_response', `Part ${index + 1} of ${count} is not MP3 audio.`, { cause })
      }
      const file = this.#partFile(job.id, index)
      await writeFileAtomic(file, bytes, { mode: 0o644 })
      job.setCheckpoint(index + 1)
      this.#announce({ jobId: job.id, index, count, url: mediaUrl(relativePath(this.#deps.mediaDir, file)), durationMs, savedAt: this.#now() })
    }
    job.progress(1, 'Joining the parts…')
    const audio = joinMp3(await Promise.all(parts.map((_, index) => readFile(this.#partFile(job.id, index)))))
    const joined = join(this.#deps.mediaDir, SPEECH_PARTS_DIR, job.id, 'joined.mp3')
    await writeFileAtomic(joined, audio, { mode: 0o644 })
    const { title, source, text, markdown, spokenText } = job.input
    const item = await this.#deps.library.addAudio(
      {
        id: mediaId,
        kind: 'speech',
        file: joined,
        title,
        prompt: '',
        text: spokenText,
        model: voice,
        keywords: voice,
        settings: { voice, text, markdown },
        artist: `Skyport speech · ${voice}`,
        source
      },
      job.signal
    )
    await rm(joined, { force: true })
    return { mediaId: item.id }
  }

  async #fetchPart(text: string, voice: SpeechVoice, signal: AbortSignal): Promise<Buffer> {
    try {
      const response = await this.#deps.http.bytes(
        // A 429 goes to the job runner, which pauses the speech queue with a countdown.
        { path: '/get-audio', query: { text, voice }, signal, rateLimits: 'surface', maxBytes: PART_MAX_BYTES },
        { expectContentType: /^audio\/(mpeg|mp3)$/ }
      )
      if (!looksLikeAudio(response.bytes)) throw new AppError('bad_response', 'The server sent something that is not MP3 audio.')
      return response.bytes
    } catch (error) {
      // The gateway's rate-limit notice can come as a 200 text where the audio should be.
      const notice = error instanceof AppError && error.code === 'bad_response' ? rateLimitNotice(error.message) : null
      throw notice ?? error
    }
  }

  #inLibrary(mediaId: string): boolean {
    try {
      this.#deps.library.get(mediaId)
      return true
    } catch {
      return false
    }
  }

  #announce(part: SpeechPart): void {
    for (const listener of this.#partListeners) {
      try {
        listener(part)
      } catch (error) {
        this.#deps.logger.warn(`A speech part listener failed: ${String(error)}`)
      }
    }
  }

  async #partsOnDisk(jobId: string, count: number): Promise<SpeechPart[]> {
    const parts: SpeechPart[] = []
    for (let index = 0; index < count; index++) {
      const file = this.#partFile(jobId, index)
      try {
        const [bytes, info] = await Promise.all([readFile(file), stat(file)])
        parts.push({ jobId, index, count, url: mediaUrl(relativePath(this.#deps.mediaDir, file)), durationMs: mp3DurationMs(bytes), savedAt: Math.trunc(info.mtimeMs) })
      } catch {
        break
      }
    }
    return parts
  }
}

function looksLikeAudio(bytes: Buffer): boolean {
  try {
    audioSpan(bytes)
    return true
  } catch {
    return false
  }
}
