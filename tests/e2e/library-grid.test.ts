/**
 * The library grid in Chromium over a real library of 2,000 images (PNG
 * files, thumbnails and rows made by the library's own code): after scrolls
 * far and near, the cards in view are the right items in the right places,
 * each showing its own thumbnail, though the grid reuses cards as it scrolls.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeLibraryFixture } from '../support/make-library'
import { screenshot, startStack, type Stack } from './support'

const COUNT = 2_000
let stack: Stack

beforeAll(async () => {
  const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-e2e-grid-'))
  await makeLibraryFixture({ userDataDir, count: COUNT })
  stack = await startStack({ host: { userDataDir } })
  await stack.host.services.libraryCheck
})
afterAll(async () => {
  await stack?.close()
})

interface ShownCard {
  id: string
  top: number
  left: number
  /** The thumbnail has loaded and is this card's own. */
  ownPicture: boolean
}

/** The cards inside the grid's box, in DOM order, with where they are. */
function cardsInView(page: Page): Promise<ShownCard[]> {
  return page.evaluate(() => {
    const grid = document.querySelector('[data-testid="library-grid"]') as HTMLElement
    const box = grid.getBoundingClientRect()
    return [...grid.querySelectorAll<HTMLElement>('[data-testid="library-card"]')]
      .map((card) => ({ card, rect: card.getBoundingClientRect() }))
      .filter(({ rect }) => rect.bottom > box.top && rect.top < box.bottom)
      .map(({ card, rect }) => {
        const image = card.querySelector('img')
        return {
          id: card.dataset.id ?? '',
          top: Math.round(rect.top),
          left: Math.round(rect.left),
          ownPicture: image !== null && image.complete && image.naturalWidth > 0 && image.src.endsWith(`/media/thumbs/${card.dataset.id}-s.webp`)
        }
      })
  })
}

/** Sets the grid's scroll position and waits until every card in view shows its thumbnail. */
async function scrollTo(page: Page, top: number): Promise<ShownCard[]> {
  await page.evaluate((offset) => {
    const grid = document.querySelector('[data-testid="library-grid"]') as HTMLElement
    grid.scrollTop = offset
  }, top)
  await page.waitForFunction(() => {
    const grid = document.querySelector('[data-testid="library-grid"]') as HTMLElement
    const box = grid.getBoundingClientRect()
    const shown = [...grid.querySelectorAll<HTMLElement>('[data-testid="library-card"]')].filter((card) => {
      const rect = card.getBoundingClientRect()
      return rect.bottom > box.top && rect.top < box.bottom
    })
    return shown.length > 0 && shown.every((card) => {
      const image = card.querySelector('img')
      return image !== null && image.complete && image.naturalWidth > 0
    })
  })
  return cardsInView(page)
}

describe('library grid', () => {
  it('shows the right cards, in order and each with its own thumbnail, after scrolling far and near', async () => {
    const { page } = stack
    const order = stack.host.services.library.query({}).cards.map((card) => card.id)
    expect(order).toHaveLength(COUNT)
    // The first screen's cards come first; the whole list once their thumbnails are in.
    const wholeList = page.waitForResponse((response) => response.url().endsWith('/bridge/library.query') && !response.request().postData()?.includes('"limit"'))
    await page.getByTestId('nav-library').click()
    await page.getByTestId('library-card').first().waitFor()
    const scrollHeight = (): Promise<number> => page.evaluate(() => (document.querySelector('[data-testid="library-grid"]') as HTMLElement).scrollHeight)
    await wholeList
    // The grid holds the whole list: far taller than the first screen's 160 cards (about 8 viewports), whenever
    // the list came (it may already be in by the time the first card is seen).
    await page.waitForFunction(() => {
      const grid = document.querySelector('[data-testid="library-grid"]') as HTMLElement
      return grid.scrollHeight > 40 * grid.clientHeight
    })

    const height = await scrollHeight()
    // Far (the middle, the end), then near (a few rows up from the end, so reused cards show new items).
    for (const top of [0, Math.round(height / 2), height, height - 700, Math.round(height / 3) + 95]) {
      const shown = await scrollTo(page, top)
      const ids = shown.map((card) => card.id)
      // A run of the library's order with nothing missing or repeated.
      const start = order.indexOf(ids[0] ?? '')
      expect(start, `cards at ${top}px`).toBeGreaterThanOrEqual(0)
      expect(ids).toEqual(order.slice(start, start + ids.length))
      // Laid out in reading order: each card right of the one before it in its row, or on a lower row.
      for (let index = 1; index < shown.length; index++) {
        const [before, card] = [shown[index - 1]!, shown[index]!]
        expect(card.top > before.top || (card.top === before.top && card.left > before.left), `${card.id} after ${before.id}`).toBe(true)
      }
      expect(shown.filter((card) => !card.ownPicture)).toEqual([])
      if (top === height) expect(ids.at(-1)).toBe(order.at(-1))
    }
    await screenshot(page, 'library-grid-scrolled')
    expect(stack.pageErrors).toEqual([])
  })
})
