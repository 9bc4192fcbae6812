//! Normalisation and tokenisation of one note.
//!
//! The rules, in order, for each whitespace-free stretch of the normalised text:
//! URLs become `<url>` plus a `domain:` token (and `<image>` for image links); Nostr
//! references (`nostr:npub1…`, `nostr:note1…`, bare `npub1…`/`note1…`) become
//! `<nostr-profile>` / `<nostr-note>`; `@mentions` become `<mention>`; hashtags are
//! kept (`#word` plus the word itself); cashtags (`$btc`) are kept; numbers fold to
//! `<num>`, `<year>`, `<pct>` or `<money>`; emoji are kept one per token; words are
//! runs of letters and digits (CJK characters one per token; hiragana, which
//! carries Japanese grammar — particles and endings — rather than topics, is
//! dropped); other punctuation is dropped.

use unicode_normalization::UnicodeNormalization;

/// What a token is; it seeds the token's hash, so `#ai` and `ai` differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// An ordinary word (char n-grams apply).
    Word,
    /// A folded placeholder such as `<url>` or `<num>`.
    Special,
    /// The domain of a URL.
    Domain,
    /// A hashtag, without its `#`.
    Hashtag,
    /// A cashtag, without its `$`.
    Cashtag,
    /// One emoji.
    Emoji,
}

impl TokKind {
    pub(crate) fn seed(self) -> u64 {
        match self {
            TokKind::Word => 0x11,
            TokKind::Special => 0x22,
            TokKind::Domain => 0x33,
            TokKind::Hashtag => 0x44,
            TokKind::Cashtag => 0x55,
            TokKind::Emoji => 0x66,
        }
    }

    /// The display form of a token of this kind (used by explanations).
    pub fn display(self, s: &str) -> String {
        match self {
            TokKind::Domain => format!("domain:{s}"),
            TokKind::Hashtag => format!("#{s}"),
            TokKind::Cashtag => format!("${s}"),
            _ => s.to_string(),
        }
    }

    /// Whether the token takes part in word n-grams (hashtags stand alone as an
    /// extra unigram, their word goes into the sequence).
    pub(crate) fn in_sequence(self) -> bool {
        !matches!(self, TokKind::Hashtag | TokKind::Domain)
    }
}

/// Normalise `text` into `out`: NFKC (skipped where it is the identity, as for
/// ASCII and most CJK text), lower case, typographic apostrophes folded to `'`.
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    if !fold_if_nfkc(text, out) {
        out.clear();
        text.nfkc().for_each(|c| fold_char(c, out));
    }
    // Last, so ASCII runs are copied whole; the lower case of a non-ASCII
    // character holds no upper-case ASCII, so this is the same per character.
    out.make_ascii_lowercase();
}

/// Push `text` onto `out`, folded, if the NFKC quick check says that `text` is
/// NFKC already but for full-width forms of ASCII characters (most text is: the
/// check skips the decompose/compose work); else `false`, with `out`
/// part-written. Runs of ASCII and [plain](is_plain) characters are copied as
/// they are, a full-width ASCII form becomes its ASCII character (its NFKC),
/// and other characters are folded one by one.
///
/// The check runs on each run of other characters alone: an ASCII or plain
/// character is a starter that the check passes and that resets its state, so
/// the runs' answers together are the whole text's. A full-width form is a
/// starter too, and its ASCII character composes with nothing before it, so
/// its NFKC is the same alone as in the text; whatever could compose with the
/// ASCII character after it fails the check of its own run.
fn fold_if_nfkc(mut text: &str, out: &mut String) -> bool {
    loop {
        let n = plain_prefix(text);
        out.push_str(&text[..n]);
        text = &text[n..];
        let mut chars = text.chars();
        let Some(c) = chars.next() else {
            return true;
        };
        if let Some(a) = fullwidth_ascii(c) {
            out.push(a);
            text = chars.as_str();
            continue;
        }
        let end = text
            .char_indices()
            .find(|&(_, c)| c.is_ascii() || is_plain(c) || fullwidth_ascii(c).is_some())
            .map_or(text.len(), |(i, _)| i);
        let (run, after) = text.split_at(end);
        if !matches!(
            unicode_normalization::is_nfkc_quick(run.chars()),
            unicode_normalization::IsNormalized::Yes
        ) {
            return false;
        }
        run.chars().for_each(|c| fold_char(c, out));
        text = after;
    }
}

