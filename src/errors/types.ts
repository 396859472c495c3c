/** OpenAI error `type` values that official SDKs recognise. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'service_unavailable';

export interface ErrorDef {
  readonly status: number;
  readonly type: ErrorType;
  /** Client-safe message. Never interpolate secrets or internal details into it. */
  readonly message: string;
}
