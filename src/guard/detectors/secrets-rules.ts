/**
 * Provider token formats. Every pattern is ours, reviewed for linear behaviour (no nested quantifiers
 * over overlapping classes), so they run on the built-in RegExp engine; operator patterns go through
 * re2js instead (see policy.ts). Boundaries use look-arounds so a token glued inside a longer word does
 * not match. Sources: the providers' published formats, as also encoded by gitleaks and detect-secrets.
 */

export interface SecretRule {
  readonly type: string;
  readonly re: RegExp;
  readonly score: number;
  /** Capture group holding the secret value (0 = whole match). */
  readonly group?: number;
  /** Extra check on the value (structure, checksum-like properties). */
  readonly validate?: (value: string) => boolean;
  /**
   * `context` rules need the surrounding text (keywords, spaces, quotes) and scan the whole text;
   * the others match inside one token and scan only the token runs (see secrets.ts).
   */
  readonly context?: true;
}

import { checksum, KEY_BODY_LENGTH, KEY_CHECKSUM_LENGTH } from '../../formats/api-key.js';

const B = '(?<![A-Za-z0-9_-])';
const E = '(?![A-Za-z0-9_-])';
const r = (src: string, flags = 'g'): RegExp => new RegExp(src, flags);

function jsonPart(part: string): boolean {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}

/** A JWT's header and payload must decode to JSON objects. */
function validJwt(token: string): boolean {
  const [h, p] = token.split('.');
  return h !== undefined && p !== undefined && jsonPart(h) && jsonPart(p);
}

function validGatehouseKey(key: string): boolean {
  return checksum(key.slice(0, -KEY_CHECKSUM_LENGTH)) === key.slice(-KEY_CHECKSUM_LENGTH);
}

