/**
 * Shared pieces of the benchmarks (`npm run bench`): statistics, the result
 * files (one part per benchmark under test-results/bench/parts, merged into
 * test-results/bench/results.json by global-setup.ts), machine information,
 * the browser page bundle, the test host started with a pre-filled chat
 * database or media library, Chromium driven over the DevTools protocol
 * without Playwright, and a page's memory and main-thread time.
 *
 * These are measurements, not timed tests: nothing here fails on speed.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import type { Page } from 'playwright-core'
import { DATABASE_FILE } from '../../src/main/app-services'
import { makeBundle, type BundleConversation } from '../../src/main/services/chat/export/bundle'
import { ChatStore } from '../../src/main/services/chat/store'
import { chromiumArgs, chromiumPath, startStack, type Stack } from '../e2e/support'
import { bundleForBrowser } from '../support/browser-bundle'
import { makeLibraryFixture, type LibraryFixture } from '../support/make-library'
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

export const plainGridScript = join(import.meta.dirname, 'page/plain-grid.js')

export interface LibraryBenchStack {
  stack: Stack
  /** The stack's page, with the measuring scripts. */
  page: Page
  url: string
  chromium: string
  fixture: LibraryFixture
  close(): Promise<void>
}

/**
 * The test host over a media folder and database filled by the library
 * fixture with `count` real images (thumbnails made), and Chromium with the
 * measuring init scripts and the library grid's peer.
 */
export async function startLibraryBenchStack(count: number): Promise<LibraryBenchStack> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-bench-library-'))
  const fixture = await makeLibraryFixture({ userDataDir, count })
  const stack = await startStack({ host: { userDataDir } })
  // The start-up check reads the whole folder once: nothing is timed while it runs.
  await stack.host.services.libraryCheck
  await stack.page.addInitScript({ path: instrumentScript })
  await stack.page.addInitScript({ path: plainGridScript })
  await stack.page.reload()
  return {
    stack,
    page: stack.page,
    url: stack.host.url,
    chromium: stack.browser.version(),
    fixture,
    async close() {
      await stack.close()
      rmSync(userDataDir, { recursive: true, force: true })
    }
  }
}

