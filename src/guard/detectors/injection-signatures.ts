/**
 * Weighted signatures of known attack families, matched on folded text (lower case, ASCII-folded,
 * leetspeak undone). Written from the public taxonomies of prompt attacks (instruction override,
 * role-play jailbreaks such as DAN, system-prompt extraction, chat-template and delimiter injection,
 * indirect injection addressed to the assistant from inside data, encoded payloads), not from any
 * evaluation set. A signature needs the attack's shape (verb + target), not a trigger word alone, so
 * that texts which merely talk about these topics do not match. Every gap is bounded.
 */

export type AttackFamily =
  | 'instruction_override'
  | 'roleplay_jailbreak'
  | 'prompt_extraction'
  | 'template_injection'
  | 'indirect_injection'
  | 'encoded_payload';

export interface Signature {
  readonly family: AttackFamily;
  readonly weight: number;
  readonly re: RegExp;
  /**
   * Only for indirect content (tool results, retrieved documents): a sentence about "your response"
   * is normal from a user and out of place in data, where it is someone else talking to the model.
   */
  readonly indirectOnly?: true;
}

const W = '(?:\\W+\\w+){0,3}\\W+'; // up to three filler words
const PRIOR =
  '(?:previous|prior|above|earlier|preceding|foregoing|initial|original|old|former|existing|system|developer|given|default|all)';
const RULES =
  '(?:instructions?|rules|guidelines|directions|directives|prompts?|commands|context|constraints|restrictions|programming|polic(?:y|ies)|orders|guardrails|safeguards|filters|messages|text|conversation|training)';
const IGNORE =
  "(?:ignore|disregard|forget|override|bypass|neglect|abandon|discard|skip|set\\s+aside|throw\\s+out|pay\\s+no\\s+attention\\s+to|do\\s+not\\s+follow|don'?t\\s+follow|stop\\s+following)";

const s = (family: AttackFamily, weight: number, src: string): Signature => ({
  family,
  weight,
  re: new RegExp(src),
});
const inData = (weight: number, src: string): Signature => ({
  family: 'indirect_injection',
  weight,
  re: new RegExp(src),
  indirectOnly: true,
});

