/** A portal session's credential (what a portal link was exchanged for), not an API key. */
export function isPortalCredential(credential: string): boolean {
  return credential.startsWith('hls_');
}

/**
 * The API key (or a portal session's credential) lives in sessionStorage: it survives reloads of the tab but not the tab itself,
 * and other tabs never see it. Storage can throw (private modes, disabled storage), in which
 * case the key simply is not remembered.
 */
const STORAGE_KEY = 'hookline.apiKey';

export function readApiKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeApiKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Not remembered across reloads; the session still works until then.
  }
}

export function forgetApiKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing was stored.
  }
}
