/**
 * Markdown of model output → sanitised HTML.
 *
 * marked (GFM, no soft breaks) with two small extensions for TeX math
 * (rendered by KaTeX), code blocks highlighted by highlight.js inside a
 * header with the language and a Copy button, then DOMPurify over the whole
 * result with a tight allow-list, then a last pass that enforces what an
 * allow-list cannot express (see `finishElement`).
 *
 * KaTeX and highlight.js's languages are chunks loaded on demand: a render
 * that needs one that is not there yet starts loading it and shows that part
 * plainly (TeX as code, code unhighlighted); `resourcesPending()` says when
 * a render again gives the full markup, and `prepareMarkdown` waits for it.
 *
 * Model output is untrusted: raw HTML inside it never executes and nothing
 * remote loads. Markup this module generates itself (KaTeX output, code
 * blocks) is tagged with a per-process secret; only inside such tagged
 * subtrees are `class`, `style`, SVG, MathML and buttons kept, so a model
 * cannot forge them with raw HTML.
 */
import createDOMPurify, { type Config, type DOMPurify } from 'dompurify'
import { Marked, type Tokens, type TokenizerAndRendererExtension } from 'marked'
import { installHappyDomShims } from './happy-dom-shim'
import { AUTO_DETECT_SUBSET, hljs, LANGUAGES, languageAvailable, languageFor, languageLoaded, loadLanguage, loadLanguages } from './languages'

// ------------------------------------------------------------------ helpers

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)
}

