/**
 * The media library as the grid shows it: the filters (turned into one
 * `library.query`), the matching cards, the selection, and the items the
 * viewer has opened. Main says when items change (`library.changed`); the
 * store then asks again, never on a timer.
 */
import { SvelteMap, SvelteSet } from 'svelte/reactivity'
import type { ArgsOf, Collection, ExportResult, LibraryPage, MediaCard, MediaItem, MediaKind } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { fromColumns } from '@shared/library-columns'
import { getApi } from '../bridge'
import { asAppError } from '../errors'

export type Sort = 'newest' | 'oldest'

export interface LibraryFilters {
  kind: MediaKind | 'all'
  /** '' for any model. */
  model: string
  /** Only starred items. */
  starred: boolean
  /** '' for any collection. */
  collectionId: string
  /** `YYYY-MM-DD` (a date field's value), '' for no bound. Both days are included. */
  from: string
  to: string
  search: string
  sort: Sort
  /** Show the trash instead of the library. */
  trashed: boolean
}

export const defaultFilters: LibraryFilters = {
  kind: 'all',
  model: '',
  starred: false,
  collectionId: '',
  from: '',
  to: '',
  search: '',
  sort: 'newest',
  trashed: false
}

type QueryArgs = NonNullable<ArgsOf<'library.query'>>

/**
 * Cards asked for first when the library opens: more than the largest first
 * screen (a 2,560 × 1,600 window holds about 14 × 9 cards of 168 px).
 */
export const FIRST_SCREEN_CARDS = 160
/**
 * The whole list is asked once the grid says its first screen's thumbnails
 * are in (`wantAll`); this long at most when nobody touches the grid and
 * the grid never says so (ms).
 */
const REST_DELAY_MS = 1_000

/** Local midnight of a `YYYY-MM-DD` date, `days` later; null when the text is no date. */
function localDay(text: string, days = 0): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!match) return null
  const time = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days).getTime()
  return Number.isFinite(time) && time >= 0 ? time : null
}

/** The `library.query` arguments for the filters: only what narrows the list. */
export function queryFor(filters: LibraryFilters): QueryArgs {
  const query: QueryArgs = { sort: filters.sort }
  if (filters.kind !== 'all') query.kinds = [filters.kind]
  if (filters.model !== '') query.model = filters.model
  if (filters.starred) query.starred = true
  if (filters.collectionId !== '') query.collectionId = filters.collectionId
  const from = localDay(filters.from)
  if (from !== null) query.from = from
  // "To" names a day the person wants included: the query's bound is the next midnight.
  const to = localDay(filters.to, 1)
  if (to !== null) query.to = to
  const search = filters.search.trim()
  if (search !== '') query.search = search
  if (filters.trashed) query.trashed = true
  return query
}

export interface ClickModifiers {
  /** Shift: the range from the anchor. */
  range?: boolean
  /** Ctrl/Cmd: add or remove this one. */
  toggle?: boolean
}

export interface LibraryStoreOptions {
  /** How long typing in the search box waits before asking (ms). */
  searchDelayMs?: number
  /** Several `library.changed` within this time cause one new query (ms). */
  refreshDelayMs?: number
  /** The clock day headings are relative to (tests pass a fixed one). */
  now?: () => number
}

export class LibraryStore {
  filters = $state.raw<LibraryFilters>(defaultFilters)
  cards = $state.raw<MediaCard[]>([])
  total = $state(0)
  /** Models present in the library, for the filter. */
  models = $state.raw<string[]>([])
  collections = $state.raw<Collection[]>([])
  loading = $state(false)
  loaded = $state(false)
  /** false while only the first screen's cards are here (`total` counts them all). */
  complete = $state(false)
  error = $state.raw<AppError | null>(null)

