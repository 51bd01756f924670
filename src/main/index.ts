/**
 * The Electron entry point. The lifecycle is in shell/lifecycle.ts;
 * everything else lives in plain-Node services built by createAppServices.
 */
import { app } from 'electron'
import { join } from 'node:path'
import { logProcessErrors } from './services/log'
import { openLogFile } from './services/log-file'
import { runShell } from './shell/lifecycle'
import { registerAppSchemePrivileges } from './shell/protocol'

const here = import.meta.dirname
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined

registerAppSchemePrivileges()

const shell = runShell({
  preloadPath: join(here, '../preload/index.cjs'),
  iconPath: join(here, '../../resources/icon.png'),
  resourcesDir: join(here, '../../resources'),
  rendererDir: join(here, '../renderer'),
  devServerUrl,
  openLog: (dir) => openLogFile(dir, { echo: !app.isPackaged })
})
logProcessErrors(process, shell.logger)
