import { z } from 'zod';

/**
 * A secret is given inline (only when the user chooses to), or named: `{ env: VAR }` reads an
 * environment variable, `{ file: PATH }` reads a file (a mounted Kubernetes Secret).
 */
export const secretSchema = z.union([
  z.string(),
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof secretSchema>;
