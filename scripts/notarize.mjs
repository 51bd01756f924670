/**
 * electron-builder's afterSign hook: sends the signed macOS app to Apple's
 * notary service. Without credentials (local builds, forks, CI without
 * secrets) it says so and does nothing, so an unsigned build still packages.
 *
 * Credentials, either:
 *   APPLE_API_KEY (path to the .p8 file), APPLE_API_KEY_ID, APPLE_API_ISSUER
 *   APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID
 *
 * @electron/notarize comes with electron-builder (a dependency of app-builder-lib).
 */
import { join } from 'node:path'

/** The notarize options for these environment variables, or null when they are incomplete. */
export function notarizeCredentials(env) {
  if (env.APPLE_API_KEY && env.APPLE_API_KEY_ID && env.APPLE_API_ISSUER) {
    return { appleApiKey: env.APPLE_API_KEY, appleApiKeyId: env.APPLE_API_KEY_ID, appleApiIssuer: env.APPLE_API_ISSUER }
  }
  if (env.APPLE_ID && env.APPLE_APP_SPECIFIC_PASSWORD && env.APPLE_TEAM_ID) {
    return { appleId: env.APPLE_ID, appleIdPassword: env.APPLE_APP_SPECIFIC_PASSWORD, teamId: env.APPLE_TEAM_ID }
  }
  return null
}

export default async function afterSign(context, { env = process.env, notarize, log = console.log } = {}) {
  if (context.electronPlatformName !== 'darwin') return 'skipped: not macOS'
  const credentials = notarizeCredentials(env)
  if (!credentials) {
    log('Notarization skipped: no Apple credentials in the environment (see scripts/notarize.mjs).')
    return 'skipped: no credentials'
  }
  const appPath = join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`)
  const run = notarize ?? (await import('@electron/notarize')).notarize
  await run({ appPath, ...credentials })
  log(`Notarized ${appPath}`)
  return 'notarized'
}
