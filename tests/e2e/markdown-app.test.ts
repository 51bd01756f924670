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

describe('a long answer while it streams', () => {
  /** 60 sections of headings, prose, lists, quotes, tables, rules and short code; then a fence with a long line, prose, and a short fence at the end. */
  function longAnswer(): string {
    const parts: string[] = []
    for (let i = 0; i < 60; i++) {
      parts.push(`## Section ${i}`, `Paragraph ${i} has **bold** words, \`inline code\` and enough text to wrap onto a second line in a chat column of ordinary width, like most answers do.`)
      // The first 20 sections are two blocks each, so a group cut every 32 blocks would fall before a heading.
      if (i < 20) continue
      if (i % 3 === 0) parts.push(`- first point of ${i}\n- second point of ${i}`)
      if (i % 4 === 1) parts.push(`\`\`\`js\nconst section = ${i}\nconsole.log(section)\n\`\`\``)
      if (i % 7 === 2) parts.push(`> A quote in section ${i}.`)
      if (i % 9 === 4) parts.push(`| a | b |\n|---|--:|\n| ${i} | ${i * 2} |`)
      if (i % 10 === 9) parts.push('---')
    }
    const longFence = Array.from({ length: 60 }, (_, line) => (line === 3 ? `const wide = '${'w'.repeat(400)}' // LONG_LINE` : `const line${line} = ${line}`))
    parts.push('The long code:', `\`\`\`ts\n${longFence.join('\n')}\n\`\`\``)
    for (let i = 0; i < 50; i++) parts.push(`Closing paragraph ${i}.`)
    parts.push(`\`\`\`ts\nconst tail = '${'t'.repeat(400)}' // TAIL_LINE\n\`\`\``, 'The end.')
    return parts.join('\n\n')
  }

  it('lays out in its groups exactly as the finished answer does, and wraps long code lines above the last group', { timeout: 60_000 }, async () => {
    const { page, fake } = stack
    const answer = longAnswer()
    // The whole text, then a pause before the end of the stream: what is shown then is the streamed layout.
    const chunks = sse(answer, 400)
    const stop = chunks.length - 2
    chunks[stop] = { ...(chunks[stop] as { text: string }), delayMs: 8_000 } as { text: string }
    fake.inject({ kind: 'raw', contentType: 'text/event-stream', chunks }, { path: '/chat/completions' })

    await page.getByTestId('new-chat').click()
    await page.getByTestId('composer-input').fill('A long answer, please')
    await page.getByTestId('composer-input').press('Enter')
    const last = answers(page).last()
    const markdown = last.getByTestId('markdown')
    await markdown.locator('p', { hasText: 'The end.' }).waitFor({ timeout: 20_000 })
    expect(await last.getAttribute('data-status')).toBe('streaming')

    /** Where each element above the long fence sits in the answer, and how the two long lines are laid out. */
    const layout = (): Promise<{ tops: string[]; groups: number; wide: { overflow: string; whiteSpace: string; scrolls: boolean }; tail: { overflow: string; scrolls: boolean } }> =>
      markdown.evaluate((root) => {
        const origin = root.getBoundingClientRect().top
        const codeWith = (marker: string): HTMLElement => [...root.querySelectorAll<HTMLElement>('.md-code pre')].find((pre) => pre.textContent?.includes(marker)) as HTMLElement
        const wide = codeWith('LONG_LINE')
        const fenceTop = (wide.closest('.md-code') as HTMLElement).getBoundingClientRect().top
        const tops = [...root.querySelectorAll<HTMLElement>('h2, p, li, hr, blockquote, table, .md-code')]
          .map((element) => ({ element, top: element.getBoundingClientRect().top }))
          .filter(({ top }) => top < fenceTop)
          .map(({ element, top }) => `${element.tagName} ${(top - origin).toFixed(1)} ${element.getBoundingClientRect().height.toFixed(1)}`)
        const tail = codeWith('TAIL_LINE')
        return {
          tops,
          groups: root.querySelectorAll(':scope > .md-group').length,
          wide: { overflow: getComputedStyle(wide).overflowX, whiteSpace: getComputedStyle(wide).whiteSpace, scrolls: wide.scrollWidth > wide.clientWidth },
          tail: { overflow: getComputedStyle(tail).overflowX, scrolls: tail.scrollWidth > tail.clientWidth }
        }
      })

    const streamed = await layout()
    expect(streamed.groups).toBeGreaterThanOrEqual(6)
    // Above the last group a long line wraps (no scroller per segment); in the last group it scrolls.
    expect(streamed.wide).toEqual({ overflow: 'visible', whiteSpace: 'pre-wrap', scrolls: false })
    expect(streamed.tail).toEqual({ overflow: 'auto', scrolls: true })
    await markdown.locator('pre', { hasText: 'LONG_LINE' }).scrollIntoViewIfNeeded()
    await screenshot(page, 'markdown-streaming-groups', { settle: false })
    expect(await last.getAttribute('data-status'), 'still streaming when the layout was read').toBe('streaming')

    await page.waitForFunction((element) => element?.getAttribute('data-status') === 'complete', await last.elementHandle(), { timeout: 20_000 })
    const finished = await layout()
    expect(finished.groups).toBe(0)
    expect(finished.wide).toEqual({ overflow: 'auto', whiteSpace: 'pre', scrolls: true })
    // Every heading, paragraph, list item, rule, quote, table and code box above the long fence: same place, same size.
    expect(streamed.tops.length).toBeGreaterThan(150)
    expect(streamed.tops).toEqual(finished.tops)
    expect(stack.pageErrors).toEqual([])
  })
})

describe('sending below a long answer', () => {
  it('leaves the answer above mounted: it is not rendered again when the new turn is added', { timeout: 60_000 }, async () => {
    const { page, fake } = stack
    // The conversation of the test above ends with a long answer, taller than the window.
    const above = answers(page).last()
    const aboveId = (await above.getAttribute('data-id')) ?? ''
    expect(aboveId).not.toBe('')
    expect(await above.evaluate((element) => element.getBoundingClientRect().height)).toBeGreaterThan(800)
    await page.evaluate((id) => {
      const w = window as unknown as { __mounts: number }
      w.__mounts = 0
      new MutationObserver((records) => {
        for (const record of records) {
          for (const node of record.addedNodes) {
            if (node instanceof Element && (node.matches(`[data-id="${id}"]`) || node.querySelector(`[data-id="${id}"]`))) w.__mounts++
          }
        }
      }).observe(document.body, { childList: true, subtree: true })
    }, aboveId)

    fake.inject({ kind: 'raw', contentType: 'text/event-stream', chunks: sse('A short answer.', 5) }, { path: '/chat/completions' })
    await page.getByTestId('composer-input').fill('And a short one')
    await page.getByTestId('composer-input').press('Enter')
    // The new answer, once it is there (right after Enter the last answer is still the long one).
    const last = page.locator(`[data-testid="message"][data-role="assistant"]:not([data-id="${aboveId}"])`).last()
    await last.getByText('A short answer.').waitFor({ timeout: 20_000 })
    await page.waitForFunction((element) => element?.getAttribute('data-status') === 'complete', await last.elementHandle(), { timeout: 20_000 })
    await page.waitForTimeout(1_500)
    expect(await page.evaluate(() => (window as unknown as { __mounts: number }).__mounts), 'times the answer above was mounted again').toBe(0)
    expect(stack.pageErrors).toEqual([])
  })
})
