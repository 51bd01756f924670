/**
 * Streaming benchmark of the markdown renderer in real Chromium, reusable by
 * other benchmarks:
 *
 *   import { runMarkdownBenchmark } from './markdown-harness/bench.ts'
 *   const figures = await runMarkdownBenchmark({ tokens: 20_000 })
 *
 * or from a shell (prints a table and the JSON):
 *
 *   node tests/e2e/markdown-harness/bench.ts [tokens] [chunkChars]
 *
 * A generated 20,000-token answer (headings, prose with inline math, code in
 * several languages, display math, tables, lists) is streamed in chunks of
 * ~4 characters. Per update it times IncrementalMarkdown.append, the same
 * plus the DOM writes Markdown.svelte makes, and (sampled) renderMarkdown of
 * the whole text so far; for the first and the last 1,000 tokens.
 * The page is cross-origin isolated so performance.now() is fine-grained.
 */
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { launchHarnessChromium } from './browser.ts'
import { startMarkdownHarness } from './server.ts'

export interface BenchOptions {
  tokens?: number
  chunkChars?: number
  windowTokens?: number
  /** Time the full render on every n-th update of each window (it is slow by design). */
  fullEvery?: number
  /** Tokens streamed untimed first, to warm up the JIT. */
  warmupTokens?: number
}

export interface Stats {
  count: number
  mean: number
  p50: number
  p95: number
  max: number
}

export interface WindowFigures {
  incremental: Stats
  incrementalDom: Stats
  full: Stats
}

export interface BenchResult {
  chars: number
  tokens: number
  updates: number
  windowUpdates: number
  blocks: number
  finalRenderMs: number
  first: WindowFigures
  last: WindowFigures
}

interface BenchGlobal {
  markdownHarness: { benchmark(options: BenchOptions): BenchResult }
}

/** Runs the benchmark in a page already showing the harness (`/bench`). */
export function measureMarkdownStreaming(page: Page, options: BenchOptions = {}): Promise<BenchResult> {
  return page.evaluate((opts) => (globalThis as unknown as BenchGlobal).markdownHarness.benchmark(opts), options)
}

/** Builds and serves the harness, launches Chromium, measures, cleans up. */
export async function runMarkdownBenchmark(options: BenchOptions = {}): Promise<BenchResult> {
  const harness = await startMarkdownHarness()
  const browser = await launchHarnessChromium()
  try {
    const page = await browser.newPage()
    await page.goto(`${harness.url}/bench`)
    await page.waitForSelector('html[data-ready="1"]', { state: 'attached' })
    return await measureMarkdownStreaming(page, options)
  } finally {
    await browser.close()
    await harness.close()
  }
}

export function formatBenchResult(result: BenchResult): string {
  const ms = (value: number): string => `${value.toFixed(3)} ms`
  const row = (label: string, stats: Stats): string =>
    `  ${label.padEnd(34)} mean ${ms(stats.mean).padStart(11)}  p50 ${ms(stats.p50).padStart(11)}  p95 ${ms(stats.p95).padStart(11)}  max ${ms(stats.max).padStart(11)}  (n=${stats.count})`
  const lines = [
    `answer: ${result.chars} chars ≈ ${result.tokens} tokens, ${result.updates} updates, ${result.blocks} blocks; windows of ${result.windowUpdates} updates`
  ]
  for (const [name, figures] of [
    ['first 1,000 tokens', result.first],
    ['last 1,000 tokens', result.last]
  ] as const) {
    lines.push(`${name}:`)
    lines.push(row('IncrementalMarkdown.append', figures.incremental))
    lines.push(row('  + DOM write of changed blocks', figures.incrementalDom))
    lines.push(row('renderMarkdown(whole text)', figures.full))
  }
  lines.push(`final full render (finish): ${ms(result.finalRenderMs)}`)
  return lines.join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const tokens = Number(process.argv[2] ?? 20_000)
  const chunkChars = Number(process.argv[3] ?? 4)
  const result = await runMarkdownBenchmark({ tokens, chunkChars })
  console.log(formatBenchResult(result))
  console.log(JSON.stringify(result))
}
