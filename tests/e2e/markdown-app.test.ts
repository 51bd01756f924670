/**
 * Model output that used to make the markdown view throw, through the whole
 * app in Chromium: an answer that starts with a `<frameset>` (which replaced
 * the body of the document the sanitiser parses) must finish streaming,
 * render, and open again from the conversation list. It used to stay
 * "streaming", and its conversation on "Loading conversation…".
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { screenshot, startStack, type Stack } from './support'

let stack: Stack

beforeAll(async () => {
  stack = await startStack({ host: { userDataDir: mkdtempSync(join(tmpdir(), 'skyport-e2e-markdown-')) } })
})
afterAll(async () => {
  await stack?.close()
})

const answers = (page: Page) => page.locator('[data-testid="message"][data-role="assistant"]')

/** Server-sent events that stream `text` in pieces of `size` characters. */
function sse(text: string, size: number): { text: string }[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
  const events = [chunk({ role: 'assistant', content: '' }, null)]
  for (let at = 0; at < text.length; at += size) events.push(chunk({ content: text.slice(at, at + size) }, null))
  events.push(chunk({}, 'stop'), 'data: [DONE]\n\n')
  return events.map((event) => ({ text: event }))
}

describe('an answer that starts with a frameset', () => {
  it('streams to the end, renders the markdown after it, and opens again', async () => {
    const { page, fake } = stack
    const answer = '<frameset cols="50%"><frame src="https://evil.example/">\n\n# Still here\n\nThe **rest** of the answer.'
    fake.inject({ kind: 'raw', contentType: 'text/event-stream', chunks: sse(answer, 7) }, { path: '/chat/completions' })

    await page.getByTestId('nav-chat').click()
    await page.getByTestId('new-chat').click()
    await page.getByTestId('composer-input').fill('Frame this')
    await page.getByTestId('composer-input').press('Enter')
    const last = answers(page).last()
    await last.waitFor()
    await page.waitForFunction((element) => element?.getAttribute('data-status') === 'complete', await last.elementHandle(), { timeout: 20_000 })
    const content = last.getByTestId('message-content')
    expect(await content.locator('h1').innerText()).toBe('Still here')
    expect(await content.locator('strong').innerText()).toBe('rest')
    expect(await content.locator('frameset, frame').count()).toBe(0)
    await screenshot(page, 'markdown-frameset-answer')

    // Away and back: the saved answer opens like any other.
    await page.getByTestId('new-chat').click()
    await page.getByTestId('conversation-item').filter({ hasText: 'Frame this' }).first().click()
    await answers(page).last().getByTestId('message-content').locator('h1', { hasText: 'Still here' }).waitFor()
    await page.getByText('Loading conversation…').waitFor({ state: 'detached' })
    expect(stack.pageErrors).toEqual([])
  })

  it('an answer nested too deep to parse shows as its text', async () => {
    const { page, fake } = stack
    const answer = `${'> '.repeat(6000)}<b>deep</b>`
    fake.inject({ kind: 'raw', contentType: 'text/event-stream', chunks: sse(answer, 4000) }, { path: '/chat/completions' })
    await page.getByTestId('new-chat').click()
    await page.getByTestId('composer-input').fill('Nest this')
    await page.getByTestId('composer-input').press('Enter')
    const plain = answers(page).last().locator('pre.md-plain')
    await plain.waitFor()
    expect(await plain.innerText()).toBe(answer)
    expect(await answers(page).last().locator('b, blockquote').count()).toBe(0)
    await screenshot(page, 'markdown-plain-fallback')
    expect(stack.pageErrors).toEqual([])
  })
})