  readonly selected = new SvelteSet<string>()
  /** Where a shift-click range starts. */
  anchor = $state<string | null>(null)
  /** The card the keyboard is on. */
  focusId = $state<string | null>(null)
  /** Items the viewer and quick look opened, by id; kept fresh on `library.changed`. */
  readonly items = new SvelteMap<string, MediaItem>()
  /** An item to open once the library screen shows (e.g. "Open in library" from chat). */
  pendingOpen = $state<string | null>(null)

  readonly query: QueryArgs = $derived(queryFor(this.filters))
  readonly filtered: boolean = $derived(
    Object.entries(this.filters).some(([key, value]) => key !== 'sort' && key !== 'trashed' && value !== defaultFilters[key as keyof LibraryFilters])
  )
  /** Each card's index in `cards`; rebuilt with the cards, never changed in place. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup table derived whole
  readonly #indexById: ReadonlyMap<string, number> = $derived(new Map(this.cards.map((card, index) => [card.id, index])))
  readonly selectedIds: string[] = $derived(this.cards.filter((card) => this.selected.has(card.id)).map((card) => card.id))

  #sequence = 0
  /** The load `open` started for the screen that is opening, until the screen shows. */
  #opening: Promise<void> | null = null
  #wantAll: (() => void) | null = null
  #selectAllWhenComplete = false
  #unsubscribe: (() => void) | null = null
  #searchTimer: ReturnType<typeof setTimeout> | undefined
  #refreshTimer: ReturnType<typeof setTimeout> | undefined
  #searchDelayMs: number
  #refreshDelayMs: number
  /** The time now, for "Today" and "Yesterday". */
  readonly now: () => number

  constructor(options: LibraryStoreOptions = {}) {
    this.#searchDelayMs = options.searchDelayMs ?? 200
    this.#refreshDelayMs = options.refreshDelayMs ?? 100
    this.now = options.now ?? Date.now
  }

