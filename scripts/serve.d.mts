import type { DemoServer } from '../src/server/demo/index.js';

/** Path prefix of the sync routes on the demo origin ('/sync/'). */
export const SYNC_PREFIX: string;

export interface DemoHostOptions {
  /** First port to try (default 5173, busy ports skipped); 0 picks any free port. */
  port?: number;
  host?: string;
  /** SQLite file of the demo server, or ':memory:'. Default `.vault-data/demo.db`. */
  dbPath?: string;
  /** HMAC secret of the demo tokens (default: random per process). */
  secret?: string;
  /** Directory of the built demo (default demo-dist/). */
  root?: string;
}

export interface DemoHost {
  /** `http://<host>:<port>/` */
  url: string;
  port: number;
  /** The running demo sync server (store, tokenFor). */
  demo: DemoServer;
  /** Seeded users and their roles. */
  users: Readonly<Record<string, readonly string[]>>;
  close(): Promise<void>;
}

/** The demo PWA and the demo sync server (mounted under /sync/) on one origin, as `npm start` runs it. */
export function startDemoHost(options?: DemoHostOptions): Promise<DemoHost>;
