import { createMemoryBackend } from '../../../src/edge/limits/memory-backend.js';
import { backendSuite } from './backend-suite.js';

backendSuite('memory', () => createMemoryBackend(() => 0));
