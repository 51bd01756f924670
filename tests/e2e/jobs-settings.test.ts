/**
 * The queues' concurrency setting in real Chromium against the real services:
 * the choice is saved in main, and the runner reads it for the next job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { screenshot, startStack, type Stack } from './support'

describe('settings: requests at once per endpoint', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack({ colorScheme: 'dark' })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('saves the choice in main, where every queue reads it', async () => {
    const { page, host } = stack
    await page.setViewportSize({ width: 900, height: 700 })
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('view-settings').waitFor()
    const select = page.getByLabel('Requests at once per endpoint')
    await select.scrollIntoViewIfNeeded()
    expect(await select.inputValue()).toBe('1')

    await select.selectOption('2')
    const section = page.getByRole('region', { name: 'Images, speech and songs' })
    await section.getByTestId('saved-indicator').waitFor()
    expect(host.services.settings.get().jobs.concurrency).toBe(2)
    await section.scrollIntoViewIfNeeded()
    await screenshot(page, 'settings-jobs-concurrency-dark-900')
    expect(stack.pageErrors).toEqual([])
  })
})
