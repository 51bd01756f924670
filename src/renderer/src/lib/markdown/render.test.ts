import { beforeAll, describe, expect, it } from 'vitest'
import { filterStyle, loadAllMarkdownResources, renderMarkdown, safeImageSource } from './render'

// These check the final markup; lazy.test.ts checks what renders before KaTeX and the languages load.
beforeAll(() => loadAllMarkdownResources())

function dom(markdown: string): HTMLElement {
  const box = document.createElement('div')
  box.innerHTML = renderMarkdown(markdown)
  return box
}

describe('renderMarkdown: GFM', () => {
  it('renders tables with alignment', () => {
    const box = dom('| Name | Price |\n|:-----|------:|\n| tea | 3 |\n| cake | 12 |\n')
    const table = box.querySelector('table')
    expect(table).not.toBeNull()
    expect(box.querySelectorAll('th')).toHaveLength(2)
    expect(box.querySelectorAll('tbody tr')).toHaveLength(2)
    expect(box.querySelector('td:last-child')?.getAttribute('align')).toBe('right')
  })

  it('renders task lists as disabled checkboxes', () => {
    const box = dom('- [x] done\n- [ ] todo\n')
    const boxes = box.querySelectorAll('input')
    expect(boxes).toHaveLength(2)
    for (const input of boxes) {
      expect(input.getAttribute('type')).toBe('checkbox')
      expect(input.hasAttribute('disabled')).toBe(true)
    }
    expect(boxes[0]?.hasAttribute('checked')).toBe(true)
    expect(boxes[1]?.hasAttribute('checked')).toBe(false)
  })

  it('renders strikethrough and autolinks, and no soft line breaks', () => {
    const box = dom('~~old~~ see www.example.com and https://example.org/x\nsame paragraph')
    expect(box.querySelector('del')?.textContent).toBe('old')
    const hrefs = Array.from(box.querySelectorAll('a'), (a) => a.getAttribute('href'))
    expect(hrefs).toEqual(['http://www.example.com', 'https://example.org/x'])
    expect(box.querySelector('br')).toBeNull()
    expect(box.querySelectorAll('p')).toHaveLength(1)
  })

  it('gives every link rel="noopener noreferrer" and no target', () => {
    const box = dom('[a](https://a.example) <a href="https://b.example" target="_blank" rel="opener">b</a>')
    const links = box.querySelectorAll('a')
    expect(links).toHaveLength(2)
    for (const link of links) {
      expect(link.getAttribute('rel')).toBe('noopener noreferrer')
      expect(link.hasAttribute('target')).toBe(false)
    }
  })
})

describe('renderMarkdown: code', () => {
  it('highlights a fenced block and adds a header with the language and a Copy button', () => {
    const box = dom('```python\ndef add(a, b):\n    return a + b  # sum\n```\n')
    const block = box.querySelector('.md-code')
    expect(block).not.toBeNull()
    expect(block?.querySelector('.md-code-lang')?.textContent).toBe('python')
    const button = block?.querySelector('button[data-copy]')
    expect(button?.textContent).toBe('Copy')
    const code = block?.querySelector('pre code')
    expect(code?.classList.contains('language-python')).toBe(true)
    expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('def')
    expect(code?.querySelector('.hljs-comment')?.textContent).toBe('# sum')
    // The code's text is the raw code, which is what Copy copies.
    expect(code?.textContent).toBe('def add(a, b):\n    return a + b  # sum')
  })

  it('escapes code and keeps unknown languages as plain text', () => {
    const box = dom('```mermaid\n<script>alert(1)</script> & x\n```')
    expect(box.querySelector('script')).toBeNull()
    expect(box.querySelector('.md-code-lang')?.textContent).toBe('mermaid')
    expect(box.querySelector('pre code')?.textContent).toBe('<script>alert(1)</script> & x')
  })

  it('escapes a hostile info string', () => {
    const box = dom('```"><img src=x onerror=alert(1)>\nx\n```')
    expect(box.querySelector('img')).toBeNull()
    expect(box.querySelector('[onerror]')).toBeNull()
    expect(box.querySelector('pre code')?.textContent).toBe('x')
  })

  it('labels a block without a language, auto-detecting short ones', () => {
    const box = dom('```\nconst x = { a: 1 }\nfunction f() { return x }\nconsole.log(f())\n```')
    expect(box.querySelector('.md-code-lang')?.textContent).not.toBe('')
    expect(box.querySelector('pre code')?.textContent).toContain('function f()')
  })

  it('does not treat $ inside inline code as math', () => {
    const box = dom('Use `$x$` literally')
    expect(box.querySelector('code')?.textContent).toBe('$x$')
    expect(box.querySelector('.katex')).toBeNull()
  })
})

