import type { ErrorDef } from '../types.js';

export const guardErrors = {} as const satisfies Record<string, ErrorDef>;
