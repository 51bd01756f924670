/** What a person does to items: star, collections, trash and undo, delete for good (to the OS trash), export, copies, reveal, open, describe. */
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LibraryChanged } from '../../../src/shared/contract'
import { readPngHead } from '../../../src/main/services/library/png-metadata'
import { makeLibrary, newImage, rejection, rowCount, tempFolder, tree } from './helpers'

describe('organising items', () => {
  it('stars and unstars in bulk, telling every window which items changed', async () => {
    const { library } = makeLibrary()
    const [a, b, c] = [await library.addImage(await newImage()), await library.addImage(await newImage()), await library.addImage(await newImage())]
    const changes: LibraryChanged[] = []
    library.onChange((change) => changes.push(change))
    expect(library.star([a!.id, b!.id, 'missing'], true)).toEqual({ updated: 2 })
    // Already starred: nothing changes, nothing is announced.
    expect(library.star([a!.id], true)).toEqual({ updated: 0 })
    expect(library.get(a!.id).starred).toBe(true)
    expect(library.get(c!.id).starred).toBe(false)
    expect(library.star([b!.id], false)).toEqual({ updated: 1 })
    expect(changes).toEqual([
      { changed: expect.arrayContaining([a!.id, b!.id]), removed: [] },
      { changed: [b!.id], removed: [] }
    ])
  })

  it('makes collections, adds and removes items, and counts them outside the trash', async () => {
    const { library } = makeLibrary()
    const a = await library.addImage(await newImage())
    const b = await library.addImage(await newImage())
    const covers = library.createCollection('  Album   covers ')
    expect(covers).toMatchObject({ name: 'Album covers', count: 0 })
    // The same name again (case aside) is the same collection.
    expect(library.createCollection('album COVERS').id).toBe(covers.id)
    const later = library.createCollection('Later')
    expect(library.addToCollection([a.id, b.id, 'missing'], covers.id)).toEqual({ updated: 2 })
    expect(library.addToCollection([a.id], covers.id)).toEqual({ updated: 0 })
    library.addToCollection([a.id], later.id)
    expect(library.get(a.id).collectionIds).toEqual([covers.id, later.id])
    library.trash([b.id])
    expect(library.collections().map(({ name, count }) => ({ name, count }))).toEqual([
      { name: 'Album covers', count: 1 },
      { name: 'Later', count: 1 }
    ])
    expect(library.removeFromCollection([a.id], covers.id)).toEqual({ updated: 1 })
    expect(library.get(a.id).collectionIds).toEqual([later.id])
    expect(() => library.addToCollection([a.id], 'nope')).toThrow(expect.objectContaining({ code: 'not_found' }))
  })

  it('moves items to the trash with the time, and restores them (undo)', async () => {
    const { library, clock, mediaDir } = makeLibrary()
    const a = await library.addImage(await newImage())
    const b = await library.addImage(await newImage())
    expect(library.trash([a.id, b.id])).toEqual({ count: 2 })
    const trashedAt = clock.time
    expect(library.get(a.id).trashedAt).toBe(trashedAt)
    expect(library.query().total).toBe(0)
    expect(library.restore([a.id])).toEqual({ count: 1 })
    expect(library.get(a.id).trashedAt).toBeNull()
    expect(library.query().cards.map((card) => card.id)).toEqual([a.id])
    // The library's trash keeps the files where they are.
    expect(existsSync(join(mediaDir, b.path))).toBe(true)
  })
})

describe('deleting for good', () => {
  it('hands the file and both thumbnails to the OS trash, then removes the row; nothing is unlinked', async () => {
    const { library, mediaDir, userDataDir, powers, db } = makeLibrary()
    const a = await library.addImage(await newImage({ id: 'gone' }))
    const b = await library.addImage(await newImage({ id: 'kept' }))
    const original = readFileSync(join(mediaDir, a.path))
    const changes: LibraryChanged[] = []
    library.onChange((change) => changes.push(change))
    expect(await library.deleteForever([a.id, 'missing'])).toEqual({ count: 1 })
    expect(powers.trashed).toEqual([join(mediaDir, a.path), join(mediaDir, 'thumbs/gone-s.webp'), join(mediaDir, 'thumbs/gone-l.webp')])
    // In the (pretend) OS trash, byte for byte, where a person can take it back.
    const bin = readdirSync(join(userDataDir, 'os-trash'))
    expect(bin.sort()).toEqual(['0-gone.png', '1-gone-s.webp', '2-gone-l.webp'])
    expect(readFileSync(join(userDataDir, 'os-trash', '0-gone.png')).equals(original)).toBe(true)
    expect(tree(mediaDir)).toEqual([b.path, 'thumbs/kept-l.webp', 'thumbs/kept-s.webp'])
    expect(rowCount(db)).toBe(1)
    expect(changes).toEqual([{ changed: [], removed: ['gone'] }])
    expect((await rejection(Promise.resolve().then(() => library.get('gone')))).code).toBe('not_found')
  })

  it('keeps the row when the OS refuses to take the file, and says so', async () => {
    const { library, powers, db } = makeLibrary()
    const a = await library.addImage(await newImage())
    powers.trashItem = async () => {
      throw new Error('The trash is not available on this volume.')
    }
    const error = await rejection(library.deleteForever([a.id]))
    expect(error.message).toMatch(/1 item\(s\) could not be moved to the trash and were kept: .*not available on this volume/)
    expect(rowCount(db)).toBe(1)
  })

  it('removes the row of an item whose file is already gone', async () => {
    const { library, mediaDir, powers, db } = makeLibrary()
    const a = await library.addImage(await newImage({ id: 'lost' }))
    rmSync(join(mediaDir, a.path))
    expect(await library.deleteForever([a.id])).toEqual({ count: 1 })
    expect(powers.trashed).toEqual([join(mediaDir, 'thumbs/lost-s.webp'), join(mediaDir, 'thumbs/lost-l.webp')])
    expect(rowCount(db)).toBe(0)
  })
})

