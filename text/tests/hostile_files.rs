//! Hostile and mutated files (issue 20): `vocab.txt`, `tokenizer.json`, GPT-2's `vocab.json` +
//! `merges.txt` and saved vectorizers never make loading, encoding or transforming panic, abort
//! or allocate more than 1 GiB; the two crashes found by fuzzing are now errors naming the
//! file and the field.
//!
//! The proptests run 256 cases each; set `KILN_FUZZ_CASES` (e.g. 10000, with `--release`)
//! for a long run. This binary holds only these tests, so its counting allocator sees only
//! their allocations.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use kiln_testkit::alloc::LargestAllocation;
use kiln_testkit::mutate::{fuzz_cases, hostile_value, mutate_bytes, mutate_json};
use kiln_text::models::{Bpe, BpeConfig, Model, Vocab, WordPiece};
use kiln_text::utils::MAX_SEQUENCE_LENGTH;
use kiln_text::utils::padding::{PaddingParams, PaddingStrategy};
use kiln_text::utils::truncation::TruncationParams;
use kiln_text::vectorizers::{CountVectorizer, TfidfVectorizer};
use kiln_text::{TextError, Tokenizer};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

#[global_allocator]
static GLOBAL: LargestAllocation = LargestAllocation;

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-text-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const VOCAB: [&str; 16] = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##a", "b", "##b", "aa", "é", "中", "!",
    "the", "##s", "cat",
];

const TEXTS: [&str; 4] = [
    "the cats a aa b!",
    "",
    "É 中 [MASK] xyz",
    "a b a b a b a b a b",
];

/// A BERT tokenizer with truncation, padding and added tokens, so every section of
/// `tokenizer.json` is present.
fn full_bert() -> Tokenizer {
    let vocab = Vocab::from_tokens(VOCAB.map(String::from));
    let mut t = Tokenizer::bert_wordpiece(vocab, true)
        .unwrap()
        .with_truncation(Some(TruncationParams {
            max_length: 12,
            stride: 2,
            ..TruncationParams::default()
        }))
        .with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::Fixed(12),
            pad_to_multiple_of: Some(4),
            ..PaddingParams::default()
        }));
    t.add_tokens(&[kiln_text::AddedToken {
        id: 0,
        content: "<new>".into(),
        single_word: true,
        lstrip: true,
        rstrip: false,
        normalized: true,
        special: false,
    }]);
    t
}

/// Hugging Face's `WordPiece::read_file`, written independently: `BufRead::lines` (split at
/// `\n`, drop one `\r` before it), then `vocab.insert(line.trim_end(), index)`.
fn hf_read_file(text: &str) -> HashMap<String, u32> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if text.ends_with('\n') || text.is_empty() {
        lines.pop();
    }
    let mut vocab = HashMap::new();
    for (i, l) in lines.into_iter().enumerate() {
        let l = l.strip_suffix('\r').unwrap_or(l);
        vocab.insert(l.trim_end().to_owned(), i as u32);
    }
    vocab
}

/// Kiln's vocabulary equals Hugging Face's map, and its id → token side equals HF's
/// `vocab_r` (built from the map, so earlier ids of repeated tokens have no token).
fn assert_matches_hf(text: &str) {
    let kiln = WordPiece::vocab_from_txt(text);
    let hf = hf_read_file(text);
    assert_eq!(kiln.to_hash_map(), hf, "{text:?}");
    assert_eq!(kiln.len(), hf.len());
    let hf_r: HashMap<u32, &str> = hf.iter().map(|(k, &v)| (v, k.as_str())).collect();
    for id in 0..kiln.id_bound() as u32 + 2 {
        assert_eq!(
            kiln.token(id),
            hf_r.get(&id).copied(),
            "id {id} of {text:?}"
        );
    }
}

fn encode_everything(t: &Tokenizer) {
    for s in TEXTS {
        if let Ok(e) = t.encode(s, true) {
            let _ = t.decode(e.ids(), true);
            let _ = e.tokens();
        }
        let _ = t.encode(s, false);
        let _ = t.encode_pair(s, "a b", true);
    }
    let _ = t.encode_batch(&TEXTS, true);
    let _ = t.decode(&[0, 1, 5, u32::MAX], false);
    let _ = t.to_json_string(false);
}

