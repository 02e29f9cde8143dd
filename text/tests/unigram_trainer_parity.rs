//! UnigramTrainer against Hugging Face tokenizers 0.23.3's `UnigramTrainer`
//! (fixture `tests/fixtures/unigram_trainer_hf.json`, made by `gen_unigram_trainer.py`).
//!
//! Hugging Face's trainer is not deterministic run to run (the fixture holds several runs,
//! and they differ): it keeps the words in a `HashMap`, so the E-step sums in a random
//! order (scores move by ~1e-13, which reorders pieces of equal score), and it walks the
//! required characters in `HashSet` order, so the characters it adds at
//! `min_score + k × 0.0001` get those scores in a random order. The test therefore checks:
//! the same pieces; at every position the same score to 1e-6; the same piece at every
//! position except inside a run of equal scores (compared as a set) and inside the tail of
//! added characters (compared as a set).

mod common;

use kiln_text::Tokenizer;
use kiln_text::models::{Model, Trainer, UnigramTrainer};
use serde::Deserialize;
use std::collections::BTreeSet;

#[derive(Deserialize)]
struct Fixture {
    tokenizers: String,
    files: Vec<String>,
    unk_id: usize,
    runs: Vec<Vec<(String, f64)>>,
}

const TOKENIZER: &str = r#"{"version":"1.0","added_tokens":[],"normalizer":null,
"pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true},
"post_processor":null,"decoder":null,
"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0.0]],"byte_fallback":false}}"#;

fn trainer() -> UnigramTrainer {
    UnigramTrainer {
        vocab_size: 800,
        unk_token: "<unk>".into(),
        special_tokens: vec!["<unk>".into(), "<s>".into(), "</s>".into()],
        ..UnigramTrainer::default()
    }
}

fn pieces(tok: &Tokenizer) -> Vec<(String, f64)> {
    match tok.model() {
        Model::Unigram(m) => m.pieces().to_vec(),
        _ => panic!("not a Unigram model"),
    }
}

/// Groups positions `[a, b)` whose pieces may be permuted: runs of scores equal to 1e-9, and
/// the tail of characters added at `min_score + k × 0.0001`.
fn groups(reference: &[(String, f64)]) -> Vec<(usize, usize)> {
    let n = reference.len();
    let mut tail = n;
    while tail > 0 {
        let one_char = reference[tail - 1].0.chars().count() == 1;
        let step_ok = tail == n || {
            let d = reference[tail - 1].1 - reference[tail].1;
            (-1e-9..=1e-4 + 1e-9).contains(&d)
        };
        if one_char && step_ok {
            tail -= 1;
        } else {
            break;
        }
    }
    let mut out = Vec::new();
    let mut a = 0;
    while a < tail {
        let mut b = a + 1;
        while b < tail && (reference[b].1 - reference[a].1).abs() < 1e-9 {
            b += 1;
        }
        out.push((a, b));
        a = b;
    }
    out.push((tail, n));
    out
}

fn same_up_to_hf_nondeterminism(
    ours: &[(String, f64)],
    hf: &[(String, f64)],
) -> Result<(), String> {
    if ours.len() != hf.len() {
        return Err(format!("{} pieces, HF has {}", ours.len(), hf.len()));
    }
    for (i, (o, h)) in ours.iter().zip(hf).enumerate() {
        if (o.1 - h.1).abs() > 1e-6 {
            return Err(format!("position {i}: {o:?}, HF {h:?}"));
        }
    }
    for (a, b) in groups(hf) {
        let x: BTreeSet<&str> = ours[a..b].iter().map(|p| p.0.as_str()).collect();
        let y: BTreeSet<&str> = hf[a..b].iter().map(|p| p.0.as_str()).collect();
        if x != y {
            return Err(format!("positions {a}..{b}: {x:?}, HF {y:?}"));
        }
    }
    Ok(())
}

#[test]
fn matches_hf_unigram_trainer_on_sotu() {
    let fx: Fixture =
        serde_json::from_slice(&std::fs::read(common::fixture("unigram_trainer_hf.json")).unwrap())
            .unwrap();
    assert_eq!(fx.tokenizers, "0.23.3");
    let mut files = Vec::new();
    for f in &fx.files {
        match common::data_file("sotu", f) {
            Some(p) => files.push(p),
            None => return,
        }
    }
    // The checker itself: HF's own runs agree with each other under it, and differ exactly.
    assert!(fx.runs.len() >= 2);
    for run in &fx.runs[1..] {
        same_up_to_hf_nondeterminism(run, &fx.runs[0]).unwrap();
    }
    assert!(fx.runs[1..].iter().any(|r| r != &fx.runs[0]));

    let mut tok = Tokenizer::from_json_str(TOKENIZER).unwrap();
    tok.train_from_files(&Trainer::Unigram(trainer()), &files)
        .unwrap();
    let ours = pieces(&tok);
    match tok.model() {
        Model::Unigram(m) => assert_eq!(m.unk_id() as usize, fx.unk_id),
        _ => unreachable!(),
    }
    for run in &fx.runs {
        if let Err(e) = same_up_to_hf_nondeterminism(&ours, run) {
            panic!("differs from HF: {e}");
        }
    }
}

#[test]
fn bad_options_are_typed_errors() {
    let words: rustc_hash::FxHashMap<String, u64> =
        [("▁the".to_string(), 3), ("▁cat".to_string(), 2)]
            .into_iter()
            .collect();
    let bad = [
        (
            "vocab_size",
            UnigramTrainer {
                vocab_size: 0,
                ..trainer()
            },
        ),
        (
            "shrinking_factor",
            UnigramTrainer {
                shrinking_factor: 1.0,
                ..trainer()
            },
        ),
        (
            "shrinking_factor",
            UnigramTrainer {
                shrinking_factor: 0.0,
                ..trainer()
            },
        ),
        (
            "max_piece_length",
            UnigramTrainer {
                max_piece_length: 0,
                ..trainer()
            },
        ),
    ];
    for (field, t) in bad {
        match t.train_words(&words) {
            Err(kiln_text::TextError::Config { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    let a = trainer().train_words(&words).unwrap();
    let b = trainer().train_words(&words).unwrap();
    assert_eq!(a.pieces(), b.pieces());
    assert_eq!(&a.pieces()[0].0, "<unk>");
    assert_eq!(&a.pieces()[1].0, "<s>");
    assert!(a.pieces().iter().any(|p| p.0 == "c"));
}
