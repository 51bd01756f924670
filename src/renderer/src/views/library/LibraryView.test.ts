import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createStores, type AppStores } from '../../lib/state/stores'
import { installMediaBackend, makeItem, makeItems, MEDIA_NOW, type FakeMediaBackend } from '../../test-support/fake-media'
import { stubResizeObserver } from '../chat/chat-fixtures'
import { FIRST_SCREEN_CARDS, LibraryStore } from '../../lib/state/library.svelte'
import LibraryView from './LibraryView.svelte'

let media: FakeMediaBackend
let stores: AppStores
let navigate: ReturnType<typeof vi.fn<(id: string) => void>>
let restoreResizeObserver: () => void

beforeEach(() => {
  restoreResizeObserver = stubResizeObserver()
})

afterEach(() => {
  restoreResizeObserver()
  vi.restoreAllMocks()
})

async function show(items = makeItems(30)): Promise<void> {
  media = installMediaBackend()
  media.addItems(...items)
  stores = withLibraryClock(createStores())
  await stores.settings.load()
  navigate = vi.fn<(id: string) => void>()
  render(LibraryView, { props: { stores, navigate } })
  await waitFor(() => expect(stores.library.loaded).toBe(true))
  if (items.length > 0) await screen.findAllByTestId('library-card')
}

/** Day headings are relative to the fixtures' today. */
function withLibraryClock(created: AppStores): AppStores {
  return { ...created, library: new LibraryStore({ now: () => MEDIA_NOW }) }
}

const grid = (): HTMLElement => screen.getByTestId('library-grid')
const cards = (): HTMLElement[] => screen.queryAllByTestId('library-card')
const card = (id: string): HTMLElement => {
  const found = cards().find((element) => element.dataset.id === id)
  if (!found) throw new Error(`card ${id} is not in the DOM`)
  return found
}
const selectedIds = (): string[] => cards().filter((element) => element.getAttribute('aria-selected') === 'true').map((element) => element.dataset.id!)
const focusedId = (): string | undefined => grid().getAttribute('aria-activedescendant')?.replace('library-card-', '')
const key = (name: string, init: KeyboardEventInit = {}) => fireEvent.keyDown(grid(), { key: name, ...init })
/** happy-dom loads no images: the thumbnails in the DOM say they have loaded. */
const thumbnailsLoaded = (): void => {
  for (const image of grid().querySelectorAll('img')) image.dispatchEvent(new Event('load'))
}

