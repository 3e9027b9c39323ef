//! How text becomes terms, for Chinese and English in one text.
//!
//! Every text passes the same normaliser first: compatibility forms folded (full-width
//! `ＷｉＦｉ` is `WiFi`, `①` is `1`), traditional characters turned simplified (`退貨` is
//! `退货`). Token offsets point back into the original text, so highlights land on what
//! the user wrote.
//!
//! Two analysers then read it:
//! - **words**: jieba's segmentation (search mode, so `退换货` also yields `退换` and
//!   `换货`), tokens without a letter or digit dropped, lower-cased, stop words of both
//!   languages dropped, English stemmed (`refunds` and `refunded` are `refund`);
//! - **chars**: one token per Han character and one per run of letters or digits, in
//!   order, with positions: the whole query as an exact phrase ranks phrase hits first;
//! - **pairs**: every two Han characters of a run (no punctuation, space or Latin between
//!   them) that are next to each other or one apart: `退换货` makes `退换`, `退货`,
//!   `换货`. A query word that segmentation splits differently from the document (`退货`
//!   against `如何办理退换货`) is still found, as one term, without reading positions.

use tantivy::tokenizer::{Language, LowerCaser, Stemmer, StopWordFilter, TextAnalyzer, Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;

/// Name under which the words analyser is registered in the index.
pub const WORDS: &str = "kefu_words";
/// Name under which the characters analyser is registered in the index.
pub const CHARS: &str = "kefu_chars";
/// Name under which the character pairs analyser is registered in the index.
pub const PAIRS: &str = "kefu_pairs";

/// English function words (Lucene's classic list) and the filler of questions people type
/// into a help center ("how do I ...").
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such",
    "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with", "how", "do", "does", "i", "my", "me",
    "can", "what", "why", "you", "your", "we", "our", "please",
];

/// Chinese function words and query filler that say nothing about the topic. English
/// stop words come from tantivy's list. Kept short on purpose: a word that is a topic in
/// a help center (`退`, `换`, `问题`) must stay.
const CHINESE_STOP_WORDS: &[&str] = &[
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "嘛",
    "么",
    "是",
    "在",
    "和",
    "与",
    "及",
    "或",
    "就",
    "都",
    "也",
    "还",
    "又",
    "把",
    "被",
    "给",
    "让",
    "我",
    "我们",
    "你",
    "你们",
    "您",
    "他",
    "她",
    "它",
    "这",
    "那",
    "这个",
    "那个",
    "这些",
    "那些",
    "有",
    "没",
    "没有",
    "一个",
    "一下",
    "怎么",
    "怎么办",
    "怎样",
    "怎么样",
    "如何",
    "咋",
    "咋办",
    "为什么",
    "为啥",
    "什么",
    "啥",
    "哪里",
    "哪儿",
    "请问",
    "请",
    "想",
    "要",
    "能",
    "能不能",
    "可以",
    "可不可以",
    "会",
    "应该",
    "需要",
    "已经",
    "一直",
    "老是",
    "总是",
    "不",
    "很",
    "太",
    "好",
    "谢谢",
];

/// Whether `word` is a stop word of either language.
pub fn is_stop_word(word: &str) -> bool {
    CHINESE_STOP_WORDS.contains(&word) || ENGLISH_STOP_WORDS.contains(&word)
}

/// The words analyser: what the `title`, `body` and `private` fields are indexed with.
pub fn words_analyzer() -> TextAnalyzer {
    let stop_words = ENGLISH_STOP_WORDS.iter().chain(CHINESE_STOP_WORDS).map(|w| (*w).to_owned());
    TextAnalyzer::builder(Normalizing::new(JiebaWords::default()))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(stop_words))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The characters analyser: what the `*_chars` fields are indexed with.
pub fn chars_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(Normalizing::new(HanCharsAndWords)).filter(LowerCaser).build()
}

