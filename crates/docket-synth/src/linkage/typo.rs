//! Typing, OCR and spelling errors applied to one field value, the error model of FEBRL's
//! generator: keyboard-neighbour substitutions and insertions, deletions, transpositions,
//! OCR confusions, phonetic respellings and spaces added or lost.
//!
//! Each function returns `None` when it cannot change the value (nothing to transpose in "a",
//! no OCR-confusable letter in "xyz"), so the caller can pick another error instead.

use crate::people::Rng;

/// Keys next to a letter on a QWERTY keyboard, or to a digit on the number row.
fn neighbours(c: char) -> &'static [u8] {
    match c.to_ascii_lowercase() {
        'q' => b"wa",
        'w' => b"qeas",
        'e' => b"wrsd",
        'r' => b"etdf",
        't' => b"ryfg",
        'y' => b"tugh",
        'u' => b"yihj",
        'i' => b"uojk",
        'o' => b"ipkl",
        'p' => b"ol",
        'a' => b"qwsz",
        's' => b"weadzx",
        'd' => b"erfscx",
        'f' => b"rtgdvc",
        'g' => b"tyhfvb",
        'h' => b"yujgbn",
        'j' => b"uikhnm",
        'k' => b"iolmj",
        'l' => b"opk",
        'z' => b"asx",
        'x' => b"zsdc",
        'c' => b"xdfv",
        'v' => b"cfgb",
        'b' => b"vghn",
        'n' => b"bhjm",
        'm' => b"njk",
        '0' => b"9",
        '1' => b"2",
        '2' => b"13",
        '3' => b"24",
        '4' => b"35",
        '5' => b"46",
        '6' => b"57",
        '7' => b"68",
        '8' => b"79",
        '9' => b"80",
        _ => b"",
    }
}

/// A key next to `c`, in `c`'s case; `c` itself when it has none.
fn neighbour(c: char, rng: &mut Rng) -> char {
    let n = neighbours(c);
    if n.is_empty() {
        return c;
    }
    let x = char::from(n[rng.below(n.len() as u64) as usize]);
    if c.is_uppercase() { x.to_ascii_uppercase() } else { x }
}

/// A uniformly chosen index among those where `pred` holds.
fn spot(chars: &[char], rng: &mut Rng, pred: impl Fn(usize) -> bool) -> Option<usize> {
    let spots: Vec<usize> = (0..chars.len()).filter(|&i| pred(i)).collect();
    (!spots.is_empty()).then(|| spots[rng.below(spots.len() as u64) as usize])
}

/// One letter or digit replaced by a neighbouring key.
pub(super) fn substitute(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let i = spot(&chars, rng, |i| !neighbours(chars[i]).is_empty())?;
    chars[i] = neighbour(chars[i], rng);
    Some(chars.into_iter().collect())
}

/// One digit replaced: by a neighbouring key half of the time, otherwise by any other digit.
pub(super) fn substitute_digit(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let i = spot(&chars, rng, |i| chars[i].is_ascii_digit())?;
    chars[i] = if rng.chance(0.5) {
        neighbour(chars[i], rng)
    } else {
        let d = chars[i] as u8 - b'0';
        char::from(b'0' + ((d + 1 + rng.below(9) as u8) % 10))
    };
    Some(chars.into_iter().collect())
}

/// A key next to one of the letters (or digits) hit as well, before or after it.
pub(super) fn insert(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let i = spot(&chars, rng, |i| !neighbours(chars[i]).is_empty())?;
    let extra = neighbour(chars[i], rng);
    let at = if rng.chance(0.5) { i } else { i + 1 };
    // An inserted letter is lower case unless the whole value is in capitals.
    let extra = if s.chars().any(char::is_lowercase) { extra.to_ascii_lowercase() } else { extra.to_ascii_uppercase() };
    chars.insert(at, extra);
    Some(chars.into_iter().collect())
}

/// One letter or digit left out (never the only one).
pub(super) fn delete(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.iter().filter(|c| c.is_alphanumeric()).count() < 2 {
        return None;
    }
    let i = spot(&chars, rng, |i| chars[i].is_alphanumeric())?;
    chars.remove(i);
    let out: String = chars.into_iter().collect();
    let out = out.trim().replace("  ", " ");
    (out != s).then_some(out)
}

/// Two adjacent, different letters (or digits) typed in the wrong order; the case pattern
/// stays where it was ("Ivan" becomes "Vian", not "vIan").
pub(super) fn transpose(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let i = spot(&chars, rng, |i| {
        i + 1 < chars.len()
            && chars[i].is_alphanumeric()
            && chars[i + 1].is_alphanumeric()
            && chars[i].to_lowercase().ne(chars[i + 1].to_lowercase())
    })?;
    let (a, b) = (chars[i], chars[i + 1]);
    // A letter takes the case of the place it moves to, where its case mapping goes both ways.
    let recase = |c: char, like: char| -> char {
        let x = if like.is_uppercase() { upper(c) } else { lower(c) };
        if lower(x) == lower(c) { x } else { c }
    };
    chars[i] = recase(b, a);
    chars[i + 1] = recase(a, b);
    Some(chars.into_iter().collect())
}