/// Whether NFKC and lower-casing leave `c` as it is and the NFKC quick check
/// passes it as a starter, as they do every ASCII character: the CJK
/// ideographs, kana and Hangul syllables with the CJK punctuation, lower-case
/// Latin-1 and Cyrillic letters, dashes and quotation marks (but the
/// apostrophes that [`fold_char`] folds), and the common symbols and emoji (a
/// test checks every one against the Unicode tables).
#[inline]
fn is_plain(c: char) -> bool {
    // The CJK ideographs on a test of their own, first: the compiler may test
    // the ranges of one `matches!` in any order, and put them behind others.
    let u = c as u32;
    (0x4E00..=0x9FFF).contains(&u)
        || matches!(u,
            0x3001..=0x3029 | 0x3030..=0x3035 | 0x303B..=0x3096 | 0x309D..=0x309E
            | 0x30A0..=0x30FE | 0xAC00..=0xD7A3 | 0x3400..=0x4DBF | 0xDF..=0xFF | 0x430..=0x45F
            | 0x2012..=0x2016 | 0x201A..=0x2023 | 0x2600..=0x27BF | 0xFE00..=0xFE0F | 0x1F300..=0x1FAFF)
}

/// The ASCII character whose full-width form `c` is (U+FF01 to U+FF5E: NFKC
/// maps each to its ASCII character), if it is one.
#[inline]
fn fullwidth_ascii(c: char) -> Option<char> {
    matches!(c, '\u{ff01}'..='\u{ff5e}').then(|| char::from((c as u32 - 0xFEE0) as u8))
}

/// Length of the prefix of `text` made of ASCII and [plain](is_plain)
/// characters.
fn plain_prefix(text: &str) -> usize {
    let mut n = 0;
    loop {
        n += ascii_prefix(&text.as_bytes()[n..]);
        let rest = &text[n..];
        let plain = rest
            .char_indices()
            .find(|&(_, c)| c.is_ascii() || !is_plain(c))
            .map_or(rest.len(), |(i, _)| i);
        if plain == 0 {
            return n;
        }
        n += plain;
    }
}

/// One character's folded form: typographic apostrophes to `'`, else its lower
/// case (ASCII is left to the caller's `make_ascii_lowercase`).
fn fold_char(c: char, out: &mut String) {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02bc}' => out.push('\''),
        c if c.is_ascii() => out.push(c),
        c => out.extend(c.to_lowercase()),
    }
}

/// Byte offset of the first byte of `s` for which `f` holds, else `s.len()`. `f`
/// must hold for ASCII bytes only, so that the offset is a character boundary.
fn byte_position(s: &str, f: impl Fn(u8) -> bool) -> usize {
    s.bytes().position(f).unwrap_or(s.len())
}

/// Length of the ASCII prefix of `b`, eight bytes at a time: the last eight
/// bytes are read as one word too, over bytes already found ASCII, so no byte
/// is read alone once `b` has eight.
pub(crate) fn ascii_prefix(b: &[u8]) -> usize {
    match skip_words(b, 0, |x| x) {
        Ok(i) => i,
        Err(i) if b.len() < 8 => i + b[i..].iter().position(|x| !x.is_ascii()).unwrap_or(b.len() - i),
        Err(_) => {
            let last = b.len() - 8;
            match skip_words(&b[last..], 0, |x| x) {
                Ok(j) => last + j,
                Err(_) => b.len(),
            }
        }
    }
}

