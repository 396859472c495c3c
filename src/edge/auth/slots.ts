import type { AuthMethod } from '../../identity.js';
import { defineService, defineSlot } from '../../pipeline/slot.js';
import type { AuthService } from './service.js';

/** The authenticator, sessions and downstream signer; built by the auth feature's service. */
export const AUTH = defineService<AuthService>('auth');

/**
 * How the caller first proved itself (a session token's root credential), set by `authenticate`;
 * the tier rules (`authorize`, `/v1/models`) and the session endpoint read it.
 */
export const AUTH_ROOT_METHOD = defineSlot<AuthMethod>('auth.rootMethod');
