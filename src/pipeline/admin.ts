import type { AdminRole } from '../formats/admin-roles.js';
import type { Runtime } from './runtime.js';

export { ADMIN_ROLES, type AdminRole, roleAllows } from '../formats/admin-roles.js';

/**
 * The control plane's contract with features (issue 15). A feature that has operator actions
 * exports `adminRoutes` on its `Feature`; the admin listener (src/admin/, its own port) mounts every
 * feature's routes, authenticates the operator, checks the declared role, applies the two-person
 * rule to the declared action kinds and writes one audit event per mutating call. Handlers do the
 * action only: they never check roles, parse credentials or write the operator audit themselves.
 */

/** Who is acting, as the admin listener authenticated them (OIDC subject or mTLS certificate). */
export interface Operator {
  readonly id: string;
  readonly roles: readonly AdminRole[];
  /** 'oidc' | 'mtls' | 'key': how they proved it, for the audit event. */
  readonly via: string;
}

export interface AdminRequest {
  /** `:name` segments of the route's path, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body (mutations), already size-capped; validate it with the route's `body` schema. */
  readonly body: unknown;
  readonly operator: Operator;
  /** Required on every mutating call (the listener refuses one without it). */
  readonly reason: string;
  readonly requestId: string;
}

/** What a mutating handler changed, for the operator audit event (secrets masked by the listener). */
export interface AdminChange {
  /** What was acted on, e.g. `consumer:acme` or `route:chat`. */
  readonly target: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface AdminResult {
  /** 200 unless given (201 created, 202 accepted). Errors are thrown as GatehouseError. */
  readonly status?: number;
  readonly body: unknown;
  /** Mutating handlers report what they changed; the listener audits it. */
  readonly change?: AdminChange;
}

export type AdminHandler = (req: AdminRequest) => Promise<AdminResult>;

export interface AdminRouteDef {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under `/admin/v1`, with `:name` parameters, e.g. `/consumers/:id/quota`. */
  readonly path: string;
  /** The lowest role allowed; every route declares one (a test fails on a route without it). */
  readonly role: AdminRole;
  /**
   * The action kind of a mutating route (e.g. `quota.set`, `killswitch.release`): named in the
   * audit event and in `admin.twoPerson` (actions listed there are proposed, then applied when a
   * different approver approves). Absent on reads.
   */
  readonly action?: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /** JSON Schema of the body (mutations) for the OpenAPI document and validation. */
  readonly body?: object;
  /** Compiles what it needs once, at boot. */
  readonly create: (rt: Runtime) => AdminHandler;
  /**
   * Optional: what the change would do, without doing it (before/after), shown with a two-person
   * proposal and in a dry run. Without it a proposal shows the request body as the "after".
   */
  readonly preview?: (rt: Runtime) => (req: AdminRequest) => Promise<AdminChange>;
  /**
   * Optional: the risk tier of the target (e.g. the route's tier), so that `admin.twoPerson`
   * entries written `action@tier3` apply only to tier 3 targets.
   */
  readonly tierOf?: (rt: Runtime, req: AdminRequest) => 1 | 2 | 3 | null;
}

/** A column of a console table, or a line of a page's summary: `key` is a dotted path in the row. */
export interface AdminPageColumn {
  readonly key: string;
  readonly label: string;
}

/** A value an action asks the operator for (besides the reason, which every action asks for). */
export interface AdminPageField {
  /** The body field it fills (a `number` field is sent as a number; an empty optional one is left out). */
  readonly name: string;
  readonly label: string;
  readonly type: 'text' | 'number' | 'select';
  readonly options?: readonly string[];
  readonly required?: boolean;
}

/**
 * A button (with its small form) that calls a mutating admin route. The console sends it with the
 * session's CSRF token and the reason the operator typed; the admin listener checks the role,
 * reason and two-person rule as for any caller (a proposal is shown as such).
 */
export interface AdminPageAction {
  readonly label: string;
  /** The lowest role that sees the button (the API checks again). */
  readonly role: AdminRole;
  readonly method: 'POST' | 'PUT' | 'DELETE';
  /** Under `/admin/v1`; each `:name` is filled from the row's field `name`, else the page's selection. */
  readonly path: string;
  /** `row`: one per table row; `page`: one for the page (acting on its selection). */
  readonly scope: 'row' | 'page';
  /** Shown only for rows whose field `key` holds one of these values. */
  readonly when?: { readonly key: string; readonly in: readonly (string | number | boolean | null)[] };
  readonly fields?: readonly AdminPageField[];
}

/**
 * A console page a feature adds (the admin listener lists them for the console's navigation). A
 * `table` page renders the array at `items` (a dotted path; default the `items` field, or the body
 * itself when it is an array) of what the GET route `source` answers, with the given columns, an
 * optional summary of the answer above it, and the actions operators may take. No feature ships
 * browser code: the console renders every page from this description.
 */
export interface AdminPageDef {
  readonly id: string;
  readonly title: string;
  /** The lowest role that sees the page (the API still checks each call). */
  readonly role: AdminRole;
  readonly kind: 'table';
  /** Path under `/admin/v1` of a GET route; a `:param` is the page's selection (`select`). */
  readonly source: string;
  readonly items?: string;
  readonly columns: readonly AdminPageColumn[];
  /** Fields of the whole answer shown above the table (e.g. a state the rows belong to). */
  readonly summary?: readonly AdminPageColumn[];
  /**
   * A chooser for the `:param` of `source` (and of page actions): its values are computed from the
   * runtime each time the console lists its pages (e.g. the routes that have a canary).
   */
  readonly select?: {
    readonly param: string;
    readonly label: string;
    readonly values: (rt: Runtime) => readonly string[];
  };
  readonly actions?: readonly AdminPageAction[];
  /** Whether this runtime has what the page shows (e.g. the Judge is on); listed when absent. */
  readonly shown?: (rt: Runtime) => boolean;
}

/**
 * One operator audit event (every mutating or denied admin call), as the admin listener hands it
 * to telemetry, which writes it to the same audit sinks as the data plane (`admin.action`).
 * `before`/`after` arrive with secrets already masked.
 */
export interface OperatorAuditRecord {
  readonly requestId: string;
  readonly operator: string | null;
  readonly via: string | null;
  readonly roles: readonly AdminRole[];
  readonly requiredRole: AdminRole | null;
  readonly action: string | null;
  readonly method: string;
  readonly path: string;
  readonly target: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly reason: string | null;
  /** `applied`, `proposed`, `approved`, `rejected`, `denied`, `failed`. */
  readonly outcome: string;
  readonly errorCode?: string;
  readonly proposal?: { readonly id: string; readonly state: string; readonly proposer?: string };
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
}
