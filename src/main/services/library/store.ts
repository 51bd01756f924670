/**
 * The library's rows: items, collections, the full-text search, and the one
 * query the grid runs. Synchronous like node:sqlite; every call is one short
 * statement or one transaction. Bulk actions pass their ids as one JSON
 * array (`json_each`), so 100,000 ids are one statement, not 100,000.
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite'
import type { Collection, LibraryFilter, MediaCard, MediaItem, MediaKind, MediaSource } from '../../../shared/contract'
import { isRecord } from '../../../shared/is-record'
import { toSearchQuery } from '../chat/db/search-query'
import { largeThumbPath, mediaUrl, smallThumbPath } from './media-paths'
import { Statements } from '../db/statements'

/** A row as the library writes it. */
export interface MediaRecord {
  id: string
  kind: MediaKind
  path: string
  mime: string
  bytes: number
  mtimeMs: number
  width: number | null
  height: number | null
  durationMs: number | null
  /** Audio: waveform peaks, the card's and the player's (shared/peaks.ts); null for images. */
  peaks?: string | null
  waveform?: string | null
  title: string
  prompt: string
  text: string
  description: string
  model: string | null
  keywords: string
  settings: Record<string, unknown>
  source: MediaSource
  createdAt: number
  color: string | null
  hasThumbs: boolean
  sourceHash: string | null
}

/** What the start-up check and the rescan compare with the disk. */
export interface ScanRow {
  id: string
  path: string
  bytes: number
  mtimeMs: number
  hasThumbs: boolean
}

/** The file-derived fields a rescan may change; what a person did (star, collections, trash) stays. */
export type FileFields = Omit<MediaRecord, 'id' | 'source' | 'createdAt'> & { createdAt?: number; source?: MediaSource }

const CARD_COLUMNS = 'id, kind, path, has_thumbs, width, height, duration_ms, color, created_at, starred, title, model, peaks'
const ITEM_COLUMNS = `${CARD_COLUMNS}, mime, bytes, prompt, text, description, settings_json, source, trashed_at, waveform`
/** Cards missing from the cache are read in slices of this many seqs. */
const CARD_FETCH_SLICE = 20_000

type CardArray = [string, MediaKind, string, number, number | null, number | null, number | null, string | null, number, number, string, string | null, string | null]

export class MediaStore {
  readonly #sql: Statements
  #models: string[] | null = null
  /**
   * Cards by seq, made once and reused by every query until their row
   * changes: a query then reads only the matching seqs (integers, from the
   * indexes) instead of twelve columns per row. At 100,000 items that is
   * the difference between about 250 ms and 30 ms, for some 40 MB. An array
   * indexed by seq rather than a Map: gathering 100,000 cards takes about
   * 14 ms of CPU instead of 36.
   */
  readonly #cards: Array<MediaCard | undefined> = []
  readonly #seqOf = new Map<string, number>()
  /** The last order `#ordered` read: for which filter, at which database version. */
  #order: { key: string; version: string; seqs: readonly number[] } | null = null

  constructor(db: DatabaseSync) {
    this.#sql = new Statements(db, 'media library')
  }

