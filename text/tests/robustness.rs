//! Bad input never panics: random bytes into every parser, random text through the
//! pipelines; byte-level BPE round-trips any string; offsets fall on char boundaries.

mod common;

use kiln_text::models::{Bpe, Vocab, WordPiece};
use kiln_text::pre_tokenizers::{ByteLevel, PreTokenizer};
use kiln_text::{TextError, Tokenizer};
use proptest::prelude::*;

fn bytelevel(add_prefix_space: bool) -> Tokenizer {
    let t = Tokenizer::from_file(common::fixture("bpe_bytelevel.json")).unwrap();
    t.with_pre_tokenizer(Some(PreTokenizer::ByteLevel(ByteLevel {
        add_prefix_space,
        ..ByteLevel::default()
    })))
}

fn bert() -> Tokenizer {
    let toks = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##a", "b", "##b", "é", "中", "!",
    ];
    Tokenizer::bert_wordpiece(Vocab::from_tokens(toks.map(String::from)), true).unwrap()
}

fn whitespace_bpe() -> Tokenizer {
    Tokenizer::from_file(common::fixture("bpe_whitespace.json")).unwrap()
}

fn assert_offsets_on_boundaries(t: &Tokenizer, s: &str) {
    let e = t.encode(s, true).unwrap();
    for &(a, b) in e.offsets() {
        assert!(a <= b && b <= s.len(), "{a}..{b} out of {s:?}");
        assert!(
            s.is_char_boundary(a) && s.is_char_boundary(b),
            "{a}..{b} in {s:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Tokenizer::from_json_str(&text);
        let _ = Bpe::parse_merges_txt(&text);
        let _ = WordPiece::vocab_from_txt(&text);
        let _ = serde_json::from_str::<kiln_text::normalizers::Normalizer>(&text);
    }

    #[test]
    fn mutated_tokenizer_json_never_panics(pos in 0usize..100_000, byte in any::<u8>(), cut in any::<bool>()) {
        let mut bytes = std::fs::read(common::fixture("bpe_whitespace.json")).unwrap();
        let pos = pos % bytes.len();
        if cut { bytes.truncate(pos) } else { bytes[pos] = byte }
        let _ = Tokenizer::from_json_str(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn bytelevel_round_trips(s in "\\PC*") {
        let t = bytelevel(false);
        let e = t.encode(&s, false).unwrap();
        prop_assert_eq!(t.decode(e.ids(), false), s);
    }

    #[test]
    fn offsets_fall_on_char_boundaries(s in "(\\PC|\\s|[\\x00-\\x1f])*") {
        for t in [bytelevel(true), bert(), whitespace_bpe()] {
            assert_offsets_on_boundaries(&t, &s);
        }
    }
}

#[test]
fn invalid_utf8_empty_and_huge_inputs() {
    let t = bert();
    assert!(matches!(
        t.encode_bytes(b"ok \xff no", true),
        Err(TextError::InvalidUtf8 { valid_up_to: 3 })
    ));
    assert_eq!(t.encode("", true).unwrap().ids(), [2, 3]);
    assert!(t.encode("", false).unwrap().is_empty());
    let huge = "a".repeat(10_000_000);
    assert_eq!(t.encode(&huge, false).unwrap().ids(), [1]);
    let bl = bytelevel(true);
    let e = bl.encode(&huge, false).unwrap();
    assert_eq!(e.offsets().first().map(|o| o.0), Some(0));
    assert_eq!(e.offsets().last().map(|o| o.1), Some(huge.len()));
}

#[test]
fn errors_name_the_line_or_field() {
    let e = Bpe::parse_merges_txt("#version: 0.2\na b\nc d e\n").unwrap_err();
    assert!(e.to_string().contains("line 3"), "{e}");
    let dir = std::env::temp_dir().join(format!("kiln-text-vocab-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("vocab.txt");
    std::fs::write(&p, b"[UNK]\nok\nbad\xff\n").unwrap();
    let e = WordPiece::from_vocab_file(&p, Default::default()).unwrap_err();
    assert!(e.to_string().contains("line 3"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
    let e = Tokenizer::from_json_str(
        r#"{"model":{"type":"BPE","vocab":{"a":0},"merges":[["a","b"]]}}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("merge 1"), "{e}");
    let e = Tokenizer::from_json_str(r#"{"model":{"type":"Nope"}}"#).unwrap_err();
    assert!(e.to_string().contains("unknown variant"), "{e}");
    let e = Tokenizer::from_json_str(r#"{"model":{"type":"Unigram"}}"#).unwrap_err();
    assert!(e.to_string().contains("missing field `vocab`"), "{e}");
}

#[test]
fn word_level_tokenizer_json_round_trips() {
    let json = r#"{"model":{"type":"WordLevel","vocab":{"<unk>":0,"hi":1},"unk_token":"<unk>"},
        "pre_tokenizer":{"type":"WhitespaceSplit"}}"#;
    let t = Tokenizer::from_json_str(json).unwrap();
    let e = t.encode("hi there  hi", false).unwrap();
    assert_eq!(e.ids(), [1, 0, 1]);
    assert_eq!(e.offsets(), [(0, 2), (3, 8), (10, 12)]);
    let again = Tokenizer::from_json_str(&t.to_json_string(false)).unwrap();
    assert_eq!(again.encode("hi there  hi", false).unwrap(), e);
}
