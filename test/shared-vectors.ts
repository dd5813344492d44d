import { fileURLToPath } from 'node:url';

/**
 * `../shared/vectors` beside the repository: real data other projects produced (see each
 * SOURCE/README there). Found from this file, so a clone anywhere works.
 */
export const SHARED_VECTORS = fileURLToPath(new URL('../../shared/vectors', import.meta.url));
