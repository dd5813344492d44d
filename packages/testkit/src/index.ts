export { type Route, type RunningServer, serveRoutes } from './http.ts';
export { type LocalSigstore, type LocalSigstoreOptions, startLocalSigstore } from './local-sigstore.ts';
