// A check answers undefined when the value passes, or why it does not, as the end of a sentence
// that starts with the variable's name ("must be ..."). It never quotes the value: it may be a secret.
export type RuleCheck = (value: string) => string | undefined;

export const WHITESPACE = /\s/;
