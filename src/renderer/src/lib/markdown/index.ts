/**
 * The markdown module's entry for code that loads it on demand (a second
 * window's small bundle): `loadMarkdown()` resolves to the renderer once its
 * chunk is there. The chat imports the pieces directly; both get the same modules.
 */
export type MarkdownRenderer = typeof import('./api')

let loading: Promise<MarkdownRenderer> | undefined

export function loadMarkdown(): Promise<MarkdownRenderer> {
  loading ??= import('./api').catch((error: unknown) => {
    loading = undefined // a failed chunk load is tried again next time
    throw error
  })
  return loading
}
