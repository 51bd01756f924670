import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import type { SettingsPatch, SettingsState } from '@shared/contract'
import { SettingsStore } from '../../lib/state/settings.svelte'
import { installFakeBridge, makeSettingsState } from '../../test-support/fake-bridge'
import ChatSection from './ChatSection.svelte'
import { SettingsForm } from './form.svelte'

async function show(chat = { enterSends: true, showAdFooters: false }) {
  const bridge = installFakeBridge(makeSettingsState({ settings: { chat } }))
  let state: SettingsState = bridge.state
  bridge.reply('settings.update', (patch: SettingsPatch) => {
    state = { ...state, settings: { ...state.settings, chat: { ...state.settings.chat, ...patch.chat } } }
    return { ok: true, result: state }
  })
  const store = new SettingsStore({ applyTheme: () => {} })
  await store.load()
  render(ChatSection, { props: { form: new SettingsForm(store) } })
  return { bridge, store }
}

const toggle = (id: string): HTMLInputElement => screen.getByTestId(id) as HTMLInputElement

describe('Settings: Chat section', () => {
  it('shows the saved preferences and saves each toggle', async () => {
    const { bridge, store } = await show()
    expect(screen.getByText('Enter sends (Shift+Enter for a new line)')).toBeTruthy()
    expect(toggle('setting-enter-sends').checked).toBe(true)
    expect(toggle('setting-show-ad-footers').checked).toBe(false)

    await fireEvent.click(toggle('setting-enter-sends'))
    await waitFor(() => expect(bridge.callsOf('settings.update')).toEqual([{ chat: { enterSends: false } }]))
    await waitFor(() => expect(store.settings?.chat.enterSends).toBe(false))
    expect(toggle('setting-enter-sends').checked).toBe(false)

    await fireEvent.click(toggle('setting-show-ad-footers'))
    await waitFor(() => expect(bridge.callsOf('settings.update').at(-1)).toEqual({ chat: { showAdFooters: true } }))
    expect(await screen.findByTestId('saved-indicator')).toBeTruthy()
  })

  it('puts the toggle back and shows why when saving fails', async () => {
    const { bridge } = await show({ enterSends: false, showAdFooters: true })
    expect(toggle('setting-enter-sends').checked).toBe(false)
    bridge.fail('settings.update', { code: 'internal', message: 'disk full' })
    await fireEvent.click(toggle('setting-enter-sends'))
    const notice = await screen.findByTestId('error-notice')
    expect(notice.dataset.code).toBe('internal')
    expect(toggle('setting-enter-sends').checked).toBe(false)
  })
})