/// Step over `b` from `j` eight bytes at a time, while `stops` marks none of them:
/// `stops(x)` sets the high bit of each byte of the little-endian word `x` that
/// ends the run (the lowest marked byte must be exact; the others may be noise).
/// `Ok` with the first marked byte's offset, or `Err` with where fewer than eight
/// bytes remain.
#[inline(always)]
pub(crate) fn skip_words(b: &[u8], mut j: usize, stops: impl Fn(u64) -> u64) -> Result<usize, usize> {
    while let Some(chunk) = b.get(j..j + 8) {
        let stop = stops(u64::from_le_bytes(chunk.try_into().unwrap_or_default())) & HIGH_BITS;
        if stop != 0 {
            return Ok(j + (stop.trailing_zeros() / 8) as usize);
        }
        j += 8;
    }
    Err(j)
}

const IMAGE_EXT: [&str; 7] = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic"];

fn is_cjk(c: char) -> bool {
    // The CJK ideographs on their own test, as in `is_plain`.
    let u = c as u32;
    (0x4E00..=0x9FFF).contains(&u)
        || matches!(u, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_hiragana(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x309F)
}

fn is_ignorable(c: char) -> bool {
    (c as u32) >= 0x200B
        && matches!(c as u32, 0x200B..=0x200F | 0x2060..=0x2064 | 0xFE00..=0xFE0F | 0x1F3FB..=0x1F3FF | 0xFEFF | 0x202A..=0x202E | 0x2066..=0x2069)
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || c.is_control()
        || matches!(c as u32, 0x00A0..=0x00BF | 0x2000..=0x206F | 0x3000..=0x303F | 0xFF00..=0xFF0F | 0x2E00..=0x2E7F)
}

#[inline]
fn word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // CJK characters (letters) and CJK punctuation (not letters or digits)
    // are told by their ranges: the Unicode tables take a slow path for them.
    !is_cjk(c) && !matches!(c as u32, 0x3000..=0x3004 | 0x3008..=0x3020) && c.is_alphanumeric()
}

/// End (byte offset) of the run of characters from `i` satisfying `f`. ASCII bytes
/// are tested without UTF-8 decoding (most text is mostly ASCII).
#[inline]
fn run_end(s: &str, i: usize, f: impl Fn(char) -> bool) -> usize {
    let b = s.as_bytes();
    let mut j = i;
    while j < b.len() {
        let c = match b[j] {
            a @ 0..=0x7f => a as char,
            _ => match s[j..].chars().next() {
                Some(c) => c,
                None => break,
            },
        };
        if !f(c) {
            return j;
        }
        j += c.len_utf8();
    }
    b.len()
}

/// The character at byte `i` of `s` (ASCII without decoding).
#[inline]
fn char_at(s: &str, i: usize) -> Option<char> {
    match *s.as_bytes().get(i)? {
        a @ 0..=0x7f => Some(a as char),
        _ => s[i..].chars().next(),
    }
}

/// Split normalised text into tokens, calling `emit(kind, token)` for each in order.
pub fn scan(s: &str, emit: &mut impl FnMut(TokKind, &str)) {
    scan_with::<true>(s, &mut Emit(emit));
}

/// Split normalised text into tokens, handing each to `sink` in order (as
/// [`scan`]; a sink whose [`TokenSink::token`] is `#[inline(always)]` is
/// inlined into the scanner's word path).
pub(crate) fn scan_into(s: &str, sink: &mut impl TokenSink) {
    scan_with::<true>(s, sink);
}

/// Where [`scan_into`] hands its tokens.
pub(crate) trait TokenSink {
    /// One token, of `kind`.
    fn token(&mut self, kind: TokKind, token: &str);
}

/// A closure as a [`TokenSink`].
struct Emit<F>(F);

