/**
 * Old path of src/boot/gateway.ts, kept only for bench/adversarial.ts, which another branch edits
 * this round. Delete this file once that bench imports src/boot/gateway.js.
 */
export * from './boot/gateway.js';
