/** Full-text search over every conversation, as the person types (debounced). */
import type { SearchHit } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { getApi } from '../bridge'
import { asAppError } from '../errors'

export class SearchStore {
  /** What the person typed. */
  query = $state('')
  hits = $state.raw<SearchHit[]>([])
  loading = $state(false)
  error = $state.raw<AppError | null>(null)
  /** The query the current hits answer (hits may lag the typed query). */
  answered = $state('')

  readonly active: boolean = $derived(this.query.trim() !== '')

  #delayMs: number
  #limit: number
  #timer: ReturnType<typeof setTimeout> | undefined
  #sequence = 0

  constructor(options: { delayMs?: number; limit?: number } = {}) {
    this.#delayMs = options.delayMs ?? 150
    this.#limit = options.limit ?? 50
  }

  /** Sets the query and searches once typing pauses; an empty query clears at once. */
  setQuery(query: string): void {
    this.query = query
    clearTimeout(this.#timer)
    const text = query.trim()
    if (text === '') {
      this.#sequence++
      this.hits = []
      this.answered = ''
      this.loading = false
      this.error = null
      return
    }
    this.loading = true
    this.#timer = setTimeout(() => void this.run(text), this.#delayMs)
  }

  /** Searches now. */
  async run(text = this.query.trim()): Promise<void> {
    clearTimeout(this.#timer)
    const sequence = ++this.#sequence
    if (text === '') return
    this.loading = true
    try {
      const hits = await getApi().conversations.search({ query: text, limit: this.#limit })
      if (sequence !== this.#sequence) return
      this.hits = hits
      this.answered = text
      this.error = null
    } catch (error) {
      if (sequence !== this.#sequence) return
      this.error = asAppError(error)
      this.hits = []
    } finally {
      if (sequence === this.#sequence) this.loading = false
    }
  }

  clear(): void {
    this.setQuery('')
  }

  dispose(): void {
    clearTimeout(this.#timer)
  }
}
