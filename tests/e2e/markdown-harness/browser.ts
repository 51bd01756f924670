/**
 * Chromium launched as tests/e2e/support.ts does (same flags), without
 * importing the test host, so the markdown harness stands alone.
 */
import { chromium, type Browser } from 'playwright-core'

export function launchHarnessChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic'
    ]
  })
}
