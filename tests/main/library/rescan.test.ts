/** The files are the truth: a rescan rebuilds the rows from them, and the start-up check notices what changed by hand. */
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { withTextChunks } from '../../../src/main/services/library/png-metadata'
import type { MediaItem } from '../../../src/shared/contract'
import { imageBytes, makeLibrary, newImage, rowCount, tree } from './helpers'

/** What a rescan must bring back: everything but what a person did to the row (star, collections, trash). */
function fromFile(item: MediaItem): Omit<MediaItem, 'starred' | 'collectionIds' | 'trashedAt'> {
  const { starred: _starred, collectionIds: _collections, trashedAt: _trashed, ...rest } = item
  return rest
}

describe('rescan', () => {
  it('restores the whole library with its settings after the database is deleted', async () => {
    const first = makeLibrary()
    const items = [
      await first.library.addImage(await newImage({ settings: { prompt: 'A lighthouse at dusk', model: 'flux', seed: 1, size: '16:9', endpoint: 'imagine' } })),
      await first.library.addImage(await newImage({ color: '#20a040', settings: { prompt: 'Ein Wald im Nebel ✨', model: 'flux-anime', seed: 2 ** 31, size: '9:21' } }), undefined),
      await first.library.addImage(await newImage({ source: 'chat', settings: { prompt: 'A robot', model: 'any-dark', seed: 3 } }))
    ]
    first.library.setDescription(items[2]!.id, 'A shiny robot waving.')
    await first.library.settled()
    const before = items.map((item) => first.library.get(item.id))
    const beforeFiles = tree(first.mediaDir)
    await first.close()
    for (const suffix of ['', '-wal', '-shm']) rmSync(first.dbFile + suffix, { force: true })

    const second = first.reopen()
    expect(second.library.query().total).toBe(0)
    const result = await second.library.rescan()
    expect(result).toMatchObject({ added: 3, updated: 0, removed: 0, unchanged: 0 })
    expect(result.durationMs).toBeGreaterThanOrEqual(0)
    for (const item of before) expect(fromFile(second.library.get(item.id))).toEqual(fromFile(item))
    expect(second.library.query().cards.map((card) => card.id)).toEqual(before.map((item) => item.id).reverse())
    expect(second.library.query({ search: 'shiny' }).cards.map((card) => card.id)).toEqual([items[2]!.id])
    // The thumbnails were there: none was made again, no file was touched.
    await second.library.settled()
    expect(tree(second.mediaDir)).toEqual(beforeFiles)
    // A second rescan finds nothing to do.
    expect(await second.library.rescan()).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 3 })
  })

  it('removes rows whose files are gone (and their thumbnails), and leaves other files alone', async () => {
    const { library, mediaDir, db } = makeLibrary()
    const a = await library.addImage(await newImage({ id: 'deleted-by-hand' }))
    const b = await library.addImage(await newImage({ id: 'stays' }))
    rmSync(join(mediaDir, a.path))
    // Not library files: ignored, never removed.
    writeFileSync(join(mediaDir, dirname(b.path), 'notes.txt'), 'mine')
    writeFileSync(join(mediaDir, dirname(b.path), 'half.png.1a2b3c.tmp'), 'partial')
    const changes: unknown[] = []
    library.onChange((change) => changes.push(change))
    expect(await library.rescan()).toMatchObject({ added: 0, updated: 0, removed: 1, unchanged: 1 })
    expect(rowCount(db)).toBe(1)
    expect(tree(join(mediaDir, 'thumbs'))).toEqual(['stays-l.webp', 'stays-s.webp'])
    expect(tree(mediaDir)).toContain(`${dirname(b.path)}/notes.txt`)
    expect(changes).toEqual([{ changed: [], removed: ['deleted-by-hand'] }])
  })

  it('updates a row whose file was changed by hand, keeping its star, and makes its thumbnails again', async () => {
    const { library, mediaDir } = makeLibrary()
    const a = await library.addImage(await newImage({ settings: { prompt: 'Before' } }))
    library.star([a.id], true)
    const oldThumb = readFileSync(join(mediaDir, `thumbs/${a.id}-s.webp`))
    // Another picture under the same name, carrying the same record with another prompt.
    const other = await library.addImage(await newImage({ color: '#ff00ff', settings: { prompt: 'After' } }))
    const changed = withTextChunks(readFileSync(join(mediaDir, other.path)), [
      { keyword: 'skyport', text: JSON.stringify({ ...JSON.parse(chunkOf(readFileSync(join(mediaDir, a.path)), 'skyport')), prompt: 'After, edited', title: 'After, edited' }) }
    ])
    await library.deleteForever([other.id])
    writeFileSync(join(mediaDir, a.path), changed)
    expect(await library.rescan()).toMatchObject({ added: 0, updated: 1, removed: 0 })
    expect(library.get(a.id)).toMatchObject({ prompt: 'After, edited', title: 'After, edited', starred: true, bytes: changed.length })
    await library.settled()
    expect(readFileSync(join(mediaDir, `thumbs/${a.id}-s.webp`)).equals(oldThumb)).toBe(false)
  })

  it('matches a file moved by hand to its row by its own id, keeping what was done to it', async () => {
    const { library, mediaDir } = makeLibrary()
    const a = await library.addImage(await newImage({ id: 'wanderer' }))
    library.star([a.id], true)
    const collection = library.createCollection('Keep')
    library.addToCollection([a.id], collection.id)
    mkdirSync(join(mediaDir, 'images/sorted'), { recursive: true })
    renameSync(join(mediaDir, a.path), join(mediaDir, 'images/sorted/lighthouse.png'))
    expect(await library.rescan()).toMatchObject({ added: 0, updated: 1, removed: 0 })
    expect(library.get('wanderer')).toMatchObject({ path: 'images/sorted/lighthouse.png', url: '/media/images/sorted/lighthouse.png', starred: true, collectionIds: [collection.id] })
  })

  it('adds a PNG dropped into the folder by hand, with the settings another tool embedded, and makes its thumbnails', async () => {
    const { library, mediaDir } = makeLibrary()
    const dropped = withTextChunks(await imageBytes({ width: 80, height: 60 }), [
      { keyword: 'parameters', text: 'a watercolor fox\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 99, Size: 80x60, Model: dreamshaper_8', encoding: 'latin1' }
    ])
    mkdirSync(join(mediaDir, 'images/by hand'), { recursive: true })
    writeFileSync(join(mediaDir, 'images/by hand/my fox.png'), dropped)
    expect(await library.rescan()).toMatchObject({ added: 1 })
    const [card] = library.query().cards
    expect(card).toMatchObject({ url: '/media/images/by%20hand/my%20fox.png', thumbUrl: null, title: 'a watercolor fox', model: 'dreamshaper_8', width: 80, height: 60 })
    expect(library.get(card!.id)).toMatchObject({
      source: 'import',
      prompt: 'a watercolor fox',
      settings: { tool: 'A1111', prompt: 'a watercolor fox', negativePrompt: 'blurry', model: 'dreamshaper_8', seed: 99, fileName: 'my fox.png' }
    })
    await library.settled()
    expect(library.query().cards[0]).toMatchObject({ thumbUrl: `/media/thumbs/${card!.id}-s.webp`, color: expect.stringMatching(/^#[0-9a-f]{6}$/) })
  })

  it('at start reads only new and changed files; "Rescan" reads every file', async () => {
    const { library, mediaDir } = makeLibrary()
    const a = await library.addImage(await newImage({ settings: { prompt: 'Original prompt' } }))
    const file = join(mediaDir, a.path)
    // A whole second: a time the file system and the row both keep exactly (a sub-millisecond one may not survive utimes).
    const mtime = new Date('2026-01-01T00:00:00Z')
    utimesSync(file, mtime, mtime)
    await library.rescan()
    const { size } = statSync(file)
    // Edited in place to the same size and time: only a full read notices.
    const edited = Buffer.from(readFileSync(file).toString('latin1').replaceAll('Original prompt', 'Modified prompt'), 'latin1')
    const fixed = withTextChunks(edited, [{ keyword: 'skyport', text: chunkOf(edited, 'skyport') }])
    expect(fixed.length).toBe(size)
    writeFileSync(file, fixed)
    utimesSync(file, mtime, mtime)
    await library.checkAtStart()
    expect(library.get(a.id).prompt).toBe('Original prompt')
    expect(await library.rescan()).toMatchObject({ updated: 1 })
    expect(library.get(a.id).prompt).toBe('Modified prompt')
  })

  it('never takes an image being saved for a stray file, however the two interleave', async () => {
    const { library, mediaDir, db } = makeLibrary()
    const images = await Promise.all(Array.from({ length: 8 }, (_, index) => newImage({ id: `racing-${index}` })))
    let saving = true
    const saves = (async () => {
      for (const image of images) await library.addImage(image)
      saving = false
    })()
    // Rescans back to back for as long as images are being saved: some land between a file's write and its row.
    let scans = 0
    while (saving) {
      await library.rescan()
      scans++
    }
    await saves
    await library.settled()
    expect(scans).toBeGreaterThan(3)
    expect(rowCount(db)).toBe(8)
    expect(await library.rescan()).toMatchObject({ added: 0, removed: 0, updated: 0, unchanged: 8 })
    expect(tree(mediaDir).filter((path) => path.startsWith('images/'))).toHaveLength(8)
  })

  it('copies of one file by hand become two items', async () => {
    const { library, mediaDir } = makeLibrary()
    const a = await library.addImage(await newImage({ id: 'original' }))
    cpSync(join(mediaDir, a.path), join(mediaDir, 'images/copy.png'))
    expect(await library.rescan()).toMatchObject({ added: 1, unchanged: 1 })
    const ids = library.query().cards.map((card) => card.id)
    expect(ids).toHaveLength(2)
    expect(ids).toContain('original')
    expect(await library.rescan()).toMatchObject({ added: 0, unchanged: 2 })
  })
})

function chunkOf(png: Buffer, keyword: string): string {
  const at = png.indexOf(`${keyword}\0`, 8, 'latin1')
  const length = png.readUInt32BE(at - 8)
  // iTXt: keyword NUL, flag, method, language NUL, translated NUL, text.
  return png.toString('utf8', at + keyword.length + 5, at - 8 + 8 + length)
}
