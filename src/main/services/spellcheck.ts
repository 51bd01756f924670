/**
 * Which languages Electron's spellchecker gets. It throws on a language it
 * has no dictionary for, so the chosen ones are matched against the list it
 * offers (exactly, then by the base language: `pt` finds `pt-BR`); none left
 * falls back to the OS language. macOS uses the OS spellchecker and ignores
 * the list.
 */
export function spellcheckLanguages(chosen: readonly string[], available: readonly string[], osLocale: string): string[] {
  const lower = available.map((code) => code.toLowerCase())
  const pick = (code: string): string | null => {
    const wanted = code.toLowerCase()
    const exact = lower.indexOf(wanted)
    if (exact >= 0) return available[exact] ?? null
    const base = wanted.split('-')[0] ?? wanted
    const sameBase = lower.findIndex((candidate) => candidate === base || candidate.startsWith(`${base}-`))
    return sameBase >= 0 ? (available[sameBase] ?? null) : null
  }
  const picked = [...new Set(chosen.map(pick).filter((code): code is string => code !== null))]
  if (picked.length > 0) return picked
  const fallback = pick(osLocale)
  return fallback ? [fallback] : []
}