  insert(record: MediaRecord): void {
    this.#sql.run(
      `INSERT INTO media (id, kind, path, mime, bytes, mtime_ms, width, height, duration_ms, title, prompt, text, description, model, keywords,
                          settings_json, source, created_at, color, has_thumbs, source_hash, peaks, waveform)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      record.id,
      record.kind,
      record.path,
      record.mime,
      record.bytes,
      record.mtimeMs,
      record.width,
      record.height,
      record.durationMs,
      record.title,
      record.prompt,
      record.text,
      record.description,
      record.model,
      record.keywords,
      JSON.stringify(record.settings),
      record.source,
      record.createdAt,
      record.color,
      record.hasThumbs ? 1 : 0,
      record.sourceHash,
      record.peaks ?? null,
      record.waveform ?? null
    )
    this.#models = null
  }

  /** A file changed on disk: its row takes what the file now says. */
  updateFromFile(id: string, fields: FileFields): void {
    this.#forget([id])
    this.#sql.run(
      `UPDATE media SET kind = ?, path = ?, mime = ?, bytes = ?, mtime_ms = ?, width = ?, height = ?, duration_ms = ?, title = ?, prompt = ?, text = ?,
              description = ?, model = ?, keywords = ?, settings_json = ?, color = ?, has_thumbs = ?, source_hash = ?, peaks = ?, waveform = ?,
              created_at = coalesce(?, created_at), source = coalesce(?, source)
       WHERE id = ?`,
      fields.kind,
      fields.path,
      fields.mime,
      fields.bytes,
      fields.mtimeMs,
      fields.width,
      fields.height,
      fields.durationMs,
      fields.title,
      fields.prompt,
      fields.text,
      fields.description,
      fields.model,
      fields.keywords,
      JSON.stringify(fields.settings),
      fields.color,
      fields.hasThumbs ? 1 : 0,
      fields.sourceHash,
      fields.peaks ?? null,
      fields.waveform ?? null,
      fields.createdAt ?? null,
      fields.source ?? null,
      id
    )
    this.#models = null
  }

  /** The file was rewritten by the library itself (a description embedded): remember its new size and time. */
  setFileStat(id: string, bytes: number, mtimeMs: number): void {
    this.#sql.run('UPDATE media SET bytes = ?, mtime_ms = ? WHERE id = ?', bytes, mtimeMs, id)
  }

  setDescription(id: string, description: string): void {
    this.#sql.run('UPDATE media SET description = ? WHERE id = ?', description, id)
  }

  setThumbnails(id: string, color: string | null, hasThumbs: boolean): void {
    this.#forget([id])
    this.#sql.run('UPDATE media SET color = coalesce(?, color), has_thumbs = ? WHERE id = ?', color, hasThumbs ? 1 : 0, id)
  }

  record(id: string): (MediaRecord & { starred: boolean; trashedAt: number | null }) | null {
    const row = this.#sql.get<Record<string, SQLInputValue>>('SELECT * FROM media WHERE id = ?', id)
    if (!row) return null
    return {
      id: row.id as string,
      kind: row.kind as MediaKind,
      path: row.path as string,
      mime: row.mime as string,
      bytes: row.bytes as number,
      mtimeMs: row.mtime_ms as number,
      width: row.width as number | null,
      height: row.height as number | null,
      durationMs: row.duration_ms as number | null,
      peaks: row.peaks as string | null,
      waveform: row.waveform as string | null,
      title: row.title as string,
      prompt: row.prompt as string,
      text: row.text as string,
      description: row.description as string,
      model: row.model as string | null,
      keywords: row.keywords as string,
      settings: parseSettings(row.settings_json as string),
      source: row.source as MediaSource,
      createdAt: row.created_at as number,
      color: row.color as string | null,
      hasThumbs: row.has_thumbs === 1,
      sourceHash: row.source_hash as string | null,
      starred: row.starred === 1,
      trashedAt: row.trashed_at as number | null
    }
  }

  item(id: string): MediaItem | null {
    const row = this.#sql.prepare(`SELECT ${ITEM_COLUMNS} FROM media WHERE id = ?`, true).get(id) as unknown as unknown[] | undefined
    if (!row) return null
    const card = toCard(row as CardArray)
    const [mime, bytes, prompt, text, description, settingsJson, source, trashedAt, waveform] = row.slice(13) as [
      string,
      number,
      string,
      string,
      string,
      string,
      MediaSource,
      number | null,
      string | null
    ]
    const collectionIds = this.#sql.all<{ collection_id: string }>('SELECT collection_id FROM media_collections WHERE media_id = ? ORDER BY added_at', id).map(
      (entry) => entry.collection_id
    )
    return {
      ...card,
      path: row[2] as string,
      mime,
      bytes,
      prompt,
      text,
      description,
      settings: parseSettings(settingsJson),
      source,
      collectionIds,
      trashedAt,
      waveform,
      largeThumbUrl: card.thumbUrl === null ? null : mediaUrl(largeThumbPath(card.id))
    }
  }

  /**
   * Every card matching the filter (or the first `limit`), in order, and how
   * many match. The order without the search comes from one statement over
   * the indexes (time, kind, starred, model, trash), kept until the database
   * changes; a search then keeps the rows of that order the full-text index
   * names. Joining the index's hits to their rows and sorting them in SQLite
   * read every hit's whole row (13,000 for a common word at 100,000 items,
   * 15–30 ms); the hits alone take 2–4 ms, the pass over the order about 1.
   */
  query(filter: LibraryFilter): { cards: MediaCard[]; total: number } {
    const { search, limit, ...narrowing } = filter
    let seqs = this.#ordered(narrowing)
    if (search !== undefined && search.trim() !== '') {
      const hits = this.#searchHits(search)
      seqs = hits.length === 0 ? [] : keepHits(seqs, hits)
    }
    // Cards are made only for the page asked for.
    return { cards: this.#cardsOf(limit === undefined ? seqs : seqs.slice(0, limit)), total: seqs.length }
  }

  /**
   * The seqs of the rows the full-text search matches, in no order: as one
   * JSON array, since a row per hit (13,000 for a common word at 100,000
   * items) took 2.8 ms and an array of garbage per hit, one string 1.2 ms.
   */
  #searchHits(text: string): number[] {
    const search = toSearchQuery(text)
    // Nothing searchable in the text (only punctuation, say): nothing matches it.
    if (search === null) return []
    try {
      const [hits] = this.#sql.prepare('SELECT json_group_array(rowid) FROM media_fts WHERE media_fts MATCH ?', true).get(search.match) as unknown as [string]
      return JSON.parse(hits) as number[]
    } catch (error) {
      // The search text is built to be valid FTS5; if SQLite still refuses it, nothing matches.
      if (/fts5|syntax/i.test(String(error))) return []
      throw error
    }
  }

  /** The seqs matching the filter (search aside), in its order; the last answer is reused until the database changes. */
  #ordered(filter: Omit<LibraryFilter, 'search' | 'limit'>): readonly number[] {
    const key = JSON.stringify(filter)
    // This connection's writes (any table, any statement) and other connections' commits.
    const [changes, dataVersion] = this.#sql.prepare('SELECT total_changes(), (SELECT data_version FROM pragma_data_version)', true).get() as unknown as [number, number]
    const version = `${changes}:${dataVersion}`
    if (this.#order?.key === key && this.#order.version === version) return this.#order.seqs
    const where: string[] = [filter.trashed === true ? 'm.trashed_at IS NOT NULL' : 'm.trashed_at IS NULL']
    const params: SQLInputValue[] = []
    if (filter.kinds && filter.kinds.length > 0) {
      where.push(`m.kind IN (SELECT value FROM json_each(?))`)
      params.push(JSON.stringify(filter.kinds))
    }
    if (filter.model !== undefined) {
      where.push('m.model = ?')
      params.push(filter.model)
    }
    if (filter.starred !== undefined) where.push(filter.starred ? 'm.starred = 1' : 'm.starred = 0')
    if (filter.collectionId !== undefined) {
      where.push('m.id IN (SELECT media_id FROM media_collections WHERE collection_id = ?)')
      params.push(filter.collectionId)
    }
    if (filter.from !== undefined) {
      where.push('m.created_at >= ?')
      params.push(filter.from)
    }
    if (filter.to !== undefined) {
      where.push('m.created_at < ?')
      params.push(filter.to)
    }
    const direction = filter.sort === 'oldest' ? 'ASC' : 'DESC'
    const sql = `SELECT m.seq FROM media m WHERE ${where.join(' AND ')} ORDER BY m.created_at ${direction}, m.seq ${direction}`
    const seqs = (this.#sql.prepare(sql, true).all(...params) as unknown as [number][]).map((row) => row[0])
    this.#order = { key, version, seqs }
    return seqs
  }

  /** The cards of these rows, in this order, from the cache or read once. */
  #cardsOf(seqs: readonly number[]): MediaCard[] {
    const missing = seqs.filter((seq) => this.#cards[seq] === undefined)
    for (let start = 0; start < missing.length; start += CARD_FETCH_SLICE) {
      const slice = JSON.stringify(missing.slice(start, start + CARD_FETCH_SLICE))
      const rows = this.#sql.prepare(`SELECT seq, ${CARD_COLUMNS} FROM media WHERE seq IN (SELECT value FROM json_each(?))`, true).all(slice) as unknown as [number, ...CardArray][]
      for (const [seq, ...card] of rows) {
        this.#cards[seq] = toCard(card as CardArray)
        this.#seqOf.set(card[0], seq)
      }
    }
    const cards: MediaCard[] = []
    for (const seq of seqs) {
      const card = this.#cards[seq]
      // A row deleted between the two reads (another connection) is simply left out.
      if (card) cards.push(card)
    }
    return cards
  }

  /** These rows changed: their cards are made again when next asked for. */
  #forget(ids: Iterable<string>): void {
    for (const id of ids) {
      const seq = this.#seqOf.get(id)
      if (seq === undefined) continue
      this.#cards[seq] = undefined
      this.#seqOf.delete(id)
    }
  }

  /** The models present (outside the trash), for the filter; kept until the next write. */
  models(): string[] {
    this.#models ??= this.#sql.all<{ model: string }>('SELECT DISTINCT model FROM media WHERE model IS NOT NULL AND trashed_at IS NULL ORDER BY model').map(
      (row) => row.model
    )
    return [...this.#models]
  }

  scanRows(): ScanRow[] {
    return (this.#sql.prepare('SELECT id, path, bytes, mtime_ms, has_thumbs FROM media', true).all() as unknown as [string, string, number, number, number][]).map(
      ([id, path, bytes, mtimeMs, hasThumbs]) => ({ id, path, bytes, mtimeMs, hasThumbs: hasThumbs === 1 })
    )
  }

  hasId(id: string): boolean {
    return this.#sql.get('SELECT 1 AS found FROM media WHERE id = ?', id) !== undefined
  }

  hasPath(path: string): boolean {
    return this.#sql.get('SELECT 1 AS found FROM media WHERE path = ?', path) !== undefined
  }

  hasSourceHash(hash: string): boolean {
    return this.#sql.get('SELECT 1 AS found FROM media WHERE source_hash = ?', hash) !== undefined
  }

  /** Ids of `ids` that exist, in no particular order. */
  existing(ids: readonly string[]): string[] {
    return this.#sql.all<{ id: string }>('SELECT id FROM media WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(ids)).map((row) => row.id)
  }

  /** Returns the ids whose star changed. */
  star(ids: readonly string[], starred: boolean): string[] {
    return this.#changing('UPDATE media SET starred = ? WHERE starred <> ? AND id IN (SELECT value FROM json_each(?)) RETURNING id', starred ? 1 : 0, starred ? 1 : 0, JSON.stringify(ids))
  }

  trash(ids: readonly string[], now: number): string[] {
    return this.#changing('UPDATE media SET trashed_at = ? WHERE trashed_at IS NULL AND id IN (SELECT value FROM json_each(?)) RETURNING id', now, JSON.stringify(ids))
  }

  restore(ids: readonly string[]): string[] {
    return this.#changing('UPDATE media SET trashed_at = NULL WHERE trashed_at IS NOT NULL AND id IN (SELECT value FROM json_each(?)) RETURNING id', JSON.stringify(ids))
  }

  delete(ids: readonly string[]): string[] {
    return this.#changing('DELETE FROM media WHERE id IN (SELECT value FROM json_each(?)) RETURNING id', JSON.stringify(ids))
  }

  collections(): Collection[] {
    return this.#sql.all<{ id: string; name: string; created_at: number; count: number }>(
      `SELECT c.id, c.name, c.created_at, count(m.id) AS count
       FROM collections c
       LEFT JOIN media_collections mc ON mc.collection_id = c.id
       LEFT JOIN media m ON m.id = mc.media_id AND m.trashed_at IS NULL
       GROUP BY c.id ORDER BY c.name COLLATE NOCASE`
    ).map((row) => ({ id: row.id, name: row.name, count: row.count, createdAt: row.created_at }))
  }

  collection(id: string): Collection | null {
    return this.collections().find((collection) => collection.id === id) ?? null
  }

  collectionByName(name: string): Collection | null {
    const row = this.#sql.get<{ id: string }>('SELECT id FROM collections WHERE name = ? COLLATE NOCASE', name)
    return row ? this.collection(row.id) : null
  }

  createCollection(id: string, name: string, now: number): void {
    this.#sql.run('INSERT INTO collections (id, name, created_at) VALUES (?, ?, ?)', id, name, now)
  }

  /** Returns the ids that joined. */
  addToCollection(ids: readonly string[], collectionId: string, now: number): string[] {
    return this.#changing(
      `INSERT OR IGNORE INTO media_collections (collection_id, media_id, added_at)
       SELECT ?, id, ? FROM media WHERE id IN (SELECT value FROM json_each(?)) RETURNING media_id AS id`,
      collectionId,
      now,
      JSON.stringify(ids)
    )
  }

  removeFromCollection(ids: readonly string[], collectionId: string): string[] {
    return this.#changing(
      'DELETE FROM media_collections WHERE collection_id = ? AND media_id IN (SELECT value FROM json_each(?)) RETURNING media_id AS id',
      collectionId,
      JSON.stringify(ids)
    )
  }

  /** Runs `work` in one write transaction; any throw rolls everything back. */
  transaction<T>(work: () => T): T {
    return this.#sql.transaction(work)
  }

  #changing(sql: string, ...params: SQLInputValue[]): string[] {
    const ids = this.transaction(() => this.#sql.all<{ id: string }>(sql, ...params).map((row) => row.id))
    if (ids.length > 0) this.#models = null
    this.#forget(ids)
    return ids
  }
}

/** The seqs of `order` that are among `hits`, in the order's order. */
function keepHits(order: readonly number[], hits: readonly number[]): number[] {
  let max = 0
  for (const seq of hits) if (seq > max) max = seq
  // One byte per seq up to the largest hit: a lookup cheaper than a Set's over 100,000 rows.
  const hit = new Uint8Array(max + 1)
  for (const seq of hits) hit[seq] = 1
  const kept: number[] = []
  for (const seq of order) if (seq <= max && hit[seq] === 1) kept.push(seq)
  return kept
}

function toCard(row: CardArray): MediaCard {
  const [id, kind, path, hasThumbs, width, height, durationMs, color, createdAt, starred, title, model, peaks] = row
  return {
    id,
    kind,
    url: mediaUrl(path),
    thumbUrl: hasThumbs === 1 ? mediaUrl(smallThumbPath(id)) : null,
    width,
    height,
    durationMs,
    color,
    createdAt,
    starred: starred === 1,
    title,
    model,
    peaks
  }
}

function parseSettings(json: string): Record<string, unknown> {
  try {
    const value = JSON.parse(json) as unknown
    return isRecord(value) ? value : {}
  } catch {
    return {}
  }
}
