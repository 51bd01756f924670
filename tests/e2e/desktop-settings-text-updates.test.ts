/**
 * The desktop settings in real Chromium against the real services: message
 * text size, spelling languages and updates (this host, like a development
 * build, cannot update itself and says so), in light and dark; and the
 * app-wide shortcuts the application menu shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeUpdater } from '../support/fake-updater'
import { screenshot, startStack, type Stack } from './support'

for (const scheme of ['light', 'dark'] as const) {
  describe(`desktop settings (${scheme})`, () => {
    let stack: Stack

    beforeAll(async () => {
      stack = await startStack({ colorScheme: scheme })
    })
    afterAll(async () => {
      await stack?.close()
    })

    it('saves the message text size and spelling languages in main, and shows the update status', async () => {
      const { page, host } = stack
      await page.setViewportSize({ width: 900, height: 760 })
      // Ctrl+, opens the settings from anywhere, as the menu says.
      await page.keyboard.press('Control+,')
      await page.getByTestId('view-settings').waitFor()

      const text = page.getByRole('region', { name: 'Text and spelling' })
      await text.scrollIntoViewIfNeeded()
      await page.getByLabel('Message text size').selectOption('17')
      await text.getByTestId('saved-indicator').waitFor()
      expect(host.services.settings.get().appearance.messageFontSize).toBe(17)
      expect(await page.evaluate(() => document.documentElement.style.getPropertyValue('--message-font-size'))).toBe('17px')

      const languages = page.getByTestId('setting-spellcheck-languages')
      await languages.fill('en-GB, de-DE')
      await languages.press('Tab')
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="saved-indicator"]').length > 0)
      await expect.poll(() => host.services.settings.get().spellcheck.languages).toEqual(['en-GB', 'de-DE'])
      await screenshot(page, `settings-text-${scheme}-900`)

      const updates = page.getByRole('region', { name: 'Updates' })
      await updates.scrollIntoViewIfNeeded()
      expect(await updates.getByTestId('update-status').textContent()).toContain('this build does not update itself')
      await updates.getByTestId('setting-updates-auto').click()
      await expect.poll(() => host.services.settings.get().updates.autoCheck).toBe(false)
      await screenshot(page, `settings-updates-${scheme}-900`)
      expect(stack.pageErrors).toEqual([])
    })

    it('goes to each screen with Ctrl+1 to Ctrl+4', async () => {
      const { page } = stack
      await page.locator('body').click({ position: { x: 5, y: 400 } })
      for (const [key, view] of [
        ['3', 'library'],
        ['2', 'studio'],
        ['4', 'models'],
        ['1', 'chat']
      ] as const) {
        await page.keyboard.press(`Control+${key}`)
        await page.getByTestId(`view-${view}`).waitFor()
      }
      expect(stack.pageErrors).toEqual([])
    })
  })
}

for (const scheme of ['light', 'dark'] as const) {
  describe(`an update found at start (${scheme})`, () => {
    let stack: Stack
    const updater = new FakeUpdater()

    beforeAll(async () => {
      updater.next = { kind: 'found', version: '0.2.0' }
      stack = await startStack({ colorScheme: scheme, host: { updater } })
    })
    afterAll(async () => {
      await stack?.close()
    })

    it('shows the download’s progress, then Restart to update, which saves and closes everything before installing', async () => {
      const { page, host } = stack
      await page.setViewportSize({ width: 900, height: 760 })
      await page.getByTestId('nav-settings').click()
      const updates = page.getByRole('region', { name: 'Updates' })
      await updates.scrollIntoViewIfNeeded()
      updater.progress({ percent: 42, transferred: 44_040_192, total: 104_857_600, bytesPerSecond: 2_000_000 })
      await updates.getByText('Downloading version 0.2.0: 42 %').waitFor()
      expect(await updates.getByTestId('update-progress').evaluate((bar) => (bar as HTMLProgressElement).value)).toBe(42)
      await screenshot(page, `settings-update-downloading-${scheme}-900`)

      updater.downloaded('0.2.0')
      await updates.getByTestId('update-restart').waitFor()
      await screenshot(page, `settings-update-ready-${scheme}-900`)
      await updates.getByTestId('update-restart').click()
      await expect.poll(() => updater.installs).toBe(1)
      // The services closed first: the database is shut, so a query now fails.
      expect(() => host.services.chatStore.listConversations()).toThrow()
      expect(stack.pageErrors).toEqual([])
    })
  })
}
