/**
 * Accessibility end to end: every screen, in light and dark, passes axe-core
 * with no serious or critical violation (colour contrast of the rendered
 * text included).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectNoSeriousAxeViolations, screenshot, startStack, type Stack } from './support'

let stack: Stack
let userDataDir: string

beforeAll(async () => {
  userDataDir = mkdtempSync(join(tmpdir(), 'skyport-e2e-a11y-'))
  stack = await startStack({ host: { userDataDir }, fake: { imageMs: 50 } })
  const { page, fake } = stack
  // A conversation with an answer, one whose answer failed, and one image in the library.
  await newChat(page)
  await sendAndWait(page, 'Show me some code and math please, words:60')
  await newChat(page)
  fake.inject({ kind: 'http-error', status: 503, shape: 'openai', message: 'All providers failed' }, { path: '/chat/completions' })
  await sendAndWait(page, 'Are you there?')
  await page.getByTestId('nav-studio').click()
  await page.getByTestId('studio-prompt').fill('A lighthouse at dusk')
  await page.getByTestId('studio-generate').click()
  await page.getByTestId('result-open').first().waitFor({ timeout: 30_000 })
}, 120_000)

afterAll(async () => {
  await stack?.close()
  rmSync(userDataDir, { recursive: true, force: true })
})

const messages = (page: Page) => page.locator('[data-testid="message"]')

async function newChat(page: Page): Promise<void> {
  await page.getByTestId('nav-chat').click()
  await page.getByTestId('new-chat').click()
  await page.getByTestId('composer-input').waitFor()
}

async function sendAndWait(page: Page, text: string): Promise<void> {
  const before = await page.locator('[data-testid="message"][data-role="assistant"]').count()
  await page.getByTestId('composer-input').fill(text)
  await page.getByTestId('composer-input').press('Enter')
  await page.waitForFunction(
    (n) => {
      const answers = [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')]
      return answers.length > n && answers.at(-1)?.getAttribute('data-status') !== 'streaming'
    },
    before,
    { timeout: 20_000 }
  )
}

async function openConversation(page: Page, title: string): Promise<void> {
  await page.getByTestId('nav-chat').click()
  await page.getByTestId('conversation-item').filter({ hasText: title }).first().click()
  await messages(page).first().waitFor()
}

describe.each(['light', 'dark'] as const)('every screen passes axe-core, %s', (theme) => {
  beforeAll(async () => {
    await stack.page.emulateMedia({ colorScheme: theme })
  })

  it('chat, empty', async () => {
    const { page } = stack
    await newChat(page)
    await expectNoSeriousAxeViolations(page, `chat, empty, ${theme}`)
  })

  it('chat, with messages', async () => {
    const { page } = stack
    await openConversation(page, 'Show me some code')
    await page.locator('[data-testid="message"][data-role="assistant"] pre code').first().waitFor()
    await expectNoSeriousAxeViolations(page, `chat, with messages, ${theme}`)
  })

  it('chat, with an error', async () => {
    const { page } = stack
    await openConversation(page, 'Are you there?')
    await page.getByTestId('error-notice').first().waitFor()
    await expectNoSeriousAxeViolations(page, `chat, with an error, ${theme}`)
  })

  it('chat, with the settings drawer open', async () => {
    const { page } = stack
    await openConversation(page, 'Show me some code')
    await page.getByTestId('conversation-settings').click()
    await page.getByTestId('system-prompt').waitFor()
    await expectNoSeriousAxeViolations(page, `chat, settings drawer, ${theme}`)
    await page.getByTestId('conversation-settings').click()
    await page.getByTestId('system-prompt').waitFor({ state: 'detached' })
  })

  it('settings', async () => {
    const { page } = stack
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('view-settings').waitFor()
    await expectNoSeriousAxeViolations(page, `settings, ${theme}`)
  })

  it('models', async () => {
    const { page } = stack
    await page.getByTestId('nav-models').click()
    await page.getByTestId('model-item').first().waitFor()
    await expectNoSeriousAxeViolations(page, `models, ${theme}`)
  })

  it('studio', async () => {
    const { page } = stack
    await page.getByTestId('nav-studio').click()
    await page.getByTestId('result-open').first().waitFor()
    await expectNoSeriousAxeViolations(page, `studio, ${theme}`)
  })

  it('library, grid and viewer', async () => {
    const { page } = stack
    await page.getByTestId('nav-library').click()
    await page.getByTestId('library-card').first().waitFor()
    await expectNoSeriousAxeViolations(page, `library grid, ${theme}`)
    await page.getByTestId('library-card').first().dblclick()
    await page.getByTestId('viewer').waitFor()
    await page.getByTestId('viewer-details').waitFor()
    await expectNoSeriousAxeViolations(page, `library viewer, ${theme}`)
    await page.getByTestId('viewer-close').click()
    await page.getByTestId('viewer').waitFor({ state: 'detached' })
  })
})
