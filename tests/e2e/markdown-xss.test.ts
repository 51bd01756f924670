/**
 * The markdown renderer against hostile model output, in real headless
 * Chromium: the harness page (renderMarkdown bundled by Vite) is served from
 * loopback with the app's CSP, and once more without any CSP so the
 * sanitiser must hold on its own. Every payload is rendered with innerHTML;
 * nothing may run, navigate, or load from another host (payload URLs point
 * at a second loopback server that records hits).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchHarnessChromium } from './markdown-harness/browser'
import { xssPayloads } from './markdown-harness/payloads'
import { startMarkdownHarness, startTrapServer, type HarnessServer } from './markdown-harness/server'
import { chunked, chunkSizes, framesetPayloads, hostileMarkup } from '../renderer/hostile-markup'

interface CheckResult {
  problems: string[]
  html: string
  links: number
  opened: string[]
  images: (string | null)[]
}

interface RenderedBlock {
  html: string
}

interface HarnessGlobal {
  markdownHarness: {
    check(markdown: string, options?: { waitMs?: number; raw?: boolean }): Promise<CheckResult>
    renderMarkdown(markdown: string): string
    IncrementalMarkdown: new () => { append(text: string): readonly RenderedBlock[]; finish(): readonly RenderedBlock[] }
  }
}

let browser: Browser
let harness: HarnessServer
let trap: HarnessServer
let trapUrl: string

beforeAll(async () => {
  ;[harness, trap, browser] = await Promise.all([startMarkdownHarness(), startTrapServer(), launchHarnessChromium()])
  // Another host name for the trap, so "another host" is plain in the request log too.
  trapUrl = trap.url.replace('127.0.0.1', 'localhost')
})

afterAll(async () => {
  await browser?.close()
  await harness?.close()
  await trap?.close()
})

interface Session {
  page: Page
  requests: string[]
  navigations: string[]
  pageErrors: string[]
}

async function openHarness(path: string): Promise<Session> {
  const page = await browser.newPage()
  const session: Session = { page, requests: [], navigations: [], pageErrors: [] }
  page.on('request', (request) => session.requests.push(request.url()))
  page.on('pageerror', (error) => session.pageErrors.push(error.message))
  page.on('popup', (popup) => session.navigations.push(`popup ${popup.url()}`))
  await page.goto(harness.url + path)
  await page.waitForSelector('html[data-ready="1"]', { state: 'attached' })
  page.on('framenavigated', (frame) => session.navigations.push(frame.url()))
  return session
}

function check(page: Page, markdown: string, waitMs = 120, raw = false): Promise<CheckResult> {
  return page.evaluate(
    ([source, wait, unsanitised]) => (globalThis as unknown as HarnessGlobal).markdownHarness.check(source, { waitMs: wait, raw: unsanitised }),
    [markdown, waitMs, raw] as const
  )
}

interface Rendered {
  /** What was thrown, or null. */
  error: string | null
  /** The one-shot render. */
  html: string
  /** Every distinct HTML the one-shot render, each streamed update and the final render produced. */
  all: string
}

/** Renders `markdown` at once, then streams it in `chunks` through IncrementalMarkdown and finishes. */
function renderAllWays(page: Page, markdown: string, chunks: string[]): Promise<Rendered> {
  return page.evaluate(
    ([source, pieces]) => {
      const { renderMarkdown, IncrementalMarkdown } = (globalThis as unknown as HarnessGlobal).markdownHarness
      const outputs = new Set<string>()
      let html = ''
      try {
        html = renderMarkdown(source)
        outputs.add(html)
        const engine = new IncrementalMarkdown()
        for (const piece of pieces) for (const block of engine.append(piece)) outputs.add(block.html)
        for (const block of engine.finish()) outputs.add(block.html)
      } catch (error) {
        return { error: error instanceof Error ? (error.stack ?? error.message) : String(error), html, all: '' }
      }
      return { error: null, html, all: [...outputs].join('\n') }
    },
    [markdown, chunks] as const
  )
}

