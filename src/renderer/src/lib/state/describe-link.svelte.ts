/**
 * "Describe an image from a link": main downloads and checks the remote
 * image and shows it from a local file (the window never loads the remote
 * address), a vision model describes it as a job, and the person may keep
 * it in the library with its description.
 */
import { DEFAULT_VISION_MODEL, VISION_MODELS } from '@shared/catalog'
import type { JobRecord, MediaItem, RemotePreview } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { getApi } from '../bridge'
import { asAppError, invalid } from '../errors'
import { parseHttpUrl } from '../url'
import type { JobsStore } from './jobs.svelte'

export class LinkDescriber {
  url = $state('')
  /** The model picked here; null follows the default vision model (when it is one of the endpoint's). */
  chosenModel = $state<string | null>(null)
  preview = $state.raw<RemotePreview | null>(null)
  loadingPreview = $state(false)
  jobId = $state<string | null>(null)
  kept = $state.raw<MediaItem | null>(null)
  keeping = $state(false)
  error = $state.raw<AppError | null>(null)

  readonly #jobs: JobsStore
  readonly #defaultModel: () => string = () => ''
  readonly model: string = $derived(this.chosenModel ?? this.#fallbackModel())
  /** The description, once the job saved it. */
  readonly description: string | null = $derived(this.job?.state === 'saved' ? (this.job.result?.text ?? '') : null)
  readonly describing: boolean = $derived(this.job !== undefined && this.job.state !== 'saved' && this.job.state !== 'failed' && this.job.state !== 'cancelled')

  constructor(jobs: JobsStore, defaultModel?: () => string) {
    this.#jobs = jobs
    if (defaultModel) this.#defaultModel = defaultModel
  }

  /** The describe job, as main last reported it. */
  get job(): JobRecord | undefined {
    return this.jobId ? this.#jobs.get(this.jobId) : undefined
  }

  setModel(model: string): void {
    this.chosenModel = model
  }

  #fallbackModel(): string {
    const preferred = this.#defaultModel()
    return (VISION_MODELS as readonly string[]).includes(preferred) ? preferred : DEFAULT_VISION_MODEL
  }

  /** A new address: what was shown for the previous one goes. */
  setUrl(url: string): void {
    this.url = url
    if (this.preview && this.preview.sourceUrl !== url.trim()) this.#forget()
  }

  /** Asks main to fetch the image and keep it as a local preview. */
  async loadPreview(): Promise<boolean> {
    const url = parseHttpUrl(this.url)
    if (!url) {
      this.error = invalid('Enter an http:// or https:// address of an image.')
      return false
    }
    this.#forget()
    this.loadingPreview = true
    try {
      this.preview = await getApi().vision.preview({ url: url.href })
      return true
    } catch (error) {
      this.error = asAppError(error)
      return false
    } finally {
      this.loadingPreview = false
    }
  }

  /** Asks the vision endpoint about the previewed image. */
  async describe(): Promise<boolean> {
    const preview = this.preview
    if (!preview) return false
    this.error = null
    this.kept = null
    try {
      const job = await getApi().vision.describeUrl({ url: preview.sourceUrl, model: this.model })
      this.#jobs.track([job])
      this.jobId = job.id
      return true
    } catch (error) {
      this.error = asAppError(error)
      return false
    }
  }

  /** Keeps the preview in the library, with the description when there is one. */
  async keep(): Promise<boolean> {
    const preview = this.preview
    if (!preview) return false
    this.keeping = true
    this.error = null
    try {
      const description = this.description
      this.kept = await getApi().vision.keepPreview({ previewId: preview.previewId, ...(description ? { description } : {}) })
      return true
    } catch (error) {
      this.error = asAppError(error)
      return false
    } finally {
      this.keeping = false
    }
  }

  #forget(): void {
    this.preview = null
    this.jobId = null
    this.kept = null
    this.error = null
  }
}
