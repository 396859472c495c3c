import type { LintRule } from '../config/lint-finding.js';
import { lintWarning } from '../config/lint-finding.js';

/** Host and path of a URL without a trailing slash, lower-cased: how two deployments compare. */
const deploymentOf = (url: string): string => {
  const u = new URL(url);
  return `${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase();
};

/**
 * The Judge must be a different model from the ones it judges (seed: "a Judge model equal to the
 * task model" shares its blind spots): lint refuses a Judge whose model id equals a judged route's
 * pinned model, or that is that route's very deployment (same URL and model). Rubrics naming an
 * unknown route are refused too; `redaction: none` is a warning.
 */
export const judgeLint: LintRule = (cfg) => {
  const j = cfg.judge;
  const out = [];
  if (!j.enabled || j.endpoint === undefined) return [];
  const judgeModel = j.endpoint.model.toLowerCase();
  const judgeAt = deploymentOf(j.endpoint.url);
  const aliases = new Set(cfg.routes.map((r) => r.alias));
  const judged = new Set<string>();
  for (const r of j.rubrics ?? []) for (const a of r.routes ?? [...aliases]) judged.add(a);
  if (j.rubrics === undefined) for (const a of aliases) judged.add(a);
  for (const r of cfg.routes) {
    if (!judged.has(r.alias)) continue;
    if (r.upstream.model.toLowerCase() === judgeModel)
      out.push(
        `judge.endpoint.model "${j.endpoint.model}" is the model of route "${r.alias}" it judges (${
          deploymentOf(r.upstream.url) === judgeAt ? 'the same deployment' : 'the same model'
        }): the Judge must be a different model`,
      );
  }
  for (const r of j.rubrics ?? [])
    for (const a of r.routes ?? [])
      if (!aliases.has(a)) out.push(`judge.rubrics "${r.name}": unknown route "${a}"`);
  for (const a of Object.keys(j.sampling.routes))
    if (!aliases.has(a)) out.push(`judge.sampling.routes: unknown route "${a}"`);
  const names = new Set<string>();
  for (const r of j.rubrics ?? []) {
    if (names.has(r.name)) out.push(`judge.rubrics: duplicate name "${r.name}"`);
    names.add(r.name);
  }
  if (j.redaction === 'none')
    out.push(lintWarning('judge.redaction is none: prompts and answers reach the Judge queue unredacted'));
  return out;
};
