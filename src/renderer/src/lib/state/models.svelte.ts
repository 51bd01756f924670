/** The model list shown on the Models screen and offered for the default chat model. */
import type { ModelInfo, ModelList } from '@shared/contract'
import type { AppError, BridgeErrorData } from '@shared/errors'
import { getApi } from '../bridge'
import { asAppError } from '../errors'

export class ModelsStore {
  models = $state.raw<ModelInfo[]>([])
  /** `server`: asked the server; `fallback`: the documented list; null before the first answer. */
  source = $state<ModelList['source'] | null>(null)
  /** Why the fallback list is shown. */
  fallbackReason = $state.raw<BridgeErrorData | null>(null)
  /** Why the list could not be produced at all. */
  error = $state.raw<AppError | null>(null)
  loading = $state(false)
  /** True once an answer arrived. */
  loaded = $state(false)
  filter = $state('')

  /** Models whose id or owner contains every word of the filter (case-insensitive). */
  readonly filtered: ModelInfo[] = $derived.by(() => {
    const words = this.filter.trim().toLowerCase().split(/\s+/).filter(Boolean)
    if (words.length === 0) return this.models
    return this.models.filter((model) => {
      const text = `${model.id} ${model.ownedBy ?? ''}`.toLowerCase()
      return words.every((word) => text.includes(word))
    })
  })

  readonly ids: string[] = $derived(this.models.map((model) => model.id))

  #context: string | null = null
  #sequence = 0
  #onResult: (error: BridgeErrorData | null) => void

  /** `onResult` hears what each answer showed about the connection (null: the server answered). */
  constructor(options: { onResult?: (error: BridgeErrorData | null) => void } = {}) {
    this.#onResult = options.onResult ?? (() => {})
  }

  /** Asks main for the list (main may answer from its cache). */
  async load(options: { refresh?: boolean } = {}): Promise<void> {
    const sequence = ++this.#sequence
    this.loading = true
    try {
      const list = await getApi().models.list(options.refresh ? { refresh: true } : {})
      if (sequence !== this.#sequence) return
      this.models = list.models
      this.source = list.source
      this.fallbackReason = list.error
      this.error = null
      this.loaded = true
      this.#onResult(list.source === 'server' ? null : list.error)
    } catch (error) {
      if (sequence !== this.#sequence) return
      this.error = asAppError(error)
      this.#onResult(this.error)
    } finally {
      if (sequence === this.#sequence) this.loading = false
    }
  }

  /** Asks the server again, bypassing main's cache. */
  refresh(): Promise<void> {
    return this.load({ refresh: true })
  }

  /**
   * Loads once per connection context (e.g. base URL + key); a new context
   * refreshes, so a changed server or key never shows a stale list.
   */
  ensure(context: string): Promise<void> {
    if (this.#context === context && (this.loaded || this.loading)) return Promise.resolve()
    const changed = this.#context !== null && this.#context !== context
    this.#context = context
    return this.load({ refresh: changed })
  }
}
