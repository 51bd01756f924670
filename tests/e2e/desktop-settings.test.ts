/**
 * The quick-ask shortcut's status and the desktop settings in real Chromium
 * against the real services. The test host has no OS, so the shortcut starts
 * unsupported; attaching fake desktop ports then plays a taken shortcut that
 * is freed and registered again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakePorts, FakeShortcuts } from '../support/desktop-fakes'
import { screenshot, startStack, type Stack } from './support'

describe('settings: quick-ask shortcut and desktop', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('says when the shortcut cannot work, offers the command, and follows main when it registers', async () => {
    const { page, host } = stack
    await page.setViewportSize({ width: 1000, height: 760 })
    await page.getByTestId('nav-settings').click()
    const status = page.getByTestId('shortcut-status')
    await status.scrollIntoViewIfNeeded()
    expect(await status.getAttribute('data-state')).toBe('unsupported')
    expect(await page.getByTestId('shortcut-fallback-command').textContent()).toBe('skyport --quick-ask')

    // A desktop where another app holds the shortcut.
    const shortcuts = new FakeShortcuts()
    shortcuts.taken.add('CommandOrControl+Shift+Space')
    await host.services.desktop.attach(fakePorts({ shortcuts }))
    await page.waitForSelector('[data-testid="shortcut-status"][data-state="taken"]')
    expect(await status.textContent()).toContain('is already used by another app')
    await page.getByRole('region', { name: 'Quick ask' }).scrollIntoViewIfNeeded()
    await screenshot(page, 'settings-quick-ask-shortcut-taken-light-1000')

    shortcuts.taken.clear()
    await page.getByTestId('shortcut-retry').click()
    await page.waitForSelector('[data-testid="shortcut-status"][data-state="registered"]')
    expect(shortcuts.held.has('CommandOrControl+Shift+Space')).toBe(true)

    // A new shortcut in the field is registered by main at once.
    await page.getByTestId('shortcut-input').fill('Alt+Shift+K')
    await page.getByTestId('shortcut-input').press('Enter')
    await page.waitForFunction(() => document.querySelector('[data-testid="shortcut-status"]')?.textContent?.includes('Alt+Shift+K'))
    expect([...shortcuts.held.keys()]).toEqual(['Alt+Shift+K'])
    await screenshot(page, 'settings-quick-ask-shortcut-registered-light-1000')

    await page.getByTestId('setting-launch-at-login').check()
    await page.getByTestId('setting-close-to-tray').uncheck()
    await page.getByRole('region', { name: 'Desktop' }).getByTestId('saved-indicator').waitFor()
    await expect.poll(() => host.services.settings.get().desktop).toMatchObject({ launchAtLogin: true, closeToTray: false })
    await host.services.desktop.settled()
    expect(host.services.desktop.status().launchAtLogin).toEqual({ enabled: true, error: null })
    host.services.desktop.dispose()
    expect(stack.pageErrors).toEqual([])
  })
})
