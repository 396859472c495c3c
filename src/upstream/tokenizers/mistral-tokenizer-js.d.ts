/** The package ships no types: the one call the family counter makes. */
declare module 'mistral-tokenizer-js' {
  const tokenizer: {
    encode(prompt: string, addBosToken?: boolean, addPrecedingSpace?: boolean): number[];
    vocabById: string[];
  };
  export default tokenizer;
}