describe('renderMarkdown: math', () => {
  it('renders inline $…$ and \\(…\\) with KaTeX', () => {
    const box = dom('Euler: $e^{i\\pi} + 1 = 0$ and \\(a^2 + b^2\\).')
    const maths = box.querySelectorAll('p > .md-math')
    expect(maths).toHaveLength(2)
    for (const math of maths) {
      expect(math.querySelector('.katex .katex-html')).not.toBeNull()
      expect(math.classList.contains('md-math-display')).toBe(false)
    }
  })

  it('renders display $$…$$ and \\[…\\] in a scrollable container', () => {
    const box = dom('$$\n\\int_0^1 x\\,dx = \\frac{1}{2}\n$$\n\n\\[\n\\sum_{n=1}^\\infty \\frac{1}{n^2}\n\\]\n\nText with $$x^2$$ inside.')
    const displays = box.querySelectorAll('.md-math-display')
    expect(displays).toHaveLength(3)
    expect(displays[0]?.tagName).toBe('DIV')
    expect(displays[1]?.tagName).toBe('DIV')
    expect(displays[2]?.tagName).toBe('SPAN')
    for (const math of displays) expect(math.querySelector('.katex-display')).not.toBeNull()
  })

  it('keeps KaTeX inline styles it needs, but only safe ones', () => {
    const box = dom('$\\frac{a}{b}$')
    const styled = box.querySelectorAll('.katex [style]')
    expect(styled.length).toBeGreaterThan(0)
    for (const element of styled) expect(element.getAttribute('style')).not.toMatch(/url|expression|position:\s*(fixed|absolute)/i)
  })

  it('does not treat prices as math', () => {
    for (const text of ['It costs $5 and $10.', 'between $5-$10 a month', 'US$5 or US$10', 'Pay $ 5 $ now', '$20, $30 and $40']) {
      const box = dom(text)
      expect(box.querySelector('.katex'), text).toBeNull()
      expect(box.textContent?.trim()).toBe(text)
    }
  })

  it('keeps escaped dollars as text', () => {
    const box = dom('\\$x\\$ stays')
    expect(box.querySelector('.katex')).toBeNull()
    expect(box.textContent?.trim()).toBe('$x$ stays')
  })

  it('shows a TeX error instead of throwing, and refuses untrusted commands', () => {
    const box = dom('$\\frac{1}{$ and $\\href{javascript:alert(1)}{x}$ and $\\url{https://x.example}$ and $\\htmlClass{btn}{x}$')
    expect(box.querySelector('a')).toBeNull()
    expect(box.innerHTML).not.toMatch(/javascript:/i)
    expect(box.querySelector('.btn')).toBeNull()
  })
})

