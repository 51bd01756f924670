/** Full-text search over every conversation, as the person types (debounced). */
import type { SearchHit } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { getApi } from '../bridge'
import { asAppError } from '../errors'

/** The hits of one conversation, in the order main ranked them. */
export interface SearchGroup {
  conversationId: string
  title: string
  hits: SearchHit[]
}

/** Hits grouped by conversation; a group sits where its best hit ranked. */
export function groupHits(hits: readonly SearchHit[]): SearchGroup[] {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local index, not state
  const groups = new Map<string, SearchGroup>()
  for (const hit of hits) {
    let group = groups.get(hit.conversationId)
    if (!group) {
      group = { conversationId: hit.conversationId, title: hit.conversationTitle, hits: [] }
      groups.set(hit.conversationId, group)
    }
    group.hits.push(hit)
  }
  return [...groups.values()]
}

export class SearchStore {
  /** What the person typed. */
  query = $state('')
  hits = $state.raw<SearchHit[]>([])
  loading = $state(false)
  error = $state.raw<AppError | null>(null)
  /** The query the current hits answer (hits may lag the typed query). */
  answered = $state('')

  readonly active: boolean = $derived(this.query.trim() !== '')
  readonly groups: SearchGroup[] = $derived(groupHits(this.hits))

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
