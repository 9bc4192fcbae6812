//! Which language a note is written in: an ISO 639-1 code, or `und` when the
//! note has too few words to tell.
//!
//! Two steps, both a single pass over the note:
//!
//! 1. **Script.** Letters are counted by script. Kana means Japanese, Hangul
//!    Korean, Han without kana Chinese; Cyrillic, Greek, Arabic, Hebrew, Thai and
//!    Devanagari name their usual language (Ukrainian and Persian by the letters
//!    only they use). Han, kana and Hangul characters count three times a Latin
//!    letter, since one of them carries about a word's worth of text.
//! 2. **Latin-script languages.** A naive Bayes model over lower-cased words and
//!    word endings, learnt from the project's own multilingual corpus
//!    ([`LangModel::fit`]) and embedded in the crate ([`LangModel::embedded`]).
//!    A note none of whose words the model knows is `und`.
//!
//! The model is a hash table of 8-bit log-probabilities per language, looked up
//! once per word; it does not allocate per note.

use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::text::hash::{fmix, hash_bytes};
use crate::text::tokens::{ascii_prefix, skip_words, LOW_BITS};

/// The code for "too little text to tell".
pub const UNDETERMINED: &str = "und";

/// The languages told apart by script alone.
pub const SCRIPT_LANGUAGES: [&str; 11] = ["ja", "zh", "ko", "ru", "uk", "el", "ar", "fa", "he", "th", "hi"];

/// Scale of the stored 8-bit log-probabilities: a stored `-8` is one nat.
const SCALE: f32 = 8.0;
/// Words shorter than this many bytes are looked up whole only, never by ending.
const SUFFIX_MIN: usize = 5;
/// Bytes in a word ending.
const SUFFIX_LEN: usize = 3;
/// Bytes of a word its features read: longer runs of letters are cut (they are
/// keys and strings of junk, not words).
const WORD_MAX: usize = 32;
/// Word features looked up before the scores may count as settled.
const SETTLED_AFTER: u32 = 8;
/// Lead of the best language over the second, in stored units, at which the
/// scores are settled (ten nats: odds of over 20,000 to 1).
const SETTLED_MARGIN: i32 = 24;
/// The most features a model keeps (its most frequent ones).
const MAX_FEATURES: usize = 24_000;
/// File magic of a serialised language model.
const MAGIC: &[u8; 8] = b"NTLANG02";

/// The embedded language model (see `crates/notetag/models/lang.bin`).
static EMBEDDED: &[u8] = include_bytes!("../../models/lang.bin");

/// Scripts the detector counts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Latin,
    Kana,
    Han,
    Hangul,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Thai,
    Devanagari,
}

const SCRIPTS: usize = 10;

/// Whether `c` is a letter ([`char::is_alphabetic`]), and the script it counts
/// for, if any, by Unicode range (tests check every character).
#[inline]
fn letter_script(c: char) -> (bool, Option<Script>) {
    use Script::*;
    let script = match c as u32 {
        // Ranges of letters only, or of no letters, answered outright (the
        // Unicode tables cost more), the most frequent first.
        0x61..=0x7A | 0x41..=0x5A => return (true, Some(Latin)),
        0..=0x7F => return (false, None),
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => return (true, Some(Han)),
        0x3041..=0x3096 | 0x30A1..=0x30FA => return (true, Some(Kana)),
        0xAC00..=0xD7A3 => return (true, Some(Hangul)),
        0xD7 | 0xF7 => return (false, None),
        0xC0..=0x24F => return (true, Some(Latin)),
        0x400..=0x481 | 0x48A..=0x4FF => return (true, Some(Cyrillic)),
        0x500..=0x52F => return (true, None),
        0x2000..=0x206F
        | 0x2600..=0x27BF
        | 0x3000..=0x3004
        | 0x3008..=0x3020
        | 0xFE00..=0xFE0F
        | 0xFF01..=0xFF20
        | 0x1F300..=0x1FAFF => return (false, None),
        // The rest of each script's ranges, which mix letters with marks, signs
        // and unassigned code points.
        0x1E00..=0x1EFF => Some(Latin),
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9D => Some(Kana),
        0xF900..=0xFAFF | 0x20000..=0x2FA1F => Some(Han),
        0x1100..=0x11FF | 0x3130..=0x318F | 0xD7A4..=0xD7AF => Some(Hangul),
        0x482..=0x489 => Some(Cyrillic),
        0x370..=0x3FF | 0x1F00..=0x1FFF => Some(Greek),
        0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Some(Arabic),
        0x590..=0x5FF => Some(Hebrew),
        0xE00..=0xE7F => Some(Thai),
        0x900..=0x97F => Some(Devanagari),
        _ => None,
    };
    (c.is_alphabetic(), script)
}

