//! WordPiece parity with Hugging Face tokenizers 0.23.3 on the MiniLM (bert-base-uncased)
//! vocabulary: 2,300 single inputs and 500 pairs, in five configurations, compared through
//! the digests written by `fixtures/gen_wordpiece.py`.

mod common;

use kiln_text::Tokenizer;
use kiln_text::utils::truncation::{TruncationParams, TruncationStrategy};
use kiln_text::{Encoding, TextError};
use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
struct Fixture {
    imdb_indices: Vec<usize>,
    texts: Vec<String>,
    pairs: Vec<(String, usize, String, usize)>,
    file: Vec<String>,
    full: Vec<String>,
    decode: Vec<String>,
    stride: Vec<String>,
    vocab: Vec<String>,
    pair_file: Vec<String>,
    pair_stride: Vec<String>,
    pair_full: Vec<String>,
}

fn join<T: ToString>(v: impl IntoIterator<Item = T>) -> String {
    v.into_iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The same string as `enc_str` in the gen script; `texts[k]` is the text of type id k.
fn enc_str(e: &Encoding, texts: &[&str], with_offsets: bool) -> String {
    let words = e.word_ids().iter().map(|w| w.map_or(-1, i64::from));
    let mut s = [
        join(e.ids()),
        join(e.type_ids()),
        join(e.attention_mask()),
        join(e.special_tokens_mask()),
        join(words),
    ]
    .join(";");
    if with_offsets {
        let per_text: Vec<Vec<(usize, usize)>> = texts.iter().map(|t| e.char_offsets(t)).collect();
        let offs = (0..e.len()).flat_map(|k| {
            let t = (e.type_ids()[k] as usize).min(texts.len() - 1);
            let o = per_text[t][k];
            [o.0, o.1]
        });
        s.push(';');
        s.push_str(&join(offs));
    }
    s
}

fn digest(e: &Encoding, texts: &[&str]) -> String {
    let pair = texts.len() > 1;
    let mut s = enc_str(e, texts, true);
    for o in e.overflowing() {
        s.push('|');
        s.push_str(&enc_str(o, &texts[..1], !pair));
    }
    sha(&s)
}

fn sha(s: &str) -> String {
    let h = Sha256::digest(s.as_bytes());
    h.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn check(name: &str, got: &[String], want: &[String], what: impl Fn(usize) -> String) {
    assert_eq!(got.len(), want.len(), "{name}: count");
    let bad: Vec<usize> = (0..got.len()).filter(|&i| got[i] != want[i]).collect();
    assert!(
        bad.is_empty(),
        "{name}: {} of {} differ from Hugging Face, first: {}",
        bad.len(),
        got.len(),
        what(bad[0])
    );
}

#[test]
fn wordpiece_matches_hugging_face() {
    let Some(tok_path) = common::data_file("minilm", "tokenizer.json") else {
        return;
    };
    let Some(vocab_path) = common::data_file("minilm", "vocab.txt") else {
        return;
    };
    let Some(reviews) = common::imdb_reviews() else {
        return;
    };
    let fx: Fixture =
        serde_json::from_slice(&std::fs::read(common::fixture("wordpiece_parity.json")).unwrap())
            .unwrap();
    let mut inputs: Vec<&str> = fx
        .imdb_indices
        .iter()
        .map(|&i| reviews[i].as_str())
        .collect();
    inputs.extend(fx.texts.iter().map(String::as_str));
    let resolve = |kind: &str, i: usize| -> &str {
        if kind == "i" {
            &reviews[i]
        } else {
            &fx.texts[i]
        }
    };
    let pairs: Vec<(&str, &str)> = fx
        .pairs
        .iter()
        .map(|(ka, a, kb, b)| (resolve(ka, *a), resolve(kb, *b)))
        .collect();
    assert!(inputs.len() >= 2000 && pairs.len() >= 500);

    let as_file = Tokenizer::from_file(&tok_path).unwrap();
    let full = as_file.clone().with_truncation(None).with_padding(None);
    let stride = as_file
        .clone()
        .with_padding(None)
        .with_truncation(Some(TruncationParams {
            max_length: 64,
            stride: 16,
            strategy: TruncationStrategy::LongestFirst,
            ..TruncationParams::default()
        }));
    let vocab = Tokenizer::bert_from_vocab_file(&vocab_path, true).unwrap();

    // The seeds' example.
    let seed = full.encode("I heart Generative AI", false).unwrap();
    assert_eq!(seed.tokens(), ["i", "heart", "genera", "##tive", "ai"]);
    assert_eq!(seed.ids(), [1045, 2540, 11416, 6024, 9932]);

    let single = |t: &Tokenizer| -> Vec<String> {
        let encs = t.encode_batch(&inputs, true).unwrap();
        encs.iter()
            .zip(&inputs)
            .map(|(e, s)| digest(e, &[s]))
            .collect()
    };
    let show = |i: usize| {
        format!(
            "input {i}: {:?}",
            inputs[i].chars().take(80).collect::<String>()
        )
    };
    check("tokenizer.json", &single(&as_file), &fx.file, show);
    check("no truncation/padding", &single(&full), &fx.full, show);
    check(
        "truncation 64 stride 16",
        &single(&stride),
        &fx.stride,
        show,
    );
    check("vocab.txt", &single(&vocab), &fx.vocab, show);

    let decoded: Vec<String> = full
        .encode_batch(&inputs, true)
        .unwrap()
        .iter()
        .map(|e| sha(&full.decode(e.ids(), true)))
        .collect();
    check("decode", &decoded, &fx.decode, show);

    let pair_digests = |t: &Tokenizer| -> Vec<String> {
        let encs = t.encode_batch_pairs(&pairs, true).unwrap();
        encs.iter()
            .zip(&pairs)
            .map(|(e, (a, b))| digest(e, &[a, b]))
            .collect()
    };
    let show_pair = |i: usize| format!("pair {i}: {:?}", fx.pairs[i]);
    check(
        "pairs tokenizer.json",
        &pair_digests(&as_file),
        &fx.pair_file,
        show_pair,
    );
    check(
        "pairs truncation 64 stride 16",
        &pair_digests(&stride),
        &fx.pair_stride,
        show_pair,
    );
    check(
        "pairs no truncation",
        &pair_digests(&full),
        &fx.pair_full,
        show_pair,
    );
}

#[test]
fn minilm_round_trips_through_json() {
    let Some(tok_path) = common::data_file("minilm", "tokenizer.json") else {
        return;
    };
    let t = Tokenizer::from_file(&tok_path).unwrap();
    let again = Tokenizer::from_json_str(&t.to_json_string(false)).unwrap();
    let text = "Round trips keep ids: [MASK] café 中文!";
    assert_eq!(
        t.encode(text, true).unwrap(),
        again.encode(text, true).unwrap()
    );
    let err = Tokenizer::from_json_str(r#"{"model":{"type":"WordPiece","unk_token":"[UNK]"}}"#)
        .unwrap_err();
    assert!(matches!(err, TextError::Json { .. }));
    assert!(
        err.to_string().contains("continuing_subword_prefix"),
        "{err}"
    );
}
