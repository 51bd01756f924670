/**
 * Run in a child process by the start-up failure test, as a user who may not
 * write to the data folder: starts the services there and prints, as one
 * JSON line, either that they started or the plan for the failure and
 * whether the database could be moved aside.
 */
import { createAppServices } from '../../src/main/app-services'
import { moveDatabaseAside, planStartupFailure } from '../../src/main/services/startup-failure'
import { nodePowers } from '../support/node-powers'

const [userDataDir] = process.argv.slice(2)
if (!userDataDir) throw new Error('usage: child <userDataDir>')

try {
  const services = await createAppServices(nodePowers({ userDataDir }))
  await services.close()
  process.stdout.write(`${JSON.stringify({ started: true })}\n`)
} catch (error) {
  const plan = planStartupFailure(error, userDataDir)
  let moveError: string | null = null
  try {
    moveDatabaseAside(userDataDir)
  } catch (failure) {
    moveError = (failure as NodeJS.ErrnoException).code ?? String(failure)
  }
  process.stdout.write(`${JSON.stringify({ started: false, plan, moveError })}\n`)
}
