/* global window, document, location */
/**
 * Browser side of the markdown harness, bundled by Vite (see server.ts) and
 * served on loopback under the app's CSP. Plain JavaScript on purpose: the
 * node typecheck of tests/ must not follow it into DOM code.
 *
 * window.markdownHarness = {
 *   renderMarkdown, IncrementalMarkdown,
 *   check(markdown, { waitMs }) → report of what survived sanitising,
 *   benchmark(options) → per-update timings of streaming
 * }
 */
import { IncrementalMarkdown } from '../../../src/renderer/src/lib/markdown/incremental.ts'
import { attachMarkdownInteractions } from '../../../src/renderer/src/lib/markdown/interactions.ts'
import { loadAllMarkdownResources, renderMarkdown } from '../../../src/renderer/src/lib/markdown/render.ts'
import { markdownText } from '../../bench/corpus.ts'

/** A long markdown answer of about `tokens` tokens (4 characters each), from the benchmarks' corpus. */
function makeAnswer(tokens = 20_000, seed = 7) {
  const target = tokens * 4
  return markdownText(target, seed).slice(0, target) + '\n'
}

const FORBIDDEN_TAGS = [
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'style', 'form',
  'template', 'noscript', 'textarea', 'select', 'video', 'audio', 'source', 'track', 'picture', 'portal', 'use', 'image',
  'foreignobject', 'animate', 'set'
]
const URL_ATTRIBUTES = ['href', 'src', 'xlink:href', 'action', 'formaction', 'data', 'srcset', 'background', 'poster', 'codebase', 'cite', 'ping']
const BAD_URL = /^\s*(?:javascript|vbscript|data:text|data:application|livescript)/i
const LOCAL_IMAGE = /^(?:data:image\/|blob:|\/media\/)/i

const opened = []
const violations = []
document.addEventListener('securitypolicyviolation', (event) => {
  violations.push(`${event.violatedDirective} ${event.blockedURI}`)
})

const host = document.getElementById('out')
attachMarkdownInteractions(host, { openExternal: (url) => opened.push(url) })

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Renders `markdown` into the page with innerHTML and reports anything unsafe that survived. */
async function check(markdown, options = {}) {
  const problems = []
  const startUrl = location.href
  window.__xss = undefined
  const parseStart = violations.length
  // `raw` skips the renderer: the control that shows the checks do catch an attack.
  const html = options.raw ? markdown : renderMarkdown(markdown)
  // Chromium checks handler attributes and <base> against the page's CSP even
  // while DOMPurify parses them in its inert document (they are blocked there,
  // never run). Let those reports arrive, then count only what the live DOM does.
  await sleep(20)
  const sanitizerViolations = violations.slice(parseStart)
  const before = { opened: opened.length, violations: violations.length }
  host.innerHTML = html

  for (const element of host.querySelectorAll('*')) {
    const tag = element.localName.toLowerCase()
    if (FORBIDDEN_TAGS.includes(tag)) problems.push(`forbidden element <${tag}>`)
    if (tag === 'input' && !(element.getAttribute('type') === 'checkbox' && element.hasAttribute('disabled'))) {
      problems.push('an input that is not a disabled checkbox')
    }
    if (tag === 'button' && !element.hasAttribute('data-copy')) problems.push('a button that is not a Copy button')
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase()
      if (name.startsWith('on')) problems.push(`handler attribute ${name} on <${tag}>`)
      if (name === 'srcset') problems.push(`srcset on <${tag}>`)
      if (URL_ATTRIBUTES.includes(name) && BAD_URL.test(attribute.value)) problems.push(`${name}="${attribute.value}" on <${tag}>`)
      if (/^\s*(?:javascript|vbscript):/i.test(attribute.value)) problems.push(`script URL in ${name} on <${tag}>`)
    }
    if (tag === 'img' && !LOCAL_IMAGE.test(element.getAttribute('src') ?? '')) problems.push(`remote or unknown image ${element.getAttribute('src')}`)
    if (tag === 'a' && element.getAttribute('rel') !== 'noopener noreferrer') problems.push('a link without rel="noopener noreferrer"')
    if (element.hasAttribute('style') && /url\(|expression|image-set|@import/i.test(element.getAttribute('style') ?? '')) {
      problems.push(`style that can load or run: ${element.getAttribute('style')}`)
    }
  }

  // Click every link: nothing may navigate; http(s) links go to openExternal.
  const links = Array.from(host.querySelectorAll('a'))
  for (const link of links) link.click()

  await sleep(options.waitMs ?? 150)
  if (window.__xss !== undefined) problems.push(`window.__xss was set to ${String(window.__xss)}`)
  if (location.href !== startUrl) problems.push(`the page navigated to ${location.href}`)
  const newViolations = violations.slice(before.violations)
  for (const violation of newViolations) problems.push(`CSP violation: ${violation}`)
  return {
    problems,
    html: host.innerHTML,
    sanitizerViolations,
    links: links.length,
    opened: opened.slice(before.opened),
    images: Array.from(host.querySelectorAll('img'), (img) => img.getAttribute('src'))
  }
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  const sum = values.reduce((total, value) => total + value, 0)
  return { count: values.length, mean: sum / Math.max(1, values.length), p50: at(0.5), p95: at(0.95), max: at(1) }
}

