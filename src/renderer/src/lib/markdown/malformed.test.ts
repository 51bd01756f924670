/**
 * Malformed and hostile markup never makes rendering throw, at once or
 * streamed, and what comes out is sanitised markup or escaped text. The same
 * payloads and random markup run in real Chromium in tests/e2e/markdown-xss.test.ts
 * (Chromium's parser is the one that drops the body for a `<frameset>`).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chunked, chunkSizes, framesetPayloads, hostileMarkup } from '../../../../../tests/renderer/hostile-markup'
import { IncrementalMarkdown } from './incremental'
import { plainTextHtml, renderMarkdown } from './render'

const UNSAFE_TAGS = new Set(['script', 'iframe', 'frame', 'frameset', 'noframes', 'object', 'embed', 'style', 'base', 'meta', 'link', 'form', 'template'])

/** What in `html` would be unsafe once shown with innerHTML (parsed inertly, in a template). */
function unsafeParts(html: string): string[] {
  const template = document.createElement('template')
  template.innerHTML = html
  const found: string[] = []
  for (const element of template.content.querySelectorAll('*')) {
    const tag = element.localName.toLowerCase()
    if (UNSAFE_TAGS.has(tag)) found.push(`<${tag}>`)
    for (const attribute of element.attributes) {
      if (attribute.name.toLowerCase().startsWith('on')) found.push(`${attribute.name} on <${tag}>`)
      if (/^\s*(?:javascript|vbscript|data:text)/i.test(attribute.value)) found.push(`${attribute.name}="${attribute.value}" on <${tag}>`)
    }
  }
  return found
}

/** Every HTML the one-shot render, each streamed update and the final render produce. */
function renderAllWays(markdown: string, sizes: readonly number[]): string[] {
  const outputs = [renderMarkdown(markdown)]
  const engine = new IncrementalMarkdown()
  for (const piece of chunked(markdown, sizes)) for (const block of engine.append(piece)) outputs.push(block.html)
  for (const block of engine.finish()) outputs.push(block.html)
  return outputs
}

const framesets = framesetPayloads('http://127.0.0.1:9')

describe('malformed markup', () => {
  it.each(framesets.map((payload) => [payload.name, payload.markdown]))('%s renders safely at once and streamed', (_name, markdown) => {
    for (const sizes of [[1], [3], [7, 2, 13]]) {
      for (const html of renderAllWays(markdown, sizes)) expect(unsafeParts(html), html).toEqual([])
    }
  })

  it('keeps what follows a frameset, and frames in code as code', () => {
    const box = document.createElement('div')
    box.innerHTML = renderMarkdown('<frameset cols="50%">\n\n# Title\n\n```html\n<frameset><frame src="x">\n```\n\n`<frame>`')
    expect(box.querySelector('h1')?.textContent).toBe('Title')
    expect(box.querySelector('pre code')?.textContent).toBe('<frameset><frame src="x">')
    expect(box.querySelector('p code')?.textContent).toBe('<frame>')
    expect(box.querySelector('frameset, frame, wbr')).toBeNull()
  })

  it('never throws on random markup, rendered at once or streamed in random chunks', () => {
    fc.assert(
      fc.property(hostileMarkup, chunkSizes, (markdown, sizes) => {
        for (const html of renderAllWays(markdown, sizes)) expect(unsafeParts(html), html).toEqual([])
      }),
      { numRuns: 150 }
    )
  }, 60_000)

  it('shows nesting too deep to parse as escaped text instead of throwing', () => {
    // Both overflow marked's stack.
    for (const markdown of ['> '.repeat(4000) + '<b>deep</b>', '*'.repeat(2500) + '<b>deep</b>' + '*'.repeat(2500)]) {
      expect(renderMarkdown(markdown)).toBe(plainTextHtml(markdown))
    }
  })

  it('shows text it cannot render as escaped text', () => {
    expect(plainTextHtml('<frameset onload="x()"> & "q"')).toBe('<pre class="md-plain">&lt;frameset onload=&quot;x()&quot;&gt; &amp; &quot;q&quot;</pre>')
  })
})