// ---- the two crashes of issue 20 ----

#[test]
fn repeated_vocab_lines_follow_hugging_face() {
    // 3,000 blank lines are one token, "", with the last line's id; "a" × 2,000 likewise.
    let blank = "\n".repeat(3000);
    let v = WordPiece::vocab_from_txt(&blank);
    assert_eq!((v.len(), v.id(""), v.id_bound()), (1, Some(2999), 3000));
    let a = "a\n".repeat(2000);
    let v = WordPiece::vocab_from_txt(&a);
    assert_eq!((v.len(), v.id("a"), v.token(0)), (1, Some(1999), None));
    // Trailing whitespace is trimmed, so these are one token taking the last line's id.
    let v = WordPiece::vocab_from_txt("[UNK]\na \na\na\t\r\nb\n");
    assert_eq!((v.len(), v.id("a"), v.id("b")), (3, Some(3), Some(4)));
    for text in [
        blank.as_str(),
        &a,
        "[UNK]\na \na\na\t\r\nb\n",
        "x\r\ny\rz\n\n",
    ] {
        assert_matches_hf(text);
    }

    // Loading them is an error only because there is no [UNK], and it names file and field.
    for (name, text) in [("blank.txt", &blank), ("a.txt", &a)] {
        let p = temp_file(name, text.as_bytes());
        let e = WordPiece::from_vocab_file(&p, Default::default()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&p.display().to_string()), "{msg}");
        assert!(msg.contains("model.unk_token"), "{msg}");
        assert!(matches!(e, TextError::InFile { .. }), "{e:?}");
        let e = Tokenizer::bert_from_vocab_file(&p, true).unwrap_err();
        assert!(e.to_string().contains(&p.display().to_string()), "{e}");
    }

    // With the special tokens present, a vocab.txt full of repeats loads, as in Hugging Face.
    let mut text = String::from("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n");
    text.push_str(&"a\n".repeat(2000));
    text.push_str(&"\n".repeat(3000));
    text.push_str("b \nb\n");
    let p = temp_file("repeats.txt", text.as_bytes());
    let t = Tokenizer::bert_from_vocab_file(&p, true).unwrap();
    assert_eq!(t.get_vocab_size(false), 8);
    assert_eq!(t.token_to_id("a"), Some(2004));
    assert_eq!(t.token_to_id("b"), Some(5006));
    assert_eq!(t.encode("a b", true).unwrap().ids(), [2, 2004, 5006, 3]);
    // Saved as tokenizer.json (ids with holes, as HF writes them) it loads back the same.
    let again = Tokenizer::from_json_str(&t.to_json_string(false)).unwrap();
    assert_eq!(again.encode("a b", true).unwrap().ids(), [2, 2004, 5006, 3]);
}

fn with_padding_json(padding: &str) -> String {
    let mut v: Value = serde_json::from_str(&full_bert().to_json_string(false)).unwrap();
    v["padding"] = serde_json::from_str(padding).unwrap();
    v.to_string()
}

#[test]
fn huge_padding_in_tokenizer_json_is_an_error_naming_file_and_field() {
    let cases = [
        (
            r#"{"strategy":{"Fixed":1099511627776}}"#,
            "padding.strategy.Fixed",
        ),
        (
            r#"{"strategy":"BatchLongest","pad_to_multiple_of":1099511627776}"#,
            "padding.pad_to_multiple_of",
        ),
        (
            r#"{"strategy":{"Fixed":1048576},"pad_to_multiple_of":1048575}"#,
            "padding.pad_to_multiple_of",
        ),
    ];
    for (i, (padding, field)) in cases.into_iter().enumerate() {
        let p = temp_file(
            &format!("pad{i}.json"),
            with_padding_json(padding).as_bytes(),
        );
        let e = Tokenizer::from_file(&p).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&p.display().to_string()), "{msg}");
        assert!(msg.contains(field), "{msg}");
        let e = Tokenizer::from_json_str(&with_padding_json(padding)).unwrap_err();
        assert!(e.to_string().contains(field), "{e}");
    }
    // The bound itself is accepted.
    let ok = with_padding_json(r#"{"strategy":{"Fixed":1048576}}"#);
    let t = Tokenizer::from_json_str(&ok).unwrap();
    assert_eq!(t.encode("a", true).unwrap().len(), MAX_SEQUENCE_LENGTH);
    LargestAllocation::assert_under_a_gib();
}

