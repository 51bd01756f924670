/**
 * The chat as a new user finds it, end to end in Chromium against the real
 * services and the fake gateway: first run, the status pill, a refused key,
 * small windows, the model picker, message actions, rate limits and the
 * About screen. Each screen is shot at 1280×800 and 900×700, light and dark.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { screenshot, startStack, type Stack } from './support'

let stack: Stack

beforeAll(async () => {
  // A first start: no key, no conversation.
  stack = await startStack({ host: { userDataDir: mkdtempSync(join(tmpdir(), 'skyport-e2e-chat-ux-')) } })
})
afterAll(async () => {
  await stack?.close()
})

const SIZES = [
  { width: 1280, height: 800, tag: '' },
  { width: 900, height: 700, tag: '-900' }
] as const

/** One screen in the four looks the issue asks for, then back to 1280×800 light. */
async function shootAll(page: Page, name: string, prepare: () => Promise<void> = async () => {}): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height })
      await prepare()
      await screenshot(page, `${name}${size.tag}${scheme === 'dark' ? '-dark' : ''}`)
    }
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1280, height: 800 })
}

const messages = (page: Page, role: 'user' | 'assistant') => page.locator(`[data-testid="message"][data-role="${role}"]`)

async function waitForAnswer(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const last = [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')].at(-1)
    return last !== undefined && last.getAttribute('data-status') !== 'streaming'
  })
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer-input').fill(text)
  await page.getByTestId('composer-input').press('Enter')
}

