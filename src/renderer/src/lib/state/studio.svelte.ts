/**
 * The image studio's form and the batches it started. The form lives here,
 * not in the screen, so it survives switching screens and the viewer can
 * fill it ("Reuse all settings"). Results are keyed by job: the live state of
 * each one comes from the jobs store, which main keeps up to date.
 */
import { IMAGE_MODELS } from '@shared/catalog'
import type { ArgsOf, ImageEndpoint, ImageSettings, ImageSize, JobRecord } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { LIMITS } from '@shared/limits'
import { getApi } from '../bridge'
import { asAppError, invalid } from '../errors'
import { imageSettingsOf, isSeed, MAX_SEED, randomSeed } from '../media'
import { LinkDescriber } from './describe-link.svelte'
import { isFinal, type JobsStore } from './jobs.svelte'

export type SeedMode = 'random' | 'fixed'
/** The studio's pages. */
export type StudioTab = 'image' | 'speech' | 'song'
export type GenerateArgs = ArgsOf<'images.generate'>

/** One image being made (or made) in a batch. */
export interface StudioSlot {
  jobId: string
  model: string
}

/** What one press of Generate started. */
export interface StudioBatch {
  groupId: string
  prompt: string
  size: ImageSize
  endpoint: ImageEndpoint
  /** The seed asked for; null when each image got its own random one. */
  seed: number | null
  compare: boolean
  models: string[]
  /** One per image, in the order asked for; a retry that answers with another job moves its slot there. */
  slots: StudioSlot[]
  createdAt: number
}

export const ENDPOINT_NOTES: Record<ImageEndpoint, string> = {
  imagine: 'The original endpoint.',
  imagine2: 'Faster and more stable, same models.'
}

/** What `images.generate` sends for `/image <prompt>` in the chat composer. */
export function chatImageRequest(prompt: string, model: string, conversationId: string | null): GenerateArgs {
  return {
    prompt,
    models: [model],
    size: '1:1',
    seed: null,
    endpoint: 'imagine',
    count: 1,
    source: 'chat',
    ...(conversationId ? { conversationId } : {})
  }
}

export interface StudioStoreOptions {
  jobs: JobsStore
  /** The default image model from the settings. */
  defaultModel?: () => string
  /** The default vision model from the settings (for "Describe an image from a link"). */
  defaultVisionModel?: () => string
  now?: () => number
  /** Seeds for the roll button and compare batches (tests pass a fixed one). */
  seeds?: () => number
}

export class StudioStore {
  /** Which studio page shows; kept here so it survives switching screens. */
  tab = $state<StudioTab>('image')
  prompt = $state('')
  /** The model of a single run; null follows the default image model. */
  chosenModel = $state<string | null>(null)
  /** Compare models: one prompt and seed across the ticked models. */
  compare = $state(false)
  compareModels = $state.raw<string[]>([])
  size = $state<ImageSize>('1:1')
  seedMode = $state<SeedMode>('random')
  /** The seed field's text (a fixed seed). */
  seedText = $state('')
  /** A locked seed stays as it is: rolling and reused settings leave it alone. */
  seedLocked = $state(false)
  endpoint = $state<ImageEndpoint>('imagine')
  count = $state(1)
  /** Image models the server listed beyond the documented ones. */
  serverModels = $state.raw<string[]>([])
  batches = $state.raw<StudioBatch[]>([])
  generating = $state(false)
  /** Generate was pressed once: from then on every problem with the form shows. */
  attempted = $state(false)
  /** Why main refused the last Generate. */
  error = $state.raw<AppError | null>(null)


  readonly jobs: JobsStore
  /** "Describe an image from a link". */
  readonly link: LinkDescriber
  #defaultModel: () => string = () => ''
  #now: () => number = Date.now
  #seeds: () => number = randomSeed

