import { z } from 'zod';

/** Credential names: what scripts use as `settings[NAME]`. Case-sensitive. */
export const CREDENTIAL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const CREDENTIAL_NAME_MAX = 128;

export const credentialNameSchema = z
  .string()
  .min(1, 'Credential name must not be empty')
  .max(CREDENTIAL_NAME_MAX, `Credential name must be at most ${CREDENTIAL_NAME_MAX} characters`)
  .regex(CREDENTIAL_NAME, 'Credential name must match ^[A-Za-z_][A-Za-z0-9_]*$');

export const descriptionSchema = z
  .string()
  .max(2000, 'Description must be at most 2000 characters');
