/** The grid's cards on the wire: columns that decode to exactly the cards main made, at half the JSON. */
import { describe, expect, it } from 'vitest'
import type { LibraryPage, MediaCard } from '../../../src/shared/contract'
import { fromColumns, toColumns } from '../../../src/shared/library-columns'

function card(index: number, overrides: Partial<MediaCard> = {}): MediaCard {
  const id = `item-${String(index).padStart(6, '0')}`
  return {
    id,
    kind: 'image',
    url: `/media/images/2026/01/${id}.png`,
    thumbUrl: `/media/thumbs/${id}-s.webp`,
    width: 1024,
    height: 768,
    durationMs: null,
    peaks: null,
    color: '#336699',
    createdAt: 1_700_000_000_000 + index * 60_000,
    starred: index % 3 === 0,
    title: `A lighthouse and a fox, oil painting, number ${index}`,
    model: index % 2 === 0 ? 'flux' : 'flux-realism',
    ...overrides
  }
}

describe('library cards as columns', () => {
  it('round-trips every field of every kind through JSON', () => {
    const page: LibraryPage = {
      cards: [
        card(0),
        card(1, { thumbUrl: null, model: null, color: null }),
        card(2, { kind: 'song', url: '/media/songs/2026/01/a%20b.mp3', thumbUrl: null, width: null, height: null, durationMs: 61_500, peaks: 'AAECAwQFBgc=', title: 'A song' }),
        // A thumbnail somewhere else is kept as it is.
        card(3, { thumbUrl: '/media/thumbs/other.webp' }),
        card(4, { kind: 'speech', model: 'alex', durationMs: 1500 })
      ],
      total: 9,
      models: ['alex', 'flux', 'flux-realism']
    }
    expect(fromColumns(JSON.parse(JSON.stringify(toColumns(page))))).toEqual(page)
    expect(fromColumns(toColumns({ cards: [], total: 0, models: [] }))).toEqual({ cards: [], total: 0, models: [] })
  })

  it('is at most half the JSON of one object per card at 10,000 cards', () => {
    const page: LibraryPage = { cards: Array.from({ length: 10_000 }, (_, index) => card(index)), total: 10_000, models: ['flux', 'flux-realism'] }
    const objects = JSON.stringify(page).length
    const columns = JSON.stringify(toColumns(page)).length
    expect(columns / objects).toBeLessThan(0.5)
  })
})
