/**
 * Quitting while requests hang: every request made through the app's HTTP
 * client stops at once and the services close within the grace period, not
 * after the server's header timeout.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppServices } from '../../src/main/app-services'
import { AppError } from '../../src/shared/errors'
import { startFakeApi, type FakeApi } from '../fake-api/server'
import { nodePowers } from '../support/node-powers'

let fake: FakeApi

beforeAll(async () => {
  fake = await startFakeApi({})
})
afterAll(async () => {
  await fake.close()
})

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a failure')
}

describe('quit', () => {
  it('aborts the model list, the key check and the connection test, and closes within the grace period', async () => {
    const services = await createAppServices(nodePowers({ userDataDir: mkdtempSync(join(tmpdir(), 'skyport-quit-')) }))
    // The default header timeout (60 s) is what quit used to wait for.
    services.settings.update({ baseUrl: fake.url })
    expect(services.settings.get().timeouts.headersMs).toBe(60_000)
    await services.keyVault.set('sk-quit-test-key', services.settings.get().baseUrl)
    fake.inject({ kind: 'slow-first-byte', delayMs: 30_000 }, { times: 0 })
    const ctx = { sink: { id: 1, send: () => undefined } }

    const pending = [
      rejection(services.gateway.listModels()),
      rejection(Promise.resolve(services.handlers['key.check'](undefined, ctx))),
      rejection(Promise.resolve(services.handlers['connection.test'](undefined, ctx)))
    ]
    while (fake.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 10))

    const started = performance.now()
    await services.close()
    const closeMs = performance.now() - started
    expect(closeMs).toBeLessThan(2_500)

    for (const error of await Promise.all(pending)) {
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).code).toBe('aborted')
    }
    fake.clearFaults()
  })
})
