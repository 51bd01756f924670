/**
 * The update service driven by a fake electron-updater: no update, an update
 * found and downloaded with progress, a download error, and ready → restart
 * after running work is saved. Through the real services and bridge too.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAppServices, type AppServices } from '../../src/main/app-services'
import { dispatch } from '../../src/main/bridge'
import { UpdateService } from '../../src/main/services/updates'
import type { UpdateState } from '../../src/shared/contract'
import { FakeUpdater } from '../support/fake-updater'
import { nodePowers } from '../support/node-powers'

const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn() }

function service(options: { autoCheck?: boolean; beforeRestart?: () => Promise<void>; updater?: FakeUpdater | null } = {}) {
  const updater = options.updater === undefined ? new FakeUpdater() : options.updater
  let autoCheck = options.autoCheck ?? true
  const states: UpdateState[] = []
  const updates = new UpdateService({
    updater,
    autoCheck: () => autoCheck,
    beforeRestart: options.beforeRestart ?? (async () => {}),
    logger,
    now: () => 1_000,
    intervalMs: 50
  })
  updates.onChange((state) => states.push(state))
  return { updater: updater as FakeUpdater, updates, states, setAutoCheck: (on: boolean) => (autoCheck = on) }
}

afterEach(() => vi.useRealTimers())

describe('updates', () => {
  it('no update: checking, then idle with the time of the check', async () => {
    const { updates, states } = service()
    expect(await updates.check()).toEqual({ status: 'idle', checkedAt: 1_000 })
    expect(states.map((state) => state.status)).toEqual(['checking', 'idle'])
  })

  it('an update found downloads in the background with progress, then is ready', async () => {
    const { updater, updates, states } = service()
    updater.next = { kind: 'found', version: '0.2.0' }
    expect(await updates.check()).toEqual({ status: 'available', version: '0.2.0' })
    updater.progress({ percent: 42.5, transferred: 425, total: 1000, bytesPerSecond: 100 })
    expect(updates.state).toEqual({ status: 'downloading', version: '0.2.0', percent: 42.5, transferred: 425, total: 1000, bytesPerSecond: 100 })
    // No second check while it downloads.
    await updates.check()
    expect(updater.checks).toBe(1)
    updater.downloaded('0.2.0')
    expect(updates.state).toEqual({ status: 'ready', version: '0.2.0' })
    expect(states.map((state) => state.status)).toEqual(['checking', 'available', 'downloading', 'ready'])
  })

  it('a download error is shown with its first line, and a later check starts over', async () => {
    const { updater, updates } = service()
    updater.next = { kind: 'found', version: '0.2.0' }
    await updates.check()
    updater.downloadFailed('sha512 checksum mismatch\n    at verify (stack...)')
    expect(updates.state).toEqual({ status: 'error', message: 'sha512 checksum mismatch', at: 1_000 })
    updater.next = { kind: 'none' }
    expect((await updates.check()).status).toBe('idle')
  })

  it('a failed check (offline) is an error state, not a rejection', async () => {
    const { updater, updates } = service()
    updater.next = { kind: 'fail', message: 'net::ERR_INTERNET_DISCONNECTED' }
    expect(await updates.check()).toEqual({ status: 'error', message: 'net::ERR_INTERNET_DISCONNECTED', at: 1_000 })
  })

  it('ready: Restart to update saves running work first, then installs', async () => {
    const order: string[] = []
    const { updater, updates } = service({ beforeRestart: async () => void order.push('saved') })
    await expect(updates.restart()).rejects.toThrow(/No update is ready/)
    updater.next = { kind: 'found', version: '0.2.0' }
    await updates.check()
    updater.downloaded('0.2.0')
    const install = updater.quitAndInstall.bind(updater)
    updater.quitAndInstall = () => {
      order.push('install')
      install()
    }
    await updates.restart()
    expect(order).toEqual(['saved', 'install'])
    expect(updates.restarting).toBe(true)
  })

  it('checks at start and every few hours, and stops when the setting is turned off', async () => {
    const { updater, updates, setAutoCheck } = service()
    updates.schedule()
    await vi.waitFor(() => expect(updater.checks).toBeGreaterThanOrEqual(3))
    setAutoCheck(false)
    updates.schedule()
    const after = updater.checks
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(updater.checks).toBe(after)
  })

  it('never checks when the setting is off', async () => {
    const { updater, updates } = service({ autoCheck: false })
    updates.schedule()
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(updater.checks).toBe(0)
  })

  it('a build without an updater says why and never checks', async () => {
    const { updates } = service({ updater: null })
    expect(updates.state.status).toBe('unsupported')
    expect((await updates.check()).status).toBe('unsupported')
  })
})

describe('updates through the services', () => {
  let services: AppServices | null = null
  afterEach(async () => {
    await services?.close()
    services = null
  })

  it('broadcasts every state, turns checks off from the settings, and closes the services before installing', async () => {
    const updater = new FakeUpdater()
    updater.next = { kind: 'found', version: '0.3.0' }
    const powers = { ...nodePowers({ userDataDir: mkdtempSync(join(tmpdir(), 'skyport-updates-')) }), updater }
    services = await createAppServices(powers)
    const broadcast: UpdateState[] = []
    services.onBroadcast((event, payload) => {
      if (event === 'update.state') broadcast.push(payload as UpdateState)
    })
    // The check at start already ran.
    await vi.waitFor(() => expect(services!.updates.state.status).toBe('available'))
    expect(updater.checks).toBe(1)
    updater.downloaded('0.3.0')
    expect(broadcast.at(-1)).toEqual({ status: 'ready', version: '0.3.0' })

    const sink = { id: 1, send: () => {} }
    const state = await dispatch(services.handlers, 'update.state', undefined, { sink }, { redact: (text) => text })
    expect(state).toEqual({ ok: true, result: { status: 'ready', version: '0.3.0' } })

    const close = vi.spyOn(services, 'close')
    const restarted = await dispatch(services.handlers, 'update.restart', undefined, { sink }, { redact: (text) => text })
    expect(restarted.ok).toBe(true)
    expect(close).toHaveBeenCalled()
    expect(updater.installs).toBe(1)
    services = null
  })

  it('a build without an updater reports it over the bridge', async () => {
    services = await createAppServices(nodePowers({ userDataDir: mkdtempSync(join(tmpdir(), 'skyport-updates-')) }))
    const sink = { id: 1, send: () => {} }
    const result = await dispatch(services.handlers, 'update.check', undefined, { sink }, { redact: (text) => text })
    expect(result).toMatchObject({ ok: true, result: { status: 'unsupported' } })
  })
})
