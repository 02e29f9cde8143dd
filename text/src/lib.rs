//! kiln-text: fast tokenizers compatible with Hugging Face `tokenizers`.
//!
//! The pipeline mirrors Hugging Face's: [`normalizers`] → [`pre_tokenizers`] → [`models`]
//! → [`processors`] → padding/truncation ([`utils`]), with [`decoders`] for the way back.
//! A [`Tokenizer`] reads and writes `tokenizer.json` and gives the same ids, type ids, masks
//! and offsets as Hugging Face on the same files. kiln-text depends on no other Kiln crate.
//! Models: WordPiece, BPE, WordLevel and Unigram ([`models::Unigram`], SentencePiece's model
//! as DeBERTa-v3, T5 or ALBERT ship it, with the [`normalizers::Precompiled`] charsmap).
//!
//! Training ([`models::Trainer`], [`Tokenizer::train`]) follows Hugging Face's BpeTrainer
//! and WordPieceTrainer step for step. Intentional differences, all about ties that Hugging
//! Face leaves to hash-map order (so its own runs can differ): words are visited in sorted
//! order, so the ids of decorated symbols (`"##x"`, `"x</w>"`) are stable rather than
//! HF's run-dependent ones (token sets and merges agree); `limit_alphabet` drops equally
//! frequent characters in code-point order. BPE dropout draws from a seeded stream
//! ([`models::BpeConfig::dropout_seed`]) instead of the OS.
//!
//! [`vectorizers`] holds scikit-learn's `CountVectorizer` and `TfidfVectorizer` (same
//! parameters, defaults and numbers) with sparse CSR output built in parallel.
//!
//! ```
//! use kiln_text::{Tokenizer, models::Vocab};
//!
//! let vocab = Vocab::from_tokens(
//!     ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "i", "heart", "genera", "##tive", "ai"]
//!         .map(String::from),
//! );
//! let tok = Tokenizer::bert_wordpiece(vocab, true).unwrap();
//! let enc = tok.encode("I heart Generative AI", true).unwrap();
//! assert_eq!(enc.tokens(), ["[CLS]", "i", "heart", "genera", "##tive", "ai", "[SEP]"]);
//! assert_eq!(enc.offsets()[3], (8, 14));
//! assert_eq!(tok.decode(enc.ids(), true), "i heart generative ai");
//! ```

pub mod decoders;
pub mod error;
pub mod models;
pub mod normalizers;
pub mod pre_tokenizers;
pub mod processors;
pub mod tokenizer;
pub mod utils;
pub mod vectorizers;

pub use error::{Result, TextError};
pub use tokenizer::{AddedToken, Encoding, Tokenizer};
pub use vectorizers::{CountVectorizer, CsrMatrix, TfidfVectorizer};
