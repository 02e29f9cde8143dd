//! `Tokenizer::from_pretrained(dir)`: `tokenizer.json` first, else `vocab.txt` with
//! `tokenizer_config.json`'s `do_lower_case`; a typed error naming a folder with neither; and
//! MiniLM's folder (`cargo xtask fetch minilm`) against the ids in shared/DATA.md.

mod common;

use kiln_text::utils::padding::{PaddingParams, PaddingStrategy};
use kiln_text::{TextError, Tokenizer};
use std::path::{Path, PathBuf};

const VOCAB: &[&str] = &[
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "i", "heart", "genera", "##tive", "ai", "I",
    "Heart",
];

/// A fresh, empty folder under the system temp folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("kiln-text-pretrained-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn vocab_txt() -> String {
    VOCAB.iter().map(|t| format!("{t}\n")).collect()
}

#[test]
fn vocab_txt_alone_is_an_uncased_bert_tokenizer() {
    let dir = TempDir::new("vocab");
    dir.write("vocab.txt", &vocab_txt());
    let tok = Tokenizer::from_pretrained(dir.path()).unwrap();
    let enc = tok.encode("I heart Generative AI", true).unwrap();
    assert_eq!(enc.ids(), [2, 5, 6, 7, 8, 9, 3]);
    assert_eq!(
        enc.tokens(),
        ["[CLS]", "i", "heart", "genera", "##tive", "ai", "[SEP]"]
    );
}

#[test]
fn tokenizer_config_turns_lowercasing_off() {
    let dir = TempDir::new("cased");
    dir.write("vocab.txt", &vocab_txt());
    dir.write(
        "tokenizer_config.json",
        r#"{"do_lower_case": false, "model_max_length": 512}"#,
    );
    let tok = Tokenizer::from_pretrained(dir.path()).unwrap();
    let enc = tok.encode("I Heart ai", false).unwrap();
    assert_eq!(enc.tokens(), ["I", "Heart", "ai"]);
}

#[test]
fn tokenizer_json_wins_over_vocab_txt_and_loses_its_padding() {
    let dir = TempDir::new("json");
    // A tokenizer.json whose vocabulary differs from vocab.txt's, padded to 16 as
    // sentence-transformers' files are.
    let reversed: String = VOCAB[..10].iter().rev().map(|t| format!("{t}\n")).collect();
    dir.write("other.txt", &reversed);
    let saved = Tokenizer::bert_from_vocab_file(dir.path().join("other.txt"), true)
        .unwrap()
        .with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::Fixed(16),
            ..PaddingParams::default()
        }));
    saved
        .save(dir.path().join("tokenizer.json"), false)
        .unwrap();
    dir.write("vocab.txt", &vocab_txt());
    let tok = Tokenizer::from_pretrained(dir.path()).unwrap();
    assert!(tok.padding().is_none() && tok.truncation().is_none());
    let enc = tok.encode("I heart AI", true).unwrap();
    // Reversed vocabulary of 10: [CLS] = 7, i = 4, heart = 3, ai = 0, [SEP] = 6.
    assert_eq!(enc.ids(), [7, 4, 3, 0, 6]);
}

#[test]
fn a_folder_without_tokenizer_files_is_a_typed_error_naming_it() {
    let dir = TempDir::new("empty");
    dir.write("config.json", "{}");
    let err = Tokenizer::from_pretrained(dir.path()).unwrap_err();
    match &err {
        TextError::NoTokenizerFiles { dir: d } => assert_eq!(d, dir.path()),
        other => panic!("expected NoTokenizerFiles, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains(&dir.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains("tokenizer.json") && message.contains("vocab.txt"));

    let missing = dir.path().join("no-such-folder");
    assert!(matches!(
        Tokenizer::from_pretrained(&missing),
        Err(TextError::NoTokenizerFiles { .. })
    ));
}

#[test]
fn a_bad_tokenizer_config_names_the_file_and_key() {
    let dir = TempDir::new("badcfg");
    dir.write("vocab.txt", &vocab_txt());
    dir.write("tokenizer_config.json", r#"{"do_lower_case": "yes"}"#);
    let message = Tokenizer::from_pretrained(dir.path())
        .unwrap_err()
        .to_string();
    assert!(message.contains("tokenizer_config.json"), "{message}");
    assert!(message.contains("do_lower_case"), "{message}");

    dir.write("tokenizer_config.json", "{not json");
    let err = Tokenizer::from_pretrained(dir.path()).unwrap_err();
    assert!(matches!(err, TextError::Json { .. }), "{err:?}");
}

/// shared/DATA.md: "I heart Generative AI" → `[101, 1045, 2540, 11416, 6024, 9932, 102]`,
/// from MiniLM's tokenizer.json and from its vocab.txt alone.
#[test]
fn minilm_folder_gives_the_reference_ids() {
    let Some(json) = common::data_file("minilm", "tokenizer.json") else {
        return;
    };
    let minilm = json.parent().unwrap();
    let expected = [101, 1045, 2540, 11416, 6024, 9932, 102];
    let tok = Tokenizer::from_pretrained(minilm).unwrap();
    assert_eq!(
        tok.encode("I heart Generative AI", true).unwrap().ids(),
        expected
    );

    let dir = TempDir::new("minilm-vocab");
    std::fs::copy(minilm.join("vocab.txt"), dir.path().join("vocab.txt")).unwrap();
    std::fs::copy(
        minilm.join("tokenizer_config.json"),
        dir.path().join("tokenizer_config.json"),
    )
    .unwrap();
    let tok = Tokenizer::from_pretrained(dir.path()).unwrap();
    assert_eq!(
        tok.encode("I heart Generative AI", true).unwrap().ids(),
        expected
    );
}
