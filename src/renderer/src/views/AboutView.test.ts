import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import { createStores } from '../lib/state/stores'
import { installFakeBridge, makeSettingsState } from '../test-support/fake-bridge'
import AboutView from './AboutView.svelte'

describe('AboutView', () => {
  it('shows the version and data folder, opens the folders, and resets settings only after a confirmation', async () => {
    const bridge = installFakeBridge(makeSettingsState({ settings: { theme: 'dark' } }))
    bridge.respond('app.info', { name: 'Skyport', version: '1.2.3', platform: 'linux', userDataDir: '/home/me/.config/Skyport' })
    bridge.respond('app.openDataFolder', undefined)
    bridge.respond('app.openLogsFolder', undefined)
    bridge.respond('settings.reset', makeSettingsState())
    const stores = createStores()
    await stores.settings.load()
    render(AboutView, { props: { stores } })

    await waitFor(() => expect(screen.getByTestId('about-version').textContent).toContain('Version 1.2.3'))
    expect(screen.getByTestId('about-data-folder').textContent).toBe('/home/me/.config/Skyport')
    expect(screen.getByTestId('licences').textContent).toContain('marked')

    await fireEvent.click(screen.getByTestId('open-data-folder'))
    await fireEvent.click(screen.getByTestId('about-open-logs'))
    await waitFor(() => expect(bridge.callsOf('app.openDataFolder')).toHaveLength(1))
    await waitFor(() => expect(bridge.callsOf('app.openLogsFolder')).toHaveLength(1))

    await fireEvent.click(screen.getByTestId('reset-settings'))
    expect(bridge.callsOf('settings.reset')).toHaveLength(0)
    await fireEvent.click(screen.getByTestId('reset-settings-confirm'))
    await waitFor(() => expect(bridge.callsOf('settings.reset')).toHaveLength(1))
    await screen.findByTestId('reset-done')
    expect(stores.settings.settings?.theme).toBe('system')
  })

  it('shows why a folder could not be opened', async () => {
    const bridge = installFakeBridge()
    bridge.respond('app.info', { name: 'Skyport', version: '1.2.3', platform: 'linux', userDataDir: '/data' })
    bridge.fail('app.openDataFolder', { code: 'internal', message: 'No file manager is installed.' })
    const stores = createStores()
    await stores.settings.load()
    render(AboutView, { props: { stores } })
    await fireEvent.click(screen.getByTestId('open-data-folder'))
    expect((await screen.findByTestId('error-notice')).textContent).toContain('No file manager is installed.')
  })
})
