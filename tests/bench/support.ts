/**
 * Shared pieces of the benchmarks (`npm run bench`): statistics, the result
 * files (one part per benchmark under test-results/bench/parts, merged into
 * test-results/bench/results.json by global-setup.ts), machine information,
 * the browser page bundle, and the test host started with a pre-filled
 * chat database.
 *
 * These are measurements, not timed tests: nothing here fails on speed.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { DATABASE_FILE } from '../../src/main/app-services'
import { makeBundle, type BundleConversation } from '../../src/main/services/chat/export/bundle'
import { ChatStore } from '../../src/main/services/chat/store'
import { startStack, type Stack } from '../e2e/support'
import { bundleForBrowser } from '../support/browser-bundle'
import { longConversation } from './corpus'

export const projectRoot = resolve(import.meta.dirname, '../..')
export const resultsDir = join(projectRoot, 'test-results/bench')
export const partsDir = join(resultsDir, 'parts')

// ------------------------------------------------------------ statistics

export interface Stats {
  count: number
  mean: number
  min: number
  p50: number
  p95: number
  max: number
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil(q * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN
}

export function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b)
  const sum = sorted.reduce((total, value) => total + value, 0)
  return {
    count: sorted.length,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted.at(-1) ?? Number.NaN
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/** Rounds for JSON and tables: 3 significant decimals is plenty for timings. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

export function roundStats(value: Stats): Stats {
  return {
    count: value.count,
    mean: round(value.mean),
    min: round(value.min),
    p50: round(value.p50),
    p95: round(value.p95),
    max: round(value.max)
  }
}

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '—'
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** Alternates contender and peer so drift in machine load hits both alike. */
export async function alternate(rounds: number, first: () => Promise<void> | void, second: () => Promise<void> | void): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      await first()
      await second()
    } else {
      await second()
      await first()
    }
  }
}

// ------------------------------------------------------------ results

/** One line of the final summary table. */
export interface SummaryRow {
  benchmark: string
  metric: string
  unit: string
  ours: number
  peer: number | null
  /** How ours compares, e.g. "3.1× faster". */
  comparison: string
  target: string
  met: boolean
}

export interface BenchPart {
  id: string
  title: string
  rows: SummaryRow[]
  /** Everything measured for ours. */
  figures: unknown
  /** Everything measured for the peer. */
  peerFigures: unknown
  setup: Record<string, unknown>
  notes: string[]
  chromium?: string
  durationMs: number
}

export function writePart(part: BenchPart): void {
  mkdirSync(partsDir, { recursive: true })
  writeFileSync(join(partsDir, `${part.id}.json`), `${JSON.stringify(part, null, 2)}\n`)
}

export function readParts(): BenchPart[] {
  let names: string[]
  try {
    names = readdirSync(partsDir).filter((name) => name.endsWith('.json'))
  } catch {
    return []
  }
  return names.sort().map((name) => JSON.parse(readFileSync(join(partsDir, name), 'utf8')) as BenchPart)
}

export interface MachineInfo {
  cpu: string
  cores: number
  memoryGiB: number
  platform: string
  node: string
  chromium: string | null
}

export function machineInfo(chromium: string | null): MachineInfo {
  const list = cpus()
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    chromium
  }
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length)
}

/** A plain-text table with a header row. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, column) => pad(cell, widths[column] ?? 0)).join(' | ')} |`
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

export function summaryTable(rows: readonly SummaryRow[]): string {
  const value = (number: number | null, unit: string): string => (number === null ? '—' : `${fmt(number, number >= 100 ? 0 : 2)} ${unit}`)
  return table(
    ['benchmark', 'metric', 'ours', 'peer', 'ours vs peer', 'target', 'met'],
    rows.map((row) => [row.benchmark, row.metric, value(row.ours, row.unit), value(row.peer, row.unit), row.comparison, row.target, row.met ? 'yes' : 'no'])
  )
}

/** "2.4× faster" / "1.3× slower" for lower-is-better figures. */
export function compareLower(ours: number, peer: number): string {
  if (!(ours > 0) || !(peer > 0)) return '—'
  return ours <= peer ? `${fmt(peer / ours, 1)}× faster` : `${fmt(ours / peer, 1)}× slower`
}

/** The same for higher-is-better figures (throughput). */
export function compareHigher(ours: number, peer: number): string {
  if (!(ours > 0) || !(peer > 0)) return '—'
  return ours >= peer ? `${fmt(ours / peer, 2)}× faster` : `${fmt(peer / ours, 2)}× slower`
}

// ------------------------------------------------------------ the browser side

/**
 * tests/bench/page/bench-page.js (which imports the real renderMarkdown)
 * bundled in memory with the shared helper, as the markdown harness is.
 */
export function buildPageBundle(): Promise<string> {
  return bundleForBrowser(join(import.meta.dirname, 'page/bench-page.js'), { minify: true })
}

export const instrumentScript = join(import.meta.dirname, 'page/instrument.js')
const BUNDLE_PATH = '/__bench/bench-page.js'

export interface BenchStack {
  stack: Stack
  page: Page
  url: string
  chromium: string
  /** Loads the peer's page script (the real renderMarkdown, bundled separately) into the page. */
  loadPeerScript(): Promise<void>
  close(): Promise<void>
}

/**
 * The fake API, the test host over a chat database filled through
 * `ChatStore.importBundle`, and Chromium with the measuring init script.
 * The peer's bundle is served from the host's origin (so the app's CSP,
 * `script-src 'self'`, allows it) by intercepting one path in the browser.
 */