#[test]
fn huge_truncation_and_added_ids_are_errors_naming_the_field() {
    let base: Value = serde_json::from_str(&full_bert().to_json_string(false)).unwrap();
    let mut v = base.clone();
    v["truncation"]["max_length"] = Value::from(1u64 << 40);
    let e = Tokenizer::from_json_str(&v.to_string()).unwrap_err();
    assert!(e.to_string().contains("truncation.max_length"), "{e}");
    let mut v = base.clone();
    v["truncation"]["stride"] = Value::from(u64::MAX);
    let e = Tokenizer::from_json_str(&v.to_string()).unwrap_err();
    assert!(e.to_string().contains("truncation.stride"), "{e}");
    let mut v = base.clone();
    v["added_tokens"][5]["id"] = Value::from(u32::MAX);
    let p = temp_file("added.json", v.to_string().as_bytes());
    let e = Tokenizer::from_file(&p).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("added_tokens[5].id"), "{msg}");
    assert!(msg.contains(&p.display().to_string()), "{msg}");
    // An id over u32 does not parse at all.
    let mut v = base;
    v["added_tokens"][0]["id"] = Value::from(u64::from(u32::MAX) + 1);
    assert!(matches!(
        Tokenizer::from_json_str(&v.to_string()),
        Err(TextError::Json { .. })
    ));
}

#[test]
fn setters_check_lengths() {
    let huge = PaddingParams {
        strategy: PaddingStrategy::Fixed(1 << 40),
        ..PaddingParams::default()
    };
    let e = full_bert().try_with_padding(Some(huge)).unwrap_err();
    assert!(e.to_string().contains("padding.strategy.Fixed"), "{e}");
    let long = TruncationParams {
        max_length: MAX_SEQUENCE_LENGTH + 1,
        ..TruncationParams::default()
    };
    let e = full_bert().try_with_truncation(Some(long)).unwrap_err();
    assert!(e.to_string().contains("truncation.max_length"), "{e}");
    assert!(full_bert().try_with_padding(None).is_ok());
    let r = std::panic::catch_unwind(|| {
        full_bert().with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::Fixed(usize::MAX),
            ..PaddingParams::default()
        }))
    });
    let msg = r.unwrap_err();
    let msg = msg.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("Tokenizer::with_padding") && msg.contains("Fixed"),
        "{msg}"
    );
}

#[test]
fn padding_every_overflow_window_to_a_long_length_is_an_error() {
    // max_length 4 with [CLS]/[SEP] leaves 2 tokens, stride 1: one window per word; padding
    // 3,000 windows to 2^20 each would be 3·10^9 tokens (over 100 GB).
    let t = full_bert()
        .with_truncation(Some(TruncationParams {
            max_length: 4,
            stride: 1,
            ..TruncationParams::default()
        }))
        .with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::Fixed(MAX_SEQUENCE_LENGTH),
            ..PaddingParams::default()
        }));
    let text = "a ".repeat(3000);
    let e = t.encode(&text, true).unwrap_err();
    assert!(e.to_string().contains("padding.strategy"), "{e}");
    assert!(t.encode_batch(&[text.as_str()], true).is_err());
    // A few windows padded to the bound are fine.
    assert_eq!(t.encode("a a", true).unwrap().len(), MAX_SEQUENCE_LENGTH);
    // Padding to the truncation length, the usual setting, pads any number of windows.
    let t = t.with_padding(Some(PaddingParams {
        strategy: PaddingStrategy::Fixed(4),
        ..PaddingParams::default()
    }));
    let e = t.encode(&text, true).unwrap();
    assert_eq!(e.overflowing().len(), 2998); // 2,999 windows of two words
    LargestAllocation::assert_under_a_gib();
}

