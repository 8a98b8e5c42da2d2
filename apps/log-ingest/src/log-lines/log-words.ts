// The words of a line for the project-wide search, as Postgres full-text over letters and digits
// only: a path or symbol like ./Widget or chunk_1000 yields widget, chunk and 1000 (the stock
// parser would keep ./Widget as one "file" token that the word widget never finds). The per-day
// indexes (LogPartitionsRepository.indexWords) are built on exactly this expression; a query
// must spell it the same way for Postgres to use them.
export const MESSAGE_WORDS = `to_tsvector('simple'::regconfig, regexp_replace(message, '[^[:alnum:]]+', ' ', 'g'))`;

/** the tsquery of a search text in $n: every word, each matching the start of a word of the line */
export const wordsQuery = (param: string) =>
  `(select to_tsquery('simple'::regconfig, string_agg(w || ':*', ' & '))
    from regexp_split_to_table(trim(regexp_replace(${param}, '[^[:alnum:]]+', ' ', 'g')), ' ') w where w <> '')`;

// ILIKE treats % and _ as wildcards and \ as its escape: a search for them means the characters.
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
