import { flushSync } from 'svelte'
import { describe, expect, it } from 'vitest'
import { installFakeBridge, makeSettingsState } from '../../test-support/fake-bridge'
import { Draft } from './draft.svelte'
import { ModelsStore } from './models.svelte'
import { SettingsStore } from './settings.svelte'
import { connectionContext } from './stores'

describe('SettingsStore', () => {
  it('loads, follows settings.changed and stops following on dispose', async () => {
    const bridge = installFakeBridge()
    const themes: string[] = []
    const store = new SettingsStore({ applyTheme: (theme) => themes.push(theme) })
    await store.load()
    expect(store.host).toBe('api.airforce')
    expect(themes).toEqual(['system'])

    bridge.emit('settings.changed', makeSettingsState({ settings: { baseUrl: 'http://localhost:1234', theme: 'dark' } }))
    expect(store.host).toBe('localhost:1234')
    expect(themes).toEqual(['system', 'dark'])

    store.dispose()
    expect(bridge.listenerCount('settings.changed')).toBe(0)
  })

  it('throws the AppError from update and keeps the old state', async () => {
    const bridge = installFakeBridge()
    const store = new SettingsStore({ applyTheme: () => {} })
    await store.load()
    bridge.fail('settings.update', { code: 'invalid_argument', message: 'nope' })
    await expect(store.update({ baseUrl: 'x' })).rejects.toMatchObject({ name: 'AppError', code: 'invalid_argument' })
    expect(store.settings?.baseUrl).toBe('https://api.airforce')
    expect(store.saving).toBe(false)
  })

  it('forgets old check results when the key changes', async () => {
    const bridge = installFakeBridge()
    const store = new SettingsStore({ applyTheme: () => {} })
    await store.load()
    bridge.respond('key.check', { info: 'Basic key', details: {} })
    await store.checkKey()
    expect(store.keyCheck).toMatchObject({ ok: true })
    bridge.respond('key.set', { set: true, last4: '9999', protection: 'os', sessionOnly: false, origin: 'https://api.airforce', appliesToBaseUrl: true })
    expect(await store.setKey('sk-9999')).toBe(true)
    expect(store.keyCheck).toBeNull()
    expect(store.key?.last4).toBe('9999')
  })

  it('sees a key sent to the server anew as a new connection, so models are asked again', async () => {
    const elsewhere = makeSettingsState({ settings: { baseUrl: 'http://127.0.0.1:8787' }, key: { set: true, last4: 'abcd', appliesToBaseUrl: false } })
    const bridge = installFakeBridge(elsewhere)
    const store = new SettingsStore({ applyTheme: () => {} })
    await store.load()
    const before = connectionContext(store)
    bridge.respond('key.bind', { ...elsewhere.key, origin: 'http://127.0.0.1:8787', appliesToBaseUrl: true })
    expect(await store.bindKey()).toBe(true)
    expect(store.key?.appliesToBaseUrl).toBe(true)
    expect(connectionContext(store)).not.toBe(before)
  })

  it('records load errors', async () => {
    const bridge = installFakeBridge()
    bridge.fail('settings.get', { code: 'internal', message: 'broken' })
    const store = new SettingsStore({ applyTheme: () => {} })
    await store.load()
    expect(store.state).toBeNull()
    expect(store.error?.code).toBe('internal')
  })
})

describe('ModelsStore', () => {
  it('loads once per context and refreshes when the context changes', async () => {
    const bridge = installFakeBridge()
    const store = new ModelsStore()
    await store.ensure('a')
    await store.ensure('a')
    expect(bridge.callsOf('models.list')).toEqual([{}])
    await store.ensure('b')
    expect(bridge.callsOf('models.list')).toEqual([{}, { refresh: true }])
    store.filter = 'llama'
    expect(store.filtered.map((m) => m.id)).toEqual(['llama-3.1-70b-chat'])
  })

  it('keeps the fallback reason', async () => {
    const bridge = installFakeBridge()
    bridge.respond('models.list', { models: [], source: 'fallback', error: { code: 'timeout', message: 'slow' } })
    const store = new ModelsStore()
    await store.load()
    expect(store.source).toBe('fallback')
    expect(store.fallbackReason?.code).toBe('timeout')
  })
})

describe('Draft', () => {
  it('keeps an edit until the saved value itself changes', () => {
    const saved = $state({ current: { a: 'one', b: 'x' } })
    const draft = new Draft(() => saved.current.a)
    draft.value = 'typed'
    expect(draft.value).toBe('typed')
    expect(draft.dirty).toBe(true)
    saved.current = { ...saved.current, b: 'y' } // an unrelated change keeps the edit
    flushSync()
    expect(draft.value).toBe('typed')
    saved.current = { ...saved.current, a: 'two' }
    expect(draft.value).toBe('two')
    expect(draft.dirty).toBe(false)
  })
})