impl<F: FnMut(TokKind, &str)> TokenSink for Emit<F> {
    #[inline(always)]
    fn token(&mut self, kind: TokKind, token: &str) {
        (self.0)(kind, token)
    }
}

/// [`scan`], with its fast paths taken only when `FAST` (a test checks that
/// both give the same tokens).
#[inline(always)]
fn scan_with<const FAST: bool>(s: &str, emit: &mut impl TokenSink) {
    let mut i = 0;
    while let Some(&byte) = s.as_bytes().get(i) {
        // Fast paths for what most of a note is: spaces, words that start with an
        // ASCII letter and do not begin a URL or a `nostr:` reference, ASCII
        // punctuation and CJK characters. The general path below gives the same
        // tokens.
        if FAST {
            if byte == b' ' {
                i += 1;
                continue;
            }
            if byte.is_ascii_alphabetic() && !starts_url_or_nostr(&s.as_bytes()[i..]) {
                let end = word_end(s, i);
                let w = &s[i..end];
                // Only a long word starting with `n` can be a bare Nostr entity.
                match (byte == b'n' && w.len() > 20).then(|| nostr_kind(w)).flatten() {
                    Some(k) => emit_cold(emit, TokKind::Special, k),
                    None => emit.token(TokKind::Word, w),
                }
                i = end;
                continue;
            }
            // ASCII punctuation is dropped, except what starts a mention, hashtag
            // or cashtag.
            if byte.is_ascii_punctuation() && !matches!(byte, b'@' | b'#' | b'$') {
                i += 1;
                continue;
            }
        }
        let Some(c) = char_at(s, i) else { break };
        // A CJK character is a word of its own (hiragana are dropped).
        if FAST && is_cjk(c) {
            let end = i + c.len_utf8();
            if !is_hiragana(c) {
                emit.token(TokKind::Word, &s[i..end]);
            }
            i = end;
            continue;
        }
        i = scan_general(s, i, c, emit);
    }
}

/// The general path of [`scan_with`]: the token, if any, that starts with `c` at
/// byte `i`; returns where the next one may start.
#[inline(always)]
fn scan_general(s: &str, i: usize, c: char, emit: &mut impl TokenSink) -> usize {
    if c == ' ' || c.is_whitespace() || is_ignorable(c) {
        return i + c.len_utf8();
    }
    let rest = &s[i..];
    let url_start = match c {
        'h' => rest.starts_with("http://") || rest.starts_with("https://"),
        'w' => rest.starts_with("www."),
        _ => false,
    };
    if url_start {
        return scan_url(s, i, emit);
    }
    if let Some(r) = (c == 'n').then(|| rest.strip_prefix("nostr:")).flatten() {
        let end = run_end(r, 0, |c| c.is_ascii_alphanumeric());
        emit_cold(emit, TokKind::Special, nostr_kind(&r[..end]).unwrap_or("<nostr>"));
        return i + 6 + end;
    }
    if c == '@' || c == '#' || c == '$' {
        if let Some(end) = scan_tag(s, i, c, emit) {
            return end;
        }
    }
    if matches!(c, '€' | '£' | '¥' | '₿' | '₹') && s[i + c.len_utf8()..].starts_with(|d: char| d.is_ascii_digit())
    {
        let end = number_end(s, i + c.len_utf8());
        emit_cold(emit, TokKind::Special, "<money>");
        return end;
    }
    if word_char(c) {
        return scan_word(s, i, emit);
    }
    if is_cjk(c) {
        if !is_hiragana(c) {
            emit_cold(emit, TokKind::Word, &s[i..i + c.len_utf8()]);
        }
    } else if !is_punct(c) && !c.is_alphanumeric() && (c as u32) >= 0x2100 {
        emit_cold(emit, TokKind::Emoji, &s[i..i + c.len_utf8()]);
    }
    i + c.len_utf8()
}

