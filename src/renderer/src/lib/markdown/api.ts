/** What `loadMarkdown()` gives: the renderer, the streaming engine and the view. */
import { prepareMarkdown, renderMarkdown } from './render'

export { default as Markdown } from './Markdown.svelte'
export { IncrementalMarkdown, type RenderedBlock } from './incremental'
export {
  escapeHtml,
  loadAllMarkdownResources,
  loadKatex,
  prepareMarkdown,
  renderMarkdown,
  renderMarkdownCached,
  resourcesPending,
  sanitizeHtml
} from './render'

/** The final markup of `source`: loads what it needs (KaTeX, languages) first. */
export async function renderMarkdownReady(source: string): Promise<string> {
  await prepareMarkdown(source)
  return renderMarkdown(source)
}