export async function startBenchStack(conversations: BundleConversation[]): Promise<BenchStack> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-bench-'))
  const store = ChatStore.open(join(userDataDir, DATABASE_FILE))
  try {
    store.importBundle(makeBundle(conversations, Date.now()))
  } finally {
    store.close()
  }
  const script = await buildPageBundle()
  const stack = await startStack({ host: { userDataDir } })
  const { page } = stack
  await page.addInitScript({ path: instrumentScript })
  await page.route(`${stack.host.url}${BUNDLE_PATH}`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: script })
  )
  await page.reload()
  return {
    stack,
    page,
    url: stack.host.url,
    chromium: stack.browser.version(),
    async loadPeerScript() {
      await page.addScriptTag({ url: BUNDLE_PATH, type: 'module' })
      await page.waitForFunction(() => 'skyportBench' in globalThis)
    },
    async close() {
      await stack.close()
      rmSync(userDataDir, { recursive: true, force: true })
    }
  }
}

/** Reloads the app and waits until the sidebar lists `conversationId` and the page is quiet. */
export async function freshApp(page: Page, conversationId: string): Promise<void> {
  await page.reload()
  await page.locator(`[data-testid="conversation-item"][data-id="${conversationId}"]`).waitFor({ timeout: 30_000 })
  // Let start-up work (model list, presets, fonts) finish before measuring.
  await page.waitForTimeout(400)
}

// ------------------------------------------------------------ the app's data

export const LONG_CONVERSATION_ID = 'bench-long-2000'

/** The chat database of the browser benchmarks: one 2,000-message conversation (mixed lengths) and a few short ones. */
export function benchConversations(): BundleConversation[] {
  const start = Date.UTC(2025, 5, 1)
  const long = longConversation({ id: LONG_CONVERSATION_ID, title: 'Long conversation (2,000 messages)', count: 2_000, seed: 2_000, start })
  const short = [1, 2, 3].map((n) =>
    longConversation({ id: `bench-short-${n}`, title: `Short conversation ${n}`, count: 6, seed: n, start: start - n * 86_400_000 })
  )
  return [long, ...short]
}

/** Id of the last message of a straight-thread conversation. */
export function lastMessageId(conversation: BundleConversation): string {
  const id = conversation.activeLeafId ?? conversation.messages.at(-1)?.id
  if (!id) throw new Error(`conversation ${conversation.id} has no messages`)
  return id
}

/** What the page scripts put on `window` (used inside page.evaluate, typed here). */
export interface BenchUpdate {
  start: number
  end: number
  chars: number
  lagMs?: number
}

export interface BenchFrame {
  ts: number
  cb: number
  done: number
}

export interface Recording {
  updates: BenchUpdate[]
  frames: BenchFrame[]
}

export interface OpenTiming {
  paintMs: number
  /** The bridge call's response had arrived. */
  fetchMs: number
  /** The message list element existed. */
  listMs: number
  settledMs: number
  visibleRows: number
  renderedRows: number
  settledVisibleRows: number
  settledRenderedRows: number
  frames: number
}

export interface NaiveOpenTiming {
  paintMs: number
  fetchMs: number
  renderMs: number
  layoutAndPaintMs: number
  messages: number
  elements: number
}

export interface NaiveWindow {
  from: number
  to: number
  tokensDone: number
  wallMs: number
  updates: BenchUpdate[]
  frames: BenchFrame[]
  textLength: number
}

export interface PageGlobals {
  __bench: {
    startRecording(): void
    stopRecording(): Recording
    measureOpen(conversationId: string, lastMessageId: string, options?: { settleFrames?: number; timeoutMs?: number }): Promise<OpenTiming>
  }
  skyportBench: {
    naiveStream(options: { tokens: string[]; windowTokens?: number; tokensPerSecond?: number; lastWindowWallMs?: number; firstWindowWallMs?: number }): Promise<{ first: NaiveWindow; last: NaiveWindow }>
    naiveOpen(options: { conversationId: string }): Promise<NaiveOpenTiming>
    renderText(markdown: string): string
  }
}

// ------------------------------------------------------------ frame analysis

/**
 * Main-thread work of each frame: its rendering (from its rAF callback to
 * the message posted there, i.e. style, layout, paint and whatever ran
 * before that message) plus the timed updates that started between the
 * previous frame's end and this frame's callback.
 */
export function frameWork(frames: readonly BenchFrame[], updates: readonly BenchUpdate[]): number[] {
  const sorted = [...updates].sort((a, b) => a.start - b.start)
  const work: number[] = []
  let u = 0
  let previousDone = -Infinity
  for (const frame of frames) {
    let scripts = 0
    while (u < sorted.length && (sorted[u]?.start ?? Infinity) < frame.cb) {
      const update = sorted[u] as BenchUpdate
      if (update.start >= previousDone) scripts += update.end - update.start
      u++
    }
    // Updates that ran inside (cb, done] are already inside the rendering span.
    while (u < sorted.length && (sorted[u]?.start ?? Infinity) < frame.done) u++
    work.push(frame.done - frame.cb + scripts)
    previousDone = frame.done
  }
  return work
}

export function frameIntervals(frames: readonly BenchFrame[]): number[] {
  const out: number[] = []
  for (let i = 1; i < frames.length; i++) out.push((frames[i]?.ts ?? 0) - (frames[i - 1]?.ts ?? 0))
  return out
}
