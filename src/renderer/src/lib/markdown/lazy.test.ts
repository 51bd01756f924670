/**
 * KaTeX and highlight.js's languages are loaded on demand: the first render
 * that needs one shows that part plainly and starts loading it; once it has
 * loaded, a render gives the full markup, and the cached render is never the
 * plain one. Each test imports fresh modules, as a newly opened window has them.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { LANGUAGES } from './languages'

type Render = typeof import('./render')

async function fresh(): Promise<Render> {
  vi.resetModules()
  return import('./render')
}

beforeEach(() => {
  vi.resetModules()
})

describe('markdown resources on demand', () => {
  it('shows TeX as code until KaTeX has loaded, then typesets it', async () => {
    const render = await fresh()
    const source = 'Energy: $E = mc^2$'
    const first = render.renderMarkdown(source)
    expect(first).not.toContain('katex')
    expect(first).toContain('<code>E = mc^2</code>')
    const waiting = render.resourcesPending()
    expect(waiting).not.toBeNull()
    await waiting
    expect(render.resourcesPending()).toBeNull()
    expect(render.renderMarkdown(source)).toContain('class="katex"')
  })

  it('highlights a language once its chunk has loaded, and loads only that one', async () => {
    const render = await fresh()
    const { languageLoaded } = await import('./languages')
    const source = '```py\ndef f(x):\n    return x\n```'
    expect(render.renderMarkdown(source)).not.toContain('hljs-keyword')
    await render.resourcesPending()
    expect(languageLoaded('python')).toBe(true)
    expect(languageLoaded('rust')).toBe(false)
    const html = render.renderMarkdown(source)
    expect(html).toContain('<span class="hljs-keyword">def</span>')
    expect(html).toContain('language-py')
  })

  it('auto-detects a block without a language once the candidates have loaded', async () => {
    const render = await fresh()
    const source = '```\n#include <stdio.h>\nint main(void) {\n  printf("hi\\n");\n  return 0;\n}\n```'
    expect(render.renderMarkdown(source)).toContain('>text</span>')
    await render.prepareMarkdown(source)
    expect(render.renderMarkdown(source)).toMatch(/md-code-lang">(?:c|cpp)</)
  })

  it('never caches the plain render of a source', async () => {
    const render = await fresh()
    const source = '$$\\int_0^1 x\\,dx$$'
    expect(render.renderMarkdownCached(source)).not.toContain('katex')
    await render.resourcesPending()
    expect(render.renderMarkdownCached(source)).toContain('katex-display')
  })

  it('prepareMarkdown loads everything a source needs', async () => {
    const render = await fresh()
    const source = 'Sum $\\sum_i i$\n\n```ts\nconst x: number = 1\n```\n\n```rust\nfn main() {}\n```'
    await render.prepareMarkdown(source)
    expect(render.resourcesPending()).toBeNull()
    const html = render.renderMarkdown(source)
    expect(html).toContain('class="katex"')
    expect(html).toContain('<span class="hljs-keyword">const</span>')
    expect(html).toContain('<span class="hljs-keyword">fn</span>')
  })

  it('loadMarkdown resolves to the renderer, whose renderMarkdownReady gives the final markup', async () => {
    vi.resetModules()
    const { loadMarkdown } = await import('./index')
    const markdown = await loadMarkdown()
    expect(await loadMarkdown()).toBe(markdown)
    expect(await markdown.renderMarkdownReady('$x^2$')).toContain('class="katex"')
  })
})

describe('the language table', () => {
  it('lists every alias each language module registers itself', async () => {
    const hljs = (await import('highlight.js/lib/core')).default
    for (const [name, { load, aliases }] of Object.entries(LANGUAGES)) {
      const language = (await load()).default(hljs)
      expect(aliases, name).toEqual(expect.arrayContaining(language.aliases ?? []))
    }
  })
})