  /** The documented models, then any the server added. */
  readonly modelOptions: string[] = $derived(
    [...IMAGE_MODELS, ...this.serverModels].filter((model, index, all) => all.indexOf(model) === index)
  )
  readonly model: string = $derived(this.chosenModel ?? (this.#defaultModel() || IMAGE_MODELS[0]))
  readonly promptTooLong: boolean = $derived(this.prompt.length > LIMITS.imagePromptChars)
  /** How many images one Generate makes. */
  readonly imageCount: number = $derived((this.compare ? this.compareModels.length : 1) * this.count)
  /** What stops Generate, in words; null when the form is fine. */
  readonly problem: string | null = $derived(this.#check())

  constructor(options: StudioStoreOptions) {
    this.jobs = options.jobs
    this.link = new LinkDescriber(options.jobs, options.defaultVisionModel)
    if (options.defaultModel) this.#defaultModel = options.defaultModel
    if (options.now) this.#now = options.now
    if (options.seeds) this.#seeds = options.seeds
  }

  /** Adds the image models the server lists. */
  async loadModels(): Promise<void> {
    try {
      const list = await getApi().images.models()
      this.serverModels = list.models
    } catch {
      // The documented list is already shown; a server that cannot list changes nothing.
    }
  }

  setModel(model: string): void {
    this.chosenModel = model
  }

  toggleCompareModel(model: string): void {
    this.compareModels = this.compareModels.includes(model)
      ? this.compareModels.filter((item) => item !== model)
      : [...this.compareModels, model]
  }

  setCount(count: number): void {
    if (Number.isFinite(count)) this.count = Math.min(LIMITS.imagesPerPrompt, Math.max(1, Math.round(count)))
  }

  setSeedMode(mode: SeedMode): void {
    if (this.seedLocked) return
    this.seedMode = mode
    if (mode === 'fixed' && this.seedText.trim() === '') this.seedText = String(this.#seeds())
  }

  /** Rolls a new fixed seed (unless it is locked). */
  rollSeed(): void {
    if (this.seedLocked) return
    this.seedMode = 'fixed'
    this.seedText = String(this.#seeds())
  }

  /** Locks the seed as it is; locking a random seed fixes one first. */
  setSeedLocked(locked: boolean): void {
    if (locked && this.seedMode === 'random') this.rollSeed()
    this.seedLocked = locked
  }

  /**
   * Fills the form from an image's settings: `all` of them, only the
   * `prompt`, or all with a `newSeed`. A locked seed stays.
   */
  reuse(settings: Partial<ImageSettings>, what: 'all' | 'prompt' | 'newSeed'): void {
    if (settings.prompt !== undefined) this.prompt = settings.prompt
    if (what === 'prompt') return
    if (settings.model) {
      this.chosenModel = settings.model
      this.compare = false
    }
    if (settings.size) this.size = settings.size
    if (settings.endpoint) this.endpoint = settings.endpoint
    this.count = 1
    if (this.seedLocked) return
    if (what === 'newSeed') {
      this.rollSeed()
    } else if (settings.seed !== undefined) {
      this.seedMode = 'fixed'
      this.seedText = String(settings.seed)
    }
  }

  /** The `images.generate` arguments for the form, or the problem that stops it. */
  request(): { ok: true; args: GenerateArgs } | { ok: false; error: AppError } {
    const problem = this.#check()
    if (problem) return { ok: false, error: invalid(problem) }
    const fixed = this.seedMode === 'fixed' ? Number(this.seedText.trim()) : null
    // Comparing needs one seed across the models, even a random one.
    const seed = fixed ?? (this.compare ? this.#seeds() : null)
    return {
      ok: true,
      args: {
        prompt: this.prompt,
        models: this.compare ? [...this.compareModels] : [this.model],
        size: this.size,
        seed,
        endpoint: this.endpoint,
        count: this.count,
        source: 'studio'
      }
    }
  }

  /** Starts the images; returns false when the form or main refused. */
  async generate(): Promise<boolean> {
    this.attempted = true
    const request = this.request()
    if (!request.ok) return false
    const args = request.args
    this.generating = true
    this.error = null
    try {
      const batch = await getApi().images.generate(args)
      this.jobs.track(batch.jobs)
      this.batches = [
        {
          groupId: batch.groupId,
          prompt: args.prompt,
          size: args.size,
          endpoint: args.endpoint,
          seed: args.seed,
          compare: this.compare,
          models: args.models,
          slots: batch.jobs.map((job, index) => ({ jobId: job.id, model: modelOfJob(job, args.models, args.count, index) })),
          createdAt: this.#now()
        },
        ...this.batches
      ]
      this.attempted = false
      return true
    } catch (error) {
      this.error = asAppError(error)
      return false
    } finally {
      this.generating = false
    }
  }

  /** Runs a failed or cancelled image again, in the same place. */
  async retry(jobId: string): Promise<void> {
    const job = await this.jobs.retry(jobId)
    if (job.id === jobId) return
    this.batches = this.batches.map((batch) =>
      batch.slots.some((slot) => slot.jobId === jobId)
        ? { ...batch, slots: batch.slots.map((slot) => (slot.jobId === jobId ? { ...slot, jobId: job.id } : slot)) }
        : batch
    )
  }

  /** Clears finished batches from the results (the images stay in the library). */
  clearFinished(): void {
    this.batches = this.batches.filter((batch) =>
      batch.slots.some((slot) => {
        const job = this.jobs.get(slot.jobId)
        return job !== undefined && !isFinal(job)
      })
    )
  }

  #check(): string | null {
    const prompt = this.prompt.trim()
    if (this.promptTooLong) {
      return `The prompt is ${this.prompt.length.toLocaleString('en-US')} characters long; the limit is ${LIMITS.imagePromptChars.toLocaleString('en-US')}.`
    }
    if (prompt === '') return 'Write a prompt first.'
    if (this.compare && this.compareModels.length < 2) return 'Tick at least two models to compare.'
    if (this.compare && this.compareModels.length > LIMITS.compareModels) return `Compare at most ${LIMITS.compareModels} models at once.`
    if (this.seedMode === 'fixed') {
      const text = this.seedText.trim()
      if (!/^\d+$/.test(text) || !isSeed(Number(text))) return `The seed is a whole number from 0 to ${MAX_SEED.toLocaleString('en-US')}.`
    }
    return null
  }
}

/** The model a job makes: its input says so; otherwise the order `images.generate` promises (count per model). */
function modelOfJob(job: JobRecord, models: string[], count: number, index: number): string {
  return imageSettingsOf(job.input).model ?? models[Math.min(models.length - 1, Math.floor(index / count))] ?? ''
}

/**
 * The prompt of `/image <prompt>` typed in the chat composer ('' when only
 * `/image` is there); null for any other message.
 */
export function imageCommand(text: string): string | null {
  return slashCommand(text, 'image')
}

/** The text after `/<name>` at the start of a message (trimmed, possibly empty); null when it is not that command. */
export function slashCommand(text: string, name: string): string | null {
  const match = new RegExp(`^\\s*/${name}(?:\\s+([\\s\\S]*))?$`).exec(text)
  return match ? (match[1] ?? '').trim() : null
}
