/**
 * `library.query`'s answer as it crosses the bridge: the cards as one array
 * per field instead of one object per card. At 10,000 cards that halves the
 * bytes (no field names, no repeated URL prefixes) and the JSON parse in the
 * window, which ran before the grid could paint (4 MB, about 70 ms). Main
 * encodes with `toColumns`, the window decodes with `fromColumns`.
 */
import type { LibraryPage, MediaCard, MediaKind } from './contract'

const MEDIA_PREFIX = '/media/'
const THUMBS_PREFIX = '/media/thumbs/'
const SMALL_THUMB_SUFFIX = '-s.webp'

export interface CardColumns {
  ids: string[]
  kinds: MediaKind[]
  /** The file's URL without `/media/`. */
  paths: string[]
  /** 1: the small thumbnail at its usual place (`/media/thumbs/<id>-s.webp`); else the URL, or null for none. */
  thumbs: Array<1 | string | null>
  widths: Array<number | null>
  heights: Array<number | null>
  durations: Array<number | null>
  /** A sound's 64 waveform bars (base64, shared/peaks); null for images. */
  peaks: Array<string | null>
  colors: Array<string | null>
  createdAt: number[]
  /** 1 starred, 0 not. */
  starred: Array<0 | 1>
  titles: string[]
  /** Index into `modelNames`, -1 for none. */
  models: number[]
  modelNames: string[]
}

/** A `LibraryPage` on the wire. */
export interface LibraryPageColumns {
  columns: CardColumns
  /** Every matching item; more than the cards when the query had a limit. */
  total: number
  /** Models present in the library, for the filter. */
  models: string[]
}

function thumbOf(card: MediaCard): 1 | string | null {
  if (card.thumbUrl === null) return null
  return card.thumbUrl === `${THUMBS_PREFIX}${card.id}${SMALL_THUMB_SUFFIX}` ? 1 : card.thumbUrl
}

export function toColumns(page: LibraryPage): LibraryPageColumns {
  const modelIndex = new Map<string, number>()
  const columns: CardColumns = {
    ids: [],
    kinds: [],
    paths: [],
    thumbs: [],
    widths: [],
    heights: [],
    durations: [],
    peaks: [],
    colors: [],
    createdAt: [],
    starred: [],
    titles: [],
    models: [],
    modelNames: []
  }
  for (const card of page.cards) {
    columns.ids.push(card.id)
    columns.kinds.push(card.kind)
    // Every card URL is under /media/ (media-paths.ts); the prefix is put back on decoding.
    columns.paths.push(card.url.startsWith(MEDIA_PREFIX) ? card.url.slice(MEDIA_PREFIX.length) : card.url)
    columns.thumbs.push(thumbOf(card))
    columns.widths.push(card.width)
    columns.heights.push(card.height)
    columns.durations.push(card.durationMs)
    columns.peaks.push(card.peaks)
    columns.colors.push(card.color)
    columns.createdAt.push(card.createdAt)
    columns.starred.push(card.starred ? 1 : 0)
    columns.titles.push(card.title)
    if (card.model === null) {
      columns.models.push(-1)
    } else {
      let index = modelIndex.get(card.model)
      if (index === undefined) {
        index = columns.modelNames.push(card.model) - 1
        modelIndex.set(card.model, index)
      }
      columns.models.push(index)
    }
  }
  return { columns, total: page.total, models: page.models }
}

export function fromColumns(wire: LibraryPageColumns): LibraryPage {
  const c = wire.columns
  const cards: MediaCard[] = new Array<MediaCard>(c.ids.length)
  for (let index = 0; index < c.ids.length; index++) {
    const id = c.ids[index] as string
    const thumb = c.thumbs[index]
    const path = c.paths[index] as string
    const model = c.models[index] ?? -1
    cards[index] = {
      id,
      kind: c.kinds[index] as MediaKind,
      url: path.startsWith('/') ? path : `${MEDIA_PREFIX}${path}`,
      thumbUrl: thumb === 1 ? `${THUMBS_PREFIX}${id}${SMALL_THUMB_SUFFIX}` : (thumb ?? null),
      width: c.widths[index] ?? null,
      height: c.heights[index] ?? null,
      durationMs: c.durations[index] ?? null,
      peaks: c.peaks[index] ?? null,
      color: c.colors[index] ?? null,
      createdAt: c.createdAt[index] as number,
      starred: c.starred[index] === 1,
      title: c.titles[index] as string,
      model: model === -1 ? null : (c.modelNames[model] ?? null)
    }
  }
  return { cards, total: wire.total, models: wire.models }
}
