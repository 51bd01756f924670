/**
 * Shared pieces of the browser tests: Chromium launched the way this kind
 * of machine allows, the fake gateway, the test host with the real
 * services, and screenshots under test-results/screenshots.
 */
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
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

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true })
  const path = join(screenshotDir, `${name}.png`)
  // A screen that just opened may still be fading in: shoot what the person sees once it settled.
  await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined))))
  await page.screenshot({ path })
  return path
}
