import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import { SettingsStore } from '../../lib/state/settings.svelte'
import { installFakeBridge, makeSettingsState } from '../../test-support/fake-bridge'
import JobsSection from './JobsSection.svelte'
import { SettingsForm } from './form.svelte'

async function show(concurrency = 1) {
  const bridge = installFakeBridge(makeSettingsState({ settings: { jobs: { concurrency } } }))
  const store = new SettingsStore({ applyTheme: () => {} })
  await store.load()
  render(JobsSection, { props: { form: new SettingsForm(store) } })
  return { bridge, store }
}

const select = (): HTMLSelectElement => screen.getByLabelText('Requests at once per endpoint') as HTMLSelectElement

describe('Settings: requests at once per endpoint', () => {
  it('shows the saved value, offers 1 to 4, and saves a new one', async () => {
    const { bridge, store } = await show(1)
    expect(select().value).toBe('1')
    expect([...select().options].map((option) => option.value)).toEqual(['1', '2', '3', '4'])

    await fireEvent.change(select(), { target: { value: '3' } })
    await waitFor(() => expect(bridge.callsOf('settings.update')).toEqual([{ jobs: { concurrency: 3 } }]))
    await waitFor(() => expect(store.settings?.jobs.concurrency).toBe(3))
    expect(select().value).toBe('3')
    expect(await screen.findByTestId('saved-indicator')).toBeTruthy()
  })

  it('puts the saved value back and shows why when saving fails', async () => {
    const { bridge } = await show(2)
    expect(select().value).toBe('2')
    bridge.fail('settings.update', { code: 'invalid_argument', message: 'jobs.concurrency must be at most 4' })
    await fireEvent.change(select(), { target: { value: '4' } })
    const notice = await screen.findByTestId('error-notice')
    expect(notice.textContent).toContain('at most 4')
    await waitFor(() => expect(select().value).toBe('2'))
  })
})
