/**
 * An in-memory media backend behind the fake bridge for component tests:
 * the library (`library.*`), jobs (`jobs.*`), images and vision, answering
 * as the contract says and pushing `jobs.changed`, `jobs.queue` and
 * `library.changed` events when a test moves a job along.
 *
 *   const media = installMediaBackend()
 *   media.addItems(...makeItems(10_000))
 *   const [job] = media.jobsOf('images.generate')   // after the studio generated
 *   media.run(job.id); media.save(job.id)
 */
import type {
  Collection,
  ImageBatch,
  ImageSettings,
  JobRecord,
  LibraryFilter,
  MediaCard,
  MediaItem,
  QueueState,
  RemotePreview
} from '@shared/contract'
import type { BridgeErrorData } from '@shared/errors'
import { toColumns, type LibraryPageColumns } from '@shared/library-columns'
import { imageSettingsOf } from '../lib/media'
import { installFakeBridge, type FakeBridge } from './fake-bridge'

/** 2025-03-14 15:00 local time: fixtures are relative to it. */
export const MEDIA_NOW = new Date(2025, 2, 14, 15, 0, 0).getTime()
const HOUR = 3_600_000

export function makeItem(fields: Partial<MediaItem> & { id: string }): MediaItem {
  const settings: ImageSettings = { prompt: `Prompt of ${fields.id}`, model: 'flux', size: '1:1', seed: 42, endpoint: 'imagine' }
  return {
    kind: 'image',
    url: `/media/images/2025/03/${fields.id}.png`,
    thumbUrl: `/media/thumbs/${fields.id}-s.webp`,
    largeThumbUrl: `/media/thumbs/${fields.id}-l.webp`,
    width: 1024,
    height: 1024,
    durationMs: null,
    color: '#336699',
    createdAt: MEDIA_NOW - HOUR,
    starred: false,
    title: fields.prompt ?? settings.prompt,
    model: 'flux',
    path: `images/2025/03/${fields.id}.png`,
    mime: 'image/png',
    bytes: 123_456,
    prompt: settings.prompt,
    text: '',
    description: '',
    settings: { ...settings },
    source: 'studio',
    collectionIds: [],
    trashedAt: null,
    peaks: null,
    waveform: null,
    ...fields
  }
}

/** `count` images, newest first, `perDay` a day (one an hour) going back from MEDIA_NOW. */
export function makeItems(count: number, perDay = 10): MediaItem[] {
  return Array.from({ length: count }, (_, index) => {
    const day = Math.floor(index / perDay)
    const createdAt = new Date(2025, 2, 14 - day, 14 - (index % perDay), 0, 0).getTime()
    return makeItem({ id: `m${index}`, createdAt, prompt: `Picture number ${index}`, title: `Picture number ${index}` })
  })
}

export function cardOf(item: MediaItem): MediaCard {
  const { id, kind, url, thumbUrl, width, height, durationMs, color, createdAt, starred, title, model, peaks } = item
  return { id, kind, url, thumbUrl, width, height, durationMs, color, createdAt, starred, title, model, peaks }
}

export function makeJob(fields: Partial<JobRecord> & { id: string }): JobRecord {
  return {
    kind: 'image.generate',
    queue: 'imagine',
    state: 'queued',
    progress: null,
    detail: null,
    attempts: 0,
    input: {},
    result: null,
    error: null,
    groupId: null,
    createdAt: MEDIA_NOW,
    updatedAt: MEDIA_NOW,
    runAt: null,
    ...fields
  }
}

export class FakeMediaBackend {
  readonly bridge: FakeBridge
  /** Items in insertion order; `library.query` sorts them. */
  readonly items = new Map<string, MediaItem>()
  readonly jobs = new Map<string, JobRecord>()
  readonly queues = new Map<string, QueueState>()
  collections: Collection[] = []
  /** What `vision.preview` answers. */
  preview: RemotePreview = {
    previewId: 'p1',
    url: '/media/previews/p1.png',
    mime: 'image/png',
    width: 640,
    height: 480,
    bytes: 4321,
    sourceUrl: 'https://example.com/cat.png'
  }
  /** The clock the backend stamps jobs with. */
  now: () => number
  #next = 1

