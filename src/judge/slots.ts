import { defineService } from '../pipeline/slot.js';
import type { JudgeService } from './service.js';

/** The Judge: hand-off, workers, review queue, calibration and health; set only when `judge.enabled`. */
export const JUDGE = defineService<JudgeService>('judge');