describe('files out', () => {
  it('exports to a chosen folder, named by title and id, never over an existing file', async () => {
    const { library, mediaDir, powers } = makeLibrary()
    const a = await library.addImage(await newImage({ id: 'aaaaaaaa-1111', settings: { prompt: 'Ein Café / at "night": ✨' } }))
    const b = await library.addImage(await newImage({ id: 'bbbbbbbb-2222', settings: { prompt: '' } }))
    const folder = tempFolder()
    writeFileSync(join(folder, 'Ein-Café-at-night-aaaaaaaa.png'), 'someone else’s file')
    powers.dialogScript.folders.push(folder)
    expect(await library.exportItems([a.id, b.id])).toEqual({ path: folder, count: 2 })
    expect(readdirSync(folder).sort()).toEqual(['Ein-Café-at-night-aaaaaaaa (2).png', 'Ein-Café-at-night-aaaaaaaa.png', 'image-bbbbbbbb.png'])
    expect(readFileSync(join(folder, 'Ein-Café-at-night-aaaaaaaa.png'), 'utf8')).toBe('someone else’s file')
    expect(readFileSync(join(folder, 'Ein-Café-at-night-aaaaaaaa (2).png')).equals(readFileSync(join(mediaDir, a.path)))).toBe(true)
    // Cancelled: nothing written.
    expect(await library.exportItems([a.id])).toEqual({ path: null, count: 0 })
  })

  it('saves a copy where the person chose, and reveals, opens and copies through the OS', async () => {
    const { library, mediaDir, powers } = makeLibrary()
    const a = await library.addImage(await newImage())
    const target = join(tempFolder(), 'copy.png')
    powers.dialogScript.save.push(target)
    expect(await library.saveCopy(a.id)).toEqual({ path: target, count: 1 })
    expect(readFileSync(target).equals(readFileSync(join(mediaDir, a.path)))).toBe(true)
    expect(await library.saveCopy(a.id)).toEqual({ path: null, count: 0 })

    library.reveal(a.id)
    await library.open(a.id)
    await library.copyImage(a.id)
    const file = join(mediaDir, a.path)
    expect([powers.revealed, powers.openedPaths, powers.copiedImages]).toEqual([[file], [file], [file]])
    expect(library.filePath(a.id)).toBe(file)
    expect(library.thumbnailPath(a.id)).toBe(join(mediaDir, `thumbs/${a.id}-s.webp`))
  })

  it('says when a file is missing instead of handing the OS a path that is not there', async () => {
    const { library, mediaDir, powers } = makeLibrary()
    const a = await library.addImage(await newImage())
    rmSync(join(mediaDir, a.path))
    for (const call of [() => library.open(a.id), () => library.copyImage(a.id), async () => library.reveal(a.id)]) {
      const error = await rejection(call())
      expect(error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/missing from the media folder/) })
    }
    expect(powers.openedPaths).toEqual([])
  })
})

describe('descriptions', () => {
  it('are saved on the item, found by search, and written into the file so a rescan keeps them', async () => {
    const { library, mediaDir } = makeLibrary()
    const a = await library.addImage(await newImage())
    const described = library.setDescription(a.id, 'A tall striped tower on rocks, waves crashing.')
    expect(described.description).toBe('A tall striped tower on rocks, waves crashing.')
    expect(library.query({ search: 'striped tower' }).cards.map((card) => card.id)).toEqual([a.id])
    await library.settled()
    const head = await readPngHead(join(mediaDir, a.path))
    expect(JSON.parse(head.texts.find((text) => text.keyword === 'skyport')!.text).description).toBe('A tall striped tower on rocks, waves crashing.')
    // The A1111 chunk and the pixels stay.
    expect(head.texts.map((text) => text.keyword)).toEqual(['skyport', 'parameters'])
    // The row knows the file's new size: the start-up check does not take it for a change.
    expect(library.get(a.id).bytes).toBe(statSync(join(mediaDir, a.path)).size)
    expect(await library.rescan()).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 1 })
  })
})

describe('thumbnails', () => {
  it('are made again when missing: lazily for the drag icon, and by the start-up check', async () => {
    const { library, mediaDir } = makeLibrary()
    const a = await library.addImage(await newImage({ id: 'thumbless' }))
    rmSync(join(mediaDir, 'thumbs'), { recursive: true })
    // Meanwhile the image itself is the icon.
    expect(library.thumbnailPath(a.id)).toBe(join(mediaDir, a.path))
    await library.settled()
    expect(tree(join(mediaDir, 'thumbs'))).toEqual(['thumbless-l.webp', 'thumbless-s.webp'])

    rmSync(join(mediaDir, 'thumbs/thumbless-l.webp'))
    await library.checkAtStart()
    await library.settled()
    expect(tree(join(mediaDir, 'thumbs'))).toEqual(['thumbless-l.webp', 'thumbless-s.webp'])
  })
})
