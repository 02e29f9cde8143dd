//! BPE parity with Hugging Face tokenizers 0.23.3 (fixtures from `fixtures/gen_bpe.py`):
//! tokenizer.json files trained by HF load, encode and decode identically in Kiln, are written
//! back field for field, and Kiln's trainers learn the same vocabularies and merges.

mod common;

use kiln_text::Tokenizer;
use kiln_text::models::{
    Bpe, BpeConfig, BpeTrainer, Model, Trainer, Vocab, WordPiece, WordPieceConfig, WordPieceTrainer,
};
use kiln_text::normalizers::{BertNormalizer, Lowercase, Nfkc, Normalizer};
use kiln_text::pre_tokenizers::{
    BertPreTokenizer, ByteLevel, PreTokenizer, Whitespace, bytes_to_chars,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    train_files: Vec<String>,
    texts: Vec<String>,
    sotu_refs: Vec<(String, usize)>,
    bytelevel: Vec<String>,
    bytelevel_decode: Vec<String>,
    whitespace: Vec<String>,
    wordpiece_vocab: Vec<String>,
}

fn fixture() -> Fixture {
    serde_json::from_slice(&std::fs::read(common::fixture("bpe_parity.json")).unwrap()).unwrap()
}

fn sotu_lines(name: &str) -> Option<Vec<String>> {
    let p = common::data_file("sotu", name)?;
    let text = std::fs::read_to_string(p).unwrap();
    Some(text.split_inclusive('\n').map(str::to_owned).collect())
}

/// The synthetic inputs, plus the sotu ones when the data is there.
fn inputs(fx: &Fixture) -> Vec<String> {
    let mut v = fx.texts.clone();
    if let Some(first) = fx.sotu_refs.first()
        && sotu_lines(&first.0).is_some()
    {
        for (name, i) in &fx.sotu_refs {
            v.push(sotu_lines(name).unwrap()[*i].clone());
        }
    }
    v
}

fn check(tok: &Tokenizer, inputs: &[String], want: &[String], decode: Option<&[String]>) {
    let encs = tok.encode_batch(inputs, true).unwrap();
    let bad: Vec<usize> = (0..inputs.len())
        .filter(|&i| common::single_digest(&encs[i], &inputs[i]) != want[i])
        .collect();
    assert!(
        bad.is_empty(),
        "{} of {} differ, first {:?}",
        bad.len(),
        inputs.len(),
        inputs[bad[0]]
    );
    if let Some(d) = decode {
        let bad: Vec<usize> = (0..inputs.len())
            .filter(|&i| common::sha16(&tok.decode(encs[i].ids(), true)) != d[i])
            .collect();
        assert!(
            bad.is_empty(),
            "decode: {} differ, first {:?}",
            bad.len(),
            inputs[bad[0]]
        );
    }
}

#[test]
fn hf_trained_bytelevel_bpe_encodes_identically() {
    let fx = fixture();
    let tok = Tokenizer::from_file(common::fixture("bpe_bytelevel.json")).unwrap();
    let inputs = inputs(&fx);
    check(
        &tok,
        &inputs,
        &fx.bytelevel[..inputs.len()],
        Some(&fx.bytelevel_decode[..inputs.len()]),
    );
}

#[test]
fn hf_trained_whitespace_bpe_encodes_identically() {
    let fx = fixture();
    let tok = Tokenizer::from_file(common::fixture("bpe_whitespace.json")).unwrap();
    let inputs = inputs(&fx);
    check(&tok, &inputs, &fx.whitespace[..inputs.len()], None);
}

#[test]
fn tokenizer_json_is_written_back_field_for_field() {
    for name in ["bpe_bytelevel.json", "bpe_whitespace.json"] {
        let text = std::fs::read_to_string(common::fixture(name)).unwrap();
        let tok = Tokenizer::from_json_str(&text).unwrap();
        let ours: serde_json::Value = serde_json::from_str(&tok.to_json_string(true)).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(ours, theirs, "{name}");
    }
}

fn empty_bpe(config: BpeConfig) -> Model {
    Model::Bpe(Bpe::new(Vocab::default(), Vec::new(), config).unwrap())
}

fn model_of(path: &str) -> Model {
    Tokenizer::from_file(common::fixture(path))
        .unwrap()
        .model()
        .clone()
}