function foreignRequests(session: Session): string[] {
  const own = new URL(harness.url).origin
  return session.requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== own)
}

/** Requests to the page's own server for anything but the page, its script and /media/. */
function ownRequestsOutsideMedia(session: Session): string[] {
  const own = new URL(harness.url).origin
  return session.requests.filter((url) => {
    if (url.startsWith('data:') || url.startsWith('blob:')) return false
    const parsed = new URL(url)
    return parsed.origin === own && !['/', '/no-csp', '/harness.js'].includes(parsed.pathname) && !parsed.pathname.startsWith('/media/')
  })
}

describe.each([
  { mode: 'under the app CSP', path: '/' },
  { mode: 'without any CSP', path: '/no-csp' }
])('hostile markdown $mode', ({ path }) => {
  let session: Session

  beforeAll(async () => {
    session = await openHarness(path)
  })
  afterAll(async () => {
    await session?.page.close()
  })

  it('has at least 40 payloads', () => {
    expect(xssPayloads(trapUrl).length).toBeGreaterThanOrEqual(40)
  })

  it.each(xssPayloads('http://localhost:1').map((payload) => [payload.name]))('%s', async (name) => {
    const payload = xssPayloads(trapUrl).find((item) => item.name === name)
    expect(payload).toBeDefined()
    const result = await check(session.page, payload?.markdown ?? '')
    expect(result.problems, result.html).toEqual([])
  })

  it('survives all payloads in one document', async () => {
    const all = xssPayloads(trapUrl)
      .map((payload) => payload.markdown)
      .join('\n\n')
    const result = await check(session.page, all, 400)
    expect(result.problems, result.html).toEqual([])
    expect(result.links).toBeGreaterThan(10)
  })

  it('hands http links to openExternal when clicked, without navigating', async () => {
    const result = await check(session.page, `[trap](${trapUrl}/link) <a href="${trapUrl}/html-link">html</a> ${trapUrl}/autolink`)
    expect(result.problems).toEqual([])
    expect(result.opened).toEqual([`${trapUrl}/link`, `${trapUrl}/html-link`, `${trapUrl}/autolink`])
  })

  it('shows remote images as links to them', async () => {
    const result = await check(session.page, `![chart](${trapUrl}/chart.png) <img src="${trapUrl}/b.png" alt="b">`)
    expect(result.images).toEqual([])
    expect(result.html).toContain(`>image: chart</a>`)
    expect(result.html).toContain(`>image: b</a>`)
  })

  it('keeps images inside /media/ as the browser resolves them', async () => {
    const markdown = xssPayloads(trapUrl).find((payload) => payload.name === 'images climbing out of /media/')?.markdown ?? ''
    const result = await check(session.page, `${markdown} ![ok](/media/a/../cover.png)`)
    expect(result.problems).toEqual([])
    expect(result.images).toEqual(['/media/cover.png'])
    await session.page.waitForTimeout(100)
    expect(ownRequestsOutsideMedia(session)).toEqual([])
  })

  it('loaded nothing from any other host, and never navigated', async () => {
    await session.page.waitForTimeout(300)
    expect(foreignRequests(session)).toEqual([])
    expect(ownRequestsOutsideMedia(session)).toEqual([])
    expect(trap.requests).toEqual([])
    expect(session.navigations).toEqual([])
    expect(session.page.url()).toBe(harness.url + path)
    expect(session.pageErrors).toEqual([])
  })
})

