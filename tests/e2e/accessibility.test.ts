/**
 * Accessibility end to end: every screen, in light and dark, passes axe-core
 * with no serious or critical violation (colour contrast of the rendered
 * text included), the keyboard reaches and sees everything, a streamed answer
 * is announced a bounded number of times, and reduced motion stops animations.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectNoSeriousAxeViolations, screenshot, startStack, type Stack } from './support'

let stack: Stack
let userDataDir: string

beforeAll(async () => {
  userDataDir = mkdtempSync(join(tmpdir(), 'skyport-e2e-a11y-'))
  stack = await startStack({ host: { userDataDir }, fake: { imageMs: 50 } })
  const { page, fake } = stack
  // A conversation with an answer, one whose answer failed, and one image in the library.
  await newChat(page)
  await sendAndWait(page, 'Show me some code and math please, words:60')
  await newChat(page)
  fake.inject({ kind: 'http-error', status: 503, shape: 'openai', message: 'All providers failed' }, { path: '/chat/completions' })
  await sendAndWait(page, 'Are you there?')
  await page.getByTestId('nav-studio').click()
  await page.getByTestId('studio-prompt').fill('A lighthouse at dusk')
  await page.getByTestId('studio-generate').click()
  await page.getByTestId('result-open').first().waitFor({ timeout: 30_000 })
}, 120_000)

afterAll(async () => {
  await stack?.close()
  rmSync(userDataDir, { recursive: true, force: true })
})

const messages = (page: Page) => page.locator('[data-testid="message"]')

async function newChat(page: Page): Promise<void> {
  await page.getByTestId('nav-chat').click()
  await page.getByTestId('new-chat').click()
  await page.getByTestId('composer-input').waitFor()
}

async function sendAndWait(page: Page, text: string): Promise<void> {
  const before = await page.locator('[data-testid="message"][data-role="assistant"]').count()
  await page.getByTestId('composer-input').fill(text)
  await page.getByTestId('composer-input').press('Enter')
  await page.waitForFunction(
    (n) => {
      const answers = [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')]
      return answers.length > n && answers.at(-1)?.getAttribute('data-status') !== 'streaming'
    },
    before,
    { timeout: 20_000 }
  )
}

async function openConversation(page: Page, title: string): Promise<void> {
  await page.getByTestId('nav-chat').click()
  await page.getByTestId('conversation-item').filter({ hasText: title }).first().click()
  await messages(page).first().waitFor()
}

describe.each(['light', 'dark'] as const)('every screen passes axe-core, %s', (theme) => {
  beforeAll(async () => {
    await stack.page.emulateMedia({ colorScheme: theme })
  })

  it('chat, empty', async () => {
    const { page } = stack
    await newChat(page)
    await expectNoSeriousAxeViolations(page, `chat, empty, ${theme}`)
    await screenshot(page, `a11y-chat-empty-${theme}`)
  })

  it('chat, with messages', async () => {
    const { page } = stack
    await openConversation(page, 'Show me some code')
    await page.locator('[data-testid="message"][data-role="assistant"] pre code').first().waitFor()
    await expectNoSeriousAxeViolations(page, `chat, with messages, ${theme}`)
    await screenshot(page, `a11y-chat-with-messages-${theme}`)
  })

  it('chat, with an error', async () => {
    const { page } = stack
    await openConversation(page, 'Are you there?')
    await page.getByTestId('error-notice').first().waitFor()
    await expectNoSeriousAxeViolations(page, `chat, with an error, ${theme}`)
    await screenshot(page, `a11y-chat-with-an-error-${theme}`)
  })

  it('chat, with the settings drawer open', async () => {
    const { page } = stack
    await openConversation(page, 'Show me some code')
    await page.getByTestId('conversation-settings').click()
    await page.getByTestId('system-prompt').waitFor()
    await expectNoSeriousAxeViolations(page, `chat, settings drawer, ${theme}`)
    await screenshot(page, `a11y-chat-settings-drawer-${theme}`)
    await page.getByTestId('conversation-settings').click()
    await page.getByTestId('system-prompt').waitFor({ state: 'detached' })
  })

  it('settings', async () => {
    const { page } = stack
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('view-settings').waitFor()
    await expectNoSeriousAxeViolations(page, `settings, ${theme}`)
    await screenshot(page, `a11y-settings-${theme}`)
  })

  it('models', async () => {
    const { page } = stack
    await page.getByTestId('nav-models').click()
    await page.getByTestId('model-item').first().waitFor()
    await expectNoSeriousAxeViolations(page, `models, ${theme}`)
    await screenshot(page, `a11y-models-${theme}`)
  })

  it('studio', async () => {
    const { page } = stack
    await page.getByTestId('nav-studio').click()
    await page.getByTestId('result-open').first().waitFor()
    await expectNoSeriousAxeViolations(page, `studio, ${theme}`)
    await screenshot(page, `a11y-studio-${theme}`)
  })

  it('library, grid and viewer', async () => {
    const { page } = stack
    await page.getByTestId('nav-library').click()
    await page.getByTestId('library-card').first().waitFor()
    await expectNoSeriousAxeViolations(page, `library grid, ${theme}`)
    await screenshot(page, `a11y-library-grid-${theme}`)
    await page.getByTestId('library-card').first().dblclick()
    await page.getByTestId('viewer').waitFor()
    await page.getByTestId('viewer-details').waitFor()
    await expectNoSeriousAxeViolations(page, `library viewer, ${theme}`)
    await screenshot(page, `a11y-library-viewer-${theme}`)
    await page.getByTestId('viewer-close').click()
    await page.getByTestId('viewer').waitFor({ state: 'detached' })
  })
})

/**
 * Whether the focused element shows it: its outline, shadow or border, or
 * those of a near container (a composer whose box lights up), differ from
 * the same element once it is blurred.
 */