/// `c` in upper case, or as it is when that takes several characters (`ß`).
fn upper(c: char) -> char {
    let mut m = c.to_uppercase();
    match (m.next(), m.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// `c` in lower case, or as it is when that takes several characters (`İ`).
fn lower(c: char) -> char {
    let mut m = c.to_lowercase();
    match (m.next(), m.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// Misreadings of optical character recognition, both ways where they go both ways.
const OCR: [(&str, &str); 26] = [
    ("m", "rn"),
    ("rn", "m"),
    ("d", "cl"),
    ("cl", "d"),
    ("w", "vv"),
    ("vv", "w"),
    ("h", "li"),
    ("li", "h"),
    ("n", "ri"),
    ("u", "v"),
    ("v", "u"),
    ("e", "c"),
    ("c", "e"),
    ("b", "h"),
    ("l", "1"),
    ("1", "l"),
    ("o", "0"),
    ("0", "o"),
    ("s", "5"),
    ("5", "s"),
    ("z", "2"),
    ("g", "9"),
    ("q", "9"),
    ("b", "8"),
    ("i", "l"),
    ("l", "i"),
];

/// One OCR misreading of a lower-case ASCII value.
pub(super) fn ocr(s: &str, rng: &mut Rng) -> Option<String> {
    replace_one(s, rng, OCR.iter().map(|&(from, to)| (from, to, Place::Anywhere)))
}

/// Where in a word a phonetic rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Anywhere,
    Start,
    End,
    NotStart,
}

/// Respellings that sound alike (in the spirit of FEBRL's phonetic variation table).
const PHONETIC: [(&str, &str, Place); 44] = [
    ("ph", "f", Place::Anywhere),
    ("f", "ph", Place::Anywhere),
    ("ck", "k", Place::NotStart),
    ("k", "ck", Place::NotStart),
    ("ca", "ka", Place::Anywhere),
    ("co", "ko", Place::Anywhere),
    ("ka", "ca", Place::Anywhere),
    ("ee", "ea", Place::Anywhere),
    ("ea", "ee", Place::Anywhere),
    ("ie", "y", Place::End),
    ("y", "ie", Place::End),
    ("ey", "y", Place::End),
    ("ou", "ow", Place::Anywhere),
    ("ow", "ou", Place::Anywhere),
    ("gh", "", Place::NotStart),
    ("kn", "n", Place::Start),
    ("wr", "r", Place::Start),
    ("mb", "m", Place::End),
    ("ei", "ie", Place::Anywhere),
    ("ie", "ei", Place::Anywhere),
    ("sch", "sh", Place::Anywhere),
    ("tch", "ch", Place::Anywhere),
    ("ay", "ey", Place::Anywhere),
    ("ey", "ay", Place::Anywhere),
    ("z", "s", Place::Anywhere),
    ("s", "z", Place::NotStart),
    ("th", "t", Place::Anywhere),
    ("y", "i", Place::NotStart),
    ("i", "y", Place::NotStart),
    ("ll", "l", Place::Anywhere),
    ("l", "ll", Place::End),
    ("tt", "t", Place::Anywhere),
    ("nn", "n", Place::Anywhere),
    ("ss", "s", Place::Anywhere),
    ("mm", "m", Place::Anywhere),
    ("rr", "r", Place::Anywhere),
    ("ae", "e", Place::Anywhere),
    ("x", "ks", Place::Anywhere),
    ("ks", "x", Place::Anywhere),
    ("qu", "kw", Place::Anywhere),
    ("er", "a", Place::End),
    ("a", "er", Place::End),
    ("our", "or", Place::Anywhere),
    ("or", "our", Place::End),
];

/// One phonetic respelling of a lower-case ASCII value.
pub(super) fn phonetic(s: &str, rng: &mut Rng) -> Option<String> {
    replace_one(s, rng, PHONETIC.iter().copied())
}

/// One occurrence of one applicable `(from, to, place)` rule replaced, in lower-case ASCII.
fn replace_one<'r>(s: &str, rng: &mut Rng, rules: impl Iterator<Item = (&'r str, &'r str, Place)>) -> Option<String> {
    if !s.is_ascii() {
        return None;
    }
    let bytes = s.as_bytes();
    let word_start = |i: usize| i == 0 || bytes[i - 1] == b' ';
    let word_end = |i: usize| i == bytes.len() || bytes[i] == b' ';
    let mut hits: Vec<(usize, &str, &str)> = Vec::new();
    for (from, to, place) in rules {
        for (i, _) in s.match_indices(from) {
            let end = i + from.len();
            let ok = match place {
                Place::Anywhere => true,
                Place::Start => word_start(i),
                Place::End => word_end(end),
                Place::NotStart => !word_start(i),
            };
            // A rule must not leave a word empty.
            if ok && !(to.is_empty() && word_start(i) && word_end(end)) {
                hits.push((i, from, to));
            }
        }
    }
    if hits.is_empty() {
        return None;
    }
    let (i, from, to) = hits[rng.below(hits.len() as u64) as usize];
    let mut out = String::with_capacity(s.len() + 2);
    out.push_str(&s[..i]);
    out.push_str(to);
    out.push_str(&s[i + from.len()..]);
    (out != s).then_some(out)
}

/// A space lost between two words ("pine hill" becomes "pinehill") or one added inside a word
/// ("isabella" becomes "isabe lla").
pub(super) fn space(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.contains(&' ') && rng.chance(0.5) {
        let i = spot(&chars, rng, |i| chars[i] == ' ')?;
        chars.remove(i);
    } else {
        let i = spot(&chars, rng, |i| i > 0 && chars[i - 1].is_alphanumeric() && chars[i].is_alphanumeric())?;
        chars.insert(i, ' ');
    }
    Some(chars.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Levenshtein distance with adjacent transpositions (optimal string alignment), ignoring
    /// case.
    fn distance(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().map(lower).collect(), b.chars().map(lower).collect());
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn typing_errors_are_single_edits_that_change_the_value() {
        let mut rng = Rng::new(3);
        let words = ["isabella", "McDonald", "GARCIA LOPEZ", "nguyen van an", "19870412", "o'brien", "Zoë"];
        type Edit = fn(&str, &mut Rng) -> Option<String>;
        let edits: [(&str, Edit); 5] = [
            ("substitute", substitute),
            ("substitute_digit", substitute_digit),
            ("insert", insert),
            ("delete", delete),
            ("transpose", transpose),
        ];
        for _ in 0..200 {
            for w in words {
                for (name, edit) in edits {
                    let Some(out) = edit(w, &mut rng) else { continue };
                    assert_ne!(out, w, "{name} left {w} unchanged");
                    assert!(
                        distance(&w.to_lowercase(), &out.to_lowercase()) <= 1 || name == "delete",
                        "{name}: {w} -> {out}"
                    );
                    assert!(!out.is_empty() && out.trim() == out, "{name}: {w} -> {out:?}");
                }
            }
        }
        assert_eq!(transpose("a", &mut rng), None);
        assert_eq!(delete("a", &mut rng), None);
        assert_eq!(substitute_digit("abc", &mut rng), None);
    }

    proptest::proptest! {
        // Any value, whatever its script, takes an error or is left alone: never a panic, never
        // an empty or padded result, and typing errors stay one edit away.
        #[test]
        fn errors_never_panic_and_stay_close(s in "\\PC{0,24}", seed: u64) {
            let mut rng = Rng::new(seed);
            for (name, out) in [
                ("substitute", substitute(&s, &mut rng)),
                ("substitute_digit", substitute_digit(&s, &mut rng)),
                ("insert", insert(&s, &mut rng)),
                ("transpose", transpose(&s, &mut rng)),
                ("delete", delete(&s, &mut rng)),
                ("ocr", ocr(&s, &mut rng)),
                ("phonetic", phonetic(&s, &mut rng)),
                ("space", space(&s, &mut rng)),
            ] {
                let Some(out) = out else { continue };
                proptest::prop_assert_ne!(&out, &s, "{} changed nothing", name);
                if ["substitute", "substitute_digit", "insert", "transpose"].contains(&name) {
                    let d = distance(&s, &out);
                    proptest::prop_assert!(d <= 1, "{}: {:?} -> {:?}", name, s, out);
                }
            }
        }
    }

    #[test]
    fn keyboard_errors_use_neighbouring_keys_and_keep_case() {
        let mut rng = Rng::new(4);
        for _ in 0..100 {
            let out = substitute("g", &mut rng).expect("g has neighbours");
            assert!("tyhfvb".contains(&out), "{out}");
            let out = substitute("G", &mut rng).expect("G has neighbours");
            assert!("TYHFVB".contains(&out), "{out}");
            let out = transpose("Ivan", &mut rng).expect("transposable");
            assert!(["Vian", "Iavn", "Ivna"].contains(&out.as_str()), "{out}");
        }
    }

    #[test]
    fn ocr_phonetic_and_space_errors_are_the_documented_kinds() {
        let mut rng = Rng::new(5);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..300 {
            seen.insert(ocr("smith", &mut rng).expect("confusable letters"));
            seen.insert(phonetic("stephen", &mut rng).expect("respellable"));
            seen.insert(space("pine hill", &mut rng).expect("spaces"));
        }
        for expected in ["5mith", "srnith", "stefen", "pinehill", "pine hi ll"] {
            assert!(seen.contains(expected), "{expected} never produced: {seen:?}");
        }
        assert_eq!(ocr("xyk", &mut rng), None);
        assert_eq!(phonetic("Ünal", &mut rng), None);
        assert_eq!(space("a", &mut rng), None);
    }
}