describe('malformed markup, in Chromium', () => {
  let session: Session

  beforeAll(async () => {
    session = await openHarness('/')
  })
  afterAll(async () => {
    await session?.page.close()
  })

  it.each(framesetPayloads('http://localhost:1').map((payload) => [payload.name]))('%s: renders at once and streamed in chunks of 1, 3 and 2–13', async (name) => {
    const markdown = framesetPayloads(trapUrl).find((payload) => payload.name === name)?.markdown ?? ''
    for (const sizes of [[1], [3], [7, 2, 13]]) {
      const rendered = await renderAllWays(session.page, markdown, chunked(markdown, sizes))
      expect(rendered.error).toBeNull()
      const result = await check(session.page, rendered.all, 0, true)
      expect(result.problems, result.html).toEqual([])
    }
  })

  it('keeps the markdown that follows a frameset', async () => {
    const rendered = await renderAllWays(session.page, '<frameset cols="50%">\n\n# Title\n\nSome **text**.', [])
    expect(rendered.error).toBeNull()
    expect(rendered.html).toContain('<h1>Title</h1>')
    expect(rendered.html).toContain('<strong>text</strong>')
    expect(rendered.html).not.toMatch(/<\/?frame/i)
  })

  it('never throws on random markup, rendered at once or streamed in random chunks', async () => {
    await fc.assert(
      fc.asyncProperty(hostileMarkup, chunkSizes, async (markdown, sizes) => {
        const rendered = await renderAllWays(session.page, markdown, chunked(markdown, sizes))
        expect(rendered.error).toBeNull()
        const result = await check(session.page, rendered.all, 0, true)
        expect(result.problems, result.html).toEqual([])
      }),
      { numRuns: 150 }
    )
    expect(session.pageErrors).toEqual([])
    expect(trap.requests).toEqual([])
    expect(ownRequestsOutsideMedia(session)).toEqual([])
  })
})

describe('what stays, in Chromium', () => {
  let session: Session

  beforeAll(async () => {
    session = await openHarness('/')
  })
  afterAll(async () => {
    await session?.page.close()
  })

  it('keeps KaTeX HTML, MathML and its SVG, highlighted code, tables and local images', async () => {
    const markdown = [
      'Inline $\\sqrt{x^2 + 1}$ and $\\widehat{abc}$.',
      '$$\n\\int_0^1 f(x)\\,dx \\quad \\cancel{y}\n$$',
      '```ts\nconst answer: number = 42 // the answer\n```',
      '| a | b |\n|---|---|\n| 1 | 2 |',
      '- [x] done',
      '![dot](data:image/png;base64,iVBORw0KGgo=) ![cover](/media/cover.png)'
    ].join('\n\n')
    const result = await check(session.page, markdown)
    expect(result.problems).toEqual([])
    expect(result.html).toContain('<math')
    expect(result.html).toContain('<annotation encoding="application/x-tex">')
    expect(result.html).toContain('class="katex-html"')
    expect(result.html).toMatch(/<svg[^>]*viewBox=/)
    expect(result.html).toMatch(/<line [^>]*stroke-width/)
    expect(result.html).toMatch(/style="height:[\d.]+em/)
    expect(result.html).toContain('class="md-math md-math-display"')
    expect(result.html).toContain('<span class="hljs-keyword">const</span>')
    expect(result.html).toContain('data-copy=""')
    expect(result.html).toContain('<table>')
    expect(result.html).toMatch(/<input[^>]*type="checkbox"/)
    expect(result.images).toEqual(['data:image/png;base64,iVBORw0KGgo=', '/media/cover.png'])
    expect(result.html).not.toContain('data-md')
  })
})

describe('control: the same checks without the renderer', () => {
  let session: Session

  beforeAll(async () => {
    session = await openHarness('/no-csp')
  })
  afterAll(async () => {
    await session?.page.close()
  })

  it('catches a script that runs, a handler, a javascript: link and a remote load', async () => {
    const html = `<img src="x" onerror="window.__xss=1"><a href="javascript:void 0">j</a><img src="${trapUrl}/control.png">`
    const result = await check(session.page, html, 400, true)
    expect(result.problems).toContain('window.__xss was set to 1')
    expect(result.problems).toContain('handler attribute onerror on <img>')
    expect(result.problems.some((problem) => problem.startsWith('script URL in href'))).toBe(true)
    expect(trap.requests).toContain('GET /control.png')
    expect(foreignRequests(session).some((url) => url.endsWith('/control.png'))).toBe(true)
  })
})
