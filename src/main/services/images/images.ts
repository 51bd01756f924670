/**
 * Images and vision as job kinds of the one job runner: `/v1/imagine` and
 * `/v1/imagine2` make images that the library keeps with their settings; a
 * vision model describes a library image (through chat completions with an
 * `image_url` part) or a remote one (`/v1/images/vision`). A remote image is
 * never shown by the renderer: main downloads and checks it, and the window
 * shows the local copy.
 */
import { randomInt, randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import sharp, { type Metadata } from 'sharp'
import type { ImageBatch, ImageEndpoint, ImageModelList, ImageSettings, ImageSize, JobRecord, MediaItem, RemotePreview } from '../../../shared/contract'
import { IMAGE_MODELS, visionChatModel } from '../../../shared/catalog'
import { AppError, toErrorData } from '../../../shared/errors'
import { LIMITS } from '../../../shared/limits'
import type { AttachmentStore } from '../attachments'
import { rateLimitNotice } from '../chat/answer-filter'
import type { ChatStore } from '../chat/store'
import { writeFileAtomic } from '../files/atomic-write'
import type { GatewayClient } from '../gateway'
import { parseModelList } from '../gateway'
import type { HttpClient } from '../http/client'
import { isWebPage, webPageError } from '../http/errors'
import type { JobRunner, RunningJob } from '../jobs/job-runner'
import type { Library } from '../library/library'
import type { Logger } from '../log'

export interface ImageRequest {
  prompt: string
  models: string[]
  size: ImageSize
  seed: number | null
  endpoint: ImageEndpoint
  count: number
  source: 'studio' | 'chat' | 'quick'
  conversationId?: string | undefined
}

/** The input of an `image.generate` job: one image. */
interface GenerateInput extends Record<string, unknown> {
  prompt: string
  model: string
  size: ImageSize
  seed: number
  endpoint: ImageEndpoint
  source: 'studio' | 'chat' | 'quick'
  /** The chat message that shows this image, when it was asked for with `/image`. */
  messageId: string | null
}

interface DescribeInput extends Record<string, unknown> {
  mediaId: string
  model: string
}

interface DescribeUrlInput extends Record<string, unknown> {
  url: string
  model: string
}

export interface ImageServiceDeps {
  http: HttpClient
  gateway: Pick<GatewayClient, 'streamChat'>
  jobs: JobRunner
  library: Library
  attachments: AttachmentStore
  chatStore: ChatStore
  /** The default vision model (settings), used when "Describe" names none. */
  defaultVisionModel: () => string
  /** Where remote images are kept while they are previewed. */
  previewDir: string
  logger: Logger
  newId?: () => string
  /** How long a seed may be when none is given: the gateway takes up to 2^31 - 1. */
  randomSeed?: () => number
}

/** What a vision model is asked when "Describe" is pressed. */
export const DESCRIBE_PROMPT =
  'Describe this image in detail: the subject, the setting, colours, light, style and any text in it. Answer in plain prose.'

/** Previews older than this are removed at start: they were looked at, not kept. */
const PREVIEW_MAX_AGE_MS = 24 * 60 * 60 * 1000
const MAX_SEED = 2 ** 31 - 1

export class ImageService {
  readonly #deps: ImageServiceDeps
  readonly #newId: () => string
  readonly #randomSeed: () => number
  /** Where each preview came from, for the library item kept from it (this session's previews). */
  readonly #previewSources = new Map<string, string>()

  constructor(deps: ImageServiceDeps) {
    this.#deps = deps
    this.#newId = deps.newId ?? randomUUID
    this.#randomSeed = deps.randomSeed ?? (() => randomInt(0, MAX_SEED))
    deps.jobs.define<GenerateInput>({
      kind: 'image.generate',
      queue: (input) => input.endpoint,
      run: (job) => this.#generate(job),
      onSettled: (job) => this.#settleChatMessage(job)
    })
    deps.jobs.define<DescribeInput>({
      kind: 'vision.describe',
      // A chat completion with an image part: it shares the chat endpoint's limits.
      queue: () => 'chat',
      run: (job) => this.#describe(job)
    })
    deps.jobs.define<DescribeUrlInput>({
      kind: 'vision.url',
      queue: () => 'vision',
      run: (job) => this.#describeUrl(job)
    })
  }

  /**
   * One job per image, `count` per model. Several models compare one prompt
   * and seed; several images of one model get consecutive seeds, so they differ.
   */
  generate(request: ImageRequest): ImageBatch {
    const groupId = this.#newId()
    const base = request.seed ?? this.#randomSeed()
    const question = request.conversationId === undefined ? null : this.#askInChat(request)
    const jobs: JobRecord[] = []
    for (const model of request.models) {
      for (let index = 0; index < request.count; index++) {
        const seed = request.seed === null && index > 0 ? this.#randomSeed() : (base + index) % (MAX_SEED + 1)
        const messageId = question === null ? null : this.#answerRowInChat(question, model)
        const input: GenerateInput = { prompt: request.prompt, model, size: request.size, seed, endpoint: request.endpoint, source: request.source, messageId }
        jobs.push(this.#deps.jobs.enqueue('image.generate', input, { groupId }))
      }
    }
    return { groupId, jobs }
  }

  /** The documented image models, plus any the server's `/imagine/models` lists. */
  async models(): Promise<ImageModelList> {
    try {
      const listed = parseModelList(await this.#deps.http.json<unknown>({ path: '/imagine/models' }))
      const models = [...new Set<string>([...IMAGE_MODELS, ...listed.map((model) => model.id)])]
      return { models, source: 'server' }
    } catch (error) {
      this.#deps.logger.info('The image model list could not be read; the documented one is used:', toErrorData(error).message)
      return { models: [...IMAGE_MODELS], source: 'fallback' }
    }
  }

  describe(mediaId: string, model?: string): JobRecord {
    const item = this.#deps.library.get(mediaId)
    if (item.kind !== 'image') throw new AppError('invalid_argument', 'Only images can be described.')
    // Describing a local image is a chat completion: a model of /images/vision alone cannot take it.
    return this.#deps.jobs.enqueue('vision.describe', { mediaId, model: visionChatModel(model ?? this.#deps.defaultVisionModel()).model })
  }

  describeUrl(url: string, model: string): JobRecord {
    return this.#deps.jobs.enqueue('vision.url', { url, model })
  }

  /**
   * Downloads a remote image for the window to show from a local file: the
   * type is checked by its bytes and its size is capped. The key is never
   * sent to that host (the HTTP client sends it to the base URL alone).
   */
  async preview(url: string): Promise<RemotePreview> {
    const { bytes } = await this.#deps.http.bytes({ path: url, maxBytes: LIMITS.previewBytes }, { expectContentType: /^image\// })
    let info: Metadata
    try {
      info = await sharp(bytes, { limitInputPixels: 100_000_000 }).metadata()
    } catch {
      throw new AppError('bad_response', 'That link did not give an image this app can read.')
    }
    const format = PREVIEW_FORMATS[info.format ?? '']
    if (!format || !info.width || !info.height) throw new AppError('bad_response', `That link gave a ${info.format ?? 'file'} this app cannot show (PNG, JPEG, WebP and GIF can be).`)
    const previewId = this.#newId()
    await mkdir(this.#deps.previewDir, { recursive: true })
    await writeFileAtomic(join(this.#deps.previewDir, `${previewId}.${format.ext}`), bytes)
    this.#previewSources.set(previewId, url)
    return { previewId, url: `/media/previews/${previewId}.${format.ext}`, mime: format.mime, width: info.width, height: info.height, bytes: bytes.byteLength, sourceUrl: url }
  }

  /** Keeps a previewed remote image in the library, with its description when there is one. */
  async keepPreview(previewId: string, description?: string): Promise<MediaItem> {
    const file = await this.#previewFile(previewId)
    const sourceUrl = this.#previewSources.get(previewId)
    const item = await this.#deps.library.addExternalImage({ bytes: await readFile(file), source: 'import', description: description ?? '', ...(sourceUrl ? { sourceUrl } : {}) })
    await rm(file, { force: true })
    this.#previewSources.delete(previewId)
    return item
  }

  /** Removes previews that were looked at and never kept. */
  async removeOldPreviews(now = Date.now()): Promise<number> {
    let removed = 0
    const names = await readdir(this.#deps.previewDir).catch(() => [] as string[])
    for (const name of names) {
      const path = join(this.#deps.previewDir, name)
      const info = await stat(path).catch(() => null)
      if (info && now - info.mtimeMs > PREVIEW_MAX_AGE_MS) {
        await rm(path, { force: true })
        removed++
      }
    }
    return removed
  }

  async #generate(job: RunningJob<GenerateInput>): Promise<{ mediaId: string }> {
    const { prompt, model, size, seed, endpoint, source } = job.input
    job.progress(null, `Generating with ${model}…`)
    let bytes: Buffer
    try {
      const response = await this.#deps.http.bytes(
        // A 429 goes to the job runner, which pauses the queue with a countdown.
        { path: `/v1/${endpoint}`, query: { prompt, size, seed, model }, signal: job.signal, rateLimits: 'surface' },
        { expectContentType: /^image\// }
      )
      bytes = response.bytes
    } catch (error) {
      // The gateway's rate-limit notice can come as a 200 text where the image should be.
      const notice = error instanceof AppError && error.code === 'bad_response' ? rateLimitNotice(error.message) : null
      throw notice ?? error
    }
    job.progress(null, 'Saving…')
    const settings: ImageSettings = { prompt, model, size, seed, endpoint }
    const item = await this.#deps.library.addImage({ bytes, settings, source }, job.signal)
    return { mediaId: item.id }
  }

  async #describe(job: RunningJob<DescribeInput>): Promise<{ mediaId: string; text: string }> {
    const { library, attachments, gateway } = this.#deps
    const { mediaId, model } = job.input
    job.progress(null, `Asking ${model}…`)
    // The attachment store's pipeline: checked, oriented, scaled to what a model takes, no metadata.
    const attachment = await attachments.addFromFile(library.filePath(mediaId))
    let text = ''
    try {
      const url = await attachments.toDataUrl(attachment)
      const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: DESCRIBE_PROMPT }, { type: 'image_url' as const, image_url: { url } }] }]
      for await (const event of gateway.streamChat({ model, messages, stream: true }, job.signal)) {
        if (event.type === 'delta') text += event.content
      }
    } finally {
      await attachments.remove(attachment.id).catch(() => false)
    }
    const notice = rateLimitNotice(text)
    if (notice) throw notice
    text = text.trim()
    if (text === '') throw new AppError('bad_response', 'The vision model returned an empty description.')
    library.setDescription(mediaId, text)
    return { mediaId, text }
  }

  async #describeUrl(job: RunningJob<DescribeUrlInput>): Promise<{ text: string }> {
    const { url, model } = job.input
    job.progress(null, `Asking ${model}…`)
    const body = await this.#deps.http.text({ path: '/v1/images/vision', query: { url, model }, signal: job.signal, rateLimits: 'surface' })
    if (isWebPage('', body)) throw webPageError(body)
    const notice = rateLimitNotice(body)
    if (notice) throw notice
    const text = body.trim()
    if (text === '') throw new AppError('bad_response', 'The vision endpoint returned an empty description.')
    return { text }
  }

  /** `/image <prompt>` in a conversation: the question, shown at once; each image answers it. */
  #askInChat(request: ImageRequest): { conversationId: string; questionId: string } {
    const { chatStore } = this.#deps
    const conversation = chatStore.getConversation(request.conversationId as string)
    const parentId = conversation.messages.at(-1)?.id ?? null
    const question = chatStore.addMessage({ conversationId: conversation.id, parentId, role: 'user', content: `/image ${request.prompt}` })
    return { conversationId: conversation.id, questionId: question.id }
  }

  /** A placeholder answer that the image fills in when its job is saved. */
  #answerRowInChat(question: { conversationId: string; questionId: string }, model: string): string {
    const answer = this.#deps.chatStore.addMessage({
      conversationId: question.conversationId,
      parentId: question.questionId,
      role: 'assistant',
      content: '',
      model,
      status: 'streaming'
    })
    return answer.id
  }

  #settleChatMessage(job: JobRecord): void {
    const messageId = typeof job.input.messageId === 'string' ? job.input.messageId : null
    if (messageId === null) return
    const { chatStore, library } = this.#deps
    try {
      if (job.state === 'saved' && job.result?.mediaId) {
        const item = library.get(job.result.mediaId)
        const attachment = { id: item.id, kind: 'image' as const, url: item.url, mime: item.mime, width: item.width ?? 0, height: item.height ?? 0, name: `${item.title}.png`, bytes: item.bytes }
        chatStore.updateMessage(messageId, { status: 'complete', attachments: [attachment] })
      } else {
        const error = job.error ?? { code: 'aborted' as const, message: 'Cancelled.' }
        chatStore.updateMessage(messageId, { status: job.state === 'cancelled' ? 'incomplete' : 'error', error })
      }
    } catch (error) {
      // The conversation may have been deleted meanwhile; the image is in the library either way.
      this.#deps.logger.warn('Could not show a finished image in its conversation:', error)
    }
  }

  async #previewFile(previewId: string): Promise<string> {
    for (const format of Object.values(PREVIEW_FORMATS)) {
      const path = join(this.#deps.previewDir, `${previewId}.${format.ext}`)
      if (await stat(path).then((info) => info.isFile(), () => false)) return path
    }
    throw new AppError('not_found', 'That preview is gone; download it again.')
  }
}

const PREVIEW_FORMATS: Record<string, { ext: string; mime: string }> = {
  png: { ext: 'png', mime: 'image/png' },
  jpeg: { ext: 'jpg', mime: 'image/jpeg' },
  webp: { ext: 'webp', mime: 'image/webp' },
  gif: { ext: 'gif', mime: 'image/gif' }
}
