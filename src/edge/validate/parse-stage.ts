import { GatehouseError } from '../../errors/gatehouse-error.js';
import { messagesToChat } from '../../formats/anthropic-wire.js';
import { MESSAGES_MAP } from '../../formats/fields/map-messages.js';
import { mapsFor, type RouteMaps } from '../../formats/fields/maps.js';
import { rawBodyOf } from '../../formats/json-splice.js';
import type { ModelEndpoint } from '../../formats/provider.js';
import { mayUseAlias } from '../../identity.js';
import { INGRESS_WIRE } from '../../pipeline/ingress.js';
import type { StageDef } from '../../pipeline/registry.js';
import { REQUEST_BYTES } from '../../pipeline/request-bytes.js';
import { type BodyValidator, compileMapValidator, compileValidators } from './compile.js';
import { parseJsonBody, parseRequestBody } from './json.js';
import { readBody } from './read-body.js';

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const SESSION_BODY_BYTES = 16 * 1024;

/**
 * Reads and checks the body, resolves the alias to its route, then validates the body against the
 * route's field map (strict: unknown fields refused unless the route allows them). Unknown aliases and
 * aliases the identity may not use get the same 404, so the answer does not reveal which aliases exist.
 */
export const parseStage: StageDef = {
  name: 'validate.parse',
  phase: 'validate',
  scope: 'edge',
  create: (rt) => {
    // One validator set per distinct field-map view, compiled at boot.
    const compiled = new Map<RouteMaps, Readonly<Record<ModelEndpoint, BodyValidator>>>();
    const validatorsOf = (maps: RouteMaps) => {
      let v = compiled.get(maps);
      if (v === undefined) compiled.set(maps, (v = compileValidators(maps)));
      return v;
    };
    const strict = validatorsOf(mapsFor());
    const byAlias = new Map<string, Readonly<Record<ModelEndpoint, BodyValidator>>>();
    for (const [alias, route] of rt.routes)
      byAlias.set(alias, validatorsOf(mapsFor(route.config.allowFields)));
    const { maxBodyBytes, maxJsonDepth, bodyTimeoutMs } = rt.config.server;
    // The Anthropic ingress: its own map (strict; a route's allowFields opt-ins apply to both).
    const messagesStrict = compileMapValidator(MESSAGES_MAP);
    const messagesByAlias = new Map<string, BodyValidator>();
    for (const [alias, route] of rt.routes)
      messagesByAlias.set(alias, compileMapValidator(MESSAGES_MAP, route.config.allowFields));
    return async (ctx) => {
      if (ctx.endpoint === 'models') return;
      const type = ctx.req.headers['content-type'];
      if (type === undefined || !JSON_TYPE.test(type))
        throw new GatehouseError('GH_ERR_UNSUPPORTED_MEDIA_TYPE');
      if (ctx.endpoint === 'sessions' || ctx.endpoint === 'tools') {
        // Gateway-answered endpoints, validated by their own handler (the MCP SDK for /mcp).
        const cap = ctx.endpoint === 'sessions' ? SESSION_BODY_BYTES : maxBodyBytes;
        ctx.body = parseJsonBody(await readBody(ctx.req, cap, bodyTimeoutMs), maxJsonDepth);
        return;
      }
      const endpoint: ModelEndpoint = ctx.endpoint;
      const buf = await readBody(ctx.req, maxBodyBytes, bodyTimeoutMs);
      const anthropic = INGRESS_WIRE.get(ctx) === 'anthropic';
      // The OpenAI wire format reaches the upstream as it came: its nested values are frozen and its
      // text kept, so that the upstream call can reuse what no stage changed.
      const parsed = anthropic ? null : parseRequestBody(buf, maxJsonDepth);
      let body = parsed?.body ?? parseJsonBody(buf, maxJsonDepth);
      if (anthropic) {
        // Every Messages field is checked against its map, then the request becomes a chat request
        // that the chat validator checks again below: nothing reaches the model unvalidated.
        const check = typeof body.model === 'string' ? messagesByAlias.get(body.model) : undefined;
        (check ?? messagesStrict)(body);
        body = messagesToChat(body);
      }
      // A body without a usable alias gets the strict validator's answer (it names what is wrong).
      if (typeof body.model !== 'string') strict[endpoint](body);
      const alias = body.model as string;
      ctx.alias = alias;
      const route = rt.routes.get(alias);
      if (route === undefined || (ctx.identity !== null && !mayUseAlias(ctx.identity, alias))) {
        throw new GatehouseError('GH_ERR_UNKNOWN_MODEL', {
          message: `The model '${alias.slice(0, 128)}' does not exist or you do not have access to it.`,
        });
      }
      if (!route.endpoints.has(endpoint)) throw new GatehouseError('GH_ERR_ENDPOINT_NOT_SUPPORTED');
      (byAlias.get(alias) ?? strict)[endpoint](body);
      const cap = route.config.caps.maxBodyBytes;
      if (cap !== undefined && buf.length > cap) throw new GatehouseError('GH_ERR_BODY_TOO_LARGE');
      ctx.body = body;
      ctx.route = route;
      const raw = parsed === null ? null : rawBodyOf(buf, parsed.text, body, parsed.keys);
      if (raw !== null) REQUEST_BYTES.set(ctx, raw);
    };
  },
};
