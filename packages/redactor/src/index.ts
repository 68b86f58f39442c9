export { RedactionError, RedactorConfigError } from './errors.js';
export type { JsonValue, RedactJsonOptions } from './json.js';
export type {
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
export type { PercentStyle, Variant, VariantFamily, VariantOptions } from './variants.js';
export {
  base64Fragment,
  DEFAULT_MIN_LENGTH,
  hexEncode,
  jsonEscape,
  PERCENT_STYLES,
  percentEncode,
  pythonReprBytes,
  pythonReprStr,
  variantsOf,
} from './variants.js';
