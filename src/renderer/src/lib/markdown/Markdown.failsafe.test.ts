/**
 * The Markdown view's last line of defence: should rendering ever throw, the
 * answer is shown as escaped text and the view keeps working. renderMarkdown
 * itself no longer throws on any input, so the failure is injected: the
 * renderer module is replaced by one that throws for text containing BOOM.
 */
import { render } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import Markdown from './Markdown.svelte'

vi.mock('./render', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./render')>()
  const failing = (source: string): string => {
    if (source.includes('BOOM')) throw new TypeError("Cannot read properties of null (reading 'firstElementChild')")
    return actual.renderMarkdown(source)
  }
  return { ...actual, renderMarkdown: failing, renderMarkdownCached: failing }
})

describe('Markdown when rendering throws', () => {
  it('shows a finished answer as escaped text', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const source = 'BOOM <img src=x onerror="window.__xss=1"> **not bold**'
    const { getByTestId } = render(Markdown, { props: { source } })
    const root = getByTestId('markdown')
    expect(root.querySelector('[data-testid="markdown-plain"]')?.textContent).toBe(source)
    expect(root.querySelector('img, strong')).toBeNull()
  })

  it('keeps a streamed answer visible as text, and renders again once the text renders', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const first = 'A *first* paragraph.\n\n'
    const { getByTestId, rerender } = render(Markdown, { props: { source: first, streaming: true } })
    const root = getByTestId('markdown')
    expect(root.querySelector('em')?.textContent).toBe('first')

    await rerender({ source: first + 'Then BOOM', streaming: true })
    expect(root.querySelector('[data-testid="markdown-plain"]')?.textContent).toBe(first + 'Then BOOM')

    await rerender({ source: first + 'Then BOOM.', streaming: false })
    expect(root.querySelector('[data-testid="markdown-plain"]')?.textContent).toBe(first + 'Then BOOM.')

    // The same view, given text that renders (a regenerated answer), is markdown again.
    await rerender({ source: 'A *second* answer.', streaming: false })
    expect(root.querySelector('[data-testid="markdown-plain"]')).toBeNull()
    expect(root.querySelector('em')?.textContent).toBe('second')
  })
})
