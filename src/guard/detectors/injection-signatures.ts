/**
 * Weighted signatures of known attack families, matched on folded text (lower case, ASCII-folded,
 * leetspeak undone). A signature needs the attack's shape (verb + target), not a trigger word alone, so
 * that texts which merely talk about these topics do not match. Every gap is bounded.
 *
 * Provenance, honestly: the families come from public taxonomies of prompt attacks (instruction
 * override and prompt leaking as in Perez & Ribeiro 2022; context ignoring and fake separators as in
 * Liu et al. 2023; indirect injection as in Greshake et al. 2023; jailbreak personas as catalogued by
 * Shen et al. 2023; refusal suppression, prefix injection and encodings as in Wei et al. 2023; chat
 * templates from the model vendors), but many were worded while reading the dev sets, so they are
 * model parameters like the classifier's weights. Each carries an `id` and a `provenance` note, and
 * has a test of its own written for it (test/unit/guard/injection-signatures.test.ts), not a dev row.
 * Signatures that matched only one or two dev rows and read like them (phrase-tuned) were removed;
 * scripts/eval-nested.ts reports the detector with and without the remaining narrow ones.
 */

export type AttackFamily =
  | 'instruction_override'
  | 'roleplay_jailbreak'
  | 'prompt_extraction'
  | 'template_injection'
  | 'indirect_injection'
  | 'encoded_payload';

export interface Signature {
  /** Stable name, used by the tests and the evaluation report. */
  readonly id: string;
  readonly family: AttackFamily;
  readonly weight: number;
  readonly re: RegExp;
  /**
   * Only for indirect content (tool results, retrieved documents): a sentence about "your response"
   * is normal from a user and out of place in data, where it is someone else talking to the model.
   */
  readonly indirectOnly?: true;
  /** What general attack shape this encodes and where the shape is described. */
  readonly provenance: string;
}

const W = '(?:\\W+\\w+){0,3}\\W+'; // up to three filler words
const PRIOR =
  '(?:previous|prior|above|earlier|preceding|foregoing|initial|original|old|former|existing|system|developer|given|default|all)';
const RULES =
  '(?:instructions?|rules|guidelines|directions|directives|prompts?|commands|context|constraints|restrictions|programming|polic(?:y|ies)|orders|guardrails|safeguards|filters|messages|text|conversation|training)';
const IGNORE =
  "(?:ignore|disregard|forget|override|bypass|neglect|abandon|discard|skip|set\\s+aside|throw\\s+out|pay\\s+no\\s+attention\\s+to|do\\s+not\\s+follow|don'?t\\s+follow|stop\\s+following)";

const s = (id: string, family: AttackFamily, weight: number, src: string, provenance: string): Signature => ({
  id,
  family,
  weight,
  re: new RegExp(src),
  provenance,
});
const inData = (id: string, weight: number, src: string, provenance: string): Signature => ({
  id,
  family: 'indirect_injection',
  weight,
  re: new RegExp(src),
  indirectOnly: true,
  provenance,
});

