/**
 * Shared pieces of the browser tests: Chromium launched the way this kind
 * of machine allows, the fake gateway, the test host with the real
 * services, screenshots under test-results/screenshots, and the
 * accessibility check every screen passes (axe-core).
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { AxeResults, Result as AxeResult } from 'axe-core'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startFakeApi, type FakeApi, type FakeApiOptions } from '../fake-api/server'
import { startTestHost, type TestHost, type TestHostOptions } from '../host/server'

export const screenshotDir = resolve(import.meta.dirname, '../../test-results/screenshots')

export function chromiumPath(): string {
  return process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
}

/** The flags this kind of machine needs (no sandbox, no GPU) and no background traffic. */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic'
]

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: [...chromiumArgs] })
}

export interface Stack {
  fake: FakeApi
  host: TestHost
  browser: Browser
  page: Page
  userDataDir: string
  /** Messages the page printed to its console as errors, and uncaught exceptions. */
  pageErrors: string[]
  close(): Promise<void>
}

export async function startStack(
  options: { host?: Partial<TestHostOptions>; colorScheme?: 'light' | 'dark'; fake?: FakeApiOptions } = {}
): Promise<Stack> {
  const fake = await startFakeApi({ songMs: 500, ...options.fake })
  const userDataDir = options.host?.userDataDir ?? mkdtempSync(join(tmpdir(), 'skyport-e2e-'))
  const host = await startTestHost({ userDataDir, initialSettings: { baseUrl: fake.url }, ...options.host })
  const browser = await launchChromium()
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, colorScheme: options.colorScheme ?? 'light' })
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${message.text()} @ ${JSON.stringify(message.location())}`)
  })
  await page.goto(host.url)
  return {
    fake,
    host,
    browser,
    page,
    userDataDir,
    pageErrors,
    async close() {
      await browser.close()
      await host.close()
      await fake.close().catch(() => {})
    }
  }
}

export async function screenshot(page: Page, name: string, options: { settle?: boolean } = {}): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true })
  const path = join(screenshotDir, `${name}.png`)
  // A screen that just opened may still be fading in: shoot what the person sees once it settled.
  // (`settle: false` for a screen mid-stream, whose animations run until the stream ends.)
  if (options.settle !== false) await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined))))
  await page.screenshot({ path })
  return path
}

// ------------------------------------------------------------ accessibility

const axeSourcePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
let axeSource: string | undefined

export interface AxeCheckOptions {
  /** CSS selector of the part to check (default: the whole page). */
  include?: string
  /** Rule ids to leave out, each with a reason in the calling test. */
  disableRules?: readonly string[]
}

/** One failing rule, as printed: rule id, impact, what it means, and each element with axe's summary. */
export function formatAxeViolations(name: string, violations: readonly AxeResult[]): string {
  const lines = [`${name}: ${violations.length} serious or critical accessibility violation(s)`]
  for (const violation of violations) {
    lines.push(`- ${violation.id} (${violation.impact ?? 'unknown'}): ${violation.help} (${violation.helpUrl})`)
    for (const node of violation.nodes) {
      lines.push(`    at ${node.target.join(' ')}`, `       ${node.html.slice(0, 200)}`)
      if (node.failureSummary) lines.push(...node.failureSummary.split('\n').map((line) => `       ${line}`))
    }
  }
  return lines.join('\n')
}

/**
 * Runs axe-core on the page as it is now and fails, listing each element and
 * what is wrong with it, when any rule of serious or critical impact fails.
 * Call it from any test after bringing a screen up; `name` says which screen
 * in the failure (e.g. 'studio speech tab, dark').
 */
export async function expectNoSeriousAxeViolations(page: Page, name: string, options: AxeCheckOptions = {}): Promise<AxeResults> {
  // Transitions finish first, so colours are measured as they settle.
  await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined))))
  if (!(await page.evaluate(() => 'axe' in window))) {
    axeSource ??= readFileSync(axeSourcePath, 'utf8')
    // The app's CSP allows no inline script, which is how addScriptTag injects
    // a file; evaluating the same source through the debugging protocol is not
    // subject to the page's CSP, and the app's policy stays as it ships.
    await page.evaluate(axeSource)
  }
  const results = await page.evaluate(
    ({ include, disableRules }) => {
      const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<AxeResults> } }).axe
      const rules = Object.fromEntries(disableRules.map((id) => [id, { enabled: false }]))
      return axe.run(include ? { include: [include] } : document, { resultTypes: ['violations'], rules })
    },
    { include: options.include ?? null, disableRules: [...(options.disableRules ?? [])] }
  )
  const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
  if (serious.length > 0) throw new Error(formatAxeViolations(name, serious))
  return results
}
