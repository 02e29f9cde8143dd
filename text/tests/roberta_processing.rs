//! RobertaProcessing parity with Hugging Face tokenizers 0.23.3 (fixtures from
//! `nn/tests/fixtures/gen_roberta.py`): byte-level BPE `tokenizer.json` files trained by HF
//! with RoBERTa's post-processor (roberta-base's settings, `add_prefix_space` true, and
//! `trim_offsets` false, truncation to 10 tokens with stride 2) load, encode 55 strings alone
//! and 55 pairs (12 of each when truncated), with and without special tokens, to HF's ids,
//! type ids, tokens, offsets, special-token masks and overflowing windows, and are written
//! back field for field.

mod common;

use std::collections::BTreeMap;

use kiln_text::Tokenizer;
use kiln_text::processors::{PostProcessor, RobertaProcessing};
use serde::Deserialize;

#[derive(Deserialize)]
struct Expected {
    ids: Vec<u32>,
    type_ids: Vec<u32>,
    tokens: Vec<String>,
    offsets: Vec<(usize, usize)>,
    special_tokens_mask: Vec<u32>,
    /// The ids of each window cut off by truncation.
    #[serde(default)]
    overflowing: Vec<Vec<u32>>,
}

#[derive(Deserialize)]
struct Fixture {
    versions: BTreeMap<String, String>,
    texts: Vec<String>,
    files: BTreeMap<String, BTreeMap<String, Vec<Expected>>>,
}

fn fixture() -> Fixture {
    let bytes = std::fs::read(common::fixture("roberta/expected.json")).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Byte offset `b` of `text` as a character position (HF Python's offsets).
fn to_char(text: &str, b: usize) -> usize {
    text.get(..b)
        .map_or_else(|| text.chars().count(), |t| t.chars().count())
}

/// Kiln's encoding of `a` (and `b`) in HF's form: char offsets, each sequence's tokens
/// counted in its own text.
fn encode(tok: &Tokenizer, a: &str, b: Option<&str>, special: bool) -> Expected {
    let enc = match b {
        Some(b) => tok.encode_pair(a, b, special),
        None => tok.encode(a, special),
    }
    .unwrap_or_else(|e| panic!("{a:?}: {e}"));
    let len_a = tok.encode(a, false).unwrap().len();
    let start_b = len_a + if special { 3 } else { 0 };
    let offsets = enc
        .offsets()
        .iter()
        .enumerate()
        .map(|(i, &(s, e))| {
            let text = match b {
                Some(b) if i >= start_b => b,
                _ => a,
            };
            (to_char(text, s), to_char(text, e))
        })
        .collect();
    Expected {
        ids: enc.ids().to_vec(),
        type_ids: enc.type_ids().to_vec(),
        tokens: enc.tokens().iter().map(|t| t.to_string()).collect(),
        offsets,
        special_tokens_mask: enc.special_tokens_mask().to_vec(),
        overflowing: enc.overflowing().iter().map(|o| o.ids().to_vec()).collect(),
    }
}

/// Compares everything; offsets only when `offsets` (a truncated pair's split point between
/// its sequences is not recovered here, so its offsets are left to the single inputs).
fn assert_same(what: &str, got: &Expected, want: &Expected, offsets: bool) {
    assert_eq!(got.ids, want.ids, "{what}: ids");
    assert_eq!(got.overflowing, want.overflowing, "{what}: overflowing");
    assert_eq!(got.tokens, want.tokens, "{what}: tokens");
    assert_eq!(got.type_ids, want.type_ids, "{what}: type ids");
    if offsets {
        assert_eq!(got.offsets, want.offsets, "{what}: offsets");
    }
    assert_eq!(
        got.special_tokens_mask, want.special_tokens_mask,
        "{what}: special tokens mask"
    );
}

#[test]
fn hf_roberta_tokenizers_encode_identically() {
    let fx = fixture();
    assert_eq!(fx.versions["tokenizers"], "0.23.3");
    assert!(fx.texts.len() >= 50);
    assert_eq!(fx.files.len(), 4);
    let n = fx.texts.len();
    let mut checked = 0;
    for (file, cases) in &fx.files {
        let tok = Tokenizer::from_file(common::fixture(&format!("roberta/{file}")))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(matches!(
            tok.post_processor(),
            Some(PostProcessor::RobertaProcessing(_))
        ));
        for special in [true, false] {
            let key = if special { "special" } else { "plain" };
            for (i, want) in cases[&format!("single.{key}")].iter().enumerate() {
                let a = &fx.texts[i];
                let got = encode(&tok, a, None, special);
                assert_same(&format!("{file} single.{key} {a:?}"), &got, want, true);
                checked += 1;
            }
            for (i, want) in cases[&format!("pair.{key}")].iter().enumerate() {
                let (a, b) = (&fx.texts[i], &fx.texts[(i + 1) % n]);
                let got = encode(&tok, a, Some(b), special);
                let offsets = tok.truncation().is_none();
                assert_same(
                    &format!("{file} pair.{key} {a:?} {b:?}"),
                    &got,
                    want,
                    offsets,
                );
                checked += 1;
            }
        }
    }
    // 55 strings alone and in pairs in three files, the first 12 in the truncated one.
    assert_eq!(checked, 3 * 4 * n + 4 * 12);
}

#[test]
fn roberta_tokenizer_json_is_written_back_field_for_field() {
    for file in [
        "tokenizer.json",
        "prefix_space.json",
        "untrimmed.json",
        "truncated.json",
    ] {
        let path = common::fixture(&format!("roberta/{file}"));
        let text = std::fs::read_to_string(&path).unwrap();
        let tok = Tokenizer::from_json_str(&text).unwrap();
        let ours: serde_json::Value = serde_json::from_str(&tok.to_json_string(false)).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(ours["post_processor"], theirs["post_processor"], "{file}");
        assert_eq!(ours["pre_tokenizer"], theirs["pre_tokenizer"], "{file}");
        assert_eq!(ours["truncation"], theirs["truncation"], "{file}");
        let again = Tokenizer::from_json_str(&tok.to_json_string(true)).unwrap();
        assert_eq!(again.post_processor(), tok.post_processor(), "{file}");
    }
}

#[test]
fn roberta_processing_builds_as_hf_does() {
    let tok = Tokenizer::from_file(common::fixture("roberta/tokenizer.json")).unwrap();
    let built = RobertaProcessing::new(("</s>", 2), ("<s>", 0)).with_add_prefix_space(false);
    assert_eq!(
        tok.post_processor(),
        Some(&PostProcessor::RobertaProcessing(built))
    );
    let bad = r#"{"type":"RobertaProcessing","sep":["</s>"],"cls":["<s>",0]}"#;
    assert!(serde_json::from_str::<PostProcessor>(bad).is_err());
}