  /** Starts following `library.changed` (once). */
  init(): void {
    if (this.#unsubscribe) return
    this.#unsubscribe = getApi().on('library.changed', (change) => {
      for (const id of change.removed) this.items.delete(id)
      for (const id of change.changed) if (this.items.has(id)) void this.fetch(id)
      if (this.loaded) this.#scheduleRefresh()
    })
  }

  dispose(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
    clearTimeout(this.#searchTimer)
    clearTimeout(this.#refreshTimer)
    // A load waiting to ask for the whole list asks nothing more (the next load asks for it).
    this.#sequence++
    this.#wantAll?.()
  }

  /**
   * Asks for the cards matching the filters (the latest call wins). The
   * first time, it asks for the first screen's cards alone, and for the
   * whole list once the grid is used (`wantAll`) or after a moment: main
   * then serves the first screen's thumbnails before it encodes the whole
   * list, and the grid paints before 10,000 cards have crossed the bridge.
   */
  async load(): Promise<void> {
    this.init()
    clearTimeout(this.#searchTimer)
    clearTimeout(this.#refreshTimer)
    const sequence = ++this.#sequence
    const query = this.query
    this.#selectAllWhenComplete = false
    this.loading = true
    try {
      if (!this.loaded) {
        const first = fromColumns(await getApi().library.query({ ...query, limit: FIRST_SCREEN_CARDS }))
        if (sequence !== this.#sequence) return
        this.#show(first, first.cards.length >= first.total)
        if (this.complete) return
        await this.#restWanted()
        if (sequence !== this.#sequence) return
      }
      const page = fromColumns(await getApi().library.query(query))
      if (sequence !== this.#sequence) return
      this.#show(page, true)
    } catch (error) {
      if (sequence === this.#sequence) this.error = asAppError(error)
    } finally {
      if (sequence === this.#sequence) this.loading = false
    }
  }

  /**
   * The library screen is being opened: its load starts now, while the
   * screen's code loads, instead of once the screen has mounted.
   */
  open(): void {
    this.#opening = this.load()
  }

  /** The screen has mounted: the load `open` started, or a new one when nothing opened it. */
  shown(): Promise<void> {
    const opening = this.#opening
    this.#opening = null
    return opening ?? this.load()
  }

  /** The grid is being used (scrolled, a key) or its first screen is in: the whole list is wanted now. */
  wantAll(): void {
    this.#wantAll?.()
  }

  /** Resolves when `wantAll` is called, or after REST_DELAY_MS. */
  #restWanted(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wantAll(), REST_DELAY_MS)
      this.#wantAll = () => {
        clearTimeout(timer)
        this.#wantAll = null
        resolve()
      }
    })
  }

  #show(page: LibraryPage, complete: boolean): void {
    this.cards = page.cards
    this.total = page.total
    this.models = page.models
    this.error = null
    this.loaded = true
    this.complete = complete
    // A first screen lacks most cards: the selection is checked against the whole list only.
    if (!complete) return
    this.#pruneSelection()
    if (this.#selectAllWhenComplete) this.selectAll()
  }

  async loadCollections(): Promise<void> {
    try {
      this.collections = await getApi().library.collections()
    } catch (error) {
      this.error = asAppError(error)
    }
  }

  /** Changes filters and asks again at once. */
  setFilters(patch: Partial<LibraryFilters>): Promise<void> {
    const changesView = patch.trashed !== undefined && patch.trashed !== this.filters.trashed
    this.filters = { ...this.filters, ...patch }
    if (changesView) this.clearSelection()
    return this.load()
  }

  /** The search box: asks once typing pauses. */
  setSearch(search: string): void {
    this.filters = { ...this.filters, search }
    clearTimeout(this.#searchTimer)
    this.#searchTimer = setTimeout(() => void this.load(), this.#searchDelayMs)
  }

  /** Back to everything (the sort and the trash view stay). */
  clearFilters(): Promise<void> {
    this.filters = { ...defaultFilters, sort: this.filters.sort, trashed: this.filters.trashed }
    return this.load()
  }

  indexOf(id: string): number {
    return this.#indexById.get(id) ?? -1
  }

  // ------------------------------------------------------------ selection

  /** A click on a card: select it alone, toggle it (Ctrl/Cmd), or the range from the anchor (Shift). */
  click(id: string, modifiers: ClickModifiers = {}): void {
    this.focusId = id
    if (modifiers.range && this.anchor !== null && this.indexOf(this.anchor) !== -1) {
      this.#selectRange(this.anchor, id, modifiers.toggle ?? false)
      return
    }
    if (modifiers.toggle) {
      if (this.selected.has(id)) this.selected.delete(id)
      else this.selected.add(id)
    } else {
      this.selected.clear()
      this.selected.add(id)
    }
    this.anchor = id
  }

  /** Moves the keyboard focus to the card at `index`, selecting it (or the range from the anchor with Shift). */
  focusIndex(index: number, modifiers: { range?: boolean } = {}): void {
    const card = this.cards[Math.max(0, Math.min(index, this.cards.length - 1))]
    if (!card) return
    this.click(card.id, { range: modifiers.range ?? false })
  }

  selectAll(): void {
    for (const card of this.cards) this.selected.add(card.id)
    // Only the first screen is here yet: the rest joins when it arrives.
    this.#selectAllWhenComplete = !this.complete
    this.wantAll()
  }

  clearSelection(): void {
    this.selected.clear()
    this.anchor = null
  }

  /** What a bulk or keyboard action acts on: the selection, else the focused card. */
  targetIds(): string[] {
    if (this.selectedIds.length > 0) return this.selectedIds
    return this.focusId !== null && this.indexOf(this.focusId) !== -1 ? [this.focusId] : []
  }

  #selectRange(fromId: string, toId: string, add: boolean): void {
    const from = this.indexOf(fromId)
    const to = this.indexOf(toId)
    if (from === -1 || to === -1) return
    if (!add) this.selected.clear()
    const [low, high] = from <= to ? [from, to] : [to, from]
    for (let index = low; index <= high; index++) {
      const card = this.cards[index]
      if (card) this.selected.add(card.id)
    }
  }

  #pruneSelection(): void {
    for (const id of this.selected) if (this.indexOf(id) === -1) this.selected.delete(id)
    if (this.anchor !== null && this.indexOf(this.anchor) === -1) this.anchor = null
    if (this.focusId !== null && this.indexOf(this.focusId) === -1) this.focusId = null
  }

  // ------------------------------------------------------------ items

  /** Fetches one item with everything the viewer shows (kept in `items`). */
  async fetch(id: string): Promise<MediaItem> {
    try {
      const item = await getApi().library.get({ id })
      this.items.set(id, item)
      return item
    } catch (error) {
      throw asAppError(error)
    }
  }

  /** Asks the library screen to open an item when it shows. */
  requestOpen(id: string): void {
    this.pendingOpen = id
  }

  takePendingOpen(): string | null {
    const id = this.pendingOpen
    this.pendingOpen = null
    return id
  }

  // ------------------------------------------------------------ actions (each throws the AppError when main refuses)

  async star(ids: string[], starred: boolean): Promise<void> {
    if (ids.length === 0) return
    await this.#call(() => getApi().library.star({ ids, starred }))
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup for this call only
    const set = new Set(ids)
    this.cards = this.cards.map((card) => (set.has(card.id) && card.starred !== starred ? { ...card, starred } : card))
    for (const id of ids) {
      const item = this.items.get(id)
      if (item) this.items.set(id, { ...item, starred })
    }
  }

  /** Stars them all unless all are starred already, then unstars them. */
  toggleStar(ids: string[]): Promise<void> {
    const cards = ids.map((id) => this.cards[this.indexOf(id)] ?? this.items.get(id)).filter((card) => card !== undefined)
    return this.star(ids, !cards.every((card) => card.starred))
  }

  async createCollection(name: string): Promise<Collection> {
    const collection = await this.#call(() => getApi().library.createCollection({ name }))
    this.collections = [...this.collections, collection]
    return collection
  }

  async addToCollection(ids: string[], collectionId: string): Promise<number> {
    if (ids.length === 0) return 0
    const { updated } = await this.#call(() => getApi().library.addToCollection({ ids, collectionId }))
    void this.loadCollections()
    return updated
  }

  async removeFromCollection(ids: string[], collectionId: string): Promise<number> {
    if (ids.length === 0) return 0
    const { updated } = await this.#call(() => getApi().library.removeFromCollection({ ids, collectionId }))
    void this.loadCollections()
    if (this.filters.collectionId === collectionId) void this.load()
    return updated
  }

  exportItems(ids: string[]): Promise<ExportResult> {
    return this.#call(() => getApi().library.exportItems({ ids }))
  }

  /** Moves items to the trash; they leave the grid at once. Returns how many moved. */
  async trash(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0
    const { count } = await this.#call(() => getApi().library.trash({ ids }))
    this.#drop(ids)
    return count
  }

  /** Undoes `trash`. */
  async restore(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0
    const { count } = await this.#call(() => getApi().library.restore({ ids }))
    if (this.filters.trashed) this.#drop(ids)
    else await this.load()
    return count
  }

  /** Removes items for good (their files go to the OS trash). */
  async deleteForever(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0
    const { count } = await this.#call(() => getApi().library.deleteForever({ ids }))
    this.#drop(ids)
    for (const id of ids) this.items.delete(id)
    return count
  }

  async #call<R>(run: () => Promise<R>): Promise<R> {
    try {
      return await run()
    } catch (error) {
      throw asAppError(error)
    }
  }

  #drop(ids: string[]): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup for this call only
    const set = new Set(ids)
    const before = this.cards.length
    this.cards = this.cards.filter((card) => !set.has(card.id))
    this.total = Math.max(0, this.total - (before - this.cards.length))
    this.#pruneSelection()
  }

  #scheduleRefresh(): void {
    clearTimeout(this.#refreshTimer)
    this.#refreshTimer = setTimeout(() => void this.load(), this.#refreshDelayMs)
  }
}
