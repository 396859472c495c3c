import { defineService } from '../pipeline/slot.js';
import type { TelemetryService } from './service.js';

/** Logger sinks, audit events, alerts; built by the telemetry feature's service. */
export const TELEMETRY = defineService<TelemetryService>('telemetry');
