/** Starts the order processor (see run.ts): `npm start -w processor`, or `tsx processor/src/main.ts`. */
import { runProcessor } from './run.ts';

await runProcessor();