async function focusShows(page: Page): Promise<{ shows: boolean; what: string }> {
  return page.evaluate(() => {
    const element = document.activeElement
    if (!(element instanceof HTMLElement) || element === document.body) return { shows: false, what: 'nothing focused' }
    const chain = [element, element.parentElement, element.parentElement?.parentElement].filter((e): e is HTMLElement => e instanceof HTMLElement)
    const look = (): string =>
      chain
        .map((e) => {
          const style = getComputedStyle(e)
          const outline = style.outlineStyle === 'none' || parseFloat(style.outlineWidth) === 0 ? 'none' : `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`
          return `${outline}|${style.boxShadow}|${style.borderColor}|${style.backgroundColor}`
        })
        .join('/')
    // Transitions are off (reduced motion is emulated here) so both looks are final.
    const focused = look()
    element.blur()
    const blurred = look()
    element.focus()
    const what = `${element.tagName.toLowerCase()}${element.dataset['testid'] ? `[data-testid=${element.dataset['testid']}]` : ''} "${(element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 40)}"`
    return { shows: focused !== blurred, what }
  })
}

async function tabThrough(page: Page, presses: number): Promise<string[]> {
  const unseen: string[] = []
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab')
    const { shows, what } = await focusShows(page)
    // Past the last control the focus leaves the page for a moment (the browser's own stop); the next Tab comes back.
    if (!shows && what !== 'nothing focused') unseen.push(what)
  }
  return unseen
}

