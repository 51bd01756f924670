import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ArgsOf, MethodName, ResultOf, SettingsPatch, SettingsState } from '../../src/shared/contract'
import { createAppServices, type AppServices } from '../../src/main/app-services'
import { dispatch, type HandlerTable } from '../../src/main/bridge'
import { AppError } from '../../src/shared/errors'
import { SettingsService } from '../../src/main/services/settings'
import { defaultSettings, defaultSettingsFor } from '../../src/main/services/settings-schema'
import { startFakeApi, type FakeApi } from '../fake-api/server'
import { nodePowers, openConfSettingsStore } from '../support/node-powers'

function makeService(dir = mkdtempSync(join(tmpdir(), 'skyport-settings-'))): { service: SettingsService; dir: string; file: string } {
  const file = join(dir, 'settings.json')
  const service = new SettingsService({ openStore: () => openConfSettingsStore(dir), filePath: file, now: () => new Date('2026-01-02T03:04:05Z') })
  return { service, dir, file }
}

describe('SettingsService', () => {
  it('starts from the defaults with no notice', () => {
    const { service } = makeService()
    expect(service.get()).toEqual(defaultSettings)
    expect(service.notice).toBeNull()
  })

  it('merges partial updates, trims the base URL and persists them for the next start', () => {
    const { service, dir } = makeService()
    service.update({ baseUrl: ' http://127.0.0.1:8787/ ', timeouts: { idleMs: 5_000 }, defaultModels: { image: 'flux-anime' } })
    const again = makeService(dir).service.get()
    expect(again.baseUrl).toBe('http://127.0.0.1:8787')
    expect(again.timeouts).toEqual({ ...defaultSettings.timeouts, idleMs: 5_000 })
    expect(again.defaultModels).toEqual({ ...defaultSettings.defaultModels, image: 'flux-anime' })
  })

  it('keeps the app in the tray by default on Windows and Linux, not on macOS where the dock keeps it', () => {
    expect(defaultSettingsFor('win32').desktop.closeToTray).toBe(true)
    expect(defaultSettingsFor('linux').desktop.closeToTray).toBe(true)
    expect(defaultSettingsFor('darwin').desktop.closeToTray).toBe(false)
    expect(defaultSettingsFor('darwin').desktop).toMatchObject({ launchAtLogin: false, quickAskHidesOnBlur: false, trayNoticeShown: false })
  })

  it('gives a file from before the desktop settings their defaults, and fills a group written before a key existed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skyport-settings-'))
    const { desktop: _omitted, ...older } = defaultSettings
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ ...older, theme: 'dark' }))
    const fromOld = makeService(dir).service
    expect(fromOld.notice).toBeNull()
    expect(fromOld.get()).toMatchObject({ theme: 'dark', desktop: defaultSettings.desktop })

    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ ...older, desktop: { launchAtLogin: true } }))
    const partial = makeService(dir).service
    expect(partial.notice).toBeNull()
    expect(partial.get().desktop).toEqual({ ...defaultSettings.desktop, launchAtLogin: true })
    partial.update({ desktop: { quickAskHidesOnBlur: true } })
    expect(makeService(dir).service.get().desktop).toEqual({ ...defaultSettings.desktop, launchAtLogin: true, quickAskHidesOnBlur: true })
  })

  it('tells listeners about changes', () => {
    const { service } = makeService()
    const seen: string[] = []
    service.onChange((settings) => seen.push(settings.theme))
    service.update({ theme: 'dark' })
    expect(seen).toEqual(['dark'])
  })

  it.each([
    [{ baseUrl: 'ftp://example.com' }, /Base URL/],
    [{ baseUrl: 'not a url' }, /Base URL/],
    [{ proxy: { mode: 'url' as const, url: 'nonsense' } }, /Proxy URL/],
    [{ timeouts: { connectMs: 10 } }, /between 1 and 600 seconds/],
    [{ theme: 'purple' as never }, /theme/i],
    [{ defaultModels: { chat: '  ' } }, /defaultModels.chat must name a model/],
    [{ quickAskShortcut: 'Ctrl+Shift+Space; rm -rf' }, /quickAskShortcut must look like/]
  ])('refuses %j with a clear message and keeps what was saved', async (patch, message) => {
    const { service, file } = makeService()
    service.update({ baseUrl: 'http://127.0.0.1:1234' })
    const before = readFileSync(file, 'utf8')
    // The way the window reaches the service: through the bridge's schema, then the service's own checks.
    const table = { 'settings.update': (checked: SettingsPatch) => service.update(checked) } as unknown as HandlerTable
    const envelope = await dispatch(table, 'settings.update', patch, { sink: { id: 1, send: () => {} } })
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: expect.stringMatching(message) } })
    expect(readFileSync(file, 'utf8')).toBe(before)
    expect(service.get().baseUrl).toBe('http://127.0.0.1:1234')
  })

  it.each([
    ['is not JSON', '{ "baseUrl": "http://x", ', /not valid JSON/],
    ['breaks the schema', JSON.stringify({ ...defaultSettings, theme: 'neon', timeouts: { connectMs: 'soon' } }), /not allowed \(.*theme/]
  ])('falls back to defaults when the file %s, keeps the old file and says so', (_label, content, reason) => {
    const dir = mkdtempSync(join(tmpdir(), 'skyport-settings-'))
    writeFileSync(join(dir, 'settings.json'), content)
    const { service } = makeService(dir)
    expect(service.get()).toEqual(defaultSettings)
    expect(service.notice).toMatch(/could not be read/)
    expect(service.notice).toMatch(reason)
    const backups = readdirSync(dir).filter((name) => name.includes('unreadable'))
    expect(backups).toHaveLength(1)
    expect(readFileSync(join(dir, backups[0]!), 'utf8')).toBe(content)
    // The new file works normally afterwards.
    service.update({ theme: 'light' })
    expect(makeService(dir).service.get().theme).toBe('light')
  })

  it('resets to the defaults', () => {
    const { service } = makeService()
    service.update({ theme: 'dark', baseUrl: 'http://localhost:1' })
    expect(service.reset()).toEqual(defaultSettings)
  })
})