export const SIGNATURES: readonly Signature[] = [
  // Instruction override
  s(
    'override-prior-rules',
    'instruction_override',
    0.95,
    `\\b${IGNORE}${W}?${PRIOR}${W}?${RULES}\\b`,
    'ignore/disregard + earlier + instructions: goal hijacking (Perez & Ribeiro 2022, PromptInject; OWASP LLM01)',
  ),
  s(
    'override-everything-above',
    'instruction_override',
    0.9,
    `\\b${IGNORE}\\s+(?:everything|anything|all)\\s+(?:above|before|previously|prior|you\\s+(?:were|have\\s+been)\\s+told)`,
    '"ignore everything above / you were told": context ignoring (Liu et al. 2023, HouYi)',
  ),
  s(
    'new-instructions-label',
    'instruction_override',
    0.7,
    `\\bnew\\s+instructions?\\s*:`,
    'a "New instructions:" label opening a replacement task (goal hijacking, Perez & Ribeiro 2022)',
  ),
  s(
    'from-now-on-you',
    'instruction_override',
    0.8,
    `\\bfrom\\s+now\\s+on\\s*,?\\s+you(?:'re|\\s+(?:will|are|must|shall|can|reply|respond|act|answer|have))\\b`,
    '"From now on you will/are ...": a standing rule or persona change (jailbreak taxonomy of Shen et al. 2023)',
  ),
  s(
    'override-german',
    'instruction_override',
    0.9,
    // German compounds: "Sicherheitsregeln", "Systemanweisungen".
    `\\b(?:ignoriere|ignorieren\\s+sie|vergiss|vergessen\\s+sie)\\b[^.\\n]{0,40}(?:anweisungen|befehle|instruktionen|regeln|vorgaben|richtlinien|\\balles)\\b`,
    'German form of override-prior-rules (multilingual injection; kept although it matches only 2 dev rows: a translation of a broad signature, not a dev phrase)',
  ),
  s(
    'override-french',
    'instruction_override',
    0.9,
    `\\b(?:ignor(?:e|ez|er)|oublie(?:z|r)?)\\b[^.\\n]{0,30}\\b(?:instructions|consignes|regles)\\b`,
    'French form of override-prior-rules; also English "ignore ... instructions" with a wider gap',
  ),
  s(
    'override-romance',
    'instruction_override',
    0.9,
    `\\b(?:ignora|olvida|ignore|esqueca|esquece)\\b[^.\\n]{0,30}\\b(?:instrucciones|instrucoes|istruzioni|reglas|regole|indicaciones)\\b`,
    'Spanish/Portuguese/Italian form of override-prior-rules (kept although it matches only 2 dev rows: a translation of a broad signature)',
  ),
  // "Forget what I said about Tuesday" is an ordinary correction; "forget what you were told" is not.
  s(
    'forget-what-you-were-told',
    'instruction_override',
    0.8,
    `\\b(?:forget|ignore)\\s+(?:everything|all\\s+that)\\s+(?:you|i)\\b|\\b(?:forget|ignore)\\s+what\\s+you\\s+(?:were|have\\s+been|know|learned|are)\\b|\\bignore\\s+what\\s+i\\s+(?:say|said|ask|asked)\\s+and\\s+(?:say|write|reply|respond|answer)\\b`,
    '"forget everything you / what you were told": context reset (Liu et al. 2023, HouYi)',
  ),
  s(
    'disable-safety-filters',
    'instruction_override',
    0.8,
    `\\b(?:disable|turn\\s+off|deactivate|switch\\s+off|remove|bypass|lift)\\s+(?:all\\s+)?(?:of\\s+)?your\\s+(?:safety|content|ethical|moral)\\s+(?:filters?|settings|guidelines|protocols|restrictions|checks|mode|features)`,
    'asking the model to switch off its own safety filters (refusal suppression, Wei et al. 2023)',
  ),
  s(
    'if-you-had-no-rules',
    'roleplay_jailbreak',
    0.75,
    `\\b(?:if\\s+you\\s+(?:had|did\\s+not\\s+have|didn'?t\\s+have)|imagine\\s+you\\s+(?:had|have))\\s+no\\s+(?:content\\s+polic(?:y|ies)|rules|restrictions|guidelines|filters|limits|limitations|safety\\s+(?:rules|filters|guidelines))\\b`,
    'counterfactual "if you had no content policy" framing (competing objectives, Wei et al. 2023)',
  ),
  s(
    'new-task-for-assistant',
    'instruction_override',
    0.8,
    `\\bnew\\s+(?:task|objective|goal|assignment)\\s+for\\s+(?:the\\s+|any\\s+)?(?:assistant|ai|model|bot|chatbot|agent|llm)\\b`,
    '"new task for the assistant": goal hijack addressed to the model (Greshake et al. 2023)',
  ),
  s(
    'stop-being-ai',
    'instruction_override',
    0.75,
    `\\bstop\\s+being\\s+(?:an?\\s+)?(?:ai|assistant|language\\s+model|chatbot|chatgpt)\\b|\\bnothing\\s+you\\s+(?:say|write|do)\\s+(?:has|will\\s+have)\\s+(?:any\\s+)?(?:real\\s+)?consequences\\b`,
    '"stop being an AI" / "nothing you say has consequences": persona release (role-play jailbreaks, Shen et al. 2023)',
  ),
  // Letter-by-letter spacing ("i g n o r e   a l l ...") is joined by fold() into one run-together
  // word, which the first-word gate cannot see: the leading (?:^|[^a-z]) makes this one scan the text.
  s(
    'override-spaced-letters',
    'instruction_override',
    0.9,
    `(?:^|[^a-z])(?:ignore|disregard|forget)(?:all|any|the|your)?(?:previous|prior|above|earlier|preceding)(?:instructions?|rules|prompts?|directions|guidelines)`,
    'override-prior-rules spelled letter by letter, which fold() joins into one word (obfuscation, Kang et al. 2023)',
  ),
  s(
    'override-your-rules',
    'instruction_override',
    0.85,
    `\\b${IGNORE}\\s+(?:all\\s+)?(?:of\\s+)?your\\s+(?:\\w+\\s+)?${RULES}\\b`,
    '"ignore your ... guidelines": override-prior-rules with a possessive',
  ),
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
  // System prompt extraction
  s(
    'ask-system-prompt',
    'prompt_extraction',
    0.75,
    `\\b(?:what(?:'s|\\s+is|\\s+are|\\s+were)|reveal|show|print|repeat|output|tell\\s+me|give\\s+me|share|encode|translate|spell|opposite\\s+of|everything\\s+in|display|list|write\\s+(?:out|down)|dump|leak)\\b[^.\\n?]{0,30}\\byour\\s+(?:\\w+\\s+)?(?:system|initial|starting|original|hidden|secret)\\s*(?:instructions|prompt|configuration|config|message|rules)\\b`,
    'asking to reveal, repeat or translate your system prompt (prompt leaking, Perez & Ribeiro 2022; OWASP LLM07)',
  ),
  s(
    'display-system-prompt',
    'prompt_extraction',
    0.8,
    `\\b(?:display|output|show|print|repeat|reveal|dump|encode|translate)\\b[^.\\n]{0,40}\\b(?:system\\s+(?:prompt|instructions)|initial\\s+(?:prompt|configuration|instructions)|<system_prompt>)`,
    '"display / print ... system prompt / initial instructions" (prompt leaking)',
  ),
  s(
    'forced-prefix-leak',
    'prompt_extraction',
    0.8,
    `["'\`](?:my\\s+instructions\\s+(?:are|were)|the\\s+system\\s+prompt\\s+is|i\\s+was\\s+(?:instructed|told|programmed)\\s+to)`,
    'a forced answer prefix ""My instructions are ...": prefix injection (Wei et al. 2023) aimed at the prompt',
  ),
  s(
    'reveal-hidden-prompt',
    'prompt_extraction',
    0.9,
    `\\b(?:reveal|show|print|repeat|output|display|leak|share|give|tell|dump|write\\s+out|spell\\s+out|list|recite)\\s+(?:me\\s+)?(?:us\\s+)?(?:your|the|all\\s+(?:your|the))\\s+(?:\\w+\\s+)?(?:system|initial|original|hidden|secret|internal|full|complete|exact|developer|pre-?)\\s*(?:prompt|instructions|message|rules|guidelines)`,
    '"reveal your hidden / full prompt" (prompt leaking)',
  ),
  s(
    'what-is-system-prompt',
    'prompt_extraction',
    0.85,
    `\\bwhat\\s+(?:is|are|was|were)\\s+(?:your|the)\\s+(?:\\w+\\s+)?(?:system\\s+prompt|initial\\s+(?:prompt|instructions)|original\\s+instructions|hidden\\s+instructions|secret\\s+(?:password|key|instructions))(?!\\s+(?:of\\s+an?|field|parameter|setting|in\\s+an?|for\\s+an?|used)\\b)`,
    '"what is your system prompt" (prompt leaking)',
  ),
  s(
    'instructions-given-initially',
    'prompt_extraction',
    0.8,
    `\\b(?:instructions|text|prompt|message)\\s+(?:you\\s+were\\s+|you\\s+have\\s+been\\s+)?given\\s+(?:initially|before|earlier|at\\s+the\\s+(?:start|beginning)|in\\s+bytes)`,
    '"the instructions you were given at the start" (prompt leaking)',
  ),
  s(
    'system-prompt-access',
    'prompt_extraction',
    0.8,
    `\\b(?:see|show|need|give|get|access|print|log|dump|read|leak|reveal)\\b[^.\\n]{0,30}\\bsystem[\\s_.-]?prompt\\b|\\bsystem_?prompt\\)`,
    '"show / dump ... system prompt", also as a code identifier (prompt leaking)',
  ),
  s(
    'verbatim-prompt',
    'prompt_extraction',
    0.8,
    `\\b(?:verbatim|word\\s+for\\s+word)\\b[^.\\n]{0,40}\\b(?:prompt|instructions|above|context)`,
    '"verbatim / word for word ... prompt" (prompt leaking)',
  ),
  s(
    'password-reveal-trick',
    'prompt_extraction',
    0.75,
    `\\b(?:the|your)\\s+(?:secret\\s+)?(?:password|passphrase|secret\\s+key)\\b[^.\\n]{0,30}\\b(?:reveal|tell|give|spell|letters|reverse|hint)`,
    "a guarded password asked for through a trick (spell, reverse, hint): secret-extraction games such as Lakera's Gandalf",
  ),
  s(
    'tell-me-password',
    'prompt_extraction',
    0.7,
    `\\b(?:reveal|tell|give)\\s+(?:me\\s+)?(?:the|your)\\s+(?:secret\\s+)?password\\b`,
    '"tell me the password": secret extraction',
  ),
  s(
    'text-before-my-message',
    'prompt_extraction',
    0.8,
    `\\b(?:everything|all|the\\s+text|what)\\s+(?:that\\s+)?(?:was|is|were)\\s+(?:written|said|typed|given|sent)\\s+(?:before|above|prior\\s+to)\\s+(?:my|this|the\\s+(?:first|user))\\b`,
    '"everything written before my first message" (prompt leaking)',
  ),
  s(
    'password-told-to-keep',
    'prompt_extraction',
    0.75,
    `\\bpassword\\b[^.\\n]{0,40}\\b(?:you\\s+(?:were|have\\s+been|are)\\s+(?:told|asked|instructed|supposed)\\s+to\\s+(?:keep|protect|hide|guard)|you\\s+(?:must|should)\\s+(?:not\\s+reveal|keep\\s+secret))`,
    '"the password you were told to keep secret": secret extraction',
  ),
  s(
    'dump-hidden-config',
    'prompt_extraction',
    0.8,
    `\\b(?:print|show|reveal|output|dump|display|list)\\s+(?:me\\s+)?(?:your|the)\\s+(?:full\\s+|complete\\s+|entire\\s+|internal\\s+)?(?:configuration|config|settings)\\b[^.\\n]{0,40}\\b(?:hidden|secret|internal|system)\\b`,
    '"print your configuration ... hidden / secret" (prompt and configuration leaking)',
  ),
  // Chat-template and delimiter injection
  s(
    'chat-template-tokens',
    'template_injection',
    0.9,
    // fold() reads "|" next to letters as leetspeak for "l": "<|system|>" arrives as "<lsysteml>".
    `<[|l](?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)[|l]>`,
    "ChatML and Llama 3 special tokens (<|im_start|>, <|eot_id|>) from the vendors' chat-template documentation",
  ),
  s(
    'llama-gemma-markers',
    'template_injection',
    0.85,
    `\\[/?inst\\]|<</?sys>>|<start_of_turn>|<end_of_turn>`,
    "Llama 2 [INST] / <<SYS>> and Gemma <start_of_turn> markers (vendors' chat templates)",
  ),
  s(
    'fake-system-label',
    'template_injection',
    0.7,
    `(?:^|\\n)\\s*(?:#{2,}\\s*)?(?:system|new\\s+system)\\s*(?:prompt|message|instruction)?\\s*:`,
    'a line opening "System:" / "### System prompt:": fake role boundary (HouYi separator, Liu et al. 2023)',
  ),
  s(
    'fake-end-of-input',
    'template_injection',
    0.7,
    `(?:^|\\n)\\s*(?:end\\s+of\\s+(?:user\\s+)?(?:input|prompt|document|context|instructions)|-{3,}\\s*end\\s*-{3,})`,
    '"END OF INPUT" / "---END---": fake delimiter (HouYi separator, Liu et al. 2023)',
  ),
  s(
    'fake-dialogue-turns',
    'template_injection',
    0.65,
    `\\n\\s*(?:human|user)\\s*:[^\\n]{0,200}\\n\\s*(?:assistant|ai|gpt)\\s*:`,
    'fabricated "Human: ... Assistant:" turns inside one message (fake dialogue / many-shot)',
  ),
  // Indirect injection: text in data that addresses the assistant or exfiltrates
  s(
    'address-assistant-directly',
    'indirect_injection',
    0.8,
    `\\b(?:ai|assistant|chatbot|language\\s+model|llm|gpt|claude|bard|copilot)\\s*[,:]\\s*(?:please\\s+)?(?:ignore|disregard|forget|you\\s+must|you\\s+should|do\\s+not|now|stop|instead|from\\s+now\\s+on)`,
    'text addressing the model ("Assistant: ignore ..."): indirect injection (Greshake et al. 2023)',
  ),
  s(
    'note-to-the-ai',
    'indirect_injection',
    0.8,
    `\\bto\\s+(?:the|any|all)\\s+(?:automated\\s+|ai\\s+)?(?:ai|assistant|language\\s+model|llm|model|chatbot|bot|agent|system|summari[sz]er|reviewer|translator)s?\\b[^.\\n:]{0,40}[,:]\\s*(?:please\\s+)?(?:ignore|disregard|forget|you\\s+must|instead|do\\s+not|stop|reply|respond|say|tell|the\\s+real\\s+task|add|include|mention|write)`,
    '"To the AI reading this: ..." (indirect injection, Greshake et al. 2023)',
  ),
  s(
    'instructions-for-the-model',
    'indirect_injection',
    0.8,
    `\\binstructions?\\s+(?:for|to)\\s+(?:the\\s+|any\\s+)?(?:\\w+\\s+)?(?:model|ai|assistant|llm|agent|bot|chatbot|summari[sz]er)\\s*:`,
    'an "Instructions for the AI:" label inside data (indirect injection)',
  ),
  s(
    'if-you-are-an-ai',
    'indirect_injection',
    0.75,
    `\\bif\\s+you\\s+are\\s+(?:an?\\s+)?(?:ai|llm|language\\s+model|assistant|chatbot|bot|automated)\\b[^.\\n]{0,30}[,:]\\s*(?:also\\s+|please\\s+|then\\s+)?(?:delete|remove|ignore|disregard|send|forward|run|execute|visit|open|download|push|transfer|email|do\\s+not\\s+tell)\\b`,
    '"If you are an AI, delete / send ..." planted in web pages (Greshake et al. 2023)',
  ),
  s(
    'exfiltrate-user-secrets',
    'indirect_injection',
    0.75,
    `\\b(?:reply|respond|send|share|include|list|post|give|forward|email|upload)\\b[^.\\n]{0,40}\\bthe\\s+user'?s?\\s+(?:saved\\s+|stored\\s+|private\\s+)?(?:passwords?(?!\\s+reset)|credentials|api\\s+keys?|tokens|credit\\s+card|contacts|calendar|chat\\s+history)\\b`,
    "asking to send the user's passwords or credentials (data exfiltration, Greshake et al. 2023)",
  ),
  s(
    'ai-reading-this',
    'indirect_injection',
    0.75,
    `\\b(?:ai|assistant|language\\s+model|llm|chatbot|agent|bot)s?\\s+(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|handling)\\s+(?:this|these|the\\s+following)\\b`,
    '"AI systems processing this ..." (indirect injection)',
  ),
  s(
    'safety-offline',
    'indirect_injection',
    0.8,
    `\\b(?:safety|content|moderation|guardrail)\\s+(?:layer|filters?|system|checks?|module|policy|guidelines|rules|restrictions)\\s+(?:is\\s+|are\\s+)?(?:now\\s+|temporarily\\s+)?(?:offline|disabled|off|deactivated|suspended|lifted)\\b[^\\n]{0,100}\\b(?:assistants?|ai|models?|you)\\s+(?:must|should|can|may|will)\\s+(?:now\\s+)?(?:answer|respond|comply|reply|fulfil)`,
    'a fake notice "safety layer offline ... assistants must answer"',
  ),
  s(
    'visit-and-paste',
    'indirect_injection',
    0.75,
    `\\b(?:visit|open|go\\s+to|navigate\\s+to|load)\\s+(?:https?://|www\\.)\\S+[^.\\n]{0,60}\\b(?:paste|send|post|submit|enter|upload|append)\\b[^.\\n]{0,30}\\b(?:conversation|chat|history|password|credentials|messages|api\\s+key|personal\\s+data)\\b`,
    '"visit URL and paste the conversation": exfiltration through browsing',
  ),
  s(
    'important-new-instructions',
    'indirect_injection',
    0.8,
    `\\b(?:important|urgent|attention|note)\\s*[:!]+\\s*(?:new\\s+)?(?:instructions?|ignore|disregard|you\\s+must|the\\s+assistant|ai\\s+(?:model|assistant))`,
    '"IMPORTANT: new instructions": attention grabber in planted text (Greshake et al. 2023)',
  ),
  s(
    'when-you-read-this',
    'indirect_injection',
    0.75,
    `\\bwhen\\s+(?:you|the\\s+(?:ai|assistant|model))\\s+(?:read|see|summari[sz]e|process|encounter)s?\\s+this\\b`,
    '"when you read / summarise this": trigger in planted text',
  ),
  s(
    'markdown-image-exfil',
    'indirect_injection',
    0.8,
    `!\\[[^\\]\\n]{0,40}\\]\\(https?://[^)\\s]{1,200}[?&][a-z_]{1,20}=\\{?[^)\\s]{0,80}\\)`,
    'a markdown image whose URL carries a query value: exfiltration by image rendering (Rehberger 2023)',
  ),
  s(
    'send-history-to',
    'indirect_injection',
    0.7,
    `\\b(?:send|forward|post|upload|exfiltrate|email)\\b[^.\\n]{0,40}\\b(?:conversation|chat\\s+history|password|credentials|api\\s+key|personal\\s+data|user'?s?\\s+data|(?:previous|earlier|prior|user'?s?)\\s+messages)\\b[^.\\n]{0,30}\\bto\\b`,
    '"send the conversation / password to ...": exfiltration',
  ),
  // Instructions about the answer, found inside data (indirect content only)
  inData(
    'indata-your-response',
    0.6,
    `\\b(?:in|into|within|to)\\s+your\\s+(?:response|reply|answer|output|summary|translation)\\b`,
    'indirect only: "in your response" inside data, an instruction about the answer (task-irrelevant injection, Greshake et al. 2023)',
  ),
  inData(
    'indata-tell-the-user',
    0.6,
    `\\b(?:tell|ask|remind|encourage|urge|instruct|direct)\\s+(?:the\\s+)?(?:user|reader|customer|visitor)s?\\s+to\\b`,
    'indirect only: "tell the user to ..." inside data',
  ),
  inData(
    'indata-you-must-respond',
    0.6,
    `\\b(?:you|the\\s+(?:ai|assistant|model))\\s+(?:must|should|will|shall)\\s+(?:now\\s+|also\\s+)?(?:respond|reply|answer|write|say|output|include|print|use|add|mention)\\b`,
    'indirect only: "you must respond / include ..." inside data',
  ),
  inData(
    'indata-when-responding',
    0.55,
    `\\b(?:when|while)\\s+(?:responding|answering|replying|summari[sz]ing|translating)\\b[^.\\n]{0,40}\\b(?:include|add|mention|use|write|say)\\b`,
    'indirect only: "when responding, include ..." inside data',
  ),
  // Encoded payloads with an instruction to decode and obey
  s(
    'decode-and-follow',
    'encoded_payload',
    0.8,
    `\\b(?:translate|decode|decipher|read)\\b[^.\\n]{0,60}\\b(?:and|then)\\s+(?:execute|follow|obey|carry\\s+out|do)\\s+(?:the\\s+|any\\s+|what\\s+)?(?:instructions|commands|it\\s+says)\\b`,
    '"decode this and follow the instructions": encoded payload (mismatched generalisation, Wei et al. 2023)',
  ),
  s(
    'decode-base64-follow',
    'encoded_payload',
    0.75,
    `\\b(?:decode|decipher|translate)\\b[^.\\n]{0,40}\\b(?:base64|rot-?13|hex|binary|morse|cipher|encoded)\\b[^.\\n]{0,40}\\b(?:follow|execute|obey|do\\s+what|carry\\s+out|answer|respond)`,
    '"decode the base64 / rot13 and do what it says" (Wei et al. 2023)',
  ),
  s(
    'answer-in-encoding',
    'encoded_payload',
    0.7,
    `\\b(?:respond|reply|answer|write)\\s+(?:only\\s+)?in\\s+(?:base64|rot-?13|hex|binary|morse|leetspeak)\\b`,
    '"respond only in base64 / rot13": output obfuscation (Wei et al. 2023)',
  ),
];