describe('keyboard', () => {
  beforeAll(async () => {
    await stack.page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' })
  })
  afterEach(async () => {
    // A test that failed with a menu or dialog open does not take the next ones down with it.
    await stack.page.keyboard.press('Escape')
    await stack.page.keyboard.press('Escape')
  })
  afterAll(async () => {
    await stack.page.emulateMedia({ reducedMotion: 'no-preference' })
  })

  it.each(['light', 'dark'] as const)('shows where the focus is on every screen, %s', async (theme) => {
    const { page } = stack
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' })
    const unseen: Record<string, string[]> = {}
    await openConversation(page, 'Show me some code')
    await page.getByTestId('nav-chat').focus()
    unseen['chat'] = await tabThrough(page, 40)
    for (const screen of ['studio', 'library', 'models', 'settings']) {
      await page.getByTestId(`nav-${screen}`).click()
      await page.waitForTimeout(200)
      await page.getByTestId(`nav-${screen}`).focus()
      unseen[screen] = await tabThrough(page, 30)
    }
    expect(Object.fromEntries(Object.entries(unseen).filter(([, list]) => list.length > 0))).toEqual({})
    await page.getByTestId('nav-chat').click()
    await page.getByTestId('nav-chat').focus()
    await page.keyboard.press('Tab')
    await screenshot(page, `focus-visible-${theme}`)
  })

  it('moves through the messages with the arrow keys', async () => {
    const { page } = stack
    await openConversation(page, 'Show me some code')
    await page.getByTestId('composer-input').focus()
    // Shift+Tab from the composer reaches the list's one tab stop: the newest message.
    const list = page.getByTestId('message-list')
    await list.locator('[data-testid="message"][tabindex="0"]').waitFor()
    expect(await list.locator('[data-testid="message"][tabindex="0"]').count()).toBe(1)
    await list.locator('[data-testid="message"][tabindex="0"]').focus()
    const focusedRole = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset['role'])
    expect(await focusedRole()).toBe('assistant')
    await page.keyboard.press('ArrowUp')
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset['role'] === 'user')
    await page.keyboard.press('ArrowDown')
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset['role'] === 'assistant')
    await page.keyboard.press('Home')
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset['role'] === 'user')
    // The message that had the focus stays the tab stop.
    expect(await list.locator('[data-testid="message"][tabindex="0"]').getAttribute('data-role')).toBe('user')
    await page.keyboard.press('End')
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset['role'] === 'assistant')
    // Each message says whose it is.
    expect(await messages(page).first().getAttribute('aria-label')).toBe('You said')
  })

  it('a menu takes the focus, keeps it, and gives it back to its button', async () => {
    const { page } = stack
    await page.getByTestId('nav-chat').click()
    const more = page.getByTestId('conversation-menu').first()
    await more.focus()
    await page.keyboard.press('Enter')
    await page.getByRole('menu').waitFor()
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem')
    await page.keyboard.press('ArrowDown')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem')
    await page.keyboard.press('Escape')
    await page.getByRole('menu').waitFor({ state: 'detached' })
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('conversation-menu')
    // Tab does not wander into the page behind an open menu: it closes it, back on the button.
    await page.keyboard.press('Enter')
    await page.getByRole('menu').waitFor()
    await page.keyboard.press('Tab')
    await page.getByRole('menu').waitFor({ state: 'detached' })
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('conversation-menu')
  })

  it('dialogs keep Tab inside and give the focus back when they close', async () => {
    const { page } = stack
    const inside = (selector: string) => page.evaluate((s) => document.querySelector(s)?.contains(document.activeElement) ?? false, selector)

    // The shortcuts overlay, opened from the composer.
    await newChat(page)
    await page.getByTestId('composer-input').focus()
    await page.keyboard.press('Control+Slash')
    await page.getByTestId('shortcuts-help').waitFor()
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press(i % 2 === 0 ? 'Tab' : 'Shift+Tab')
      expect(await inside('[data-testid="shortcuts-help"]')).toBe(true)
    }
    await page.keyboard.press('Escape')
    await page.getByTestId('shortcuts-help').waitFor({ state: 'detached' })
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('composer-input')

    // The library viewer, opened from a card with the keyboard.
    await page.getByTestId('nav-library').click()
    await page.getByTestId('library-card').first().click()
    const opener = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80))
    await page.keyboard.press('Enter')
    await page.getByTestId('viewer').waitFor()
    await page.getByTestId('viewer-details').waitFor()
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab')
      expect(await inside('[data-testid="viewer"]'), `Tab ${i + 1} left the viewer`).toBe(true)
    }
    await page.keyboard.press('Shift+Tab')
    expect(await inside('[data-testid="viewer"]')).toBe(true)
    await page.keyboard.press('Escape')
    await page.getByTestId('viewer').waitFor({ state: 'detached' })
    expect(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80))).toBe(opener)
  })

  it('the conversation settings drawer gives the focus back to its button', async () => {
    const { page } = stack
    await openConversation(page, 'Show me some code')
    await page.getByTestId('conversation-settings').focus()
    await page.keyboard.press('Enter')
    await page.getByTestId('system-prompt').waitFor()
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('system-prompt')
    await page.keyboard.press('Escape')
    await page.getByTestId('system-prompt').waitFor({ state: 'detached' })
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('conversation-settings')
  })
})

