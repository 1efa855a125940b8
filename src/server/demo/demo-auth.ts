import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SyncUser } from '../../core/sync-protocol.js';
import { errorResponse, HttpError, jsonResponse, readJsonBody } from '../http-error.js';
import { DEMO_USERS } from './demo-app.js';

/**
 * Demo-only authentication: `POST /v1/demo-login { user }` hands out an HMAC-signed bearer token
 * for a seeded user, with no password. Real apps bring their own `authenticate` (OIDC, sessions).
 * Tokens are stateless, so several demo server processes with the same secret accept each other's.
 */
export interface DemoAuth {
  tokenFor(user: string): string;
  authenticate(request: Request): Promise<SyncUser | null>;
  loginRoute(request: Request): Promise<Response>;
}

/** Creates the demo authentication with `secret` (default: random per process). */
export function createDemoAuth(secret: string | Uint8Array = randomBytes(32)): DemoAuth {
  const sign = (payload: string): string => createHmac('sha256', secret).update(payload).digest('base64url');
  const tokenFor = (user: string): string => {
    const payload = Buffer.from(user, 'utf8').toString('base64url');
    return `${payload}.${sign(payload)}`;
  };
  const userOf = (id: string): SyncUser | null => (Object.hasOwn(DEMO_USERS, id) ? { id, roles: [...DEMO_USERS[id]!] } : null);
  return {
    tokenFor,
    async authenticate(request) {
      const m = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(request.headers.get('authorization') ?? '');
      if (m === null) return null;
      const expected = Buffer.from(sign(m[1]!));
      const given = Buffer.from(m[2]!);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      return userOf(Buffer.from(m[1]!, 'base64url').toString('utf8'));
    },
    async loginRoute(request) {
      try {
        if (request.method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'Use POST', undefined, { allow: 'POST' });
        const body = await readJsonBody(request, 4096);
        const id = typeof body === 'object' && body !== null ? (body as { user?: unknown }).user : undefined;
        const user = typeof id === 'string' ? userOf(id) : null;
        if (user === null) throw new HttpError(401, 'unauthenticated', 'Unknown demo user');
        return jsonResponse(200, { token: tokenFor(user.id), user });
      } catch (error) {
        if (error instanceof HttpError) return errorResponse(error);
        throw error;
      }
    },
  };
}
