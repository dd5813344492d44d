/** bounds of the HDF5 walk; past any of them the file fails (HDF5_LIMIT) */
export const HDF5_LIMITS = Object.freeze({
  objects: 100_000,
  messagesPerObject: 10_000,
  attributes: 100_000,
  attributeBytes: 64 << 20,
  btreeDepth: 32,
});
