import { concatBytes, utf8 } from './bytes.ts';

/** DSSE v1 Pre-Authentication Encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8(payloadType);
  return concatBytes([utf8(`DSSEv1 ${type.byteLength} `), type, utf8(` ${payload.byteLength} `), payload]);
}

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
