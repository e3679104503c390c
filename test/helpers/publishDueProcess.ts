/**
 * A second server process, as far as scheduling goes: waits until the wall-clock instant in
 * argv[3] so that several of these start publishing together, runs `publishDue` at the instant
 * in argv[2] on the store NASHRA_DATA_DIR names, and prints the ids it published as JSON.
 */
import { openServices } from '../../src/cli/context.js';
import { loadConfig } from '../../src/config.js';
import { publishDue } from '../../src/services/scheduler.js';

const [, , now, startAt] = process.argv;
const services = await openServices(loadConfig());
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
const ids = await publishDue(services, new Date(now!));
process.stdout.write(JSON.stringify(ids));
await services.store.close();