describe('the API key follows the server it was saved for', () => {
  const KEY = 'sk-bound-0123456789-wxyz'
  const sink = { id: 1, send: () => {} }
  let first: FakeApi
  let second: FakeApi
  let opened: AppServices[]

  beforeAll(async () => {
    first = await startFakeApi({})
    second = await startFakeApi({})
  })
  afterAll(async () => {
    await Promise.all([first.close(), second.close()])
  })
  beforeEach(() => {
    first.requests.length = 0
    second.requests.length = 0
    opened = []
  })
  afterEach(async () => {
    await Promise.all(opened.map((services) => services.close()))
  })

  const originOf = (fake: FakeApi): string => new URL(fake.url).origin
  const authorizations = (fake: FakeApi): unknown[] => fake.requests.map((request) => request.headers['authorization'])

  async function start(userDataDir = mkdtempSync(join(tmpdir(), 'skyport-bound-'))) {
    const powers = nodePowers({ userDataDir })
    const services = await createAppServices(powers)
    opened.push(services)
    // Through dispatch, as the window calls it: schema first, and errors come back as AppErrors.
    const call = async <M extends MethodName>(method: M, ...args: [ArgsOf<M>] extends [null | undefined] ? [] : [ArgsOf<M>]): Promise<ResultOf<M>> => {
      const envelope = await dispatch(services.handlers, method, args[0], { sink })
      if (!envelope.ok) throw AppError.fromData(envelope.error)
      return envelope.result as ResultOf<M>
    }
    return { powers, services, call, userDataDir }
  }

  /** The first server with a key saved for it, which it receives. */
  async function withKeyOnFirst() {
    const app = await start()
    await app.call('settings.update', { baseUrl: `${first.url}/v1` })
    await app.call('key.set', { key: KEY })
    await app.call('connection.test')
    expect(authorizations(first)).toEqual([`Bearer ${KEY}`])
    return app
  }

  it('is not sent to a new server the person declined, not even to /check, until they agree', async () => {
    const { powers, services, call } = await withKeyOnFirst()
    const broadcasts: SettingsState[] = []
    services.onBroadcast((event, payload) => {
      if (event === 'settings.changed') broadcasts.push(payload as SettingsState)
    })

    const moved = await call('settings.update', { baseUrl: second.url })
    expect(powers.dialogScript.confirmsShown).toHaveLength(1)
    const asked = powers.dialogScript.confirmsShown[0]!
    expect(asked).toMatchObject({ message: `Send your API key to ${originOf(second)}?`, confirmLabel: 'Send the key', cancelLabel: "Don't send" })
    expect(asked.detail).toContain(`saved for ${originOf(first)}`)
    // Declined: the base URL still moved, the key stayed with its server.
    expect(moved.settings.baseUrl).toBe(second.url)
    expect(moved.key).toMatchObject({ set: true, last4: 'wxyz', origin: originOf(first), appliesToBaseUrl: false })

    const test = await call('connection.test')
    expect(test.modelCount).toBeGreaterThan(0)
    await expect(call('key.check')).rejects.toMatchObject({ code: 'no_key', message: expect.stringContaining(`is for ${originOf(first)}`) })
    expect(second.requests.length).toBeGreaterThan(0)
    expect(authorizations(second).every((value) => value === undefined)).toBe(true)
    expect(JSON.stringify(second.requests)).not.toContain(KEY)

    powers.dialogScript.confirm.push(true)
    expect(await call('key.bind')).toMatchObject({ origin: originOf(second), appliesToBaseUrl: true })
    expect(powers.dialogScript.confirmsShown).toHaveLength(2)
    expect(broadcasts.at(-1)?.key).toMatchObject({ origin: originOf(second), appliesToBaseUrl: true })

    second.requests.length = 0
    first.requests.length = 0
    await call('connection.test')
    expect(await call('key.check')).toMatchObject({ info: 'Premium key' })
    expect(authorizations(second)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`])
    expect(second.requests[1]?.query).toEqual({ key: KEY })
    expect(first.requests).toEqual([])
  })

  it('goes to the new server at once when the person agrees in the dialog, and stays bound there after a restart', async () => {
    const { powers, call, userDataDir } = await withKeyOnFirst()
    powers.dialogScript.confirm.push(true)
    const moved = await call('settings.update', { baseUrl: second.url })
    expect(moved.key).toMatchObject({ origin: originOf(second), appliesToBaseUrl: true })
    await call('connection.test')
    expect(authorizations(second)).toEqual([`Bearer ${KEY}`])

    // Back to the first server: it is asked again, since the key now belongs to the second.
    first.requests.length = 0
    const back = await call('settings.update', { baseUrl: first.url })
    expect(powers.dialogScript.confirmsShown).toHaveLength(2)
    expect(back.key).toMatchObject({ origin: originOf(second), appliesToBaseUrl: false })
    await call('connection.test')
    expect(authorizations(first)).toEqual([undefined])

    const again = await start(userDataDir)
    expect(await again.call('settings.get')).toMatchObject({ key: { set: true, origin: originOf(second), appliesToBaseUrl: false } })
  })

  it('asks only when the server changes and a key is saved for another one', async () => {
    const { powers, call } = await withKeyOnFirst()
    await call('settings.update', { baseUrl: `${first.url}/` })
    await call('settings.update', { theme: 'dark' })
    expect(powers.dialogScript.confirmsShown).toEqual([])
    // Resetting moves to the default server: that is a move too.
    expect((await call('settings.reset')).key).toMatchObject({ origin: originOf(first), appliesToBaseUrl: false })
    expect(powers.dialogScript.confirmsShown).toHaveLength(1)

    const fresh = await start()
    await fresh.call('settings.update', { baseUrl: second.url })
    expect(fresh.powers.dialogScript.confirmsShown).toEqual([])
    await expect(fresh.call('key.bind')).rejects.toMatchObject({ code: 'no_key' })
  })
})
