import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import type { KeyStatus, SettingsState } from '@shared/contract'
import { createStores, type AppStores } from '../lib/state/stores'
import { installFakeBridge, makeSettingsState, type FakeBridge } from '../test-support/fake-bridge'
import SettingsView from './SettingsView.svelte'

let bridge: FakeBridge
let stores: AppStores

async function show(state: SettingsState = makeSettingsState()): Promise<void> {
  bridge = installFakeBridge(state)
  stores = createStores()
  await stores.settings.load()
  render(SettingsView, { props: { stores } })
}

function input(testId: string): HTMLInputElement {
  return screen.getByTestId(testId) as HTMLInputElement
}

/** Types into a field and commits it (blur / Enter fire `change`). */
async function enter(testId: string, value: string): Promise<void> {
  const field = input(testId)
  await fireEvent.input(field, { target: { value } })
  await fireEvent.change(field)
}

const status = (set: boolean, extra: Partial<KeyStatus> = {}): KeyStatus => ({
  set,
  last4: set ? 'abcd' : null,
  protection: 'os',
  sessionOnly: false,
  origin: set ? 'https://api.airforce' : null,
  appliesToBaseUrl: set,
  ...extra
})

describe('SettingsView: API key', () => {
  const fullKey = 'sk-airforce-0123456789-secret-abcd'

  it('saves a key and then shows only its last four characters', async () => {
    await show()
    expect(screen.getByTestId('view-settings')).toBeTruthy()
    expect(screen.getByTestId('api-key-status').textContent).toContain('No key')
    bridge.respond('key.set', status(true))

    await fireEvent.input(input('api-key-input'), { target: { value: fullKey } })
    await fireEvent.click(screen.getByTestId('api-key-save'))

    await waitFor(() => expect(screen.getByTestId('api-key-status').textContent).toContain('•••• abcd'))
    expect(bridge.callsOf('key.set')).toEqual([{ key: fullKey }])
    expect(document.body.innerHTML).not.toContain(fullKey)
    expect(document.body.innerHTML).not.toContain('0123456789')
    for (const field of document.querySelectorAll('input')) expect(field.value).not.toContain('secret')
    expect(screen.queryByTestId('api-key-input')).toBeNull()
    expect(screen.getByTestId('api-key-replace')).toBeTruthy()
    expect(screen.getByTestId('api-key-remove')).toBeTruthy()
  })

  it('uses a password field and does not save an empty key', async () => {
    await show()
    expect(input('api-key-input').type).toBe('password')
    expect((screen.getByTestId('api-key-save') as HTMLButtonElement).disabled).toBe(true)
    await fireEvent.input(input('api-key-input'), { target: { value: '   ' } })
    expect((screen.getByTestId('api-key-save') as HTMLButtonElement).disabled).toBe(true)
  })

  it('shows why a key could not be stored', async () => {
    await show()
    bridge.fail('key.set', { code: 'encryption_unavailable', message: 'The OS refused to encrypt.' })
    await fireEvent.input(input('api-key-input'), { target: { value: fullKey } })
    await fireEvent.click(screen.getByTestId('api-key-save'))
    const notice = await screen.findByTestId('error-notice')
    expect(notice.dataset.code).toBe('encryption_unavailable')
    expect(screen.getByTestId('api-key-status').textContent).toContain('No key')
  })

  it('replaces and removes a stored key', async () => {
    await show(makeSettingsState({ key: status(true) }))
    expect(screen.getByTestId('api-key-status').textContent).toContain('•••• abcd')
    expect(screen.queryByTestId('api-key-input')).toBeNull()

    await fireEvent.click(screen.getByTestId('api-key-replace'))
    bridge.respond('key.set', status(true, { last4: 'wxyz' }))
    await fireEvent.input(input('api-key-input'), { target: { value: 'sk-new-key-wxyz' } })
    await fireEvent.click(screen.getByTestId('api-key-save'))
    await waitFor(() => expect(screen.getByTestId('api-key-status').textContent).toContain('•••• wxyz'))

    bridge.respond('key.clear', status(false))
    await fireEvent.click(screen.getByTestId('api-key-remove'))
    await waitFor(() => expect(screen.getByTestId('api-key-status').textContent).toContain('No key'))
    expect(bridge.callsOf('key.clear')).toHaveLength(1)
    expect(screen.getByTestId('api-key-input')).toBeTruthy()
  })

  it('warns when the key is only obfuscated (basic_text)', async () => {
    await show(makeSettingsState({ key: status(true, { protection: 'basic_text' }) }))
    const warning = screen.getByTestId('protection-warning').textContent ?? ''
    expect(warning).toContain('no secret service')
    expect(warning).toContain('gnome-keyring or KWallet')
  })

  it('warns when the key lives for this session only', async () => {
    await show(makeSettingsState({ key: status(true, { protection: 'unavailable', sessionOnly: true }) }))
    expect(screen.getByTestId('protection-warning').textContent).toContain('kept for this session only')
  })

  it('shows no warning when the OS encrypts the key', async () => {
    await show(makeSettingsState({ key: status(true) }))
    expect(screen.queryByTestId('protection-warning')).toBeNull()
  })

  it('shows the /check answer', async () => {
    await show(makeSettingsState({ key: status(true) }))
    bridge.respond('key.check', { info: 'Premium key', details: { credits: 42, expired: false, plan_name: 'pro' } })
    await fireEvent.click(screen.getByTestId('check-key'))
    const result = await screen.findByTestId('key-check-result')
    const text = result.textContent ?? ''
    expect(text).toContain('Premium key')
    expect(text).toContain('Credits')
    expect(text).toContain('42')
    expect(text).toContain('Plan name')
    expect(text).toContain('No')
  })

  it('shows a failed key check with its code', async () => {
    await show(makeSettingsState({ key: status(true) }))
    bridge.fail('key.check', { code: 'unauthorized', message: 'Invalid key', status: 401 })
    await fireEvent.click(screen.getByTestId('check-key'))
    const result = await screen.findByTestId('key-check-result')
    const notice = result.querySelector<HTMLElement>('[data-testid="error-notice"]')
    expect(notice?.dataset.code).toBe('unauthorized')
    expect(result.textContent).toContain('The server rejected the API key')
    expect(result.textContent).toContain('HTTP 401')
  })

  it('shows the server the key is for', async () => {
    await show(makeSettingsState({ key: status(true) }))
    expect(screen.getByTestId('api-key-origin').textContent).toBe('for https://api.airforce')
    expect(screen.queryByTestId('api-key-elsewhere')).toBeNull()
  })

  it('says when the key belongs to another server, and sends it there only through main', async () => {
    const elsewhere = status(true, { origin: 'https://api.airforce', appliesToBaseUrl: false })
    await show(makeSettingsState({ settings: { baseUrl: 'http://127.0.0.1:8787/v1' }, key: elsewhere }))
    const note = screen.getByTestId('api-key-elsewhere').textContent ?? ''
    expect(note).toContain('saved for https://api.airforce')
    expect(note).toContain('not sent to http://127.0.0.1:8787')

    // Declined in main's dialog: nothing changes.
    bridge.respond('key.bind', elsewhere)
    await fireEvent.click(screen.getByTestId('api-key-bind'))
    await waitFor(() => expect(bridge.callsOf('key.bind')).toHaveLength(1))
    expect(screen.getByTestId('api-key-elsewhere')).toBeTruthy()

    bridge.respond('key.bind', status(true, { origin: 'http://127.0.0.1:8787', appliesToBaseUrl: true }))
    await fireEvent.click(screen.getByTestId('api-key-bind'))
    await waitFor(() => expect(screen.queryByTestId('api-key-elsewhere')).toBeNull())
    expect(screen.getByTestId('api-key-origin').textContent).toBe('for http://127.0.0.1:8787')
  })

  it('offers to enter a key for the new server instead', async () => {
    await show(makeSettingsState({ settings: { baseUrl: 'http://127.0.0.1:8787' }, key: status(true, { appliesToBaseUrl: false }) }))
    expect(screen.queryByTestId('api-key-input')).toBeNull()
    await fireEvent.click(screen.getByTestId('api-key-enter-new'))
    expect(screen.getByTestId('api-key-input')).toBeTruthy()
    bridge.respond('key.set', status(true, { last4: 'wxyz', origin: 'http://127.0.0.1:8787' }))
    await fireEvent.input(input('api-key-input'), { target: { value: 'sk-local-wxyz' } })
    await fireEvent.click(screen.getByTestId('api-key-save'))
    await waitFor(() => expect(screen.queryByTestId('api-key-elsewhere')).toBeNull())
    expect(screen.getByTestId('api-key-status').textContent).toContain('•••• wxyz')
  })

  it('tests the connection and reports models and latency, or the error', async () => {
    await show()
    bridge.respond('connection.test', { baseUrl: 'https://api.airforce', modelCount: 107, latencyMs: 231.6 })
    await fireEvent.click(screen.getByTestId('test-connection'))
    const result = await screen.findByTestId('connection-result')
    expect(result.textContent).toContain('Connected: 107 models in 232 ms')

    bridge.fail('connection.test', { code: 'network', message: 'connect ECONNREFUSED' })
    await fireEvent.click(screen.getByTestId('test-connection'))
    await waitFor(() =>
      expect(screen.getByTestId('connection-result').querySelector('[data-code="network"]')).not.toBeNull()
    )
    expect(screen.getByTestId('connection-result').textContent).toContain('Could not reach the server')
  })
})