  constructor(bridge: FakeBridge, options: { now?: () => number } = {}) {
    this.bridge = bridge
    this.now = options.now ?? (() => MEDIA_NOW)
    const ok = <R>(result: R): { ok: true; result: R } => ({ ok: true, result: structuredClone(result) })
    const missing = (id: string) => ({ ok: false as const, error: { code: 'not_found' as const, message: `No item ${id}` } })

    bridge.reply('library.query', (args) => ok(this.query(args ?? {})))
    bridge.reply('library.get', ({ id }) => {
      const item = this.items.get(id)
      return item ? ok(item) : missing(id)
    })
    bridge.reply('library.star', ({ ids, starred }) => ok({ updated: this.#update(ids, { starred }) }))
    bridge.reply('library.collections', () => ok(this.collections))
    bridge.reply('library.createCollection', ({ name }) => {
      const collection: Collection = { id: `col${this.#next++}`, name: name.trim(), count: 0, createdAt: this.now() }
      this.collections = [...this.collections, collection]
      return ok(collection)
    })
    bridge.reply('library.addToCollection', ({ ids, collectionId }) => {
      let updated = 0
      for (const id of ids) {
        const item = this.items.get(id)
        if (item && !item.collectionIds.includes(collectionId)) {
          item.collectionIds = [...item.collectionIds, collectionId]
          updated++
        }
      }
      return ok({ updated })
    })
    bridge.reply('library.removeFromCollection', ({ ids, collectionId }) => {
      let updated = 0
      for (const id of ids) {
        const item = this.items.get(id)
        if (item?.collectionIds.includes(collectionId)) {
          item.collectionIds = item.collectionIds.filter((held) => held !== collectionId)
          updated++
        }
      }
      return ok({ updated })
    })
    bridge.reply('library.trash', ({ ids }) => ok({ count: this.#update(ids, { trashedAt: this.now() }) }))
    bridge.reply('library.restore', ({ ids }) => ok({ count: this.#update(ids, { trashedAt: null }) }))
    bridge.reply('library.deleteForever', ({ ids }) => {
      let count = 0
      for (const id of ids) if (this.items.delete(id)) count++
      return ok({ count })
    })
    bridge.reply('library.exportItems', ({ ids }) => ok({ path: '/exports', count: ids.length }))
    bridge.reply('library.saveCopy', () => ok({ path: '/exports/copy.png', count: 1 }))
    for (const method of ['library.reveal', 'library.open', 'library.copyImage', 'library.startDrag'] as const) {
      bridge.reply(method, ({ id }) => (this.items.has(id) ? ok(undefined) : missing(id)))
    }
    bridge.reply('library.rescan', () => ok({ added: 2, updated: 1, removed: 3, unchanged: 10, durationMs: 120 }))
    bridge.reply('library.importFolder', () => ok({ path: '/pictures', added: 4, skipped: 1, failed: 0 }))
    bridge.reply('attachments.fromLibrary', ({ mediaId }) => {
      const item = this.items.get(mediaId)
      if (!item) return missing(mediaId)
      return ok({ id: `att-${mediaId}`, kind: 'image', url: `/media/attachments/att-${mediaId}.png`, mime: 'image/png', width: 512, height: 512, name: `${mediaId}.png`, bytes: 999 })
    })

    bridge.reply('jobs.list', (args) =>
      ok([...this.jobs.values()].filter((job) => (args?.active ? !['saved', 'failed', 'cancelled'].includes(job.state) : true)))
    )
    bridge.reply('jobs.queues', () => ok([...this.queues.values()]))
    bridge.reply('jobs.cancel', ({ id }) => {
      const job = this.jobs.get(id)
      if (!job) return { ok: false, error: { code: 'not_found', message: `No job ${id}` } }
      return ok(this.setJob(id, { state: 'cancelled' }, { emit: false }))
    })
    bridge.reply('jobs.cancelAll', (args) => {
      let cancelled = 0
      for (const job of this.jobs.values()) {
        if (['saved', 'failed', 'cancelled'].includes(job.state)) continue
        if (args?.queue && job.queue !== args.queue) continue
        this.setJob(job.id, { state: 'cancelled' })
        cancelled++
      }
      return ok({ cancelled })
    })
    bridge.reply('jobs.retry', ({ id }) => {
      const job = this.jobs.get(id)
      if (!job) return { ok: false, error: { code: 'not_found', message: `No job ${id}` } }
      return ok(this.setJob(id, { state: 'queued', error: null, attempts: job.attempts + 1 }, { emit: false }))
    })

    bridge.reply('images.generate', (args) => {
      const groupId = `g${this.#next++}`
      const seed = args.seed
      const jobs = args.models.flatMap((model) =>
        Array.from({ length: args.count }, () =>
          this.addJob({
            groupId,
            queue: args.endpoint,
            input: { prompt: args.prompt, model, size: args.size, seed: seed ?? 1000 + this.#next, endpoint: args.endpoint, source: args.source }
          })
        )
      )
      const batch: ImageBatch = { groupId, jobs }
      return ok(batch)
    })
    bridge.reply('vision.describe', ({ mediaId }) =>
      this.items.has(mediaId) ? ok(this.addJob({ kind: 'vision.describe', queue: 'chat', input: { mediaId } })) : missing(mediaId)
    )
    bridge.reply('vision.preview', ({ url }) => ok({ ...this.preview, sourceUrl: url }))
    bridge.reply('vision.describeUrl', ({ url, model }) => ok(this.addJob({ kind: 'vision.describeUrl', queue: 'vision', input: { url, model } })))
    bridge.reply('vision.keepPreview', ({ previewId, description }) => {
      const item = makeItem({ id: `kept-${previewId}`, description: description ?? '', source: 'import', createdAt: this.now() })
      this.items.set(item.id, item)
      return ok(item)
    })
  }

  addItems(...items: MediaItem[]): this {
    for (const item of items) this.items.set(item.id, item)
    return this
  }

  /** What `library.query` answers for a filter (the contract's rules, without full-text ranking). */
  /** As main answers: the cards as columns, the first `limit` when there is one. */
  query(filter: LibraryFilter): LibraryPageColumns {
    const words = (filter.search ?? '').toLowerCase().split(/\s+/).filter(Boolean)
    const items = [...this.items.values()].filter((item) => {
      if (filter.trashed ? item.trashedAt === null : item.trashedAt !== null) return false
      if (filter.kinds && !filter.kinds.includes(item.kind)) return false
      if (filter.model !== undefined && item.model !== filter.model) return false
      if (filter.starred && !item.starred) return false
      if (filter.collectionId !== undefined && !item.collectionIds.includes(filter.collectionId)) return false
      if (filter.from !== undefined && item.createdAt < filter.from) return false
      if (filter.to !== undefined && item.createdAt >= filter.to) return false
      const text = `${item.prompt} ${item.text} ${item.description} ${item.model ?? ''}`.toLowerCase()
      return words.every((word) => text.includes(word))
    })
    items.sort((a, b) => (filter.sort === 'oldest' ? a.createdAt - b.createdAt : b.createdAt - a.createdAt))
    const models = [...new Set([...this.items.values()].flatMap((item) => (item.model ? [item.model] : [])))].sort()
    return toColumns({ cards: items.slice(0, filter.limit ?? items.length).map(cardOf), total: items.length, models })
  }

  // ------------------------------------------------------------ jobs

  addJob(fields: Partial<JobRecord>): JobRecord {
    const job = makeJob({ id: `job${this.#next++}`, createdAt: this.now(), updatedAt: this.now(), ...fields })
    this.jobs.set(job.id, job)
    return structuredClone(job)
  }

  /** Changes a job as main would and (unless told not to) sends `jobs.changed`. */
  setJob(id: string, patch: Partial<JobRecord>, options: { emit?: boolean } = {}): JobRecord {
    const held = this.jobs.get(id)
    if (!held) throw new Error(`no job ${id}`)
    const job = { ...held, ...patch, updatedAt: Math.max(this.now(), held.updatedAt) }
    this.jobs.set(id, job)
    if (options.emit ?? true) this.bridge.emit('jobs.changed', structuredClone(job))
    return structuredClone(job)
  }

  run(id: string): JobRecord {
    return this.setJob(id, { state: 'running', attempts: (this.jobs.get(id)?.attempts ?? 0) + 1 })
  }

  /** Saves an image job: the item lands in the library, then `jobs.changed` and `library.changed`. */
  save(id: string, fields: Partial<MediaItem> = {}): MediaItem {
    const job = this.jobs.get(id)
    if (!job) throw new Error(`no job ${id}`)
    const settings = imageSettingsOf(job.input)
    const item = makeItem({
      id: `img-${id}`,
      createdAt: this.now(),
      prompt: settings.prompt ?? '',
      title: settings.prompt ?? '',
      model: settings.model ?? null,
      settings: { ...job.input },
      ...fields
    })
    this.items.set(item.id, item)
    this.setJob(id, { state: 'saved', progress: 1, result: { mediaId: item.id } })
    this.bridge.emit('library.changed', { changed: [item.id], removed: [] })
    return item
  }

  /** Finishes a job with text (a description). */
  finishText(id: string, text: string): JobRecord {
    return this.setJob(id, { state: 'saved', progress: 1, result: { text } })
  }

  failJob(id: string, error: BridgeErrorData): JobRecord {
    return this.setJob(id, { state: 'failed', error })
  }

  /** Pauses a queue after a rate limit: its jobs wait until `until`. */
  pause(queue: string, until: number, reason = 'Rate limit reached'): void {
    const state: QueueState = { queue, concurrency: 1, running: 0, queued: 1, pausedUntil: until, pauseReason: reason }
    this.queues.set(queue, state)
    this.bridge.emit('jobs.queue', structuredClone(state))
  }

  /** Jobs in the order they were made. */
  jobList(): JobRecord[] {
    return [...this.jobs.values()]
  }

  /** Changes items and sends `library.changed`. */
  change(id: string, patch: Partial<MediaItem>): void {
    this.#update([id], patch)
    this.bridge.emit('library.changed', { changed: [id], removed: [] })
  }

  #update(ids: string[], patch: Partial<MediaItem>): number {
    let count = 0
    for (const id of ids) {
      const item = this.items.get(id)
      if (!item) continue
      this.items.set(id, { ...item, ...patch })
      count++
    }
    return count
  }
}

/** A fake bridge with the media backend on it (and the default settings). */
export function installMediaBackend(options: { now?: () => number; bridge?: FakeBridge } = {}): FakeMediaBackend {
  return new FakeMediaBackend(options.bridge ?? installFakeBridge(), options)
}
