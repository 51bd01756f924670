/**
 * Benchmark 7: the renderer's start-up cost.
 *
 * - size: what index.html makes Chromium load before the app runs (the entry
 *   script and its modulepreloads), raw and gzipped, and everything else the
 *   build holds (chunks loaded on demand, fonts), read from out/renderer.
 * - cold load: the test host's app in a fresh browser context each time (no
 *   HTTP cache, no compiled-code cache), until the first contentful paint and
 *   until the chat screen's composer has been painted.
 *
 * The "before" figures in the README come from this same benchmark run over
 * the single-file build that preceded code splitting.
 * Target: initial JavaScript < 200 KB gzip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBuiltRenderer } from '../support/built-renderer'
import { startStack, type Stack } from '../e2e/support'
import { fmt, median, round, roundStats, stats, table, writePart } from './support'

const REPETITIONS = 7
const TARGET_GZIP_KB = 200

/** Runs before the app's scripts: times the first frame that shows the composer, painted. */
const SHOWN_SCRIPT = `(() => {
  const done = (at) => { window.__coldLoad = { composerPaintedMs: at } }
  const check = () => {
    if (!document.querySelector('[data-testid="composer-input"]')) return false
    requestAnimationFrame(() => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => done(performance.now())
      channel.port2.postMessage(null)
    })
    return true
  }
  new MutationObserver((_, observer) => { if (check()) observer.disconnect() }).observe(document, { childList: true, subtree: true })
})()`

interface ColdLoad {
  fcpMs: number
  composerPaintedMs: number
  domContentLoadedMs: number
  scripts: number
  scriptBytes: number
}

describe('benchmark 7: renderer size and cold start', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack()
  })

  afterAll(async () => {
    await stack?.close()
  })

  it('initial chunks and first paint on a cold load', async () => {
    const started = Date.now()
    const built = readBuiltRenderer()
    const loads: ColdLoad[] = []
    for (let i = 0; i < REPETITIONS; i++) {
      const context = await stack.browser.newContext({ viewport: { width: 1200, height: 800 } })
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.addInitScript({ content: SHOWN_SCRIPT })
      await page.goto(stack.host.url)
      await page.waitForFunction(() => '__coldLoad' in globalThis, undefined, { timeout: 30_000 })
      const load = await page.evaluate(() => {
        const g = globalThis as unknown as {
          __coldLoad: { composerPaintedMs: number }
          performance: { getEntriesByType(type: string): { name: string; startTime: number; initiatorType?: string; encodedBodySize?: number; domContentLoadedEventEnd?: number }[] }
        }
        const fcp = g.performance.getEntriesByType('paint').find((entry) => entry.name === 'first-contentful-paint')
        const navigation = g.performance.getEntriesByType('navigation')[0]
        const scripts = g.performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('.js'))
        return {
          fcpMs: fcp?.startTime ?? Number.NaN,
          composerPaintedMs: g.__coldLoad.composerPaintedMs,
          domContentLoadedMs: navigation?.domContentLoadedEventEnd ?? Number.NaN,
          scripts: scripts.length,
          scriptBytes: scripts.reduce((sum, entry) => sum + (entry.encodedBodySize ?? 0), 0)
        }
      })
      expect(errors, 'page errors on a cold load').toEqual([])
      loads.push(load)
      await context.close()
    }

    const fcp = loads.map((load) => load.fcpMs)
    const composer = loads.map((load) => load.composerPaintedMs)
    const kb = (bytes: number): string => `${fmt(bytes / 1024, 1)} KB`
    const allJs = built.scripts.reduce((sum, script) => sum + script.bytes, 0)
    const allJsGzip = built.scripts.reduce((sum, script) => sum + script.gzipBytes, 0)
    const initialGzipKb = built.initialJsGzipBytes / 1024
    const range = (values: number[]): string => `${fmt(Math.min(...values), 0)}–${fmt(Math.max(...values), 0)}`
    console.log(
      [
        '',
        `Benchmark 7 — renderer start-up: ${built.initialScripts.length} initial script(s), ${built.scripts.length} scripts in all, ${built.fonts.length} font files; cold load in a fresh context, ${REPETITIONS} runs`,
        table(
          ['figure', 'value'],
          [
            ['initial JS (entry + modulepreloads)', `${kb(built.initialJsBytes)} raw, ${kb(built.initialJsGzipBytes)} gzip`],
            ['all JS', `${kb(allJs)} raw, ${kb(allJsGzip)} gzip`],
            ['fonts', `${built.fonts.length} files, ${kb(built.fonts.reduce((sum, font) => sum + font.bytes, 0))}; formats ${[...new Set(built.fonts.map((font) => font.path.split('.').at(-1)))].join(', ')}`],
            ['first contentful paint, p50 (range)', `${fmt(median(fcp), 1)} ms (${range(fcp)} ms)`],
            ['composer painted, p50 (range)', `${fmt(median(composer), 1)} ms (${range(composer)} ms)`],
            ['scripts fetched on load', `${fmt(median(loads.map((load) => load.scripts)), 0)} (${kb(median(loads.map((load) => load.scriptBytes)))})`]
          ]
        ),
        `target initial JS < ${TARGET_GZIP_KB} KB gzip: ${initialGzipKb < TARGET_GZIP_KB ? 'met' : 'not met'}`
      ].join('\n')
    )

    writePart({
      id: '7-bundle',
      title: 'Renderer size and cold start',
      chromium: stack.browser.version(),
      rows: [
        {
          benchmark: '7. Renderer start-up',
          metric: 'initial JS, gzip',
          unit: 'KB',
          ours: round(initialGzipKb, 1),
          peer: null,
          comparison: `${fmt(built.initialJsBytes / 1024, 0)} KB raw`,
          target: `< ${TARGET_GZIP_KB} KB`,
          met: initialGzipKb < TARGET_GZIP_KB
        },
        {
          benchmark: '7. Renderer start-up',
          metric: `cold load → composer painted, p50 (${REPETITIONS} runs)`,
          unit: 'ms',
          ours: round(median(composer), 1),
          peer: null,
          comparison: `FCP ${fmt(median(fcp), 0)} ms`,
          target: 'reported',
          met: true
        }
      ],
      figures: {
        initialScripts: built.initialScripts,
        initialStyles: built.initialStyles,
        initialJsBytes: built.initialJsBytes,
        initialJsGzipBytes: built.initialJsGzipBytes,
        allJsBytes: allJs,
        allJsGzipBytes: allJsGzip,
        scripts: built.scripts.length,
        fonts: built.fonts,
        fcpMs: roundStats(stats(fcp)),
        composerPaintedMs: roundStats(stats(composer)),
        runs: loads.map((load) => ({ ...load, fcpMs: round(load.fcpMs, 1), composerPaintedMs: round(load.composerPaintedMs, 1), domContentLoadedMs: round(load.domContentLoadedMs, 1) }))
      },
      peerFigures: null,
      setup: { repetitions: REPETITIONS, viewport: '1200×800', start: 'a new browser context per run (empty HTTP cache), the test host over an empty database' },
      notes: ['composer painted: a MutationObserver sees the composer, then a message posted from the next rAF arrives after that frame was painted.'],
      durationMs: Date.now() - started
    })
  })
})
