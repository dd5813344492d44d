export { type RunningServer, type Route, serveRoutes } from './http.ts';
export { type LocalSigstore, type LocalSigstoreOptions, startLocalSigstore } from './local-sigstore.ts';