/// Letters per script in a note, plus the marks that split a script between two
/// languages, and its words.
#[derive(Default)]
struct ScriptCounts {
    n: [u32; SCRIPTS],
    /// Runs of letters (any script) outside the pieces that hold no words.
    words: u32,
    ukrainian: bool,
    persian: bool,
}

impl ScriptCounts {
    /// Count `c`, a character of script `k`.
    #[inline]
    fn add(&mut self, k: Script, c: char) {
        self.n[k as usize] += 1;
        match k {
            Script::Cyrillic => self.ukrainian |= matches!(c, 'і' | 'ї' | 'є' | 'ґ' | 'І' | 'Ї' | 'Є' | 'Ґ'),
            Script::Arabic => self.persian |= matches!(c, 'پ' | 'چ' | 'ژ' | 'گ' | 'ی'),
            _ => {}
        }
    }

    /// The script with the most weight (CJK characters count three), if any.
    fn main(&self) -> Option<Script> {
        const ALL: [Script; SCRIPTS] = [
            Script::Latin,
            Script::Kana,
            Script::Han,
            Script::Hangul,
            Script::Cyrillic,
            Script::Greek,
            Script::Arabic,
            Script::Hebrew,
            Script::Thai,
            Script::Devanagari,
        ];
        let (kana, han, hangul) = (Script::Kana as usize, Script::Han as usize, Script::Hangul as usize);
        let mut weight = self.n;
        if self.n[kana] > 0 {
            // Japanese mixes kana and Han: the two count together for it.
            (weight[kana], weight[han]) = (3 * (self.n[kana] + self.n[han]), 0);
        } else {
            weight[han] *= 3;
        }
        weight[hangul] *= 3;
        // The first of the heaviest scripts, when any letter was counted.
        let (mut best, mut main) = (0, None);
        for (&w, k) in weight.iter().zip(ALL) {
            if w > best {
                (best, main) = (w, Some(k));
            }
        }
        main
    }
}

/// A naive Bayes model of Latin-script languages over words and word endings.
#[derive(Debug, Clone, PartialEq)]
pub struct LangModel {
    codes: Vec<String>,
    /// Open-addressing table of feature hashes (0 = empty slot), a power of two long.
    keys: Vec<u32>,
    /// `codes.len()` log-probabilities per slot, relative to the feature's best
    /// language, times [`SCALE`].
    rows: Vec<i8>,
}

/// Whether Latin-language scores are settled: the best leads the second by
/// [`SETTLED_MARGIN`].
fn settled(score: &[i32]) -> bool {
    let (mut best, mut second) = (i32::MIN, i32::MIN);
    for &s in score {
        if s > best {
            (best, second) = (s, best);
        } else if s > second {
            second = s;
        }
    }
    best - second >= SETTLED_MARGIN
}

/// The features of one word: the word, and its ending when it is long enough.
fn word_features(word: &[u8], mut f: impl FnMut(u32)) {
    let key = |seed: u64, b: &[u8]| (fmix(hash_bytes(seed, b)) >> 32) as u32 | 1;
    f(key(0x1A, word));
    if word.len() >= SUFFIX_MIN {
        f(key(0x2B, &word[word.len() - SUFFIX_LEN..]));
    }
}

