/** The benchmarks' library fixture makes what the app would have saved: a rescan and the grid agree with it. */
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { readPngHead } from '../../../src/main/services/library/png-metadata'
import { makeLibraryFixture } from '../../support/make-library'
import { makeLibrary, tempFolder, tree } from './helpers'

describe('makeLibraryFixture', () => {
  it('fills a media folder and database that the library reads as its own', async () => {
    const userDataDir = tempFolder()
    const fixture = await makeLibraryFixture({ userDataDir, count: 120, variantsPerSize: 1, longSide: 128 })
    expect(fixture.count).toBe(120)
    const { library, mediaDir } = makeLibrary({ userDataDir })
    const page = library.query()
    expect(page.total).toBe(120)
    expect(page.cards.every((card) => card.thumbUrl !== null && /^#[0-9a-f]{6}$/.test(card.color ?? ''))).toBe(true)
    expect(tree(mediaDir).filter((path) => path.startsWith('thumbs/'))).toHaveLength(240)
    // Each file is a real PNG with its own settings.
    const item = library.get(page.cards[5]!.id)
    const head = await readPngHead(join(mediaDir, item.path))
    expect(JSON.parse(head.texts[0]!.text)).toMatchObject({ id: item.id, prompt: item.prompt, settings: item.settings })
    expect((await sharp(join(mediaDir, item.path)).metadata()).width).toBe(item.width)
    // Rows and files agree: nothing to do for a rescan.
    expect(await library.rescan()).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 120 })
  })
})