describe('chat as a new user finds it', () => {
  it('a first start shows the setup card; a refused key turns the pill red and the error offers Replace key', async () => {
    const { page, fake } = stack
    await page.setViewportSize({ width: 1280, height: 800 })
    const card = page.getByTestId('setup-card')
    await card.waitFor()
    expect(await page.getByTestId('connection-pill').getAttribute('data-health')).toBe('no_key')
    await shootAll(page, 'chat-first-run')

    await page.getByTestId('setup-base-url').fill(fake.url)
    await page.getByTestId('setup-key').fill('bad-key-1234')
    await page.getByTestId('setup-check').click()
    await page.getByTestId('setup-result').getByTestId('error-notice').waitFor()
    await page.waitForFunction(() => document.querySelector('[data-testid="connection-pill"]')?.getAttribute('data-health') === 'key_refused')
    await screenshot(page, 'chat-first-run-key-refused')

    await page.getByTestId('setup-skip').click()
    await send(page, 'Hello there')
    await waitForAnswer(page)
    const answer = messages(page, 'assistant').last()
    expect(await answer.getAttribute('data-status')).toBe('error')
    // Retry and Replace key sit inside the error card.
    const replace = answer.getByTestId('error-notice').getByTestId('replace-key')
    await answer.getByTestId('error-notice').getByTestId('retry').waitFor()
    await screenshot(page, 'chat-401-replace-key')
    await replace.click()
    await page.getByTestId('view-settings').waitFor()
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'api-key-input')
    await page.getByTestId('api-key-input').fill('sk-good-key-5678')
    await page.getByTestId('api-key-save').click()
    await page.getByTestId('check-key').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="connection-pill"]')?.getAttribute('data-health') === 'connected')
    await screenshot(page, 'settings-key-replaced')
  })

  it('one header bar on the chat screen, and Models and Settings share one content width', async () => {
    const { page } = stack
    await page.getByTestId('nav-chat').click()
    await page.getByTestId('view-chat').waitFor()
    expect(await page.locator('.topbar').count()).toBe(0)
    const header = await page.locator('.chat-header').boundingBox()
    expect(header?.height).toBeLessThanOrEqual(53)
    expect(await page.locator('.chat-header [data-testid="connection-pill"]').count()).toBe(1)

    await page.getByTestId('nav-models').click()
    await page.getByTestId('model-item').first().waitFor()
    const models = await page.locator('[data-testid="view-models"] .inner').boundingBox()
    await page.getByTestId('nav-settings').click()
    const settings = await page.locator('[data-testid="view-settings"] .inner').boundingBox()
    expect(models?.width).toBe(settings?.width)
    await page.getByTestId('nav-models').click()
    await shootAll(page, 'models-badges')
  })

  it('at 900 px the drawer leaves Send reachable, the sidebar collapses, and toasts stay above the composer at one width', async () => {
    const { page } = stack
    await page.getByTestId('nav-chat').click()
    await page.setViewportSize({ width: 900, height: 700 })
    await send(page, 'Tell me about rivers, words:60')
    await waitForAnswer(page)
    await page.getByTestId('conversation-settings').click()
    await page.getByTestId('system-prompt').waitFor()
    await page.getByTestId('composer-input').fill('Still reachable')
    const box = (await page.getByTestId('send-button').boundingBox())!
    const hit = await page.evaluate(
      ([x, y]) => document.elementFromPoint(x!, y!)?.closest('[data-testid="send-button"]') !== null,
      [box.x + box.width / 2, box.y + box.height / 2]
    )
    expect(hit).toBe(true)
    await shootAll(page, 'chat-drawer', async () => {
      await page.getByTestId('system-prompt').waitFor()
    })
    await page.getByTestId('conversation-settings').click()

    await page.setViewportSize({ width: 900, height: 700 })
    const sidebarWidth = (await page.locator('.sidebar').boundingBox())!.width
    expect(sidebarWidth).toBeLessThan(240)
    await page.keyboard.press('Control+b')
    await page.locator('.sidebar').waitFor({ state: 'detached' })
    await shootAll(page, 'chat-sidebar-collapsed')
    await page.getByTestId('toggle-sidebar').click()
    await page.locator('.sidebar').waitFor()

    // An export toast: above the composer, inside the thread, with Show in folder.
    await page.getByTestId('composer-input').fill('')
    await page.keyboard.press('Control+n')
    await page.getByTestId('conversation-item').first().getByTestId('conversation-menu').click()
    stack.host.powers.dialogScript.save.push(join(stack.userDataDir, 'rivers.md'))
    await page.getByTestId('export-markdown').click()
    const toast = page.getByTestId('toast').filter({ hasText: 'rivers.md' })
    await toast.getByTestId('show-in-folder').waitFor()
    const toastBox = (await toast.boundingBox())!
    const composerBox = (await page.locator('.composer-slot').boundingBox())!
    const threadBox = (await page.locator('section.thread').boundingBox())!
    expect(toastBox.y + toastBox.height).toBeLessThanOrEqual(composerBox.y)
    expect(toastBox.x).toBeGreaterThanOrEqual(threadBox.x)
    // A second toast with a much longer text has the same width.
    stack.host.powers.dialogScript.save.push(join(stack.userDataDir, `${'a-much-longer-file-name-'.repeat(3)}rivers.json`))
    await page.getByTestId('conversation-item').first().getByTestId('conversation-menu').click()
    await page.getByTestId('export-json').click()
    const longer = page.getByTestId('toast').filter({ hasText: 'rivers.json' })
    await longer.waitFor()
    expect((await longer.boundingBox())!.width).toBe(toastBox.width)
    await screenshot(page, 'chat-export-toast')
    await toast.getByTestId('show-in-folder').click()
    await expect.poll(() => stack.host.powers.revealed).toEqual([join(stack.userDataDir, 'rivers.md')])
  })

  it('the model picker searches, shows badges, warns about an unlisted id and offers the studio for an image model', async () => {
    const { page } = stack
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.getByTestId('nav-chat').click()
    await page.getByTestId('model-picker').click()
    await page.getByTestId('model-search').fill('gpt-4o')
    await page.getByTestId('model-option').first().waitFor()
    await page.getByTestId('model-option').first().getByTestId('model-favourite').click()
    await shootAll(page, 'chat-model-picker', async () => {
      if ((await page.getByTestId('model-search').count()) === 0) await page.getByTestId('model-picker').click()
    })
    await page.getByTestId('model-search').fill('my-own-model')
    await page.getByTestId('model-not-listed').waitFor()
    await page.getByTestId('model-search').press('Enter')
    await page.getByTestId('model-unlisted').waitFor()
    await screenshot(page, 'chat-model-unlisted')

    await page.getByTestId('model-picker').click()
    await page.getByTestId('model-search').fill('flux')
    await page.getByTestId('model-search').press('Enter')
    await page.getByTestId('image-model-offer').waitFor()
    await screenshot(page, 'chat-model-image-offer')
    await page.getByTestId('open-image-studio').click()
    await page.getByTestId('view-studio').waitFor()
  })

  it('message actions: Continue after length, fork, delete, usage and time; tables align as the markdown asks', async () => {
    const { page, host } = stack
    const store = host.services.chatStore
    const conversation = store.createConversation({ model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true }, 'Aligned table')
    const question = store.addMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'A table, please, words:40' })
    store.addMessage({
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: '| Left | Centre | Right |\n|:--|:-:|--:|\n| a | b | c |\n| longer text | mid | 1,234 |\n\nThe list goes on and',
      model: 'gpt-4o-mini',
      finishReason: 'length',
      usage: { promptTokens: 12, completionTokens: 40, totalTokens: 52 }
    })
    await page.reload()
    await page.getByTestId('conversation-item').filter({ hasText: 'Aligned table' }).click()
    const answer = messages(page, 'assistant').last()
    await answer.locator('table').waitFor()
    const aligns = await answer.locator('tbody tr:first-child td').evaluateAll((cells) => cells.map((cell) => getComputedStyle(cell).textAlign))
    // `start` is left in a left-to-right answer; before the fix every cell was `left`.
    expect(aligns).toEqual(['start', 'center', 'right'])
    expect(await answer.getByTestId('message-usage').innerText()).toBe('52 tokens')
    await answer.hover()
    await shootAll(page, 'chat-message-actions', () => answer.hover())

    await answer.getByTestId('continue-answer').click()
    await waitForAnswer(page)
    expect(await answer.getAttribute('data-status')).toBe('complete')
    expect(await answer.getByTestId('message-content').innerText()).toContain('The list goes on and')
    expect(await answer.getByTestId('continue-answer').count()).toBe(0)

    await messages(page, 'user').last().hover()
    await messages(page, 'user').last().getByTestId('fork-message').click()
    await page.getByTestId('conversation-title').filter({ hasText: 'Aligned table (fork)' }).waitFor()
    expect(await messages(page, 'user').count()).toBe(1)
    expect(await messages(page, 'assistant').count()).toBe(0)
    await messages(page, 'user').last().hover()
    await messages(page, 'user').last().getByTestId('delete-message').click()
    await page.getByTestId('delete-message-confirm').click()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="message"]').length === 0)
  })

  it('a long conversation opens at its end; the messages above follow without moving the view, and the top can be reached', async () => {
    const { page, host } = stack
    const store = host.services.chatStore
    const conversation = store.createConversation({ model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true }, 'Long thread')
    let parentId: string | null = null
    for (let n = 0; n < 200; n++) {
      parentId = store.addMessage({ conversationId: conversation.id, parentId, role: 'user', content: `Question ${n}` }).id
      const answer = Array.from({ length: 1 + (n % 4) }, (_, p) => `Answer ${n}, paragraph ${p}: ${'words '.repeat(30 + ((n * 7) % 50))}`).join('\n\n')
      parentId = store.addMessage({ conversationId: conversation.id, parentId, role: 'assistant', content: answer, model: 'gpt-4o-mini' }).id
    }
    await page.reload()
    const opened = page.waitForRequest((request) => request.url().endsWith('/bridge/conversations.get'))
    const earlier = page.waitForResponse((response) => response.url().endsWith('/bridge/conversations.earlier'))
    await page.getByTestId('conversation-item').filter({ hasText: 'Long thread' }).click()
    expect(JSON.parse((await opened).postData() ?? '{}')).toMatchObject({ id: conversation.id, last: 30 })
    await earlier
    const list = page.getByTestId('message-list')
    const lastAnswer = page.locator('[data-testid="message"]').filter({ hasText: 'Answer 199, paragraph 0' })
    // Once the 370 messages above have been put in, the list still shows the end.
    await page.locator('[data-testid="message-list"][data-earlier="0"]').waitFor()
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
    expect(await list.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight)).toBeLessThanOrEqual(48)
    expect(await lastAnswer.isVisible()).toBe(true)
    // Scrolled to the top, the first messages are there. Scrolled as a wheel does, in several steps: while the
    // list is still settling on the end (a second or so), it takes a lone jump to the top as its own.
    const second = page.locator('[data-testid="message"]').filter({ hasText: 'Answer 1, paragraph 1' })
    await expect.poll(async () => {
      await list.evaluate((element) => element.scrollTo({ top: 400 }))
      await page.waitForTimeout(50)
      await list.evaluate((element) => element.scrollTo({ top: 0 }))
      await page.waitForTimeout(50)
      return second.count()
    }, { timeout: 10_000 }).toBe(1)
    expect(await messages(page, 'user').filter({ hasText: 'Question 0' }).count()).toBe(1)
    expect(await page.getByTestId('earlier-row').count()).toBe(0)
    await screenshot(page, 'chat-long-thread-top')
  })

  it('a rate limit counts down and the answer retries by itself when it ends', async () => {
    const { page, fake } = stack
    await page.keyboard.press('Control+n')
    fake.inject({ kind: 'http-error', status: 429, shape: 'openai', message: 'Rate limit exceeded (1 request(s) per minute).', retryAfter: '3' }, { path: '/chat/completions', times: 1 })
    await send(page, 'Are you there?')
    await waitForAnswer(page)
    const answer = messages(page, 'assistant').last()
    const countdown = answer.getByTestId('retry-countdown')
    await countdown.waitFor()
    expect(await countdown.innerText()).toMatch(/Try again in [1-3] s/)
    expect(((await answer.getByTestId('error-notice').innerText()).match(/rate ?limit/gi) ?? []).length).toBe(1)
    await screenshot(page, 'chat-rate-limit-countdown')
    // No click: the newest answer is asked again when the wait ends.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')].at(-1)?.getAttribute('data-status') === 'complete', undefined, { timeout: 15_000 })
  })

  it('the About screen shows the version and data folder, and resets settings after a confirmation', async () => {
    const { page } = stack
    await page.getByTestId('nav-about').click()
    await page.getByTestId('about-version').filter({ hasText: 'Version' }).waitFor()
    expect(await page.getByTestId('about-data-folder').innerText()).toBe(stack.userDataDir)
    await page.getByTestId('open-data-folder').click()
    await shootAll(page, 'about')
    await page.getByTestId('reset-settings').click()
    await page.getByTestId('reset-settings-confirm').click()
    await page.getByTestId('reset-done').waitFor()
    expect(stack.host.powers.openedPaths).toContain(stack.userDataDir)
    expect(stack.pageErrors).toEqual([])
  })
})