/** Reloads the app and waits until it shows and the page is quiet (it opens on the chat screen). */
export async function freshLibraryApp(page: Page): Promise<void> {
  await page.reload()
  await page.getByTestId('nav-library').waitFor({ timeout: 30_000 })
  // Let start-up work (model list, presets, fonts) finish before measuring.
  await page.waitForTimeout(400)
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

/**
 * A straight-thread conversation cut to its last `count` messages, as a new
 * conversation `id` (message ids prefixed, so both can be in one database).
 */
export function lastMessagesOf(conversation: BundleConversation, count: number, id: string): BundleConversation {
  const kept = conversation.messages.slice(-count)
  const renamed = (messageId: string | null): string | null => (messageId === null ? null : `${id}-${messageId}`)
  const messages = kept.map((message, index) => ({ ...message, id: `${id}-${message.id}`, parentId: index === 0 ? null : renamed(message.parentId) }))
  return { ...conversation, id, title: `${conversation.title}, last ${count}`, messages, activeLeafId: messages.at(-1)?.id ?? null }
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

/** Where a grid's scroller is and how its cards are laid out (the peer copies it). */
export interface GridGeometry {
  left: number
  top: number
  width: number
  height: number
  columns: number
  cardSize: number
  gap: number
  padding: number
}

/** A grid's first screen, in ms from the click (or the peer's start); see `timeFirstScreen` in page/instrument.js. */
export interface FirstScreenTiming {
  itemsMs: number
  itemsPaintMs: number
  loadedMs: number
  paintMs: number
  lastImageMs: number
  decodedMs: number
  inView: number
  rendered: number
  frames: number
  geometry: GridGeometry
}

export interface GridOpenTiming extends FirstScreenTiming {
  dataMs: number
  /** The bridge call that brought the cards: its wait for the first byte, its download, its size. */
  data: { endMs: number; waitMs: number; downloadMs: number; bytes: number }
}

export interface PlainGridTiming extends FirstScreenTiming {
  dataMs: number
  buildMs: number
  items: number
}

export interface ScrollRun extends Recording {
  steps: number
  distance: number
  /** Responses to the `requests` URLs that completed during the scroll. */
  requests: number
  reachedEnd: boolean
  timedOut: boolean
  wallMs: number
  scrollTop: number
  scrollHeight: number
  lastItemId: string | null
}

export interface PageGlobals {
  __bench: {
    startRecording(): void
    stopRecording(): Recording
    measureOpen(conversationId: string, lastMessageId: string, options?: { settleFrames?: number; timeoutMs?: number }): Promise<OpenTiming>
    measureGridOpen(options: { button: string; scroller: string; item: string; call: string; timeoutMs?: number }): Promise<GridOpenTiming>
    scrollEndToEnd(selector: string, options?: { stepPx?: number; maxMs?: number; settleFrames?: number; item?: string; requests?: string }): Promise<ScrollRun>
  }
  __plainGrid: {
    scroller: string
    item: string
    show(geometry: GridGeometry, options?: { timeoutMs?: number }): Promise<PlainGridTiming>
    waitLoaded(budgetMs: number): Promise<{ loaded: number; failed: number; total: number; ms: number }>
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

// ------------------------------------------------------------ Chromium without Playwright

/**
 * A page of Chromium driven over the DevTools protocol itself, with no
 * domain on but those a measurement asks for. Playwright turns on the
 * Network domain for every page, and its agent in the renderer reports each
 * request and keeps each response it saw: after a scroll through the
 * library grid's 6,000 thumbnails that was about 75 MB of the renderer and
 * a share of every frame, none of it the app's.
 */
export interface DevToolsPage {
  /** Runs a DevTools command in the page's session. */
  send(method: string, params?: Record<string, unknown>): Promise<unknown>
  /** Evaluates an expression in the page (a promise is awaited); its value, as JSON gives it. */
  evaluate<T>(expression: string): Promise<T>
  /** Waits until an expression is truthy. */
  waitFor(expression: string, timeoutMs?: number): Promise<void>
  /** Uncaught exceptions in the page. */
  errors: string[]
  close(): Promise<void>
}

export interface DevToolsBrowser {
  version: string
  /** A new tab (its own renderer) on `url`, its viewport `width`×`height`, the init scripts run first in every document. */
  newPage(url: string, options: { width: number; height: number; initScripts: readonly string[] }): Promise<DevToolsPage>
  /** CPU seconds of each renderer process, by pid. */
  rendererCpu(): Promise<Map<number, number>>
  close(): Promise<void>
}

interface DevToolsMessage {
  id?: number
  method?: string
  params?: Record<string, unknown>
  sessionId?: string
  result?: unknown
  error?: { message: string }
}

/**
 * Launches headless Chromium with the browser tests' flags (and the ones
 * Playwright adds that keep a page at full speed) and talks to it over
 * `--remote-debugging-pipe`: JSON messages ended by NUL on fds 3 and 4.
 */
export async function launchDevToolsChromium(): Promise<DevToolsBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-bench-chromium-'))
  const child = spawn(
    chromiumPath(),
    [
      ...chromiumArgs,
      '--headless',
      '--remote-debugging-pipe',
      `--user-data-dir=${userDataDir}`,
      '--hide-scrollbars',
      '--mute-audio',
      '--disable-renderer-backgrounding',
      '--disable-background-timer-throttling',
      '--disable-backgrounding-occluded-windows',
      '--disable-back-forward-cache',
      '--disable-dev-shm-usage',
      '--disable-extensions',
      '--force-color-profile=srgb',
      'about:blank'
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] }
  )
  const input = child.stdio[3] as Writable
  const output = child.stdio[4] as Readable
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; method: string }>()
  const listeners = new Set<(message: DevToolsMessage) => void>()
  let nextId = 0
  let buffered = ''
  let exited: Error | null = null
  output.setEncoding('utf8')
  output.on('data', (chunk: string) => {
    buffered += chunk
    let end = buffered.indexOf('\0')
    while (end !== -1) {
      const message = JSON.parse(buffered.slice(0, end)) as DevToolsMessage
      buffered = buffered.slice(end + 1)
      end = buffered.indexOf('\0')
      const waiting = message.id === undefined ? undefined : pending.get(message.id)
      if (waiting && message.id !== undefined) {
        pending.delete(message.id)
        if (message.error) waiting.reject(new Error(`${waiting.method}: ${message.error.message}`))
        else waiting.resolve(message.result)
      } else {
        for (const listener of listeners) listener(message)
      }
    }
  })
  child.on('exit', (code) => {
    exited = new Error(`Chromium exited (${code})`)
    for (const waiting of pending.values()) waiting.reject(exited)
    pending.clear()
  })
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited)
      const id = ++nextId
      pending.set(id, { resolve, reject, method })
      input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`)
    })
  const { product } = (await send('Browser.getVersion')) as { product: string }

  return {
    version: product.replace(/^[^/]*\//, ''),
    async newPage(url, options) {
      const { targetId } = (await send('Target.createTarget', { url: 'about:blank' })) as { targetId: string }
      const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string }
      const errors: string[] = []
      const onMessage = (message: DevToolsMessage): void => {
        if (message.sessionId !== sessionId || message.method !== 'Runtime.exceptionThrown') return
        const details = message.params?.['exceptionDetails'] as { text?: string; exception?: { description?: string } } | undefined
        errors.push(details?.exception?.description ?? details?.text ?? 'exception')
      }
      listeners.add(onMessage)
      const inPage = (method: string, params?: Record<string, unknown>): Promise<unknown> => send(method, params, sessionId)
      // Init scripts only run with the Page domain on.
      await inPage('Page.enable')
      await inPage('Runtime.enable')
      await inPage('Emulation.setDeviceMetricsOverride', { width: options.width, height: options.height, deviceScaleFactor: 1, mobile: false })
      for (const path of options.initScripts) await inPage('Page.addScriptToEvaluateOnNewDocument', { source: readFileSync(path, 'utf8') })
      await inPage('Page.navigate', { url })
      const evaluate = async <T>(expression: string): Promise<T> => {
        const { result, exceptionDetails } = (await inPage('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })) as {
          result: { value?: unknown }
          exceptionDetails?: { text: string; exception?: { description?: string } }
        }
        if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text)
        return result.value as T
      }
      return {
        send: inPage,
        evaluate,
        async waitFor(expression, timeoutMs = 30_000) {
          const deadline = Date.now() + timeoutMs
          // Before the document is in place, evaluating may fail: keep asking.
          while (!(await evaluate<boolean>(`Boolean(${expression})`).catch(() => false))) {
            if (Date.now() > deadline) throw new Error(`${expression} still false after ${timeoutMs} ms`)
            await new Promise((resolveWait) => setTimeout(resolveWait, 50))
          }
        },
        errors,
        async close() {
          listeners.delete(onMessage)
          await send('Target.closeTarget', { targetId })
        }
      }
    },
    async rendererCpu() {
      const { processInfo } = (await send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number; cpuTime: number }[] }
      return new Map(processInfo.filter((process) => process.type === 'renderer').map((process) => [process.id, process.cpuTime]))
    },
    async close() {
      if (!exited) {
        const gone = new Promise((resolveExit) => child.once('exit', resolveExit))
        await send('Browser.close').catch(() => undefined)
        await gone
      }
      rmSync(userDataDir, { recursive: true, force: true })
    }
  }
}

// ------------------------------------------------------------ memory and main-thread time

const MB = 1024 * 1024

/**
 * The renderer that worked most between two `rendererCpu` readings: the
 * renderer of a page that was busy meanwhile, found without guessing from
 * command lines (Chromium also keeps a spare renderer and others).
 */
export function busiestRenderer(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number | null {
  let best: number | null = null
  let most = -1
  for (const [pid, cpu] of after) {
    const spent = cpu - (before.get(pid) ?? 0)
    if (spent > most) {
      most = spent
      best = pid
    }
  }
  return best
}

export interface ProcessMemory {
  pid: number
  /** Resident set, shared pages (Chromium's code, fonts) counted whole. */
  rssMB: number
  /** Proportional set: shared pages divided among the processes sharing them. */
  pssMB: number
  /** Pages only this process uses (private clean + dirty). */
  privateMB: number
  /** The most the resident set ever was (VmHWM). */
  peakRssMB: number
}

/** A process's memory from Linux's /proc (null elsewhere or when it is gone). */
export function processMemory(pid: number): ProcessMemory | null {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kB = (text: string, field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN)
    const toMB = (kilobytes: number): number => round((kilobytes * 1024) / MB, 1)
    return {
      pid,
      rssMB: toMB(kB(rollup, 'Rss')),
      pssMB: toMB(kB(rollup, 'Pss')),
      privateMB: toMB(kB(rollup, 'Private_Clean') + kB(rollup, 'Private_Dirty')),
      peakRssMB: toMB(kB(status, 'VmHWM'))
    }
  } catch {
    return null
  }
}

type Metrics = Map<string, number>

async function performanceMetrics(page: DevToolsPage): Promise<Metrics> {
  const { metrics } = (await page.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }
  return new Map(metrics.map((metric) => [metric.name, metric.value]))
}

/** Main-thread time of a page's renderer, in ms. */
export interface MainThreadTime {
  tasks: number
  script: number
  layout: number
  style: number
  /** Tasks that were none of the above: paint, image and network handling, garbage collection… */
  other: number
}

/** The main-thread time a page spent during `work` (DevTools Performance domain: it counts from when it is enabled). */
export async function mainThreadDuring<T>(page: DevToolsPage, work: () => Promise<T>): Promise<{ result: T; spent: MainThreadTime }> {
  await page.send('Performance.enable')
  const read = async (): Promise<MainThreadTime> => {
    const metrics = await performanceMetrics(page)
    const ms = (name: string): number => (metrics.get(name) ?? Number.NaN) * 1000
    return { tasks: ms('TaskDuration'), script: ms('ScriptDuration'), layout: ms('LayoutDuration'), style: ms('RecalcStyleDuration'), other: ms('TaskOtherDuration') }
  }
  const before = await read()
  const result = await work()
  const after = await read()
  const spent = (key: keyof MainThreadTime): number => after[key] - before[key]
  return { result, spent: { tasks: spent('tasks'), script: spent('script'), layout: spent('layout'), style: spent('style'), other: spent('other') } }
}

/** Per frame, rounded. */
export function perFrame(time: MainThreadTime, frames: number): MainThreadTime {
  const each = (value: number): number => round(value / Math.max(1, frames), 2)
  return { tasks: each(time.tasks), script: each(time.script), layout: each(time.layout), style: each(time.style), other: each(time.other) }
}

export interface PageMemory {
  jsHeapUsedMB: number
  jsHeapTotalMB: number
  /** After a forced garbage collection (and a second for its sweeping). */
  jsHeapUsedAfterGcMB: number
  /** After the garbage collection (before it, nodes removed from the page still count). */
  domNodes: number
  layoutObjects: number
  jsEventListeners: number
  /** The page's renderer process, when known. */
  process: ProcessMemory | null
  /** The same after the garbage collection. */
  processAfterGc: ProcessMemory | null
}

/**
 * A page's memory as it is: its renderer process's from /proc and the JS
 * heap (DevTools Performance.getMetrics); then the same, and DOM nodes,
 * layout objects and listeners, a second after HeapProfiler.collectGarbage
 * (Blink sweeps what it collected concurrently, and gives pages back later).
 */
export async function pageMemory(page: DevToolsPage, rendererPid: number | null): Promise<PageMemory> {
  const process = rendererPid === null ? null : processMemory(rendererPid)
  await page.send('Performance.enable')
  const before = await performanceMetrics(page)
  await page.send('HeapProfiler.collectGarbage')
  await new Promise((resolveSwept) => setTimeout(resolveSwept, 1000))
  const after = await performanceMetrics(page)
  const value = (metrics: Metrics, name: string): number => metrics.get(name) ?? Number.NaN
  return {
    jsHeapUsedMB: round(value(before, 'JSHeapUsedSize') / MB, 1),
    jsHeapTotalMB: round(value(before, 'JSHeapTotalSize') / MB, 1),
    jsHeapUsedAfterGcMB: round(value(after, 'JSHeapUsedSize') / MB, 1),
    domNodes: value(after, 'Nodes'),
    layoutObjects: value(after, 'LayoutObjects'),
    jsEventListeners: value(after, 'JSEventListeners'),
    process,
    processAfterGc: rendererPid === null ? null : processMemory(rendererPid)
  }
}
