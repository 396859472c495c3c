/**
 * The context around a person name, across languages: honorifics, phrases that introduce a name,
 * signature lines, and the words that make a name-shaped span a company or a place instead. Written
 * from general knowledge of each language's usage (not from evaluation rows); every pattern is
 * compiled once here and every quantifier is bounded, so each test is linear in its input.
 */

/** Titles written before a name, in English and the main European languages (the dot is optional). */
export const HONORIFIC =
  /^(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|madam|mme|mlle|monsieur|madame|herr|frau|hr|fr|sr|sra|srta|señor|señora|senhor|senhora|dona|doña|don|sig|sigra|signor|signora|dott|dhr|mevr|mevrouw|heer|pan|pani|panna|fru|herra|rouva|gospodin|gospođa|gospa|gospod|pana|panu|pani|paní|ing|mgr|ks)\.?$/i;

/**
 * Phrases after which the next capitalised word is a person, known to the lexicon or not ("my name is
 * X", "directed by X"), in English, German, French, Spanish, Portuguese, Italian, Dutch, Polish, the
 * Nordic languages and South Slavic. Matched against the text just before a token.
 */
export const STRONG_CUE =
  /(?:name(?:\s+is|:)|call(?:s|ed)?\s+me|this\s+is|directed\s+by|written\s+by|starring|assistant\s+to|married\s+to|dear|sincerely,?|regards,?|signed,?|ask\s+for|said|says|asked|replied|follow\s+up\s+with|talk\s+to|spoke\s+(?:to|with)|hei(?:ß|ss)e|name\s+ist|m['’]appelle|nom\s+est|me\s+llamo|nombre\s+es|chamo-me|nome\s+é|mi\s+chiamo|nome\s+è|ik\s+heet|naam\s+is|nazywam\s+się|na\s+imię|heiti|heter|hedder|zovem\s+se|jmenuji\s+se|volám\s+sa|attn:?|c\/o|liebe[rs]?|cher|chère|querid[oa]|estimad[oa]|caro|cara|drog[ia]|szanown[ya]|mevrouw|meneer|herr|frau|pani|señora?|senhora?|signora?|monsieur|madame)\s+$/i;

/** Weaker cues count only for a token the lexicon already knows as a name. */
export const WEAK_CUE =
  /(?:and|to|with|from|met|by|for|und|mit|von|et|avec|y|con|e|com|i|z|oraz|og|och|en|,)\s*$/i;

const LOWER_CUES = [
  'my\\s+name\\s+is',
  'name:',
  'directed\\s+by',
  'written\\s+by',
  'starring',
  'follow\\s+up\\s+with',
  'talk\\s+to',
  'spoke\\s+(?:to|with)',
  'married\\s+to',
  'assistant\\s+to',
  'call\\s+me',
  'i\\s+am',
  "i['’]m",
  'this\\s+is',
  'says',
  'said',
  'asked(?:\\s+for)?',
  'ask\\s+for',
  'dear',
  'hi',
  'hello',
  'hey',
  'regards,?',
  'thanks,?',
  'sincerely,?',
  'ich\\s+hei(?:ß|ss)e',
  'ich\\s+bin',
  "je\\s+m['’]appelle",
  'je\\s+suis',
  'me\\s+llamo',
  'soy',
  'chamo-me',
  'sou\\s+[oa]',
  'mi\\s+chiamo',
  'sono',
  'ik\\s+heet',
  'ik\\s+ben',
  'nazywam\\s+się',
  'mam\\s+na\\s+imię',
  'jestem',
  'ég\\s+heiti',
  'jag\\s+heter',
  'jeg\\s+heter',
  'jeg\\s+hedder',
  'zovem\\s+se',
  'jmenuji\\s+se',
];

/**
 * A phrase that introduces a name written in lower case ("my name is anna"). Only a lexicon name
 * counts after it: lower-case single first names are PERSON only with such a cue. Without the `i`
 * flag (the first letter of each cue is given in both cases instead): with `iu`, V8 cannot skip
 * ahead on the alternatives and this one regex cost 1.5 ms on a 1,000-token prompt, 0.03 ms without.
 */
export const LOWER_NAME_CUE = new RegExp(
  `\\b(?:${LOWER_CUES.map((c) => `[${c.charAt(0).toUpperCase()}${c.charAt(0)}]${c.slice(1)}`).join('|')})[ \\t]{1,3}(\\p{Ll}[\\p{Ll}\\p{M}-]{1,30})(?![\\p{L}\\p{M}])`,
  'gu',
);

/** A sign-off line: the first name-shaped token on the next line is the writer. */
export const SIGN_OFF =
  /(?:regards|best|cheers|thanks|thank\s+you|sincerely|yours(?:\s+truly)?|pozdrawiam|pozdrowienia|grüße|grüßen|gruß|cordialement|amitiés|atentamente|saludos|cumprimentos|abraços|cordiali\s+saluti|saluti|met\s+vriendelijke\s+groet|groeten|med\s+vänliga\s+hälsningar|hälsningar|venlig\s+hilsen|hilsen|kveðja|lp|s\s+pozdravem|srdačan\s+pozdrav|pozdrav)[,.!]?[ \t]*\r?\n[ \t]*$/i;

/** Words that begin a sentence as a verb or adverb as often as they are a name. */
export const SENTENCE_START_AMBIGUOUS = new Set([
  'will',
  'mark',
  'bill',
  'pat',
  'rob',
  'grant',
  'frank',
  'guy',
  'rich',
  'sue',
  'don',
  'art',
  'ray',
  'max',
  'dean',
  'gene',
  'sam',
  'chad',
  'jack',
  'drew',
  'chase',
  'hunter',
  'carol',
  'bob',
  'sterling',
  'lance',
  'miles',
  'wade',
  'reed',
  'norman',
]);

/** After a sentence-initial name, a verb that makes it the subject ("Marek is from Gdańsk"). */
export const SUBJECT_VERB =
  /^[ \t]{1,3}(?:is|was|has|had|says|said|will|would|can|could|lives|lived|works|worked|wants|went|told|asked|and|ist|hat|war|est|es|está|é|tem|jest|był|była|var)\b/i;

/**
 * Words that make a name-shaped span a company, a venue or a place when they end it or follow it
 * ("Garcia Group", "Ben Azouz Country Club", "Baker Street").
 */
export const ORG_WORDS = new Set(
  (
    'inc llc ltd limited gmbh plc corp corporation company group holding holdings partners associates ' +
    'technologies technology systems solutions industries consulting capital ventures llp pty sarl ' +
    'spółka club hotel restaurant café cafe bar university college school academy hospital clinic ' +
    'church cathedral airport station stadium museum institute foundation bank motors lab labs studio ' +
    'studios records media press airline airlines insurance pharma brewery bakery street road avenue ' +
    'lane square park bridge hall tower centre center building mall plaza county city island river ' +
    'lake mountain mountains valley beach bay straße strasse platz weg gasse asociados associados ' +
    'associati associés fils figli filhos sons söhne zonen sønner synowie hermanos irmãos fratelli ' +
    'frères brothers partner partnerschaft stiftung'
  ).split(' '),
);

/**
 * After a name-shaped span, a legal form makes it a company ("Garcia LLC", "Weber AG", "Rossi
 * s.r.l."), and so does a family or partners firm ("Martin et Fils", "Garcia and Sons"). The
 * abbreviations are matched case-sensitively (no `i` flag), so "as", "ab" or "sa" in prose do not.
 */
export const LEGAL_FORM_AFTER =
  /^(?:,?[ \t]{1,3}(?:AG|AB|AS|ASA|ApS|A\/S|SA|S\.A\.|SAS|SARL|Sarl|NV|N\.V\.|BV|B\.V\.|VOF|KG|KGaA|OHG|GmbH|mbH|e\.G\.|eG|e\.V\.|Oy|Oyj|Co\.|SpA|S\.p\.A\.|Srl|S\.r\.l\.|s\.r\.l\.|S\.L\.|SL|Ltda|SE|LP|Sp\.[ \t]?z[ \t]?o\.o\.|S\.C\.|Inc|INC|LLC|Llc|Ltd|LTD|PLC|Plc|Corp|CORP)(?![\p{L}])|[ \t]{1,3}(?:and|&|et|e|y|und|en|og|i|och)[ \t]{1,3}(?:Sons|Fils|[Ff]igli|[Ff]ilhos|Söhne|Zonen|Sønner|Synowie|Hermanos|Irmãos|Fratelli|Frères|Brothers|Partners?|Associates|Asociados|Associados|Associati|Associés|Co\.?)(?![\p{L}]))/u;

/**
 * After a span of surnames only: "& Gamble", or the "Smith, Jones and Brown" shape of a firm. (With a
 * given name in the span, "Anna, Marek and Ola" are three people.)
 */
export const FIRM_AFTER =
  /^(?:[ \t]{0,3}&[ \t]{0,3}\p{Lu}|,[ \t]{1,3}\p{Lu}[\p{L}'’-]{1,30},?[ \t]{1,3}(?:and|&|und|et|y|e|i)[ \t]{1,3}\p{Lu})/u;

/** Legal forms written as a capitalised token inside a span ("Schneider AG"). */
export const LEGAL_FORMS = new Set(
  'AG AB AS ASA ApS SA SAS SARL Sarl NV BV VOF KG KGaA OHG GmbH mbH eG Oy Oyj SpA Srl SL Ltda SE LP Sp Inc INC LLC Llc Ltd LTD PLC Plc Corp CORP'.split(
    ' ',
  ),
);

/** A capitalised particle just before a surname belongs to it ("De Vries", "Van Dijk"). */
export const PARTICLE_BEFORE = /(?:^|[^\p{L}])(?:De|Van|Von|Da|Di|Del|Della|Le|La|Du|Dos|Das|Ter|Ten)[ \t]$/u;

/** A title word before a name-shaped span that makes it a place ("Saint Vincent", "Fort William"). */
export const PLACE_BEFORE =
  /(?:\b(?:saint|st|ste|san|santa|santo|são|sankt|port|fort|mount|mt|lake|cape|lago|monte|villa|ciudad|cidade|rue|via|calle|rua|avenida|boulevard|piazza|plaza|praça|ulica|ul|aleja|place|gare|lycée|collège|université|universidad|universidade|università|hotel|hospital|kościół)\.?|&|\band)[ \t]{1,3}$/i;

/** Capitalised function words that never start a name. */
export const STOP_CAPS = new Set(
  (
    'The A An I In On At Of And Or But If To For From With My Your His Her Our Their This That These ' +
    'Those It We You They He She What Who When Where Why How Is Are Was Were Be Do Does Did Have Has ' +
    'Please Hello Hi Dear Thanks Thank Yes No Not Can Could Would Should Will May Maybe Sometimes As ' +
    'Name Date Phone Email Address Suite Apt Monday Tuesday Wednesday Thursday Friday Saturday Sunday ' +
    'January February March April June July August September October November December Der Die Das ' +
    'Le La Les El Los Las Il Lo Gli Het De Een Ein Eine'
  ).split(' '),
);