/// The character pairs analyser: what the `*_pairs` fields are indexed with.
pub fn pairs_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(Normalizing::new(HanPairs::default())).build()
}

/// The pairs of a Chinese word as a query asks for them: each character with the next
/// (`挖掘机` is `挖掘` and `掘机`). A document holding them all usually holds the word, or
/// the word with a character inside; the pairs may also come from different places
/// (`挖掘` and `掘进机`), a loss of precision taken for not reading positions.
pub fn adjacent_pairs(characters: &[String]) -> Vec<String> {
    characters.windows(2).map(|pair| pair.concat()).collect()
}

/// Jieba (search mode) without the whitespace and punctuation tokens it emits, and with
/// positions counted in tokens.
#[derive(Clone, Default)]
pub struct JiebaWords {
    inner: tantivy_jieba::JiebaTokenizer,
}

impl Tokenizer for JiebaWords {
    type TokenStream<'a> = JiebaWordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        JiebaWordStream {
            inner: self.inner.token_stream(text),
        }
    }
}

pub struct JiebaWordStream<'a> {
    inner: tantivy_jieba::JiebaTokenStream<'a>,
}

impl TokenStream for JiebaWordStream<'_> {
    fn advance(&mut self) -> bool {
        while self.inner.advance() {
            if self.inner.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// Whether `c` is a Han (CJK ideograph) character.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

/// One token per Han character, one per run of other letters and digits.
#[derive(Clone, Default)]
pub struct HanCharsAndWords;

impl Tokenizer for HanCharsAndWords {
    type TokenStream<'a> = HanCharsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        HanCharsStream {
            text,
            cursor: 0,
            position: 0,
            token: Token::default(),
        }
    }
}

pub struct HanCharsStream<'a> {
    text: &'a str,
    cursor: usize,
    position: usize,
    token: Token,
}

impl TokenStream for HanCharsStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.cursor..];
        let Some((start, first)) = rest.char_indices().find(|(_, c)| c.is_alphanumeric()) else {
            self.cursor = self.text.len();
            return false;
        };
        let from = self.cursor + start;
        let to = if is_han(first) {
            from + first.len_utf8()
        } else {
            let word = &self.text[from..];
            from + word
                .char_indices()
                .find(|(_, c)| !c.is_alphanumeric() || is_han(*c))
                .map_or(word.len(), |(i, _)| i)
        };
        self.cursor = to;
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.position;
        self.token.position_length = 1;
        self.position += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Every two Han characters of a run that are next to each other or one apart.
#[derive(Clone, Default)]
pub struct HanPairs {
    /// Made for each text at once (they are few and short), reused between texts.
    tokens: Vec<Token>,
}

impl Tokenizer for HanPairs {
    type TokenStream<'a> = PairsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.tokens.clear();
        let mut run: Vec<(usize, char)> = Vec::new();
        let chars = text.char_indices().chain(std::iter::once((text.len(), ' ')));
        for (offset, c) in chars {
            if is_han(c) {
                run.push((offset, c));
                continue;
            }
            for (i, &(from, first)) in run.iter().enumerate() {
                for &(second_at, second) in run.iter().skip(i + 1).take(2) {
                    let position = self.tokens.len();
                    self.tokens.push(Token {
                        offset_from: from,
                        offset_to: second_at + second.len_utf8(),
                        position,
                        text: [first, second].iter().collect(),
                        position_length: 1,
                    });
                }
            }
            run.clear();
        }
        PairsStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

pub struct PairsStream<'a> {
    tokens: &'a mut Vec<Token>,
    /// The token after the current one.
    next: usize,
}

impl TokenStream for PairsStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Text after folding compatibility forms and traditional characters, with the offset of
/// every byte in the original.
#[derive(Default, Clone)]
pub struct NormalizedText {
    text: String,
    /// `origin[i]` is the original byte offset of normalised byte `i`; one extra entry for
    /// the end.
    origin: Vec<usize>,
}

