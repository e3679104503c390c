// The web layer answers an unreachable database with 503; which errors mean that is the store's
// knowledge (src/store/unavailable.ts), passed on here so web keeps importing services only.
export { DatabaseUnavailableError, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../store/unavailable.js';
