//! Bad Unigram files: an empty vocabulary, a missing or out-of-range `unk_id`, NaN or
//! infinite scores, and a corrupt `precompiled_charsmap` are each a typed error naming the
//! field; mutated Unigram sections and charsmaps never make loading or encoding panic or
//! allocate more than 1 GiB.
//!
//! Scores: Hugging Face accepts any number, and every trained score is a log probability
//! (≤ 0), so negative scores are valid. JSON has no NaN or infinity (serde_json refuses
//! `NaN` and an overflowing `1e999`), and [`Unigram::new`] refuses them from Rust code.

mod common;

use kiln_testkit::alloc::LargestAllocation;
use kiln_testkit::mutate::{fuzz_cases, hostile_value, mutate_bytes, mutate_json};
use kiln_text::models::{Model, Unigram};
use kiln_text::normalizers::{NormalizedString, Precompiled};
use kiln_text::utils::base64;
use kiln_text::{TextError, Tokenizer};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

#[global_allocator]
static GLOBAL: LargestAllocation = LargestAllocation;

const TEXTS: [&str; 5] = [
    "The union is strong",
    "",
    "ﬁne ＡＢＣ 中文 😀 e\u{301}  x",
    "<unk>[MASK] \u{0}\t\n",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

fn encode_everything(t: &Tokenizer) {
    for s in TEXTS {
        if let Ok(e) = t.encode(s, true) {
            let _ = t.decode(e.ids(), true);
            let _ = e.tokens();
        }
        let _ = t.encode_pair(s, "a b", true);
    }
    let _ = t.to_json_string(false);
}

/// A small DeBERTa-v3-shaped tokenizer: Strip + Precompiled + Replace, Metaspace, a Unigram
/// model with byte fallback and special tokens.
fn small_spm_json() -> Value {
    let spm: Value =
        serde_json::from_slice(&std::fs::read(common::fixture("unigram_spm.json")).unwrap())
            .unwrap();
    let mut j = spm.clone();
    let vocab = spm["model"]["vocab"].as_array().unwrap();
    // The 5 specials, 256 byte pieces, then the first 60 learned pieces.
    j["model"]["vocab"] = Value::Array(vocab[..5 + 256 + 60].to_vec());
    j
}

fn err_of(json: &Value) -> String {
    match Tokenizer::from_json_str(&json.to_string()) {
        Ok(_) => panic!("loaded a bad file"),
        Err(e) => {
            assert!(matches!(e, TextError::Json { .. }), "{e:?}");
            e.to_string()
        }
    }
}

#[test]
fn bad_unigram_sections_are_errors_naming_the_field() {
    let good = small_spm_json();
    assert!(Tokenizer::from_json_str(&good.to_string()).is_ok());
    let cases: Vec<(&str, Value, &str)> = vec![
        ("empty vocabulary", json!([]), "model.vocab"),
        ("no unk_id", Value::Null, "model.unk_id"),
        ("unk_id past the end", json!(321), "model.unk_id"),
        ("vocab not a list", json!({"a": 1}), "invalid type"),
    ];
    for (what, value, field) in cases {
        let mut j = good.clone();
        match what {
            "empty vocabulary" | "vocab not a list" => j["model"]["vocab"] = value,
            _ => j["model"]["unk_id"] = value,
        }
        let e = err_of(&j);
        assert!(e.contains(field), "{what}: {e}");
    }
    let mut j = good.clone();
    j["model"].as_object_mut().unwrap().remove("unk_id");
    assert!(err_of(&j).contains("model.unk_id"));
    // Overflowing and non-numeric scores never reach the model.
    let text = good.to_string().replacen("0.0]", "1e999]", 1);
    let e = Tokenizer::from_json_str(&text).unwrap_err().to_string();
    assert!(e.contains("number out of range"), "{e}");
    let text = good.to_string().replacen("0.0]", "NaN]", 1);
    assert!(Tokenizer::from_json_str(&text).is_err());
    // From Rust, NaN and infinities are refused naming the entry; negative scores are fine.
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let e = Unigram::new(vec![("<unk>".into(), 0.0), ("a".into(), bad)], 0, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("model.vocab[1]"), "{e}");
    }
    assert!(
        Unigram::new(
            vec![("<unk>".into(), -30.0), ("a".into(), -1e300)],
            0,
            false
        )
        .is_ok()
    );
}

#[test]
fn corrupt_precompiled_charsmaps_are_errors_naming_the_field() {
    let good = small_spm_json();
    let b64 = good["normalizer"]["normalizers"][1]["precompiled_charsmap"]
        .as_str()
        .unwrap()
        .to_owned();
    let raw = base64::decode(&b64).unwrap();
    let trie_len = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as usize;
    let mut huge_header = raw.clone();
    huge_header[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut bad_utf8 = raw.clone();
    bad_utf8[4 + trie_len + 1] = 0xff;
    let cases: Vec<(&str, String)> = vec![
        ("not base64", "!!!!".into()),
        ("cut base64", b64[..b64.len() - 1].into()),
        ("empty", String::new()),
        ("header only", base64::encode(&raw[..4])),
        ("trie cut short", base64::encode(&raw[..trie_len / 2])),
        ("huge trie size", base64::encode(&huge_header)),
        ("replacements not UTF-8", base64::encode(&bad_utf8)),
    ];
    for (what, charsmap) in cases {
        let mut j = good.clone();
        j["normalizer"]["normalizers"][1]["precompiled_charsmap"] = Value::from(charsmap);
        let e = err_of(&j);
        assert!(e.contains("precompiled_charsmap"), "{what}: {e}");
    }
}

fn charsmap_bytes() -> Vec<u8> {
    let j = small_spm_json();
    base64::decode(
        j["normalizer"]["normalizers"][1]["precompiled_charsmap"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    #[test]
    fn mutated_unigram_section_never_panics(
        edits in prop::collection::vec((any::<Index>(), any::<usize>()), 1..5),
        byte_fallback in any::<bool>(),
    ) {
        // The model section alone (a few hundred paths), with and without byte fallback.
        let mut model = small_spm_json()["model"].clone();
        model["byte_fallback"] = Value::from(byte_fallback);
        for (where_, what) in &edits {
            mutate_json(&mut model, where_, *what, |k| match k % 22 {
                18 => Value::from(""),
                19 => json!(["", 0.0]),
                20 => json!(["<0x41>", -1e308]),
                21 => json!(["[UNK]", 5.0]),
                _ => hostile_value(k),
            }, &["unk_id", "vocab", "byte_fallback", "type"]);
        }
        match serde_json::from_value::<Model>(model) {
            Ok(m) => {
                let t = Tokenizer::new(m);
                encode_everything(&t);
                let again = Tokenizer::from_json_str(&t.to_json_string(false));
                prop_assert!(again.is_ok(), "{:?}", again.err());
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(!msg.is_empty());
            }
        }
        LargestAllocation::assert_under_a_gib();
    }

    #[test]
    fn mutated_charsmap_never_panics(
        edits in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        let bytes = mutate_bytes(charsmap_bytes(), &edits);
        match Precompiled::from_charsmap(bytes) {
            Ok(p) => {
                for s in TEXTS {
                    let mut n = NormalizedString::new(s, 0);
                    p.normalize(&mut n);
                    prop_assert_eq!(n.alignments().len(), n.len());
                }
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains("precompiled_charsmap"), "{}", msg);
            }
        }
        LargestAllocation::assert_under_a_gib();
    }
}