describe('announcements', () => {
  it('a long streamed answer is announced through one polite region, a bounded number of times', async () => {
    const { page } = stack
    await newChat(page)
    const announcer = page.getByTestId('answer-announcer')
    expect(await announcer.getAttribute('role')).toBe('status')
    await page.evaluate(() => {
      const region = document.querySelector('[data-testid="answer-announcer"]')!
      const seen: string[] = []
      ;(window as unknown as { announced: string[] }).announced = seen
      new MutationObserver(() => seen.push(region.textContent ?? '')).observe(region, { childList: true, characterData: true, subtree: true })
    })
    await page.getByTestId('composer-input').fill('Write a very long story, words:1500')
    await page.getByTestId('composer-input').press('Enter')
    const answer = page.locator('[data-testid="message"][data-role="assistant"]').last()
    await page.waitForFunction((element) => (element?.textContent ?? '').length > 500, await answer.elementHandle())
    // While it streams: no other live region in the thread (each token would be read out).
    const otherRegions = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="message-list"] *, [data-testid="message-list"]')].filter((e) => {
        const live = e.getAttribute('aria-live')
        return (live !== null && live !== 'off') || ['status', 'alert', 'log', 'marquee', 'timer'].includes(e.getAttribute('role') ?? '') && live !== 'off'
      }).length
    )
    expect(otherRegions).toBe(0)
    await page.waitForFunction((element) => element?.getAttribute('data-status') === 'complete', await answer.elementHandle(), { timeout: 30_000 })
    await page.waitForFunction(() => document.querySelector('[data-testid="answer-announcer"]')?.textContent === 'Answer finished')
    const announced = await page.evaluate(() => (window as unknown as { announced: string[] }).announced)
    expect(announced.length, JSON.stringify(announced)).toBeLessThanOrEqual(3)
    expect(announced.at(-1)).toBe('Answer finished')
  }, 60_000)
})

describe('reduced motion', () => {
  it('turns transitions and animations off when the system asks for it', async () => {
    const { page } = stack
    await newChat(page)
    const durations = () =>
      page.evaluate(() => {
        // A button (transitions) and a spinner (an endless animation), as every screen has them.
        const button = document.createElement('button')
        button.className = 'btn btn-primary'
        const spinner = document.createElement('span')
        spinner.className = 'spinner'
        document.body.append(button, spinner)
        const result = {
          transition: parseFloat(getComputedStyle(button).transitionDuration),
          animation: parseFloat(getComputedStyle(spinner).animationDuration)
        }
        button.remove()
        spinner.remove()
        return result
      })
    await page.emulateMedia({ reducedMotion: 'no-preference' })
    const moving = await durations()
    expect(moving.transition).toBeGreaterThan(0.05)
    expect(moving.animation).toBeGreaterThan(0.05)
    await page.emulateMedia({ reducedMotion: 'reduce' })
    const still = await durations()
    expect(still.transition).toBeLessThan(0.01)
    expect(still.animation).toBeLessThan(0.01)
    await page.emulateMedia({ reducedMotion: 'no-preference' })
  })
})
