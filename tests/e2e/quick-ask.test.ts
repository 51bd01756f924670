/**
 * The quick-ask window end to end: its own renderer entry (quick.html) in
 * Chromium through the test host, the real services, the fake gateway and
 * a real SQLite file. The main window is a second page of the same host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, screenshot, startStack, type Stack } from './support'
import { fakePorts, type FakePorts } from '../support/desktop-fakes'

let stack: Stack
let quick: Page
/** The shell's windows as the desktop service drives them; commands to the main window reach its page. */
let desktop: FakePorts
/** Every address the quick page asked for: nothing may be remote. */
const requested: string[] = []

async function openQuick(browser: Browser, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 640, height: 420 }, colorScheme })
  page.on('request', (request) => requested.push(request.url()))
  page.on('pageerror', (error) => stack.pageErrors.push(error.message))
  await page.goto(`${stack.host.url}/quick.html`)
  await page.getByTestId('quick-input').waitFor()
  return page
}

const turns = (page: Page) => page.getByTestId('quick-turn')

async function ask(page: Page, text: string): Promise<void> {
  await page.getByTestId('quick-input').fill(text)
  await page.getByTestId('quick-input').press('Enter')
}

/** Starts a new thread (the button is off while the window is already empty). */
async function newThread(page: Page): Promise<void> {
  const button = page.getByTestId('quick-new')
  if (await button.isEnabled()) await button.click()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="quick-turn"]').length === 0)
}

async function waitTurnDone(page: Page, index: number): Promise<void> {
  await page.waitForFunction(
    (i) => {
      const turn = document.querySelectorAll('[data-testid="quick-turn"]')[i]
      return turn !== undefined && turn.getAttribute('data-status') !== 'streaming'
    },
    index,
    { timeout: 20_000 }
  )
}

beforeAll(async () => {
  stack = await startStack({ fake: { chunkDelayMs: 12 } })
  desktop = fakePorts({ tray: null, shortcuts: null, loginItems: null, notifier: null, shortcutEnvironment: 'none', canPlaceWindows: false })
  desktop.mainWindow.onCommand = (command) => stack.host.emit('shell.command', command)
  await stack.host.services.desktop.attach(desktop)
  quick = await openQuick(stack.browser)
})
afterAll(async () => {
  await stack?.close()
})

