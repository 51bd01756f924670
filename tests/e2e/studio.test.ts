/**
 * The image studio and the library end to end: the built renderer in
 * Chromium, the real services (job runner, library, SQLite, PNG files)
 * behind the bridge, the fake gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/app-services'
import { screenshot, startStack, type Stack } from './support'

let stack: Stack
let userDataDir: string

beforeAll(async () => {
  userDataDir = mkdtempSync(join(tmpdir(), 'skyport-e2e-studio-'))
  // Images take a moment, as the real service's do: the placeholders show meanwhile.
  stack = await startStack({ host: { userDataDir }, fake: { imageMs: 400 } })
})
afterAll(async () => {
  await stack?.close()
})

const tiles = (page: Page) => page.getByTestId('result-tile')
const cards = (page: Page) => page.getByTestId('library-card')

async function openStudio(page: Page): Promise<void> {
  await page.getByTestId('nav-studio').click()
  await page.getByTestId('studio-prompt').waitFor()
}

async function openLibrary(page: Page): Promise<void> {
  await page.getByTestId('nav-library').click()
  await page.getByTestId('library-grid').or(page.getByTestId('library-empty')).first().waitFor()
}

async function savedTiles(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="result-tile"] [data-testid="result-open"]').length >= n, count, { timeout: 30_000 })
}

describe('image studio', () => {
  it('makes three images, one of which hits a 429 and resumes on its own', async () => {
    const { page, fake } = stack
    await openStudio(page)
    await page.getByTestId('studio-prompt').fill('A lighthouse at dusk, oil painting')
    await page.getByTestId('studio-count').fill('3')
    await page.getByTestId('studio-count').dispatchEvent('change')
    fake.inject({ kind: 'http-error', status: 429, shape: 'openai', message: 'Rate limit exceeded (1 request(s) per minute). Try again in 2 seconds.', retryAfter: '2' }, { path: '/imagine', times: 1 })
    await page.getByTestId('studio-generate').click()
    // Placeholders of the right shape first, then the queue's countdown.
    await page.getByTestId('result-placeholder').first().waitFor()
    await page.getByTestId('queue-paused').waitFor({ timeout: 10_000 })
    expect(await page.getByTestId('queue-paused').innerText()).toMatch(/resumes in \d+ s/)
    await screenshot(page, 'studio-rate-limited')
    await savedTiles(page, 3)
    expect(await tiles(page).count()).toBe(3)
    expect(await page.getByTestId('queue-paused').count()).toBe(0)
    await screenshot(page, 'studio-light')
  }, 60_000)

  it('compares two models on one prompt and seed, side by side', async () => {
    const { page } = stack
    await openStudio(page)
    await page.getByTestId('clear-results').click().catch(() => {})
    await page.getByTestId('studio-prompt').fill('A red bicycle against a blue wall')
    await page.getByTestId('studio-count').fill('1')
    await page.getByTestId('studio-count').dispatchEvent('change')
    await page.getByTestId('compare-toggle').check()
    const ticks = page.getByTestId('compare-models')
    for (const model of ['flux', 'flux-anime']) {
      const box = ticks.locator('label', { hasText: new RegExp(`^\\s*${model}\\s*$`) }).locator('input')
      if (!(await box.isChecked())) await box.check()
    }
    await page.getByTestId('studio-generate').click()
    await savedTiles(page, 2)
    const labels = await page.getByTestId('batch').first().getByTestId('result-label').allInnerTexts()
    expect(labels.join(' ')).toMatch(/flux-anime/)
    expect(labels.join(' ')).toMatch(/flux\b/)
    await screenshot(page, 'studio-compare')
    await page.getByTestId('compare-toggle').uncheck()
  }, 60_000)

  it('opens the viewer and reuses its settings in the studio', async () => {
    const { page } = stack
    await openStudio(page)
    await page.getByTestId('result-open').first().click()
    await page.getByTestId('viewer').waitFor()
    expect(await page.getByTestId('viewer-details').innerText()).toMatch(/Seed/)
    await screenshot(page, 'viewer-light')
    const prompt = await page.getByTestId('viewer-prompt').innerText()
    await page.getByTestId('studio-prompt').fill('something else')
    await page.getByTestId('reuse-all').click()
    await page.getByTestId('studio-prompt').waitFor()
    expect(await page.getByTestId('studio-prompt').inputValue()).toBe(prompt.trim())
  })
})

describe('library', () => {
  it('stars, searches, trashes and undoes, from the grid and the keyboard', async () => {
    const { page } = stack
    await openLibrary(page)
    await cards(page).first().waitFor()
    const total = await cards(page).count()
    expect(total).toBeGreaterThanOrEqual(5)
    await screenshot(page, 'library-light')

    // S stars the focused card.
    await cards(page).first().click()
    await page.keyboard.press('s')
    await page.getByTestId('filter-starred').click()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="library-card"]').length === 1)
    await page.getByTestId('filter-starred').click()

    await page.getByTestId('library-search').fill('bicycle')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="library-card"]').length === 2)
    await page.getByTestId('library-search').fill('')
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="library-card"]').length === n, total)

    await cards(page).first().click()
    await page.keyboard.press('Delete')
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="library-card"]').length === n - 1, total)
    await page.getByRole('button', { name: 'Undo' }).click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="library-card"]').length === n, total)
  })

  it('comes back whole from the files after the database is lost, with a rescan', async () => {
    const { page, host } = stack
    const before = host.services.library.query({}).total
    // The rows go; the files stay: a rescan restores them from the settings inside the files.
    const db = new (await import('node:sqlite')).DatabaseSync(join(userDataDir, DATABASE_FILE))
    db.exec('DELETE FROM media')
    db.close()
    await openLibrary(page)
    await page.getByTestId('library-more').click()
    await page.getByRole('menuitem', { name: /Rescan/ }).click()
    await page.getByText(new RegExp(`Rescanned in .*: ${before} added`)).waitFor({ timeout: 20_000 })
    expect(host.services.library.query({}).total).toBe(before)
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="library-card"]').length === n, before)
  })

  it('describes an image with the default vision model from the viewer', async () => {
    const { page } = stack
    await openLibrary(page)
    await cards(page).first().dblclick()
    await page.getByTestId('viewer').waitFor()
    await page.getByTestId('describe').click()
    await page.getByTestId('viewer-description').waitFor({ timeout: 20_000 })
    const text = await page.getByTestId('viewer-description').innerText()
    expect(text.length).toBeGreaterThan(10)
    await page.getByTestId('viewer-close').click()
  })

  it('looks right in dark mode and at 900 px', async () => {
    const { page } = stack
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.setViewportSize({ width: 900, height: 700 })
    await openStudio(page)
    await screenshot(page, 'studio-dark-900')
    await openLibrary(page)
    await screenshot(page, 'library-dark-900')
    await cards(page).first().dblclick()
    await page.getByTestId('viewer').waitFor()
    await screenshot(page, 'viewer-dark-900')
    await page.getByTestId('viewer-close').click()
    await page.emulateMedia({ colorScheme: 'light' })
    await page.setViewportSize({ width: 1200, height: 800 })
    expect(stack.pageErrors).toEqual([])
  })
})

afterAll(() => {
  rmSync(userDataDir, { recursive: true, force: true })
})
