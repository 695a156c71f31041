//! How Chinese (and mixed) text becomes terms: jieba's search-mode words, with a domain dictionary users can
//! extend, plus every character bigram of each run of Chinese characters, so that a word the dictionary lacks is
//! still found through its bigrams; Latin letters and digits as lower-case words. Indexing and querying use the
//! same analyzer, which is what makes the two meet.

use std::io::BufRead;
use std::sync::Arc;

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Words that carry no subject in patent and achievement prose: they would match everything.
const STOP_WORDS: &[&str] = &[
    "一种",
    "所述",
    "本发明",
    "本申请",
    "本实用新型",
    "涉及",
    "包括",
    "其中",
    "以及",
    "通过",
    "用于",
    "进行",
    "具有",
    "可以",
    "能够",
    "实现",
    "提供",
    "该",
    "及",
    "与",
    "和",
    "或",
    "的",
    "了",
    "在",
    "是",
    "为",
    "对",
    "将",
    "从",
    "其",
    "并",
    "等",
    "上",
    "中",
    "下",
    "个",
    "所",
    "由",
    "被",
    "使",
    "于",
    "之",
    "以",
    "及其",
    "一个",
    "多个",
    "至少",
];

/// The terms of a text, in order, with their byte offsets.
#[derive(Clone)]
pub struct Analyzer {
    jieba: Arc<Jieba>,
}

/// What kind of term: a dictionary word (or Latin word), or a bigram standing in for unknown words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    Word,
    Bigram,
}

/// A term of a text and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub kind: TermKind,
    pub from: usize,
    pub to: usize,
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

impl Analyzer {
    /// jieba's dictionary with the shipped domain words and `extra` dictionaries (one word a line, optionally
    /// followed by a frequency and a part of speech, as jieba's own).
    pub fn new(extra: &mut [&mut dyn BufRead]) -> Result<Analyzer, crate::SearchError> {
        let mut jieba = Jieba::new();
        let mut domain = crate::DOMAIN_DICTIONARY.as_bytes();
        load(&mut jieba, &mut domain, "the shipped domain dictionary")?;
        for (i, dict) in extra.iter_mut().enumerate() {
            load(&mut jieba, dict, &format!("user dictionary {}", i + 1))?;
        }
        Ok(Analyzer { jieba: Arc::new(jieba) })
    }

