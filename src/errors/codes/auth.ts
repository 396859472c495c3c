import type { ErrorDef } from '../types.js';

export const authErrors = {} as const satisfies Record<string, ErrorDef>;