describe('LibraryView: the grid', () => {
  it('keeps only a window of cards in the DOM with 10,000 items', async () => {
    const started = performance.now()
    await show(makeItems(10_000, 40))
    const elapsed = performance.now() - started
    // The first screen's cards first, then the whole list.
    expect(stores.library.total).toBe(10_000)
    thumbnailsLoaded()
    await waitFor(() => expect(stores.library.cards).toHaveLength(10_000))
    expect(screen.getByTestId('library-count').textContent).toContain('10,000 items')
    const mounted = cards().length
    expect(mounted).toBeGreaterThan(0)
    expect(mounted).toBeLessThan(120)
    // Cards paint their colour at once and load the thumbnail lazily.
    const first = card('m0')
    expect(first.style.backgroundColor).not.toBe('')
    const image = first.querySelector('img')!
    expect(image.getAttribute('src')).toBe('/media/thumbs/m0-s.webp')
    // Not lazy: only cards near the viewport exist, and lazy loading would wait for a layout.
    expect(image.getAttribute('loading')).toBeNull()
    expect(image.getAttribute('decoding')).toBe('async')
    // Rows of as many cards as the width holds (900 px wide here).
    expect(grid().dataset.columns).toBe('4')
    expect(elapsed).toBeLessThan(5_000)
  })

  it('requests no thumbnails while scrolling fast, then loads those in view once it slows', async () => {
    await show(makeItems(10_000, 40))
    const scroller = grid()
    // A screen per event, as a fling or a dragged scrollbar does.
    for (let step = 1; step <= 4; step++) {
      scroller.scrollTop = step * 800
      await fireEvent.scroll(scroller)
    }
    // Checked at once (the thumbnails come 120 ms after the last fast scroll event).
    const mounted = cards()
    expect(mounted.some((element) => Number(element.dataset.id?.slice(1)) > 40)).toBe(true)
    expect(mounted.every((element) => element.style.backgroundColor !== '')).toBe(true)
    expect(mounted.filter((element) => element.querySelector('img') !== null)).toEqual([])
    // The scroll stopped: every card near the viewport asks for its thumbnail.
    await waitFor(() => expect(cards().filter((element) => element.querySelector('img') === null)).toEqual([]))
    expect(cards().length).toBeGreaterThan(0)
  })

  it('asks for the whole list only once the first screen has its thumbnails', async () => {
    // As in a browser: an image is not complete until it has loaded (happy-dom loads none and calls them complete).
    vi.spyOn(HTMLImageElement.prototype, 'complete', 'get').mockReturnValue(false)
    await show(makeItems(10_000, 40))
    expect(media.bridge.callsOf('library.query')).toEqual([{ sort: 'newest', limit: FIRST_SCREEN_CARDS }])
    // Well past the moment the whole list used to be asked, with the thumbnails still on their way.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(media.bridge.callsOf('library.query')).toHaveLength(1)
    thumbnailsLoaded()
    await waitFor(() => expect(stores.library.cards).toHaveLength(10_000))
    expect(media.bridge.callsOf('library.query')).toEqual([{ sort: 'newest', limit: FIRST_SCREEN_CARDS }, { sort: 'newest' }])
  })

  it('places rows at their exact offsets and reuses the cards of rows scrolled away for the right items', async () => {
    await show(makeItems(10_000, 10))
    thumbnailsLoaded()
    await waitFor(() => expect(stores.library.cards).toHaveLength(10_000))
    const scroller = grid()
    // 900 px wide: 4 columns of 209 px and a gap of 8, so rows of 217 px; a day (10 cards) is a 40 px heading and rows of 4, 4 and 2.
    expect(scroller.dataset.columns).toBe('4')
    const rowTop = (dayIndex: number, row: number): number => dayIndex * (40 + 3 * 217) + 40 + row * 217
    const before = new Set(cards())
    // The second row of the 13th day (cards m124 to m127) at the top.
    scroller.scrollTop = rowTop(12, 1)
    await fireEvent.scroll(scroller)
    const shown = cards()
    const ids = shown.map((element) => element.dataset.id)
    // In the DOM in the grid's order: a run of the list with no gap and nothing stale.
    const start = stores.library.indexOf(ids[0]!)
    expect(ids).toEqual(stores.library.cards.slice(start, start + ids.length).map((item) => item.id))
    expect(ids).toEqual(expect.arrayContaining(['m124', 'm125', 'm126', 'm127', 'm130']))
    // Each row where the layout puts it, not where an estimate did.
    const slotOf = (id: string): HTMLElement => card(id).closest<HTMLElement>('.slot')!
    expect(slotOf('m124').style.transform).toBe(`translateY(${rowTop(12, 1)}px)`)
    expect(slotOf('m130').style.transform).toBe(`translateY(${rowTop(13, 0)}px)`)
    // The cards of the rows that left now show other items…
    expect(shown.filter((element) => before.has(element)).length).toBeGreaterThan(0)
    // …each with its own thumbnail (a reused card never keeps the previous item's picture).
    await waitFor(() => expect(cards().every((element) => element.querySelector('img') !== null)).toBe(true))
    for (const element of cards()) expect(element.querySelector('img')!.getAttribute('src')).toBe(`/media/thumbs/${element.dataset.id}-s.webp`)

    // A slow scroll by two rows (thumbnails stay on): a card given another item gets a new <img>, since one whose
    // src changed would show the old item's picture until the new one had loaded.
    const shownBefore = new Map(cards().map((element) => [element, { id: element.dataset.id, picture: element.querySelector('img') }]))
    await new Promise((resolve) => setTimeout(resolve, 250))
    scroller.scrollTop += 2 * 217
    await fireEvent.scroll(scroller)
    const reused = cards().filter((element) => shownBefore.has(element) && shownBefore.get(element)?.id !== element.dataset.id)
    expect(reused.length).toBeGreaterThan(0)
    for (const element of reused) {
      const picture = element.querySelector('img')
      expect(picture?.getAttribute('src')).toBe(`/media/thumbs/${element.dataset.id}-s.webp`)
      expect(picture).not.toBe(shownBefore.get(element)?.picture)
    }
  })

  it('groups cards under a heading per day', async () => {
    await show(makeItems(25, 10))
    const headings = screen.getAllByTestId('library-day').map((element) => element.textContent?.replace(/\s+/g, ' ').trim())
    expect(headings[0]).toBe('Today 10')
    expect(headings[1]).toBe('Yesterday 10')
  })

  it('shows audio items as placeholders', async () => {
    await show([makeItem({ id: 'song1', kind: 'song', thumbUrl: null, title: 'A song', createdAt: MEDIA_NOW }), ...makeItems(3)])
    expect(within(card('song1')).getByTestId('audio-card').textContent).toContain('Song')
    expect(card('song1').querySelector('img')).toBeNull()
  })

  it('selects with click, shift-click for a range and ctrl/cmd-click to toggle', async () => {
    await show()
    // A card has its check mark only while selected (no hidden node in every card).
    expect(cards().filter((element) => element.querySelector('.check') !== null)).toEqual([])
    await fireEvent.click(card('m2'))
    expect(selectedIds()).toEqual(['m2'])
    expect(cards().filter((element) => element.querySelector('.check') !== null).map((element) => element.dataset.id)).toEqual(['m2'])
    // The grid, not the card, keeps the focus, so the keys keep working after a click.
    expect(document.activeElement).toBe(grid())
    expect(focusedId()).toBe('m2')
    await fireEvent.click(card('m5'), { shiftKey: true })
    expect(selectedIds()).toEqual(['m2', 'm3', 'm4', 'm5'])
    await fireEvent.click(card('m3'), { ctrlKey: true })
    expect(selectedIds()).toEqual(['m2', 'm4', 'm5'])
    await fireEvent.click(card('m8'), { metaKey: true })
    expect(selectedIds()).toEqual(['m2', 'm4', 'm5', 'm8'])
    expect(screen.getByTestId('selected-count').textContent).toBe('4 selected')
    await fireEvent.click(screen.getByTestId('clear-selection'))
    expect(selectedIds()).toEqual([])
    expect(screen.queryByTestId('bulk-bar')).toBeNull()
  })
})

