/** The providers a lab can run on. */
import type { Provider } from '../provider.js';
import { LocalProvider } from './local/provider.js';

export const PROVIDERS = ['local'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export function providerFor(name: ProviderName): Provider {
  switch (name) {
    case 'local':
      return new LocalProvider();
  }
}
