export { frontMatterOf, type ModelCardSources, modelCardFrom } from './card.ts';
export {
  type CdxComponent,
  type CdxProperty,
  CYCLONEDX_PREDICATE_TYPE,
  CYCLONEDX_SPEC_VERSION,
  type CycloneDxBom,
} from './cdx-types.ts';
export { modelBom } from './cyclonedx.ts';
export { detectFormat, FORMAT_HEAD_BYTES } from './formats.ts';
export { type InventoryBomInput, type InventoryWorkload, inventoryBom } from './inventory.ts';
export { modelRef } from './model.ts';
export { buildFromProvenance } from './provenance.ts';
export { isScanPredicate, SCAN_RESULT_V1, SVR_PREDICATE_TYPES, scanVerdictsFrom } from './scan.ts';
export type {
  BomAttestation,
  BomBuild,
  BomDependency,
  DependencyRole,
  FileFormat,
  ModelBomInput,
  ModelCardFields,
  PolicyVerdict,
  ScanVerdict,
} from './types.ts';