describe('LibraryView: keyboard', () => {
  it('arrows move the focus (down by a row, across day headings), shift extends', async () => {
    await show(makeItems(20, 10))
    grid().focus()
    await key('ArrowRight')
    expect(focusedId()).toBe('m0')
    await key('ArrowRight')
    expect(focusedId()).toBe('m1')
    await key('ArrowDown')
    expect(focusedId()).toBe('m5')
    await key('ArrowDown')
    // The third row of "Today" holds two cards: the last of them.
    expect(focusedId()).toBe('m9')
    await key('ArrowDown')
    expect(focusedId()).toBe('m11')
    await key('ArrowLeft', { shiftKey: true })
    await key('ArrowLeft', { shiftKey: true })
    expect(stores.library.selectedIds).toEqual(['m9', 'm10', 'm11'])
    await key('ArrowUp')
    expect(focusedId()).toBe('m5')
    expect(stores.library.selectedIds).toEqual(['m5'])
    await key('End')
    expect(focusedId()).toBe('m19')
    await key('a', { ctrlKey: true })
    expect(stores.library.selectedIds).toHaveLength(20)
    await key('Escape')
    expect(stores.library.selectedIds).toEqual([])
  })

  it('Enter opens the viewer and Space a quick look', async () => {
    await show()
    grid().focus()
    await key('ArrowRight')
    await key(' ')
    const look = await screen.findByTestId('quick-look')
    expect(look.querySelector('img')?.getAttribute('src')).toBe('/media/images/2025/03/m0.png')
    await fireEvent.keyDown(look, { key: ' ' })
    expect(screen.queryByTestId('quick-look')).toBeNull()
    await key('ArrowRight')
    await key('Enter')
    await screen.findByTestId('viewer')
    await waitFor(() => expect(screen.getByTestId('viewer-prompt').textContent).toBe('Picture number 1'))
  })

  it("a sound's card is named by its title, kind and duration, and P plays the focused sound", async () => {
    await show([makeItem({ id: 'song1', kind: 'song', thumbUrl: null, title: 'A song', durationMs: 65_000, url: '/media/audio/2025/03/song1.mp3', createdAt: MEDIA_NOW }), ...makeItems(3)])
    expect(card('song1').getAttribute('aria-label')).toBe('A song, Song, 1:05')
    expect(card('song1').getAttribute('aria-keyshortcuts')).toBe('P')
    // The play control inside the card is for the pointer only: no control nested in a listbox option.
    expect(within(card('song1')).queryByRole('button')).toBeNull()
    grid().focus()
    await key('ArrowRight')
    expect(focusedId()).toBe('song1')
    await key('p')
    expect(stores.player.current?.id).toBe('song1')
    stores.player.stop()
    // On a picture, P does nothing.
    await key('ArrowRight')
    expect(focusedId()).not.toBe('song1')
    await key('p')
    expect(stores.player.current).toBeNull()
  })

  it('S stars the selection and Delete moves it to the trash, with Undo', async () => {
    await show()
    await fireEvent.click(card('m1'))
    await fireEvent.click(card('m2'), { shiftKey: true })
    grid().focus()
    await key('s')
    await waitFor(() => expect(media.bridge.callsOf('library.star')).toEqual([{ ids: ['m1', 'm2'], starred: true }]))
    await waitFor(() => expect(card('m1').getAttribute('aria-label')).toContain('starred'))

    await key('Delete')
    await waitFor(() => expect(media.bridge.callsOf('library.trash')).toEqual([{ ids: ['m1', 'm2'] }]))
    await waitFor(() => expect(cards().some((element) => element.dataset.id === 'm1')).toBe(false))
    expect(screen.getByTestId('toast').textContent).toContain('Moved 2 items to the trash.')
    await fireEvent.click(screen.getByTestId('undo-trash'))
    await waitFor(() => expect(media.bridge.callsOf('library.restore')).toEqual([{ ids: ['m1', 'm2'] }]))
    await waitFor(() => expect(card('m1')).toBeTruthy())
  })
})

