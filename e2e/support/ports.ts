/**
 * The ports the end-to-end run serves on. Settable so two checkouts can run their suites side by side
 * (each build bakes its fixture hub's origin in, so the two numbers must match the build's).
 */
export const APP_PORT = Number(process.env.E2E_APP_PORT ?? 4173);
export const FIXTURE_PORT = Number(process.env.E2E_FIXTURE_PORT ?? 4174);
export const APP_ORIGIN = `http://localhost:${APP_PORT}`;
export const FIXTURE_ORIGIN = `http://127.0.0.1:${FIXTURE_PORT}`;