/// The part of a whitespace-separated piece that can hold words (`colon`: whether
/// the piece holds a `:`), as its length
/// in bytes (the piece is cut where a link starts inside it: text written up to
/// a URL with no space), or `None` when it can hold none: URLs, `nostr:`
/// references, mentions (`@…`, `#[0]`), custom emoji shortcodes (`:name:`),
/// Lightning invoices and long identifiers mixing letters and digits (keys,
/// hashes).
fn word_part(b: &[u8], colon: bool) -> Option<usize> {
    let &first = b.first()?;
    // Links, `nostr:` references and shortcodes all hold a colon; most pieces
    // have none.
    let b = if colon {
        let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
        let b = match find(b, b"http") {
            Some(i) if i > 0 && (b[i..].starts_with(b"http://") || b[i..].starts_with(b"https://")) => &b[..i],
            _ => b,
        };
        let shortcode = b.len() >= 3 && b[0] == b':' && b[b.len() - 1] == b':';
        if shortcode || b.starts_with(b"nostr:") || find(b, b"://").is_some() {
            return None;
        }
        b
    } else {
        b
    };
    // Mentions, `#[0]` references, bare `www.` links and Lightning invoices, by
    // their first byte.
    let marked = match first {
        b'@' => true,
        b'#' => b.starts_with(b"#["),
        b'w' => b.starts_with(b"www."),
        b'l' => b.starts_with(b"lnbc") || b.starts_with(b"lnurl"),
        _ => false,
    };
    // All alphanumeric first: a piece of words fails that at its first other
    // character, where looking for a digit first would read all of it.
    let ident = || b.len() >= 20 && b.iter().all(u8::is_ascii_alphanumeric) && b.iter().any(u8::is_ascii_digit);
    (!marked && !ident()).then_some(b.len())
}

/// Whether an ASCII byte separates pieces (what `char::is_whitespace` says of it).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

/// The length in bytes of the whitespace character (`char::is_whitespace`)
/// that UTF-8 text `b` starts with, or 0 when it starts with another
/// character (a test checks every one). Never a match in the middle of a
/// character, whose bytes are all 0x80 to 0xBF.
#[inline]
fn space_len(b: &[u8]) -> usize {
    match *b {
        [c, ..] if c.is_ascii() => usize::from(is_space(c)),
        [0xC2, 0x85 | 0xA0, ..] => 2,
        [0xE1, 0x9A, 0x80, ..]
        | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
        | [0xE2, 0x81, 0x9F, ..]
        | [0xE3, 0x80, 0x80, ..] => 3,
        _ => 0,
    }
}

/// One pass over the word-carrying pieces of `text` (see [`word_part`]):
/// counts letters per script and words into `counts`, and calls `f` with every
/// word written in Latin letters, lower-cased and cut to [`WORD_MAX`] bytes. A
/// word is a run of letters (apostrophes, digits and everything else end it).
/// Once `f` returns false it is not called again; the counting goes on, except
/// in an ASCII note, where it stops too (every letter is Latin, so nothing
/// further can change the note's script or language).
fn scan(text: &str, counts: &mut ScriptCounts, f: impl FnMut(&[u8]) -> bool) {
    let mut words = Words {
        counts,
        f,
        want: true,
        buf: [0; WORD_MAX],
    };
    // Eight bytes at a time (`str::is_ascii` reads the bytes after its last
    // 64-byte block one by one).
    if ascii_prefix(text.as_bytes()) == text.len() {
        // All of an ASCII note is Latin: once its language is settled the rest
        // has nothing to change.
        for_each_piece(text, |piece, colon, _| {
            if let Some(n) = word_part(piece.as_bytes(), colon) {
                words.ascii(&piece.as_bytes()[..n]);
            }
            words.want
        });
        return;
    }
    for_each_piece(text, |piece, colon, ascii| {
        match word_part(piece.as_bytes(), colon) {
            Some(n) if ascii || (piece.is_char_boundary(n) && piece[..n].is_ascii()) => {
                words.ascii(&piece.as_bytes()[..n])
            }
            Some(n) if piece.is_char_boundary(n) => words.chars(&piece[..n]),
            _ => {}
        }
        true
    });
}

/// Calls `take` with each piece of `text` between whitespace characters
/// (`char::is_whitespace`), whether the piece holds a `:`, and whether it is
/// ASCII, until `take` returns false.
fn for_each_piece(text: &str, mut take: impl FnMut(&str, bool, bool) -> bool) {
    let b = text.as_bytes();
    let (mut start, mut i, mut colon, mut ascii) = (0, 0, false, true);
    while let Some(&c) = b.get(i) {
        // Runs of ASCII letters, digits and punctuation eight bytes at a time;
        // other characters one by one, by their first bytes: only ASCII and a
        // few leading bytes can start a whitespace character.
        let space = match c {
            b':' => {
                colon = true;
                0
            }
            b'!'..=b'~' => {
                let (Ok(j) | Err(j)) = skip_words(b, i + 1, piece_stops);
                i = j;
                continue;
            }
            0..=0x7F => usize::from(is_space(c)),
            0xC2 | 0xE1..=0xE3 => space_len(&b[i..]),
            _ => 0,
        };
        if space == 0 {
            ascii &= c.is_ascii();
            i += utf8_len(c);
        } else {
            if !take(&text[start..i], colon, ascii) {
                return;
            }
            i += space;
            (start, colon, ascii) = (i, false, true);
        }
    }
    take(&text[start..], colon, ascii);
}