/// The URL starting at `i`: `<url>`, its `domain:` and, for an image link,
/// `<image>`; returns its end.
fn scan_url(s: &str, i: usize, emit: &mut impl TokenSink) -> usize {
    let end = nonspace_run(s, i);
    let url = &s[i..end];
    // The host: after the scheme (or the first `://` of a `www.` link, if
    // any), up to the first `/`, `?`, `#` or `:`.
    let host = match url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) {
        Some(rest) => rest,
        None => url.find("://").map_or(url, |k| &url[k + 3..]),
    };
    let host = &host[..byte_position(host, |b| matches!(b, b'/' | b'?' | b'#' | b':'))];
    let host = host.strip_prefix("www.").unwrap_or(host);
    emit_cold(emit, TokKind::Special, "<url>");
    if !host.is_empty() {
        emit_cold(emit, TokKind::Domain, host);
    }
    let path = &url[..byte_position(url, |b| matches!(b, b'?' | b'#'))];
    // Every image extension is a dot and 3 or 4 letters.
    let tail = &path.as_bytes()[path.len().saturating_sub(5)..];
    if tail.contains(&b'.') && IMAGE_EXT.iter().any(|e| path.ends_with(e)) {
        emit_cold(emit, TokKind::Special, "<image>");
    }
    end
}

/// A mention, hashtag or cashtag (`c` is its `@`, `#` or `$` at `i`); returns its
/// end, or `None` when no word follows the sign.
fn scan_tag(s: &str, i: usize, c: char, emit: &mut impl TokenSink) -> Option<usize> {
    let j = i + 1;
    let end = run_end(s, j, |c| word_char(c) || c == '_');
    if end == j {
        return None;
    }
    let body = &s[j..end];
    match c {
        '@' => emit_cold(emit, TokKind::Special, "<mention>"),
        '#' => {
            emit_cold(emit, TokKind::Hashtag, body);
            emit_cold(emit, TokKind::Word, body);
        }
        _ if body.as_bytes()[0].is_ascii_digit() => {
            emit_cold(emit, TokKind::Special, "<money>");
            return Some(number_end(s, j));
        }
        _ => emit_cold(emit, TokKind::Cashtag, body),
    }
    Some(end)
}

/// The word (or number, or bare Nostr entity) starting at `i`; returns its end.
fn scan_word(s: &str, i: usize, emit: &mut impl TokenSink) -> usize {
    let end = word_end(s, i);
    let w = &s[i..end];
    if let Some(k) = (w.len() > 20).then(|| nostr_kind(w)).flatten() {
        emit_cold(emit, TokKind::Special, k);
    } else if w.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
        let n = number_end(s, i);
        emit_number(s, i, n, &mut |k, t| emit_cold(emit, k, t));
        return n;
    } else {
        emit_cold(emit, TokKind::Word, w);
    }
    end
}

/// `emit(kind, token)` out of line: the general path's many calls share this one
/// copy of `emit`, so the fast path's word call can take it inline.
#[inline(never)]
fn emit_cold(emit: &mut impl TokenSink, kind: TokKind, token: &str) {
    emit.token(kind, token);
}

/// Whether `rest` starts with what the general path reads as a URL or a `nostr:`
/// reference.
#[inline]
fn starts_url_or_nostr(rest: &[u8]) -> bool {
    match rest[0] {
        b'h' => rest.starts_with(b"http://") || rest.starts_with(b"https://"),
        b'w' => rest.starts_with(b"www."),
        b'n' => rest.starts_with(b"nostr:"),
        _ => false,
    }
}

fn nostr_kind(w: &str) -> Option<&'static str> {
    if w.starts_with("npub1") || w.starts_with("nprofile1") {
        Some("<nostr-profile>")
    } else if w.starts_with("note1") || w.starts_with("nevent1") || w.starts_with("naddr1") {
        Some("<nostr-note>")
    } else {
        None
    }
}

