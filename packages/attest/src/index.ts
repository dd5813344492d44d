export type { ResourceDescriptor, Statement } from './statement.ts';
// buildStatement / parseStatement / omsStatement(manifest) / manifestFromOmsStatement(statement)