/**
 * Streams a generated answer of `tokens` tokens (~4 characters each) in
 * chunks of `chunkChars`, and times per update:
 * - `incremental`: IncrementalMarkdown.append (split + render of the last block);
 * - `incrementalDom`: the same plus writing only the changed block's element, as Markdown.svelte does;
 * - `full`: renderMarkdown(whole text so far) (sampled every `fullEvery` updates in each window).
 * Figures for the first and the last `windowTokens` tokens.
 */
function benchmark(options = {}) {
  const tokens = options.tokens ?? 20_000
  const chunkChars = options.chunkChars ?? 4
  const windowTokens = options.windowTokens ?? 1_000
  const fullEvery = options.fullEvery ?? 10
  const text = makeAnswer(tokens)
  const chunks = []
  for (let at = 0; at < text.length; at += chunkChars) chunks.push(text.slice(at, at + chunkChars))
  const windowUpdates = Math.round((windowTokens * 4) / chunkChars)
  const inFirst = (i) => i < windowUpdates
  const inLast = (i) => i >= chunks.length - windowUpdates

  const result = { chars: text.length, tokens: Math.round(text.length / 4), updates: chunks.length, windowUpdates }
  const timings = { first: { incremental: [], incrementalDom: [], full: [] }, last: { incremental: [], incrementalDom: [], full: [] } }

  // 0. Warm up the JIT (and KaTeX/highlight.js) on another answer, so the first window is not measuring compilation.
  const warmup = new IncrementalMarkdown()
  const warmText = makeAnswer(options.warmupTokens ?? 2_000, 11)
  for (let at = 0; at < warmText.length; at += chunkChars) warmup.append(warmText.slice(at, at + chunkChars))
  for (let i = 0; i < 20; i++) renderMarkdown(warmText.slice(0, 400 * (i + 1)))

  // 1. The engine alone.
  let engine = new IncrementalMarkdown()
  for (let i = 0; i < chunks.length; i++) {
    const t0 = performance.now()
    engine.append(chunks[i])
    const t1 = performance.now()
    if (inFirst(i)) timings.first.incremental.push(t1 - t0)
    else if (inLast(i)) timings.last.incremental.push(t1 - t0)
  }
  result.blocks = engine.blocks.length

  // 2. The engine plus the DOM writes Markdown.svelte makes (only changed blocks).
  const box = document.createElement('div')
  document.body.append(box)
  const elements = []
  const shown = []
  engine = new IncrementalMarkdown()
  for (let i = 0; i < chunks.length; i++) {
    const t0 = performance.now()
    const blocks = engine.append(chunks[i])
    for (let b = 0; b < blocks.length; b++) {
      if (!elements[b]) {
        elements[b] = document.createElement('div')
        box.append(elements[b])
      }
      if (shown[b] !== blocks[b].html) {
        elements[b].innerHTML = blocks[b].html
        shown[b] = blocks[b].html
      }
    }
    const t1 = performance.now()
    if (inFirst(i)) timings.first.incrementalDom.push(t1 - t0)
    else if (inLast(i)) timings.last.incrementalDom.push(t1 - t0)
  }
  box.remove()

  // 3. The naive way: render the whole text on every update.
  let sofar = ''
  for (let i = 0; i < chunks.length; i++) {
    sofar += chunks[i]
    const sampled = (inFirst(i) || inLast(i)) && i % fullEvery === 0
    if (!sampled) continue
    const t0 = performance.now()
    renderMarkdown(sofar)
    const t1 = performance.now()
    if (inFirst(i)) timings.first.full.push(t1 - t0)
    else timings.last.full.push(t1 - t0)
  }

  // 4. The final full render once the stream ends.
  const t0 = performance.now()
  engine.finish()
  result.finalRenderMs = performance.now() - t0

  result.first = {
    incremental: stats(timings.first.incremental),
    incrementalDom: stats(timings.first.incrementalDom),
    full: stats(timings.first.full)
  }
  result.last = {
    incremental: stats(timings.last.incremental),
    incrementalDom: stats(timings.last.incrementalDom),
    full: stats(timings.last.full)
  }
  return result
}

window.markdownHarness = { renderMarkdown, IncrementalMarkdown, check, benchmark, makeAnswer, opened, violations }
// Checks render synchronously: KaTeX and every language first, so each check sees the final markup.
void loadAllMarkdownResources().then(() => {
  document.documentElement.dataset.ready = '1'
})