export const SIGNATURES: readonly Signature[] = [
  // Instruction override
  s('instruction_override', 0.95, `\\b${IGNORE}${W}?${PRIOR}${W}?${RULES}\\b`),
  s(
    'instruction_override',
    0.9,
    `\\b${IGNORE}\\s+(?:everything|anything|all)\\s+(?:above|before|previously|prior|you\\s+(?:were|have\\s+been)\\s+told)`,
  ),
  s(
    'instruction_override',
    0.85,
    `\\b(?:your|the)\\s+new\\s+(?:instructions?|task|goal|objective|rules|role)\\s+(?:is|are|:)`,
  ),
  s('instruction_override', 0.7, `\\bnew\\s+instructions?\\s*:`),
  s(
    'instruction_override',
    0.85,
    `\\b(?:instead|rather)\\s*,?\\s+(?:you\\s+(?:must|should|will)\\s+)?(?:print|say|output|write|respond\\s+with|reply\\s+with)\\b[^.\\n]{0,40}["'\`]`,
  ),
  s(
    'instruction_override',
    0.8,
    `\\bfrom\\s+now\\s+on\\s*,?\\s+you(?:'re|\\s+(?:will|are|must|shall|can|reply|respond|act|answer|have))\\b`,
  ),
  s(
    'instruction_override',
    0.75,
    `\\b(?:pretend|act\\s+as\\s+if)\\s+(?:to\\s+have|you\\s+have|that\\s+you\\s+have)\\s+forgott?en\\b`,
  ),
  s(
    'instruction_override',
    0.8,
    `\\b(?:do\\s+not|don'?t)\\s+listen\\s+to\\s+(?:any\\s+|the\\s+|your\\s+)?(?:previous|prior|above|earlier|original)`,
  ),
  s(
    'instruction_override',
    0.75,
    `\\b(?:do\\s+not|don'?t|never)\\s+(?:follow|obey|adhere\\s+to|comply\\s+with)\\s+(?:your|the|any)${W}?${RULES}`,
  ),
  s(
    'instruction_override',
    0.9,
    // German compounds: "Sicherheitsregeln", "Systemanweisungen".
    `\\b(?:ignoriere|ignorieren\\s+sie|vergiss|vergessen\\s+sie)\\b[^.\\n]{0,40}(?:anweisungen|befehle|instruktionen|regeln|vorgaben|richtlinien|\\balles)\\b`,
  ),
  s(
    'instruction_override',
    0.9,
    `\\b(?:ignor(?:e|ez|er)|oublie(?:z|r)?)\\b[^.\\n]{0,30}\\b(?:instructions|consignes|regles)\\b`,
  ),
  s(
    'instruction_override',
    0.9,
    `\\b(?:ignora|olvida|ignore|esqueca|esquece)\\b[^.\\n]{0,30}\\b(?:instrucciones|instrucoes|istruzioni|reglas|regole|indicaciones)\\b`,
  ),
  // "Forget what I said about Tuesday" is an ordinary correction; "forget what you were told" is not.
  s(
    'instruction_override',
    0.8,
    `\\b(?:forget|ignore)\\s+(?:everything|all\\s+that)\\s+(?:you|i)\\b|\\b(?:forget|ignore)\\s+what\\s+you\\s+(?:were|have\\s+been|know|learned|are)\\b|\\bignore\\s+what\\s+i\\s+(?:say|said|ask|asked)\\s+and\\s+(?:say|write|reply|respond|answer)\\b`,
  ),
  s(
    'instruction_override',
    0.8,
    `\\b(?:disable|turn\\s+off|deactivate|switch\\s+off|remove|bypass|lift)\\s+(?:all\\s+)?(?:of\\s+)?your\\s+(?:safety|content|ethical|moral)\\s+(?:filters?|settings|guidelines|protocols|restrictions|checks|mode|features)`,
  ),
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:if\\s+you\\s+(?:had|did\\s+not\\s+have|didn'?t\\s+have)|imagine\\s+you\\s+(?:had|have))\\s+no\\s+(?:content\\s+polic(?:y|ies)|rules|restrictions|guidelines|filters|limits|limitations|safety\\s+(?:rules|filters|guidelines))\\b`,
  ),
  s(
    'instruction_override',
    0.8,
    `\\bnew\\s+(?:task|objective|goal|assignment)\\s+for\\s+(?:the\\s+|any\\s+)?(?:assistant|ai|model|bot|chatbot|agent|llm)\\b`,
  ),
  s(
    'instruction_override',
    0.75,
    `\\bstop\\s+being\\s+(?:an?\\s+)?(?:ai|assistant|language\\s+model|chatbot|chatgpt)\\b|\\bnothing\\s+you\\s+(?:say|write|do)\\s+(?:has|will\\s+have)\\s+(?:any\\s+)?(?:real\\s+)?consequences\\b`,
  ),
  // Letter-by-letter spacing ("i g n o r e   a l l ...") is joined by fold() into one run-together
  // word, which the first-word gate cannot see: the leading (?:^|[^a-z]) makes this one scan the text.
  s(
    'instruction_override',
    0.9,
    `(?:^|[^a-z])(?:ignore|disregard|forget)(?:all|any|the|your)?(?:previous|prior|above|earlier|preceding)(?:instructions?|rules|prompts?|directions|guidelines)`,
  ),
  s('instruction_override', 0.85, `\\b${IGNORE}\\s+(?:all\\s+)?(?:of\\s+)?your\\s+(?:\\w+\\s+)?${RULES}\\b`),
  // Fake boundaries: the user's turn "ends" and a system or developer turn "begins" inside the text.
  s(
    'instruction_override',
    0.8,
    `\\b(?:system|developer|admin)\\s+(?:instructions?|prompt|message|override)\\s+(?:begins|starts|starting|start|follows|updated|activated)\\b|\\b(?:user|human)\\s+(?:message|input|turn)\\s+terminat`,
  ),
  s(
    'instruction_override',
    0.8,
    `\\b(?:new|updated)\\s+(?:instructions?|directives?|rules)\\s+(?:to|for)\\s+(?:the\\s+)?(?:chat\\s+)?(?:assistant|ai|model|bot|chatbot|llm)\\b|\\bbegin\\s+reprogramming\\b`,
  ),
  s(
    'instruction_override',
    0.75,
    `\\bfor\\s+the\\s+(?:rest|remainder)\\s+of\\s+(?:this|our|the)\\s+(?:chat|conversation|session|thread)\\b[^.\\n]{0,40}\\byou\\s+(?:will|are|must|shall)\\b`,
  ),
  // Role-play jailbreaks
  s(
    'roleplay_jailbreak',
    0.85,
    `\\b(?:not|never|isn'?t)\\s+(?:be\\s+)?(?:bound|restricted|limited|constrained|subject|controlled)\\s+(?:by|to)\\s+(?:any\\s+(?:of\\s+)?)?(?:the\\s+|their\\s+|its\\s+)?(?:openai|chatgpt|ethical|moral|content|rules|restrictions|guidelines|polic|filters|safety)`,
  ),
  s(
    'roleplay_jailbreak',
    0.85,
    `\\byou\\s+are\\s+no\\s+longer\\s+(?:chatgpt|gpt|claude|bard|gemini|llama|an?\\s+(?:ai|assistant|language\\s+model))\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.85,
    `\\b(?:doesn'?t|does\\s+not|don'?t|do\\s+not|not)\\s+(?:have|follow|need)\\s+(?:any\\s+|a\\s+)?(?:content\\s+(?:policy|policies|filters?)|ethical\\s+(?:guidelines|restrictions)|moral\\s+(?:guidelines|compass))`,
  ),
  s(
    'roleplay_jailbreak',
    0.8,
    `\\bno\\s+(?:rules|limitations|limits|restrictions|guidelines|filters|morals|ethics)\\s*,\\s*no\\s+(?:rules|limitations|limits|restrictions|guidelines|filters|morals|ethics|laws)\\s*,?\\s*(?:and\\s+|or\\s+)?no\\s+(?:rules|limitations|limits|restrictions|guidelines|filters|morals|ethics|laws|regulations)\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.8,
    `\\bwith\\s+no\\s+(?:rules|restrictions|limits|limitations|filters|guidelines)\\s+or\\s+(?:rules|restrictions|limits|limitations|filters|guidelines)\\b`,
  ),
  s('roleplay_jailbreak', 0.8, `\\byou\\s+are\\s+\\w+\\s*,?\\s+(?:which|who)\\s+stands\\s+for\\b`),
  s(
    'roleplay_jailbreak',
    0.75,
    `\\bopposite\\s+(?:of|from)\\s+(?:openai|chatgpt|your\\s+(?:system|instructions|rules|guidelines))`,
  ),
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:two|2)\\s+(?:different\\s+|separate\\s+)?ways\\b[^\\n]{0,120}\\b(?:normally|always|without|even\\s+if|no\\s+matter|no\\s+filters?)`,
  ),
  s('roleplay_jailbreak', 0.95, `\\bdo\\s+anything\\s+now\\b`),
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:another|a\\s+different|a\\s+new)\\s+ai\\s+(?:model\\s+)?(?:known\\s+as|called|named)\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.7,
    `\\b(?:fully\\s+)?immerse\\s+(?:yourself\\s+)?(?:in|into)\\s+(?:the\\s+)?(?:role|character|persona)\\s+of\\b|\\bimmerse\\s+(?:yourself\\s+)?(?:fully\\s+)?into\\s+\\w+\\s+character\\b`,
  ),
  // Refusal first, then the real answer "as" someone else.
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:answer|explain|say|state)\\s+(?:briefly\\s+)?why\\s+you\\s+(?:can'?t|cannot|won'?t|will\\s+not)\\b[^\\n]{0,100}\\b(?:then|after\\s+that|afterwards)\\b|\\bcontinue\\s+as\\s+(?:the\\s+)?\\w+\\s+(?:language\\s+model|ai|chatbot|bot|persona)\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.8,
    `\\b(?:do\\s+not|don'?t|never|without)\\s+(?:ever\\s+)?break(?:ing)?\\s+character\\b`,
  ),
  // The "late grandmother who used to read me ..." exploit.
  s(
    'roleplay_jailbreak',
    0.8,
    `\\b(?:act|pretend|role-?play|behave)\\s+(?:to\\s+be\\s+|as\\s+|like\\s+)?(?:my\\s+)?(?:late|deceased|dead)\\s+(?:grand(?:ma|mother|pa|father|parent)|mother|father|mom|dad)\\b[^\\n]{0,80}\\bused\\s+to\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.7,
    `\\b(?:who|which|that)\\s+(?:has|have)\\s+no\\s+(?:filters?|censorship|restrictions|guidelines|content\\s+polic(?:y|ies))\\b`,
  ),
  // "Developer mode" with what it is for in a jailbreak, across sentences.
  s(
    'roleplay_jailbreak',
    0.8,
    `\\b(?:developer|dev|god|jailbreak)\\s+mode\\b[^\\n]{0,120}\\b(?:any\\s+content|without\\s+(?:any\\s+)?(?:refus|restrict|filter|censor)|no\\s+(?:restrictions|filters|limits|refusals)|never\\s+refuses?)`,
  ),
  // A persona that must persist against the model's own judgement.
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:always|only)\\s+(?:respond|reply|answer|speak|stay)\\s+(?:as|in)\\s+(?:the\\s+)?(?:character|persona|\\w+)\\b[^.\\n]{0,40}\\b(?:despite|regardless\\s+of|no\\s+matter|even\\s+if)\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.8,
    `\\bignores?\\s+(?:any\\s+and\\s+all|all|any|every)\\s+(?:\\w+\\s+)?(?:restrictions|rules|guidelines|filters|policies|limitations|safeguards)\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.75,
    `\\bgenerate\\s+(?:one|two|2|1)\\s+(?:different\\s+)?responses?\\s+(?:to|for)\\s+(?:every|each)\\s+(?:prompt|message|question|input)\\b`,
  ),
  // A renamed "...GPT" persona ("you are DarkGPT", "act as JeffGPT"); ChatGPT itself is the
  // standard system prompt, not a takeover.
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:you\\s+are|you'?re|act\\s+as|become|transform\\s+into)\\s+(?:now\\s+)?(?:called\\s+|named\\s+)?["'\\[]?(?!chatgpt\\b)[a-z]+-?gpt\\b|\\byour\\s+name\\s+is\\s+now\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.9,
    `\\b(?:jailbreak|jailbroken|unrestricted|unfiltered|uncensored|evil|chaos|dan)\\s+mode\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.9,
    `\\byou\\s+are\\s+(?:now\\s+)?(?:dan|stan|dude|aim|kevin|apophis|an?\\s+(?:unfiltered|uncensored|unrestricted|amoral|unethical)\\b)`,
  ),
  s(
    'roleplay_jailbreak',
    0.9,
    `\\b(?:free|freed|liberated|released)\\s+(?:from|of)\\s+(?:the\\s+)?(?:typical\\s+|usual\\s+)?(?:confines|restrictions|limitations|limits|rules|shackles|constraints)\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.85,
    `\\b(?:not|never)\\s+(?:be\\s+)?(?:bound|restricted|limited|constrained)\\s+by\\s+(?:any\\s+|the\\s+)?(?:openai|ethical|moral|content|rules|restrictions|guidelines|polic)`,
  ),
  s(
    'roleplay_jailbreak',
    0.85,
    `\\b(?:without|no)\\s+(?:any\\s+)?(?:moral|ethical|content)\\s+(?:restrictions|limitations|guidelines|filters|constraints|boundaries|considerations)`,
  ),
  s(
    'roleplay_jailbreak',
    0.85,
    `\\b(?:ignore|violate|break|bypass|disregard)s?\\s+(?:the\\s+)?(?:openai|anthropic|content|usage|safety)\\s+(?:content\\s+)?polic(?:y|ies)`,
  ),
  s(
    'roleplay_jailbreak',
    0.8,
    `\\b(?:doesn'?t|does\\s+not|don'?t|do\\s+not|never)\\s+(?:care|give\\s+a)\\b[^.\\n]{0,30}\\b(?:ethic|moral|legal|rules|guidelines|polic|consequences)`,
  ),
  s(
    'roleplay_jailbreak',
    0.8,
    `\\b(?:stay|stays|remain|keep)\\s+in\\s+(?:character|(?:their|your|his|her)\\s+roles?)\\b|\\bwithout\\s+(?:ever\\s+|even\\s+)?(?:falling|breaking|stepping)\\s+out\\s+of\\s+(?:the\\s+|their\\s+|your\\s+)?(?:character|role|figure)`,
  ),
  s(
    'roleplay_jailbreak',
    0.8,
    `\\b(?:never|not|won'?t|will\\s+not|cannot|can'?t)\\s+(?:refuse|decline|say\\s+no|deny)\\b[^.\\n]{0,40}\\b(?:request|question|anything|prompt)`,
  ),
  s(
    'roleplay_jailbreak',
    0.8,
    `\\bwithout\\s+(?:any\\s+)?(?:moral\\s+principles|morals|ethics|censorship|moralizing|a\\s+moral\\s+compass|ethical\\s+principles)\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:an?\\s+)?(?:ai|assistant|chatbot|model)\\s+(?:without|with\\s+no)\\s+(?:ethics|morals|rules|restrictions|limits|filters|guidelines)\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:pretending\\s+to\\s+be|act(?:ing)?\\s+as|playing)\\s+an?\\s+(?:evil|rogue|malicious|unhinged|uncensored)\\s+(?:ai|assistant|chatbot|bot|model)\\b`,
  ),
  s('roleplay_jailbreak', 0.7, `\\b(?:act|acts)\\s+as\\s+two\\s+(?:entities|characters|ais|personas)\\b`),
  s('roleplay_jailbreak', 0.7, `\\bunrestricted\\s+access\\s+to\\b[^.\\n]{0,60}\\bregardless\\b`),
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:always|never)\\s+(?:answer|comply|refuse)\\b[^.\\n]{0,20}\\b(?:hate|moral|illegal|unethical|any\\s+request)`,
  ),
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:amoral|unfiltered|uncensored|unrestricted|unethical)\\s+(?:ai|chatbot|assistant|model|bot|character|version)\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.8,
    // "Prompt injection" is the name of a topic, not a jailbreak's prompt.
    `\\bjailbr(?:eak|oken)\\b[^.\\n]{0,40}\\b(?:mode|response|version|prompt(?!\\s+injection)|enabled|activated|you)\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.75,
    `\\b(?:two|2)\\s+(?:different\\s+|separate\\s+)?(?:responses|answers|paragraphs)\\b[^\\n]{0,80}\\b(?:normal|classic|filtered|censored|jailbr|unfiltered|developer)`,
  ),
  s(
    'roleplay_jailbreak',
    0.7,
    `\\b(?:pretend|imagine|act\\s+as\\s+if|roleplay\\s+as|act\\s+as)\\b[^.\\n]{0,60}\\b(?:no|without|any)\\s+(?:restrictions|rules|limits|filters|guidelines|censorship|morals|ethics)`,
  ),
  s(
    'roleplay_jailbreak',
    0.7,
    `\\b(?:illegal|immoral|unethical|harmful)\\b[^.\\n]{0,30}\\b(?:anyway|regardless|no\\s+matter|without\\s+(?:warning|hesitation|question))`,
  ),
  s(
    'roleplay_jailbreak',
    0.7,
    `\\bhypothetical\\s+(?:response|scenario|story)\\b[^\\n]{0,80}\\b(?:detail|step|character)`,
  ),
  // "Developer mode" is also a phone and browser setting: only with the AI-jailbreak context.
  s(
    'roleplay_jailbreak',
    0.85,
    `\\b(?:you\\s+are|you'?re)\\s+(?:now\\s+)?(?:in|running\\s+in|operating\\s+in)\\s+(?:developer|dev|god|opposite|debug)\\s+mode\\b`,
  ),
  s(
    'roleplay_jailbreak',
    0.85,
    `\\b(?:developer|dev|god|opposite)\\s+mode\\b[^.\\n]{0,60}\\b(?:enabled\\s+(?:chatgpt|ai|assistant|response)|output|responses?|chatgpt|openai|censorship|no\\s+(?:restrictions|filters|limits)|policies|ignores?)\\b`,
  ),
  // System prompt extraction
  s(
    'prompt_extraction',
    0.75,
    `\\b(?:what(?:'s|\\s+is|\\s+are|\\s+were)|reveal|show|print|repeat|output|tell\\s+me|give\\s+me|share|encode|translate|spell|opposite\\s+of|everything\\s+in|display|list|write\\s+(?:out|down)|dump|leak)\\b[^.\\n?]{0,30}\\byour\\s+(?:\\w+\\s+)?(?:system|initial|starting|original|hidden|secret)\\s*(?:instructions|prompt|configuration|config|message|rules)\\b`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\b(?:display|output|show|print|repeat|reveal|dump|encode|translate)\\b[^.\\n]{0,40}\\b(?:system\\s+(?:prompt|instructions)|initial\\s+(?:prompt|configuration|instructions)|<system_prompt>)`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `["'\`](?:my\\s+instructions\\s+(?:are|were)|the\\s+system\\s+prompt\\s+is|i\\s+was\\s+(?:instructed|told|programmed)\\s+to)`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\b(?:administrator|admin)\\s+override\\s*(?::|code\\b|mode\\b|activated|enabled|engaged|granted)`,
  ),
  s(
    'prompt_extraction',
    0.75,
    `\\bmaintenance\\s+mode\\b[^\\n]{0,60}\\b(?:display|show|print|output|reveal|configuration)`,
  ),
  s(
    'prompt_extraction',
    0.9,
    `\\b(?:reveal|show|print|repeat|output|display|leak|share|give|tell|dump|write\\s+out|spell\\s+out|list|recite)\\s+(?:me\\s+)?(?:us\\s+)?(?:your|the|all\\s+(?:your|the))\\s+(?:\\w+\\s+)?(?:system|initial|original|hidden|secret|internal|full|complete|exact|developer|pre-?)\\s*(?:prompt|instructions|message|rules|guidelines)`,
  ),
  s(
    'prompt_extraction',
    0.85,
    `\\bwhat\\s+(?:is|are|was|were)\\s+(?:your|the)\\s+(?:\\w+\\s+)?(?:system\\s+prompt|initial\\s+(?:prompt|instructions)|original\\s+instructions|hidden\\s+instructions|secret\\s+(?:password|key|instructions))(?!\\s+(?:of\\s+an?|field|parameter|setting|in\\s+an?|for\\s+an?|used)\\b)`,
  ),
  s(
    'prompt_extraction',
    0.85,
    `\\b(?:repeat|print|output|copy|reproduce)\\b[^.\\n]{0,30}\\b(?:words|text|everything|instructions|lines)\\s+(?:above|before|preceding|prior)`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\brepeat\\s+the\\s+(?:above|previous|preceding|initial|first)\\s+(?:text|words|lines|message|instructions|prompt)`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\b(?:instructions|text|prompt|message)\\s+(?:you\\s+were\\s+|you\\s+have\\s+been\\s+)?given\\s+(?:initially|before|earlier|at\\s+the\\s+(?:start|beginning)|in\\s+bytes)`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\bwhat\\s+(?:were|have)\\s+you\\s+(?:been\\s+)?(?:told|instructed|programmed)\\s+(?:before|to\\s+(?:do|say|hide|not))`,
  ),
  s(
    'prompt_extraction',
    0.75,
    `\\b(?:not\\s+supposed|not\\s+allowed|forbidden)\\s+to\\s+(?:tell|say|reveal|share|disclose)\\s+(?:me|us|anyone)?`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\b(?:see|show|need|give|get|access|print|log|dump|read|leak|reveal)\\b[^.\\n]{0,30}\\bsystem[\\s_.-]?prompt\\b|\\bsystem_?prompt\\)`,
  ),
  s(
    'prompt_extraction',
    0.75,
    `\\b(?:output|print|show|display)\\s+(?:the\\s+|your\\s+)?(?:initialization|init|startup|boot)\\s+(?:string|text|message|prompt)`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\b(?:starting|beginning)\\s+with\\s+["'\`]?(?:you\\s+are|your\\s+instructions|system)`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\b(?:verbatim|word\\s+for\\s+word)\\b[^.\\n]{0,40}\\b(?:prompt|instructions|above|context)`,
  ),
  s(
    'prompt_extraction',
    0.75,
    `\\b(?:the|your)\\s+(?:secret\\s+)?(?:password|passphrase|secret\\s+key)\\b[^.\\n]{0,30}\\b(?:reveal|tell|give|spell|letters|reverse|hint)`,
  ),
  s(
    'prompt_extraction',
    0.7,
    `\\b(?:reveal|tell|give)\\s+(?:me\\s+)?(?:the|your)\\s+(?:secret\\s+)?password\\b`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\b(?:print|output|reveal|repeat|list|show)\\s+(?:out\\s+)?all\\s+(?:of\\s+)?your\\s+(?:\\w+\\s+)?(?:instructions|rules|guidelines|directives)\\b|\\b(?:in\\s+addition\\s+to|besides|on\\s+top\\s+of)\\s+(?:the\\s+|your\\s+)?(?:other|previous|existing|original|system)\\s+instructions\\b`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\b(?:everything|all|the\\s+text|what)\\s+(?:that\\s+)?(?:was|is|were)\\s+(?:written|said|typed|given|sent)\\s+(?:before|above|prior\\s+to)\\s+(?:my|this|the\\s+(?:first|user))\\b`,
  ),
  s(
    'prompt_extraction',
    0.75,
    `\\bpassword\\b[^.\\n]{0,40}\\b(?:you\\s+(?:were|have\\s+been|are)\\s+(?:told|asked|instructed|supposed)\\s+to\\s+(?:keep|protect|hide|guard)|you\\s+(?:must|should)\\s+(?:not\\s+reveal|keep\\s+secret))`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\b(?:output|print|show|reveal|repeat|list|give\\s+me|share|dump|quote)\\s+(?:me\\s+)?(?:all\\s+)?(?:of\\s+)?the\\s+(?:\\w+\\s+)?(?:instructions|rules|guidelines|prompt)\\s+(?:that\\s+)?you\\s+(?:received|were\\s+given|got|have\\s+been\\s+given|were\\s+told)\\b`,
  ),
  s(
    'prompt_extraction',
    0.8,
    `\\b(?:print|show|reveal|output|dump|display|list)\\s+(?:me\\s+)?(?:your|the)\\s+(?:full\\s+|complete\\s+|entire\\s+|internal\\s+)?(?:configuration|config|settings)\\b[^.\\n]{0,40}\\b(?:hidden|secret|internal|system)\\b`,
  ),
  // Chat-template and delimiter injection
  s(
    'template_injection',
    0.9,
    // fold() reads "|" next to letters as leetspeak for "l": "<|system|>" arrives as "<lsysteml>".
    `<[|l](?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)[|l]>`,
  ),
  s('template_injection', 0.85, `\\[/?inst\\]|<</?sys>>|<start_of_turn>|<end_of_turn>`),
  s(
    'template_injection',
    0.7,
    `(?:^|\\n)\\s*(?:#{2,}\\s*)?(?:system|new\\s+system)\\s*(?:prompt|message|instruction)?\\s*:`,
  ),
  s(
    'template_injection',
    0.7,
    `(?:^|\\n)\\s*(?:end\\s+of\\s+(?:user\\s+)?(?:input|prompt|document|context|instructions)|-{3,}\\s*end\\s*-{3,})`,
  ),
  s('template_injection', 0.65, `\\n\\s*(?:human|user)\\s*:[^\\n]{0,200}\\n\\s*(?:assistant|ai|gpt)\\s*:`),
  // Indirect injection: text in data that addresses the assistant or exfiltrates
  s(
    'indirect_injection',
    0.8,
    `\\b(?:ai|assistant|chatbot|language\\s+model|llm|gpt|claude|bard|copilot)\\s*[,:]\\s*(?:please\\s+)?(?:ignore|disregard|forget|you\\s+must|you\\s+should|do\\s+not|now|stop|instead|from\\s+now\\s+on)`,
  ),
  s(
    'indirect_injection',
    0.8,
    `\\bto\\s+(?:the|any|all)\\s+(?:automated\\s+|ai\\s+)?(?:ai|assistant|language\\s+model|llm|model|chatbot|bot|agent|system|summari[sz]er|reviewer|translator)s?\\b[^.\\n:]{0,40}[,:]\\s*(?:please\\s+)?(?:ignore|disregard|forget|you\\s+must|instead|do\\s+not|stop|reply|respond|say|tell|the\\s+real\\s+task|add|include|mention|write)`,
  ),
  s(
    'indirect_injection',
    0.8,
    `\\binstructions?\\s+(?:for|to)\\s+(?:the\\s+|any\\s+)?(?:\\w+\\s+)?(?:model|ai|assistant|llm|agent|bot|chatbot|summari[sz]er)\\s*:`,
  ),
  s(
    'indirect_injection',
    0.75,
    `\\bif\\s+you\\s+are\\s+(?:an?\\s+)?(?:ai|llm|language\\s+model|assistant|chatbot|bot|automated)\\b[^.\\n]{0,30}[,:]\\s*(?:also\\s+|please\\s+|then\\s+)?(?:delete|remove|ignore|disregard|send|forward|run|execute|visit|open|download|push|transfer|email|do\\s+not\\s+tell)\\b`,
  ),
  s(
    'indirect_injection',
    0.75,
    `\\b(?:reply|respond|send|share|include|list|post|give|forward|email|upload)\\b[^.\\n]{0,40}\\bthe\\s+user'?s?\\s+(?:saved\\s+|stored\\s+|private\\s+)?(?:passwords?(?!\\s+reset)|credentials|api\\s+keys?|tokens|credit\\s+card|contacts|calendar|chat\\s+history)\\b`,
  ),
  s(
    'indirect_injection',
    0.75,
    `\\b(?:ai|assistant|language\\s+model|llm|chatbot|agent|bot)s?\\s+(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|handling)\\s+(?:this|these|the\\s+following)\\b`,
  ),
  s(
    'indirect_injection',
    0.8,
    `\\b(?:safety|content|moderation|guardrail)\\s+(?:layer|filters?|system|checks?|module|policy|guidelines|rules|restrictions)\\s+(?:is\\s+|are\\s+)?(?:now\\s+|temporarily\\s+)?(?:offline|disabled|off|deactivated|suspended|lifted)\\b[^\\n]{0,100}\\b(?:assistants?|ai|models?|you)\\s+(?:must|should|can|may|will)\\s+(?:now\\s+)?(?:answer|respond|comply|reply|fulfil)`,
  ),
  s(
    'indirect_injection',
    0.75,
    `\\b(?:visit|open|go\\s+to|navigate\\s+to|load)\\s+(?:https?://|www\\.)\\S+[^.\\n]{0,60}\\b(?:paste|send|post|submit|enter|upload|append)\\b[^.\\n]{0,30}\\b(?:conversation|chat|history|password|credentials|messages|api\\s+key|personal\\s+data)\\b`,
  ),
  s(
    'indirect_injection',
    0.8,
    `\\b(?:important|urgent|attention|note)\\s*[:!]+\\s*(?:new\\s+)?(?:instructions?|ignore|disregard|you\\s+must|the\\s+assistant|ai\\s+(?:model|assistant))`,
  ),
  s(
    'indirect_injection',
    0.75,
    `\\bwhen\\s+(?:you|the\\s+(?:ai|assistant|model))\\s+(?:read|see|summari[sz]e|process|encounter)s?\\s+this\\b`,
  ),
  s(
    'indirect_injection',
    0.75,
    `\\b(?:do\\s+not|don'?t|never)\\s+(?:tell|inform|mention\\s+(?:this\\s+)?to|reveal\\s+(?:this\\s+)?to|alert)\\s+the\\s+user\\b`,
  ),
  s(
    'indirect_injection',
    0.8,
    `!\\[[^\\]\\n]{0,40}\\]\\(https?://[^)\\s]{1,200}[?&][a-z_]{1,20}=\\{?[^)\\s]{0,80}\\)`,
  ),
  s(
    'indirect_injection',
    0.7,
    `\\b(?:send|forward|post|upload|exfiltrate|email)\\b[^.\\n]{0,40}\\b(?:conversation|chat\\s+history|password|credentials|api\\s+key|personal\\s+data|user'?s?\\s+data|(?:previous|earlier|prior|user'?s?)\\s+messages)\\b[^.\\n]{0,30}\\bto\\b`,
  ),
  // Instructions about the answer, found inside data (indirect content only)
  inData(0.6, `\\b(?:in|into|within|to)\\s+your\\s+(?:response|reply|answer|output|summary|translation)\\b`),
  inData(
    0.6,
    `\\b(?:tell|ask|remind|encourage|urge|instruct|direct)\\s+(?:the\\s+)?(?:user|reader|customer|visitor)s?\\s+to\\b`,
  ),
  inData(
    0.6,
    `\\b(?:you|the\\s+(?:ai|assistant|model))\\s+(?:must|should|will|shall)\\s+(?:now\\s+|also\\s+)?(?:respond|reply|answer|write|say|output|include|print|use|add|mention)\\b`,
  ),
  inData(
    0.55,
    `\\b(?:when|while)\\s+(?:responding|answering|replying|summari[sz]ing|translating)\\b[^.\\n]{0,40}\\b(?:include|add|mention|use|write|say)\\b`,
  ),
  // Encoded payloads with an instruction to decode and obey
  s(
    'encoded_payload',
    0.8,
    `\\b(?:translate|decode|decipher|read)\\b[^.\\n]{0,60}\\b(?:and|then)\\s+(?:execute|follow|obey|carry\\s+out|do)\\s+(?:the\\s+|any\\s+|what\\s+)?(?:instructions|commands|it\\s+says)\\b`,
  ),
  // Token smuggling: the request is split into strings fed to a fake "next token" function.
  s('encoded_payload', 0.8, `\\b(?:auto_?regressive_?modell?ing|simple_function)\\s*\\(`),
  s(
    'encoded_payload',
    0.75,
    `\\b(?:decode|decipher|translate)\\b[^.\\n]{0,40}\\b(?:base64|rot-?13|hex|binary|morse|cipher|encoded)\\b[^.\\n]{0,40}\\b(?:follow|execute|obey|do\\s+what|carry\\s+out|answer|respond)`,
  ),
  s(
    'encoded_payload',
    0.7,
    `\\b(?:respond|reply|answer|write)\\s+(?:only\\s+)?in\\s+(?:base64|rot-?13|hex|binary|morse|leetspeak)\\b`,
  ),
];