describe('renderMarkdown: sanitising', () => {
  it('removes scripts, handlers and javascript: links from raw HTML and markdown', () => {
    const box = dom(
      [
        '<script>window.__xss = 1</script>',
        '<img src=x onerror="window.__xss=1">',
        '<a href="javascript:alert(1)" onclick="x()">a</a>',
        '[b](javascript:alert(1)) [c](vbscript:msgbox) [d](data:text/html,<script>alert(1)</script>)',
        '<iframe srcdoc="<script>window.__xss=1</script>"></iframe><object data="x"></object><embed src="x"><form><input type="text"></form>',
        '<style>body{display:none}</style><base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example"><link rel="preload" href="https://evil.example/x.css">'
      ].join('\n\n')
    )
    for (const tag of ['script', 'iframe', 'object', 'embed', 'form', 'input', 'style', 'base', 'meta', 'link']) {
      expect(box.querySelector(tag), tag).toBeNull()
    }
    for (const element of box.querySelectorAll('*')) {
      for (const attribute of element.attributes) expect(attribute.name.startsWith('on'), attribute.name).toBe(false)
    }
    for (const link of box.querySelectorAll('a')) expect(link.hasAttribute('href')).toBe(false)
  })

  it('turns remote images into links and keeps only local ones', () => {
    const box = dom(
      '![cat](https://img.example/cat.png) <img src="http://img.example/dog.png" alt="dog" srcset="http://img.example/d2.png 2x">\n\n' +
        '![dot](data:image/png;base64,iVBORw0KGgo=) ![song](/media/cover.png) ![b](blob:http://127.0.0.1/abc) ![rel](picture.png)'
    )
    const images = Array.from(box.querySelectorAll('img'), (img) => img.getAttribute('src'))
    expect(images).toEqual(['data:image/png;base64,iVBORw0KGgo=', '/media/cover.png', 'blob:http://127.0.0.1/abc'])
    for (const img of box.querySelectorAll('img')) expect(img.hasAttribute('srcset')).toBe(false)
    const links = Array.from(box.querySelectorAll('a.md-image-link'), (a) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel')])
    expect(links).toEqual([
      ['image: cat', 'https://img.example/cat.png', 'noopener noreferrer'],
      ['image: dog', 'http://img.example/dog.png', 'noopener noreferrer']
    ])
    expect(box.textContent).toContain('rel') // an unusable image leaves its alt text
  })

  it.each([
    '/media/../settings.json',
    '/media/./../api-key.bin',
    '/media/a/../../settings.json',
    '/media/%2e%2e/settings.json',
    '/media/%2E%2E/settings.json',
    '/media/.%2e/settings.json',
    '/media/..\\settings.json',
    '/media/a\\..\\..\\settings.json',
    '/media/.\t./settings.json',
    '/media/..%2fsettings.json',
    '/media/..%5csettings.json',
    '/media/%252e%252e/settings.json',
    '/media/%25252e%25252e/settings.json',
    '/MEDIA/x.png',
    'media/x.png',
    '//evil.example/media/x.png',
    '/mediax/x.png'
  ])('keeps no image whose path leaves /media/: %s', (src) => {
    expect(safeImageSource(src)).toBeNull()
    const box = dom(`<img src="${src}" alt="kept alt">`)
    expect(box.querySelector('img')).toBeNull()
    expect(box.textContent).toContain('kept alt')
  })

  it('keeps media images by their normalised path', () => {
    expect(safeImageSource('/media/cover.png')).toBe('/media/cover.png')
    expect(safeImageSource('/media/images/a%20b.png')).toBe('/media/images/a%20b.png')
    expect(safeImageSource('/media/a/../b.png')).toBe('/media/b.png')
    expect(safeImageSource('data:image/png;base64,iVBORw0KGgo=')).toBe('data:image/png;base64,iVBORw0KGgo=')
    const box = dom('<img src="/media/songs/./x/../cover.png" alt="c">')
    expect(box.querySelector('img')?.getAttribute('src')).toBe('/media/songs/cover.png')
  })

  it('drops class, style, buttons, SVG and MathML the model wrote itself', () => {
    const box = dom(
      '<span class="katex md-code btn" style="position:fixed;inset:0">x</span> <button data-copy>copy</button> ' +
        '<svg onload="alert(1)"><circle r="9"/></svg> <math><mi>y</mi></math> <div data-md="x" id="app" name="n">d</div> ' +
        '<a xmlns="javascript:alert(1)" href="https://ok.example">a</a>'
    )
    const span = box.querySelector('span')
    expect(span?.hasAttribute('class')).toBe(false)
    expect(span?.hasAttribute('style')).toBe(false)
    expect(box.querySelector('button')).toBeNull()
    expect(box.querySelector('[data-copy]')).toBeNull()
    expect(box.querySelector('svg')).toBeNull()
    expect(box.querySelector('math')).toBeNull()
    expect(box.querySelector('[data-md], [id], [name], [xmlns]')).toBeNull()
  })

  it('filters inline styles to layout properties without functions that load things', () => {
    expect(filterStyle('height:1em;vertical-align:-0.2em')).toBe('height:1em;vertical-align:-0.2em')
    expect(filterStyle('background:url(http://x)')).toBe('')
    expect(filterStyle('background-color:url(http://x)')).toBe('')
    expect(filterStyle('color:expression(alert(1))')).toBe('')
    expect(filterStyle('position:fixed;top:0')).toBe('top:0')
    expect(filterStyle('position:relative')).toBe('position:relative')
    expect(filterStyle('color:rgb(1,2,3);width:calc(100% - 2px)')).toBe('color:rgb(1,2,3);width:calc(100% - 2px)')
    expect(filterStyle('color:\\65 xpression(1)')).toBe('')
  })
})
