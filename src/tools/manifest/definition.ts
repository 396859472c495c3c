import { hashOf } from '../canonical.js';
import type { UpstreamTool } from '../upstream/connection.js';

/**
 * The hash a pin holds: every field of the tool as the upstream lists it (name, title, description,
 * input and output schemas, annotations, execution), except `_meta`, which servers fill with
 * volatile data. A changed description is a changed tool (tool poisoning arrives that way).
 */
export function definitionHash(tool: UpstreamTool): string {
  const { _meta: _ignored, ...rest } = tool;
  return hashOf(rest);
}
