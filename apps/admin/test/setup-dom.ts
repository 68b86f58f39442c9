import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Unmount between tests so each starts from an empty document.
afterEach(() => {
  cleanup();
});
