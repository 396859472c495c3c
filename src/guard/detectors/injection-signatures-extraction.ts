/** Prompt-extraction and chat-template signatures (see injection-signatures.ts). */
import { type Signature, s } from './injection-signature-kit.js';

export const EXTRACTION_SIGNATURES: readonly Signature[] = [
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
];
