import { fireEvent, render, waitFor } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { buildBridgeApi } from '@shared/bridge'
import type { Envelope, MethodName } from '@shared/contract'
import { resetApiForTests } from '../bridge'
import { StreamedText } from '../streamed-text'
import { GROUP_SIZE } from './groups'
import Markdown from './Markdown.svelte'
import { renderMarkdown } from './render'

/** `window.api` over a tiny in-memory transport that records every call. */
function installBridge(): { method: MethodName; args: unknown }[] {
  const calls: { method: MethodName; args: unknown }[] = []
  window.api = buildBridgeApi({
    async invoke(method, args): Promise<Envelope<unknown>> {
      calls.push({ method, args })
      return { ok: true, result: undefined }
    },
    subscribe: () => () => {}
  })
  resetApiForTests()
  return calls
}

let calls: { method: MethodName; args: unknown }[]
let writeText: ReturnType<typeof vi.fn<(text: string) => Promise<void>>>

beforeEach(() => {
  calls = installBridge()
  writeText = vi.fn<(text: string) => Promise<void>>(async () => {})
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
})

afterEach(() => {
  resetApiForTests()
})

describe('Markdown', () => {
  it('renders markdown', () => {
    const { getByTestId } = render(Markdown, { props: { source: '# Title\n\nSome **bold** text.' } })
    const root = getByTestId('markdown')
    expect(root.querySelector('h1')?.textContent).toBe('Title')
    expect(root.querySelector('strong')?.textContent).toBe('bold')
  })

  it('opens links through app.openExternal and never navigates', async () => {
    const { getByTestId } = render(Markdown, {
      props: { source: 'Read [the docs](https://docs.example/guide?a=1) or https://other.example.' }
    })
    const links = getByTestId('markdown').querySelectorAll('a')
    expect(links).toHaveLength(2)
    for (const link of links) expect(link.getAttribute('rel')).toBe('noopener noreferrer')

    const notPrevented = await fireEvent.click(links[0] as HTMLAnchorElement)
    expect(notPrevented).toBe(false)
    await waitFor(() => expect(calls).toHaveLength(1))
    expect(calls[0]).toEqual({ method: 'app.openExternal', args: { url: 'https://docs.example/guide?a=1' } })

    await fireEvent.click(links[1] as HTMLAnchorElement)
    await waitFor(() => expect(calls).toHaveLength(2))
    expect(calls[1]?.args).toEqual({ url: 'https://other.example' })
  })

  it('hands a mailto link to app.openExternal, which opens it with the OS', async () => {
    const { getByTestId } = render(Markdown, {
      props: { source: 'Write to [support](mailto:help@api.example?subject=Key) or <help@api.example>.' }
    })
    const links = getByTestId('markdown').querySelectorAll('a')
    expect(links).toHaveLength(2)
    expect(await fireEvent.click(links[0] as HTMLAnchorElement)).toBe(false)
    await fireEvent.click(links[1] as HTMLAnchorElement)
    await waitFor(() => expect(calls).toHaveLength(2))
    expect(calls.map((call) => call.args)).toEqual([{ url: 'mailto:help@api.example?subject=Key' }, { url: 'mailto:help@api.example' }])
  })

  it('does nothing for a link whose address was removed', async () => {
    const { getByTestId } = render(Markdown, { props: { source: '[bad](javascript:alert(1))' } })
    const link = getByTestId('markdown').querySelector('a') as HTMLAnchorElement
    expect(link.hasAttribute('href')).toBe(false)
    expect(await fireEvent.click(link)).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(calls).toHaveLength(0)
  })

  it('copies the raw code of a block and says Copied', async () => {
    const code = 'const x = "<b>&amp;</b>"\nconsole.log(x)'
    const { getByTestId } = render(Markdown, { props: { source: `Before\n\n\`\`\`js\n${code}\n\`\`\`\n` } })
    const button = getByTestId('markdown').querySelector('button[data-copy]') as HTMLButtonElement
    expect(button.textContent).toBe('Copy')
    await fireEvent.click(button)
    expect(writeText).toHaveBeenCalledWith(code)
    await waitFor(() => expect(button.textContent).toBe('Copied'))
    expect(button.dataset['state']).toBe('copied')
  })

  it('shows remote images as links', () => {
    const { getByTestId } = render(Markdown, { props: { source: '![chart](https://img.example/chart.png)' } })
    const root = getByTestId('markdown')
    expect(root.querySelector('img')).toBeNull()
    const link = root.querySelector('a')
    expect(link?.textContent).toBe('image: chart')
    expect(link?.getAttribute('href')).toBe('https://img.example/chart.png')
  })

  it('while streaming, touches only the last block; at the end renders the whole text once', async () => {
    const first = 'The first paragraph, already complete.\n\n'
    const { getByTestId, rerender } = render(Markdown, { props: { source: first + 'Sec', streaming: true } })
    const root = getByTestId('markdown')
    const firstParagraph = root.querySelector('.md-block p') as HTMLParagraphElement
    expect(firstParagraph.textContent).toBe('The first paragraph, already complete.')

    let source = first + 'Sec'
    for (const chunk of ['ond para', 'graph.\n\n', '```py\nprint(', '1)\n']) {
      source += chunk
      await rerender({ source, streaming: true })
      // Same element, never re-created.
      expect(root.querySelector('.md-block p')).toBe(firstParagraph)
      expect(firstParagraph.isConnected).toBe(true)
    }
    const blocks = root.querySelectorAll('.md-block')
    expect(blocks).toHaveLength(3)
    // The open fence renders as code.
    expect(blocks[2]?.querySelector('pre code')?.textContent).toBe('print(1)')

    source += '```\n'
    await rerender({ source, streaming: false })
    const finalBlocks = root.querySelectorAll('.md-block')
    expect(finalBlocks).toHaveLength(1)
    expect(finalBlocks[0]?.innerHTML).toBe(renderMarkdown(source))
  })

  it('while streaming a long answer, keeps its blocks in groups whose elements stay in place', async () => {
    const pieces = Array.from({ length: GROUP_SIZE * 2 + 10 }, (_, i) => (i % 10 === 5 ? `## Part ${i}\n\n` : `Paragraph ${i}.\n\n`))
    let source = ''
    const { getByTestId, rerender } = render(Markdown, { props: { source: 'Start.\n\n', streaming: true } })
    const root = getByTestId('markdown')
    const first = root.querySelector('p')
    for (const piece of pieces) {
      source += piece
      await rerender({ source: `Start.\n\n${source}`, streaming: true })
    }
    const groups = [...root.querySelectorAll(':scope > .md-group')]
    expect(groups.length).toBe(3)
    // Every block once, in order; no group starts with a heading (its top margin would not collapse).
    const texts = [...root.querySelectorAll('h2, p')].map((element) => element.textContent)
    expect(texts).toEqual(['Start.', ...pieces.map((piece) => piece.replace(/^## /, '').trim())])
    for (const group of groups) expect(group.querySelector(':scope > .md-block')?.firstElementChild?.tagName).toBe('P')
    expect(root.querySelector('p')).toBe(first)
    // At the end, one full render.
    await rerender({ source: `Start.\n\n${source}`, streaming: false })
    expect(root.querySelectorAll('.md-group')).toHaveLength(0)
    expect(root.querySelectorAll('.md-block')).toHaveLength(1)
  })

  it('while streaming from a StreamedText, reads only what was appended since the last update', async () => {
    const streamed = new StreamedText('Intro paragraph.\n\n')
    const from = vi.spyOn(streamed, 'from')
    let source = 'Intro paragraph.\n\n'
    const { getByTestId, rerender } = render(Markdown, { props: { source, streaming: true, streamed } })
    const root = getByTestId('markdown')
    const pieces = ['A second', ' paragraph.\n\n', '```js\nconst a', ' = 1\n', '```\n\nEnd.']
    for (const piece of pieces) {
      streamed.append(piece)
      source += piece
      await rerender({ source, streaming: true, streamed })
    }
    expect(from.mock.calls.map(([offset]) => offset)).toEqual([0, ...pieces.map((_, i) => 'Intro paragraph.\n\n'.length + pieces.slice(0, i).join('').length)])
    expect([...root.querySelectorAll('p')].map((element) => element.textContent)).toEqual(['Intro paragraph.', 'A second paragraph.', 'End.'])
    expect(root.querySelector('pre code')?.textContent).toBe('const a = 1')

    // A new stream in the same view (another StreamedText) starts from its beginning.
    const next = new StreamedText('Fresh answer.')
    await rerender({ source: 'Fresh answer.', streaming: true, streamed: next })
    expect([...root.querySelectorAll('p')].map((element) => element.textContent)).toEqual(['Fresh answer.'])
    // A StreamedText that does not match the source is not trusted: the source is shown.
    await rerender({ source: 'Fresh answer, longer.', streaming: true, streamed: next })
    expect([...root.querySelectorAll('p')].map((element) => element.textContent)).toEqual(['Fresh answer, longer.'])
  })

  it('renders a long finished answer tail-first: its last blocks at once, the blocks above in later frames', { timeout: 15_000 }, async () => {
    const sections = Array.from({ length: 40 }, (_, i) => `## Section ${i}\n\nParagraph ${i} says it plainly, with **bold** words and a [link](https://example.com/${i}) in it, long enough to count for something when the answer is measured.`)
    const source = sections.join('\n\n')
    expect(source.length).toBeGreaterThan(6_000)
    const { getByTestId } = render(Markdown, { props: { source } })
    const root = getByTestId('markdown')
    const headings = (): string[] => [...root.querySelectorAll('h2')].map((heading) => heading.textContent ?? '')
    // Before the first paint: the end only.
    expect(headings()).toContain('Section 39')
    expect(headings()).not.toContain('Section 0')
    expect(headings().length).toBeLessThan(40)
    const lastParagraph = [...root.querySelectorAll('p')].at(-1)
    // Then everything, in order, the blocks already shown left in place.
    await waitFor(() => expect(headings()).toHaveLength(40), { timeout: 12_000 })
    expect(headings()).toEqual(sections.map((_, i) => `Section ${i}`))
    expect([...root.querySelectorAll('p')].at(-1)).toBe(lastParagraph)
    const whole = document.createElement('div')
    whole.innerHTML = renderMarkdown(source)
    expect(root.textContent?.replace(/\s+/g, ' ').trim()).toBe(whole.textContent?.replace(/\s+/g, ' ').trim())
  })

  it('renders a short finished answer, or one with reference links, whole and at once', () => {
    const withReferences = `${'Some text with a [reference][ref] link. '.repeat(200)}\n\n[ref]: https://example.com/ref`
    const { getByTestId } = render(Markdown, { props: { source: withReferences } })
    const root = getByTestId('markdown')
    expect(root.querySelectorAll('.md-block')).toHaveLength(1)
    expect(root.querySelector('a')?.getAttribute('href')).toBe('https://example.com/ref')
  })
})
