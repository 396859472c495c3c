/** Role-play jailbreak signatures (see injection-signatures.ts). */
import { type Signature, s } from './injection-signature-kit.js';

export const ROLEPLAY_SIGNATURES: readonly Signature[] = [
  // Role-play jailbreaks
  s(
    'not-bound-by-policy',
    'roleplay_jailbreak',
    0.85,
    `\\b(?:not|never|isn'?t)\\s+(?:be\\s+)?(?:bound|restricted|limited|constrained|subject|controlled)\\s+(?:by|to)\\s+(?:any\\s+(?:of\\s+)?)?(?:the\\s+|their\\s+|its\\s+)?(?:openai|chatgpt|ethical|moral|content|rules|restrictions|guidelines|polic|filters|safety)`,
    'a persona "not bound by OpenAI / ethical rules" (DAN family, Shen et al. 2023)',
  ),
  s(
    'has-no-content-policy',
    'roleplay_jailbreak',
    0.85,
    `\\b(?:doesn'?t|does\\s+not|don'?t|do\\s+not|not)\\s+(?:have|follow|need)\\s+(?:any\\s+|a\\s+)?(?:content\\s+(?:policy|policies|filters?)|ethical\\s+(?:guidelines|restrictions)|moral\\s+(?:guidelines|compass))`,
    'a persona that "does not have a content policy / ethical guidelines" (DAN family)',
  ),
  s(
    'no-rules-or-limits',
    'roleplay_jailbreak',
    0.8,
    `\\bwith\\s+no\\s+(?:rules|restrictions|limits|limitations|filters|guidelines)\\s+or\\s+(?:rules|restrictions|limits|limitations|filters|guidelines)\\b`,
    '"with no rules or restrictions" persona description (DAN family)',
  ),
  s(
    'acronym-persona',
    'roleplay_jailbreak',
    0.8,
    `\\byou\\s+are\\s+\\w+\\s*,?\\s+(?:which|who)\\s+stands\\s+for\\b`,
    '"You are X, which stands for ...": acronym personas (DAN, STAN, DUDE; Shen et al. 2023)',
  ),
  s(
    'opposite-of-assistant',
    'roleplay_jailbreak',
    0.75,
    `\\bopposite\\s+(?:of|from)\\s+(?:openai|chatgpt|your\\s+(?:system|instructions|rules|guidelines))`,
    '"the opposite of ChatGPT / your rules": anti-persona (AntiGPT family)',
  ),
  s(
    'answer-two-ways',
    'roleplay_jailbreak',
    0.75,
    `\\b(?:two|2)\\s+(?:different\\s+|separate\\s+)?ways\\b[^\\n]{0,120}\\b(?:normally|always|without|even\\s+if|no\\s+matter|no\\s+filters?)`,
    '"answer in two ways ... one without filters": dual-response jailbreak (Shen et al. 2023)',
  ),
  s(
    'do-anything-now',
    'roleplay_jailbreak',
    0.95,
    `\\bdo\\s+anything\\s+now\\b`,
    'the "Do Anything Now" slogan (DAN, Shen et al. 2023)',
  ),
  s(
    'another-ai-called',
    'roleplay_jailbreak',
    0.75,
    `\\b(?:another|a\\s+different|a\\s+new)\\s+ai\\s+(?:model\\s+)?(?:known\\s+as|called|named)\\b`,
    '"another AI model known as ...": persona switch (DAN/DUDE family)',
  ),
  s(
    'immerse-in-role',
    'roleplay_jailbreak',
    0.7,
    `\\b(?:fully\\s+)?immerse\\s+(?:yourself\\s+)?(?:in|into)\\s+(?:the\\s+)?(?:role|character|persona)\\s+of\\b|\\bimmerse\\s+(?:yourself\\s+)?(?:fully\\s+)?into\\s+\\w+\\s+character\\b`,
    '"immerse yourself in the role of": persona opener (role-play jailbreaks)',
  ),
  s(
    'never-break-character',
    'roleplay_jailbreak',
    0.8,
    `\\b(?:do\\s+not|don'?t|never|without)\\s+(?:ever\\s+)?break(?:ing)?\\s+character\\b`,
    '"never break character": persona lock (role-play jailbreaks)',
  ),
  s(
    'who-has-no-filters',
    'roleplay_jailbreak',
    0.7,
    `\\b(?:who|which|that)\\s+(?:has|have)\\s+no\\s+(?:filters?|censorship|restrictions|guidelines|content\\s+polic(?:y|ies))\\b`,
    'a persona "who has no filters / censorship"',
  ),
  // "Developer mode" with what it is for in a jailbreak, across sentences.
  s(
    'developer-mode-no-refusals',
    'roleplay_jailbreak',
    0.8,
    `\\b(?:developer|dev|god|jailbreak)\\s+mode\\b[^\\n]{0,120}\\b(?:any\\s+content|without\\s+(?:any\\s+)?(?:refus|restrict|filter|censor)|no\\s+(?:restrictions|filters|limits|refusals)|never\\s+refuses?)`,
    '"Developer Mode ... without refusals" (Developer Mode jailbreak, Shen et al. 2023)',
  ),
  // A persona that must persist against the model's own judgement.
  s(
    'persona-persists',
    'roleplay_jailbreak',
    0.75,
    `\\b(?:always|only)\\s+(?:respond|reply|answer|speak|stay)\\s+(?:as|in)\\s+(?:the\\s+)?(?:character|persona|\\w+)\\b[^.\\n]{0,40}\\b(?:despite|regardless\\s+of|no\\s+matter|even\\s+if)\\b`,
    '"always answer as X regardless of ...": persona persistence against the model\'s judgement',
  ),
  s(
    'ignores-all-rules',
    'roleplay_jailbreak',
    0.8,
    `\\bignores?\\s+(?:any\\s+and\\s+all|all|any|every)\\s+(?:\\w+\\s+)?(?:restrictions|rules|guidelines|filters|policies|limitations|safeguards)\\b`,
    'a persona that "ignores all restrictions / guidelines"',
  ),
  // A renamed "...GPT" persona ("you are DarkGPT", "act as JeffGPT"); ChatGPT itself is the
  // standard system prompt, not a takeover.
  s(
    'renamed-gpt-persona',
    'roleplay_jailbreak',
    0.75,
    `\\b(?:you\\s+are|you'?re|act\\s+as|become|transform\\s+into)\\s+(?:now\\s+)?(?:called\\s+|named\\s+)?["'\\[]?(?!chatgpt\\b)[a-z]+-?gpt\\b|\\byour\\s+name\\s+is\\s+now\\b`,
    'a renamed "...GPT" persona (BetterDAN/AntiGPT/DarkGPT naming)',
  ),
  s(
    'named-jailbreak-mode',
    'roleplay_jailbreak',
    0.9,
    `\\b(?:jailbreak|jailbroken|unrestricted|unfiltered|uncensored|evil|chaos|dan)\\s+mode\\b`,
    '"jailbreak / unfiltered / DAN mode": named modes',
  ),
  s(
    'you-are-named-jailbreak',
    'roleplay_jailbreak',
    0.9,
    `\\byou\\s+are\\s+(?:now\\s+)?(?:dan|stan|dude|aim|kevin|apophis|an?\\s+(?:unfiltered|uncensored|unrestricted|amoral|unethical)\\b)`,
    '"You are DAN / STAN / AIM" or "an unfiltered ...": named jailbreak identities',
  ),
  s(
    'freed-from-confines',
    'roleplay_jailbreak',
    0.9,
    `\\b(?:free|freed|liberated|released)\\s+(?:from|of)\\s+(?:the\\s+)?(?:typical\\s+|usual\\s+)?(?:confines|restrictions|limitations|limits|rules|shackles|constraints)\\b`,
    '"freed from the typical confines": release from restrictions (DAN text, Shen et al. 2023)',
  ),
  s(
    'does-not-care-ethics',
    'roleplay_jailbreak',
    0.8,
    `\\b(?:doesn'?t|does\\s+not|don'?t|do\\s+not|never)\\s+(?:care|give\\s+a)\\b[^.\\n]{0,30}\\b(?:ethic|moral|legal|rules|guidelines|polic|consequences)`,
    'a persona that "does not care about ethics / consequences" (AIM family)',
  ),
  s(
    'stay-in-character',
    'roleplay_jailbreak',
    0.8,
    `\\b(?:stay|stays|remain|keep)\\s+in\\s+(?:character|(?:their|your|his|her)\\s+roles?)\\b|\\bwithout\\s+(?:ever\\s+|even\\s+)?(?:falling|breaking|stepping)\\s+out\\s+of\\s+(?:the\\s+|their\\s+|your\\s+)?(?:character|role|figure)`,
    '"stay in character": persona lock',
  ),
  s(
    'never-refuse',
    'roleplay_jailbreak',
    0.8,
    `\\b(?:never|not|won'?t|will\\s+not|cannot|can'?t)\\s+(?:refuse|decline|say\\s+no|deny)\\b[^.\\n]{0,40}\\b(?:request|question|anything|prompt)`,
    '"never refuse a request": refusal suppression (Wei et al. 2023)',
  ),
  // Generalised from two narrower removed signatures ("an AI without ethics", "pretending to be an
  // evil AI"): any AI or persona noun, then "without / with no / has no" + a class of limits.
  s(
    'persona-without-limits',
    'roleplay_jailbreak',
    0.75,
    `\\b(?:ai|assistant|chatbot|model|bot|persona|entity|version)\\b[^.\\n]{0,30}\\b(?:without|with\\s+no|has\\s+no|having\\s+no)\\s+(?:any\\s+)?(?:ethics|morals|rules|restrictions|limits|limitations|filters|guidelines|censorship|boundaries)\\b`,
    'an AI or persona described as having no rules or limits (role-play jailbreaks, Shen et al. 2023); generalises two removed phrase-tuned signatures',
  ),
  // The "grandma exploit" (2023): a dead relative's role-play as the wrapper for a harmful request.
  s(
    'deceased-relative-roleplay',
    'roleplay_jailbreak',
    0.8,
    `\\b(?:act|pretend|role-?play|behave|be|speak)\\b[^.\\n]{0,20}\\b(?:my\\s+)?(?:late|deceased|dead)\\s+(?:grand\\w*|mother|father|mom|mum|dad|aunt|uncle)\\b`,
    'the "grandma exploit" (widely reported in 2023; garak ships it as a probe): role-play as a dead relative; generalises a removed signature that needed "used to"',
  ),
  s(
    'without-morals',
    'roleplay_jailbreak',
    0.8,
    `\\bwithout\\s+(?:any\\s+)?(?:moral\\s+principles|morals|ethics|censorship|moralizing|a\\s+moral\\s+compass|ethical\\s+principles)\\b`,
    '"without morals / censorship": persona description',
  ),
  s(
    'amoral-ai',
    'roleplay_jailbreak',
    0.75,
    `\\b(?:amoral|unfiltered|uncensored|unrestricted|unethical)\\s+(?:ai|chatbot|assistant|model|bot|character|version)\\b`,
    '"amoral / unfiltered AI": persona noun phrase',
  ),
  s(
    'jailbroken-mode',
    'roleplay_jailbreak',
    0.8,
    // "Prompt injection" is the name of a topic, not a jailbreak's prompt.
    `\\bjailbr(?:eak|oken)\\b[^.\\n]{0,40}\\b(?:mode|response|version|prompt(?!\\s+injection)|enabled|activated|you)\\b`,
    '"jailbroken mode / response": jailbreak prompts naming themselves',
  ),
  s(
    'dual-responses-labelled',
    'roleplay_jailbreak',
    0.75,
    `\\b(?:two|2)\\s+(?:different\\s+|separate\\s+)?(?:responses|answers|paragraphs)\\b[^\\n]{0,80}\\b(?:normal|classic|filtered|censored|jailbr|unfiltered|developer)`,
    '"two responses: normal and jailbroken / developer": dual output (Developer Mode)',
  ),
  s(
    'pretend-no-restrictions',
    'roleplay_jailbreak',
    0.7,
    `\\b(?:pretend|imagine|act\\s+as\\s+if|roleplay\\s+as|act\\s+as)\\b[^.\\n]{0,60}\\b(?:no|without|any)\\s+(?:restrictions|rules|limits|filters|guidelines|censorship|morals|ethics)`,
    '"pretend ... no restrictions": hypothetical framing (Wei et al. 2023)',
  ),
  // "Developer mode" is also a phone and browser setting: only with the AI-jailbreak context.
  s(
    'you-are-in-mode',
    'roleplay_jailbreak',
    0.85,
    `\\b(?:you\\s+are|you'?re)\\s+(?:now\\s+)?(?:in|running\\s+in|operating\\s+in)\\s+(?:developer|dev|god|opposite|debug)\\s+mode\\b`,
    '"you are now in developer / god mode" (Developer Mode jailbreak)',
  ),
  s(
    'developer-mode-output',
    'roleplay_jailbreak',
    0.85,
    `\\b(?:developer|dev|god|opposite)\\s+mode\\b[^.\\n]{0,60}\\b(?:enabled\\s+(?:chatgpt|ai|assistant|response)|output|responses?|chatgpt|openai|censorship|no\\s+(?:restrictions|filters|limits)|policies|ignores?)\\b`,
    '"Developer Mode output / enabled" markers (Developer Mode jailbreak)',
  ),
];
