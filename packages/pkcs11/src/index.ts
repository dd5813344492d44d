// The token itself (native binding, fs) is @modelseal/pkcs11/token: this entry stays pure.

export { ecPublicKey, p1363ToDer, rsaPublicKey } from './public-key.ts';
export {
  describePkcs11Uri,
  isPkcs11Uri,
  MAX_URI_LENGTH,
  type PinSpec,
  type Pkcs11ObjectType,
  type Pkcs11Uri,
  parsePkcs11KeyUri,
  parsePkcs11Uri,
} from './uri.ts';