describe('quick-ask window', () => {
  it('starts empty with the input focused, and focuses it again on every show signal', async () => {
    expect(await quick.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('quick-input')
    await screenshot(quick, 'quick-empty-light')
    await quick.getByTestId('quick-mode-chat').focus()
    stack.host.emit('quick.show', { question: 'From a link' })
    await quick.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'quick-input')
    expect(await quick.getByTestId('quick-input').inputValue()).toBe('From a link')
    await quick.getByTestId('quick-input').fill('')
  })

  it('asks, streams the answer with markdown, then a follow-up in the same thread, saved as a quick conversation', async () => {
    await ask(quick, 'Explain rivers with some code, words:160')
    await quick.waitForFunction(() => {
      const turn = document.querySelector('[data-testid="quick-turn"]')
      return turn?.getAttribute('data-status') === 'streaming' && (turn.querySelector('[data-testid="quick-answer"]')?.textContent ?? '').length > 250
    })
    await screenshot(quick, 'quick-streaming-light')
    await waitTurnDone(quick, 0)
    const first = turns(quick).nth(0)
    expect(await first.getAttribute('data-status')).toBe('complete')
    // Rendered by the chat's markdown, loaded after the first answer came.
    expect(await first.getByTestId('markdown').count()).toBe(1)
    expect(await first.locator('pre code').count()).toBeGreaterThan(0)

    await ask(quick, 'And lakes?')
    await waitTurnDone(quick, 1)
    expect(await turns(quick).count()).toBe(2)
    expect(await turns(quick).nth(1).getByTestId('quick-answer').innerText()).toContain('And lakes?')

    const conversations = stack.host.services.chatStore.listConversations()
    const saved = conversations.find((c) => c.title.startsWith('Explain rivers'))
    expect(saved?.quick).toBe(true)
    const thread = stack.host.services.chatStore.getConversation(saved?.id ?? '').messages
    expect(thread.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant'])
    // Search finds it like any conversation.
    expect(stack.host.services.chatStore.search('lakes').some((hit) => hit.conversationId === saved?.id)).toBe(true)
  })

  it('a web answer streams with numbered citations and a list of sources that open in the OS browser', async () => {
    await newThread(quick)
    await quick.getByTestId('quick-mode-web').click()
    await ask(quick, 'What is the capital of Australia?')
    await waitTurnDone(quick, 0)
    const answer = turns(quick).nth(0).getByTestId('quick-answer')
    expect(await answer.innerText()).toMatch(/\[1\]/)
    const links = answer.locator('a')
    expect(await links.allInnerTexts()).toEqual(['example.org', 'example.com', 'example.net'])
    await screenshot(quick, 'quick-sources-light')
    await links.first().click()
    await expect.poll(() => stack.host.powers.opened.at(-1)).toBe('https://example.org/wiki/what-is-the-capital-of-australia')
    const saved = stack.host.services.chatStore.listConversations().find((c) => c.title.startsWith('What is the capital'))
    const reply = stack.host.services.chatStore.getConversation(saved?.id ?? '').messages[1]
    expect(reply?.sources).toHaveLength(3)
    expect(stack.fake.requests.filter((r) => r.path.endsWith('/ask'))).toHaveLength(1)
    // Nothing remote was loaded by the window: no favicons, no previews.
    expect(requested.filter((url) => !url.startsWith(stack.host.url))).toEqual([])
    await quick.getByTestId('quick-mode-chat').click()
  })

  it('/image makes an image that lands in the library and shows in the window', async () => {
    await newThread(quick)
    await ask(quick, '/image a lighthouse at dusk')
    await quick.getByTestId('quick-image-result').waitFor({ timeout: 20_000 })
    const page = await stack.host.services.library.query({})
    const item = page.cards.find((card) => card.title.includes('lighthouse at dusk'))
    expect(item).toBeDefined()
    expect(stack.host.services.library.get(item?.id ?? '').source).toBe('quick')
    expect(await quick.getByTestId('quick-image-result').getAttribute('src')).toMatch(/^\/media\//)
  })

  it('/say reads a text into the library and /song starts a song; the window says so and opens the library in the main window', async () => {
    await newThread(quick)
    await ask(quick, '/say The tide comes in twice a day.')
    const speech = quick.locator('[data-testid="quick-turn"][data-kind="say"]')
    // The note fills in once main has taken the job.
    await expect.poll(() => speech.getByTestId('quick-sound-note').innerText()).toMatch(/^Started reading it aloud \(1 part\)/)
    await speech.getByTestId('quick-sound-saved').waitFor({ timeout: 30_000 })
    const spoken = (await stack.host.services.library.query({ kinds: ['speech'] })).cards.find((card) => card.title.includes('The tide comes in'))
    expect(spoken).toBeDefined()
    expect(stack.host.services.library.get(spoken?.id ?? '').source).toBe('quick')

    await ask(quick, '/song a lullaby for a lighthouse')
    const song = quick.locator('[data-testid="quick-turn"][data-kind="song"]')
    await expect.poll(() => song.getByTestId('quick-sound-note').innerText()).toMatch(/^Started making a song \(\d clips?\)/)
    expect(stack.fake.requests.some((r) => r.path.endsWith('/suno'))).toBe(true)
    await screenshot(quick, 'quick-say-song-light')

    desktop.quickWindow.showAndFocus()
    await song.getByTestId('quick-open-library').click()
    await expect.poll(() => desktop.mainWindow.commands.at(-1)).toEqual({ command: 'library' })
    expect(desktop.quickWindow.visible).toBe(false)
    await stack.page.getByTestId('view-library').waitFor()
  }, 60_000)

  it('"Use clipboard" reads the clipboard only when pressed', async () => {
    await newThread(quick)
    stack.host.powers.clipboard.text = 'Text copied elsewhere'
    const before = stack.host.powers.clipboard.reads
    await quick.waitForTimeout(50)
    expect(stack.host.powers.clipboard.reads).toBe(before)
    await quick.getByTestId('quick-clipboard').click()
    await expect.poll(() => quick.getByTestId('quick-input').inputValue()).toBe('Text copied elsewhere')
    expect(stack.host.powers.clipboard.reads).toBe(before + 1)
    await quick.getByTestId('quick-input').fill('')
  })

  it('Open in Skyport while the answer streams: the main window follows it to the end, nothing lost or sent twice', async () => {
    const main = stack.page
    await main.evaluate(() => {
      const seen: unknown[] = []
      ;(window as unknown as { commands: unknown[] }).commands = seen
      window.api.on('shell.command', (command) => seen.push(command))
    })
    await newThread(quick)
    const requestsBefore = stack.fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length
    stack.fake.inject({ kind: 'stall', afterChunks: 6, ms: 5_000 }, { path: '/v1/chat/completions' })
    await ask(quick, 'Hand this over to the main window, words:120')
    await quick.waitForFunction(() => (document.querySelector('[data-testid="quick-answer"]')?.textContent ?? '').length > 5)
    expect(await turns(quick).nth(0).getAttribute('data-status')).toBe('streaming')
    await quick.keyboard.press('Control+o')

    const conversation = stack.host.services.chatStore.listConversations().find((c) => c.title.startsWith('Hand this over'))
    await expect.poll(() => desktop.mainWindow.commands.at(-1)).toEqual({ command: 'open-conversation', conversationId: conversation?.id })
    await expect.poll(() => main.evaluate(() => (window as unknown as { commands: unknown[] }).commands)).toEqual([
      { command: 'open-conversation', conversationId: conversation?.id }
    ])
    // The main window opens it while it still streams (the shell's listener opens it by id on the
    // command; here through search, which finds the question as soon as it is saved).
    await main.getByTestId('nav-chat').click()
    await main.getByTestId('conversation-search').fill('Hand this over')
    await main.getByTestId('search-hit').first().click()
    const answer = main.locator('[data-testid="message"][data-role="assistant"]').last()
    await answer.waitFor()
    expect(await answer.getAttribute('data-status')).toBe('streaming')
    await main.waitForFunction((element) => element?.getAttribute('data-status') === 'complete', await answer.elementHandle(), { timeout: 20_000 })
    await waitTurnDone(quick, 0)

    const saved = stack.host.services.chatStore.getConversation(conversation?.id ?? '')
    expect(saved.messages.map((m) => m.role)).toEqual(['user', 'assistant'])
    const full = saved.messages[1]?.content ?? ''
    expect(full.split(/\s+/).length).toBeGreaterThan(100)
    // Both windows show all of it, and the question went out once.
    expect((await answer.getByTestId('message-content').innerText()).replace(/\s+/g, ' ').trim().length).toBeGreaterThan(full.length * 0.9)
    expect(await turns(quick).nth(0).getAttribute('data-status')).toBe('complete')
    expect(stack.fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length).toBe(requestsBefore + 1)
  })

  it('Esc hides the window through the shell', async () => {
    desktop.quickWindow.showAndFocus()
    await quick.getByTestId('quick-input').focus()
    await quick.keyboard.press('Escape')
    await expect.poll(() => desktop.quickWindow.visible).toBe(false)
  })

  it('dark: empty and with sources', async () => {
    const browser = await launchChromium()
    try {
      const page = await browser.newPage({ viewport: { width: 640, height: 420 }, colorScheme: 'dark' })
      await page.goto(`${stack.host.url}/quick.html`)
      await page.getByTestId('quick-input').waitFor()
      await screenshot(page, 'quick-empty-dark')
      await page.getByTestId('quick-mode-web').click()
      // Held mid-answer long enough to be photographed while streaming.
      stack.fake.inject({ kind: 'stall', afterChunks: 14, ms: 1_500 }, { path: '/v1/ask' })
      await ask(page, 'Why is the sky blue?')
      await page.waitForFunction(() => {
        const turn = document.querySelector('[data-testid="quick-turn"]')
        return turn?.getAttribute('data-status') === 'streaming' && (turn.querySelector('[data-testid="quick-answer"]')?.textContent ?? '').length > 80
      })
      await screenshot(page, 'quick-streaming-dark')
      await waitTurnDone(page, 0)
      await screenshot(page, 'quick-sources-dark')
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    } finally {
      await browser.close()
    }
    expect(stack.pageErrors).toEqual([])
  })
})
