export { RedactionError, RedactorConfigError } from './errors.js';
export type { JsonRefusal, RedactJsonOptions } from './json.js';
export { DEFAULT_MAX_JSON_DEPTH } from './json.js';
export type {
  ByteRedactionStream,
  RedactedJson,
  RedactedText,
  RedactionCounts,
  RedactionStream,
  Redactor,
  RedactorOptions,
  Secret,
  StreamEndOptions,
  StreamOptions,
  StreamResult,
  UnredactableSecret,
} from './redactor.js';
export { createRedactor } from './redactor.js';
export type {
  PercentStyle,
  UnprintableRanges,
  UnprintableTest,
  Variant,
  VariantFamily,
  VariantOptions,
} from './variants.js';
export {
  base64Fragment,
  DEFAULT_MIN_LENGTH,
  hexEncode,
  jsonEscape,
  MAX_VARIANT_BYTES_PER_UNIT,
  nodeUnprintable,
  numericForms,
  PERCENT_STYLES,
  PYTHON_REPR_CUT,
  PYTHON_UNPRINTABLE_PROBE,
  parseUnprintableRanges,
  percentEncode,
  pythonFloatRepr,
  pythonReprBytes,
  pythonReprCuts,
  pythonReprStr,
  unprintableTest,
  variantLengthBound,
  variantsOf,
} from './variants.js';
