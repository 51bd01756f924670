import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import { SettingsStore } from '../../lib/state/settings.svelte'
import { installFakeBridge, makeSettingsState } from '../../test-support/fake-bridge'
import { SettingsForm } from './form.svelte'
import TextSection from './TextSection.svelte'
import UpdatesSection from './UpdatesSection.svelte'

async function form(state = makeSettingsState()) {
  const bridge = installFakeBridge(state)
  const store = new SettingsStore({ applyTheme: () => {} })
  await store.load()
  return { bridge, store, form: new SettingsForm(store) }
}

describe('Settings: text and spelling', () => {
  it('saves the message text size and the spellchecker switch', async () => {
    const { bridge, form: settingsForm, store } = await form()
    render(TextSection, { props: { form: settingsForm } })
    const size = screen.getByLabelText('Message text size') as HTMLSelectElement
    expect(size.value).toBe('14')
    expect(size.options[0]?.value).toBe('12')
    expect(size.options[size.options.length - 1]?.value).toBe('24')
    await fireEvent.change(size, { target: { value: '17' } })
    await waitFor(() => expect(store.settings?.appearance.messageFontSize).toBe(17))
    expect(bridge.callsOf('settings.update')).toEqual([{ appearance: { messageFontSize: 17 } }])

    await fireEvent.click(screen.getByTestId('setting-spellcheck'))
    await waitFor(() => expect(store.settings?.spellcheck.enabled).toBe(false))
    // No languages to choose while it is off.
    expect((screen.getByTestId('setting-spellcheck-languages') as HTMLInputElement).disabled).toBe(true)
  })

  it('saves spelling languages as a list, and shows main’s refusal while keeping what was typed', async () => {
    const { bridge, form: settingsForm, store } = await form(makeSettingsState({ settings: { spellcheck: { enabled: true, languages: ['en-GB'] } } }))
    render(TextSection, { props: { form: settingsForm } })
    const input = screen.getByTestId('setting-spellcheck-languages') as HTMLInputElement
    expect(input.value).toBe('en-GB')
    await fireEvent.input(input, { target: { value: 'en-US,  de-DE' } })
    await fireEvent.change(input)
    await waitFor(() => expect(store.settings?.spellcheck.languages).toEqual(['en-US', 'de-DE']))
    expect(bridge.callsOf('settings.update').at(-1)).toEqual({ spellcheck: { languages: ['en-US', 'de-DE'] } })

    bridge.fail('settings.update', { code: 'invalid_argument', message: 'spellcheck.languages[0] must be a language code such as en-US' })
    await fireEvent.input(input, { target: { value: 'english' } })
    await fireEvent.change(input)
    expect((await screen.findByTestId('error-notice')).textContent).toContain('language code')
    expect(input.value).toBe('english')
    expect(store.settings?.spellcheck.languages).toEqual(['en-US', 'de-DE'])
  })
})

describe('Settings: updates', () => {
  it('shows the download’s progress, then Restart to update, which asks main to restart', async () => {
    const { bridge, form: settingsForm } = await form()
    bridge.reply('update.restart', () => ({ ok: true, result: undefined }))
    render(UpdatesSection, { props: { form: settingsForm } })
    await waitFor(() => expect(screen.getByTestId('update-status').textContent).toContain('Not checked yet'))
    bridge.emit('update.state', { status: 'downloading', version: '0.2.0', percent: 37.4, transferred: 39_216_000, total: 104_857_600, bytesPerSecond: 1 })
    await waitFor(() => expect(screen.getByTestId('update-status').textContent).toContain('37 %'))
    expect((screen.getByTestId('update-progress') as HTMLProgressElement).value).toBeCloseTo(37.4)
    expect(screen.queryByTestId('update-restart')).toBeNull()

    bridge.emit('update.state', { status: 'ready', version: '0.2.0' })
    await fireEvent.click(await screen.findByTestId('update-restart'))
    await waitFor(() => expect(bridge.callsOf('update.restart')).toHaveLength(1))
    expect(screen.queryByTestId('update-progress')).toBeNull()
  })

  it('checks now, says when it is up to date or why it failed, and turns automatic checks off', async () => {
    const { bridge, form: settingsForm, store } = await form()
    bridge.reply('update.check', () => ({ ok: true, result: { status: 'error' as const, message: 'net::ERR_INTERNET_DISCONNECTED', at: 0 } }))
    render(UpdatesSection, { props: { form: settingsForm } })
    await fireEvent.click(await screen.findByTestId('update-check'))
    await waitFor(() => expect(screen.getByTestId('update-status').textContent).toContain('The update failed: net::ERR_INTERNET_DISCONNECTED'))
    await fireEvent.click(screen.getByTestId('setting-updates-auto'))
    await waitFor(() => expect(store.settings?.updates.autoCheck).toBe(false))
  })

  it('says why a build cannot update itself, with no buttons', async () => {
    const { bridge, form: settingsForm } = await form()
    bridge.reply('update.state', () => ({ ok: true, result: { status: 'unsupported' as const, reason: 'Updates come with the installed app.' } }))
    render(UpdatesSection, { props: { form: settingsForm } })
    await waitFor(() => expect(screen.getByTestId('update-status').textContent).toBe('Updates come with the installed app.'))
    expect(screen.queryByTestId('update-check')).toBeNull()
    expect(screen.queryByTestId('update-restart')).toBeNull()
  })
})

describe('Settings: updates while downloading', () => {
  it('offers no second check while an update downloads', async () => {
    const { bridge, form: settingsForm } = await form()
    bridge.reply('update.state', () => ({ ok: true, result: { status: 'available' as const, version: '0.2.0' } }))
    render(UpdatesSection, { props: { form: settingsForm } })
    await waitFor(() => expect(screen.getByTestId('update-status').textContent).toContain('Version 0.2.0 found'))
    expect(screen.queryByTestId('update-check')).toBeNull()
    expect(screen.getByTestId('update-progress')).toBeTruthy()
  })
})