function randomToken(): string {
  const bytes = new Uint8Array(12)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Marks markup generated here (never visible in the output: the last pass removes it). */
const TRUST = randomToken()

/** A small least-recently-used map. */
class Lru<V> {
  readonly #map = new Map<string, V>()
  constructor(readonly limit: number) {}
  get(key: string): V | undefined {
    const value = this.#map.get(key)
    if (value !== undefined) {
      this.#map.delete(key)
      this.#map.set(key, value)
    }
    return value
  }
  set(key: string, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    if (this.#map.size > this.limit) this.#map.delete(this.#map.keys().next().value as string)
  }
}

// ---------------------------------------------------------------- resources

type Katex = typeof import('katex').default
let katex: Katex | null = null
let katexLoading: Promise<void> | null = null
/** The chunk could not be loaded: math stays plain (no retry loop of renders). */
let katexFailed = false

/** KaTeX and its stylesheet (fonts: woff2 only, see the build config). */
export function loadKatex(): Promise<void> {
  katexLoading ??= Promise.all([import('katex'), import('katex/dist/katex.min.css')]).then(
    ([module]) => {
      katex = module.default
    },
    (error: unknown) => {
      katexFailed = true
      throw error
    }
  )
  return katexLoading
}

/** Loads started by renders that could not give the full markup yet. */
const pending = new Set<Promise<void>>()
/** Set while a render goes on if it had to leave something plain. */
let renderMissed = false

function need(load: Promise<void>): void {
  renderMissed = true
  if (pending.has(load)) return
  pending.add(load)
  const forget = (): void => {
    pending.delete(load)
  }
  load.then(forget, forget)
}

/**
 * Resolves (never rejects) once the loads that earlier renders started have
 * settled, so rendering again gives the full markup; null when none is under way.
 */
export function resourcesPending(): Promise<void> | null {
  if (pending.size === 0) return null
  return Promise.allSettled([...pending]).then(() => undefined)
}

/** Loads everything a source needs (KaTeX, the languages of its code blocks), so `renderMarkdown(source)` is final. */
export async function prepareMarkdown(source: string): Promise<void> {
  // Two rounds at most: the first render names everything it misses.
  for (let round = 0; round < 2; round++) {
    renderMarkdown(source)
    const waiting = resourcesPending()
    if (!waiting) return
    await waiting
  }
}

/** KaTeX and every curated language, for pages that render synchronously from the start (tests, benchmarks). */
export function loadAllMarkdownResources(): Promise<void> {
  return Promise.all([loadKatex(), loadLanguages(Object.keys(LANGUAGES))]).then(() => undefined)
}

// --------------------------------------------------------------------- math

/** Longer TeX is shown as code rather than typeset. */
const TEX_LIMIT = 20_000
const texCache = new Lru<string>(500)

function renderTex(tex: string, display: boolean): string {
  if (tex.length > TEX_LIMIT) return `<code>${escapeHtml(tex)}</code>`
  const key = (display ? 'D' : 'I') + tex
  const cached = texCache.get(key)
  if (cached !== undefined) return cached
  if (!katex) {
    if (!katexFailed) need(loadKatex())
    return `<code>${escapeHtml(tex)}</code>`
  }
  let html: string
  try {
    html = katex.renderToString(tex, {
      displayMode: display,
      throwOnError: false,
      output: 'htmlAndMathml',
      trust: false,
      maxExpand: 500,
      maxSize: 40,
      strict: 'ignore'
    })
  } catch {
    html = `<code>${escapeHtml(tex)}</code>`
  }
  texCache.set(key, html)
  return html
}

function mathHtml(tex: string, display: boolean, tag: 'div' | 'span'): string {
  const className = display ? 'md-math md-math-display' : 'md-math'
  return `<${tag} class="${className}" data-md="${TRUST}">${renderTex(tex, display)}</${tag}>`
}

interface MathToken {
  type: 'mathBlock' | 'mathInline'
  raw: string
  text: string
  display: boolean
}

const BLOCK_DOLLARS = /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/
const BLOCK_BRACKETS = /^ {0,3}\\\[([\s\S]+?)\\\][ \t]*(?:\n+|$)/

/** `$$ … $$` and `\[ … \]` as blocks of their own. */
const mathBlock: TokenizerAndRendererExtension = {
  name: 'mathBlock',
  level: 'block',
  tokenizer(src: string): MathToken | undefined {
    const match = BLOCK_DOLLARS.exec(src) ?? BLOCK_BRACKETS.exec(src)
    const text = match?.[1]?.trim()
    if (!match || !text) return undefined
    return { type: 'mathBlock', raw: match[0], text, display: true }
  },
  renderer(token) {
    return mathHtml(String(token['text']), true, 'div') + '\n'
  }
}

const INLINE_DISPLAY_DOLLARS = /^\$\$((?:\\[\s\S]|[^\\$]|\$(?!\$))+?)\$\$/
// No space after the opening `$` or before the closing one, and the closing
// one not followed by a digit: `$5 and $10` stays text.
const INLINE_DOLLAR = /^\$((?:\\[\s\S]|[^\\$])+?)\$(?!\d)/
const INLINE_PARENS = /^\\\(([\s\S]+?)\\\)/
const INLINE_BRACKETS = /^\\\[([\s\S]+?)\\\]/

/** `$…$`, `\(…\)` inline; `$$…$$` and `\[…\]` inside a paragraph as display math. */
const mathInline: TokenizerAndRendererExtension = {
  name: 'mathInline',
  level: 'inline',
  start(src: string) {
    // Backslashes too, so `\$` reaches marked's escape rule whole.
    const index = src.search(/[$\\]/)
    return index < 0 ? undefined : index
  },
  tokenizer(src: string): MathToken | undefined {
    const first = src.charCodeAt(0)
    if (first === 36 /* $ */) {
      if (src.charCodeAt(1) === 36) {
        const match = INLINE_DISPLAY_DOLLARS.exec(src)
        const text = match?.[1]?.trim()
        return match && text ? { type: 'mathInline', raw: match[0], text, display: true } : undefined
      }
      const match = INLINE_DOLLAR.exec(src)
      const text = match?.[1]
      if (!match || !text || /^\s/.test(text) || /\s$/.test(text)) return undefined
      return { type: 'mathInline', raw: match[0], text, display: false }
    }
    if (first === 92 /* \ */) {
      const second = src.charCodeAt(1)
      const match = second === 40 ? INLINE_PARENS.exec(src) : second === 91 ? INLINE_BRACKETS.exec(src) : null
      const text = match?.[1]?.trim()
      if (!match || !text) return undefined
      return { type: 'mathInline', raw: match[0], text, display: second === 91 }
    }
    return undefined
  },
  renderer(token) {
    return mathHtml(String(token['text']), Boolean(token['display']), 'span')
  }
}

// --------------------------------------------------------------------- code

/** Blocks without a language are auto-detected only up to this length. */
const AUTO_DETECT_MAX = 2_000

function highlight(code: string, lang: string): { html: string; label: string } {
  const name = lang.toLowerCase()
  try {
    if (name) {
      const language = languageFor(name)
      if (language && !languageLoaded(language)) {
        if (languageAvailable(language)) need(loadLanguage(language))
        return { html: escapeHtml(code), label: lang }
      }
      if (hljs.getLanguage(name)) return { html: hljs.highlight(code, { language: name, ignoreIllegals: true }).value, label: lang }
      return { html: escapeHtml(code), label: lang }
    }
    if (code.length <= AUTO_DETECT_MAX) {
      // Detection compares every candidate: it waits until all of them are there.
      if (!AUTO_DETECT_SUBSET.every(languageLoaded) && AUTO_DETECT_SUBSET.every(languageAvailable)) {
        need(loadLanguages(AUTO_DETECT_SUBSET))
        return { html: escapeHtml(code), label: 'text' }
      }
      const result = hljs.highlightAuto(code, AUTO_DETECT_SUBSET.filter(languageLoaded))
      if (result.language && result.relevance >= 5) return { html: result.value, label: result.language }
    }
  } catch {
    // fall through to plain text
  }
  return { html: escapeHtml(code), label: name || 'text' }
}

function renderCode(token: Tokens.Code): string {
  const lang = (token.lang ?? '').trim().split(/\s+/)[0]?.slice(0, 32) ?? ''
  const { html, label } = highlight(token.text, lang)
  const langClass = label.replace(/[^\w+#.-]/g, '')
  return (
    `<div class="md-code" data-md="${TRUST}">` +
    `<div class="md-code-header"><span class="md-code-lang">${escapeHtml(label)}</span>` +
    `<button type="button" class="md-copy" data-copy="" aria-label="Copy code">Copy</button></div>` +
    `<pre><code class="hljs${langClass ? ` language-${langClass}` : ''}">${html}</code></pre></div>\n`
  )
}

// ------------------------------------------------------------------- marked

const marked = new Marked({ gfm: true, breaks: false, async: false })
marked.use({
  extensions: [mathBlock, mathInline],
  renderer: {
    code(token: Tokens.Code) {
      return renderCode(token)
    }
  }
})

// --------------------------------------------------------------- sanitising

const HTML_TAGS = [
  'a', 'abbr', 'b', 'blockquote', 'br', 'button', 'caption', 'code', 'col', 'colgroup', 'dd', 'del', 'details', 'div',
  'dl', 'dt', 'em', 'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'input', 'ins',
  'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'summary',
  'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul', 'var'
]
/** What KaTeX's MathML output uses (kept only inside generated math). */
const MATHML_TAGS = [
  'math', 'semantics', 'annotation', 'mrow', 'mi', 'mn', 'mo', 'ms', 'mtext', 'mspace', 'msup', 'msub', 'msubsup',
  'mfrac', 'msqrt', 'mroot', 'mover', 'munder', 'munderover', 'mtable', 'mtr', 'mtd', 'mlabeledtr', 'mpadded',
  'mphantom', 'mstyle', 'menclose', 'merror'
]
/** KaTeX draws stretchy symbols (\sqrt, \widehat, \cancel, arrows) with these. */
const SVG_TAGS = new Set(['svg', 'path', 'line'])

const ATTRIBUTES = [
  // html
  'href', 'title', 'alt', 'src', 'width', 'height', 'align', 'colspan', 'rowspan', 'start', 'type', 'checked',
  'disabled', 'open', 'class', 'style', 'data-copy', 'data-md', 'xmlns',
  // MathML as KaTeX writes it
  'display', 'encoding', 'mathvariant', 'mathcolor', 'mathbackground', 'stretchy', 'fence', 'separator', 'lspace',
  'rspace', 'depth', 'voffset', 'accent', 'accentunder', 'linethickness', 'columnalign', 'rowalign', 'rowspacing',
  'columnspacing', 'rowlines', 'columnlines', 'scriptlevel', 'displaystyle', 'notation', 'minsize', 'maxsize',
  'symmetric', 'largeop', 'movablelimits', 'frame', 'framespacing', 'equalrows', 'equalcolumns', 'side',
  // SVG as KaTeX writes it
  'viewbox', 'preserveaspectratio', 'd', 'x1', 'y1', 'x2', 'y2', 'stroke-width'
]

const PURIFY_CONFIG = {
  ALLOWED_TAGS: [...HTML_TAGS, ...MATHML_TAGS, ...SVG_TAGS],
  ALLOWED_ATTR: ATTRIBUTES,
  // DOMPurify tests every non-URI-safe attribute value with this: allow values
  // without a scheme and these schemes only. `finishElement` then narrows links
  // to http(s)/mailto and images to data:image, blob: and /media/.
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto|blob):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
  ALLOW_DATA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  KEEP_CONTENT: true,
  RETURN_DOM_FRAGMENT: true
} satisfies Config

/** Inline style properties KaTeX sets (and nothing that can place or load things). */
const STYLE_PROPERTIES = new Set([
  'height', 'width', 'min-width', 'max-width', 'vertical-align', 'top', 'bottom', 'left', 'right', 'margin',
  'margin-left', 'margin-right', 'margin-top', 'margin-bottom', 'padding', 'padding-left', 'padding-right',
  'padding-top', 'padding-bottom', 'border-width', 'border-style', 'border-color', 'border-top-width',
  'border-right-width', 'border-bottom-width', 'border-left-width', 'border-right-style', 'border-bottom-style',
  'color', 'background-color', 'text-shadow', 'position'
])
const STYLE_VALUE = /^[-+\w\s.,%#()]*$/
const STYLE_FUNCTIONS = new Set(['calc', 'rgb', 'rgba', 'hsl', 'hsla'])

export function filterStyle(style: string): string {
  const kept: string[] = []
  for (const declaration of style.split(';')) {
    const colon = declaration.indexOf(':')
    if (colon < 0) continue
    const property = declaration.slice(0, colon).trim().toLowerCase()
    const value = declaration.slice(colon + 1).trim()
    if (!STYLE_PROPERTIES.has(property) || !value || !STYLE_VALUE.test(value)) continue
    if (property === 'position' && value !== 'relative') continue
    let functionsOk = true
    for (const match of value.matchAll(/([\w-]*)\s*\(/g)) {
      if (!STYLE_FUNCTIONS.has((match[1] ?? '').toLowerCase())) functionsOk = false
    }
    if (functionsOk) kept.push(`${property}:${value}`)
  }
  return kept.join(';')
}

const HTML_NS = 'http://www.w3.org/1999/xhtml'
const SVG_NS = 'http://www.w3.org/2000/svg'
const MATHML_NS = 'http://www.w3.org/1998/Math/MathML'

const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i
const INLINE_IMAGE = /^(?:data:image\/[\w.+-]+[;,]|blob:)/i
/**
 * Where local paths are resolved for checking. The app's `app:` scheme is
 * registered as standard, so Chromium parses it like http (backslashes are
 * slashes, dot segments resolve); an http base gives the same parse here and
 * in DOM emulations, where `app:` would be an opaque scheme.
 */
const LOCAL_BASE = 'http://local.invalid/'
/** Encoded dots, slashes, backslashes and percent signs: a later decode could make them climb. */
const ENCODED_PATH_TRICK = /%(?:2e|2f|5c|25)/i

/**
 * The image source to keep, or null: data:image and blob: URLs as they are,
 * and root-relative paths that still lie inside /media/ once resolved (as
 * the normalised path, so what was checked is what loads).
 */
export function safeImageSource(src: string): string | null {
  if (INLINE_IMAGE.test(src)) return src
  if (!src.startsWith('/media/')) return null
  let url: URL
  try {
    url = new URL(src, LOCAL_BASE)
  } catch {
    return null
  }
  if (!url.pathname.startsWith('/media/') || ENCODED_PATH_TRICK.test(url.pathname)) return null
  return url.pathname
}
const REMOTE = /^https?:\/\//i

function finishChildren(parent: ParentNode, trusted: boolean): void {
  let child = parent.firstElementChild
  while (child) {
    // Taken first: finishElement may remove or replace `child`.
    const next = child.nextElementSibling
    finishElement(child, trusted)
    child = next
  }
}

/**
 * What the allow-list cannot say: class/style/SVG/MathML/buttons only inside
 * generated markup; links only http(s)/mailto with rel=noopener noreferrer;
 * images only from data:image, blob: or /media/ (remote ones become links);
 * checkboxes always disabled.
 */
function finishElement(element: Element, inheritedTrust: boolean): void {
  const marker = element.getAttribute('data-md')
  if (marker !== null) element.removeAttribute('data-md')
  const trusted = inheritedTrust || marker === TRUST
  const namespace = element.namespaceURI
  const tag = element.localName

  if (namespace === SVG_NS) {
    if (!trusted || !SVG_TAGS.has(tag)) return element.remove()
  } else if (namespace === MATHML_NS) {
    if (!trusted) return element.remove()
  } else if (namespace === HTML_NS) {
    if (tag === 'button' && !trusted) return element.remove()
    if (tag === 'input') {
      if ((element.getAttribute('type') ?? '').toLowerCase() !== 'checkbox') return element.remove()
      element.setAttribute('disabled', '')
    }
    if (tag === 'a') {
      const href = element.getAttribute('href')
      if (href !== null && !SAFE_LINK.test(href.trim())) element.removeAttribute('href')
      element.setAttribute('rel', 'noopener noreferrer')
    }
    if (tag === 'img') {
      const src = (element.getAttribute('src') ?? '').trim()
      if (REMOTE.test(src)) {
        const link = element.ownerDocument.createElement('a')
        link.setAttribute('href', src)
        link.setAttribute('rel', 'noopener noreferrer')
        link.setAttribute('class', 'md-image-link')
        link.textContent = `image: ${element.getAttribute('alt') || src}`
        element.replaceWith(link)
        return
      }
      const safe = safeImageSource(src)
      if (safe === null) {
        const alt = element.getAttribute('alt')
        if (alt) element.replaceWith(element.ownerDocument.createTextNode(alt))
        else element.remove()
        return
      }
      if (safe !== src) element.setAttribute('src', safe)
    }
  } else {
    return element.remove()
  }

  if (!(tag === 'a' && namespace === HTML_NS)) element.removeAttribute('href')
  if (!(tag === 'img' && namespace === HTML_NS)) element.removeAttribute('src')
  if (trusted) {
    const style = element.getAttribute('style')
    if (style !== null) {
      const safe = filterStyle(style)
      if (safe) element.setAttribute('style', safe)
      else element.removeAttribute('style')
    }
  } else {
    element.removeAttribute('class')
    element.removeAttribute('style')
    element.removeAttribute('data-copy')
    // Only KaTeX's own <svg>/<math> need it; DOMPurify never checks its value.
    element.removeAttribute('xmlns')
  }
  finishChildren(element, trusted)
}

/** DOMPurify, once it has proved it works here; null if it cannot (then everything is escaped). */
let purifier: DOMPurify | null | undefined

function selfTest(candidate: DOMPurify): boolean {
  if (!candidate.isSupported) return false
  // No event-handler attribute in the probe: Chromium reports those as CSP violations while parsing.
  const probe = '<p>a</p><script>b</script><b formaction="c">d</b><i>e</i>'
  return candidate.sanitize(probe, { ...PURIFY_CONFIG, RETURN_DOM_FRAGMENT: false }) === '<p>a</p><b>d</b><i>e</i>'
}

function getPurifier(): DOMPurify | null {
  if (purifier === undefined) {
    purifier = createDOMPurify(window)
    if (!selfTest(purifier)) {
      // Only DOM emulations fail this (happy-dom in component tests); the shims
      // change nothing in a real browser. If it still fails, fail closed.
      installHappyDomShims()
      purifier = createDOMPurify(window)
      if (!selfTest(purifier)) purifier = null
    }
  }
  return purifier
}

/** Text shown as it is, escaped: what is rendered when markup cannot be. */
export function plainTextHtml(text: string): string {
  return `<pre class="md-plain">${escapeHtml(text)}</pre>`
}

/**
 * Goes before the HTML DOMPurify parses. DOMPurify parses a whole document,
 * where a `<frameset>` before any content replaces the body: DOMPurify then
 * returns null and everything after it is lost. This void element sets the
 * parser's frameset-ok flag to "not ok", so a later `<frameset>` is ignored
 * like any other stray tag. It is not in the allow-list: it never reaches the output.
 */
const FRAMESET_GUARD = '<wbr>'

/** Sanitises HTML (from marked, including any raw HTML the model wrote). */
export function sanitizeHtml(html: string): string {
  const sanitizer = getPurifier()
  if (!sanitizer) return plainTextHtml(html) // cannot sanitise here: show it as text
  // Typed as never null, but DOMPurify returns null when the parsed document has no body.
  const fragment: DocumentFragment | null = sanitizer.sanitize(FRAMESET_GUARD + html, PURIFY_CONFIG)
  if (!fragment) return plainTextHtml(html)
  finishChildren(fragment, false)
  const box = (fragment.ownerDocument ?? document).createElement('div')
  box.append(fragment)
  return box.innerHTML
}

/**
 * Markdown → sanitised HTML. Never throws: whatever the model wrote, the
 * result is sanitised markup or, if anything fails, the source as text.
 */
export function renderMarkdown(source: string): string {
  return renderWithStatus(source).html
}

/** The markup, and whether it is final (nothing was left plain for a resource still loading). */
function renderWithStatus(source: string): { html: string; complete: boolean } {
  renderMissed = false
  let html: string
  try {
    html = getPurifier() ? sanitizeHtml(marked.parse(source, { async: false })) : plainTextHtml(source)
  } catch {
    html = plainTextHtml(source)
  }
  const complete = !renderMissed
  renderMissed = false
  return { html, complete }
}

// Whole messages and the blocks of long ones (rendered tail-first) share it.
const renderCache = new Lru<string>(1_000)

/** The cached final markup of `source`, if `renderMarkdownCached` has it. */
export function cachedMarkdown(source: string): string | undefined {
  return renderCache.get(source)
}

/**
 * `renderMarkdown` with a small cache by source, for finished messages that
 * mount again (a virtualised list scrolling back). Only final markup is kept.
 */
export function renderMarkdownCached(source: string): string {
  const cached = renderCache.get(source)
  if (cached !== undefined) return cached
  const { html, complete } = renderWithStatus(source)
  if (complete && source.length <= 200_000) renderCache.set(source, html)
  return html
}
