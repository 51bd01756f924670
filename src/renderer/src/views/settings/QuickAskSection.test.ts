import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import type { DesktopStatus, ShortcutStatus } from '@shared/contract'
import { DesktopStatusStore } from '../../lib/state/desktop.svelte'
import { SettingsStore } from '../../lib/state/settings.svelte'
import { installFakeBridge, makeSettingsState } from '../../test-support/fake-bridge'
import DesktopSection from './DesktopSection.svelte'
import QuickAskSection from './QuickAskSection.svelte'
import { SettingsForm } from './form.svelte'

const registered: ShortcutStatus = {
  accelerator: 'CommandOrControl+Shift+Space',
  state: 'registered',
  message: 'Press Ctrl+Shift+Space anywhere to open quick ask.',
  fallbackCommand: 'skyport --quick-ask'
}
const taken: ShortcutStatus = {
  accelerator: 'Alt+Space',
  state: 'taken',
  message: "Alt+Space is already used by another app, so it does nothing here. Choose another shortcut, or bind the command skyport --quick-ask in your desktop's keyboard settings.",
  fallbackCommand: 'skyport --quick-ask'
}
const status = (shortcut: ShortcutStatus, launchAtLogin: DesktopStatus['launchAtLogin'] = { enabled: false, error: null }): DesktopStatus => ({ shortcut, launchAtLogin })

async function show(initial: DesktopStatus) {
  const bridge = installFakeBridge(makeSettingsState())
  bridge.respond('shell.status', initial)
  const store = new SettingsStore({ applyTheme: () => {} })
  await store.load()
  const desktop = new DesktopStatusStore()
  await desktop.load()
  const form = new SettingsForm(store)
  render(QuickAskSection, { props: { form, desktop } })
  render(DesktopSection, { props: { form, desktop } })
  return { bridge, store, desktop }
}

describe('Settings: quick ask', () => {
  it('says the shortcut works, without offering the fallback', async () => {
    await show(status(registered))
    const line = screen.getByTestId('shortcut-status')
    expect(line.dataset['state']).toBe('registered')
    expect(line.textContent).toContain('Press Ctrl+Shift+Space anywhere to open quick ask.')
    expect(screen.queryByTestId('shortcut-fallback-command')).toBeNull()
    expect(screen.queryByTestId('shortcut-retry')).toBeNull()
  })

  it('says plainly when the shortcut is taken, offers the command and a retry, and follows main when it registers', async () => {
    const { bridge } = await show(status(taken))
    expect(screen.getByTestId('shortcut-status').textContent).toContain('Alt+Space is already used by another app')
    expect(screen.getByTestId('shortcut-fallback-command').textContent).toBe('skyport --quick-ask')

    bridge.respond('shell.retryShortcut', status({ ...registered, accelerator: 'Alt+Space', message: 'Press Alt+Space anywhere to open quick ask.' }))
    await fireEvent.click(screen.getByTestId('shortcut-retry'))
    await waitFor(() => expect(screen.getByTestId('shortcut-status').dataset['state']).toBe('registered'))
    expect(bridge.callsOf('shell.retryShortcut')).toHaveLength(1)

    // Main reports a change (say, the shortcut setting changed) as an event.
    bridge.emit('shell.status', status({ ...taken, state: 'unsupported', message: 'This desktop does not let apps register global shortcuts (as on Wayland). To open quick ask with a key, bind the command skyport --quick-ask in your desktop\'s keyboard settings.' }))
    await waitFor(() => expect(screen.getByTestId('shortcut-status').dataset['state']).toBe('unsupported'))
    expect(screen.getByTestId('shortcut-status').textContent).toContain('does not let apps register global shortcuts')
    expect(screen.getByTestId('shortcut-fallback-command')).toBeTruthy()
    expect(screen.queryByTestId('shortcut-retry')).toBeNull()
  })

  it('saves hide-on-blur, close to tray and launch at login', async () => {
    const { bridge } = await show(status(registered))
    await fireEvent.click(screen.getByTestId('setting-quick-hides-on-blur'))
    await fireEvent.click(screen.getByTestId('setting-close-to-tray'))
    await fireEvent.click(screen.getByTestId('setting-launch-at-login'))
    await waitFor(() =>
      expect(bridge.callsOf('settings.update')).toEqual([
        { desktop: { quickAskHidesOnBlur: true } },
        { desktop: { closeToTray: false } },
        { desktop: { launchAtLogin: true } }
      ])
    )
  })

  it('shows why launch at login did not take effect', async () => {
    await show(status(registered, { enabled: false, error: 'Launch at login could not be turned on: permission denied' }))
    expect(screen.getByTestId('launch-at-login-problem').textContent).toBe('Launch at login could not be turned on: permission denied')
  })
})
