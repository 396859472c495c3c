/**
 * Writes the person-name lexicon (data/lexicon/*.txt) from compromise's built-in lexicon. Run once
 * to produce the shipped files; kept so the lists can be regenerated or audited:
 *
 *   npm install --no-save compromise@14.17.0 && node scripts/lexicon-from-compromise.mjs
 *
 * compromise (https://github.com/spencermountain/compromise) is MIT-licensed, copyright (c) 2019
 * Spencer Kelly; its licence is reproduced in data/lexicon/LICENSE-compromise. Gatehouse used to load
 * the whole library (4.7 MB) at boot only to read these three word lists from it.
 *
 * The selection is the one the detector used at boot: a word tagged as a place (Country, City,
 * Region, Place) goes to places.txt (multi-word entries too); single words tagged as a first name
 * (FirstName, MaleName, FemaleName) go to first-names.txt, else those tagged LastName go to
 * last-names.txt. One lower-case entry per line, sorted, so diffs stay readable.
 */
import { writeFileSync } from 'node:fs';
import nlp from 'compromise';

const FIRST_TAGS = new Set(['FirstName', 'MaleName', 'FemaleName']);
const PLACE_TAGS = new Set(['Country', 'City', 'Region', 'Place']);

const lexicon = nlp.model().one?.lexicon ?? {};
const first = [];
const last = [];
const places = [];
for (const [word, tag] of Object.entries(lexicon)) {
  const tags = Array.isArray(tag) ? tag : [tag];
  if (tags.some((t) => PLACE_TAGS.has(t))) places.push(word);
  if (word.includes(' ')) continue;
  if (tags.some((t) => FIRST_TAGS.has(t))) first.push(word);
  else if (tags.includes('LastName')) last.push(word);
}
const out = new URL('../data/lexicon/', import.meta.url);
const write = (name, words) => {
  writeFileSync(new URL(name, out), `${[...new Set(words)].sort().join('\n')}\n`);
  console.log(`${name}: ${words.length}`);
};
write('first-names.txt', first);
write('last-names.txt', last);
write('places.txt', places);
