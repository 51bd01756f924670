/**
 * The library grid's layout (plain functions, no reactive state): cards in
 * runs of one local calendar day, each run a heading row and rows of as many
 * cards as the width holds. The grid virtualises these rows, so only the
 * rows near the viewport exist in the DOM whatever the library's size.
 */
import type { MediaCard } from '@shared/contract'

export interface DayHeading {
  kind: 'day'
  key: string
  label: string
  /** Cards in that day's run. */
  count: number
}

export interface CardRow {
  kind: 'cards'
  key: string
  cards: MediaCard[]
  /** Index of the row's first card in the whole list. */
  start: number
}

export type GridRow = DayHeading | CardRow

export interface GridLayout {
  rows: GridRow[]
  /** The row index of each card, by the card's index in the list. */
  rowOfCard: Int32Array
  columns: number
}

/** `YYYY-MM-DD` of a time, in local time. */
export function dayKey(time: number): string {
  const date = new Date(time)
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`
}

function startOfDay(time: number): number {
  const date = new Date(time)
  date.setHours(0, 0, 0, 0)
  return date.getTime()
}

const withYear = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
const withoutYear = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' })

/** "Today", "Yesterday", or the date (with the year when it is not this year). */
export function dayLabel(time: number, now: number): string {
  const days = Math.round((startOfDay(now) - startOfDay(time)) / 86_400_000)
  if (days === 0) return 'Today'
  if (days === 1) return 'Yesterday'
  return (new Date(time).getFullYear() === new Date(now).getFullYear() ? withoutYear : withYear).format(time)
}

/** How many cards of at least `minWidth` fit in `width`, with `gap` between them. */
export function columnsFor(width: number, minWidth: number, gap: number): number {
  if (!(width > 0)) return 1
  return Math.max(1, Math.floor((width + gap) / (minWidth + gap)))
}

/**
 * Rows for the grid: a heading for each run of cards made the same local day
 * (in the order given, so newest-first and oldest-first both work), then the
 * run's cards `columns` to a row.
 */
export function layoutGrid(cards: readonly MediaCard[], columns: number, now: number): GridLayout {
  const rows: GridRow[] = []
  const rowOfCard = new Int32Array(cards.length)
  const perRow = Math.max(1, Math.floor(columns))
  let index = 0
  while (index < cards.length) {
    const first = cards[index] as MediaCard
    const key = dayKey(first.createdAt)
    let end = index + 1
    while (end < cards.length && dayKey((cards[end] as MediaCard).createdAt) === key) end++
    rows.push({ kind: 'day', key: `day-${key}-${index}`, label: dayLabel(first.createdAt, now), count: end - index })
    for (let start = index; start < end; start += perRow) {
      const slice = cards.slice(start, Math.min(start + perRow, end))
      rowOfCard.fill(rows.length, start, start + slice.length)
      rows.push({ kind: 'cards', key: `row-${slice[0]?.id ?? start}`, cards: slice, start })
    }
    index = end
  }
  return { rows, rowOfCard, columns: perRow }
}

/**
 * The card above (`-1`) or below (`1`) another one: the same column of the
 * next row of cards, across day headings; the row's last card when that row
 * is shorter. The card itself at the first or last row.
 */
export function verticalNeighbour(layout: GridLayout, index: number, direction: -1 | 1): number {
  const rowIndex = layout.rowOfCard[index]
  if (rowIndex === undefined) return index
  const row = layout.rows[rowIndex] as CardRow
  const column = index - row.start
  for (let r = rowIndex + direction; r >= 0 && r < layout.rows.length; r += direction) {
    const target = layout.rows[r]
    if (target?.kind === 'cards') return target.start + Math.min(column, target.cards.length - 1)
  }
  return index
}

// ------------------------------------------------------------ virtualising the rows

/** The grid's row heights: every row's size is known from the layout, so nothing is measured. */
export interface RowHeights {
  day: number
  cards: number
}

/** Where each row starts, and at the end where the last one ends: `rows.length + 1` offsets. */
export function rowOffsets(rows: readonly GridRow[], heights: RowHeights): Float64Array {
  const offsets = new Float64Array(rows.length + 1)
  for (let index = 0; index < rows.length; index++) {
    offsets[index + 1] = (offsets[index] as number) + (rows[index]?.kind === 'day' ? heights.day : heights.cards)
  }
  return offsets
}

/** The rows `[first, end)` that reach into `[top, bottom)` (pixels from the grid's top). */
export function rowsBetween(offsets: Float64Array, top: number, bottom: number): { first: number; end: number } {
  const count = offsets.length - 1
  if (count <= 0 || bottom <= top) return { first: 0, end: 0 }
  // Row i spans [offsets[i], offsets[i + 1]): the first row ending below `top`, the first starting at or below `bottom`.
  const first = Math.min(count - 1, firstIndex(offsets, 0, count, (offset) => offset > top) - 1)
  const end = firstIndex(offsets, first, count, (offset) => offset >= bottom)
  return { first: Math.max(0, first), end: Math.max(first, end) }
}

/** The first index in [low, high) whose offset passes `test` (which, once true, stays true), else `high`. */
function firstIndex(offsets: Float64Array, low: number, high: number, test: (offset: number) => boolean): number {
  let lo = low
  let hi = high
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (test(offsets[mid] as number)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** A row of the window and the DOM slot that shows it. */
export interface RowSlot {
  /** The slot's key: the DOM it names is reused for other rows of the same kind. */
  key: string
  row: number
  kind: GridRow['kind']
}

/**
 * Which DOM slot shows which row. A row still in the window keeps its
 * slot; a row entering takes the slot of a row of the same kind that left,
 * and only when none is free is a slot made. A fast scroll then changes the
 * cards' data instead of destroying a screenful of cards and making another
 * every frame (most of a frame's script, and the garbage behind its GC pauses).
 */
export class RowSlots {
  #byRow = new Map<number, RowSlot>()
  #made = 0

  /** The slots of rows `[first, end)` of `rows`, in row order. */
  assign(rows: readonly GridRow[], first: number, end: number): RowSlot[] {
    const next = new Map<number, RowSlot>()
    const entering: number[] = []
    for (let row = first; row < end; row++) {
      const kind = rows[row]?.kind
      if (kind === undefined) continue
      const slot = this.#byRow.get(row)
      if (slot && slot.kind === kind) next.set(row, slot)
      else entering.push(row)
    }
    const free: Record<GridRow['kind'], string[]> = { day: [], cards: [] }
    for (const [row, slot] of this.#byRow) if (next.get(row) !== slot) free[slot.kind].push(slot.key)
    for (const row of entering) {
      const kind = (rows[row] as GridRow).kind
      next.set(row, { key: free[kind].pop() ?? `${kind}-${this.#made++}`, row, kind })
    }
    this.#byRow = next
    return [...next.values()].sort((a, b) => a.row - b.row)
  }
}