describe('SettingsView: fields', () => {
  beforeEach(() => {
    document.documentElement.removeAttribute('data-theme')
  })

  it('refuses an invalid base URL with a message and saves nothing', async () => {
    await show()
    await enter('base-url-input', 'not a url')
    const notice = screen.getByTestId('error-notice')
    expect(notice.dataset.code).toBe('invalid_argument')
    expect(notice.textContent).toContain('http://')
    expect(input('base-url-input').value).toBe('not a url')

    await enter('base-url-input', 'ftp://files.example.com')
    expect(screen.getByTestId('error-notice')).toBeTruthy()
    expect(bridge.callsOf('settings.update')).toEqual([])
    expect(screen.queryByTestId('saved-indicator')).toBeNull()
  })

  it('saves a valid base URL and confirms it', async () => {
    await show()
    await enter('base-url-input', '  http://localhost:11434/v1 ')
    await screen.findByTestId('saved-indicator')
    expect(bridge.callsOf('settings.update')).toEqual([{ baseUrl: 'http://localhost:11434/v1' }])
    expect(screen.queryByTestId('error-notice')).toBeNull()
  })

  it('keeps the typed text and shows the server error when saving fails', async () => {
    await show()
    bridge.fail('settings.update', { code: 'invalid_argument', message: 'Base URL must not contain credentials.' })
    await enter('base-url-input', 'https://user:pw@example.com')
    const notice = await screen.findByTestId('error-notice')
    expect(notice.textContent).toContain('Base URL must not contain credentials.')
    expect(input('base-url-input').value).toBe('https://user:pw@example.com')
    expect(screen.queryByTestId('saved-indicator')).toBeNull()
  })

  it('follows settings.changed from main', async () => {
    await show()
    expect(bridge.listenerCount('settings.changed')).toBe(1)
    bridge.emit('settings.changed', makeSettingsState({ settings: { baseUrl: 'https://other.example/v1' } }))
    await waitFor(() => expect(input('base-url-input').value).toBe('https://other.example/v1'))
  })

  it('applies and saves the theme', async () => {
    await show()
    const select = screen.getByTestId('theme-select') as HTMLSelectElement
    expect(select.tagName).toBe('SELECT')
    select.value = 'dark'
    await fireEvent.change(select)
    expect(document.documentElement.dataset.theme).toBe('dark')
    await screen.findByTestId('saved-indicator')
    expect(bridge.callsOf('settings.update')).toEqual([{ theme: 'dark' }])

    select.value = 'light'
    await fireEvent.change(select)
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('light'))
  })

  it('puts the theme back when saving it fails', async () => {
    await show(makeSettingsState({ settings: { theme: 'light' } }))
    expect(document.documentElement.dataset.theme).toBe('light')
    bridge.fail('settings.update', { code: 'internal', message: 'disk full' })
    const select = screen.getByTestId('theme-select') as HTMLSelectElement
    select.value = 'dark'
    await fireEvent.change(select)
    await screen.findByTestId('error-notice')
    expect(document.documentElement.dataset.theme).toBe('light')
  })

  it('saves timeouts in milliseconds and refuses out-of-range values', async () => {
    await show()
    expect(input('timeout-connect').value).toBe('10')
    await enter('timeout-connect', '0')
    expect(screen.getByTestId('error-notice').dataset.code).toBe('invalid_argument')
    await enter('timeout-idle', 'abc')
    expect(bridge.callsOf('settings.update')).toEqual([])

    await enter('timeout-connect', '15')
    await enter('timeout-headers', '90')
    await waitFor(() => expect(bridge.callsOf('settings.update')).toHaveLength(2))
    expect(bridge.callsOf('settings.update')).toEqual([{ timeouts: { connectMs: 15_000 } }, { timeouts: { headersMs: 90_000 } }])
  })

  it('saves a custom proxy once its URL is given', async () => {
    await show()
    expect(screen.queryByTestId('proxy-url')).toBeNull()
    const mode = screen.getByTestId('proxy-mode') as HTMLSelectElement
    mode.value = 'url'
    await fireEvent.change(mode)
    expect(bridge.callsOf('settings.update')).toEqual([])

    await enter('proxy-url', 'socks://nope')
    expect(screen.getByTestId('error-notice').dataset.code).toBe('invalid_argument')
    await enter('proxy-url', 'http://127.0.0.1:8080')
    await waitFor(() =>
      expect(bridge.callsOf('settings.update')).toEqual([{ proxy: { mode: 'url', url: 'http://127.0.0.1:8080' } }])
    )

    mode.value = 'system'
    await fireEvent.change(mode)
    await waitFor(() => expect(bridge.callsOf('settings.update').at(-1)).toEqual({ proxy: { mode: 'system' } }))
    expect(screen.queryByTestId('proxy-url')).toBeNull()
  })

  it('saves default models and offers the server list for chat', async () => {
    await show()
    await waitFor(() => expect(document.querySelectorAll('#chat-models option')).toHaveLength(3))
    const image = screen.getByTestId('default-model-image') as HTMLSelectElement
    expect([...image.options].map((o) => o.value)).toContain('stable-diffusion-xl-lightning')
    image.value = 'flux-anime'
    await fireEvent.change(image)
    await enter('default-model-chat', 'my-local-model')
    await waitFor(() => expect(bridge.callsOf('settings.update')).toHaveLength(2))
    expect(bridge.callsOf('settings.update')).toEqual([
      { defaultModels: { image: 'flux-anime' } },
      { defaultModels: { chat: 'my-local-model' } }
    ])
    const voices = screen.getByTestId('default-model-speech') as HTMLSelectElement
    expect([...voices.options].map((o) => o.value)).toEqual(['alex', 'sophia'])
  })

  it('saves the quick-ask shortcut', async () => {
    await show()
    expect(input('shortcut-input').value).toBe('CommandOrControl+Shift+Space')
    await enter('shortcut-input', 'Alt+Space')
    await screen.findByTestId('saved-indicator')
    expect(bridge.callsOf('settings.update')).toEqual([{ quickAskShortcut: 'Alt+Space' }])
  })
})

describe('SettingsView: troubleshooting', () => {
  it('opens the logs folder, and says why when it cannot', async () => {
    await show()
    bridge.respond('app.openLogsFolder', undefined)
    await fireEvent.click(screen.getByTestId('open-logs-folder'))
    await waitFor(() => expect(bridge.callsOf('app.openLogsFolder')).toHaveLength(1))
    expect(screen.queryByTestId('error-notice')).toBeNull()

    bridge.fail('app.openLogsFolder', { code: 'internal', message: 'No file manager is installed.' })
    await fireEvent.click(screen.getByTestId('open-logs-folder'))
    const notice = await screen.findByTestId('error-notice')
    expect(notice.textContent).toContain('No file manager is installed.')
  })
})