    /// The terms of `text`: words, and the bigrams of every Chinese run of two characters or more.
    pub fn terms(&self, text: &str) -> Vec<Term> {
        let mut out = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some(&(start, c)) = chars.peek() {
            if is_han(c) {
                let mut end = start;
                while let Some(&(i, c)) = chars.peek() {
                    if !is_han(c) {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                self.han_run(&text[start..end], start, &mut out);
            } else if c.is_alphanumeric() {
                let mut end = start;
                while let Some(&(i, c)) = chars.peek() {
                    if !c.is_alphanumeric() || is_han(c) {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                let word = text[start..end].to_lowercase();
                if !STOP_WORDS.contains(&word.as_str()) {
                    out.push(Term { text: word, kind: TermKind::Word, from: start, to: end });
                }
            } else {
                chars.next();
            }
        }
        // In the order of the text, as snippets read them.
        out.sort_by_key(|t| (t.from, t.to));
        out
    }

    fn han_run(&self, run: &str, offset: usize, out: &mut Vec<Term>) {
        // Byte offset of each character, and of the end, for jieba's character positions.
        let bytes: Vec<usize> = run.char_indices().map(|(i, _)| i).chain(std::iter::once(run.len())).collect();
        let characters = bytes.len() - 1;
        for token in self.jieba.cut_for_search(run, true) {
            let chars = token.end - token.start;
            // A single character is a word only where the run is that one character: otherwise its bigrams say
            // more.
            if (chars < 2 && characters > 1) || STOP_WORDS.contains(&token.word) {
                continue;
            }
            let (from, to) = (offset + bytes[token.start], offset + bytes[token.end]);
            out.push(Term { text: token.word.to_owned(), kind: TermKind::Word, from, to });
        }
        for pair in bytes.windows(3) {
            let (from, to) = (pair[0], pair[2]);
            out.push(Term {
                text: format!("#{}", &run[from..to]),
                kind: TermKind::Bigram,
                from: offset + from,
                to: offset + to,
            });
        }
    }
}

fn load(jieba: &mut Jieba, dict: &mut dyn BufRead, what: &str) -> Result<(), crate::SearchError> {
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        number += 1;
        let read = dict.read_line(&mut line).map_err(|e| crate::SearchError::Dictionary(format!("{what}: {e}")))?;
        if read == 0 {
            return Ok(());
        }
        let entry = line.trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        let mut parts = entry.split_whitespace();
        let word = parts.next().unwrap_or_default();
        let freq = match parts.next() {
            Some(f) => Some(f.parse::<usize>().map_err(|_| {
                crate::SearchError::Dictionary(format!("{what}, line {number}: '{f}' is not a frequency"))
            })?),
            None => None,
        };
        jieba.add_word(word, freq, parts.next());
    }
}

/// The analyzer as a tantivy tokenizer.
#[derive(Clone)]
pub(crate) struct AnalyzerTokenizer(pub Analyzer);

pub(crate) struct Terms {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for AnalyzerTokenizer {
    type TokenStream<'a> = Terms;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Terms {
        let tokens = self
            .0
            .terms(text)
            .into_iter()
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: t.from,
                offset_to: t.to,
                position,
                text: t.text,
                position_length: 1,
            })
            .collect();
        Terms { tokens, next: 0 }
    }
}

impl TokenStream for Terms {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        Analyzer::new(&mut []).expect("analyzer")
    }

    #[test]
    fn words_come_from_the_dictionary_and_bigrams_cover_the_rest() {
        let terms = analyzer().terms("一种锂离子电池正极材料");
        let words: Vec<&str> = terms.iter().filter(|t| t.kind == TermKind::Word).map(|t| t.text.as_str()).collect();
        assert!(words.contains(&"锂离子") || words.contains(&"离子"), "{words:?}");
        assert!(words.contains(&"电池") && words.contains(&"正极") && words.contains(&"材料"), "{words:?}");
        assert!(!words.contains(&"一种"), "boilerplate is no term");
        let bigrams: Vec<&str> = terms.iter().filter(|t| t.kind == TermKind::Bigram).map(|t| t.text.as_str()).collect();
        assert_eq!(bigrams.len(), 10, "one per adjacent pair of the 11 characters: {bigrams:?}");
        for t in &terms {
            let shown = &"一种锂离子电池正极材料"[t.from..t.to];
            assert_eq!(shown, t.text.trim_start_matches('#'), "offsets point at the term");
        }
    }

    #[test]
    fn latin_words_and_numbers_are_lower_case_terms() {
        let terms: Vec<String> = analyzer().terms("基于CNN的PM2.5预测").into_iter().map(|t| t.text).collect();
        assert!(terms.contains(&"cnn".to_owned()) && terms.contains(&"pm2".to_owned()), "{terms:?}");
    }

    #[test]
    fn a_user_dictionary_makes_its_words_whole() {
        let before = analyzer().terms("钙钛矿叠层电池");
        assert!(!before.iter().any(|t| t.text == "钙钛矿叠层"), "not a word of jieba's own");
        let mut dict: &[u8] = "钙钛矿叠层 2000 n\n".as_bytes();
        let after = Analyzer::new(&mut [&mut dict]).expect("analyzer").terms("钙钛矿叠层电池");
        assert!(after.iter().any(|t| t.text == "钙钛矿叠层" && t.kind == TermKind::Word), "{after:?}");
        let mut bad: &[u8] = "钙钛矿 many\n".as_bytes();
        let refused = Analyzer::new(&mut [&mut bad]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("line 1") && refused.contains("many"), "{refused}");
    }
}
