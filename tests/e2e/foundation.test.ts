/**
 * The foundation, end to end: the built renderer in real Chromium, the real
 * main services behind the bridge, the fake gateway over loopback HTTP.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeApi, type FakeApi } from '../fake-api/server'
import { screenshot, startStack, type Stack } from './support'

const KEY = 'sk-e2e-secret-value-1234'

describe('settings, key and model list', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('opens on the model list from the server', async () => {
    const { page } = stack
    await page.getByTestId('nav-models').click()
    await page.getByTestId('view-models').waitFor()
    await page.getByTestId('model-item').first().waitFor()
    expect(await page.getByTestId('model-item').count()).toBeGreaterThan(20)
    expect(await page.getByTestId('model-list').innerText()).toContain('llama-3.1-70b-chat')
    expect(await page.getByTestId('models-source').innerText()).toContain('127.0.0.1')
    await screenshot(page, 'models-from-server')
  })

  it('sets a key that is shown masked, sent to the server, and stored encrypted', async () => {
    const { page, fake, userDataDir } = stack
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('view-settings').waitFor()
    expect(await page.getByTestId('api-key-status').innerText()).toContain('No key')

    await page.getByTestId('api-key-input').fill(KEY)
    await page.getByTestId('api-key-save').click()
    await page.getByTestId('api-key-status').filter({ hasText: '•••• 1234' }).waitFor()

    // The full key appears nowhere in the page, nor on disk in clear text.
    expect(await page.content()).not.toContain(KEY)
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('sk-e2e-secret')
    for (const name of readdirSync(userDataDir)) {
      expect(readFileSync(join(userDataDir, name)).includes(Buffer.from(KEY))).toBe(false)
    }

    await page.getByTestId('check-key').click()
    await page.getByTestId('key-check-result').waitFor()
    expect(await page.getByTestId('key-check-result').innerText()).toMatch(/key/i)

    await page.getByTestId('test-connection').click()
    await page.getByTestId('connection-result').filter({ hasText: /\d+ models/ }).waitFor()
    expect(fake.requests.some((request: { headers: Record<string, unknown> }) => request.headers['authorization'] === `Bearer ${KEY}`)).toBe(true)
    await screenshot(page, 'settings-key-set')
  })

  it('opens the logs folder from the settings', async () => {
    const { page, host, userDataDir } = stack
    await page.getByTestId('nav-settings').click()
    const button = page.getByTestId('open-logs-folder')
    await button.scrollIntoViewIfNeeded()
    await button.click()
    await expect.poll(() => host.powers.openedPaths).toEqual([join(userDataDir, 'logs')])
    expect(await page.getByTestId('error-notice').count()).toBe(0)
    await screenshot(page, 'settings-troubleshooting')
  })

  it('shows the server refusing the key (401) as a clear error', async () => {
    const { page } = stack
    await page.getByTestId('api-key-replace').click()
    await page.getByTestId('api-key-input').fill('bad-key-0000')
    await page.getByTestId('api-key-save').click()
    await page.getByTestId('api-key-status').filter({ hasText: '•••• 0000' }).waitFor()
    await page.getByTestId('test-connection').click()
    const notice = page.locator('[data-testid="error-notice"][data-code="unauthorized"]')
    await notice.waitFor()
    expect(await notice.innerText()).toMatch(/invalid api key|rejected/i)
    await screenshot(page, 'settings-error-401')
  })

  it('shows a clear error when the server is down, and falls back to the documented models', async () => {
    const { page, fake } = stack
    await fake.close()
    await page.getByTestId('test-connection').click()
    const notice = page.locator('[data-testid="error-notice"][data-code="network"]')
    await notice.waitFor({ timeout: 20_000 })
    expect(await notice.innerText()).toMatch(/could not reach/i)
    await screenshot(page, 'settings-server-down')

    await page.getByTestId('nav-models').click()
    await page.getByTestId('models-refresh').click()
    await page.getByTestId('models-source').filter({ hasText: /offline/i }).waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('model-list').innerText()).toContain('gpt-4o-mini')
    await screenshot(page, 'models-offline-fallback')
    expect(stack.pageErrors).toEqual([])
  })
})

describe('the key follows the server it was saved for', () => {
  let stack: Stack
  let second: FakeApi
  const authorizations = (fake: FakeApi): unknown[] => fake.requests.map((request) => request.headers['authorization'])

  beforeAll(async () => {
    stack = await startStack()
    second = await startFakeApi({})
  })
  afterAll(async () => {
    await stack?.close()
    await second?.close()
  })

  it('shows the key bound elsewhere after the base URL moves, and sends it only once the person agrees', async () => {
    const { page, fake, host } = stack
    const firstOrigin = new URL(fake.url).origin
    const secondOrigin = new URL(second.url).origin
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('api-key-input').fill(KEY)
    await page.getByTestId('api-key-save').click()
    await page.getByTestId('api-key-origin').filter({ hasText: firstOrigin }).waitFor()

    // The queue of dialog answers is empty: main's dialog is declined.
    await page.getByTestId('base-url-input').fill(`${second.url}/v1`)
    await page.getByTestId('base-url-input').press('Enter')
    const elsewhere = page.getByTestId('api-key-elsewhere')
    await elsewhere.waitFor()
    expect(await elsewhere.innerText()).toContain(`saved for ${firstOrigin}`)
    expect(await elsewhere.innerText()).toContain(`not sent to ${secondOrigin}`)
    expect(host.powers.dialogScript.confirmsShown.map((shown) => shown.message)).toEqual([`Send your API key to ${secondOrigin}?`])
    await screenshot(page, 'settings-key-bound-elsewhere')

    await page.getByTestId('test-connection').click()
    await page.getByTestId('connection-result').filter({ hasText: /\d+ models/ }).waitFor()
    await page.getByTestId('check-key').click()
    await page.locator('[data-testid="key-check-result"] [data-code="no_key"]').waitFor()
    expect(second.requests.length).toBeGreaterThan(0)
    expect(authorizations(second).every((value) => value === undefined)).toBe(true)
    expect(JSON.stringify(second.requests)).not.toContain(KEY)

    host.powers.dialogScript.confirm.push(true)
    await page.getByTestId('api-key-bind').click()
    await page.getByTestId('api-key-elsewhere').waitFor({ state: 'detached' })
    expect(await page.getByTestId('api-key-origin').innerText()).toContain(secondOrigin)
    await page.getByTestId('test-connection').click()
    await page.getByTestId('connection-result').filter({ hasText: /\d+ models/ }).waitFor()
    expect(authorizations(second)).toContain(`Bearer ${KEY}`)
    expect(stack.pageErrors).toEqual([])
  })
})

describe('streams over the bridge', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('streams a completion as coalesced deltas and ends with usage', async () => {
    const result = await stack.page.evaluate(async () => {
      const api = window.api
      const requestId = crypto.randomUUID()
      let text = ''
      let deltas = 0
      const done = new Promise<unknown>((resolve) => {
        api.on('completion.delta', (event) => {
          if (event.requestId !== requestId) return
          deltas++
          text += event.content
        })
        api.on('completion.done', (event) => event.requestId === requestId && resolve(event))
        api.on('completion.failed', (event) => event.requestId === requestId && resolve(event))
      })
      const started = await api.completion.start({ requestId, model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello, words:300' }] })
      return { started, final: await done, text, deltas }
    })
    expect(result.started).toEqual({ ok: true, result: { requestId: expect.any(String) } })
    expect(result.final).toMatchObject({ finishReason: 'stop', usage: { completionTokens: expect.any(Number) } })
    expect(result.text.split(/\s+/).length).toBeGreaterThan(200)
    // Many server chunks, far fewer bridge messages.
    const serverChunks = result.text.length / 4
    expect(result.deltas).toBeLessThan(serverChunks / 2)
  })

  it('stops a stream by request id and keeps what arrived', async () => {
    const result = await stack.page.evaluate(async () => {
      const api = window.api
      const requestId = crypto.randomUUID()
      let text = ''
      const ended = new Promise<{ requestId: string; error?: { code: string } }>((resolve) => {
        api.on('completion.delta', (event) => {
          if (event.requestId !== requestId) return
          text += event.content
          if (text.length > 50) void api.stream.abort({ requestId })
        })
        api.on('completion.done', (event) => event.requestId === requestId && resolve(event))
        api.on('completion.failed', (event) => event.requestId === requestId && resolve(event))
      })
      await api.completion.start({ requestId, model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me a story, words:2000' }] })
      const final = await ended
      const again = await api.stream.abort({ requestId })
      return { final, text, again }
    })
    expect(result.final.error?.code).toBe('aborted')
    expect(result.text.length).toBeGreaterThan(50)
    expect(result.text.split(/\s+/).length).toBeLessThan(1500)
    expect(result.again).toEqual({ ok: true, result: { aborted: false } })
    expect(stack.host.services.streams.size).toBe(0)
  })

  it('reports a bad request as an error envelope, not a crash', async () => {
    const envelope = await stack.page.evaluate(() => window.api.completion.start({ requestId: 'x', model: '', messages: [] }))
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
  })
})

describe('a settings file that cannot be read', () => {
  let stack: Stack

  beforeAll(async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-e2e-corrupt-'))
    writeFileSync(join(userDataDir, 'settings.json'), '{"baseUrl": "http://127.0.0.1:1", "theme": ')
    stack = await startStack({ host: { userDataDir, initialSettings: undefined }, colorScheme: 'dark' })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('opens with the defaults and says what happened, keeping the old file', async () => {
    const { page, userDataDir } = stack
    const banner = page.getByTestId('notice-banner')
    await banner.waitFor()
    expect(await banner.innerText()).toMatch(/could not be read/)
    expect(readdirSync(userDataDir).some((name) => name.startsWith('settings.unreadable-'))).toBe(true)
    await page.getByTestId('nav-settings').click()
    expect(await page.getByTestId('base-url-input').inputValue()).toBe('https://api.airforce')
    await screenshot(page, 'settings-unreadable-file-dark')
    await page.getByTestId('notice-dismiss').click()
    await banner.waitFor({ state: 'detached' })
  })
})