/// Each byte of `x` (little-endian) with its high bit set where the byte may end
/// a run of [`for_each_piece`]: a space or control character (below `!`), a
/// `:`, or a byte of a non-ASCII character. Exact for the lowest such byte;
/// the bits above it are noise (a borrow only starts at a marked byte).
#[inline]
fn piece_stops(x: u64) -> u64 {
    let below_bang = x.wrapping_sub(LOW_BITS * 0x21) & !x;
    let colons = x ^ (LOW_BITS * u64::from(b':'));
    let colon = colons.wrapping_sub(LOW_BITS) & !colons;
    x | below_bang | colon
}

/// The length in bytes of the UTF-8 character whose first byte is `lead`.
#[inline]
fn utf8_len(lead: u8) -> usize {
    1 + usize::from(lead >= 0xC0) + usize::from(lead >= 0xE0) + usize::from(lead >= 0xF0)
}

/// The word pass of [`scan`].
struct Words<'c, F> {
    counts: &'c mut ScriptCounts,
    f: F,
    /// Whether `f` still wants words.
    want: bool,
    buf: [u8; WORD_MAX],
}

impl<F: FnMut(&[u8]) -> bool> Words<'_, F> {
    /// The words of an ASCII piece.
    fn ascii(&mut self, b: &[u8]) {
        let letter = |c: u8| (c | 0x20).wrapping_sub(b'a') < 26;
        let mut rest = b;
        while let Some(start) = rest.iter().position(|&c| letter(c)) {
            let word = &rest[start..];
            let len = word.iter().position(|&c| !letter(c)).unwrap_or(word.len());
            rest = &word[len..];
            self.counts.n[Script::Latin as usize] += len as u32;
            self.counts.words += 1;
            if self.want {
                let n = len.min(WORD_MAX);
                for (d, &c) in self.buf.iter_mut().zip(&word[..n]) {
                    *d = c | 0x20;
                }
                self.want = (self.f)(&self.buf[..n]);
            }
        }
    }

    /// The words of a piece with non-ASCII characters.
    fn chars(&mut self, piece: &str) {
        // In a run of letters; bytes of it in `buf`; all its letters Latin.
        let (mut in_word, mut n, mut latin) = (false, 0usize, true);
        for c in piece.chars().chain(std::iter::once(' ')) {
            let (letter, script) = letter_script(c);
            if let Some(k) = script {
                self.counts.add(k, c);
            }
            if letter {
                if !in_word {
                    (in_word, n, latin) = (true, 0, true);
                    self.counts.words += 1;
                }
                latin &= script == Some(Script::Latin);
                if self.want && latin {
                    match latin1_lowercase(c) {
                        Some(l) => self.push(&mut n, l),
                        None => c.to_lowercase().for_each(|l| self.push(&mut n, l)),
                    }
                }
            } else if in_word {
                in_word = false;
                if self.want && latin {
                    self.want = (self.f)(&self.buf[..n]);
                }
            }
        }
    }

    /// Append `c`'s UTF-8 bytes to the word in `buf`, which holds `n` bytes, as
    /// far as [`WORD_MAX`] bytes (cutting `c` if it does not fit).
    #[inline]
    fn push(&mut self, n: &mut usize, c: char) {
        let mut tmp = [0u8; 4];
        for &byte in c.encode_utf8(&mut tmp).as_bytes() {
            if *n < WORD_MAX {
                self.buf[*n] = byte;
                *n += 1;
            }
        }
    }
}

/// The lower case of `c` when it is an ASCII or Latin-1 letter (each has a
/// single character for its lower case), without the Unicode tables.
#[inline]
fn latin1_lowercase(c: char) -> Option<char> {
    match c {
        'A'..='Z' | 'À'..='Ö' | 'Ø'..='Þ' => char::from_u32(c as u32 + 0x20),
        'a'..='z' | 'ß'..='ö' | 'ø'..='ÿ' => Some(c),
        _ => None,
    }
}

