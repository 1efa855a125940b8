/** The signed-in demo user: name, roles and the bearer token the demo server issued. */
export interface DemoSession {
  readonly user: string;
  readonly roles: readonly string[];
  readonly token: string;
}

/** Base URL of the sync server: same origin, mounted by `npm start` (scripts/serve.mjs). */
export const SYNC_URL = '/sync';
const KEY = 'offline-vault-demo/session';

/** Vault name of a user: one vault (one IndexedDB database) per user of this browser. */
export function vaultName(user: string): string {
  return `sales-${user}`;
}

/**
 * Asks the demo server for a token of a seeded user (`POST /sync/v1/demo-login`). Demo only: a
 * real app gets its token from its own sign-in (OIDC, session cookie).
 */
export async function signIn(user: string): Promise<DemoSession> {
  const response = await fetch(`${SYNC_URL}/v1/demo-login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  if (!response.ok) throw new Error(`demo-login answered ${response.status}`);
  const body = (await response.json()) as { token?: unknown; user?: { id?: unknown; roles?: unknown } };
  const roles = body.user?.roles;
  if (typeof body.token !== 'string' || body.user?.id !== user || !Array.isArray(roles)) throw new Error('demo-login sent an unexpected answer');
  const session: DemoSession = { user, roles: roles.map(String), token: body.token };
  // Kept so that a reload (also offline) reopens the same user's vault without signing in again.
  localStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

/** The stored session, if a user is signed in on this browser. */
export function loadSession(): DemoSession | null {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<DemoSession> | null;
    if (raw === null || typeof raw.user !== 'string' || typeof raw.token !== 'string' || !Array.isArray(raw.roles)) return null;
    return { user: raw.user, roles: raw.roles.map(String), token: raw.token };
  } catch {
    return null;
  }
}

/** Forgets the session (after `vault.signOut()` removed the user's data). */
export function clearSession(): void {
  localStorage.removeItem(KEY);
}