// ---- mutation fuzzing ----

/// Values that break a tokenizer's lengths, counts and ids: [`hostile_value`]s, token
/// strings, and the 4 TB fixed padding found by fuzzing.
fn hostile_tokenizer_value(k: usize) -> Value {
    match k % 24 {
        18 | 19 => Value::from(""),
        20 | 21 => Value::from("[UNK]"),
        22 | 23 => serde_json::json!({"Fixed": 1099511627776u64}),
        _ => hostile_value(k),
    }
}

/// Lines of a valid `vocab.txt` changed line-wise: repeated, blanked, given trailing
/// whitespace, or moved.
fn mutate_lines(edits: &[(Index, u8)]) -> String {
    let mut lines: Vec<String> = VOCAB.iter().map(|s| s.to_string()).collect();
    for (at, op) in edits {
        let i = at
            .index(lines.len().max(1))
            .min(lines.len().saturating_sub(1));
        if lines.is_empty() {
            lines.push(String::new());
            continue;
        }
        match op % 6 {
            0 => {
                let l = lines[i].clone();
                let n = 1 + (*op as usize / 6) * 40;
                lines.splice(i..i, std::iter::repeat_n(l, n));
            }
            1 => lines.insert(i, String::new()),
            2 => lines[i].push_str([" ", "\t", "\r", "  \t"][(*op as usize / 6) % 4]),
            3 => {
                lines.remove(i);
            }
            4 => {
                let l = lines.remove(i);
                lines.push(l);
            }
            _ => lines.insert(i, "\n".repeat(*op as usize)),
        }
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    #[test]
    fn mutated_vocab_txt_never_panics_and_matches_hugging_face(
        lines in prop::collection::vec((any::<Index>(), any::<u8>()), 0..8),
        bytes in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 0..4),
    ) {
        let text = mutate_lines(&lines);
        let bytes = mutate_bytes(text.into_bytes(), &bytes);
        let lossy = String::from_utf8_lossy(&bytes);
        assert_matches_hf(&lossy);
        let p = temp_file("fuzz_vocab.txt", &bytes);
        match WordPiece::from_vocab_file(&p, Default::default()) {
            Ok(wp) => {
                prop_assert_eq!(wp.vocab().to_hash_map(), hf_read_file(&lossy));
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains(&p.display().to_string()), "{}", msg);
            }
        }
        if let Ok(t) = Tokenizer::bert_from_vocab_file(&p, true) {
            encode_everything(&t);
            let again = Tokenizer::from_json_str(&t.to_json_string(false));
            prop_assert!(again.is_ok(), "{:?}", again.err());
        }
        LargestAllocation::assert_under_a_gib();
    }

    #[test]
    fn mutated_tokenizer_json_never_panics(
        which in 0usize..3,
        json_edits in prop::collection::vec((any::<Index>(), any::<usize>()), 1..4),
        byte_edits in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 0..3),
    ) {
        let base = match which {
            0 => full_bert().to_json_string(false),
            1 => std::fs::read_to_string(common::fixture("bpe_whitespace.json")).unwrap(),
            _ => std::fs::read_to_string(common::fixture("bpe_bytelevel.json")).unwrap(),
        };
        let mut json: Value = serde_json::from_str(&base).unwrap();
        for (where_, what) in &json_edits {
            mutate_json(&mut json, where_, *what, hostile_tokenizer_value, &[]);
        }
        let mutated = json.to_string();
        let bytes = mutate_bytes(mutated.into_bytes(), &byte_edits);
        prop_assume!(bytes.len() < 1 << 20);
        if let Ok(t) = Tokenizer::from_json_str(&String::from_utf8_lossy(&bytes)) {
            encode_everything(&t);
        }
        LargestAllocation::assert_under_a_gib();
    }

    #[test]
    fn mutated_bpe_vocab_and_merges_never_panic(
        vocab_edits in prop::collection::vec((any::<Index>(), any::<usize>()), 0..4),
        vocab_bytes in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 0..3),
        merges_bytes in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 0..4),
    ) {
        let (mut vocab, merges) = gpt2_files();
        for (where_, what) in &vocab_edits {
            mutate_json(&mut vocab, where_, *what, hostile_tokenizer_value, &["a", "Ġ", ""]);
        }
        let vp = temp_file("fuzz_vocab.json", &mutate_bytes(vocab.to_string().into_bytes(), &vocab_bytes));
        let mp = temp_file("fuzz_merges.txt", &mutate_bytes(merges.into_bytes(), &merges_bytes));
        match Bpe::from_files(&vp, &mp, BpeConfig::default()) {
            Ok(bpe) => {
                let mut t = bytelevel_bpe();
                t.set_model(Model::Bpe(bpe));
                encode_everything(&t);
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(
                    msg.contains("vocab.json") || msg.contains("merges.txt"),
                    "the error names neither file: {}", msg
                );
            }
        }
        LargestAllocation::assert_under_a_gib();
    }

    #[test]
    fn mutated_vectorizer_json_never_panics(
        tfidf in any::<bool>(),
        json_edits in prop::collection::vec((any::<Index>(), any::<usize>()), 1..4),
        byte_edits in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 0..3),
    ) {
        let base = if tfidf { fitted_tfidf_json() } else { fitted_count_json() };
        let mut json: Value = serde_json::from_str(&base).unwrap();
        for (where_, what) in &json_edits {
            mutate_json(&mut json, where_, *what, hostile_vectorizer_value, &["cat", "the cat", ""]);
        }
        let bytes = mutate_bytes(json.to_string().into_bytes(), &byte_edits);
        let text = String::from_utf8_lossy(&bytes);
        // Either a typed error or a consistent vectorizer that transforms.
        if tfidf {
            if let Ok(v) = TfidfVectorizer::from_json(&text) {
                prop_assert!(v.transform::<f64>(&TEXTS).is_ok());
            }
        } else if let Ok(v) = CountVectorizer::from_json(&text) {
            prop_assert!(v.transform::<f64>(&TEXTS).is_ok());
        }
        LargestAllocation::assert_under_a_gib();
    }
}