impl LangModel {
    /// The model embedded in the crate (parsed once, on first use).
    pub fn embedded() -> &'static LangModel {
        static MODEL: OnceLock<LangModel> = OnceLock::new();
        MODEL.get_or_init(|| LangModel::from_bytes(EMBEDDED).expect("the embedded language model is valid"))
    }

    /// The Latin-script languages the model tells apart.
    pub fn codes(&self) -> impl Iterator<Item = &str> + '_ {
        self.codes.iter().map(String::as_str)
    }

    /// Learns a model from `(text, code)` pairs. Only Latin-script notes in
    /// languages not told by script are used; the rest are skipped. `min_count` drops features seen fewer times overall.
    pub fn fit<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str)>, min_count: u32) -> Result<LangModel> {
        use std::collections::{BTreeMap, HashMap};
        let mut per_code: BTreeMap<String, (HashMap<u32, u32>, u64)> = BTreeMap::new();
        let mut features = Vec::new();
        for (text, code) in rows {
            if SCRIPT_LANGUAGES.contains(&code) {
                continue;
            }
            let mut script = ScriptCounts::default();
            features.clear();
            scan(text, &mut script, |w| {
                word_features(w, |k| features.push(k));
                true
            });
            if script.main() != Some(Script::Latin) {
                continue;
            }
            let (counts, total) = per_code.entry(code.to_string()).or_default();
            for &k in &features {
                *counts.entry(k).or_default() += 1;
                *total += 1;
            }
        }
        if per_code.len() < 2 {
            return Err(Error::InvalidData(format!(
                "a language model needs Latin-script notes in at least two languages, found {}",
                per_code.len()
            )));
        }
        let mut overall: HashMap<u32, u32> = HashMap::new();
        for (counts, _) in per_code.values() {
            for (&k, &n) in counts {
                *overall.entry(k).or_default() += n;
            }
        }
        // The most frequent features, at most `MAX_FEATURES` of them (ties by key,
        // so the same rows give the same model).
        let mut features: Vec<(u32, u32)> = overall.into_iter().filter(|&(_, n)| n >= min_count).collect();
        features.sort_unstable_by_key(|&(k, n)| (std::cmp::Reverse(n), k));
        features.truncate(MAX_FEATURES);
        let mut features: Vec<u32> = features.into_iter().map(|(k, _)| k).collect();
        features.sort_unstable();
        let vocab = features.len() as f64;
        let codes: Vec<String> = per_code.keys().cloned().collect();
        let slots = (features.len() * 4 / 3).next_power_of_two().max(16);
        let mut model = LangModel {
            codes,
            keys: vec![0; slots],
            rows: vec![0; slots * per_code.len()],
        };
        let mut logp = vec![0f64; per_code.len()];
        for &k in &features {
            for (l, (counts, total)) in per_code.values().enumerate() {
                let n = f64::from(counts.get(&k).copied().unwrap_or(0));
                logp[l] = ((n + 0.5) / (*total as f64 + 0.5 * vocab)).ln();
            }
            let best = logp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let row: Vec<i8> = logp
                .iter()
                .map(|&p| ((p - best) * f64::from(SCALE)).round().max(-127.0) as i8)
                .collect();
            model.insert(k, &row);
        }
        Ok(model)
    }

    fn slot(&self, key: u32) -> (usize, bool) {
        let mask = self.keys.len() - 1;
        // The first slot from the high bits of a multiplicative hash (the low
        // bits of `key * odd` keep `key`'s lowest bit, which is always set).
        let bits = self.keys.len().trailing_zeros();
        let mut i = (key.wrapping_mul(0x9E37_79B9) >> (32 - bits)) as usize;
        loop {
            match self.keys[i] {
                0 => return (i, false),
                k if k == key => return (i, true),
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn insert(&mut self, key: u32, row: &[i8]) {
        let (i, _) = self.slot(key);
        self.keys[i] = key;
        let k = self.codes.len();
        self.rows[i * k..(i + 1) * k].copy_from_slice(row);
    }

    /// The language of `text` and how much text it has to tell by.
    ///
    /// One pass over the note. Latin-script words are looked up until the best
    /// language leads the second by ten nats; the letters and words are counted
    /// to the end, except in an ASCII note, which is read only that far.
    pub fn profile(&self, text: &str) -> Profile<'_> {
        let k = self.codes.len();
        let (mut score, mut known) = ([0i32; 16], 0u32);
        let mut counts = ScriptCounts::default();
        scan(text, &mut counts, |w| {
            word_features(w, |key| {
                let (i, found) = self.slot(key);
                if found {
                    known += 1;
                    for (s, &v) in score.iter_mut().zip(&self.rows[i * k..(i + 1) * k]) {
                        *s += i32::from(v);
                    }
                }
            });
            !(known >= SETTLED_AFTER && settled(&score[..k]))
        });
        let Some(script) = counts.main() else {
            return Profile {
                lang: UNDETERMINED,
                words: 0,
            };
        };
        let lang = match script {
            Script::Latin => {
                let best = (0..k).max_by_key(|&l| (score[l], std::cmp::Reverse(l)));
                return Profile {
                    lang: best
                        .filter(|_| known > 0)
                        .map_or(UNDETERMINED, |b| self.codes[b].as_str()),
                    words: counts.words,
                };
            }
            Script::Kana => "ja",
            Script::Han => "zh",
            Script::Hangul => "ko",
            Script::Cyrillic if counts.ukrainian => "uk",
            Script::Cyrillic => "ru",
            Script::Greek => "el",
            Script::Arabic if counts.persian => "fa",
            Script::Arabic => "ar",
            Script::Hebrew => "he",
            Script::Thai => "th",
            Script::Devanagari => "hi",
        };
        // Han, kana and Hangul characters are each about a word; other scripts
        // spend a few letters a word.
        let letters = match script {
            Script::Kana | Script::Han => counts.n[Script::Kana as usize] + counts.n[Script::Han as usize],
            Script::Hangul => counts.n[script as usize],
            _ => counts.n[script as usize] / 4,
        };
        Profile { lang, words: letters }
    }

    /// The language of `text`: an ISO 639-1 code, or [`UNDETERMINED`].
    pub fn detect(&self, text: &str) -> &str {
        self.profile(text).lang
    }

    /// Serialises the model: magic, language codes, table size, keys, rows.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.push(self.codes.len() as u8);
        for c in &self.codes {
            out.push(c.len() as u8);
            out.extend_from_slice(c.as_bytes());
        }
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        out.extend(self.rows.iter().map(|&v| v as u8));
        out
    }

    /// Reads a model written by [`LangModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<LangModel> {
        let bad = |what: &str| Error::InvalidModel {
            path: None,
            reason: format!("language model: {what}"),
        };
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| bad("not a notetag language model"))?;
        let (&n, mut rest) = rest.split_first().ok_or_else(|| bad("truncated header"))?;
        if !(2..=16).contains(&n) {
            return Err(bad("the number of languages must be 2 to 16"));
        }
        let mut codes = Vec::new();
        for _ in 0..n {
            let (&len, r) = rest.split_first().ok_or_else(|| bad("truncated language code"))?;
            let code = r
                .get(..usize::from(len))
                .ok_or_else(|| bad("truncated language code"))?;
            codes.push(String::from_utf8(code.to_vec()).map_err(|_| bad("a language code is not UTF-8"))?);
            rest = &r[usize::from(len)..];
        }
        let slots = rest.get(..4).ok_or_else(|| bad("truncated table size"))?;
        let slots = u32::from_le_bytes(slots.try_into().expect("four bytes")) as usize;
        if !slots.is_power_of_two() || slots > 1 << 24 {
            return Err(bad("the table size must be a power of two up to 2^24"));
        }
        let rest = &rest[4..];
        let k = usize::from(n);
        if rest.len() != slots * 4 + slots * k {
            return Err(bad("the table's length does not match its size"));
        }
        let keys: Vec<u32> = rest[..slots * 4]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("four bytes")))
            .collect();
        if !keys.contains(&0) {
            return Err(bad("the table has no empty slot"));
        }
        let rows = rest[slots * 4..].iter().map(|&b| b as i8).collect();
        Ok(LangModel { codes, keys, rows })
    }
}

