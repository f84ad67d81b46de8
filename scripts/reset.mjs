// npm run reset: wipe local state (D1, Durable Objects, queues); the next npm start seeds again.
import { rmSync } from "node:fs"

const dir = process.env.PUZI_STATE ?? ".wrangler/state"
rmSync(dir, { recursive: true, force: true })
console.log(`local state removed (${dir}); npm start will create the demo chain again`)
