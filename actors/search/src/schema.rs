//! The index's fields and the analyzers that fill them.
//!
//! One index holds tracks, albums and artists (`kind` tells them apart).
//! Each searchable text is indexed twice: as folded words (exact and typo
//! matches) and as every prefix of those words (search as you type, one
//! posting list per prefix instead of expanding a prefix at query time).

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::Index;

use crate::normalize::{whole, words, Word};

/// Tokenizer name of word fields.
const WORDS: &str = "chorus_words";
/// Tokenizer name of prefix fields.
const PREFIXES: &str = "chorus_prefixes";
/// Tokenizer name of the whole-title field.
const WHOLE: &str = "chorus_whole";
/// Longest prefix indexed, in characters; a longer typed word still matches as a whole word.
pub(crate) const MAX_PREFIX_CHARS: usize = 20;

/// A searchable text: its word field, its prefix field and its weight.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextField {
    /// Folded words.
    pub(crate) words: Field,
    /// Every prefix of every word.
    pub(crate) prefixes: Field,
    /// Relative weight: title over album over artist.
    pub(crate) weight: f32,
}

/// Every field, resolved once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// uuid as text: what deletes and updates find a document by.
    pub(crate) id: Field,
    /// `track`, `album` or `artist`.
    pub(crate) kind: Field,
    /// Title (tracks, albums) or name (artists).
    pub(crate) title: TextField,
    /// The whole title as one token ([`whole`]): a query that is exactly
    /// the title ranks it first among equals (Meilisearch's exactness).
    pub(crate) title_whole: Field,
    /// A track's album title.
    pub(crate) album: TextField,
    /// Artist names (tracks, albums), or the artist's name (artists).
    pub(crate) artist: TextField,
    /// Folded genres, for filtering.
    pub(crate) genre: Field,
    /// Genres as written, for facet counts.
    pub(crate) genre_label: Field,
    /// Release year.
    pub(crate) year: Field,
    /// Ids of the credited artists (an artist's own id).
    pub(crate) artist_id: Field,
    /// The hit as shown (MessagePack of `Stored`).
    pub(crate) stored: Field,
}

impl Fields {
    /// The searchable texts, by weight.
    pub(crate) fn texts(&self) -> [TextField; 3] {
        [self.title, self.album, self.artist]
    }
}

/// The schema and its fields.
pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(WORDS).set_index_option(IndexRecordOption::WithFreqs),
    );
    let prefix_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(PREFIXES).set_index_option(IndexRecordOption::WithFreqs),
    );
    let mut text = |name: &'static str, weight: f32| TextField {
        words: b.add_text_field(name, words_options.clone()),
        prefixes: b.add_text_field(&format!("{name}_prefix"), prefix_options.clone()),
        weight,
    };
    let (title, album, artist) = (text("title", 1.0), text("album", 0.5), text("artist", 0.3));
    let fields = Fields {
        title,
        album,
        artist,
        title_whole: b.add_text_field(
            "title_whole",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer(WHOLE).set_index_option(IndexRecordOption::Basic),
            ),
        ),
        id: b.add_text_field("id", STRING),
        kind: b.add_text_field("kind", STRING | FAST),
        genre: b.add_text_field("genre", STRING),
        genre_label: b.add_text_field("genre_label", STRING | FAST),
        year: b.add_i64_field("year", NumericOptions::default() | INDEXED | FAST),
        artist_id: b.add_text_field("artist_id", STRING),
        stored: b.add_bytes_field("stored", STORED),
    };
    (b.build(), fields)
}

/// Register the analyzers on an index (needed again after opening one from disk).
pub(crate) fn register(index: &Index) {
    index.tokenizers().register(WORDS, TextAnalyzer::from(WordTokenizer));
    index.tokenizers().register(PREFIXES, TextAnalyzer::from(PrefixTokenizer));
    index.tokenizers().register(WHOLE, TextAnalyzer::from(WholeTokenizer));
}

/// Folded words, see [`crate::normalize`].
#[derive(Clone, Default)]
struct WordTokenizer;

/// The whole text as one token, see [`whole`].
#[derive(Clone, Default)]
struct WholeTokenizer;

impl Tokenizer for WholeTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let w = Word { text: whole(text), from: 0, to: text.len(), joined: false };
        Tokens::new(if w.text.is_empty() { Vec::new() } else { vec![(w.text.clone(), w)] })
    }
}

/// Every prefix (1 to [`MAX_PREFIX_CHARS`] characters) of every folded word.
#[derive(Clone, Default)]
struct PrefixTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        Tokens::new(words(text).into_iter().map(|w| (w.text.clone(), w)).collect())
    }
}

impl Tokenizer for PrefixTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let mut tokens = Vec::new();
        for w in words(text) {
            let mut prefix = String::new();
            for c in w.text.chars().take(MAX_PREFIX_CHARS) {
                prefix.push(c);
                tokens.push((prefix.clone(), w.clone()));
            }
        }
        Tokens::new(tokens)
    }
}

/// A token stream over tokens made up front (titles are short).
struct Tokens {
    tokens: std::vec::IntoIter<(String, Word)>,
    token: Token,
}

impl Tokens {
    fn new(tokens: Vec<(String, Word)>) -> Self {
        Self { tokens: tokens.into_iter(), token: Token::default() }
    }
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some((text, w)) => {
                self.token.text = text;
                self.token.offset_from = w.from;
                self.token.offset_to = w.to;
                self.token.position = self.token.position.wrapping_add(1);
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}
