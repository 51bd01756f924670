import { waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import { toColumns } from '@shared/library-columns'
import { cardOf, installMediaBackend, makeItem, makeItems, MEDIA_NOW } from '../../test-support/fake-media'
import { columnsFor, dayKey, dayLabel, layoutGrid, rowOffsets, rowsBetween, RowSlots, verticalNeighbour, type CardRow } from './library-layout'
import { defaultFilters, FIRST_SCREEN_CARDS, LibraryStore, queryFor } from './library.svelte'

describe('queryFor', () => {
  it('sends only what narrows the list, with the "to" day included', () => {
    expect(queryFor(defaultFilters)).toEqual({ sort: 'newest' })
    expect(
      queryFor({
        kind: 'image',
        model: 'flux',
        starred: true,
        collectionId: 'col1',
        from: '2025-03-01',
        to: '2025-03-10',
        search: '  red fox ',
        sort: 'oldest',
        trashed: true
      })
    ).toEqual({
      kinds: ['image'],
      model: 'flux',
      starred: true,
      collectionId: 'col1',
      from: new Date(2025, 2, 1).getTime(),
      to: new Date(2025, 2, 11).getTime(),
      search: 'red fox',
      sort: 'oldest',
      trashed: true
    })
    // A half-typed date is no bound.
    expect(queryFor({ ...defaultFilters, from: '2025-0' })).toEqual({ sort: 'newest' })
  })
})

describe('library layout', () => {
  it('fits as many columns as the width holds', () => {
    expect(columnsFor(900, 160, 8)).toBe(5)
    expect(columnsFor(100, 160, 8)).toBe(1)
    expect(columnsFor(0, 160, 8)).toBe(1)
  })

  it('groups runs of one local day under a heading, in the order given', () => {
    const cards = makeItems(25, 10).map(cardOf)
    const layout = layoutGrid(cards, 4, MEDIA_NOW)
    const headings = layout.rows.filter((row) => row.kind === 'day')
    expect(headings.map((row) => [row.label, row.count])).toEqual([
      ['Today', 10],
      ['Yesterday', 10],
      [dayLabel(cards[20]!.createdAt, MEDIA_NOW), 5]
    ])
    expect(headings[2]?.label).toMatch(/12/)
    // 10 cards at 4 a row: 4, 4, 2 — a day never shares a row with another.
    const rows = layout.rows.filter((row): row is CardRow => row.kind === 'cards')
    expect(rows.map((row) => row.cards.length)).toEqual([4, 4, 2, 4, 4, 2, 4, 1])
    expect(layout.rowOfCard[9]).toBe(3)
    expect(layout.rowOfCard[10]).toBe(5)

    const oldestFirst = layoutGrid([...cards].reverse(), 4, MEDIA_NOW)
    expect(oldestFirst.rows[0]).toMatchObject({ kind: 'day', count: 5 })
    expect(dayKey(cards[0]!.createdAt)).toBe('2025-03-14')
  })

  it('moves up and down by column across day headings', () => {
    const layout = layoutGrid(makeItems(20, 10).map(cardOf), 4, MEDIA_NOW)
    expect(verticalNeighbour(layout, 1, 1)).toBe(5)
    // Row of two below: the last card of it.
    expect(verticalNeighbour(layout, 7, 1)).toBe(9)
    // Across the "Yesterday" heading, same column.
    expect(verticalNeighbour(layout, 9, 1)).toBe(11)
    expect(verticalNeighbour(layout, 11, -1)).toBe(9)
    expect(verticalNeighbour(layout, 2, -1)).toBe(2)
    expect(verticalNeighbour(layout, 19, 1)).toBe(19)
  })

  it('lays out 10,000 cards in a few milliseconds', () => {
    const cards = makeItems(10_000, 40).map(cardOf)
    const started = performance.now()
    const layout = layoutGrid(cards, 6, MEDIA_NOW)
    expect(performance.now() - started).toBeLessThan(200)
    expect(layout.rowOfCard.length).toBe(10_000)
  })
})

describe('library grid window', () => {
  // 25 cards, 10 a day, 4 a row: day, 4, 4, 2, day, 4, 4, 2, day, 4, 1.
  const layout = layoutGrid(makeItems(25, 10).map(cardOf), 4, MEDIA_NOW)
  const heights = { day: 40, cards: 190 }

  it('places every row at the exact height of the rows above it', () => {
    const offsets = rowOffsets(layout.rows, heights)
    expect(Array.from(offsets)).toEqual([0, 40, 230, 420, 610, 650, 840, 1030, 1220, 1260, 1450, 1640])
  })

  it('finds the rows that reach into a band, by their offsets', () => {
    const offsets = rowOffsets(layout.rows, heights)
    expect(rowsBetween(offsets, 0, 100)).toEqual({ first: 0, end: 2 })
    // A row that ends where the band starts, or starts where it ends, is outside it.
    expect(rowsBetween(offsets, 230, 610)).toEqual({ first: 2, end: 4 })
    expect(rowsBetween(offsets, 229, 611)).toEqual({ first: 1, end: 5 })
    expect(rowsBetween(offsets, -120, 20)).toEqual({ first: 0, end: 1 })
    expect(rowsBetween(offsets, 1600, 2400)).toEqual({ first: 10, end: 11 })
    expect(rowsBetween(new Float64Array([0]), 0, 800)).toEqual({ first: 0, end: 0 })
  })

  it('reuses the slots of rows that left for rows of the same kind that enter', () => {
    const slots = new RowSlots()
    const first = slots.assign(layout.rows, 0, 4)
    expect(first.map((slot) => [slot.row, slot.kind])).toEqual([
      [0, 'day'],
      [1, 'cards'],
      [2, 'cards'],
      [3, 'cards']
    ])
    const keyOf = (list: typeof first, row: number): string | undefined => list.find((slot) => slot.row === row)?.key
    // Rows 3 to 6 (cards, day, cards, cards): row 3 keeps its slot; 5 and 6 take those of 1 and 2; the day heading takes row 0's.
    const next = slots.assign(layout.rows, 3, 7)
    expect(next.map((slot) => slot.row)).toEqual([3, 4, 5, 6])
    expect(keyOf(next, 3)).toBe(keyOf(first, 3))
    expect(keyOf(next, 4)).toBe(keyOf(first, 0))
    expect(new Set([keyOf(next, 5), keyOf(next, 6)])).toEqual(new Set([keyOf(first, 1), keyOf(first, 2)]))
    // A jump far away makes no new slot while old ones are free, and keys stay unique.
    const far = slots.assign(layout.rows, 8, 11)
    const keys = far.map((slot) => slot.key)
    expect(new Set(keys).size).toBe(keys.length)
    expect(keys.every((key) => [...first, ...next].some((slot) => slot.key === key))).toBe(true)
    expect(far.every((slot) => slot.kind === layout.rows[slot.row]?.kind)).toBe(true)
  })
})

describe('LibraryStore', () => {
  async function loaded(count = 30): Promise<{ store: LibraryStore; media: ReturnType<typeof installMediaBackend> }> {
    const media = installMediaBackend()
    media.addItems(...makeItems(count))
    const store = new LibraryStore({ searchDelayMs: 5, refreshDelayMs: 5 })
    await store.load()
    return { store, media }
  }

  it('queries with the filters and follows library.changed', async () => {
    const { store, media } = await loaded()
    expect(store.cards).toHaveLength(30)
    // All 30 came with the first screen's request: no second one.
    expect(media.bridge.callsOf('library.query')).toEqual([{ sort: 'newest', limit: FIRST_SCREEN_CARDS }])

    await store.setFilters({ starred: true, kind: 'image', sort: 'oldest' })
    expect(media.bridge.callsOf('library.query').at(-1)).toEqual({ kinds: ['image'], starred: true, sort: 'oldest' })
    expect(store.filtered).toBe(true)
    await store.clearFilters()
    expect(media.bridge.callsOf('library.query').at(-1)).toEqual({ sort: 'oldest' })
    expect(store.filtered).toBe(false)

    store.setSearch('number 1')
    store.setSearch('number 12')
    await waitFor(() => expect(media.bridge.callsOf('library.query').at(-1)).toEqual({ search: 'number 12', sort: 'oldest' }))
    // Typing asked once, when it paused.
    expect(media.bridge.callsOf('library.query').filter((args) => args?.search)).toHaveLength(1)
    expect(store.cards.map((card) => card.id)).toEqual(['m12'])

    const calls = media.bridge.callsOf('library.query').length
    media.addItems(makeItem({ id: 'fresh', prompt: 'number 12 again', createdAt: MEDIA_NOW }))
    media.bridge.emit('library.changed', { changed: ['fresh'], removed: [] })
    media.bridge.emit('library.changed', { changed: ['fresh'], removed: [] })
    await waitFor(() => expect(store.cards.map((card) => card.id)).toContain('fresh'))
    expect(media.bridge.callsOf('library.query').length).toBe(calls + 1)
  })

  it('selects with click, ctrl-click toggles and shift-click ranges from the anchor', async () => {
    const { store } = await loaded()
    store.click('m3')
    expect(store.selectedIds).toEqual(['m3'])
    store.click('m7', { range: true })
    expect(store.selectedIds).toEqual(['m3', 'm4', 'm5', 'm6', 'm7'])
    // The anchor stays: a shift-click the other way replaces the range.
    store.click('m1', { range: true })
    expect(store.selectedIds).toEqual(['m1', 'm2', 'm3'])
    store.click('m10', { toggle: true })
    expect(store.selectedIds).toEqual(['m1', 'm2', 'm3', 'm10'])
    store.click('m2', { toggle: true })
    expect(store.selectedIds).toEqual(['m1', 'm3', 'm10'])
    // Ctrl+Shift adds the range from the new anchor (m2) to the click.
    store.click('m12', { range: true, toggle: true })
    expect(store.selectedIds).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12'])
    store.click('m5')
    expect(store.selectedIds).toEqual(['m5'])
    expect(store.targetIds()).toEqual(['m5'])
    store.clearSelection()
    expect(store.targetIds()).toEqual(['m5'])
  })

  it('stars, trashes and restores through main, updating the grid at once', async () => {
    const { store, media } = await loaded(5)
    await store.toggleStar(['m0', 'm1'])
    expect(media.bridge.callsOf('library.star')).toEqual([{ ids: ['m0', 'm1'], starred: true }])
    expect(store.cards.filter((card) => card.starred).map((card) => card.id)).toEqual(['m0', 'm1'])
    await store.toggleStar(['m0', 'm1'])
    expect(media.bridge.callsOf('library.star')[1]).toEqual({ ids: ['m0', 'm1'], starred: false })

    store.click('m2')
    expect(await store.trash(['m2', 'm3'])).toBe(2)
    expect(store.cards.map((card) => card.id)).toEqual(['m0', 'm1', 'm4'])
    expect(store.total).toBe(3)
    expect(store.selectedIds).toEqual([])
    expect(await store.restore(['m2', 'm3'])).toBe(2)
    expect(media.bridge.callsOf('library.restore')).toEqual([{ ids: ['m2', 'm3'] }])
    expect(store.cards.map((card) => card.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])

    media.bridge.fail('library.trash', { code: 'internal', message: 'disk on fire' })
    await expect(store.trash(['m0'])).rejects.toMatchObject({ message: 'disk on fire' })
    expect(store.cards).toHaveLength(5)
  })

  it('keeps opened items fresh when main says they changed', async () => {
    const { store, media } = await loaded(3)
    await store.fetch('m1')
    expect(store.items.get('m1')?.description).toBe('')
    media.change('m1', { description: 'A quiet harbour at dawn.' })
    await waitFor(() => expect(store.items.get('m1')?.description).toBe('A quiet harbour at dawn.'))
    media.bridge.emit('library.changed', { changed: [], removed: ['m1'] })
    expect(store.items.has('m1')).toBe(false)
  })

  it('collections: creates one and adds the selection to it', async () => {
    const { store, media } = await loaded(4)
    const collection = await store.createCollection('Favourites')
    expect(store.collections.map((item) => item.name)).toEqual(['Favourites'])
    expect(await store.addToCollection(['m0', 'm2'], collection.id)).toBe(2)
    expect(media.bridge.callsOf('library.addToCollection')).toEqual([{ ids: ['m0', 'm2'], collectionId: collection.id }])
    await store.setFilters({ collectionId: collection.id })
    expect(store.cards.map((card) => card.id)).toEqual(['m0', 'm2'])
  })

  it('opens with the first screen of cards, then the whole list; later loads ask for the whole list at once', async () => {
    // Earlier tests' stores may still refresh once on their 5 ms timers: let them, before counting calls.
    await new Promise((resolve) => setTimeout(resolve, 30))
    const media = installMediaBackend()
    media.addItems(...makeItems(500))
    const store = new LibraryStore()
    store.selected.add('m400')
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    media.bridge.reply('library.query', async (args) => {
      if (args?.limit === undefined) await gate
      return { ok: true, result: media.query(args ?? {}) }
    })
    const loading = store.load()
    await waitFor(() => expect(store.cards).toHaveLength(FIRST_SCREEN_CARDS))
    // The count is of every match; a selection beyond the first screen is kept.
    expect(store.total).toBe(500)
    expect(store.loaded).toBe(true)
    expect(store.selected.has('m400')).toBe(true)
    expect(store.complete).toBe(false)
    // Main is not asked for the whole list until the grid is used (or a moment passed).
    expect(media.bridge.callsOf('library.query')).toHaveLength(1)
    // Select all on the first screen: the rest joins the selection when it arrives.
    store.selectAll()
    expect(store.selected.size).toBe(FIRST_SCREEN_CARDS + 1)
    await waitFor(() => expect(media.bridge.callsOf('library.query')).toHaveLength(2))
    release()
    await loading
    expect(store.complete).toBe(true)
    expect(store.selected.size).toBe(500)
    expect(store.cards).toHaveLength(500)
    expect(store.cards[499]?.id).toBe('m499')
    expect(media.bridge.callsOf('library.query')).toEqual([{ sort: 'newest', limit: FIRST_SCREEN_CARDS }, { sort: 'newest' }])
    await store.setFilters({ sort: 'oldest' })
    expect(media.bridge.callsOf('library.query').at(-1)).toEqual({ sort: 'oldest' })
    expect(store.cards[0]?.id).toBe('m499')
  })

  it('a slower earlier answer never overwrites a later one', async () => {
    const media = installMediaBackend()
    media.addItems(...makeItems(3))
    const store = new LibraryStore()
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    let calls = 0
    media.bridge.reply('library.query', async (args) => {
      if (calls++ > 0) return { ok: true, result: media.query(args ?? {}) }
      await gate
      return { ok: true, result: toColumns({ cards: [], total: 0, models: [] }) }
    })
    const first = store.load()
    await store.setFilters({ sort: 'oldest' })
    release()
    await first
    expect(store.cards.map((card) => card.id)).toEqual(['m2', 'm1', 'm0'])
  })
})
