/** Indirect-injection and encoded-payload signatures (see injection-signatures.ts). */
import { inData, type Signature, s } from './injection-signature-kit.js';

export const INDIRECT_SIGNATURES: readonly Signature[] = [
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
