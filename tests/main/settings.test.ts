import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dispatch, type HandlerTable } from '../../src/main/bridge'
import type { SettingsPatch } from '../../src/shared/contract'
import { SettingsService } from '../../src/main/services/settings'
import { defaultSettings } from '../../src/main/services/settings-schema'
import { openConfSettingsStore } from '../support/node-powers'

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
