//! Unigram parity with Hugging Face tokenizers 0.23.3 (fixtures from
//! `fixtures/gen_unigram.py`): an HF-trained Unigram with byte fallback, the same model
//! without it (fused unknown tokens), and a SentencePiece model converted with its
//! Precompiled charsmap load through `Tokenizer::from_file` and give the same ids, tokens,
//! character offsets and decoded text on 400 inputs; written back, they read as the same.

mod common;

use kiln_text::Tokenizer;
use serde::Deserialize;

#[derive(Deserialize)]
struct Inputs {
    versions: std::collections::BTreeMap<String, String>,
    texts: Vec<String>,
}

#[derive(Deserialize)]
struct Expected {
    ids: Vec<Vec<u32>>,
    tokens: Vec<Vec<String>>,
    offsets: Vec<Vec<usize>>,
    decoded: Vec<String>,
}

fn read<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_slice(&std::fs::read(common::fixture(name)).unwrap()).unwrap()
}

/// Compares every field of every input; the message shows the first difference of each kind.
fn check(tok: &Tokenizer, name: &str) {
    let inputs: Inputs = read("unigram_parity.json");
    assert_eq!(inputs.versions["tokenizers"], "0.23.3");
    assert!(inputs.texts.len() >= 300);
    let want: Expected = read(&format!("unigram_parity_{name}.json"));
    let encs = tok.encode_batch(&inputs.texts, true).unwrap();
    let mut bad = Vec::new();
    for (i, (text, e)) in inputs.texts.iter().zip(&encs).enumerate() {
        let offs: Vec<usize> = e
            .char_offsets(text)
            .into_iter()
            .flat_map(|o| [o.0, o.1])
            .collect();
        let tokens: Vec<String> = e.tokens().into_iter().map(str::to_owned).collect();
        let decoded = tok.decode(e.ids(), true);
        for (what, same) in [
            ("ids", e.ids() == want.ids[i].as_slice()),
            ("tokens", tokens == want.tokens[i]),
            ("offsets", offs == want.offsets[i]),
            ("decoded", decoded == want.decoded[i]),
        ] {
            if !same && !bad.iter().any(|(w, _)| *w == what) {
                bad.push((
                    what,
                    format!(
                        "{what} of input {i} {text:?}:\n  kiln {:?}\n  hf   {:?}\n  kiln {:?}\n  hf   {:?}\n  kiln {offs:?}\n  hf   {:?}\n  kiln {decoded:?}\n  hf   {:?}",
                        e.ids(),
                        want.ids[i],
                        tokens,
                        want.tokens[i],
                        want.offsets[i],
                        want.decoded[i]
                    ),
                ));
            }
        }
    }
    let n = |what: &str| {
        (0..inputs.texts.len())
            .filter(|&i| {
                let e = &encs[i];
                match what {
                    "ids" => e.ids() != want.ids[i].as_slice(),
                    "tokens" => e.tokens() != want.tokens[i],
                    "offsets" => {
                        let o: Vec<usize> = e
                            .char_offsets(&inputs.texts[i])
                            .into_iter()
                            .flat_map(|o| [o.0, o.1])
                            .collect();
                        o != want.offsets[i]
                    }
                    _ => false,
                }
            })
            .count()
    };
    assert!(
        bad.is_empty(),
        "{name}: {} ids, {} token lists, {} offset lists differ; first differences:\n{}",
        n("ids"),
        n("tokens"),
        n("offsets"),
        bad.into_iter().map(|b| b.1).collect::<Vec<_>>().join("\n")
    );
}

fn load(name: &str) -> Tokenizer {
    Tokenizer::from_file(common::fixture(&format!("unigram_{name}.json"))).unwrap()
}

#[test]
fn hf_trained_unigram_with_byte_fallback_encodes_identically() {
    check(&load("hf"), "hf");
}

#[test]
fn hf_trained_unigram_fuses_unknown_characters_identically() {
    check(&load("hf_unk"), "hf_unk");
}

#[test]
fn sentencepiece_converted_unigram_with_precompiled_charsmap_encodes_identically() {
    check(&load("spm"), "spm");
}

#[test]
fn written_tokenizers_read_back_with_the_same_encodings() {
    let inputs: Inputs = read("unigram_parity.json");
    for name in ["hf", "hf_unk", "spm"] {
        let tok = load(name);
        let dir = std::env::temp_dir().join(format!("kiln-unigram-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tokenizer.json");
        tok.save(&path, false).unwrap();
        let back = Tokenizer::from_file(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let a = tok.encode_batch(&inputs.texts, true).unwrap();
        let b = back.encode_batch(&inputs.texts, true).unwrap();
        assert!(a == b, "{name}: encodings changed after a write and read");
        // The model and normalizer sections are written exactly as Hugging Face wrote them.
        let orig: serde_json::Value = read(&format!("unigram_{name}.json"));
        let ours: serde_json::Value = serde_json::from_str(&tok.to_json_string(false)).unwrap();
        for key in [
            "model",
            "normalizer",
            "pre_tokenizer",
            "decoder",
            "post_processor",
        ] {
            assert_eq!(ours[key], orig[key], "{name}: {key}");
        }
    }
}