/// A note's language and how much text it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile<'a> {
    /// ISO 639-1 code, or [`UNDETERMINED`].
    pub lang: &'a str,
    /// Words in the note's main script, outside URLs, mentions, custom emoji and
    /// identifiers (for Han, kana and Hangul, characters). Zero means the note has
    /// no words at all: links, mentions, emoji or numbers only. In an ASCII note
    /// the count stops where its language is settled.
    pub words: u32,
}

/// The language of `text` by the embedded model: an ISO 639-1 code, or `und`.
pub fn detect(text: &str) -> &'static str {
    LangModel::embedded().detect(text)
}

/// The language and word count of `text` by the embedded model.
pub fn profile(text: &str) -> Profile<'static> {
    LangModel::embedded().profile(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> LangModel {
        let rows = [
            ("the cat is on the table and it is happy", "en"),
            ("we went to the market with the kids", "en"),
            ("el gato está en la mesa y es feliz", "es"),
            ("fuimos al mercado con los niños", "es"),
        ];
        LangModel::fit(rows, 1).unwrap()
    }

    #[test]
    fn scripts_name_their_language() {
        let m = toy();
        assert_eq!(m.detect("今日はRustでコードを書いた"), "ja");
        assert_eq!(m.detect("今天天气很好，我们去公园"), "zh");
        assert_eq!(m.detect("오늘 날씨가 좋네요"), "ko");
        assert_eq!(m.detect("Привет, как дела?"), "ru");
        assert_eq!(m.detect("Привіт, як справи? Їжа є"), "uk");
        assert_eq!(m.detect("Καλημέρα σε όλους"), "el");
        assert_eq!(m.detect("שלום לכולם"), "he");
    }

    #[test]
    fn latin_languages_come_from_the_words() {
        let m = toy();
        assert_eq!(m.detect("the kids are happy"), "en");
        assert_eq!(m.detect("los niños están en el mercado"), "es");
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        // An emoji sends a note down the character-by-character path; its words
        // and language stay those of the ASCII path.
        let m = toy();
        for t in [
            "the kids are happy at the market",
            "fuimos al mercado con los gatos y la familia",
            "we went to the market https://nostr.build/i/abc.jpg and the cat is happy",
        ] {
            let with_emoji = format!("{t} 🤙");
            assert_eq!(m.detect(t), m.detect(&with_emoji), "{t:?}");
            assert!(m.profile(&with_emoji).words > 0);
        }
    }

    #[test]
    fn too_little_text_is_undetermined() {
        let m = toy();
        for t in [
            "",
            "🤙",
            "12345",
            "https://nostr.build/i/abc.jpg",
            "zzqx",
            "nostr:npub1abcdef",
        ] {
            assert_eq!(m.detect(t), UNDETERMINED, "{t:?}");
        }
    }

    #[test]
    fn an_ascii_note_read_only_until_settled_still_counts_four_words() {
        // What a short note is (`SHORT_NOTE_WORDS`) must not depend on where
        // the scan of an ASCII note stops: it stops after eight known features,
        // and a word has at most two.
        assert!(SETTLED_AFTER as usize >= 2 * crate::model::SHORT_NOTE_WORDS as usize);
        let words = "international negotiations regarding agricultural subsidies continued throughout \
                     yesterday's conference between ministers representing neighbouring countries";
        let all: Vec<&str> = words.split_whitespace().collect();
        for n in 1..=all.len() {
            let note = all[..n].join(" ");
            let counted = profile(&note).words as usize;
            assert!(counted <= n + 1, "{note:?}: {counted}");
            if n < 4 {
                assert_eq!(counted, n, "{note:?}");
            } else {
                assert!(counted >= 4, "{note:?}: {counted}");
            }
        }
        assert!(
            (profile(words).words as usize) < all.len(),
            "the scan stops once settled"
        );
    }

    #[test]
    fn links_mentions_shortcodes_and_identifiers_are_not_words() {
        let m = toy();
        let none = [
            "https://nostr.build/i/abc.jpg https://void.cat/d/x.webp",
            "nostr:npub1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0jqjqjqj @npub1abc",
            ":pepe_dance: :blobcat: 🔥🔥",
            "lnbc200u1p3uprqgpp5824rv6g306l9e5lnpa5k5lc4zjgq0v40pe 12,345 #[0]",
        ];
        for t in none {
            assert_eq!(m.profile(t).words, 0, "{t:?}");
        }
        assert_eq!(m.profile("look at this https://nostr.build/i/abc.jpg").words, 3);
        assert_eq!(m.profile("今日は寿司").words, 5);
    }

    #[test]
    fn scripts_are_their_unicode_ranges() {
        let ranges: [(Script, &[(u32, u32)]); SCRIPTS] = [
            (
                Script::Latin,
                &[
                    (0x41, 0x5A),
                    (0x61, 0x7A),
                    (0xC0, 0xD6),
                    (0xD8, 0xF6),
                    (0xF8, 0x24F),
                    (0x1E00, 0x1EFF),
                ],
            ),
            (Script::Kana, &[(0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9D)]),
            (
                Script::Han,
                &[(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F)],
            ),
            (Script::Hangul, &[(0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)]),
            (Script::Cyrillic, &[(0x400, 0x4FF)]),
            (Script::Greek, &[(0x370, 0x3FF), (0x1F00, 0x1FFF)]),
            (
                Script::Arabic,
                &[(0x600, 0x6FF), (0x750, 0x77F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)],
            ),
            (Script::Hebrew, &[(0x590, 0x5FF)]),
            (Script::Thai, &[(0xE00, 0xE7F)]),
            (Script::Devanagari, &[(0x900, 0x97F)]),
        ];
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let u = c as u32;
            let want = ranges
                .iter()
                .find(|(_, rs)| rs.iter().any(|&(a, b)| (a..=b).contains(&u)))
                .map(|&(k, _)| k);
            assert_eq!(letter_script(c).1, want, "{c:?}");
        }
    }

    #[test]
    fn letters_are_the_alphabetic_characters() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            assert_eq!(letter_script(c).0, c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn latin1_lower_case_is_the_unicode_lower_case() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            if let Some(l) = latin1_lowercase(c) {
                assert_eq!(c.to_lowercase().collect::<Vec<_>>(), [l], "{c:?}");
            }
        }
        assert!(('a'..='z')
            .chain('À'..='ÿ')
            .all(|c| latin1_lowercase(c).is_some() != matches!(c, '×' | '÷')));
    }

    #[test]
    fn pieces_are_the_whitespace_split() {
        // Pieces of every kind the split treats apart, at every alignment to the
        // eight-byte steps.
        let parts = [
            "a",
            "word",
            "abcdefghijklmnop",
            ":",
            "http://x.y",
            "!",
            "~",
            "\u{7f}",
            "\u{1}",
            " ",
            "\t",
            "\n",
            "\u{b}",
            "\u{1c}",
            "\u{85}",
            "\u{a0}",
            "\u{1680}",
            "\u{2003}",
            "\u{2028}",
            "\u{202f}",
            "\u{205f}",
            "\u{3000}",
            "\u{200b}",
            "é",
            "\u{2014}",
            "今日",
            "こんにちは",
            "한국",
            "🤙",
            "\u{feff}",
        ];
        let mut rng = crate::rng::SplitMix(0x5851_f42d_4c95_7f2d);
        for _ in 0..20_000 {
            let n = rng.below(24);
            let text: String = (0..n).map(|_| parts[rng.below(parts.len())]).collect();
            let mut got = Vec::new();
            for_each_piece(&text, |piece, colon, ascii| {
                got.push((piece.to_string(), colon, ascii));
                true
            });
            let want: Vec<(String, bool, bool)> = text
                .split(char::is_whitespace)
                .map(|p| (p.to_string(), p.contains(':'), p.is_ascii()))
                .collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn spaces_are_the_whitespace_characters() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            // Followed by bytes a longer match could wrongly take.
            let mut b = [0x80u8; 8];
            let n = c.encode_utf8(&mut b).len();
            let want = if c.is_whitespace() { n } else { 0 };
            assert_eq!(space_len(&b), want, "{c:?}");
            assert_eq!(space_len(&b[..n]), want, "{c:?}");
            // No match starting inside the character.
            assert!((1..n).all(|i| space_len(&b[i..n]) == 0), "{c:?}");
            assert_eq!(utf8_len(b[0]), n, "{c:?}");
        }
    }

    #[test]
    fn bytes_round_trip_and_damage_is_an_error() {
        let m = toy();
        let b = m.to_bytes();
        assert_eq!(LangModel::from_bytes(&b).unwrap(), m);
        assert!(LangModel::from_bytes(&b[..b.len() - 1]).is_err());
        assert!(LangModel::from_bytes(b"NTLANG00").is_err());
        assert!(LangModel::fit([("only english here", "en")], 1).is_err());
    }
}
