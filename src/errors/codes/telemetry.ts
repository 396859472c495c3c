import type { ErrorDef } from '../types.js';

export const telemetryErrors = {} as const satisfies Record<string, ErrorDef>;