/// End of the run of non-white-space characters from `i` (a URL): eight bytes at
/// a time while they are all printable ASCII other than the space, then
/// character by character from the first byte that is not.
#[inline]
fn nonspace_run(s: &str, i: usize) -> usize {
    // Bytes below 0x21 (the lowest is marked exactly: borrows only move upwards)
    // or not ASCII.
    let j = skip_words(s.as_bytes(), i, |x| (x.wrapping_sub(LOW_BITS * 0x21) & !x) | x).unwrap_or_else(|j| j);
    run_end(s, j, |c| !c.is_whitespace())
}

/// End of the run of word characters from `i`: ASCII letters and digits are
/// stepped over a byte at a time, the rest (if any) decoded.
#[inline]
fn word_run(s: &str, i: usize) -> usize {
    let b = s.as_bytes();
    // Eight bytes at a time while eight remain, then byte by byte.
    match skip_words(b, i, |x| !ascii_alnum_bytes(x)) {
        Ok(j) => run_past_ascii(s, j),
        Err(mut j) => {
            while j < b.len() && b[j].is_ascii_alphanumeric() {
                j += 1;
            }
            run_past_ascii(s, j)
        }
    }
}

/// Where a word run ends when its ASCII letters and digits end at `j`: there,
/// unless a non-ASCII character follows (decoded and tested by [`word_char`]).
#[inline]
fn run_past_ascii(s: &str, j: usize) -> usize {
    let b = s.as_bytes();
    match b.get(j) {
        Some(&x) if x >= 0x80 => run_end(s, j, word_char),
        _ => j,
    }
}

pub(crate) const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Each byte of `x` (little-endian) with its high bit set where the byte is an
/// ASCII letter or digit, and clear elsewhere; the other bits are noise.
///
/// Each test adds a constant to every 7-bit byte value at once: the sum stays
/// below 0x100, so no carry crosses into the next byte, and its high bit says
/// whether the byte reached the bound.
#[inline]
fn ascii_alnum_bytes(x: u64) -> u64 {
    let ascii = !x & HIGH_BITS;
    let low7 = x & !HIGH_BITS;
    // At least `lo`: high bit of low7 + (0x80 - lo). Above `hi`: of low7 + (0x7f - hi).
    let at_least = |v: u64, lo: u8| v + LOW_BITS * u64::from(0x80 - lo);
    let above = |v: u64, hi: u8| v + LOW_BITS * u64::from(0x7f - hi);
    let digit = at_least(low7, b'0') & !above(low7, b'9');
    // Setting bit 5 folds upper-case letters onto lower case and nothing else
    // onto `a..=z`.
    let folded = low7 | (LOW_BITS * 0x20);
    let letter = at_least(folded, b'a') & !above(folded, b'z');
    (digit | letter) & ascii
}

/// A word: letters and digits, with inner apostrophes (`don't`).
#[inline(always)]
fn word_end(s: &str, i: usize) -> usize {
    let mut end = word_run(s, i);
    while s.as_bytes().get(end) == Some(&b'\'') {
        let next = word_run(s, end + 1);
        if next == end + 1 {
            break;
        }
        end = next;
    }
    end
}

/// A number: digits with inner `.`/`,` between digits.
fn number_end(s: &str, i: usize) -> usize {
    let b = s.as_bytes();
    let mut j = i;
    while j < b.len() {
        let separator = (b[j] == b'.' || b[j] == b',') && j > i && j + 1 < b.len() && b[j + 1].is_ascii_digit();
        if b[j].is_ascii_digit() || separator {
            j += 1;
        } else {
            break;
        }
    }
    j
}

fn emit_number(s: &str, start: usize, end: usize, emit: &mut impl FnMut(TokKind, &str)) {
    let digits = &s[start..end];
    let rest = &s[end..];
    if rest.starts_with('%') {
        emit(TokKind::Special, "<pct>");
    } else if digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20")) {
        emit(TokKind::Special, "<year>");
    } else {
        emit(TokKind::Special, "<num>");
    }
}

#[cfg(test)]
mod tests;
