import { useApiKey } from './api.js';

// The API key lives in sessionStorage: it survives a reload of the tab but not the tab,
// and never goes into the URL (links are shared).
const STORAGE_KEY = 'vigie.apiKey';

function stored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The API key of this tab, and whether the API asked for one. */
export class Credentials {
  key = $state<string | null>(stored());
  /** The API answered 401: the key is missing, wrong, revoked or expired. */
  needed = $state(false);

  constructor() {
    useApiKey(this.key, () => {
      this.needed = true;
    });
  }

  /** Keeps the key for this tab and reloads, so every panel asks again with it. */
  signIn(key: string): void {
    sessionStorage.setItem(STORAGE_KEY, key.trim());
    window.location.reload();
  }

  /** Forgets the key and reloads. */
  signOut(): void {
    sessionStorage.removeItem(STORAGE_KEY);
    window.location.reload();
  }
}

/** The single credentials holder of the app. */
export const credentials = new Credentials();
