/**
 * The chat client end to end: the built renderer in Chromium, the real
 * services behind the bridge, the fake gateway, a real SQLite file.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { screenshot, startStack, type Stack } from './support'

let stack: Stack
let userDataDir: string

beforeAll(async () => {
  userDataDir = mkdtempSync(join(tmpdir(), 'skyport-e2e-chat-'))
  stack = await startStack({ host: { userDataDir } })
})
afterAll(async () => {
  await stack?.close()
})

const messages = (page: Page, role?: 'user' | 'assistant') =>
  page.locator(role ? `[data-testid="message"][data-role="${role}"]` : '[data-testid="message"]')

async function newChat(page: Page): Promise<void> {
  await page.getByTestId('nav-chat').click()
  await page.getByTestId('new-chat').click()
  await page.getByTestId('composer-input').waitFor()
}

async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer-input').fill(text)
  await page.getByTestId('composer-input').press('Enter')
}

async function waitForAnswer(page: Page, index = -1): Promise<void> {
  const answer = index === -1 ? messages(page, 'assistant').last() : messages(page, 'assistant').nth(index)
  await page.waitForFunction(
    (element) => element !== null && element.getAttribute('data-status') !== 'streaming',
    await answer.elementHandle(),
    { timeout: 20_000 }
  )
}

describe('chat', () => {
  it('sends a message and streams a markdown answer with code and math', async () => {
    const { page } = stack
    await newChat(page)
    await sendMessage(page, 'Show me some code and math please, words:120')
    await messages(page, 'user').first().waitFor()
    expect(await messages(page, 'user').first().innerText()).toContain('Show me some code and math please')
    await waitForAnswer(page)
    const answer = messages(page, 'assistant').last()
    expect(await answer.getAttribute('data-status')).toBe('complete')
    const content = answer.getByTestId('message-content')
    expect(await content.locator('pre code').count()).toBeGreaterThan(0)
    expect(await content.locator('.katex').count()).toBeGreaterThan(0)
    // The conversation was named after the first message.
    await page.getByTestId('conversation-item').filter({ hasText: 'Show me some code and math please' }).first().waitFor()
    await screenshot(page, 'chat-answer')
  })

  it('sends the system prompt and parameters of the conversation, saved as a preset', async () => {
    const { page, fake } = stack
    await newChat(page)
    await page.getByTestId('conversation-settings').click()
    await page.getByTestId('system-prompt').fill('Answer like a pirate.')
    await page.getByTestId('system-prompt').blur()
    await page.getByTestId('param-temperature').fill('0.3')
    await page.getByTestId('param-temperature').blur()
    await page.getByTestId('param-max-tokens').fill('256')
    await page.getByTestId('param-max-tokens').blur()
    await page.getByTestId('preset-save').click()
    await page.getByTestId('preset-name').fill('Pirate')
    await page.getByTestId('preset-save-confirm').click()
    await page.getByTestId('preset-select').locator('option', { hasText: 'Pirate' }).waitFor({ state: 'attached' })
    // The drawer sits beside the thread: the composer stays usable while it is open.
    await sendMessage(page, 'Ahoy')
    await waitForAnswer(page)
    const body = JSON.parse(fake.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)!.body) as Record<string, unknown>
    expect(body).toMatchObject({ temperature: 0.3, max_tokens: 256 })
    expect((body['messages'] as Array<{ role: string; content: string }>)[0]).toEqual({ role: 'system', content: 'Answer like a pirate.' })
    await screenshot(page, 'chat-settings-drawer')
    await page.getByTestId('conversation-settings').click()
    await page.getByTestId('system-prompt').waitFor({ state: 'detached' })
  })

  it('stops mid-stream and keeps what arrived', async () => {
    const { page } = stack
    await newChat(page)
    await sendMessage(page, 'Write a very long story, words:4000')
    const answer = messages(page, 'assistant').last()
    await page.getByTestId('stop-button').waitFor()
    await page.waitForFunction((element) => (element?.textContent ?? '').length > 200, await answer.elementHandle())
    await page.getByTestId('stop-button').click()
    await waitForAnswer(page)
    expect(await answer.getAttribute('data-status')).toBe('incomplete')
    await answer.getByTestId('stopped-badge').waitFor()
    const kept = await answer.getByTestId('message-content').innerText()
    expect(kept.length).toBeGreaterThan(200)
    expect(kept.split(/\s+/).length).toBeLessThan(4000)
    await page.getByTestId('send-button').waitFor()
    // The badge starts where the text starts (it sat 6 px to its left).
    const badge = (await answer.getByTestId('stopped-badge').boundingBox())!
    const text = (await answer.getByTestId('message-content').boundingBox())!
    expect(Math.abs(badge.x - text.x)).toBeLessThanOrEqual(1)
    await screenshot(page, 'chat-stopped')
  })

  it('an answer whose connection ended early is not shown as finished', async () => {
    const { page, fake } = stack
    await newChat(page)
    fake.inject({ kind: 'end-early', afterChunks: 40 }, { path: '/chat/completions' })
    await sendMessage(page, 'Tell me about rivers, words:300')
    await waitForAnswer(page)
    const answer = messages(page, 'assistant').last()
    expect(await answer.getAttribute('data-status')).toBe('incomplete')
    expect(await answer.getByTestId('stopped-badge').innerText()).toBe('The connection ended before the answer finished.')
    expect((await answer.getByTestId('message-content').innerText()).length).toBeGreaterThan(20)
    await screenshot(page, 'chat-cut-short')
  })

  it('regenerates an answer and switches between versions', async () => {
    const { page } = stack
    await newChat(page)
    await sendMessage(page, 'Give me a fun fact')
    await waitForAnswer(page)
    const first = await messages(page, 'assistant').last().getAttribute('data-id')
    await messages(page, 'assistant').last().hover()
    await messages(page, 'assistant').last().getByTestId('regenerate').click()
    await page.waitForFunction((id) => {
      const last = [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')].at(-1)
      return last !== undefined && last.getAttribute('data-id') !== id && last.getAttribute('data-status') === 'complete'
    }, first)
    const answer = messages(page, 'assistant').last()
    expect(await answer.getByTestId('version-label').innerText()).toMatch(/2\s*\/\s*2/)
    await answer.getByTestId('version-prev').click()
    await page.waitForFunction((id) => [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')].at(-1)?.getAttribute('data-id') === id, first)
    expect(await messages(page, 'assistant').last().getByTestId('version-label').innerText()).toMatch(/1\s*\/\s*2/)
    await screenshot(page, 'chat-versions')
  })

  it('shows a server error inline, and retry answers', async () => {
    const { page, fake } = stack
    await newChat(page)
    fake.inject({ kind: 'http-error', status: 503, shape: 'openai', message: 'All providers failed' }, { path: '/chat/completions' })
    await sendMessage(page, 'Are you there?')
    await waitForAnswer(page)
    const failed = messages(page, 'assistant').last()
    expect(await failed.getAttribute('data-status')).toBe('error')
    const notice = failed.locator('[data-testid="error-notice"]')
    expect(await notice.getAttribute('data-code')).toBe('unavailable')
    expect(await notice.innerText()).toContain('All providers failed')
    await screenshot(page, 'chat-error')
    await failed.getByTestId('retry').click()
    await page.waitForFunction(() => {
      const last = [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')].at(-1)
      return last?.getAttribute('data-status') === 'complete'
    })
    expect(await messages(page, 'user').count()).toBe(1)
  })

  it('shows a rate-limit notice sent as a normal answer as an error, not as the answer', async () => {
    const { page, fake } = stack
    await newChat(page)
    fake.inject({ kind: 'ratelimit-notice', variant: 'current' })
    await sendMessage(page, 'Hello again')
    await waitForAnswer(page)
    const answer = messages(page, 'assistant').last()
    expect(await answer.getAttribute('data-status')).toBe('error')
    expect(await answer.locator('[data-testid="error-notice"]').getAttribute('data-code')).toBe('rate_limited')
    expect(await answer.innerText()).not.toContain('Please join')
    await screenshot(page, 'chat-rate-limit')
  })

  it('attaches an image, sends it, and shows it from a local file', async () => {
    const { page, host } = stack
    const picture = join(userDataDir, 'holiday.png')
    writeFileSync(picture, await sharp({ create: { width: 320, height: 200, channels: 3, background: '#e8744f' } }).png().toBuffer())
    await newChat(page)
    host.powers.dialogScript.open.push([picture])
    await page.getByTestId('attach-button').click()
    await page.getByTestId('attachment-thumb').waitFor()
    await sendMessage(page, 'What is in this picture?')
    await waitForAnswer(page)
    const image = messages(page, 'user').last().locator('img')
    await image.waitFor()
    expect(await image.getAttribute('src')).toMatch(/^\/media\/attachments\/[0-9a-f-]+\.png$/)
    expect(await image.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBe(320)
    expect(await messages(page, 'assistant').last().innerText()).toMatch(/1 image/)
    await screenshot(page, 'chat-attachment')
  })

  it('exports a conversation and imports it back', async () => {
    const { page, host } = stack
    const item = page.getByTestId('conversation-item').filter({ hasText: 'Give me a fun fact' }).first()
    await item.click()
    const exported = join(userDataDir, 'fun-fact.json')
    host.powers.dialogScript.save.push(exported)
    await item.getByTestId('conversation-menu').click()
    await page.getByTestId('export-json').click()
    await page.getByTestId('toast').filter({ hasText: 'fun-fact.json' }).waitFor()
    expect(existsSync(exported)).toBe(true)
    const bundle = JSON.parse(readFileSync(exported, 'utf8')) as { conversations: Array<{ messages: unknown[] }> }
    expect(bundle.conversations[0]!.messages).toHaveLength(3) // a question and two versions of the answer

    // The same file again: the conversation is already here, unchanged.
    const before = await page.getByTestId('conversation-item').count()
    host.powers.dialogScript.open.push([exported])
    await page.getByTestId('import-conversations').click()
    await page.getByTestId('toast').filter({ hasText: 'Nothing new: the conversation in this file is already here' }).waitFor()
    expect(await page.getByTestId('conversation-item').count()).toBe(before)

    // Edited since (its messages changed later): imported as a copy.
    const edited = join(userDataDir, 'fun-fact-edited.json')
    const changed = JSON.parse(readFileSync(exported, 'utf8')) as { conversations: Array<{ messages: Array<{ updatedAt: number }> }> }
    for (const message of changed.conversations[0]!.messages) message.updatedAt += 1000
    writeFileSync(edited, JSON.stringify(changed))
    host.powers.dialogScript.open.push([edited])
    await page.getByTestId('import-conversations').click()
    await page.getByTestId('toast').filter({ hasText: /Imported 1 conversation/ }).waitFor()
    await page.waitForFunction((count) => document.querySelectorAll('[data-testid="conversation-item"]').length === count + 1, before)
  })

  it('finds a message by search after the app restarts, and opens it', async () => {
    await stack.close()
    stack = await startStack({ host: { userDataDir, initialSettings: undefined } })
    const { page } = stack
    await page.getByTestId('nav-chat').click()
    await page.getByTestId('conversation-search').fill('fun fact')
    const hit = page.getByTestId('search-hit').first()
    await hit.waitFor()
    expect(await hit.locator('mark').count()).toBeGreaterThan(0)
    const messageId = await hit.getAttribute('data-message-id')
    await hit.click()
    await page.locator(`[data-testid="message"][data-id="${messageId}"]`).waitFor()
    // The conversation is short: it fits, so there is nothing to jump to.
    await page.getByTestId('jump-to-latest').waitFor({ state: 'detached' })
    await screenshot(page, 'chat-search')
    expect(stack.pageErrors).toEqual([])
  })
})
