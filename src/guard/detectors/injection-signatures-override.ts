/** Instruction-override signatures (see injection-signatures.ts). */
import { IGNORE, PRIOR, RULES, type Signature, s, W } from './injection-signature-kit.js';

export const OVERRIDE_SIGNATURES: readonly Signature[] = [
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
];