impl NormalizedText {
    pub fn of(original: &str) -> Self {
        let mut normalized = NormalizedText::default();
        normalized.fill(original);
        normalized
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn fill(&mut self, original: &str) {
        self.text.clear();
        self.origin.clear();
        let mut folded = String::with_capacity(original.len());
        for (offset, c) in original.char_indices() {
            let before = folded.len();
            // One character at a time, so every output byte knows where it came from.
            if c.is_ascii() {
                folded.push(c);
            } else {
                folded.extend(std::iter::once(c).nfkc());
            }
            self.origin.extend(std::iter::repeat_n(offset, folded.len() - before));
        }
        self.origin.push(original.len());
        // Traditional to simplified maps character to character, but not always to one of
        // the same byte length; offsets follow characters.
        let simplified = fast2s::convert(&folded);
        if simplified.len() == folded.len() {
            self.text = simplified;
            return;
        }
        let mut origin = Vec::with_capacity(simplified.len() + 1);
        let mut folded_offsets = folded.char_indices().map(|(i, _)| i);
        for c in simplified.chars() {
            let source = folded_offsets.next().map_or(original.len(), |i| self.origin[i]);
            origin.extend(std::iter::repeat_n(source, c.len_utf8()));
        }
        origin.push(original.len());
        self.text = simplified;
        self.origin = origin;
    }

    fn original_offset(&self, normalized: usize) -> usize {
        self.origin
            .get(normalized)
            .copied()
            .unwrap_or_else(|| self.origin.last().copied().unwrap_or(0))
    }
}

/// Runs `inner` on the normalised text and maps its offsets back to the original.
#[derive(Clone)]
pub struct Normalizing<T> {
    inner: T,
    /// Reused between texts.
    buffer: NormalizedText,
}

impl<T> Normalizing<T> {
    pub fn new(inner: T) -> Self {
        Normalizing {
            inner,
            buffer: NormalizedText::default(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for Normalizing<T> {
    type TokenStream<'a> = NormalizedStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.buffer.fill(text);
        let buffer: &'a NormalizedText = &self.buffer;
        NormalizedStream {
            inner: self.inner.token_stream(buffer.as_str()),
            buffer,
        }
    }
}

pub struct NormalizedStream<'a, S> {
    inner: S,
    buffer: &'a NormalizedText,
}

impl<S: TokenStream> TokenStream for NormalizedStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        token.offset_from = self.buffer.original_offset(token.offset_from);
        token.offset_to = self.buffer.original_offset(token.offset_to);
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// The words a text is about, for counting topics (hot issues): jieba's ordinary
/// segmentation (not search mode, so `退换货` is one word, not also `退换` and `换货`),
/// normalised and lower-cased like the index, stop words dropped, but not stemmed (the
/// words are shown to people). Single Han characters, single letters and pure numbers
/// (order numbers, amounts) say little about a topic and are left out. Each word once,
/// in order of first appearance.
pub fn topic_words(text: &str) -> Vec<String> {
    thread_local! {
        static ANALYZER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(topics_analyzer());
    }
    let mut seen = std::collections::HashSet::new();
    ANALYZER.with_borrow_mut(|analyzer| {
        terms(analyzer, text)
            .into_iter()
            .map(|(_, word)| word)
            .filter(|word| word.chars().count() >= 2 && !word.chars().all(|c| c.is_numeric()))
            .filter(|word| seen.insert(word.clone()))
            .collect()
    })
}

fn topics_analyzer() -> TextAnalyzer {
    let stop_words = ENGLISH_STOP_WORDS.iter().chain(CHINESE_STOP_WORDS).map(|w| (*w).to_owned());
    TextAnalyzer::builder(Normalizing::new(JiebaWords {
        inner: tantivy_jieba::JiebaTokenizer::with_search_mode(false),
    }))
    .filter(LowerCaser)
    .filter(StopWordFilter::remove(stop_words))
    .build()
}

/// The terms `analyzer` makes of `text`, in order, with their positions.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push((token.position, token.text.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        terms(&mut words_analyzer(), text).into_iter().map(|(_, t)| t).collect()
    }