fn train_lines(fx: &Fixture) -> Option<Vec<String>> {
    let mut lines = Vec::new();
    for f in &fx.train_files {
        lines.extend(sotu_lines(f)?);
    }
    Some(lines)
}

#[test]
fn bpe_trainer_learns_hf_vocab_and_merges() {
    let fx = fixture();
    let Some(lines) = train_lines(&fx) else {
        return;
    };
    let specials = ["<s>", "<pad>", "</s>", "<unk>"].map(String::from).to_vec();
    let mut bl = Tokenizer::new(empty_bpe(BpeConfig::default()))
        .with_pre_tokenizer(Some(PreTokenizer::ByteLevel(ByteLevel::default())));
    let trainer = Trainer::Bpe(BpeTrainer {
        vocab_size: 2000,
        min_frequency: 2,
        special_tokens: specials,
        initial_alphabet: bytes_to_chars().to_vec(),
        ..BpeTrainer::default()
    });
    bl.train(&trainer, &lines).unwrap();
    let (Model::Bpe(ours), Model::Bpe(theirs)) = (bl.model(), &model_of("bpe_bytelevel.json"))
    else {
        panic!("not BPE")
    };
    assert_eq!(ours.vocab(), theirs.vocab());
    assert_eq!(ours.merges(), theirs.merges());

    let config = BpeConfig {
        unk_token: Some("<unk>".into()),
        end_of_word_suffix: Some("</w>".into()),
        ..BpeConfig::default()
    };
    let unk_vocab = Vocab::from_tokens(["<unk>".to_string()]);
    let mut ws = Tokenizer::new(Model::Bpe(Bpe::new(unk_vocab, Vec::new(), config).unwrap()))
        .with_normalizer(Some(Normalizer::Sequence {
            normalizers: vec![Normalizer::Nfkc(Nfkc), Normalizer::Lowercase(Lowercase)],
        }))
        .with_pre_tokenizer(Some(PreTokenizer::Whitespace(Whitespace)));
    let trainer = Trainer::Bpe(BpeTrainer {
        vocab_size: 1500,
        special_tokens: vec!["<unk>".into()],
        end_of_word_suffix: Some("</w>".into()),
        limit_alphabet: Some(100),
        ..BpeTrainer::default()
    });
    ws.train(&trainer, &lines).unwrap();
    let (Model::Bpe(ours), Model::Bpe(theirs)) = (ws.model(), &model_of("bpe_whitespace.json"))
    else {
        panic!("not BPE")
    };
    // Hugging Face numbers the "x</w>" symbols in hash-map order, so compare the token sets.
    let sorted = |v: &Vocab| {
        let mut t: Vec<String> = v.iter().map(|(_, t)| t.to_owned()).collect();
        t.sort_unstable();
        t
    };
    assert_eq!(sorted(ours.vocab()), sorted(theirs.vocab()));
    assert_eq!(ours.merges(), theirs.merges());
    assert_eq!(ours.config(), theirs.config());
}

#[test]
fn wordpiece_trainer_learns_hf_vocab() {
    let fx = fixture();
    let Some(lines) = train_lines(&fx) else {
        return;
    };
    let vocab = Vocab::from_tokens(["[UNK]".to_string()]);
    let mut wp = Tokenizer::new(Model::WordPiece(
        WordPiece::new(vocab, WordPieceConfig::default()).unwrap(),
    ))
    .with_normalizer(Some(Normalizer::BertNormalizer(BertNormalizer::default())))
    .with_pre_tokenizer(Some(PreTokenizer::BertPreTokenizer(BertPreTokenizer)));
    let mut trainer = WordPieceTrainer::default();
    trainer.bpe.vocab_size = 2000;
    trainer.bpe.special_tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .map(String::from)
        .to_vec();
    wp.train(&Trainer::WordPiece(trainer), &lines).unwrap();
    let ours: Vec<&str> = wp.model().vocab().iter().map(|(_, t)| t).collect();
    // Hugging Face numbers the "##x" symbols in hash-map order, so the token sets are
    // compared (see the crate docs).
    let mut a = ours.clone();
    let mut b: Vec<&str> = fx.wordpiece_vocab.iter().map(String::as_str).collect();
    assert_eq!(a.len(), b.len());
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
}