describe('LibraryView: filters', () => {
  it('asks library.query with each filter', async () => {
    await show()
    const lastQuery = () => media.bridge.callsOf('library.query').at(-1)

    await fireEvent.change(screen.getByTestId('filter-kind'), { target: { value: 'image' } })
    await waitFor(() => expect(lastQuery()).toEqual({ kinds: ['image'], sort: 'newest' }))

    await fireEvent.click(screen.getByTestId('filter-starred'))
    await waitFor(() => expect(lastQuery()).toEqual({ kinds: ['image'], starred: true, sort: 'newest' }))
    expect(screen.getByTestId('filter-starred').getAttribute('aria-pressed')).toBe('true')
    await waitFor(() => expect(screen.getByTestId('library-empty').textContent).toContain('Nothing matches these filters.'))

    await fireEvent.click(screen.getByTestId('clear-filters'))
    await waitFor(() => expect(lastQuery()).toEqual({ sort: 'newest' }))

    await fireEvent.change(screen.getByTestId('filter-sort'), { target: { value: 'oldest' } })
    await waitFor(() => expect(lastQuery()).toEqual({ sort: 'oldest' }))
    await waitFor(() => expect(cards()[0]?.dataset.id).toBe('m29'))

    await fireEvent.change(screen.getByTestId('filter-from'), { target: { value: '2025-03-13' } })
    await fireEvent.change(screen.getByTestId('filter-to'), { target: { value: '2025-03-13' } })
    await waitFor(() =>
      expect(lastQuery()).toEqual({ sort: 'oldest', from: new Date(2025, 2, 13).getTime(), to: new Date(2025, 2, 14).getTime() })
    )
    await waitFor(() => expect(stores.library.cards.map((item) => item.id)).toEqual(['m19', 'm18', 'm17', 'm16', 'm15', 'm14', 'm13', 'm12', 'm11', 'm10']))
    await fireEvent.click(screen.getByTestId('clear-filters'))

    await fireEvent.change(screen.getByTestId('filter-model'), { target: { value: 'flux' } })
    await waitFor(() => expect(lastQuery()).toEqual({ sort: 'oldest', model: 'flux' }))
    await fireEvent.click(screen.getByTestId('clear-filters'))

    await fireEvent.input(screen.getByTestId('library-search'), { target: { value: 'number 12' } })
    await waitFor(() => expect(lastQuery()).toEqual({ sort: 'oldest', search: 'number 12' }))
    await waitFor(() => expect(cards().map((element) => element.dataset.id)).toEqual(['m12']))
  })

  it('shows the trash, restores from it and deletes for good after a confirmation', async () => {
    await show(makeItems(4))
    await fireEvent.click(card('m0'))
    await fireEvent.click(screen.getByTestId('bulk-trash'))
    await waitFor(() => expect(media.items.get('m0')?.trashedAt).not.toBeNull())

    await fireEvent.click(screen.getByTestId('filter-trash'))
    await waitFor(() => expect(media.bridge.callsOf('library.query').at(-1)).toEqual({ sort: 'newest', trashed: true }))
    await waitFor(() => expect(cards().map((element) => element.dataset.id)).toEqual(['m0']))
    expect(screen.getByTestId('library-count').textContent).toContain('Trash: 1 item')

    await fireEvent.click(card('m0'))
    await fireEvent.click(screen.getByTestId('bulk-delete'))
    expect(media.bridge.callsOf('library.deleteForever')).toEqual([])
    await fireEvent.click(screen.getByTestId('bulk-delete-yes'))
    await waitFor(() => expect(media.bridge.callsOf('library.deleteForever')).toEqual([{ ids: ['m0'] }]))
    await waitFor(() => expect(screen.getByTestId('library-empty').textContent).toContain('The trash is empty.'))
  })

  it('bulk: adds the selection to a new collection and exports it', async () => {
    await show(makeItems(5))
    await fireEvent.click(card('m1'))
    await fireEvent.click(card('m3'), { ctrlKey: true })
    await fireEvent.click(screen.getByTestId('bulk-collection'))
    await fireEvent.click(await screen.findByTestId('new-collection'))
    await fireEvent.input(screen.getByTestId('collection-name'), { target: { value: 'Harbours' } })
    await fireEvent.click(screen.getByTestId('collection-create'))
    await waitFor(() => expect(media.bridge.callsOf('library.addToCollection')).toEqual([{ ids: ['m1', 'm3'], collectionId: 'col1' }]))
    expect(media.bridge.callsOf('library.createCollection')).toEqual([{ name: 'Harbours' }])
    await waitFor(() => expect(screen.getAllByTestId('toast').at(-1)?.textContent).toContain('Added 2 items to Harbours.'))

    await fireEvent.click(screen.getByTestId('bulk-export'))
    await waitFor(() => expect(media.bridge.callsOf('library.exportItems')).toEqual([{ ids: ['m1', 'm3'] }]))
    await waitFor(() => expect(screen.getAllByTestId('toast').at(-1)?.textContent).toContain('Exported 2 items to /exports.'))
  })

  it('rescans from the menu and reads the library again', async () => {
    await show(makeItems(2))
    const queries = media.bridge.callsOf('library.query').length
    await fireEvent.click(screen.getByTestId('library-more'))
    await fireEvent.click(await screen.findByTestId('rescan'))
    await waitFor(() => expect(media.bridge.callsOf('library.rescan')).toHaveLength(1))
    await waitFor(() => expect(media.bridge.callsOf('library.query').length).toBe(queries + 1))
    expect(screen.getAllByTestId('toast').at(-1)?.textContent).toContain('2 added, 1 updated, 3 removed')
    // The "working" toast goes once the result is in.
    expect(screen.queryByText('Rescanning the media folder…')).toBeNull()
  })

  it('opens the item another screen asked for', async () => {
    media = installMediaBackend()
    media.addItems(...makeItems(3))
    stores = withLibraryClock(createStores())
    await stores.settings.load()
    stores.library.requestOpen('m2')
    render(LibraryView, { props: { stores } })
    await screen.findByTestId('viewer')
    await waitFor(() => expect(screen.getByTestId('viewer-prompt').textContent).toBe('Picture number 2'))
  })
})