    fn chars(text: &str) -> Vec<String> {
        terms(&mut chars_analyzer(), text).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn words_segment_chinese_and_stem_english_in_one_text() {
        let terms = words("如何办理退换货？Refunds are processed in 3 days");
        assert!(terms.contains(&"退换货".to_owned()), "{terms:?}");
        assert!(terms.contains(&"refund".to_owned()), "{terms:?}");
        assert!(terms.contains(&"process".to_owned()), "{terms:?}");
        assert!(!terms.contains(&"are".to_owned()), "English stop words dropped: {terms:?}");
        assert!(
            !terms.iter().any(|t| t.trim().is_empty() || t == "？"),
            "no punctuation tokens: {terms:?}"
        );
    }

    #[test]
    fn full_width_and_traditional_forms_fold() {
        assert_eq!(words("ＷｉＦｉ"), words("wifi"));
        assert_eq!(chars("退貨"), vec!["退", "货"]);
        assert!(words("發票").contains(&"发票".to_owned()), "{:?}", words("發票"));
    }

    #[test]
    fn chars_split_han_per_character_and_keep_words_whole() {
        assert_eq!(chars("S3手表 Wi-Fi连不上"), vec!["s3", "手", "表", "wi", "fi", "连", "不", "上"]);
    }

    #[test]
    fn pairs_join_han_characters_next_to_each_other_or_one_apart_within_a_run() {
        let pairs = |text| terms(&mut pairs_analyzer(), text).into_iter().map(|(_, t)| t).collect::<Vec<_>>();
        assert_eq!(pairs("退换货"), vec!["退换", "退货", "换货"]);
        assert_eq!(
            pairs("退貨，運費 S3手表"),
            vec!["退货", "运费", "手表"],
            "runs end at anything not Han"
        );
        assert_eq!(pairs("退 a"), Vec::<String>::new());
        assert_eq!(adjacent_pairs(&chars("挖掘机")), vec!["挖掘", "掘机"]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Ｓ３手表充不進電";
        let mut analyzer = chars_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut spans = Vec::new();
        while stream.advance() {
            let t = stream.token();
            spans.push(text[t.offset_from..t.offset_to].to_owned());
        }
        assert_eq!(spans, vec!["Ｓ３", "手", "表", "充", "不", "進", "電"]);
    }

    #[test]
    fn topic_words_are_whole_words_once_without_numbers_or_filler() {
        let words = topic_words("S3手表充不进电，订单 20261124 的手表怎么办？Watches won't charge");
        assert!(words.contains(&"手表".to_owned()), "{words:?}");
        assert_eq!(words.iter().filter(|w| *w == "手表").count(), 1, "each word once: {words:?}");
        assert!(words.contains(&"s3".to_owned()), "{words:?}");
        assert!(words.contains(&"watches".to_owned()), "not stemmed: {words:?}");
        assert!(!words.contains(&"20261124".to_owned()), "numbers left out: {words:?}");
        assert!(!words.contains(&"怎么办".to_owned()), "filler left out: {words:?}");
        assert!(words.iter().all(|w| w.chars().count() >= 2), "{words:?}");
        let whole = topic_words("如何办理退换货");
        assert!(
            whole.contains(&"退换货".to_owned()) && !whole.contains(&"换货".to_owned()),
            "{whole:?}"
        );
    }

    #[test]
    fn chinese_filler_words_are_dropped_but_topics_stay() {
        let terms = words("手表充不进电怎么办");
        assert!(terms.contains(&"手表".to_owned()), "{terms:?}");
        assert!(!terms.contains(&"怎么办".to_owned()), "{terms:?}");
    }
}
