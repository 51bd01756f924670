/**
 * Favourite and recently used models, first in the model picker. Kept in
 * the window's own storage: a convenience of this window, nothing main needs.
 */
const KEY = 'skyport.modelPrefs'
const RECENT_MAX = 6

interface Saved {
  favourites: string[]
  recent: string[]
}

export class ModelPrefs {
  favourites = $state.raw<string[]>([])
  recent = $state.raw<string[]>([])

  #storage: Pick<Storage, 'getItem' | 'setItem'> | null

  constructor(storage: Pick<Storage, 'getItem' | 'setItem'> | null = globalThis.localStorage ?? null) {
    this.#storage = storage
    const saved = read(storage)
    this.favourites = saved.favourites
    this.recent = saved.recent
  }

  isFavourite(id: string): boolean {
    return this.favourites.includes(id)
  }

  toggleFavourite(id: string): void {
    this.favourites = this.isFavourite(id) ? this.favourites.filter((item) => item !== id) : [...this.favourites, id]
    this.#save()
  }

  /** A model was chosen: it goes to the front of the recent ones. */
  noteUsed(id: string): void {
    this.recent = [id, ...this.recent.filter((item) => item !== id)].slice(0, RECENT_MAX)
    this.#save()
  }

  #save(): void {
    try {
      this.#storage?.setItem(KEY, JSON.stringify({ favourites: this.favourites, recent: this.recent } satisfies Saved))
    } catch {
      // Storage full or unavailable: the lists still work for this session.
    }
  }
}

function read(storage: Pick<Storage, 'getItem'> | null): Saved {
  try {
    const value: unknown = JSON.parse(storage?.getItem(KEY) ?? 'null')
    if (typeof value !== 'object' || value === null) return { favourites: [], recent: [] }
    const strings = (list: unknown): string[] => (Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [])
    const record = value as Record<string, unknown>
    return { favourites: strings(record.favourites), recent: strings(record.recent).slice(0, RECENT_MAX) }
  } catch {
    return { favourites: [], recent: [] }
  }
}
