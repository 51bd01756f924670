/**
 * Run in a child process by the crash test: starts the app's services, sends
 * a message, and says STREAMING once part of the answer has been saved (or, in
 * `pause` mode, SHOWN with each piece the window was sent). The test then kills
 * this process with SIGKILL, mid-answer.
 */
import { createAppServices } from '../../src/main/app-services'
import { nodePowers } from '../support/node-powers'

const [userDataDir, baseUrl, mode = 'stream'] = process.argv.slice(2)
if (!userDataDir || !baseUrl) throw new Error('usage: child <userDataDir> <baseUrl> [stream|pause]')

const services = await createAppServices(nodePowers({ userDataDir }))
services.settings.update({ baseUrl })
const conversation = services.chatStore.createConversation({ model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true })
let received = 0
await services.chat.send(
  { requestId: 'crash-test', conversationId: conversation.id, content: 'Tell me a long story, words:5000' },
  {
    id: 1,
    send(event, payload) {
      if (event !== 'chat.delta') return
      received++
      // In `pause` mode the server stalls mid-answer: say what the window was shown so far.
      if (mode === 'pause') process.stdout.write(`SHOWN ${conversation.id} ${JSON.stringify((payload as { content: string }).content)}\n`)
      // Enough deltas that the throttled save (every 250 ms) has written some of the answer.
      if (received === 40) process.stdout.write(`STREAMING ${conversation.id}\n`)
    }
  }
)
