/** Small URL helpers for settings fields and labels. */

/** A trimmed http(s) URL, or null when the text is not one. */
export function parseHttpUrl(text: string): URL | null {
  const trimmed = text.trim()
  if (trimmed === '') return null
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
  if (url.hostname === '') return null
  return url
}

export function isHttpUrl(text: string): boolean {
  return parseHttpUrl(text) !== null
}

/** The host (with port) of a base URL for labels; the raw text when it does not parse. */
export function hostOf(baseUrl: string | null | undefined): string {
  if (!baseUrl) return ''
  try {
    return new URL(baseUrl).host || baseUrl
  } catch {
    return baseUrl
  }
}