/// The byte-level BPE fixture's tokenizer.
fn bytelevel_bpe() -> Tokenizer {
    Tokenizer::from_file(common::fixture("bpe_bytelevel.json")).unwrap()
}

/// The byte-level BPE fixture's model as GPT-2 files: `vocab.json` (as a JSON value) and
/// `merges.txt` with its `#version` line.
fn gpt2_files() -> (Value, String) {
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture("bpe_bytelevel.json")).unwrap(),
    )
    .unwrap();
    let mut merges = String::from("#version: 0.2\n");
    for m in json["model"]["merges"].as_array().unwrap() {
        match m {
            Value::String(s) => merges.push_str(s),
            pair => {
                merges.push_str(pair[0].as_str().unwrap());
                merges.push(' ');
                merges.push_str(pair[1].as_str().unwrap());
            }
        }
        merges.push('\n');
    }
    (json["model"]["vocab"].clone(), merges)
}

/// Values that break a vectorizer file: [`hostile_value`]s, n-gram ranges and a `max_df`
/// out of order, and terms.
fn hostile_vectorizer_value(k: usize) -> Value {
    match k % 24 {
        18 => serde_json::json!([3, 1]),
        19 => serde_json::json!([1, 1u64 << 40]),
        20 => serde_json::json!([0, 0]),
        21 => Value::from("the cat"),
        22 => Value::from(f64::MIN_POSITIVE),
        23 => serde_json::json!({"cat": u64::MAX}),
        _ => hostile_value(k),
    }
}

fn fitted_tfidf_json() -> String {
    let mut v = TfidfVectorizer::new().with_ngram_range(1, 2);
    v.fit(&TEXTS).unwrap();
    v.to_json().unwrap()
}

fn fitted_count_json() -> String {
    let mut v = CountVectorizer::new().with_ngram_range(1, 2);
    v.fit(&TEXTS).unwrap();
    v.to_json().unwrap()
}