export const SECRET_RULES: readonly SecretRule[] = [
  // Cloud
  {
    type: 'AWS_ACCESS_KEY',
    re: r(`${B}(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}${E}`),
    score: 0.95,
  },
  {
    type: 'AWS_SECRET_KEY',
    re: r(`aws.{0,24}?(?:secret|private).{0,24}?['"=:\\s]([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])`, 'gi'),
    group: 1,
    score: 0.95,
    context: true,
  },
  { type: 'GCP_API_KEY', re: r(`${B}AIza[0-9A-Za-z_-]{35}${E}`), score: 0.95 },
  { type: 'GCP_OAUTH_TOKEN', re: r(`${B}ya29\\.[0-9A-Za-z_-]{30,}`), score: 0.9 },
  { type: 'GCP_CLIENT_SECRET', re: r(`${B}GOCSPX-[0-9A-Za-z_-]{28}${E}`), score: 0.95 },
  { type: 'GCP_SERVICE_ACCOUNT', re: r(`"type"\\s*:\\s*"service_account"`), score: 0.9, context: true },
  { type: 'AZURE_STORAGE_KEY', re: r(`AccountKey=([A-Za-z0-9+/]{86}==)`), group: 1, score: 0.95 },
  { type: 'AZURE_SAS', re: r(`[?&]sig=[A-Za-z0-9%]{43,}`), score: 0.85 },
  { type: 'AZURE_CLIENT_SECRET', re: r(`${B}[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}${E}`), score: 0.9 },
  { type: 'DIGITALOCEAN_TOKEN', re: r(`${B}do[por]_v1_[a-f0-9]{64}${E}`), score: 0.95 },
  {
    type: 'HEROKU_KEY',
    re: r(
      `heroku.{0,20}?[=:'"\\s]([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})`,
      'gi',
    ),
    group: 1,
    score: 0.85,
    context: true,
  },
  {
    type: 'IBM_COS_HMAC',
    re: r(`(?:secret[_-]?access[_-]?key).{0,10}?[=:'"\\s]([a-f0-9]{48})${E}`, 'gi'),
    group: 1,
    score: 0.9,
    context: true,
  },
  { type: 'ALIBABA_KEY', re: r(`${B}LTAI[A-Za-z0-9]{12,20}${E}`), score: 0.85 },
  { type: 'DATABRICKS_TOKEN', re: r(`${B}dapi[a-f0-9]{32}(?:-\\d)?${E}`), score: 0.9 },
  { type: 'VAULT_TOKEN', re: r(`${B}hv[sb]\\.[A-Za-z0-9_-]{24,}${E}`), score: 0.9 },
  // Source control and packages
  { type: 'GITHUB_TOKEN', re: r(`${B}(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}${E}`), score: 0.97 },
  { type: 'GITHUB_TOKEN', re: r(`${B}github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}${E}`), score: 0.97 },
  {
    type: 'GITLAB_TOKEN',
    re: r(`${B}(?:glpat|gldt|glft|glsoat|glrt)-[A-Za-z0-9_-]{20,50}(?![A-Za-z0-9_])`),
    score: 0.95,
  },
  { type: 'GITLAB_TOKEN', re: r(`${B}GR1348941[A-Za-z0-9_-]{20,50}(?![A-Za-z0-9_])`), score: 0.95 },
  {
    type: 'GITLAB_TOKEN',
    re: r(`${B}glcbt-(?:[0-9a-fA-F]{2}_)?[A-Za-z0-9_-]{20,50}(?![A-Za-z0-9_])`),
    score: 0.95,
  },
  { type: 'GITLAB_TOKEN', re: r(`${B}glimt-[A-Za-z0-9_-]{25}(?![A-Za-z0-9_])`), score: 0.95 },
  { type: 'GITLAB_TOKEN', re: r(`${B}glptt-[A-Za-z0-9_-]{40}(?![A-Za-z0-9_])`), score: 0.95 },
  { type: 'GITLAB_TOKEN', re: r(`${B}glagent-[A-Za-z0-9_-]{50,1024}(?![A-Za-z0-9_])`), score: 0.95 },
  { type: 'GITLAB_TOKEN', re: r(`${B}gloas-[A-Za-z0-9_-]{64}(?![A-Za-z0-9_])`), score: 0.95 },
  { type: 'BITBUCKET_TOKEN', re: r(`${B}ATBB[A-Za-z0-9_=.-]{28,}${E}`), score: 0.85 },
  { type: 'NPM_TOKEN', re: r(`${B}npm_[A-Za-z0-9]{36}${E}`), score: 0.95 },
  {
    type: 'NPM_TOKEN',
    re: r(`//[^/\\s:]+/:_authToken=\\s*(npm_[A-Za-z0-9]{8,}|[A-Fa-f0-9-]{36})`),
    group: 1,
    score: 0.9,
    context: true,
  },
  { type: 'PYPI_TOKEN', re: r(`${B}pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{70,}`), score: 0.95 },
  { type: 'PYPI_TOKEN', re: r(`${B}pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9_-]{70,}`), score: 0.95 },
  { type: 'RUBYGEMS_TOKEN', re: r(`${B}rubygems_[a-f0-9]{48}${E}`), score: 0.95 },
  {
    type: 'ARTIFACTORY_TOKEN',
    re: r(`(?:^|[\\s=:"'])(AKC[a-zA-Z0-9]{10,}|AP[0-9A-F][a-zA-Z0-9]{8,})(?![A-Za-z0-9])`, 'gm'),
    group: 1,
    score: 0.8,
  },
  // Chat, mail and payments
  { type: 'SLACK_TOKEN', re: r(`${B}xox[abposr]-(?:\\d+-)?[0-9A-Za-z-]{10,}`), score: 0.95 },
  { type: 'SLACK_TOKEN', re: r(`${B}xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+`), score: 0.95 },
  {
    type: 'SLACK_WEBHOOK',
    re: r(`https://hooks\\.slack\\.com/(?:services|workflows)/[A-Za-z0-9+/]{20,}`),
    score: 0.9,
  },
  {
    type: 'DISCORD_TOKEN',
    re: r(`${B}[MNOA][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27}(?:[A-Za-z0-9_-]{11})?${E}`),
    score: 0.9,
  },
  {
    type: 'DISCORD_WEBHOOK',
    re: r(`https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/\\d+/[A-Za-z0-9_-]{60,}`),
    score: 0.9,
  },
  { type: 'TELEGRAM_BOT_TOKEN', re: r(`(?<![A-Za-z0-9_:])\\d{8,10}:AA[0-9A-Za-z_-]{32,33}${E}`), score: 0.9 },
  { type: 'TWILIO_SID', re: r(`${B}(?:AC|SK)[a-z0-9]{32}${E}`), score: 0.8 },
  { type: 'SENDGRID_KEY', re: r(`${B}SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}${E}`), score: 0.95 },
  { type: 'MAILCHIMP_KEY', re: r(`${B}[0-9a-z]{32}-us[0-9]{1,2}${E}`), score: 0.9 },
  { type: 'MAILGUN_KEY', re: r(`${B}key-[0-9a-f]{32}${E}`), score: 0.85 },
  { type: 'STRIPE_KEY', re: r(`${B}(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{24,99}${E}`), score: 0.95 },
  { type: 'STRIPE_WEBHOOK_SECRET', re: r(`${B}whsec_[A-Za-z0-9]{32,}${E}`), score: 0.9 },
  { type: 'SQUARE_TOKEN', re: r(`${B}(?:sq0atp|sq0csp)-[0-9A-Za-z_-]{22,43}${E}`), score: 0.95 },
  { type: 'SHOPIFY_TOKEN', re: r(`${B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${E}`), score: 0.95 },
  {
    type: 'PAYPAL_BRAINTREE_TOKEN',
    re: r(`access_token\\$production\\$[0-9a-z]{16}\\$[0-9a-f]{32}`),
    score: 0.95,
  },
  // AI providers and developer platforms
  {
    type: 'OPENAI_KEY',
    re: r(`${B}sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20,74}${E}`),
    score: 0.97,
  },
  { type: 'OPENAI_KEY', re: r(`${B}sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{100,200}${E}`), score: 0.9 },
  {
    type: 'ANTHROPIC_KEY',
    re: r(`${B}sk-ant-(?:api|admin|sid)\\d{2}-[A-Za-z0-9_-]{80,120}${E}`),
    score: 0.97,
  },
  { type: 'HUGGINGFACE_TOKEN', re: r(`${B}hf_[A-Za-z]{34}${E}`), score: 0.9 },
  { type: 'GROQ_KEY', re: r(`${B}gsk_[A-Za-z0-9]{52}${E}`), score: 0.95 },
  { type: 'REPLICATE_TOKEN', re: r(`${B}r8_[A-Za-z0-9]{37}${E}`), score: 0.9 },
  { type: 'XAI_KEY', re: r(`${B}xai-[A-Za-z0-9]{80}${E}`), score: 0.9 },
  { type: 'PERPLEXITY_KEY', re: r(`${B}pplx-[A-Za-z0-9]{48}${E}`), score: 0.9 },
  { type: 'POSTMAN_KEY', re: r(`${B}PMAK-[a-f0-9]{24}-[a-f0-9]{34}${E}`), score: 0.95 },
  { type: 'LINEAR_KEY', re: r(`${B}lin_api_[A-Za-z0-9]{40}${E}`), score: 0.95 },
  {
    type: 'NOTION_TOKEN',
    re: r(`${B}(?:secret_[A-Za-z0-9]{43}|ntn_[0-9]{11}[A-Za-z0-9]{35})${E}`),
    score: 0.85,
  },
  {
    type: 'GRAFANA_TOKEN',
    re: r(`${B}(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})`),
    score: 0.9,
  },
  { type: 'SENTRY_TOKEN', re: r(`${B}sntr[ysu]_[A-Za-z0-9+/=_-]{40,}`), score: 0.9 },
  { type: 'NEWRELIC_KEY', re: r(`${B}NRAK-[A-Z0-9]{27}${E}`), score: 0.95 },
  {
    type: 'DOPPLER_TOKEN',
    re: r(`${B}dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}${E}`),
    score: 0.95,
  },
  { type: 'PULUMI_TOKEN', re: r(`${B}pul-[a-f0-9]{40}${E}`), score: 0.95 },
  { type: 'ATLASSIAN_TOKEN', re: r(`${B}ATATT3[A-Za-z0-9_=-]{150,300}${E}`), score: 0.95 },
  {
    type: 'TERRAFORM_TOKEN',
    re: r(`${B}[a-zA-Z0-9]{14}\\.atlasv1\\.[a-zA-Z0-9_=-]{60,70}${E}`),
    score: 0.95,
  },
  // Gatehouse's own consumer keys: `ghk_` + 48 base62 with a CRC32 checksum (src/formats/api-key.ts).
  {
    type: 'GATEHOUSE_KEY',
    re: r(`${B}ghk_[0-9A-Za-z]{${KEY_BODY_LENGTH}}${E}`),
    score: 0.99,
    validate: validGatehouseKey,
  },
  // Structural secrets
  {
    type: 'PRIVATE_KEY',
    re: r(`-----BEGIN[A-Z ]{0,30} PRIVATE KEY(?: BLOCK)?-----`),
    score: 0.99,
    context: true,
  },
  { type: 'PUTTY_PRIVATE_KEY', re: r(`PuTTY-User-Key-File-\\d+:`), score: 0.95, context: true },
  {
    type: 'JWT',
    re: r(`${B}eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}(?:\\.[A-Za-z0-9_-]*)?`),
    score: 0.85,
    validate: validJwt,
  },
  {
    type: 'CONNECTION_STRING',
    re: r(
      `(?:postgres(?:ql)?|mysql|mongodb(?:\\+srv)?|redis|rediss|amqps?|mssql|sqlserver)://[^\\s:@/]+:([^\\s@/]{3,})@`,
      'gi',
    ),
    group: 1,
    score: 0.9,
    context: true,
  },
  {
    type: 'BASIC_AUTH_URL',
    re: r(`://[^\\s:/?#\\[\\]@!$&'()*+,;={}]+:([^\\s:/?#\\[\\]@!$&'()*+,;={}]+)@`),
    group: 1,
    score: 0.85,
    context: true,
  },
];
