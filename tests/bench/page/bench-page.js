/* global window, document, requestAnimationFrame */
/**
 * The peers of the browser benchmarks, run inside the real app's page (the
 * test host's origin, under its CSP). Bundled by Vite (tests/bench/support.ts)
 * with the app's own renderMarkdown, and loaded only after the app's own
 * figures were taken. Plain JavaScript: the node typecheck of tests/ must
 * not follow it into DOM code.
 *
 * window.skyportBench = {
 *   naiveStream(options) → the naive streaming peer: renderMarkdown(whole
 *     text) + innerHTML on every token, in the last message of the open
 *     conversation, for the first and the last `windowTokens` tokens,
 *   naiveOpen(options) → the whole conversation rendered without
 *     virtualisation (every message through renderMarkdown into one container),
 *   renderText(markdown) → the text content renderMarkdown gives (for checks)
 * }
 */
import { loadAllMarkdownResources, renderMarkdown } from '../../../src/renderer/src/lib/markdown/render.ts'

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Yields to the event loop (a task, not a timer: no clamping), so frames can run. */
function yieldTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })
}

/** Resolves after the next frame has been rendered. */
function nextPaint() {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => {
        channel.port1.close()
        resolve(performance.now())
      }
      channel.port2.postMessage(null)
    })
  )
}

/** The class list Markdown.svelte gives its root (with Svelte's scoping class), found in the loaded styles. */
function markdownClass() {
  const live = document.querySelector('[data-testid="markdown"]')
  if (live) return [...live.classList].filter((name) => name !== 'streaming').join(' ')
  for (const sheet of document.styleSheets) {
    let rules
    try {
      rules = sheet.cssRules
    } catch {
      continue
    }
    for (const rule of rules) {
      const match = /\.markdown\.(svelte-[\w-]+)/.exec(rule.selectorText ?? '')
      if (match) return `markdown ${match[1]}`
    }
  }
  return 'markdown'
}

function warmUp(tokens) {
  let text = ''
  for (let i = 0; i < Math.min(tokens.length, 2_000); i++) {
    text += tokens[i]
    if (i % 100 === 99) renderMarkdown(text)
  }
}

/**
 * Streams tokens[from, to) into `box` at `rate` tokens a second, rendering
 * the whole text so far on every token. A token that is due is rendered at
 * once; when rendering is slower than the stream, tokens queue up (as
 * events would). Stops after `maxWallMs`.
 */
async function streamWindow(box, tokens, from, to, prefix, rate, maxWallMs) {
  const bench = window.__bench
  await nextPaint()
  bench.startRecording()
  const updates = []
  let text = prefix
  let i = from
  const t0 = performance.now()
  while (i < to) {
    const now = performance.now()
    if (now - t0 > maxWallMs) break
    const due = t0 + ((i - from) * 1000) / rate
    if (due > now + 0.5) {
      await sleep(due - now)
      continue
    }
    const start = performance.now()
    text += tokens[i]
    box.innerHTML = renderMarkdown(text)
    const end = performance.now()
    updates.push({ start, end, chars: tokens[i].length, lagMs: start - due })
    i++
    await yieldTask()
  }
  const wallMs = performance.now() - t0
  await nextPaint()
  const recording = bench.stopRecording()
  return { from, to, tokensDone: i - from, wallMs, updates, frames: recording.frames, textLength: text.length }
}

async function naiveStream(options) {
  const tokens = options.tokens
  const windowTokens = options.windowTokens ?? 1_000
  const rate = options.tokensPerSecond ?? 1_000
  const messages = document.querySelectorAll('[data-testid="message"][data-role="assistant"]')
  const answer = messages[messages.length - 1]?.querySelector('[data-testid="message-content"]')
  const original = answer?.querySelector('[data-testid="markdown"]')
  if (!answer || !original) throw new Error('no assistant answer to stream into')
  const box = document.createElement('div')
  box.className = markdownClass()
  box.dataset.testid = 'naive-markdown'
  original.style.display = 'none'
  answer.append(box)
  try {
    warmUp(tokens)
    const first = await streamWindow(box, tokens, 0, windowTokens, '', rate, options.firstWindowWallMs ?? 60_000)
    box.textContent = ''
    await sleep(100)
    const prefix = tokens.slice(0, tokens.length - windowTokens).join('')
    box.innerHTML = renderMarkdown(prefix)
    await nextPaint()
    await sleep(300)
    const last = await streamWindow(box, tokens, tokens.length - windowTokens, tokens.length, prefix, rate, options.lastWindowWallMs ?? 6_000)
    return { first, last }
  } finally {
    box.remove()
    original.style.display = ''
  }
}

/**
 * Opens the conversation the naive way: fetched through the same bridge
 * call, every message rendered with renderMarkdown into one scrolling
 * container over the thread area, scrolled to the end; timed until that
 * frame has been painted.
 */
async function naiveOpen(options) {
  const area = document.querySelector('section.thread') ?? document.body
  const rect = area.getBoundingClientRect()
  const className = markdownClass()
  const t0 = performance.now()
  const envelope = await window.api.conversations.get({ id: options.conversationId })
  if (!envelope.ok) throw new Error(`conversations.get failed: ${envelope.error.message}`)
  const conversation = envelope.result
  const fetched = performance.now()
  const parts = []
  for (const message of conversation.messages) {
    parts.push(`<article class="naive-message" data-role="${message.role}" style="padding:8px 24px"><div class="${className}">${renderMarkdown(message.content)}</div></article>`)
  }
  const container = document.createElement('div')
  container.dataset.testid = 'naive-list'
  container.style.cssText = `position:fixed;left:${rect.left}px;top:${rect.top}px;width:${rect.width}px;height:${rect.height}px;overflow:auto;background:var(--bg, #fff);z-index:10`
  container.innerHTML = parts.join('')
  const rendered = performance.now()
  document.body.append(container)
  container.scrollTop = container.scrollHeight
  const painted = await nextPaint()
  const result = {
    paintMs: painted - t0,
    fetchMs: fetched - t0,
    renderMs: rendered - fetched,
    layoutAndPaintMs: painted - rendered,
    messages: conversation.messages.length,
    elements: container.getElementsByTagName('*').length
  }
  container.remove()
  return result
}

function renderText(markdown) {
  const box = document.createElement('div')
  box.innerHTML = renderMarkdown(markdown)
  return box.textContent
}

// The peers render synchronously: KaTeX and every language are loaded before they are offered.
void loadAllMarkdownResources().then(() => {
  window.skyportBench = { naiveStream, naiveOpen, renderText }
})
