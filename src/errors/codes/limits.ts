import type { ErrorDef } from '../types.js';

export const limitsErrors = {} as const satisfies Record<string, ErrorDef>;
