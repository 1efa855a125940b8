// The demo sync server (npm start, e2e tests): demo app definition, demo users, seeded data.
export { demoApp, DEMO_USERS } from './demo-app.js';
export { startDemoServer } from './start-demo-server.js';
export type { DemoServer, DemoServerOptions } from './start-demo-server.js';
export { createDemoAuth } from './demo-auth.js';
export type { DemoAuth } from './demo-auth.js';
export { seedDemoData, demoSeedChanges, DEMO_CUSTOMER_IDS } from './seed-demo-data.js';
